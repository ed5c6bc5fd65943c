"""Polar Measurement Data (PMD) profile: Polar H10, Verity Sense, OH1 (accelerometer only).

Control point ``FB005C81`` (write; responses indicated): request ``[op, type, settings TLV...]``;
response ``F0 op type status more params`` (``more`` = 1: further parts follow, their params
appended). Settings TLV: ``setting u8, count u8, values`` with per-setting value sizes.

Data ``FB005C82`` (notify)::

    byte 0     measurement type (& 0x3F; ACC = 2)
    1..8       u64 timestamp, ns since 2000-01-01T00:00:00 (sensor clock) of the LAST sample
    9          frame type: bit 7 = compressed (delta), bits 0-6 = sample type
    10..       samples: raw type 0/1/2 = 3 x int8/int16/int24; compressed = :mod:`pmd_delta`

Units: raw frames are mG; compressed type 0 (0x80) is ``value x FACTOR x 1000`` mG ("Verity special
type"), compressed type 1 (0x81) ``value x FACTOR`` mG. FACTOR (IEEE float bits, setting 5) comes
in the START reply; :class:`PmdDecoder` keeps it. There is no sequence number: loss must be read
from the timestamps. The ATT MTU must be at least 232.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from holdtrack.errors import DeviceError, PacketDecodeError
from holdtrack.model import G0, DecodedFrame, RawPacket
from holdtrack.protocol.base import Profile
from holdtrack.protocol.cp import RESPONSE_CODE, Status, bits_float, build_tlv, float_bits, need, parse_tlv, status_name
from holdtrack.protocol.pmd_delta import decode_delta, encode_delta

SERVICE_UUID = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
CONTROL_UUID = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
DATA_UUID = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"
HR_MEASUREMENT_UUID = "00002a37-0000-1000-8000-00805f9b34fb"
#: Bluetooth SIG company identifier of Polar Electro (manufacturer data key)
POLAR_COMPANY_ID = 0x006B
#: ns between 1970-01-01 and 2000-01-01 (add to PMD time for Unix time)
PMD_EPOCH_OFFSET_NS = 946_684_800_000_000_000
MIN_MTU = 232
FEATURES_CODE = 0x0F
HEADER = struct.Struct("<BQB")
COMPRESSED = 0x80


class MeasurementType(IntEnum):
    ECG = 0
    PPG = 1
    ACC = 2
    PPI = 3
    GYRO = 5
    MAG = 6
    SKIN_TEMP = 7
    SDK_MODE = 9
    LOCATION = 10
    PRESSURE = 11
    TEMPERATURE = 12
    OFFLINE_RECORDING = 13
    OFFLINE_HR = 14


class PmdOp(IntEnum):
    GET_MEASUREMENT_SETTINGS = 1
    REQUEST_MEASUREMENT_START = 2
    STOP_MEASUREMENT = 3
    GET_SDK_MODE_MEASUREMENT_SETTINGS = 4
    GET_MEASUREMENT_STATUS = 5


class Setting(IntEnum):
    SAMPLE_RATE = 0
    RESOLUTION = 1
    RANGE = 2
    RANGE_MILLIUNIT = 3
    CHANNELS = 4
    FACTOR = 5
    SECURITY = 6


SETTING_SIZES = {Setting.SAMPLE_RATE: 2, Setting.RESOLUTION: 2, Setting.RANGE: 2, Setting.RANGE_MILLIUNIT: 4,
                 Setting.CHANNELS: 1, Setting.FACTOR: 4, Setting.SECURITY: 16}

#: ACC settings of the Polar H10 (docs: polar-ble-sdk PolarH10.md)
H10_ACC_SETTINGS = {Setting.SAMPLE_RATE: (25, 50, 100, 200), Setting.RESOLUTION: (16,), Setting.RANGE: (2, 4, 8)}
#: raw ACC frame types -> bytes per value
RAW_WIDTH = {0x00: 1, 0x01: 2, 0x02: 3}


def parse_settings(data: bytes, base_offset: int = 0) -> dict[int, tuple[int, ...]]:
    """Settings TLV -> ``{Setting: values}`` (FACTOR stays raw float bits; see :func:`factor_of`)."""
    return parse_tlv(bytes(data), SETTING_SIZES, "PMD settings", base_offset)


def encode_settings(settings: Mapping[int, Sequence[int]]) -> bytes:
    """``{Setting: values}`` -> settings TLV (inverse of :func:`parse_settings`)."""
    return build_tlv(settings, SETTING_SIZES)


def factor_of(settings: Mapping[int, Sequence[int]]) -> float:
    """The FACTOR setting as a float, 1.0 when absent."""
    vals = settings.get(Setting.FACTOR)
    return bits_float(vals[0]) if vals else 1.0


# -- command builders --------------------------------------------------------------------------------


def _type_byte(mtype: int, offline: bool) -> int:
    return (int(offline) << 7) | (int(mtype) & 0x3F)


def get_settings_request(mtype: int = MeasurementType.ACC) -> bytes:
    """``01 <type>``: ask which settings the device supports for ``mtype``."""
    return bytes((PmdOp.GET_MEASUREMENT_SETTINGS, _type_byte(mtype, False)))


def start_request(mtype: int = MeasurementType.ACC, sample_rate: int = 200, resolution: int = 16,
                  range_g: int | None = 8, channels: int | None = None, offline: bool = False) -> bytes:
    """``02 <type> <TLV...>``: start a stream; each setting sent with count 1 in the SDK's order.

    ``range_g`` / ``channels`` None leave the setting out (H10 ACC needs no CHANNELS; Verity wants 3).
    """
    s: dict[int, Sequence[int]] = {Setting.SAMPLE_RATE: (sample_rate,), Setting.RESOLUTION: (resolution,)}
    if range_g is not None:
        s[Setting.RANGE] = (range_g,)
    if channels is not None:
        s[Setting.CHANNELS] = (channels,)
    return bytes((PmdOp.REQUEST_MEASUREMENT_START, _type_byte(mtype, offline))) + encode_settings(s)


def stop_request(mtype: int = MeasurementType.ACC) -> bytes:
    """``03 <type>``: stop a stream."""
    return bytes((PmdOp.STOP_MEASUREMENT, _type_byte(mtype, False)))


def parse_features(data: bytes) -> frozenset[int]:
    """Control-point read ``0F b1 b2`` -> supported measurement types (bit i of b1 = type i, b2 = 8+i)."""
    need(data, 3, "PMD feature read")
    if data[0] != FEATURES_CODE:
        raise PacketDecodeError(f"PMD feature read starts with 0x{data[0]:02x}, not 0x0f", offset=0)
    mask = data[1] | (data[2] << 8)
    return frozenset(i for i in range(16) if mask >> i & 1)


def features_bytes(types: Sequence[int]) -> bytes:
    """Inverse of :func:`parse_features` (device side)."""
    mask = sum(1 << int(t) for t in set(types))
    return bytes((FEATURES_CODE, mask & 0xFF, mask >> 8 & 0xFF))


#: first byte of a device-initiated control-point push: streams the device stopped on its own
ONLINE_MEASUREMENT_STOPPED = 0x01


def parse_stop_push(data: bytes) -> frozenset[int] | None:
    """``01 <type> ...`` pushed on the control point -> the measurement types that stopped, else None.

    The device sends it when it ends a stream by itself (e.g. the H10 taken off the strap).
    """
    if len(data) < 2 or data[0] != ONLINE_MEASUREMENT_STOPPED:
        return None
    return frozenset(b & 0x3F for b in data[1:])


# -- responses ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PmdResponse:
    """Control-point response ``F0 op type status [more params...]``."""

    opcode: int
    mtype: int
    status: int = Status.SUCCESS
    more: bool = False
    params: bytes = b""

    @classmethod
    def from_bytes(cls, data: bytes) -> "PmdResponse":
        need(data, 4, "PMD control-point response")
        if data[0] != RESPONSE_CODE:
            raise PacketDecodeError(f"PMD response starts with 0x{data[0]:02x}, not 0xf0", offset=0)
        more = len(data) > 4 and data[4] != 0
        return cls(data[1], data[2], data[3], more, bytes(data[5:]))

    def __bytes__(self) -> bytes:
        return bytes((RESPONSE_CODE, self.opcode, self.mtype, self.status, int(self.more))) + self.params

    @property
    def ok(self) -> bool:
        return self.status == Status.SUCCESS

    def raise_for_status(self) -> None:
        """Raise :class:`DeviceError` if the device refused the request."""
        if not self.ok:
            raise DeviceError(f"Polar device refused opcode {self.opcode} for type {self.mtype}: "
                              f"{status_name(self.status)}",
                              hint="MTU must be >= 232" if self.status == Status.INVALID_MTU else None)

    def settings(self) -> dict[int, tuple[int, ...]]:
        """Params as a settings TLV (GET_MEASUREMENT_SETTINGS and START replies)."""
        return parse_settings(self.params, base_offset=5)


class ResponseAssembler:
    """Joins multi-part responses: feed each indication; returns the whole response on the last part."""

    def __init__(self) -> None:
        self._first: PmdResponse | None = None
        self._params = bytearray()

    def feed(self, data: bytes) -> PmdResponse | None:
        part = PmdResponse.from_bytes(data)
        if self._first is not None and (part.opcode, part.mtype) != (self._first.opcode, self._first.mtype):
            self._first, self._params = None, bytearray()  # a new answer: drop the unfinished one
        if self._first is None:
            self._first = part
        self._params += part.params
        if part.more:
            return None
        whole = PmdResponse(self._first.opcode, self._first.mtype, part.status, False, bytes(self._params))
        self._first, self._params = None, bytearray()
        return whole


def settings_response(mtype: int, settings: Mapping[int, Sequence[int]]) -> bytes:
    """Device side: answer GET_MEASUREMENT_SETTINGS."""
    return bytes(PmdResponse(PmdOp.GET_MEASUREMENT_SETTINGS, mtype, Status.SUCCESS, False, encode_settings(settings)))


def start_response(mtype: int = MeasurementType.ACC, factor: float | None = None,
                   status: int = Status.SUCCESS) -> bytes:
    """Device side: answer START (with FACTOR when given, as the Verity Sense does)."""
    params = encode_settings({Setting.FACTOR: (float_bits(factor),)}) if factor is not None else b""
    return bytes(PmdResponse(PmdOp.REQUEST_MEASUREMENT_START, mtype, status, False, params))


# -- data frames -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PmdFrame:
    """One PMD data notification: type, last-sample timestamp (ns since 2000), frame type, payload."""

    mtype: int
    timestamp_ns: int
    frame_type: int
    payload: bytes

    @classmethod
    def from_bytes(cls, data: bytes) -> "PmdFrame":
        if len(data) < HEADER.size:
            raise PacketDecodeError(f"PMD frame of {len(data)} bytes is shorter than its 10-byte header",
                                    offset=len(data))
        mtype, ts, ftype = HEADER.unpack_from(data)
        return cls(mtype & 0x3F, ts, ftype, bytes(data[HEADER.size:]))

    def __bytes__(self) -> bytes:
        return HEADER.pack(self.mtype, self.timestamp_ns, self.frame_type) + self.payload

    def acc_mg(self, factor: float = 1.0, resolution: int = 16) -> NDArray[np.float64]:
        """(n, 3) acceleration in mG (raises :class:`PacketDecodeError` for non-ACC or bad payloads)."""
        if self.mtype != MeasurementType.ACC:
            raise PacketDecodeError(f"PMD frame of measurement type {self.mtype} is not ACC", offset=0)
        ft = self.frame_type
        if ft in RAW_WIDTH:
            w = RAW_WIDTH[ft]
            if not self.payload or len(self.payload) % (3 * w):
                raise PacketDecodeError(f"raw ACC type {ft} payload of {len(self.payload)} bytes is not "
                                        f"a whole number of {3 * w}-byte samples", offset=HEADER.size)
            b = np.frombuffer(self.payload, dtype=np.uint8).reshape(-1, w).astype(np.int64)
            v = (b << (8 * np.arange(w, dtype=np.int64))).sum(axis=1)
            half = 1 << (8 * w - 1)
            return ((v ^ half) - half).reshape(-1, 3).astype(np.float64)
        if ft in (COMPRESSED, COMPRESSED | 1):
            try:
                v = decode_delta(self.payload, 3, resolution).astype(np.float64)
            except PacketDecodeError as exc:
                raise PacketDecodeError(exc.message, offset=None if exc.offset is None else exc.offset + 10) from None
            return v * (factor * 1000.0 if ft == COMPRESSED else factor)
        raise PacketDecodeError(f"unknown PMD ACC frame type 0x{ft:02x}", offset=9)


def acc_frame(acc_mg: NDArray[np.float64], timestamp_ns: int, frame_type: int = 0x01, factor: float = 1.0,
              resolution: int = 16) -> bytes:
    """Encode (n, 3) acceleration in mG as an ACC data notification (simulator / fake device side).

    ``timestamp_ns`` stamps the LAST sample. Values are rounded to the frame's counts
    (mG / factor for 0x81, mG / (factor*1000) for 0x80) and must fit the sample width.
    """
    a = np.asarray(acc_mg, dtype=np.float64)
    if frame_type in RAW_WIDTH:
        w = RAW_WIDTH[frame_type]
        counts = np.rint(a).astype(np.int64).reshape(-1)
        lim = 1 << (8 * w - 1)
        if counts.size == 0 or counts.min() < -lim or counts.max() >= lim:
            raise ValueError(f"samples do not fit raw type {frame_type}")
        payload = b"".join((int(c) & ((1 << 8 * w) - 1)).to_bytes(w, "little") for c in counts)
    elif frame_type in (COMPRESSED, COMPRESSED | 1):
        scale = factor * 1000.0 if frame_type == COMPRESSED else factor
        payload = encode_delta(np.rint(a / scale).astype(np.int64), resolution)
    else:
        raise ValueError(f"unknown ACC frame type 0x{frame_type:02x}")
    return bytes(PmdFrame(MeasurementType.ACC, timestamp_ns, frame_type, payload))


# -- stream decoder ----------------------------------------------------------------------------------


@dataclass
class PmdDecoder:
    """Stateful PMD decoder: keeps FACTOR (settings, then START replies on the control point).

    ``settings``: ``rate_hz`` (nominal sample rate), ``factor`` (default 1.0), ``resolution`` (16).
    Frames of other measurement types (HR, PPG, gyro) give no samples.
    """

    rate_hz: float | None = None
    factor: float = 1.0
    resolution: int = 16
    _cp: ResponseAssembler = field(default_factory=ResponseAssembler)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "PmdDecoder":
        rate = settings.get("rate_hz")
        return cls(None if rate is None else float(rate), float(settings.get("factor", 1.0)),
                   int(settings.get("resolution", 16)))

    def feed(self, packet: RawPacket) -> list[DecodedFrame]:
        char = packet.characteristic.lower()
        if char == CONTROL_UUID:
            if packet.payload[:1] == bytes((RESPONSE_CODE,)):
                resp = self._cp.feed(packet.payload)
                if resp is not None and resp.ok and resp.opcode == PmdOp.REQUEST_MEASUREMENT_START \
                        and resp.mtype & 0x3F == MeasurementType.ACC:
                    self.factor = factor_of(resp.settings()) if resp.params else self.factor
            return []
        if char != DATA_UUID:
            return []
        frame = PmdFrame.from_bytes(packet.payload)
        if frame.mtype != MeasurementType.ACC:
            return []
        mg = frame.acc_mg(self.factor, self.resolution)
        return [DecodedFrame(
            acc_mps2=mg * (G0 / 1000.0),
            host_time_s=packet.host_time_s,
            device_time_s=frame.timestamp_ns * 1e-9,
            device_time_index=mg.shape[0] - 1,
            rate_hz=self.rate_hz,
        )]


PROFILE = Profile(
    name="polar-pmd",
    title="Polar PMD accelerometer (H10, Verity Sense, OH1)",
    service_uuid=SERVICE_UUID,
    data_uuid=DATA_UUID,
    make_decoder=PmdDecoder.from_settings,
    name_patterns=(r"^Polar H10\b", r"^Polar Sense\b", r"^Polar OH1\b", r"^Polar Verity"),
    has_gyro=False,
    default_settings={"rate_hz": 200.0, "range_g": 8, "resolution": 16, "factor": 1.0},
    extra_uuids={"control": CONTROL_UUID, "heart_rate": HR_MEASUREMENT_UUID},
)
