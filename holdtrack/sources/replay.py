"""Replay of a recorded session, optionally paced to its recorded host times.

Pure: the clock and the sleep function are passed in (``time.monotonic`` / ``time.sleep`` from the
CLI, fakes in tests); without them items come as fast as they can be read.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from holdtrack.errors import ConfigError
from holdtrack.model import LinkEvent, RawPacket, SampleBlock
from holdtrack.session.reader import SessionSource, read_session
from holdtrack.sources.base import Item, StreamInfo


def item_time_s(item: Item) -> float | None:
    """When an item became available on the recorded time axis, s (a block: its last sample)."""
    if isinstance(item, (RawPacket, LinkEvent)):
        return item.host_time_s
    if isinstance(item, SampleBlock) and len(item):
        return float(item.t_s[-1])
    return None


def paced(
    items: Iterable[Item],
    *,
    speed: float | None = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
    max_wait_s: float | None = None,
) -> Iterator[Item]:
    """Yield ``items``, each no earlier than its recorded time divided by ``speed``.

    Parameters
    ----------
    speed : 1.0 = real time, 2.0 = twice as fast; None = no pacing
    clock : monotonic clock, s (required with ``speed``)
    sleep : sleeps for the given s (required with ``speed``)
    max_wait_s : longest single wait, s (skips long silences such as a lost link); None = no limit

    Pacing is anchored on the first item; a slow consumer never makes later items wait longer
    (waits are against the schedule, not between items). Skipped silence shifts the schedule.
    """
    if speed is None:
        yield from items
        return
    if not (isinstance(speed, (int, float)) and math.isfinite(speed) and speed > 0):
        raise ConfigError(f"replay speed must be a positive number, not {speed!r}")
    if clock is None or sleep is None:
        raise ConfigError("paced replay needs a clock and a sleep function")
    origin: tuple[float, float] | None = None  # (recorded time, clock time) of the schedule's anchor
    for item in items:
        t = item_time_s(item)
        if t is not None:
            if origin is None:
                origin = (t, clock())
            else:
                wait = origin[1] + (t - origin[0]) / speed - clock()
                if max_wait_s is not None and wait > max_wait_s:
                    origin = (origin[0], origin[1] - (wait - max_wait_s))
                    wait = max_wait_s
                if wait > 0:
                    sleep(wait)
        yield item


@dataclass
class ReplaySource:
    """A session file as a (optionally paced) :class:`~holdtrack.sources.base.Source`.

    ``info``, ``ended_cleanly`` and ``problems`` are those of the underlying :class:`SessionSource`.
    """

    session: SessionSource
    speed: float | None = None
    clock: Callable[[], float] | None = None
    sleep: Callable[[float], None] | None = None
    max_wait_s: float | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, salvage: bool = False, **kw: object) -> "ReplaySource":
        return cls(read_session(path, salvage=salvage), **kw)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        if self.speed is not None and (self.clock is None or self.sleep is None):
            raise ConfigError("paced replay needs a clock and a sleep function")

    @property
    def info(self) -> StreamInfo:
        return self.session.info

    @property
    def ended_cleanly(self) -> bool:
        return self.session.ended_cleanly

    @property
    def problems(self) -> list[str]:
        return self.session.problems

    def __iter__(self) -> Iterator[Item]:
        return paced(self.session, speed=self.speed, clock=self.clock, sleep=self.sleep, max_wait_s=self.max_wait_s)
