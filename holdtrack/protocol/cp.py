"""Control-point building blocks shared by Polar PMD and HTP: status codes, TLV lists, byte readers.

Both protocols use the Polar layout for settings and capability lists: a sequence of
``type u8, count u8, count x value`` entries where the size of one value depends on the type, and
both answer requests with ``0xF0, opcode, ..., status`` using Polar's status numbering.
"""

from __future__ import annotations

import struct
from enum import IntEnum
from typing import Mapping, Sequence

from holdtrack.errors import PacketDecodeError

#: First byte of every control-point response (Polar PMD and HTP).
RESPONSE_CODE = 0xF0


class Status(IntEnum):
    """Control-point response status (Polar PMD numbering, reused by HTP)."""

    SUCCESS = 0
    INVALID_OP_CODE = 1
    INVALID_MEASUREMENT_TYPE = 2
    NOT_SUPPORTED = 3
    INVALID_LENGTH = 4
    INVALID_PARAMETER = 5
    ALREADY_IN_STATE = 6
    INVALID_RESOLUTION = 7
    INVALID_SAMPLE_RATE = 8
    INVALID_RANGE = 9
    INVALID_MTU = 10
    INVALID_NUMBER_OF_CHANNELS = 11
    INVALID_STATE = 12
    DEVICE_IN_CHARGER = 13
    DISK_FULL = 14


def status_name(code: int) -> str:
    """``"INVALID_RANGE"`` for 9; ``"status 99"`` for codes outside the table."""
    try:
        return Status(code).name
    except ValueError:
        return f"status {code}"


def need(data: bytes, size: int, what: str, offset: int = 0) -> None:
    """Raise :class:`PacketDecodeError` unless ``data`` has ``size`` bytes from ``offset``."""
    if len(data) < offset + size:
        raise PacketDecodeError(
            f"{what} needs {offset + size} bytes, got {len(data)}", offset=len(data)
        )


def parse_tlv(
    data: bytes, sizes: Mapping[int, int], what: str = "TLV", base_offset: int = 0, stop_at_unknown: bool = False
) -> dict[int, tuple[int, ...]]:
    """Decode ``type u8, count u8, count x value`` entries (values unsigned little-endian).

    Parameters
    ----------
    data : the TLV bytes
    sizes : type -> size of one value in bytes; an unknown type cannot be skipped
    what : name used in error messages
    base_offset : offset of ``data`` inside the enclosing packet (for error offsets)
    stop_at_unknown : at an unknown type, return the entries read so far instead of raising

    Returns
    -------
    type -> values, in the order given. A type repeated later is appended to.
    """
    out: dict[int, tuple[int, ...]] = {}
    i = 0
    while i < len(data):
        if i + 2 > len(data):
            raise PacketDecodeError(f"{what}: entry header cut short", offset=base_offset + i)
        kind, count = data[i], data[i + 1]
        if kind not in sizes:
            if stop_at_unknown:
                break
            raise PacketDecodeError(f"{what}: unknown type 0x{kind:02x}", offset=base_offset + i)
        size = sizes[kind]
        end = i + 2 + size * count
        if end > len(data):
            raise PacketDecodeError(
                f"{what}: type 0x{kind:02x} declares {count} values of {size} bytes past the end",
                offset=base_offset + i + 1,
            )
        vals = tuple(
            int.from_bytes(data[j : j + size], "little") for j in range(i + 2, end, size)
        )
        out[kind] = out.get(kind, ()) + vals
        i = end
    return out


def build_tlv(entries: Mapping[int, Sequence[int]], sizes: Mapping[int, int]) -> bytes:
    """Encode ``type -> values`` as TLV entries (inverse of :func:`parse_tlv`).

    Raises ``ValueError`` for an unknown type, more than 255 values, or a value that does not fit.
    """
    out = bytearray()
    for kind, values in entries.items():
        if kind not in sizes:
            raise ValueError(f"unknown TLV type {kind}")
        values = list(values)
        if len(values) > 255:
            raise ValueError(f"TLV type {kind}: {len(values)} values, at most 255")
        out += bytes((kind, len(values)))
        for v in values:
            out += int(v).to_bytes(sizes[kind], "little")
    return bytes(out)


def float_bits(value: float) -> int:
    """IEEE-754 single-precision bits of ``value`` as an unsigned int (Polar FACTOR encoding)."""
    return int(struct.unpack("<I", struct.pack("<f", value))[0])


def bits_float(bits: int) -> float:
    """Inverse of :func:`float_bits`."""
    return float(struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0])
