"""BBC micro:bit accelerometer service (standard micro:bit DAL/CODAL Bluetooth profile).

=========  ======================================  ===========  =====================================
attribute  UUID                                    properties   format
=========  ======================================  ===========  =====================================
service    E95D0753-251D-470A-A062-FA1922DFA9A8
data       E95DCA4B-251D-470A-A062-FA1922DFA9A8    read notify  ``<hhh`` x, y, z in milli-g
period     E95DFB24-251D-470A-A062-FA1922DFA9A8    read write   ``<H`` ms between samples
=========  ======================================  ===========  =====================================

One sample per notification, with no timestamp and no sequence number: times come from the host.
The device snaps a written period to a supported one and writes the actual value back, so read it
after writing. **Never write period 0: it crashes the device.** At 20 ms and below, notifications
arrive in bursts.

Pairing: the stock MakeCode/CODAL build asks for encrypted (MITM) links. Either build the hex with
"No Pairing Required" (MakeCode project settings; ``MICROBIT_BLE_OPEN=1``), which works on
Windows/Linux/macOS for micro:bit v2, or pair first (hold A+B, press reset, release reset, release A+B,
then pair from the OS). "Just works" pairing fails on macOS (and for v1 on Windows). See
``firmware_notes/microbit/README.md``.
"""

from __future__ import annotations

import struct
from typing import Any, Mapping

import numpy as np

from holdtrack.errors import ConfigError, PacketDecodeError
from holdtrack.model import G0, DecodedFrame
from holdtrack.protocol.base import FunctionDecoder, Profile

SERVICE_UUID = "e95d0753-251d-470a-a062-fa1922dfa9a8"
DATA_UUID = "e95dca4b-251d-470a-a062-fa1922dfa9a8"
PERIOD_UUID = "e95dfb24-251d-470a-a062-fa1922dfa9a8"
#: periods (ms) the device accepts; others are snapped to the nearest of these
PERIODS_MS = (1, 2, 5, 10, 20, 80, 160, 640)
_SAMPLE = struct.Struct("<hhh")
_PERIOD = struct.Struct("<H")


def decode_sample(data: bytes, host_time_s: float | None = None) -> DecodedFrame:
    """One data notification -> a one-sample frame (raises :class:`PacketDecodeError` unless 6 bytes)."""
    if len(data) != _SAMPLE.size:
        raise PacketDecodeError(f"micro:bit accelerometer value of {len(data)} bytes, expected 6",
                                offset=min(len(data), _SAMPLE.size))
    mg = np.array(_SAMPLE.unpack(bytes(data)), dtype=np.float64).reshape(1, 3)
    return DecodedFrame(acc_mps2=mg * (G0 / 1000.0), host_time_s=host_time_s)


def encode_sample(x_mg: int, y_mg: int, z_mg: int) -> bytes:
    """Inverse of :func:`decode_sample` for one sample in milli-g (device / simulator side)."""
    return _SAMPLE.pack(x_mg, y_mg, z_mg)


def snap_period(period_ms: float) -> int:
    """The supported period closest to ``period_ms`` (what the device writes back)."""
    return min(PERIODS_MS, key=lambda p: (abs(p - period_ms), p))


def period_request(period_ms: int) -> bytes:
    """Bytes to write to the period characteristic. Raises :class:`ConfigError` for 0 or out of range."""
    if not 1 <= int(period_ms) <= 0xFFFF:
        raise ConfigError(f"micro:bit period must be 1..65535 ms (0 crashes the device), not {period_ms}")
    return _PERIOD.pack(int(period_ms))


def period_for_rate(rate_hz: float) -> int:
    """Supported period (ms) closest to a requested sample rate in Hz."""
    if rate_hz <= 0:
        raise ConfigError(f"sample rate must be positive, not {rate_hz}")
    return snap_period(1000.0 / rate_hz)


def parse_period(data: bytes) -> int:
    """Period characteristic value -> ms."""
    if len(data) != _PERIOD.size:
        raise PacketDecodeError(f"micro:bit period value of {len(data)} bytes, expected 2", offset=len(data))
    return int(_PERIOD.unpack(bytes(data))[0])


def _make_decoder(settings: Mapping[str, Any]) -> FunctionDecoder:
    return FunctionDecoder(decode_sample, DATA_UUID)


PROFILE = Profile(
    name="microbit",
    title="BBC micro:bit accelerometer service",
    service_uuid=SERVICE_UUID,
    data_uuid=DATA_UUID,
    make_decoder=_make_decoder,
    name_patterns=(r"^BBC micro:bit",),
    default_settings={"rate_hz": 50.0, "period_ms": 20},
    extra_uuids={"period": PERIOD_UUID},
)
