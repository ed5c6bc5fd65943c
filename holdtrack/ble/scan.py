"""Discover advertising devices and recognise which holdtrack profile each one speaks."""

from __future__ import annotations

import re
import sys
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from bleak import BleakScanner
from bleak.backends.scanner import AdvertisementData
from bleak.backends.device import BLEDevice

from holdtrack.ble.errors import device_errors
from holdtrack.errors import DeviceNotFoundError
from holdtrack.protocol.recognise import recognise

_ADDRESS = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f-]{36}$")


@dataclass
class ScanResult:
    """One device heard during a scan; ``device`` is bleak's handle (not serialised)."""

    name: str | None
    address: str
    rssi: int
    profile: str | None
    service_uuids: list[str] = field(default_factory=list)
    manufacturer_data: dict[int, str] = field(default_factory=dict)
    tx_power: int | None = None
    device: BLEDevice | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("device")
        d["manufacturer_data"] = {str(k): v for k, v in self.manufacturer_data.items()}
        return d


async def _check_adapter(adapter: str) -> None:
    """On Linux, fail early with a clear message when the BlueZ adapter is missing or off."""
    if sys.platform.startswith("linux"):
        from holdtrack.ble.adapter import check_adapter

        await check_adapter(adapter)


def _result(dev: BLEDevice, adv: AdvertisementData) -> ScanResult:
    name = adv.local_name or dev.name
    return ScanResult(
        name=name,
        address=dev.address,
        rssi=int(adv.rssi),
        profile=recognise(name, adv.service_uuids, adv.manufacturer_data),
        service_uuids=[u.lower() for u in adv.service_uuids],
        manufacturer_data={k: bytes(v).hex() for k, v in adv.manufacturer_data.items()},
        tx_power=adv.tx_power,
        device=dev,
    )


async def scan(adapter: str = "hci0", timeout_s: float = 5.0,
               service_uuids: Sequence[str] | None = None) -> list[ScanResult]:
    """Scan for ``timeout_s`` seconds on ``adapter``; strongest signal first.

    Raises :class:`~holdtrack.errors.DeviceError` (with a hint) when Bluetooth is unavailable.
    """
    kwargs: dict[str, Any] = {"bluez": {"adapter": adapter}}
    if service_uuids:
        kwargs["service_uuids"] = list(service_uuids)
    await _check_adapter(adapter)
    with device_errors(f"scan on {adapter}"):
        found = await BleakScanner.discover(timeout=timeout_s, return_adv=True, **kwargs)
    results = [_result(dev, adv) for dev, adv in found.values()]
    results.sort(key=lambda r: (-r.rssi, r.address))
    return results


def matches(result: ScanResult, identifier: str) -> bool:
    """True if ``identifier`` is the result's address (any case) or its exact advertised name."""
    if _ADDRESS.match(identifier):
        return result.address.lower() == identifier.lower()
    return result.name == identifier


async def find_device(identifier: str, adapter: str = "hci0", timeout_s: float = 5.0) -> ScanResult:
    """Scan until a device whose name or address is ``identifier`` is heard.

    Uses a detection callback registered before scanning starts (bleak's ``find_device_by_*`` can miss
    a single advertisement event); stops as soon as the device is seen.
    """
    import asyncio

    hit: asyncio.Future[ScanResult] = asyncio.get_running_loop().create_future()

    def seen(dev: BLEDevice, adv: AdvertisementData) -> None:
        r = _result(dev, adv)
        if matches(r, identifier) and not hit.done():
            hit.set_result(r)

    await _check_adapter(adapter)
    with device_errors(f"scan on {adapter}"):
        async with BleakScanner(detection_callback=seen, bluez={"adapter": adapter}):
            try:
                return await asyncio.wait_for(hit, timeout_s)
            except asyncio.TimeoutError:
                pass
    raise DeviceNotFoundError(identifier, hint=f"not heard within {timeout_s:g} s on {adapter}; "
                              "is it on, advertising and in range? holdtrack scan lists what is heard")
