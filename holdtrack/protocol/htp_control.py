"""HTP v1 control point (``0f170003``) and features (``0f170004``) codecs.

Control point: the client writes a request ``[opcode u8, params...]``; the device answers with an
indication ``[0xF0, opcode u8, status u8, params...]`` (status codes: :class:`~holdtrack.protocol.cp.Status`).
A response with a non-zero status carries no params.

==  ==========  =======================================================  ==================================
op  name        request params                                           response params (status SUCCESS)
==  ==========  =======================================================  ==================================
01  GET_CAPS    --                                                       features TLV (as the features char.)
02  START       u16 odr_dhz, u8 range_g, u8 max_batch (0 = auto),        u16 odr_dhz, u8 range_g [, u8 fmt]
                u16 max_latency_ms [, u8 fmt (default 0x01)]             (the values in force; fmt only
                                                                         when it is not 0x01)
03  STOP        --                                                       --
04  TIME_SYNC   i64 host_unix_us                                         u32 device_t_us at receipt
05  GET_STATUS  --                                                       u8 streaming, u32 fifo_overflow,
                                                                         u16 seq_next
==  ==========  =======================================================  ==================================

Features: TLV entries ``type u8, count u8, values`` (see :class:`Features`).

Client side: the ``*_request`` builders and :meth:`Response.from_bytes`. Device side (fake
peripherals, firmware tests): :meth:`Request.from_bytes` (raises :class:`RequestError` carrying the
status to answer) and the ``*_response`` builders. ``OP_*`` and status constants are module-level
aliases of :class:`Op` / :class:`~holdtrack.protocol.cp.Status`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

from holdtrack.errors import DeviceError, PacketDecodeError
from holdtrack.protocol.cp import RESPONSE_CODE, Status, build_tlv, need, parse_tlv, status_name
from holdtrack.protocol.htp import FMT_ACC, RANGES_G, valid_fmt


class Op(IntEnum):
    """HTP control-point opcodes."""

    GET_CAPS = 0x01
    START = 0x02
    STOP = 0x03
    TIME_SYNC = 0x04
    GET_STATUS = 0x05


_START = struct.Struct("<HBBH")
_START_REPLY = struct.Struct("<HB")
_STATUS_REPLY = struct.Struct("<BIH")
_TIME_SYNC = struct.Struct("<q")
_TIME_REPLY = struct.Struct("<I")
#: request params length by opcode (START also accepts one more byte, the format)
_REQUEST_LEN = {Op.GET_CAPS: 0, Op.START: _START.size, Op.STOP: 0, Op.TIME_SYNC: _TIME_SYNC.size,
                Op.GET_STATUS: 0}


OP_GET_CAPS, OP_START, OP_STOP, OP_TIME_SYNC, OP_GET_STATUS = (Op.GET_CAPS, Op.START, Op.STOP, Op.TIME_SYNC,
                                                              Op.GET_STATUS)
RESPONSE = RESPONSE_CODE
SUCCESS, INVALID_OP_CODE, INVALID_LENGTH = Status.SUCCESS, Status.INVALID_OP_CODE, Status.INVALID_LENGTH
ALREADY_IN_STATE, INVALID_SAMPLE_RATE, INVALID_RANGE = (Status.ALREADY_IN_STATE, Status.INVALID_SAMPLE_RATE,
                                                        Status.INVALID_RANGE)


class RequestError(PacketDecodeError):
    """A control-point request the device must refuse; ``status`` is the code to answer with."""

    def __init__(self, message: str, status: Status, *, offset: int | None = None) -> None:
        super().__init__(message, offset=offset)
        self.status = status


@dataclass(frozen=True)
class StartRequest:
    """START parameters: rate in 0.1 Hz, range ±g, batch size (0 = as many as fit), latency ms, format.

    ``from_bytes`` / ``__bytes__`` handle the whole request, opcode included. ``from_bytes`` checks the
    layout only; :meth:`Request.from_bytes` also checks the values.
    """

    odr_dhz: int = 1000
    range_g: int = 8
    max_batch: int = 0
    max_latency_ms: int = 100
    fmt: int = FMT_ACC

    @classmethod
    def from_bytes(cls, data: bytes) -> "StartRequest":
        n = len(data) - 1
        if not data or data[0] != Op.START or n not in (_START.size, _START.size + 1):
            raise RequestError(f"HTP START request must be {_START.size + 1} or {_START.size + 2} bytes "
                               f"starting 0x02, got {len(data)}", Status.INVALID_LENGTH, offset=len(data))
        odr, rng, batch, latency = _START.unpack_from(data, 1)
        return cls(odr, rng, batch, latency, data[7] if n == _START.size + 1 else FMT_ACC)

    def __bytes__(self) -> bytes:
        tail = b"" if self.fmt == FMT_ACC else bytes((self.fmt,))
        return bytes((Op.START,)) + _START.pack(self.odr_dhz, self.range_g, self.max_batch, self.max_latency_ms) + tail


@dataclass(frozen=True)
class Request:
    """One control-point request. ``start`` is set for START, ``host_unix_us`` for TIME_SYNC."""

    opcode: Op
    start: StartRequest | None = None
    host_unix_us: int | None = None

    @classmethod
    def from_bytes(cls, data: bytes) -> "Request":
        """Parse a request (device side). Raises :class:`RequestError` carrying the status to answer."""
        if not data:
            raise RequestError("empty control-point request", Status.INVALID_LENGTH, offset=0)
        try:
            op = Op(data[0])
        except ValueError:
            raise RequestError(f"unknown HTP opcode 0x{data[0]:02x}", Status.INVALID_OP_CODE, offset=0) from None
        n = len(data) - 1
        want = _REQUEST_LEN[op]
        if n != want and not (op is Op.START and n == want + 1):
            raise RequestError(f"{op.name} takes {want} parameter bytes, got {n}", Status.INVALID_LENGTH,
                               offset=len(data))
        if op is Op.START:
            start = StartRequest.from_bytes(data)
            if start.odr_dhz == 0:
                raise RequestError("START with a sample rate of 0", Status.INVALID_SAMPLE_RATE, offset=1)
            if start.range_g not in RANGES_G:
                raise RequestError(f"START with unknown range code {start.range_g}", Status.INVALID_RANGE, offset=3)
            if not valid_fmt(start.fmt):
                raise RequestError(f"START with unknown format 0x{start.fmt:02x}", Status.INVALID_PARAMETER,
                                   offset=7)
            return cls(op, start=start)
        if op is Op.TIME_SYNC:
            return cls(op, host_unix_us=_TIME_SYNC.unpack_from(data, 1)[0])
        return cls(op)

    def __bytes__(self) -> bytes:
        if self.opcode is Op.START:
            return bytes(self.start or StartRequest())
        if self.opcode is Op.TIME_SYNC:
            return bytes((Op.TIME_SYNC,)) + _TIME_SYNC.pack(int(self.host_unix_us or 0))
        return bytes((self.opcode,))


# -- command builders (client side) -----------------------------------------------------------------


def get_caps_request() -> bytes:
    """``01``: ask for the capability TLV."""
    return bytes(Request(Op.GET_CAPS))


def start_request(rate_hz: float = 100.0, range_g: int = 8, max_batch: int = 0, max_latency_ms: int = 100,
                  fmt: int = FMT_ACC) -> bytes:
    """``02 ...``: start streaming at ``rate_hz`` (Hz, 0.1 Hz steps), ±``range_g`` g (0 = mg counts).

    Raises ``ValueError`` for values that do not fit the request fields.
    """
    odr = int(round(rate_hz * 10))
    if not 1 <= odr <= 0xFFFF or range_g not in RANGES_G or not 0 <= max_batch <= 255 \
            or not 0 <= max_latency_ms <= 0xFFFF:
        raise ValueError(f"cannot encode START rate={rate_hz} Hz range={range_g} g batch={max_batch} "
                         f"latency={max_latency_ms} ms")
    return bytes(StartRequest(odr, range_g, max_batch, max_latency_ms, fmt))


def stop_request() -> bytes:
    """``03``: stop streaming."""
    return bytes(Request(Op.STOP))


def time_sync_request(host_unix_us: int) -> bytes:
    """``04 <i64>``: tell the device the host's Unix time in µs; it answers with its own clock."""
    return bytes(Request(Op.TIME_SYNC, host_unix_us=host_unix_us))


def get_status_request() -> bytes:
    """``05``: ask whether the device streams, its FIFO overflow count and next ``seq``."""
    return bytes(Request(Op.GET_STATUS))


# -- responses ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartResult:
    """Settings actually in force after START."""

    odr_dhz: int
    range_g: int
    fmt: int = FMT_ACC

    @property
    def rate_hz(self) -> float:
        return self.odr_dhz / 10.0


@dataclass(frozen=True)
class DeviceStatus:
    """GET_STATUS answer: streaming flag, samples lost to FIFO overflow, next packet ``seq``."""

    streaming: bool
    fifo_overflow_samples: int
    seq_next: int


@dataclass(frozen=True)
class Response:
    """One control-point response ``F0 op status params``."""

    opcode: int
    status: int = Status.SUCCESS
    params: bytes = b""

    @classmethod
    def from_bytes(cls, data: bytes) -> "Response":
        need(data, 3, "HTP control-point response")
        if data[0] != RESPONSE_CODE:
            raise PacketDecodeError(f"HTP response starts with 0x{data[0]:02x}, not 0xf0", offset=0)
        return cls(data[1], data[2], bytes(data[3:]))

    def __bytes__(self) -> bytes:
        return bytes((RESPONSE_CODE, self.opcode, self.status)) + self.params

    @property
    def ok(self) -> bool:
        return self.status == Status.SUCCESS

    def raise_for_status(self) -> None:
        """Raise :class:`DeviceError` when the device refused the request."""
        if not self.ok:
            try:
                what = Op(self.opcode).name
            except ValueError:
                what = f"opcode 0x{self.opcode:02x}"
            raise DeviceError(f"device refused {what}: {status_name(self.status)}",
                              hint="check the rate/range against the device's features")

    def _params(self, op: Op, st: struct.Struct) -> tuple[int, ...]:
        if self.opcode != op:
            raise PacketDecodeError(f"expected a {op.name} response, got opcode 0x{self.opcode:02x}", offset=1)
        self.raise_for_status()
        need(self.params, st.size, f"{op.name} response", offset=0)
        return st.unpack_from(self.params)

    def start_result(self) -> StartResult:
        """START answer: the settings in force (``fmt`` 0x01 when the device sends only 3 bytes)."""
        odr, rng = self._params(Op.START, _START_REPLY)
        return StartResult(odr, rng, self.params[3] if len(self.params) > 3 else FMT_ACC)

    def start_settings(self) -> tuple[float, int]:
        """START answer as ``(rate_hz, range_g)``."""
        r = self.start_result()
        return r.rate_hz, r.range_g

    def device_status(self) -> DeviceStatus:
        streaming, overflow, seq_next = self._params(Op.GET_STATUS, _STATUS_REPLY)
        return DeviceStatus(bool(streaming), overflow, seq_next)

    def device_time_us(self) -> int:
        """TIME_SYNC answer: the device clock (µs, u32) when the request arrived."""
        return self._params(Op.TIME_SYNC, _TIME_REPLY)[0]

    def features(self) -> "Features":
        self._params(Op.GET_CAPS, struct.Struct(""))
        return Features.from_bytes(self.params)


#: the name the BLE layer uses
ControlResponse = Response


def start_response(odr_dhz: int, range_g: int, fmt: int = FMT_ACC) -> Response:
    """Device side: a successful START answer (``bytes()`` it to send)."""
    tail = b"" if fmt == FMT_ACC else bytes((fmt,))
    return Response(Op.START, Status.SUCCESS, _START_REPLY.pack(odr_dhz, range_g) + tail)


def status_response(status: DeviceStatus) -> Response:
    """Device side: a GET_STATUS answer."""
    params = _STATUS_REPLY.pack(int(status.streaming), status.fifo_overflow_samples, status.seq_next)
    return Response(Op.GET_STATUS, Status.SUCCESS, params)


def time_sync_response(device_t_us: int) -> Response:
    """Device side: a TIME_SYNC answer."""
    return Response(Op.TIME_SYNC, Status.SUCCESS, _TIME_REPLY.pack(device_t_us % (1 << 32)))


def caps_response(features: "Features") -> Response:
    """Device side: a GET_CAPS answer."""
    return Response(Op.GET_CAPS, Status.SUCCESS, bytes(features))


# -- features ----------------------------------------------------------------------------------------


class Feature(IntEnum):
    """Features TLV types."""

    ODR_DHZ = 0x00
    RANGE_G = 0x01
    FMT = 0x02
    VERSION = 0x03
    CLOCK_RES_US = 0x04
    MAX_BATCH = 0x05
    GYRO_RANGE_DPS = 0x06


_FEATURE_SIZES = {Feature.ODR_DHZ: 2, Feature.RANGE_G: 1, Feature.FMT: 1, Feature.VERSION: 1,
                  Feature.CLOCK_RES_US: 2, Feature.MAX_BATCH: 1, Feature.GYRO_RANGE_DPS: 2}


@dataclass(frozen=True)
class Features:
    """What a device supports (features characteristic, or GET_CAPS params).

    Reading stops at a TLV type this version does not know (newer firmware); the entries before it count.

    Attributes
    ----------
    odr_dhz : supported output data rates, 0.1 Hz
    ranges_g : supported ±g range codes
    fmts : supported packet formats (0x01, 0x02)
    version : protocol version
    clock_res_us : resolution of the device clock, µs
    max_batch : most samples the device puts in one packet
    gyro_ranges_dps : supported gyro full scales, ±°/s (empty without gyro)
    """

    odr_dhz: tuple[int, ...] = (1000,)
    ranges_g: tuple[int, ...] = (8,)
    fmts: tuple[int, ...] = (FMT_ACC,)
    version: int = 1
    clock_res_us: int = 1
    max_batch: int = 38
    gyro_ranges_dps: tuple[int, ...] = ()

    @property
    def rates_hz(self) -> tuple[float, ...]:
        return tuple(d / 10.0 for d in self.odr_dhz)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Features":
        t = parse_tlv(bytes(data), _FEATURE_SIZES, "HTP features", stop_at_unknown=True)
        for single in (Feature.VERSION, Feature.CLOCK_RES_US, Feature.MAX_BATCH):
            if len(t.get(single, (0,))) != 1:
                raise PacketDecodeError(f"HTP features: {single.name} must have exactly one value")
        d = cls()
        return cls(
            odr_dhz=t.get(Feature.ODR_DHZ, d.odr_dhz), ranges_g=t.get(Feature.RANGE_G, d.ranges_g),
            fmts=t.get(Feature.FMT, d.fmts), version=t.get(Feature.VERSION, (d.version,))[0],
            clock_res_us=t.get(Feature.CLOCK_RES_US, (d.clock_res_us,))[0],
            max_batch=t.get(Feature.MAX_BATCH, (d.max_batch,))[0],
            gyro_ranges_dps=t.get(Feature.GYRO_RANGE_DPS, ()),
        )

    def __bytes__(self) -> bytes:
        entries = {Feature.ODR_DHZ: self.odr_dhz, Feature.RANGE_G: self.ranges_g, Feature.FMT: self.fmts,
                   Feature.VERSION: (self.version,), Feature.CLOCK_RES_US: (self.clock_res_us,),
                   Feature.MAX_BATCH: (self.max_batch,)}
        if self.gyro_ranges_dps:
            entries[Feature.GYRO_RANGE_DPS] = self.gyro_ranges_dps
        return build_tlv(entries, _FEATURE_SIZES)
