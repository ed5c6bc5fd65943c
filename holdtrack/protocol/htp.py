"""holdtrack's own GATT profile (HTP), version 1: data packet codec.

The normative description is ``firmware_notes/profile.md``; this module follows it. Data packet,
little-endian::

    off size field     meaning
    0   u8   ver       protocol version (1)
    1   u8   fmt       sample format: 0x01 = acceleration xyz int16
    2   u16  seq       packet counter, +1 per notification, wraps at 65536
    4   u32  t0_us     device clock of the FIRST sample, µs, wraps at 2**32
    8   u16  odr_dhz   nominal output data rate, 0.1 Hz units
    10  u8   range_g   full scale ±g; 1 LSB = range_g/32768 g; 0 means 1 LSB = 1 mg
    11  u8   n         number of samples that follow
    12  6*n  samples   n x (int16 x, int16 y, int16 z)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from numpy.typing import NDArray

from holdtrack.errors import PacketDecodeError
from holdtrack.model import G0, DecodedFrame
from holdtrack.protocol.base import FunctionDecoder, Profile

SERVICE_UUID = "0f170001-34bd-42fe-a79a-2bbaadc70ace"
DATA_UUID = "0f170002-34bd-42fe-a79a-2bbaadc70ace"
CONTROL_UUID = "0f170003-34bd-42fe-a79a-2bbaadc70ace"
FEATURES_UUID = "0f170004-34bd-42fe-a79a-2bbaadc70ace"

VERSION = 1
FMT_ACC = 0x01
HEADER = struct.Struct("<BBHIHBB")
SAMPLE_BYTES = 6
MAX_SAMPLES = 255
SEQ_MODULUS = 1 << 16
T0_WRAP_S = (1 << 32) * 1e-6
RANGES_G = (0, 2, 4, 8, 16)


def lsb_g(range_g: int) -> float:
    """Size of one count in g for a range code (0 means milli-g)."""
    return 1e-3 if range_g == 0 else range_g / 32768.0


@dataclass(frozen=True, eq=False)
class HtpPacket:
    """One HTP v1 data packet. ``samples`` is (n, 3) int16 counts."""

    seq: int
    t0_us: int
    odr_dhz: int
    range_g: int
    samples: NDArray[np.int16]
    fmt: int = FMT_ACC
    version: int = VERSION

    @classmethod
    def from_bytes(cls, data: bytes) -> "HtpPacket":
        if len(data) < HEADER.size:
            raise PacketDecodeError(f"HTP packet of {len(data)} bytes is shorter than its 12-byte header", offset=len(data))
        ver, fmt, seq, t0, odr, rng, n = HEADER.unpack_from(data)
        if ver != VERSION:
            raise PacketDecodeError(f"unknown HTP protocol version {ver}", offset=0)
        if fmt != FMT_ACC:
            raise PacketDecodeError(f"unknown HTP sample format 0x{fmt:02x}", offset=1)
        if odr == 0:
            raise PacketDecodeError("HTP packet declares a sample rate of 0", offset=8)
        if rng not in RANGES_G:
            raise PacketDecodeError(f"unknown HTP range code {rng}", offset=10)
        expected = HEADER.size + SAMPLE_BYTES * n
        if n == 0 or len(data) != expected:
            raise PacketDecodeError(
                f"HTP packet declares {n} samples ({expected} bytes) but has {len(data)} bytes", offset=11
            )
        samples = np.frombuffer(data, dtype="<i2", count=3 * n, offset=HEADER.size).reshape(n, 3)
        return cls(seq, t0, odr, rng, samples, fmt, ver)

    def __bytes__(self) -> bytes:
        s = np.asarray(self.samples)
        n = s.shape[0]
        if not 1 <= n <= MAX_SAMPLES:
            raise ValueError(f"an HTP packet holds 1..{MAX_SAMPLES} samples, not {n}")
        head = HEADER.pack(self.version, self.fmt, self.seq % SEQ_MODULUS, self.t0_us % (1 << 32),
                           self.odr_dhz, self.range_g, n)
        return head + np.ascontiguousarray(s, dtype="<i2").tobytes()

    def to_frame(self, host_time_s: float | None = None) -> DecodedFrame:
        acc = self.samples.astype(np.float64) * (lsb_g(self.range_g) * G0)
        return DecodedFrame(
            acc_mps2=acc,
            host_time_s=host_time_s,
            seq=self.seq,
            seq_modulus=SEQ_MODULUS,
            device_time_s=self.t0_us * 1e-6,
            device_time_index=0,
            device_time_wrap_s=T0_WRAP_S,
            rate_hz=self.odr_dhz / 10.0,
        )


def counts_from_mps2(acc_mps2: NDArray[np.float64], range_g: int) -> NDArray[np.int16]:
    """Quantise acceleration (m/s²) to int16 counts, saturating at the range like a real sensor."""
    counts = np.rint(np.asarray(acc_mps2) / G0 / lsb_g(range_g))
    return np.clip(counts, -32768, 32767).astype(np.int16)


def decode_packet(data: bytes, host_time_s: float | None = None) -> DecodedFrame:
    """Decode one HTP data notification into a frame (raises :class:`PacketDecodeError`)."""
    return HtpPacket.from_bytes(bytes(data)).to_frame(host_time_s)


def _make_decoder(settings: Mapping[str, Any]) -> FunctionDecoder:
    return FunctionDecoder(decode_packet, DATA_UUID)


PROFILE = Profile(
    name="holdtrack",
    title="holdtrack GATT profile v1 (ESP32 / nRF52840 reference firmware, simulate-device)",
    service_uuid=SERVICE_UUID,
    data_uuid=DATA_UUID,
    make_decoder=_make_decoder,
    name_patterns=(r"^HoldTrack", r"^holdtrack"),
    default_settings={"rate_hz": 100.0, "range_g": 8},
    extra_uuids={"control": CONTROL_UUID, "features": FEATURES_UUID},
)
