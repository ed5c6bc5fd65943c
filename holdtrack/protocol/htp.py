"""holdtrack's own GATT profile (HTP), version 1: data packet codec.

The normative description is ``firmware_notes/profile.md``; this module follows it. Data packet,
little-endian::

    off size field     meaning
    0   u8   ver       protocol version (1)
    1   u8   fmt       sample format: 0x01 = acceleration xyz int16;
                       0x02 = acceleration + angular rate, high nibble = gyro range code
    2   u16  seq       packet counter, +1 per notification, wraps at 65536
    4   u32  t0_us     device clock of the FIRST sample, µs, wraps at 2**32
    8   u16  odr_dhz   nominal output data rate, 0.1 Hz units
    10  u8   range_g   full scale ±g; 1 LSB = range_g/32768 g; 0 means 1 LSB = 1 mg
    11  u8   n         number of samples that follow
    12  6*n  samples   fmt 0x01: n x (int16 ax, ay, az)
        12*n           fmt 0x02: n x (int16 ax, ay, az, gx, gy, gz); 1 gyro LSB = range_dps/32768 °/s

Gyro range codes (high nibble of ``fmt`` when the low nibble is 2): 0 = ±2000 °/s, 1 = ±125,
2 = ±250, 3 = ±500, 4 = ±1000; so ``0x02`` is acc + gyro at ±2000 °/s and ``0x32`` at ±500 °/s.
The control point and features codecs are in :mod:`holdtrack.protocol.htp_control`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from holdtrack.errors import PacketDecodeError
from holdtrack.model import G0, DecodedFrame, FrameColumns
from holdtrack.protocol.base import FunctionDecoder, Profile

SERVICE_UUID = "0f170001-34bd-42fe-a79a-2bbaadc70ace"
DATA_UUID = "0f170002-34bd-42fe-a79a-2bbaadc70ace"
CONTROL_UUID = "0f170003-34bd-42fe-a79a-2bbaadc70ace"
FEATURES_UUID = "0f170004-34bd-42fe-a79a-2bbaadc70ace"

VERSION = 1
FMT_ACC = 0x01
FMT_ACC_GYRO = 0x02
HEADER = struct.Struct("<BBHIHBB")
SAMPLE_BYTES = 6
#: bytes per sample for each format (low nibble of ``fmt``)
FMT_SAMPLE_BYTES = {FMT_ACC: 6, FMT_ACC_GYRO: 12}
#: gyro full scale ±°/s by range code (high nibble of ``fmt`` for fmt 0x02)
GYRO_RANGES_DPS = (2000, 125, 250, 500, 1000)
MAX_SAMPLES = 255
SEQ_MODULUS = 1 << 16
T0_WRAP_S = (1 << 32) * 1e-6
RANGES_G = (0, 2, 4, 8, 16)


def lsb_g(range_g: int) -> float:
    """Size of one count in g for a range code (0 means milli-g)."""
    return 1e-3 if range_g == 0 else range_g / 32768.0


def valid_fmt(fmt: int) -> bool:
    """Whether ``fmt`` is a format byte of HTP v1 (0x01, or 0x02 with a known gyro range code)."""
    kind, code = fmt & 0x0F, fmt >> 4
    return (kind == FMT_ACC and code == 0) or (kind == FMT_ACC_GYRO and code < len(GYRO_RANGES_DPS))


def gyro_code(range_dps: int) -> int:
    """Range code (0..4) of a gyro full scale in ±°/s (raises ``ValueError`` if unsupported)."""
    if range_dps not in GYRO_RANGES_DPS:
        raise ValueError(f"unsupported HTP gyro range ±{range_dps} dps; use one of {sorted(GYRO_RANGES_DPS)}")
    return GYRO_RANGES_DPS.index(range_dps)


def max_samples(mtu: int, fmt: int = FMT_ACC) -> int:
    """Samples that fit one notification at ATT MTU ``mtu`` (payload ``mtu - 3``), capped at 255."""
    return max(0, min(MAX_SAMPLES, (mtu - 3 - HEADER.size) // FMT_SAMPLE_BYTES[fmt]))


@dataclass(frozen=True, eq=False)
class HtpPacket:
    """One HTP v1 data packet.

    ``samples`` is (n, 3) int16 acceleration counts; ``gyro`` is (n, 3) int16 angular-rate counts or
    None. ``fmt`` is the low nibble of the format byte; a packet with ``gyro`` is written as fmt 0x02
    with ``gyro_range_dps`` in the high nibble.
    """

    seq: int
    t0_us: int
    odr_dhz: int
    range_g: int
    samples: NDArray[np.int16]
    fmt: int = FMT_ACC
    version: int = VERSION
    gyro: NDArray[np.int16] | None = None
    gyro_range_dps: int = 2000

    @classmethod
    def from_bytes(cls, data: bytes) -> "HtpPacket":
        if len(data) < HEADER.size:
            raise PacketDecodeError(f"HTP packet of {len(data)} bytes is shorter than its 12-byte header", offset=len(data))
        ver, fmt, seq, t0, odr, rng, n = HEADER.unpack_from(data)
        if ver != VERSION:
            raise PacketDecodeError(f"unknown HTP protocol version {ver}", offset=0)
        if not valid_fmt(fmt):
            raise PacketDecodeError(f"unknown HTP sample format 0x{fmt:02x}", offset=1)
        kind, code = fmt & 0x0F, fmt >> 4
        if odr == 0:
            raise PacketDecodeError("HTP packet declares a sample rate of 0", offset=8)
        if rng not in RANGES_G:
            raise PacketDecodeError(f"unknown HTP range code {rng}", offset=10)
        expected = HEADER.size + FMT_SAMPLE_BYTES[kind] * n
        if n == 0 or len(data) != expected:
            raise PacketDecodeError(
                f"HTP packet declares {n} samples ({expected} bytes) but has {len(data)} bytes", offset=11
            )
        if kind == FMT_ACC:
            samples = np.frombuffer(data, dtype="<i2", count=3 * n, offset=HEADER.size).reshape(n, 3)
            return cls(seq, t0, odr, rng, samples, kind, ver)
        both = np.frombuffer(data, dtype="<i2", count=6 * n, offset=HEADER.size).reshape(n, 6)
        return cls(seq, t0, odr, rng, both[:, :3], kind, ver, both[:, 3:], GYRO_RANGES_DPS[code])

    def __bytes__(self) -> bytes:
        s = np.asarray(self.samples)
        n = s.shape[0]
        if not 1 <= n <= MAX_SAMPLES:
            raise ValueError(f"an HTP packet holds 1..{MAX_SAMPLES} samples, not {n}")
        if self.gyro is None:
            fmt, body = self.fmt, s
        else:
            g = np.asarray(self.gyro)
            if g.shape != s.shape:
                raise ValueError(f"gyro shape {g.shape} differs from samples {s.shape}")
            fmt, body = FMT_ACC_GYRO | (gyro_code(self.gyro_range_dps) << 4), np.hstack([s, g])
        head = HEADER.pack(self.version, fmt, self.seq % SEQ_MODULUS, self.t0_us % (1 << 32),
                           self.odr_dhz, self.range_g, n)
        return head + np.ascontiguousarray(body, dtype="<i2").tobytes()

    def to_frame(self, host_time_s: float | None = None) -> DecodedFrame:
        acc = self.samples.astype(np.float64) * (lsb_g(self.range_g) * G0)
        gyro = None if self.gyro is None else self.gyro.astype(np.float64) * (self.gyro_range_dps / 32768.0)
        return DecodedFrame(
            acc_mps2=acc,
            gyro_dps=gyro,
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


def counts_from_dps(gyro_dps: NDArray[np.float64], range_dps: int) -> NDArray[np.int16]:
    """Quantise angular rate (°/s) to int16 counts at ±``range_dps``, saturating."""
    counts = np.rint(np.asarray(gyro_dps) * (32768.0 / range_dps))
    return np.clip(counts, -32768, 32767).astype(np.int16)


def decode_packet(data: bytes, host_time_s: float | None = None) -> DecodedFrame:
    """Decode one HTP data notification into a frame (raises :class:`PacketDecodeError`)."""
    data = bytes(data)
    if len(data) > HEADER.size:  # the lean path for a valid packet (the live hot path)
        ver, fmt, seq, t0, odr, rng, n = HEADER.unpack_from(data)
        kind = fmt & 0x0F
        if (ver == VERSION and valid_fmt(fmt) and odr and rng in RANGES_G and n
                and len(data) == HEADER.size + FMT_SAMPLE_BYTES[kind] * n):
            w = FMT_SAMPLE_BYTES[kind] // 2
            counts = np.frombuffer(data, dtype="<i2", count=w * n, offset=HEADER.size).reshape(n, w)
            return DecodedFrame(
                acc_mps2=counts[:, :3].astype(np.float64) * (lsb_g(rng) * G0),
                gyro_dps=counts[:, 3:].astype(np.float64) * (GYRO_RANGES_DPS[fmt >> 4] / 32768.0) if w == 6 else None,
                host_time_s=host_time_s, seq=seq, seq_modulus=SEQ_MODULUS, device_time_s=t0 * 1e-6,
                device_time_index=0, device_time_wrap_s=T0_WRAP_S, rate_hz=odr / 10.0)
    return HtpPacket.from_bytes(data).to_frame(host_time_s)  # raises, saying why and where


#: m/s² per count by range code: the same float as each packet's scalar ``lsb_g(range_g) * G0``
_SCALE_MPS2 = np.array([lsb_g(r) * G0 if r in RANGES_G else np.nan for r in range(256)])
_HEADER_DTYPE = np.dtype([("ver", "u1"), ("fmt", "u1"), ("seq", "<u2"), ("t0", "<u4"), ("odr", "<u2"),
                          ("rng", "u1"), ("n", "u1")])


def decode_columns(data: bytes, sizes: Sequence[int], host_times_s: Sequence[float] | None) -> FrameColumns | None:
    """Decode many data packets at once (the offline fast path): ``data`` is the packets end to end,
    ``sizes`` their lengths.

    Returns exactly what :func:`decode_packet` gives for each, as columns, or None when any packet is not
    valid or the format byte changes within the batch (the caller then decodes one by one and reports errors).
    """
    m = len(sizes)
    if m == 0 or len(data) != sum(sizes):
        return None
    host = None if host_times_s is None else np.asarray(host_times_s, dtype=np.float64)
    # runs of equal packet size, decoded each as one (m_i, size) array
    sz = np.asarray(sizes, dtype=np.int64)
    cuts = [0, *(np.flatnonzero(sz[1:] != sz[:-1]) + 1).tolist(), m]
    parts = []
    offset = 0
    for a, b in zip(cuts[:-1], cuts[1:]):
        end = offset + (b - a) * sizes[a]
        part = _decode_uniform(data[offset:end], b - a, sizes[a])
        if part is None or (parts and part[0] != parts[0][0]):
            return None
        parts.append(part)
        offset = end
    fmt = parts[0][0]
    cat = (lambda i: parts[0][i]) if len(parts) == 1 else (lambda i: np.concatenate([p[i] for p in parts]))
    return FrameColumns(
        sizes=cat(1), acc_mps2=cat(2), gyro_dps=None if fmt & 0x0F == FMT_ACC else cat(3), host_time_s=host,
        seq=cat(4), seq_modulus=SEQ_MODULUS, device_time_s=cat(5), device_time_index=0,
        device_time_wrap_s=T0_WRAP_S, rate_hz=cat(6))


def _decode_uniform(data: bytes, m: int, size: int) -> tuple[Any, ...] | None:
    """``(fmt, sizes, acc, gyro, seq, t0_s, rate_hz)`` of ``m`` valid packets of ``size`` bytes, or None."""
    if size <= HEADER.size:
        return None
    raw = np.frombuffer(data, dtype=np.uint8).reshape(m, size)
    head = raw[:, : HEADER.size].copy().view(_HEADER_DTYPE).reshape(m)
    fmt = int(head["fmt"][0])
    if not valid_fmt(fmt):
        return None
    width = FMT_SAMPLE_BYTES[fmt & 0x0F]
    n = (size - HEADER.size) // width
    scale = _SCALE_MPS2[head["rng"]]  # nan for a range code outside RANGES_G
    if ((size - HEADER.size) % width or not (head["ver"] == VERSION).all() or not (head["fmt"] == fmt).all()
            or not (head["n"] == n).all() or not (head["odr"] > 0).all() or not np.isfinite(scale).all()):
        return None
    counts = raw[:, HEADER.size:].copy().view("<i2").reshape(m * n, width // 2)
    acc = counts[:, :3].astype(np.float64) * np.repeat(scale, n)[:, None]
    gyro = None
    if fmt & 0x0F == FMT_ACC_GYRO:
        gyro = counts[:, 3:].astype(np.float64) * (GYRO_RANGES_DPS[fmt >> 4] / 32768.0)
    return (fmt, np.full(m, n, dtype=np.int64), acc, gyro, head["seq"].astype(np.int64),
            head["t0"].astype(np.float64) * 1e-6, head["odr"].astype(np.float64) / 10.0)


def decode_packets(payloads: Sequence[bytes], host_times_s: Sequence[float]) -> list[DecodedFrame] | None:
    """:func:`decode_columns` of separate payloads, as frames (None when not uniform / not all valid)."""
    cols = decode_columns(b"".join(payloads), [len(p) for p in payloads], host_times_s)
    return None if cols is None else cols.frames()


def _make_decoder(settings: Mapping[str, Any]) -> FunctionDecoder:
    return FunctionDecoder(decode_packet, DATA_UUID, decode_many=decode_packets, decode_columns=decode_columns)


PROFILE = Profile(
    name="holdtrack",
    title="holdtrack GATT profile v1 (ESP32 / nRF52840 reference firmware, simulate-device)",
    service_uuid=SERVICE_UUID,
    data_uuid=DATA_UUID,
    make_decoder=_make_decoder,
    name_patterns=(r"^HoldTrack", r"^holdtrack"),
    has_gyro=True,
    default_settings={"rate_hz": 100.0, "range_g": 8},
    extra_uuids={"control": CONTROL_UUID, "features": FEATURES_UUID},
)
