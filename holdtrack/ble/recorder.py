"""Record one live device: link -> queue -> (stream processor, session writer), status, clean shutdown.

The consumer task takes items off the link's queue in arrival order and hands each to the session
writer (``write_packet`` / ``write_event``) and to the stream processor (``push``) at once, so the
recording and the live analysis see exactly the same packets and link events.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from holdtrack.ble.link import Item
from holdtrack.model import LinkEvent, RawPacket, SampleBlock
from holdtrack.sources.base import StreamInfo


class Processor(Protocol):
    """What the recorder needs from :class:`holdtrack.stream.StreamProcessor`."""

    def push(self, item: Any) -> Any: ...

    def finish(self) -> Any: ...


class Writer(Protocol):
    """What the recorder needs from :class:`holdtrack.session.SessionWriter`."""

    def write_packet(self, packet: RawPacket) -> Any: ...

    def write_event(self, event: LinkEvent) -> Any: ...

    def write_block(self, block: SampleBlock) -> Any: ...

    def close(self) -> Any: ...


class Link(Protocol):
    """What the recorder needs from a live source (:class:`~holdtrack.ble.link.DeviceLink`,
    :class:`~holdtrack.ble.phyphox_link.PhyphoxLink`)."""

    identifier: str
    queue: asyncio.Queue[Any]

    async def connect(self) -> None: ...

    def stream_info(self, start_utc: str) -> StreamInfo: ...

    async def run(self, stop: asyncio.Event) -> None: ...

    async def close(self) -> None: ...


@dataclass
class Summary:
    """What happened during one device's recording."""

    device: str
    address: str | None
    profile: str | None
    settings: dict[str, Any]
    packets: int = 0
    payload_bytes: int = 0
    samples: int = 0
    link_losses: int = 0
    reconnects: int = 0
    elapsed_s: float = 0.0
    result: Any = None
    events: list[LinkEvent] = field(default_factory=list)


class Recorder:
    """Connects one device and feeds its items to the sinks until :meth:`close`.

    Parameters
    ----------
    link : the (not yet connected) live source; its queue is consumed
    make_processor : builds the stream processor from the stream's info (or None: no live analysis)
    make_writer : builds the session writer from the stream's info (or None: nothing recorded)
    """

    def __init__(
        self,
        link: Link,
        make_processor: Callable[[StreamInfo], Processor] | None = None,
        make_writer: Callable[[StreamInfo], Writer] | None = None,
    ) -> None:
        self.link = link
        self._make_processor = make_processor
        self._make_writer = make_writer
        self.processor: Processor | None = None
        self.writer: Writer | None = None
        self.info: StreamInfo | None = None
        self.summary = Summary(link.identifier, None, None, {})
        self._consumer: asyncio.Task[None] | None = None
        self._started_s = 0.0

    async def start(self) -> StreamInfo:
        """Connect, configure and start consuming; returns the stream info given to the sinks."""
        start_utc = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")
        await self.link.connect()
        self.info = info = self.link.stream_info(start_utc)
        self.summary = Summary(info.device.get("name") or self.link.identifier, info.device.get("address"),
                               info.profile, dict(info.settings))
        try:
            self.writer = self._make_writer(self.info) if self._make_writer else None
            self.processor = self._make_processor(self.info) if self._make_processor else None
        except BaseException:
            await self.link.close()
            raise
        self._started_s = time.monotonic()
        self._consumer = asyncio.create_task(self._consume())
        return self.info

    async def _consume(self) -> None:
        queue = self.link.queue
        while True:
            item: Item | None = await queue.get()
            if item is None:
                return
            self._handle(item)

    def _handle(self, item: Item | SampleBlock) -> None:
        if isinstance(item, RawPacket):
            self.summary.packets += 1
            self.summary.payload_bytes += len(item.payload)
            if self.writer is not None:
                self.writer.write_packet(item)
        elif isinstance(item, SampleBlock):  # sources that deliver samples (phyphox over Wi-Fi)
            self.summary.packets += 1
            self.summary.samples += len(item)
            if self.writer is not None:
                self.writer.write_block(item)
        else:
            self.summary.events.append(item)
            if item.kind == "link_lost":
                self.summary.link_losses += 1
            else:
                self.summary.reconnects += 1
            if self.writer is not None:
                self.writer.write_event(item)
        if self.processor is not None:
            self.processor.push(item)

    async def run(self, stop: asyncio.Event) -> None:
        """Keep recording (reconnecting as needed) until ``stop`` is set or the consumer fails.

        A failing sink (e.g. the disk is full) sets ``stop``; :meth:`close` then re-raises its error.
        """
        assert self._consumer is not None
        self._consumer.add_done_callback(lambda t: t.cancelled() or t.exception() is None or stop.set())
        await self.link.run(stop)

    def status(self) -> Any:
        """The processor's live status, or None without a processor."""
        fn = getattr(self.processor, "status", None)
        return fn() if fn is not None else None

    async def close(self) -> Summary:
        """Stop the device, drain the queue, finalise the file and the analysis."""
        await self.link.close()
        self.link.queue.put_nowait(None)  # type: ignore[arg-type]
        self.summary.elapsed_s = time.monotonic() - self._started_s if self._started_s else 0.0
        try:
            if self._consumer is not None:
                await self._consumer
        finally:
            if self.writer is not None:
                self.writer.close()
        if self.processor is not None:
            self.summary.result = self.processor.finish()
        return self.summary
