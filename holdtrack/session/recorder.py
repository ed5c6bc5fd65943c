"""Record a stream while it is being processed: a tee between any source and a :class:`SessionWriter`."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable, Iterator

from holdtrack.errors import ConfigError
from holdtrack.session.writer import SessionWriter
from holdtrack.sources.base import Item


def recording(items: Iterable[Item], writer: SessionWriter) -> Iterator[Item]:
    """Yield ``items`` unchanged, writing each to ``writer`` first (so a crash never loses a yielded item
    beyond the writer's batching window). The writer is not closed here: the caller owns it.
    """
    for item in items:
        writer.write(item)
        yield item


def parse_utc(text: str) -> datetime:
    """An ISO 8601 UTC time (``2026-11-26T15:00:00Z`` or with ``+00:00``) as an aware datetime."""
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except (ValueError, AttributeError):
        raise ConfigError(f"not an ISO 8601 time: {text!r}") from None
    if dt.tzinfo is None:
        raise ConfigError(f"time without a UTC offset: {text!r}")
    return dt.astimezone(timezone.utc)


def format_utc(dt: datetime) -> str:
    """``2026-11-26T15:00:00.123456Z`` (microseconds kept, so host time 0 is exact)."""
    if dt.tzinfo is None:
        raise ConfigError("a naive datetime has no defined UTC time")
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def host_time_s(start_utc: str, now: datetime) -> float:
    """Seconds from a session's ``start_utc`` to ``now`` (the host time to give items when appending).

    The caller reads the clock; this only does the arithmetic.
    """
    return (now.astimezone(timezone.utc) - parse_utc(start_utc)).total_seconds()
