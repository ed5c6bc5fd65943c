"""HTP v1 data packets: golden bytes, round trips, formats 0x01 and 0x02, bad packets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from holdtrack.errors import PacketDecodeError
from holdtrack.model import G0, RawPacket
from holdtrack.protocol import htp
from holdtrack.protocol.base import CountingDecoder

# Constructed from the profile description (firmware_notes/profile.md): seq 7, t0 1 s, 100 Hz, ±8 g,
# samples (0, 0, 4096) and (10, -10, 4100); 4096 counts = 1 g at ±8 g.
GOLDEN = bytes.fromhex("01 01 0700 40420F00 E803 08 02 0000 0000 0010 0A00 F6FF 0410")


def test_golden_packet_decodes() -> None:
    f = htp.decode_packet(GOLDEN, host_time_s=3.5)
    assert (f.seq, f.seq_modulus, f.rate_hz, f.device_time_index) == (7, 65536, 100.0, 0)
    assert f.device_time_s == pytest.approx(1.0)
    assert f.device_time_wrap_s == pytest.approx(4294.967296)
    np.testing.assert_allclose(f.acc_mps2, np.array([[0, 0, 1.0], [10 / 4096, -10 / 4096, 4100 / 4096]]) * G0)
    assert f.gyro_dps is None and f.host_time_s == 3.5


def test_golden_packet_encodes() -> None:
    p = htp.HtpPacket(7, 1_000_000, 1000, 8, np.array([[0, 0, 4096], [10, -10, 4100]], dtype=np.int16))
    assert bytes(p) == GOLDEN


def test_acc_gyro_format_golden() -> None:
    # fmt 0x32: acc + gyro at ±500 dps (code 3); one sample acc (0, 0, 4096), gyro (64, -64, 0) counts
    data = bytes.fromhex("01 32 FFFF FFFFFFFF D007 08 01 0000 0000 0010 4000 C0FF 0000")
    f = htp.decode_packet(data)
    assert (f.seq, f.rate_hz) == (65535, 200.0)
    np.testing.assert_allclose(f.gyro_dps, [[64 * 500 / 32768, -64 * 500 / 32768, 0]])
    pkt = htp.HtpPacket.from_bytes(data)
    assert pkt.gyro_range_dps == 500 and bytes(pkt) == data


samples = st.integers(1, 40).flatmap(lambda n: hnp.arrays(np.int16, (n, 3)))


@given(samples, st.integers(0, 65535), st.integers(0, 2**32 - 1), st.integers(1, 65535),
       st.sampled_from(htp.RANGES_G))
def test_acc_round_trip(s: np.ndarray, seq: int, t0: int, odr: int, rng: int) -> None:
    p = htp.HtpPacket.from_bytes(bytes(htp.HtpPacket(seq, t0, odr, rng, s)))
    assert (p.seq, p.t0_us, p.odr_dhz, p.range_g, p.gyro) == (seq, t0, odr, rng, None)
    np.testing.assert_array_equal(p.samples, s)


@given(samples, st.sampled_from(htp.GYRO_RANGES_DPS), st.data())
def test_acc_gyro_round_trip(s: np.ndarray, gr: int, data: st.DataObject) -> None:
    g = data.draw(hnp.arrays(np.int16, s.shape))
    p = htp.HtpPacket.from_bytes(bytes(htp.HtpPacket(1, 2, 1000, 4, s, gyro=g, gyro_range_dps=gr)))
    np.testing.assert_array_equal(p.samples, s)
    np.testing.assert_array_equal(p.gyro, g)
    assert p.gyro_range_dps == gr and p.fmt == htp.FMT_ACC_GYRO


def test_quantisers_saturate_and_round_trip() -> None:
    acc = np.array([[0.0, 0.0, G0], [100 * G0, -100 * G0, 0.5 * G0]])
    c = htp.counts_from_mps2(acc, 8)
    assert c.tolist() == [[0, 0, 4096], [32767, -32768, 2048]]
    assert htp.counts_from_dps(np.array([[1.0, -3000.0, 0.0]]), 2000).tolist() == [[16, -32768, 0]]


def test_max_samples_per_mtu() -> None:
    assert htp.max_samples(247) == 38 and htp.max_samples(185) == 28 and htp.max_samples(23) == 1
    assert htp.max_samples(247, htp.FMT_ACC_GYRO) == 19


@pytest.mark.parametrize(
    "data, offset, words",
    [
        (GOLDEN[:11], 11, "shorter"),
        (b"\x02" + GOLDEN[1:], 0, "version"),
        (GOLDEN[:1] + b"\x03" + GOLDEN[2:], 1, "format"),
        (GOLDEN[:1] + b"\x11" + GOLDEN[2:], 1, "format"),  # 0x01 keeps its high nibble 0
        (GOLDEN[:1] + b"\x52" + GOLDEN[2:], 1, "format"),  # gyro code 5 does not exist
        (GOLDEN[:8] + b"\x00\x00" + GOLDEN[10:], 8, "rate"),
        (GOLDEN[:10] + b"\x03" + GOLDEN[11:], 10, "range"),
        (GOLDEN[:11] + b"\x03" + GOLDEN[12:], 11, "samples"),  # count says 3, bytes hold 2
        (GOLDEN[:11] + b"\x00", 11, "samples"),  # zero samples
        (GOLDEN[:-1], 11, "samples"),  # truncated
        (GOLDEN[:1] + b"\x02" + GOLDEN[2:], 11, "samples"),  # acc+gyro needs 12 bytes/sample
    ],
)
def test_bad_packets_are_rejected_with_offset(data: bytes, offset: int, words: str) -> None:
    with pytest.raises(PacketDecodeError) as err:
        htp.decode_packet(data)
    assert err.value.offset == offset and words in str(err.value)


def test_counting_decoder_counts_bad_packets_and_goes_on() -> None:
    dec = CountingDecoder(htp.PROFILE.make_decoder({}))
    frames = []
    for i, payload in enumerate([GOLDEN, b"\x09" + GOLDEN[1:], GOLDEN[:5], GOLDEN]):
        frames += dec.feed(RawPacket(payload, float(i), htp.DATA_UUID))
    assert len(frames) == 2 and dec.bad_packets == 2 and dec.packets == 4
    assert [e.index for e in dec.errors] == [1, 2]
    assert dec.feed(RawPacket(b"\xf0\x02\x00", 5.0, htp.CONTROL_UUID)) == []  # not the data characteristic


def _same_frame(a, b) -> None:
    assert np.array_equal(a.acc_mps2, b.acc_mps2) and a.acc_mps2.dtype == b.acc_mps2.dtype
    assert (a.gyro_dps is None) == (b.gyro_dps is None)
    if a.gyro_dps is not None:
        assert np.array_equal(a.gyro_dps, b.gyro_dps)
    for name in ("host_time_s", "seq", "seq_modulus", "device_time_s", "device_time_index",
                 "device_time_wrap_s", "rate_hz"):
        assert getattr(a, name) == getattr(b, name), name


@given(st.data())
def test_decode_columns_equals_decode_packet(data: st.DataObject) -> None:
    """Packets of varying length and range, one format byte: columns == decode_packet of each, bit for bit."""
    gyro = data.draw(st.booleans())
    gr = data.draw(st.sampled_from(htp.GYRO_RANGES_DPS))
    pkts = []
    for i in range(data.draw(st.integers(1, 12))):
        n = data.draw(st.integers(1, 20))
        s = data.draw(hnp.arrays(np.int16, (n, 3)))
        g = data.draw(hnp.arrays(np.int16, (n, 3))) if gyro else None
        pkts.append(bytes(htp.HtpPacket(seq=data.draw(st.integers(0, 65535)), t0_us=data.draw(st.integers(0, 2**32 - 1)),
                                        odr_dhz=data.draw(st.integers(1, 65535)), range_g=data.draw(st.sampled_from(htp.RANGES_G)),
                                        samples=s, gyro=g, gyro_range_dps=gr)))
    host = [0.01 * i for i in range(len(pkts))]
    cols = htp.decode_columns(b"".join(pkts), [len(p) for p in pkts], host)
    assert cols is not None and len(cols) == len(pkts)
    for got, p, h in zip(cols.frames(), pkts, host):
        _same_frame(got, htp.decode_packet(p, h))


def test_decode_columns_refuses_what_it_cannot_decode_exactly() -> None:
    a = bytes(htp.HtpPacket(seq=1, t0_us=0, odr_dhz=1000, range_g=8, samples=np.zeros((4, 3), np.int16)))
    g = bytes(htp.HtpPacket(seq=2, t0_us=0, odr_dhz=1000, range_g=8, samples=np.zeros((2, 3), np.int16),
                            gyro=np.zeros((2, 3), np.int16)))
    assert htp.decode_columns(a + a, [len(a)] * 2, [0.0, 0.1]) is not None
    assert htp.decode_columns(a + g, [len(a), len(g)], [0.0, 0.1]) is None  # format changes
    assert htp.decode_columns(a + a[:-1], [len(a), len(a) - 1], [0.0, 0.1]) is None  # a cut packet
    bad = bytearray(a)
    bad[0] = 9  # unknown version
    assert htp.decode_columns(a + bytes(bad), [len(a)] * 2, [0.0, 0.1]) is None
    assert htp.decode_columns(a, [len(a) + 1], [0.0]) is None  # sizes do not add up
