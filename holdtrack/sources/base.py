"""The shape every source of samples has: metadata plus an iterator of items.

Sources differ only in the level at which they enter the pipeline:

=================  ==========================  =====================
source             yields                      enters at
=================  ==========================  =====================
live BLE           RawPacket, LinkEvent        decode
replay (.htrec)    RawPacket / SampleBlock     decode / clock
imported file      SampleBlock                 pipeline
simulator          RawPacket or SampleBlock    decode / pipeline
=================  ==========================  =====================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol, Union

from holdtrack.model import LinkEvent, RawPacket, SampleBlock

Item = Union[RawPacket, SampleBlock, LinkEvent]


@dataclass
class StreamInfo:
    """What is known about a stream before its first sample.

    Attributes
    ----------
    format : input format name (``"csv"``, ``"htrec"``, ``"sensor-logger"``, ``"simulator"``, ``"ble"``...)
    path : the input file, if any
    rate_hz : nominal sample rate, Hz, if known (configured on the device, or estimated by an importer)
    profile : device profile name for packet streams (see :data:`holdtrack.protocol.PROFILES`), else None
    settings : profile settings in force (``rate_hz``, ``range_g``, Polar ``factor``...)
    device : ``{"name": ..., "address": ...}`` where known
    start_utc : ISO 8601 UTC time of the first sample / session start, if known
    notes : human-readable facts worth reporting (e.g. ``"units detected: g"``)
    """

    format: str
    path: str | None = None
    rate_hz: float | None = None
    profile: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    device: dict[str, Any] = field(default_factory=dict)
    start_utc: str | None = None
    notes: list[str] = field(default_factory=list)


class Source(Protocol):
    """A finite or live stream of items with its :class:`StreamInfo`."""

    info: StreamInfo

    def __iter__(self) -> Iterator[Item]: ...


@dataclass
class ListSource:
    """A source over items already in memory (tests, the simulator, small imports)."""

    info: StreamInfo
    items: list[Item]

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)
