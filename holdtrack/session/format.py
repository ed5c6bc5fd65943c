"""The .htrec session format: constants, header building and validation, record codecs.

A session file is JSON Lines (UTF-8, ``\\n`` after every record). Line 1 is the header; every later
line is one record whose ``"k"`` says its kind: ``"p"`` packet batch, ``"s"`` sample block, ``"e"``
event, ``"end"`` footer. ``docs/session-format.md`` is the normative description; this module is its
implementation. Pure: no clocks, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
from typing import Any, Mapping

import numpy as np

try:  # optional: parses data lines ~4x faster than json (same strict JSON; see loads_fast)
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib path gives the same records
    _orjson = None

from holdtrack._version import __version__
from holdtrack.errors import SessionFormatError
from holdtrack.model import LinkEvent, PacketBatch, RawPacket, SampleBlock
from holdtrack.sources.base import StreamInfo

#: Header key whose value is the format's major version; its presence identifies a session file.
MAGIC_KEY = "holdtrack_session"
FORMAT_MAJOR = 1
FORMAT_MINOR = 0
FORMAT_VERSION = f"{FORMAT_MAJOR}.{FORMAT_MINOR}"
#: Longest line a reader accepts, bytes (a line is one batch: normally a few hundred kB at most).
MAX_LINE_BYTES = 64 * 1024 * 1024
#: Packets received within this span (s of host time) share one line.
BATCH_SPAN_S = 0.5
#: Largest number of packets / samples in one line (keeps lines far below MAX_LINE_BYTES).
BATCH_MAX_PACKETS = 8192
BLOCK_MAX_SAMPLES = 65536
SUFFIX = ".htrec"

CONTENTS = ("packets", "samples")
REC_PACKETS, REC_SAMPLES, REC_EVENT, REC_END = "p", "s", "e", "end"
SOURCE_KINDS = {"ble": "ble", "simulator": "simulator", "sim": "simulator", "htrec": "session"}


class RecordError(ValueError):
    """A record that does not follow the format; the reader adds file and line."""


def _plain(value: Any) -> Any:
    """numpy scalars / arrays (e.g. settings from an importer) and paths as plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"cannot store a {type(value).__name__} in a session file")


def dumps(obj: Mapping[str, Any]) -> bytes:
    """One record as a line of compact UTF-8 JSON, newline included (no NaN / Infinity)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=_plain).encode("utf-8") + b"\n"


def _reject_constant(name: str) -> float:
    raise RecordError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def loads(line: bytes) -> Any:
    """Parse one line (strict UTF-8 JSON; NaN / Infinity rejected). Raises :class:`RecordError`."""
    try:
        return _DECODER.decode(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 text (byte {exc.start} of the line)") from None
    except RecursionError:
        raise RecordError("JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON ({exc.msg}, column {exc.colno})") from None
    except RecordError:  # NaN / Infinity (_reject_constant)
        raise
    except ValueError:  # int() refuses more than sys.get_int_max_str_digits() digits
        raise RecordError("invalid JSON (a number with too many digits)") from None


def loads_fast(line: bytes) -> Any:
    """:func:`loads`, faster (orjson when installed): the same value or the same error, except that an
    integer outside [-2**63, 2**64) comes as the nearest float.

    For data lines, whose integers are sizes and counts: a float there fails the record's checks, and the
    reader then decodes the line again from :func:`loads` (so records and messages are exactly those of
    :func:`loads`). Anything orjson refuses (NaN / Infinity, 1e400, lone surrogates, invalid UTF-8, deep
    nesting) goes through :func:`loads`, which accepts it or raises its own message.
    """
    if _orjson is not None:
        try:
            return _orjson.loads(line)
        except _orjson.JSONDecodeError:
            pass
    return loads(line)


# --------------------------------------------------------------------------------------------------
# Header


def characteristics_for(profile: str | None) -> dict[str, str]:
    """``{uuid: role}`` of a known profile's characteristics (empty if the profile is unknown)."""
    if profile is None:
        return {}
    from holdtrack.protocol import PROFILES

    p = PROFILES.get(profile)
    if p is None:
        return {}
    out = {p.data_uuid.lower(): "data"}
    out.update({uuid.lower(): role for role, uuid in p.extra_uuids.items()})
    return out


def build_header(
    info: StreamInfo,
    *,
    content: str | None = None,
    created_utc: str | None = None,
    source: Mapping[str, Any] | None = None,
    pipeline: Mapping[str, Any] | None = None,
    characteristics: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The header record for a new session of ``info``'s stream.

    ``content`` defaults to ``"packets"`` when ``info.profile`` is set, else ``"samples"``. ``source``
    defaults to ``{"kind": ..., "format": info.format, "path": info.path}``.
    """
    if content is None:
        content = "packets" if info.profile else "samples"
    if content not in CONTENTS:
        raise ValueError(f"content must be one of {CONTENTS}, not {content!r}")
    if source is None:
        source = {"kind": SOURCE_KINDS.get(info.format, "import"), "format": info.format, "path": info.path}
    device = {"name": None, "address": None, **info.device, "profile": info.profile}
    return {
        MAGIC_KEY: FORMAT_MAJOR,
        "format_version": FORMAT_VERSION,
        "holdtrack_version": __version__,
        "created_utc": created_utc,
        "start_utc": info.start_utc,
        "source": dict(source),
        "device": device,
        "profile": info.profile,
        "settings": dict(info.settings),
        "rate_hz": info.rate_hz,
        "content": content,
        "pipeline": dict(pipeline) if pipeline is not None else None,
        "characteristics": dict(characteristics if characteristics is not None else characteristics_for(info.profile)),
        "notes": list(info.notes),
    }


def _check(header: Mapping[str, Any], key: str, types: tuple[type, ...], what: str) -> None:
    if key in header and header[key] is not None and not isinstance(header[key], types):
        raise RecordError(f"header field {key!r} must be {what} or null, got {header[key]!r:.60}")


def validate_header(obj: Any) -> tuple[dict[str, Any], list[str]]:
    """Check a parsed line 1; return the header and notes for the reader (e.g. newer minor version).

    Raises :class:`RecordError` for anything that is not a header this version can read.
    """
    if not isinstance(obj, dict) or MAGIC_KEY not in obj:
        raise RecordError("not a holdtrack session file (line 1 is not a session header)")
    major = obj[MAGIC_KEY]
    if not isinstance(major, int) or isinstance(major, bool):
        raise RecordError(f"header field {MAGIC_KEY!r} must be an integer, got {major!r:.60}")
    if major != FORMAT_MAJOR:
        raise RecordError(f"unsupported session format version {major} (this holdtrack reads version {FORMAT_MAJOR})")
    version = obj.get("format_version", FORMAT_VERSION)
    parts = version.split(".") if isinstance(version, str) else []
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) != major:
        raise RecordError(f"header field 'format_version' must be '{major}.<minor>', got {version!r:.60}")
    notes = []
    if int(parts[1]) > FORMAT_MINOR:
        notes.append(f"session written in format {version}, newer than {FORMAT_VERSION}: unknown fields ignored")
    for key, types, what in (
        ("rate_hz", (int, float), "a number"), ("profile", (str,), "a string"), ("start_utc", (str,), "a string"),
        ("settings", (dict,), "an object"), ("device", (dict,), "an object"), ("source", (dict,), "an object"),
        ("pipeline", (dict,), "an object"), ("characteristics", (dict,), "an object"),
        ("notes", (list,), "a list"), ("content", (str,), "a string"),
    ):
        _check(obj, key, types, what)
    rate = obj.get("rate_hz")
    if rate is not None and (isinstance(rate, bool) or not _finite(rate) or rate <= 0):
        raise RecordError(f"header field 'rate_hz' must be a positive number or null, got {rate!r:.60}")
    content = obj.get("content")
    if content is not None and content not in CONTENTS:
        notes.append(f"unknown session content {content!r:.40}")
    return obj, notes


def header_info(header: Mapping[str, Any], path: str | None, notes: list[str]) -> StreamInfo:
    """The :class:`StreamInfo` a session's header describes (``format="htrec"``)."""
    device = {k: v for k, v in (header.get("device") or {}).items() if k != "profile" and v is not None}
    return StreamInfo(
        format="htrec",
        path=path,
        rate_hz=float(header["rate_hz"]) if header.get("rate_hz") is not None else None,
        profile=header.get("profile"),
        settings=dict(header.get("settings") or {}),
        device=device,
        start_utc=header.get("start_utc"),
        notes=[str(n) for n in header.get("notes") or []] + notes,
    )


# --------------------------------------------------------------------------------------------------
# Records: encode


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def packets_record(packets: list[RawPacket]) -> dict[str, Any]:
    """One batch line for packets of ONE characteristic, in arrival order."""
    return {
        "k": REC_PACKETS,
        "c": packets[0].characteristic,
        "t": [float(p.host_time_s) for p in packets],
        "n": [len(p.payload) for p in packets],
        "d": _b64(b"".join(p.payload for p in packets)),
    }


def samples_record(block: SampleBlock) -> dict[str, Any]:
    """One sample-block line (float64 little-endian arrays, base64)."""
    rec: dict[str, Any] = {
        "k": REC_SAMPLES,
        "n": len(block),
        "t": _b64(block.t_s.astype("<f8").tobytes()),
        "acc": _b64(block.acc_mps2.astype("<f8").tobytes()),
    }
    if block.gyro_dps is not None:
        rec["gyro"] = _b64(block.gyro_dps.astype("<f8").tobytes())
    return rec


def event_record(event: LinkEvent | str, host_time_s: float | None = None) -> dict[str, Any]:
    """An event line from a :class:`LinkEvent` (or a kind name and time, e.g. ``"restart"``)."""
    if isinstance(event, LinkEvent):
        return {"k": REC_EVENT, "t": float(event.host_time_s), "event": event.kind}
    return {"k": REC_EVENT, "t": float(host_time_s or 0.0), "event": event}


def end_record(t: float | None, packets: int, samples: int, reason: str = "clean") -> dict[str, Any]:
    """The footer written by a clean close."""
    return {"k": REC_END, "t": t, "packets": packets, "samples": samples, "reason": reason}


# --------------------------------------------------------------------------------------------------
# Records: decode (each raises RecordError with a reason; the reader adds the place)


def _a2b_strict(value: str) -> bytes:
    try:  # Python >= 3.11: strict decoding in C (no regex pass over megabytes)
        return binascii.a2b_base64(value, strict_mode=True)
    except TypeError:  # pragma: no cover - Python 3.10
        return base64.b64decode(value, validate=True)


def _finite(v: float) -> bool:
    """``math.isfinite`` that says False, not OverflowError, for an int too large for a float (e.g. 1 and 400 zeros)."""
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _unb64(rec: Mapping[str, Any], key: str) -> bytes:
    value = rec.get(key)
    if not isinstance(value, str):
        raise RecordError(f"field {key!r} must be a base64 string")
    try:
        return _a2b_strict(value)
    except (binascii.Error, ValueError):
        raise RecordError(f"field {key!r} is not valid base64") from None


def _number(rec: Mapping[str, Any], key: str) -> float:
    v = rec.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not _finite(v):
        raise RecordError(f"field {key!r} must be a finite number")
    return float(v)


def _count(rec: Mapping[str, Any], key: str) -> int:
    v = rec.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise RecordError(f"field {key!r} must be a non-negative integer")
    return v


def _times(t: Any, n: Any) -> list[float]:
    """The checked ``'t'`` of a packet line as floats (``'n'`` checked too); raises the first problem."""
    if not isinstance(t, list) or not isinstance(n, list) or len(t) != len(n):
        raise RecordError("fields 't' and 'n' must be lists of the same length")
    if not set(map(type, n)) <= {int} or (n and min(n) < 0):
        raise RecordError("field 'n' must hold non-negative integers")
    types = set(map(type, t))
    # JSON gives no NaN here (NaN / Infinity literals are rejected); an overflowing literal gives ±inf
    if not types <= {float, int} or (t and not (_finite(min(t)) and _finite(max(t)))):
        raise RecordError("field 't' must hold finite numbers")
    return t if int not in types else [float(x) for x in t]


_FLOAT, _INT = {float}, {int}


def _usual(t: Any, n: Any) -> bool:
    """True for the usual packet line (lists of finite floats and non-negative ints of one length), checked in a
    few C-level passes. Then :func:`_times` would return ``t`` itself (floats whose sum is finite are all finite)."""
    return (type(t) is list and type(n) is list and len(t) == len(n) and set(map(type, t)) <= _FLOAT
            and set(map(type, n)) <= _INT and math.isfinite(sum(t)) and (not n or min(n) >= 0))


def decode_packets(rec: Mapping[str, Any]) -> PacketBatch:
    """The packet batch of a ``"p"`` record."""
    char, t, n = rec.get("c"), rec.get("t"), rec.get("n")
    if not isinstance(char, str):
        raise RecordError("field 'c' must be a characteristic UUID string")
    if not _usual(t, n):
        t = _times(t, n)
    data = _unb64(rec, "d")
    if len(data) != sum(n):
        raise RecordError(f"field 'd' holds {len(data)} bytes but 'n' adds up to {sum(n)}")
    return PacketBatch(char.lower(), t, n, data)


def decode_samples(rec: Mapping[str, Any]) -> SampleBlock:
    """The block of an ``"s"`` record."""
    n = _count(rec, "n")
    arrays = {}
    for key, width in (("t", 1), ("acc", 3), ("gyro", 3)):
        if key == "gyro" and rec.get("gyro") is None:
            continue
        raw = _unb64(rec, key)
        if len(raw) != 8 * width * n:
            raise RecordError(f"field {key!r} holds {len(raw)} bytes, expected {8 * width * n} for n={n}")
        a = np.frombuffer(raw, dtype="<f8").astype(np.float64)
        arrays[key] = a if width == 1 else a.reshape(n, 3)
    if not np.all(np.isfinite(arrays["t"])):
        raise RecordError("field 't' holds non-finite times")
    return SampleBlock(arrays["t"], arrays["acc"], arrays.get("gyro"))


def decode_event(rec: Mapping[str, Any]) -> LinkEvent:
    """The event of an ``"e"`` record (any event name is kept as the kind)."""
    kind = rec.get("event")
    if not isinstance(kind, str) or not kind:
        raise RecordError("field 'event' must be a non-empty string")
    return LinkEvent(kind, _number(rec, "t"))  # type: ignore[arg-type]


def decode_end(rec: Mapping[str, Any]) -> tuple[int, int]:
    """``(packets, samples)`` of an ``"end"`` record."""
    return _count(rec, "packets"), _count(rec, "samples")
