"""One device connection kept alive: connect, configure, subscribe, reconnect after link loss.

The notify callback does nothing but stamp the host time (injected clock) and ``put_nowait`` a
:class:`~holdtrack.model.RawPacket` on the queue; link changes go on the same queue as
:class:`~holdtrack.model.LinkEvent` s, so the consumer sees one ordered stream.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Mapping

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.exc import BleakError
from bleak_retry_connector import establish_connection

from holdtrack.ble.configure import Configurator, configurator_for
from holdtrack.ble.errors import device_errors
from holdtrack.ble.scan import ScanResult, find_device
from holdtrack.errors import DeviceError
from holdtrack.model import LinkEvent, RawPacket
from holdtrack.protocol import Profile, get_profile
from holdtrack.sources.base import StreamInfo

log = logging.getLogger(__name__)
Item = RawPacket | LinkEvent


class DeviceLink:
    """A device streaming into ``queue`` until :meth:`close`.

    Parameters
    ----------
    identifier : advertised name or address
    queue : receives RawPacket / LinkEvent items in arrival order
    clock : host clock, s since the session start (called once per notification)
    profile : profile name, or "auto" to recognise it from the advertisement
    adapter : BlueZ adapter name (``hci0``)
    settings : profile settings to request (rate_hz, range_g, ...); defaults per profile
    reconnect : reconnect after a link loss (with exponential backoff) instead of ending
    scan_timeout_s : how long to look for the device on each (re)connect
    backoff_s : (first, max) delay between reconnect attempts, s
    """

    def __init__(
        self,
        identifier: str,
        queue: asyncio.Queue[Item],
        clock: Callable[[], float],
        profile: str = "auto",
        adapter: str = "hci0",
        settings: Mapping[str, Any] | None = None,
        reconnect: bool = True,
        scan_timeout_s: float = 10.0,
        backoff_s: tuple[float, float] = (0.5, 8.0),
    ) -> None:
        self.identifier = identifier
        self.queue = queue
        self.clock = clock
        self.profile_name = profile
        self.adapter = adapter
        self.requested = dict(settings or {})
        self.reconnect = reconnect
        self.scan_timeout_s = scan_timeout_s
        self.backoff_s = backoff_s
        self.profile: Profile | None = None
        self.settings: dict[str, Any] = {}
        self.device: ScanResult | None = None
        self.client: BleakClient | None = None
        self.configurator: Configurator | None = None
        self.connected = asyncio.Event()
        self.reconnects = 0
        self._lost = asyncio.Event()
        self._closing = False

    # -- notify / disconnect callbacks (must stay tiny: stamp time, enqueue) ---------------------
    def _on_notify(self, char: BleakGATTCharacteristic, data: bytearray) -> None:
        self.queue.put_nowait(RawPacket(bytes(data), self.clock(), char.uuid.lower()))

    def _on_disconnect(self, client: BleakClient) -> None:
        if self._closing or client is not self.client:
            return
        self.connected.clear()
        self.queue.put_nowait(LinkEvent("link_lost", self.clock()))
        self._lost.set()

    # -- connecting ------------------------------------------------------------------------------
    async def connect(self) -> None:
        """Find, connect, configure and subscribe (raises DeviceError / DeviceNotFoundError)."""
        found = await find_device(self.identifier, self.adapter, self.scan_timeout_s)
        if self.profile is None:
            name = found.profile if self.profile_name == "auto" else self.profile_name
            if name is None:
                raise DeviceError(f"{self.identifier}: unknown device type",
                                  hint="pass --profile (holdtrack scan shows what was recognised)")
            self.profile = get_profile(name)
        self.device = found
        assert found.device is not None
        with device_errors(f"connect to {self.identifier}"):
            client = await establish_connection(
                BleakClient, found.device, found.name or found.address,
                disconnected_callback=self._on_disconnect, max_attempts=3, use_services_cache=False,
            )
        self.client = client
        try:
            with device_errors(f"configure {self.identifier}"):
                self.configurator = configurator_for(self.profile)
                self.settings = await self.configurator.start(client, self.requested)
                await client.start_notify(self.profile.data_uuid, self._on_notify)
        except BaseException:
            await self._disconnect_quietly()
            raise
        self._lost.clear()
        self.connected.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Stay connected until ``stop`` is set, reconnecting after each link loss."""
        while not stop.is_set():
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._lost.wait())]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for w in waiters:
                w.cancel()
            if stop.is_set():
                return
            if not self.reconnect:
                return
            await self._reconnect(stop)

    async def _reconnect(self, stop: asyncio.Event) -> None:
        delay, cap = self.backoff_s
        await self._disconnect_quietly()
        while not stop.is_set():
            try:
                await self.connect()
            except (DeviceError, BleakError, OSError, asyncio.TimeoutError) as exc:
                log.info("reconnect to %s failed (%s); retrying in %.1f s", self.identifier, exc, delay)
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                except asyncio.TimeoutError:
                    pass
                delay = min(delay * 2, cap)
                continue
            self.reconnects += 1
            self.queue.put_nowait(LinkEvent("reconnected", self.clock()))
            return

    def stream_info(self, start_utc: str) -> StreamInfo:
        """What the sinks need to know about this stream (after :meth:`connect`)."""
        assert self.profile is not None and self.device is not None
        return StreamInfo(
            format="ble",
            rate_hz=self.settings.get("rate_hz"),
            profile=self.profile.name,
            settings=dict(self.settings),
            device={"name": self.device.name, "address": self.device.address, "adapter": self.adapter},
            start_utc=start_utc,
        )

    # -- shutdown --------------------------------------------------------------------------------
    async def close(self) -> None:
        """Stop streaming on the device, unsubscribe and disconnect (never raises)."""
        self._closing = True
        client = self.client
        if client is not None and client.is_connected:
            try:
                if self.configurator is not None:
                    await asyncio.wait_for(self.configurator.stop(client), 5.0)
                if self.profile is not None:
                    await client.stop_notify(self.profile.data_uuid)
            except (BleakError, OSError, EOFError, asyncio.TimeoutError, DeviceError) as exc:
                log.info("stopping %s: %s", self.identifier, exc)
        await self._disconnect_quietly()

    async def _disconnect_quietly(self) -> None:
        client, self.client = self.client, None
        self.connected.clear()
        if client is None:
            return
        try:
            await asyncio.wait_for(client.disconnect(), 5.0)
        except (BleakError, OSError, EOFError, asyncio.TimeoutError) as exc:
            log.info("disconnect %s: %s", self.identifier, exc)
