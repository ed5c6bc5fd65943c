"""WitMotion WT901BLE / BWT901BLE5.0 inertial sensor.

GATT: service ``0000ffe5-0000-1000-8000-00805f9a34fb``, notify ``0000ffe4-...``, write ``0000ffe9-...``
(the vendor's own base, ``...9a34fb``; some firmwares are said to swap notify and write).

Data frame, 20 bytes, no checksum, no timestamp::

    55 61  AccX AccY AccZ  GyroX GyroY GyroZ  AngleX AngleY AngleZ   (9 x int16 LE)
    acc = v / 32768 * 16 g,   gyro = v / 32768 * 2000 °/s,   angle = v / 32768 * 180 °

Register replies are ``55 71 <reg> ...`` (20 bytes) and carry no samples. A frame can straddle
notifications, so :class:`WitmotionDecoder` reassembles the byte stream and resyncs on ``55 61`` /
``55 71``; any split of the stream gives the same samples.

Commands (write characteristic): read register ``FF AA 27 <reg> 00``; write register
``FF AA <reg> <lo> <hi>``; unlock ``FF AA 69 88 B5``; save ``FF AA 00 00 00``. The return rate is
register ``0x03`` (see :data:`RATE_CODES`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from numpy.typing import NDArray

from holdtrack.errors import ConfigError, PacketDecodeError
from holdtrack.model import G0, DecodedFrame, RawPacket
from holdtrack.protocol.base import Profile

SERVICE_UUID = "0000ffe5-0000-1000-8000-00805f9a34fb"
NOTIFY_UUID = "0000ffe4-0000-1000-8000-00805f9a34fb"
WRITE_UUID = "0000ffe9-0000-1000-8000-00805f9a34fb"
FRAME_BYTES = 20
SYNC = 0x55
KIND_DATA = 0x61
KIND_REGISTER = 0x71
ACC_FS_G = 16.0
GYRO_FS_DPS = 2000.0
ANGLE_FS_DEG = 180.0
REG_RATE = 0x03
#: return rate (Hz) -> value of register 0x03
RATE_CODES = {1: 0x03, 5: 0x05, 10: 0x06, 50: 0x08, 100: 0x09, 200: 0x0B}
_BODY = struct.Struct("<9h")


@dataclass(frozen=True)
class WitFrame:
    """One ``55 61`` data frame as int16 counts (acc, gyro, angle, each (3,))."""

    acc: tuple[int, int, int]
    gyro: tuple[int, int, int]
    angle: tuple[int, int, int] = (0, 0, 0)

    @classmethod
    def from_bytes(cls, data: bytes) -> "WitFrame":
        if len(data) != FRAME_BYTES:
            raise PacketDecodeError(f"WitMotion frame of {len(data)} bytes, expected 20", offset=len(data))
        if data[0] != SYNC or data[1] != KIND_DATA:
            raise PacketDecodeError(f"not a WitMotion data frame: starts {bytes(data[:2]).hex(' ')}", offset=0)
        v = _BODY.unpack_from(bytes(data), 2)
        return cls(v[0:3], v[3:6], v[6:9])

    def __bytes__(self) -> bytes:
        return bytes((SYNC, KIND_DATA)) + _BODY.pack(*self.acc, *self.gyro, *self.angle)

    @classmethod
    def from_units(cls, acc_g: NDArray[np.float64], gyro_dps: NDArray[np.float64],
                   angle_deg: NDArray[np.float64] | None = None) -> "WitFrame":
        """Quantise one sample (g, °/s, °) to counts, saturating at int16."""
        def q(x: Any, fs: float) -> tuple[int, int, int]:
            return tuple(np.clip(np.rint(np.asarray(x) * 32768.0 / fs), -32768, 32767).astype(int).tolist())  # type: ignore[return-value]
        return cls(q(acc_g, ACC_FS_G), q(gyro_dps, GYRO_FS_DPS), q(angle_deg if angle_deg is not None else (0, 0, 0), ANGLE_FS_DEG))

    @property
    def acc_g(self) -> NDArray[np.float64]:
        return np.array(self.acc, dtype=np.float64) * (ACC_FS_G / 32768.0)

    @property
    def gyro_dps(self) -> NDArray[np.float64]:
        return np.array(self.gyro, dtype=np.float64) * (GYRO_FS_DPS / 32768.0)

    @property
    def angle_deg(self) -> NDArray[np.float64]:
        return np.array(self.angle, dtype=np.float64) * (ANGLE_FS_DEG / 32768.0)


class WitmotionDecoder:
    """Reassembles ``55 61`` frames from notifications of any size; skips junk and register replies.

    One :class:`DecodedFrame` (one sample) per data frame, stamped with the receive time of the packet
    that completed it. ``skipped_bytes`` counts bytes dropped while resyncing. A packet that completes
    no frame and forced bytes to be skipped raises :class:`PacketDecodeError` (counted by
    :class:`~holdtrack.protocol.base.CountingDecoder`); the reassembly state stays valid.
    """

    def __init__(self, data_uuid: str = NOTIFY_UUID) -> None:
        self._data_uuid = data_uuid.lower()
        self._buf = bytearray()
        self.skipped_bytes = 0
        self.register_frames = 0

    def feed(self, packet: RawPacket) -> list[DecodedFrame]:
        if packet.characteristic.lower() != self._data_uuid:
            return []
        self._buf += packet.payload
        out: list[DecodedFrame] = []
        skipped = 0
        buf = self._buf
        i = 0
        while len(buf) - i >= 2 or (len(buf) - i == 1 and buf[i] != SYNC):
            if buf[i] == SYNC and buf[i + 1] in (KIND_DATA, KIND_REGISTER):
                if len(buf) - i < FRAME_BYTES:
                    break
                if buf[i + 1] == KIND_DATA:
                    f = WitFrame.from_bytes(bytes(buf[i:i + FRAME_BYTES]))
                    out.append(DecodedFrame(acc_mps2=(f.acc_g * G0).reshape(1, 3),
                                            gyro_dps=f.gyro_dps.reshape(1, 3), host_time_s=packet.host_time_s))
                else:
                    self.register_frames += 1
                i += FRAME_BYTES
            else:
                i += 1
                skipped += 1
        del buf[:i]
        self.skipped_bytes += skipped
        if skipped and not out:
            raise PacketDecodeError(f"skipped {skipped} bytes without a WitMotion frame header")
        return out


def rate_request(rate_hz: float) -> bytes:
    """Write-register command setting the return rate (register 0x03). Raises :class:`ConfigError`."""
    code = RATE_CODES.get(int(rate_hz)) if float(rate_hz).is_integer() else None
    if code is None:
        raise ConfigError(f"WitMotion return rate must be one of {sorted(RATE_CODES)} Hz, not {rate_hz}")
    return write_register(REG_RATE, code)


def write_register(reg: int, value: int) -> bytes:
    """``FF AA <reg> <lo> <hi>``."""
    return bytes((0xFF, 0xAA, reg & 0xFF)) + struct.pack("<H", value & 0xFFFF)


def read_register(reg: int) -> bytes:
    """``FF AA 27 <reg> 00``: ask the device to send register ``reg`` in a ``55 71`` frame."""
    return bytes((0xFF, 0xAA, 0x27, reg & 0xFF, 0x00))


UNLOCK = bytes.fromhex("FFAA6988B5")
SAVE = bytes.fromhex("FFAA000000")


def _make_decoder(settings: Mapping[str, Any]) -> WitmotionDecoder:
    return WitmotionDecoder()


PROFILE = Profile(
    name="witmotion",
    title="WitMotion WT901BLE / BWT901BLE5.0",
    service_uuid=SERVICE_UUID,
    data_uuid=NOTIFY_UUID,
    make_decoder=_make_decoder,
    name_patterns=(r"^B?WT\d",),
    has_gyro=True,
    default_settings={"rate_hz": 50.0},
    extra_uuids={"write": WRITE_UUID},
)
