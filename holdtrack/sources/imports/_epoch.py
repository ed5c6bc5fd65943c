"""Recognising Unix-epoch time columns by magnitude, and formatting UTC times."""

from __future__ import annotations

import datetime as _dt

#: (lower bound of the raw value, seconds per unit, unit name): epoch ns / µs / ms / s after 1973.
_EPOCH_BANDS = ((1e17, 1e-9, "ns"), (1e14, 1e-6, "µs"), (1e11, 1e-3, "ms"), (1e8, 1.0, "s"))
_MAX_EPOCH_S = 4.1e9  # year 2100


def epoch_unit(first_value: float) -> tuple[float, str] | None:
    """``(seconds per unit, unit)`` if ``first_value`` reads as a Unix time between 1973 and 2100."""
    for lo, scale, name in _EPOCH_BANDS:
        if first_value >= lo:
            return (scale, name) if first_value * scale <= _MAX_EPOCH_S else None
    return None


def utc_iso(epoch_s: float) -> str | None:
    """ISO 8601 UTC string with milliseconds, e.g. ``2022-07-11T09:59:37.813Z``; None if out of range."""
    try:
        t = _dt.datetime.fromtimestamp(epoch_s, tz=_dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
