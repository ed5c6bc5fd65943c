"""Polar PMD: command bytes, responses (multi-part), ACC frames raw and compressed, the stream decoder.

All vectors are constructed from the public format description (notes/protocols.md §2); none is
copied from Polar's SDK tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from holdtrack.errors import DeviceError, PacketDecodeError
from holdtrack.model import G0, RawPacket
from holdtrack.protocol import polar_pmd as pmd
from holdtrack.protocol.base import CountingDecoder
from holdtrack.protocol.cp import Status
from holdtrack.protocol.pmd_delta import decode_delta, encode_delta

DELTA_EXAMPLE = bytes.fromhex("6400 38FF E803 0402 E1F370")


def test_command_bytes() -> None:
    assert pmd.get_settings_request() == bytes.fromhex("01 02")
    assert pmd.start_request(sample_rate=52, range_g=8, channels=3) == bytes.fromhex(
        "02 02 0001 3400 0101 1000 0201 0800 0401 03")
    assert pmd.start_request(sample_rate=200) == bytes.fromhex("02 02 0001 C800 0101 1000 0201 0800")
    assert pmd.start_request(sample_rate=25, range_g=None, offline=True) == bytes.fromhex("02 82 0001 1900 0101 1000")
    assert pmd.stop_request() == bytes.fromhex("03 02")


def test_features_read() -> None:
    assert pmd.parse_features(bytes.fromhex("0F 05 00")) == {pmd.MeasurementType.ECG, pmd.MeasurementType.ACC}
    types = {pmd.MeasurementType.ACC, pmd.MeasurementType.GYRO, pmd.MeasurementType.SDK_MODE}
    assert pmd.parse_features(pmd.features_bytes(sorted(types))) == types
    with pytest.raises(PacketDecodeError):
        pmd.parse_features(bytes.fromhex("0E 05 00"))
    with pytest.raises(PacketDecodeError):
        pmd.parse_features(b"\x0f\x05")


def test_settings_response_and_factor() -> None:
    h10 = pmd.settings_response(pmd.MeasurementType.ACC, pmd.H10_ACC_SETTINGS)
    assert h10 == bytes.fromhex("F0 01 02 00 00 0004 1900 3200 6400 C800 0101 1000 0203 0200 0400 0800")
    assert pmd.PmdResponse.from_bytes(h10).settings() == {0: (25, 50, 100, 200), 1: (16,), 2: (2, 4, 8)}
    start = pmd.start_response(factor=2.44e-4)
    resp = pmd.PmdResponse.from_bytes(start)
    assert resp.ok and pmd.factor_of(resp.settings()) == pytest.approx(2.44e-4, rel=1e-7)
    assert pmd.PmdResponse.from_bytes(bytes.fromhex("F0 02 02 00 00")).settings() == {}


def test_stop_push() -> None:
    assert pmd.parse_stop_push(bytes.fromhex("01 02 00")) == {pmd.MeasurementType.ACC, pmd.MeasurementType.ECG}
    assert pmd.parse_stop_push(bytes.fromhex("F0 02 02 00 00")) is None
    assert pmd.parse_stop_push(b"\x01") is None


def test_error_response_without_more_byte() -> None:
    r = pmd.PmdResponse.from_bytes(bytes((0xF0, 2, 2, Status.INVALID_MTU)))
    assert not r.ok and not r.more
    with pytest.raises(DeviceError, match="INVALID_MTU"):
        r.raise_for_status()


def test_multi_part_response_is_joined() -> None:
    asm = pmd.ResponseAssembler()
    assert asm.feed(bytes.fromhex("F0 01 02 00 01 0004 1900 3200")) is None
    whole = asm.feed(bytes.fromhex("F0 01 02 00 00 6400 C800 0101 1000"))
    assert whole is not None and not whole.more
    assert whole.settings() == {0: (25, 50, 100, 200), 1: (16,)}
    # a later single-part answer is not mixed with the previous one
    assert asm.feed(bytes.fromhex("F0 02 02 00 00")) == pmd.PmdResponse(2, 2)


def test_frame_header_golden() -> None:
    f = pmd.PmdFrame.from_bytes(bytes.fromhex("02 00CA9A3B00000000 01") + b"\x01\x00\x02\x00\x03\x00")
    assert (f.mtype, f.timestamp_ns, f.frame_type) == (2, 1_000_000_000, 1)
    np.testing.assert_array_equal(f.acc_mg(), [[1, 2, 3]])


def test_raw_types_0_1_2() -> None:
    head = "02 00CA9A3B00000000"
    t0 = pmd.PmdFrame.from_bytes(bytes.fromhex(head + "00" + "FF 7F 80"))
    np.testing.assert_array_equal(t0.acc_mg(), [[-1, 127, -128]])
    t2 = pmd.PmdFrame.from_bytes(bytes.fromhex(head + "02" + "FFFFFF 000080 E80300"))
    np.testing.assert_array_equal(t2.acc_mg(), [[-1, -(2**23), 1000]])


def test_delta_constructed_example() -> None:
    np.testing.assert_array_equal(decode_delta(DELTA_EXAMPLE), [[100, -200, 1000], [101, -202, 1003],
                                                                [100, -202, 1010]])
    assert encode_delta(np.array([[100, -200, 1000], [101, -202, 1003], [100, -202, 1010]])) == DELTA_EXAMPLE


def test_compressed_frames_apply_factor() -> None:
    head = bytes.fromhex("02 00CA9A3B00000000")
    f81 = pmd.PmdFrame.from_bytes(head + b"\x81" + DELTA_EXAMPLE)
    np.testing.assert_allclose(f81.acc_mg(0.5)[2], [50, -101, 505])
    f80 = pmd.PmdFrame.from_bytes(head + b"\x80" + DELTA_EXAMPLE)
    np.testing.assert_allclose(f80.acc_mg(2.44e-4)[0], np.array([100, -200, 1000]) * 0.244)


@given(st.integers(1, 300).flatmap(lambda n: hnp.arrays(np.int64, (n, 3), elements=st.integers(-32768, 32767))),
       st.integers(1, 255))
def test_delta_round_trip(s: np.ndarray, block: int) -> None:
    np.testing.assert_array_equal(decode_delta(encode_delta(s, 16, block)), s)


@given(st.integers(1, 50).flatmap(lambda n: hnp.arrays(np.int64, (n, 3), elements=st.integers(-2000, 2000))),
       st.sampled_from((0x00, 0x01, 0x02, 0x81)), st.integers(0, 2**63))
def test_acc_frame_round_trip(mg: np.ndarray, ftype: int, ts: int) -> None:
    if ftype == 0x00:
        mg = np.clip(mg, -128, 127)
    frame = pmd.PmdFrame.from_bytes(pmd.acc_frame(mg, ts, ftype))
    assert frame.timestamp_ns == ts and frame.frame_type == ftype
    np.testing.assert_array_equal(frame.acc_mg(), mg)


@pytest.mark.parametrize(
    "tail, offset",
    [
        (b"\x01" + b"\x00" * 5, 10),  # raw type 1: 5 bytes is not a whole sample
        (b"\x01", 10),  # raw frame without samples
        (b"\x05" + b"\x00" * 6, 9),  # unknown frame type
        (b"\x81" + DELTA_EXAMPLE[:4], 14),  # reference cut short
        (b"\x81" + DELTA_EXAMPLE[:-1], 16),  # delta block cut short
        (b"\x81" + DELTA_EXAMPLE[:6] + b"\x00\x01", 16),  # delta width 0
        (b"\x81" + DELTA_EXAMPLE[:7], 16),  # block header cut short
    ],
)
def test_bad_acc_frames(tail: bytes, offset: int) -> None:
    frame = pmd.PmdFrame.from_bytes(bytes.fromhex("02 0000000000000000") + tail)
    with pytest.raises(PacketDecodeError) as err:
        frame.acc_mg()
    assert err.value.offset == offset


def test_short_header_is_rejected() -> None:
    with pytest.raises(PacketDecodeError):
        pmd.PmdFrame.from_bytes(bytes(9))


def test_decoder_takes_factor_from_start_reply_and_stamps_last_sample() -> None:
    dec = CountingDecoder(pmd.PROFILE.make_decoder({"rate_hz": 52.0}))
    head = bytes.fromhex("02 00CA9A3B00000000")
    assert dec.feed(RawPacket(pmd.start_response(factor=0.5), 0.1, pmd.CONTROL_UUID)) == []
    (f,) = dec.feed(RawPacket(head + b"\x81" + DELTA_EXAMPLE, 0.2, pmd.DATA_UUID))
    np.testing.assert_allclose(f.acc_mps2[0], np.array([50, -100, 500]) * G0 / 1000)
    assert (f.device_time_index, f.rate_hz, f.seq, f.host_time_s) == (2, 52.0, None, 0.2)
    assert f.device_time_s == pytest.approx(1.0)
    # other measurement types and characteristics give nothing; bad frames are counted
    assert dec.feed(RawPacket(bytes.fromhex("00 0000000000000000 00 010203"), 0.3, pmd.DATA_UUID)) == []
    assert dec.feed(RawPacket(bytes([0x64, 0]), 0.3, pmd.HR_MEASUREMENT_UUID)) == []
    assert dec.feed(RawPacket(head + b"\x81" + DELTA_EXAMPLE[:3], 0.4, pmd.DATA_UUID)) == []
    assert dec.bad_packets == 1
    assert dec.inner.factor == 0.5  # type: ignore[attr-defined]


def test_decoder_settings_factor_for_replay() -> None:
    dec = pmd.PROFILE.make_decoder({"factor": 2.0})
    (f,) = dec.feed(RawPacket(bytes.fromhex("02 0000000000000000 81") + DELTA_EXAMPLE, 0.0, pmd.DATA_UUID))
    np.testing.assert_allclose(f.acc_mps2[0] / G0 * 1000, [200, -400, 2000])
