"""micro:bit and Thingy:52: one sample per notification, configuration bytes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from holdtrack.errors import ConfigError, PacketDecodeError
from holdtrack.model import G0, RawPacket
from holdtrack.protocol import microbit, thingy52

i16 = st.integers(-32768, 32767)


def test_microbit_golden_sample() -> None:
    f = microbit.decode_sample(bytes.fromhex("E803 18FC 0000"), host_time_s=2.0)  # (1000, -1000, 0) mg
    np.testing.assert_allclose(f.acc_mps2, [[G0, -G0, 0.0]])
    assert (f.seq, f.device_time_s, f.gyro_dps, f.host_time_s) == (None, None, None, 2.0)


@given(i16, i16, i16)
def test_microbit_round_trip(x: int, y: int, z: int) -> None:
    f = microbit.decode_sample(microbit.encode_sample(x, y, z))
    np.testing.assert_allclose(f.acc_mps2[0] * 1000 / G0, [x, y, z])


def test_microbit_period_commands() -> None:
    assert microbit.period_request(20) == b"\x14\x00"
    assert microbit.parse_period(b"\x80\x02") == 640
    for bad in (0, -5, 70000):
        with pytest.raises(ConfigError):
            microbit.period_request(bad)
    assert [microbit.snap_period(p) for p in (0.2, 3, 15, 50, 1000)] == [1, 2, 10, 20, 640]
    assert microbit.period_for_rate(50) == 20 and microbit.period_for_rate(100) == 10
    with pytest.raises(ConfigError):
        microbit.period_for_rate(0)
    with pytest.raises(PacketDecodeError):
        microbit.parse_period(b"\x14")


@pytest.mark.parametrize("n", [0, 5, 7, 12])
def test_microbit_wrong_lengths(n: int) -> None:
    dec = microbit.PROFILE.make_decoder({})
    with pytest.raises(PacketDecodeError):
        dec.feed(RawPacket(bytes(n), 0.0, microbit.DATA_UUID))


def test_thingy_golden_raw() -> None:
    # acc (0, 0, 1 g) = 1024 counts in Q6.10; gyro (1 dps, -2 dps, 0) = 32, -64 in Q11.5; compass 16 = 1 µT
    raw = bytes.fromhex("0000 0000 0004 2000 C0FF 0000 1000 0000 0000")
    f = thingy52.decode_raw(raw, 1.5)
    np.testing.assert_allclose(f.acc_mps2, [[0, 0, G0]])
    np.testing.assert_allclose(f.gyro_dps, [[1, -2, 0]])
    s = thingy52.RawSample.from_bytes(raw)
    assert s.compass == (16, 0, 0) and bytes(s) == raw
    assert thingy52.RawSample.from_units(np.array([0, 0, 1.0]), np.array([1, -2, 0])) == thingy52.RawSample(
        (0, 0, 1024), (32, -64, 0))


@given(st.tuples(i16, i16, i16), st.tuples(i16, i16, i16), st.tuples(i16, i16, i16))
def test_thingy_round_trip(a: tuple, g: tuple, c: tuple) -> None:  # type: ignore[type-arg]
    s = thingy52.RawSample(a, g, c)
    assert thingy52.RawSample.from_bytes(bytes(s)) == s


def test_thingy_config() -> None:
    cfg = bytes.fromhex("E803 F401 F401 0A00 01")  # firmware defaults: 1000, 500, 500 ms, 10 Hz, wake on
    assert thingy52.MotionConfig.from_bytes(cfg) == thingy52.MotionConfig()
    cur = bytes(thingy52.MotionConfig(2000, 100, 250, 10, 0))
    new = thingy52.MotionConfig.from_bytes(thingy52.config_request(100, cur))
    assert new == thingy52.MotionConfig(2000, 100, 250, 100, 0)
    for bad in (4, 201):
        with pytest.raises(ConfigError):
            thingy52.config_request(bad)
    with pytest.raises(PacketDecodeError):
        thingy52.MotionConfig.from_bytes(cfg[:-1])


def test_thingy_wrong_length() -> None:
    with pytest.raises(PacketDecodeError):
        thingy52.decode_raw(bytes(17))
