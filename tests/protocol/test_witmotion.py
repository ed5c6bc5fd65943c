"""WitMotion: frame codec, reassembly across notifications, resync, chunk invariance, commands."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from holdtrack.errors import ConfigError, PacketDecodeError
from holdtrack.model import G0, RawPacket
from holdtrack.protocol import witmotion as wm
from holdtrack.protocol.base import CountingDecoder

# acc (0, 0, 1 g) = 2048 counts; gyro (0, 0, 2000 dps) saturates to 32767; angle (90, 0, 0) = 16384
GOLDEN = bytes.fromhex("5561 0000 0000 0008 0000 0000 FF7F 0040 0000 0000")
REGISTER = bytes.fromhex("5571 3A00") + bytes(16)


def frames_of(chunks: list[bytes]) -> tuple[list[list[float]], int]:
    dec = CountingDecoder(wm.WitmotionDecoder())
    out = []
    for i, c in enumerate(chunks):
        out += dec.feed(RawPacket(c, float(i), wm.NOTIFY_UUID))
    return [f.acc_mps2[0].tolist() + f.gyro_dps[0].tolist() for f in out], dec.bad_packets


def test_golden_frame() -> None:
    f = wm.WitFrame.from_bytes(GOLDEN)
    np.testing.assert_allclose(f.acc_g, [0, 0, 1.0])
    np.testing.assert_allclose(f.gyro_dps, [0, 0, 32767 * 2000 / 32768])
    np.testing.assert_allclose(f.angle_deg, [90, 0, 0])
    assert bytes(f) == GOLDEN
    assert wm.WitFrame.from_units(np.array([0, 0, 1.0]), np.array([0, 0, 2000.0]), np.array([90, 0, 0])) == f


def test_frame_straddling_notifications() -> None:
    got, bad = frames_of([GOLDEN[:7], GOLDEN[7:] + GOLDEN[:1], GOLDEN[1:]])
    assert len(got) == 2 and bad == 0
    assert got[0][2] == pytest.approx(G0)


def test_resync_skips_junk_and_register_frames() -> None:
    dec = wm.WitmotionDecoder()
    out = dec.feed(RawPacket(b"\x00\x55\x12" + REGISTER + GOLDEN, 0.0, wm.NOTIFY_UUID))
    assert len(out) == 1 and dec.skipped_bytes == 3 and dec.register_frames == 1


def test_junk_only_packet_is_a_decode_error_and_stream_goes_on() -> None:
    got, bad = frames_of([b"\x01\x02\x03", GOLDEN])
    assert len(got) == 1 and bad == 1


frame_st = st.builds(wm.WitFrame, *(st.tuples(*[st.integers(-32768, 32767)] * 3) for _ in range(3)))


@given(st.lists(st.one_of(frame_st.map(bytes), st.just(REGISTER), st.binary(max_size=25)), max_size=12),
       st.lists(st.integers(0, 400), max_size=10))
def test_any_split_gives_the_same_frames(parts: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(parts)
    whole, _ = frames_of([stream])
    bounds = sorted({min(c, len(stream)) for c in cuts} | {0, len(stream)})
    split, _ = frames_of([stream[a:b] for a, b in zip(bounds, bounds[1:])])
    assert split == whole
    byte_by_byte, _ = frames_of([stream[i:i + 1] for i in range(len(stream))])
    assert byte_by_byte == whole


@given(st.lists(frame_st, min_size=1, max_size=8))
def test_clean_stream_round_trip(frames: list[wm.WitFrame]) -> None:
    got, bad = frames_of([b"".join(bytes(f) for f in frames)])
    assert bad == 0 and len(got) == len(frames)
    np.testing.assert_allclose([g[:3] for g in got], [f.acc_g * G0 for f in frames])


def test_commands() -> None:
    assert wm.rate_request(100) == bytes.fromhex("FF AA 03 09 00")
    assert wm.rate_request(10) == bytes.fromhex("FF AA 03 06 00")
    assert wm.read_register(0x3A) == bytes.fromhex("FF AA 27 3A 00")
    assert wm.write_register(0x03, 0x0B) == bytes.fromhex("FF AA 03 0B 00")
    assert wm.UNLOCK == bytes.fromhex("FF AA 69 88 B5") and wm.SAVE == bytes.fromhex("FF AA 00 00 00")
    for bad in (0, 20, 99.5):
        with pytest.raises(ConfigError):
            wm.rate_request(bad)


def test_frame_codec_rejects_wrong_bytes() -> None:
    with pytest.raises(PacketDecodeError):
        wm.WitFrame.from_bytes(GOLDEN[:19])
    with pytest.raises(PacketDecodeError):
        wm.WitFrame.from_bytes(REGISTER)
