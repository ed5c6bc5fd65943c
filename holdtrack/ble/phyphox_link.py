"""A phone running phyphox as a live source over Wi-Fi, with the interface of :class:`DeviceLink`.

It polls phyphox's remote-access API (:class:`~holdtrack.sources.phyphox_remote.PhyphoxRemote`, blocking
calls run in a worker thread) and queues :class:`~holdtrack.model.SampleBlock` s on the phone's
experiment time; a failed poll queues ``LinkEvent("link_lost")`` and polling continues with backoff
until the phone answers again (``"reconnected"``). The sample rate, unknown before the start (phyphox
#82), is measured from the first second of samples.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

import numpy as np

from holdtrack.errors import DeviceError
from holdtrack.model import LinkEvent, SampleBlock
from holdtrack.sources.base import StreamInfo
from holdtrack.sources.phyphox_remote import PhyphoxRemote, base_url


class PhyphoxLink:
    """Live samples from ``phyphox://HOST:PORT`` into ``queue`` until :meth:`close`.

    Parameters
    ----------
    spec : ``phyphox://HOST[:PORT]``
    queue, clock : as for :class:`~holdtrack.ble.link.DeviceLink`
    poll_s : polling period, s
    backoff_s : (first, max) delay between polls while the phone does not answer, s
    remote : the HTTP client (injectable)
    """

    def __init__(self, spec: str, queue: asyncio.Queue[Any], clock: Callable[[], float], poll_s: float = 0.2,
                 backoff_s: tuple[float, float] = (0.5, 4.0), remote: PhyphoxRemote | None = None) -> None:
        self.identifier = spec
        self.queue = queue
        self.clock = clock
        self.poll_s = poll_s
        self.backoff_s = backoff_s
        self.remote = remote or PhyphoxRemote(base_url(spec))
        self.settings: dict[str, Any] = {}
        self.title = "phyphox"
        self.reconnects = 0
        self.connected = asyncio.Event()

    async def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    async def connect(self, rate_window_s: float = 1.0, timeout_s: float = 10.0) -> None:
        """Check the experiment, start it, and measure the sample rate from the first samples."""
        self.title = await self._call(self.remote.check)
        await self._call(self.remote.control, "start")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        blocks: list[SampleBlock] = []
        while loop.time() < deadline:
            block = await self._call(self.remote.poll)
            if block is not None:
                blocks.append(block)
                self.queue.put_nowait(block)
                t = np.concatenate([b.t_s for b in blocks])
                if t.size >= 10 and t[-1] - t[0] >= rate_window_s:
                    self.settings["rate_hz"] = round(1.0 / float(np.median(np.diff(t))), 3)
                    self.connected.set()
                    return
            await asyncio.sleep(self.poll_s)
        raise DeviceError(f"phyphox at {self.remote.url} sent too few samples in {timeout_s:g} s",
                          hint="is the experiment running and the phone awake?")

    def stream_info(self, start_utc: str) -> StreamInfo:
        return StreamInfo(format="phyphox-remote", rate_hz=self.settings.get("rate_hz"),
                          settings=dict(self.settings), device={"name": self.title, "address": self.remote.url},
                          start_utc=start_utc, notes=["sample times are phyphox experiment time"])

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop``; an unreachable phone is a link loss, its return a reconnect."""
        delay = self.poll_s
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), delay)
                return
            except asyncio.TimeoutError:
                pass
            try:
                block = await self._call(self.remote.poll)
            except DeviceError:
                if self.connected.is_set():
                    self.connected.clear()
                    self.queue.put_nowait(LinkEvent("link_lost", self.clock()))
                    delay = self.backoff_s[0]
                else:
                    delay = min(delay * 2, self.backoff_s[1])
                continue
            if not self.connected.is_set():
                self.connected.set()
                self.reconnects += 1
                self.queue.put_nowait(LinkEvent("reconnected", self.clock()))
            delay = self.poll_s
            if block is not None:
                self.queue.put_nowait(block)

    async def close(self) -> None:
        """Stop the experiment on the phone (best effort)."""
        try:
            await self._call(self.remote.control, "stop")
        except DeviceError:
            pass
