"""Run bluezoo 1.0.2 (a fake bluetoothd, GPL-2.0, pip test dependency) with three fidelity patches.

Test infrastructure only: this file imports bluezoo, so it stays in the test tree and is run as a
separate process (``python zoo_launcher.py <bluezoo args>``). bleak is never patched. Each patch can be
switched off by setting its environment variable to ``0``.

* ``BLUEZOO_PATCH_MFR``: ``ManufacturerData`` typed ``a{qv}`` as in real BlueZ (bluezoo declares ``a{sv}``).
* ``BLUEZOO_PATCH_DISCONNECT``: on disconnect, tear down like bluetoothd: stop value forwarding, call
  ``StopNotify`` on the peripheral application, ``ServicesResolved=False``, remove the mirrored GATT
  objects. Without it a second connect fails with EEXIST from ``sd_bus_add_object_vtable``.
* ``BLUEZOO_PATCH_RSSI``: scanned devices get RSSI ``BLUEZOO_RSSI`` ± ``BLUEZOO_RSSI_JITTER`` re-emitted
  every scan round, so an already known device is reported again to a new scanner.
"""

from __future__ import annotations

import os
import random


def _enabled(var: str) -> bool:
    return os.environ.get(var, "1") != "0"


def _patch_manufacturer_data() -> None:
    # The D-Bus vtable is built when an object is exported, so this must run before bluezoo starts.
    from bluezoo.interfaces.Device import DeviceInterface
    from bluezoo.interfaces.LEAdvertisement import LEAdvertisementInterface

    for iface in (DeviceInterface, LEAdvertisementInterface):
        iface.ManufacturerData.property_signature = "a{qv}"


def _patch_disconnect() -> None:
    from bluezoo.device import Device
    from bluezoo.gatt import GattCharacteristicClientLink

    original = Device.disconnect

    async def disconnect(self, uuid=None):  # type: ignore[no-untyped-def]
        was_connected = self.connected
        await original(self, uuid)
        if not self.services:
            return
        for link in list(self.services.values()):
            if not isinstance(link, GattCharacteristicClientLink):
                continue
            try:
                link.client_props_changed_subscription.unsubscribe()
            except Exception:  # already unsubscribed
                pass
            if link.client.Notifying.get(False):
                try:
                    await link.client.StopNotify()
                except Exception:  # the peripheral application may be gone
                    pass
        if was_connected:
            await self.ServicesResolved.set_async(False)
        for path in sorted(self.services, reverse=True):  # descriptors, characteristics, services
            self.peer_adapter.mock.remove_object(self.services[path])
        self.services.clear()

    Device.disconnect = disconnect


def _patch_rssi() -> None:
    from bluezoo.adapter import Adapter

    base = int(os.environ.get("BLUEZOO_RSSI", "-60"))
    jitter = int(os.environ.get("BLUEZOO_RSSI_JITTER", "4"))
    original = Adapter.add_device

    async def add_device(self, device):  # type: ignore[no-untyped-def]
        scanned = device.is_le or device.is_br_edr  # only the scan loop sets these flags
        rssi = base + random.randint(-jitter, jitter)
        if scanned:
            device.rssi = rssi
        await original(self, device)
        known = self.devices.get(device.get_object_path())
        if scanned and known is not None and known is not device:
            known.rssi = rssi
            known.properties_changed.emit(("org.bluez.Device1", {"RSSI": ("n", rssi)}, []))

    Adapter.add_device = add_device


def main() -> None:
    if _enabled("BLUEZOO_PATCH_MFR"):
        _patch_manufacturer_data()
    if _enabled("BLUEZOO_PATCH_DISCONNECT"):
        _patch_disconnect()
    if _enabled("BLUEZOO_PATCH_RSSI"):
        _patch_rssi()
    from bluezoo import bluezoo

    bluezoo.main()


if __name__ == "__main__":
    main()
