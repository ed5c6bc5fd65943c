"""Polar PMD "compressed" (delta) payloads: decode and encode.

Layout (little-endian)::

    reference sample   channels x ceil(resolution/8) bytes, signed, sign-extended from `resolution` bits
    repeat to the end:
        delta_bits u8, count u8,
        ceil(delta_bits*count*channels/8) bytes of deltas, bit-packed LSB-first across the bytes,
        in the order sample0.ch0, sample0.ch1, ..., each sign-extended from delta_bits;
        sample[i] = sample[i-1] + delta

The frame holds ``1 + sum(count)`` samples.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from holdtrack.errors import PacketDecodeError

#: widest delta field accepted (Polar uses up to the sample resolution)
MAX_DELTA_BITS = 32


def _signed(values: NDArray[np.int64], bits: int) -> NDArray[np.int64]:
    half = np.int64(1) << np.int64(bits - 1)
    return (values ^ half) - half


def decode_delta(payload: bytes, channels: int = 3, resolution: int = 16) -> NDArray[np.int64]:
    """Decode a delta payload into (n, channels) integer samples.

    Raises :class:`PacketDecodeError` (with the byte offset) for a cut-short reference or block, or a
    delta width of 0 or above :data:`MAX_DELTA_BITS`.
    """
    width = (resolution + 7) // 8
    ref_len = channels * width
    if len(payload) < ref_len:
        raise PacketDecodeError(f"delta frame of {len(payload)} bytes has no {ref_len}-byte reference sample",
                                offset=len(payload))
    ref = np.array(
        [int.from_bytes(payload[c * width:(c + 1) * width], "little") for c in range(channels)], dtype=np.int64
    )
    rows = [_signed(ref & ((1 << resolution) - 1), resolution).reshape(1, channels)]
    i = ref_len
    while i < len(payload):
        if i + 2 > len(payload):
            raise PacketDecodeError("delta block header cut short", offset=i)
        bits, count = payload[i], payload[i + 1]
        if not 1 <= bits <= MAX_DELTA_BITS:
            raise PacketDecodeError(f"delta width of {bits} bits", offset=i)
        nbits = bits * count * channels
        nbytes = (nbits + 7) // 8
        start = i + 2
        if start + nbytes > len(payload):
            raise PacketDecodeError(f"delta block of {count} samples x {bits} bits runs past the end", offset=i)
        raw = np.frombuffer(payload, dtype=np.uint8, count=nbytes, offset=start)
        flat = np.unpackbits(raw, bitorder="little")[:nbits].reshape(-1, bits).astype(np.int64)
        vals = flat @ (np.int64(1) << np.arange(bits, dtype=np.int64))
        rows.append(_signed(vals, bits).reshape(count, channels))
        i = start + nbytes
    deltas = np.concatenate(rows, axis=0)
    return np.cumsum(deltas, axis=0)


def _bits_needed(d: NDArray[np.int64]) -> int:
    """Smallest signed width holding every value of ``d`` (at least 1)."""
    lo, hi = int(d.min(initial=0)), int(d.max(initial=0))
    bits = 1
    while not (-(1 << (bits - 1)) <= lo and hi <= (1 << (bits - 1)) - 1):
        bits += 1
    return bits


def encode_delta(samples: NDArray[np.integer], resolution: int = 16, block: int = 255) -> bytes:
    """Encode (n, channels) integer samples as a delta payload (inverse of :func:`decode_delta`).

    The first sample is the reference; the rest go in blocks of at most ``block`` samples, each with
    the narrowest delta width that holds its deltas. Raises ``ValueError`` for an empty input or a
    reference that does not fit ``resolution`` bits.
    """
    s = np.asarray(samples, dtype=np.int64)
    if s.ndim != 2 or s.shape[0] == 0:
        raise ValueError(f"need (n >= 1, channels) samples, got shape {s.shape}")
    if not 1 <= block <= 255:
        raise ValueError("block must be 1..255 samples")
    lim = 1 << (resolution - 1)
    if s[0].min() < -lim or s[0].max() >= lim:
        raise ValueError(f"reference sample {s[0].tolist()} does not fit {resolution} bits")
    width = (resolution + 7) // 8
    out = bytearray()
    for v in s[0]:
        out += (int(v) & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
    deltas = np.diff(s, axis=0)
    for k in range(0, deltas.shape[0], block):
        d = deltas[k:k + block]
        bits = _bits_needed(d)
        if bits > MAX_DELTA_BITS:
            raise ValueError(f"deltas need {bits} bits")
        fields = (d.reshape(-1) & ((1 << bits) - 1)).astype(np.uint64)
        bitarr = ((fields[:, None] >> np.arange(bits, dtype=np.uint64)) & 1).astype(np.uint8).reshape(-1)
        out += bytes((bits, d.shape[0])) + np.packbits(bitarr, bitorder="little").tobytes()
    return bytes(out)
