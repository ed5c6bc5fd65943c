"""Nordic Thingy:52 motion service (raw accelerometer/gyro/compass).

Base UUID ``EF68xxxx-9B35-4933-9B10-52FFA9740042``; motion service ``0x0400``.

* config ``EF680401`` (read/write) ``<HHHHB>``: pedometer interval ms, temperature-compensation
  interval ms, compass interval ms, **motion_freq_hz** (5..200, default 10), wake_on_motion u8.
  Read it, change ``motion_freq_hz``, write it back.
* raw ``EF680406`` (notify): 18 bytes, 9 x int16: accelerometer Q6.10 g (÷1024), gyro Q11.5 °/s (÷32),
  compass Q12.4 µT (÷16). One sample per notification, no timestamp, no sequence number.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from typing import Any, Mapping

import numpy as np
from numpy.typing import NDArray

from holdtrack.errors import ConfigError, PacketDecodeError
from holdtrack.model import G0, DecodedFrame
from holdtrack.protocol.base import FunctionDecoder, Profile

SERVICE_UUID = "ef680400-9b35-4933-9b10-52ffa9740042"
CONFIG_UUID = "ef680401-9b35-4933-9b10-52ffa9740042"
RAW_UUID = "ef680406-9b35-4933-9b10-52ffa9740042"
MOTION_FREQ_MIN_HZ = 5
MOTION_FREQ_MAX_HZ = 200
ACC_LSB_G = 1 / 1024
GYRO_LSB_DPS = 1 / 32
COMPASS_LSB_UT = 1 / 16
_RAW = struct.Struct("<9h")
_CONFIG = struct.Struct("<HHHHB")


@dataclass(frozen=True)
class RawSample:
    """One raw notification as int16 counts: acc, gyro, compass, each (3,)."""

    acc: tuple[int, int, int]
    gyro: tuple[int, int, int]
    compass: tuple[int, int, int] = (0, 0, 0)

    @classmethod
    def from_bytes(cls, data: bytes) -> "RawSample":
        if len(data) != _RAW.size:
            raise PacketDecodeError(f"Thingy:52 raw motion value of {len(data)} bytes, expected 18",
                                    offset=min(len(data), _RAW.size))
        v = _RAW.unpack(bytes(data))
        return cls(v[0:3], v[3:6], v[6:9])

    def __bytes__(self) -> bytes:
        return _RAW.pack(*self.acc, *self.gyro, *self.compass)

    @classmethod
    def from_units(cls, acc_g: NDArray[np.float64], gyro_dps: NDArray[np.float64]) -> "RawSample":
        """Quantise one sample (g, °/s) to counts, saturating at int16."""
        a = np.clip(np.rint(np.asarray(acc_g) / ACC_LSB_G), -32768, 32767).astype(int)
        g = np.clip(np.rint(np.asarray(gyro_dps) / GYRO_LSB_DPS), -32768, 32767).astype(int)
        return cls(tuple(a.tolist()), tuple(g.tolist()))  # type: ignore[arg-type]

    def to_frame(self, host_time_s: float | None = None) -> DecodedFrame:
        acc = np.array(self.acc, dtype=np.float64).reshape(1, 3) * (ACC_LSB_G * G0)
        gyro = np.array(self.gyro, dtype=np.float64).reshape(1, 3) * GYRO_LSB_DPS
        return DecodedFrame(acc_mps2=acc, gyro_dps=gyro, host_time_s=host_time_s)


def decode_raw(data: bytes, host_time_s: float | None = None) -> DecodedFrame:
    """One raw notification -> a one-sample frame with acc and gyro."""
    return RawSample.from_bytes(data).to_frame(host_time_s)


@dataclass(frozen=True)
class MotionConfig:
    """Motion configuration characteristic (defaults = firmware defaults where known)."""

    pedo_interval_ms: int = 1000
    temp_interval_ms: int = 500
    compass_interval_ms: int = 500
    motion_freq_hz: int = 10
    wake_on_motion: int = 1

    @classmethod
    def from_bytes(cls, data: bytes) -> "MotionConfig":
        if len(data) != _CONFIG.size:
            raise PacketDecodeError(f"Thingy:52 motion config of {len(data)} bytes, expected 9", offset=len(data))
        return cls(*_CONFIG.unpack(bytes(data)))

    def __bytes__(self) -> bytes:
        return _CONFIG.pack(self.pedo_interval_ms, self.temp_interval_ms, self.compass_interval_ms,
                            self.motion_freq_hz, self.wake_on_motion)


def config_request(rate_hz: float, current: bytes | MotionConfig | None = None) -> bytes:
    """Config bytes setting ``motion_freq_hz`` to ``rate_hz``, keeping the other fields of ``current``.

    Raises :class:`ConfigError` outside 5..200 Hz.
    """
    hz = int(round(rate_hz))
    if not MOTION_FREQ_MIN_HZ <= hz <= MOTION_FREQ_MAX_HZ:
        raise ConfigError(f"Thingy:52 motion rate must be {MOTION_FREQ_MIN_HZ}..{MOTION_FREQ_MAX_HZ} Hz, not {rate_hz}")
    base = MotionConfig.from_bytes(current) if isinstance(current, (bytes, bytearray)) else current or MotionConfig()
    return bytes(replace(base, motion_freq_hz=hz))


def _make_decoder(settings: Mapping[str, Any]) -> FunctionDecoder:
    return FunctionDecoder(decode_raw, RAW_UUID)


PROFILE = Profile(
    name="thingy52",
    title="Nordic Thingy:52 motion service (raw)",
    service_uuid=SERVICE_UUID,
    data_uuid=RAW_UUID,
    make_decoder=_make_decoder,
    name_patterns=(r"^Thingy",),
    has_gyro=True,
    default_settings={"rate_hz": 50.0},
    extra_uuids={"config": CONFIG_UUID},
)
