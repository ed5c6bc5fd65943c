"""HTP v1 control point (``0f170003-…``): request/response codecs, pure.

Write request ``[opcode u8, params…]``; indicated response ``[0xF0, opcode u8, status u8, params…]``
(modelled on Polar PMD). Used by the BLE client (requests) and the simulated peripheral (responses).

====  ==========  =================================================  ==========================
op    name        request params                                     response params
====  ==========  =================================================  ==========================
0x02  START       u16 odr_dHz, u8 range_g, u8 max_batch, u16 lat_ms  u16 odr_dHz, u8 range_g
0x03  STOP        –                                                  –
====  ==========  =================================================  ==========================
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from holdtrack.errors import PacketDecodeError

OP_GET_CAPS = 0x01
OP_START = 0x02
OP_STOP = 0x03
OP_TIME_SYNC = 0x04
OP_GET_STATUS = 0x05
RESPONSE = 0xF0

SUCCESS = 0
INVALID_OP_CODE = 1
INVALID_LENGTH = 4
ALREADY_IN_STATE = 6
INVALID_SAMPLE_RATE = 8
INVALID_RANGE = 9

_START = struct.Struct("<BHBBH")
_START_REPLY = struct.Struct("<HB")


@dataclass(frozen=True)
class StartRequest:
    """START: desired rate (0.1 Hz units), range (±g; 0 = mg), batch limit (0 = auto), latency (ms)."""

    odr_dhz: int
    range_g: int
    max_batch: int = 0
    max_latency_ms: int = 100

    @classmethod
    def from_bytes(cls, data: bytes) -> "StartRequest":
        if len(data) != _START.size or data[0] != OP_START:
            raise PacketDecodeError(f"HTP START request must be {_START.size} bytes starting 0x02", offset=0)
        _, odr, rng, batch, lat = _START.unpack(data)
        return cls(odr, rng, batch, lat)

    def __bytes__(self) -> bytes:
        return _START.pack(OP_START, self.odr_dhz, self.range_g, self.max_batch, self.max_latency_ms)


def start_request(rate_hz: float, range_g: int, max_batch: int = 0, max_latency_ms: int = 100) -> bytes:
    """Bytes of a START request for ``rate_hz`` (Hz) and ``range_g`` (±g)."""
    return bytes(StartRequest(int(round(rate_hz * 10)), int(range_g), max_batch, max_latency_ms))


def stop_request() -> bytes:
    """Bytes of a STOP request."""
    return bytes([OP_STOP])


@dataclass(frozen=True)
class ControlResponse:
    """An indicated control-point response; ``params`` are the opcode-specific bytes."""

    opcode: int
    status: int
    params: bytes = b""

    @classmethod
    def from_bytes(cls, data: bytes) -> "ControlResponse":
        if len(data) < 3:
            raise PacketDecodeError(f"HTP control response of {len(data)} bytes is shorter than 3", offset=len(data))
        if data[0] != RESPONSE:
            raise PacketDecodeError(f"HTP control response starts with 0x{data[0]:02x}, not 0xf0", offset=0)
        return cls(data[1], data[2], bytes(data[3:]))

    def __bytes__(self) -> bytes:
        return bytes([RESPONSE, self.opcode, self.status]) + self.params

    @property
    def ok(self) -> bool:
        return self.status == SUCCESS

    def start_settings(self) -> tuple[float, int]:
        """(rate_hz, range_g) the device actually applied, from a START response."""
        if self.opcode != OP_START or len(self.params) != _START_REPLY.size:
            raise PacketDecodeError("not a successful HTP START response", offset=3)
        odr, rng = _START_REPLY.unpack(self.params)
        return odr / 10.0, rng


def start_response(odr_dhz: int, range_g: int) -> ControlResponse:
    """A successful START response carrying the applied settings."""
    return ControlResponse(OP_START, SUCCESS, _START_REPLY.pack(odr_dhz, range_g))
