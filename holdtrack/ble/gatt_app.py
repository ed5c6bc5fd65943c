"""A BlueZ *peripheral* application over D-Bus (dbus-fast): GATT objects plus an LE advertisement.

This is the standard BlueZ peripheral API (``GattManager1.RegisterApplication`` and
``LEAdvertisingManager1.RegisterAdvertisement``), so the same code serves a real ``bluetoothd`` (the
``simulate-device`` command) and the emulated one used by the tests (bluezoo). Notifications are sent
by emitting ``PropertiesChanged(Value)`` on the characteristic object.
"""

from __future__ import annotations

import asyncio
from typing import Callable, Iterable, Mapping

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method

from holdtrack.errors import DeviceError

BLUEZ = "org.bluez"


class GattService(ServiceInterface):
    """``org.bluez.GattService1`` at ``path``."""

    def __init__(self, path: str, uuid: str) -> None:
        super().__init__("org.bluez.GattService1")
        self.path, self._uuid = path, uuid

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> "s":  # noqa: N802 (D-Bus names)
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> "b":  # noqa: N802
        return True


class GattCharacteristic(ServiceInterface):
    """``org.bluez.GattCharacteristic1``.

    Parameters
    ----------
    on_write : called with the written bytes instead of storing them as the value
    on_subscribe : called with True on StartNotify, False on StopNotify
    on_read : returns the value for a read (default: the last value written or notified)
    """

    def __init__(
        self,
        path: str,
        uuid: str,
        service: GattService,
        flags: Iterable[str],
        value: bytes = b"",
        on_write: Callable[[bytes], None] | None = None,
        on_subscribe: Callable[[bool], None] | None = None,
        on_read: Callable[[], bytes] | None = None,
    ) -> None:
        super().__init__("org.bluez.GattCharacteristic1")
        self.path, self._uuid, self._service = path, uuid, service.path
        self._flags = list(flags)
        self.value = bytes(value)
        self.on_write = on_write
        self.on_subscribe = on_subscribe
        self.on_read = on_read
        self.notifying = False
        self.subscribed = asyncio.Event()
        self.writes: list[bytes] = []
        self.sent = 0

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> "s":  # noqa: N802
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Service(self) -> "o":  # noqa: N802
        return self._service

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> "as":  # noqa: N802
        return self._flags

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> "ay":  # noqa: N802
        return self.value

    @dbus_property(access=PropertyAccess.READ)
    def Notifying(self) -> "b":  # noqa: N802
        return self.notifying

    @method()
    def ReadValue(self, options: "a{sv}") -> "ay":  # noqa: N802
        return self.on_read() if self.on_read is not None else self.value

    @method()
    def WriteValue(self, value: "ay", options: "a{sv}"):  # noqa: N802, ANN201
        data = bytes(value)
        self.writes.append(data)
        if self.on_write is not None:
            self.on_write(data)
        else:
            self.value = data

    @method()
    def StartNotify(self):  # noqa: N802, ANN201
        self._set_notifying(True)

    @method()
    def StopNotify(self):  # noqa: N802, ANN201
        self._set_notifying(False)

    @method()
    def Confirm(self):  # noqa: N802, ANN201  (bluez/bluezoo call it after each indication)
        pass

    def _set_notifying(self, on: bool) -> None:
        if on == self.notifying:
            return
        self.notifying = on
        (self.subscribed.set if on else self.subscribed.clear)()
        self.emit_properties_changed({"Notifying": on})
        if self.on_subscribe is not None:
            self.on_subscribe(on)

    def notify(self, value: bytes) -> None:
        """Send ``value`` as a notification (or indication) to the subscribed central."""
        self.value = bytes(value)
        self.sent += 1
        self.emit_properties_changed({"Value": self.value})


class GattDescriptor(ServiceInterface):
    """A read-only ``org.bluez.GattDescriptor1`` (e.g. 0x2901 user description)."""

    def __init__(self, path: str, uuid: str, characteristic: GattCharacteristic, value: bytes) -> None:
        super().__init__("org.bluez.GattDescriptor1")
        self.path, self._uuid, self._char, self._value = path, uuid, characteristic.path, value

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> "s":  # noqa: N802
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Characteristic(self) -> "o":  # noqa: N802
        return self._char

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> "as":  # noqa: N802
        return ["read"]

    @method()
    def ReadValue(self, options: "a{sv}") -> "ay":  # noqa: N802
        return self._value


class Advertisement(ServiceInterface):
    """``org.bluez.LEAdvertisement1``: connectable, discoverable, name + service UUIDs + maker data."""

    def __init__(self, path: str, name: str, service_uuids: list[str],
                 manufacturer_data: Mapping[int, bytes] | None = None, tx_power: int = 0) -> None:
        super().__init__("org.bluez.LEAdvertisement1")
        self.path = path
        self._name, self._uuids = name, service_uuids
        self._mfr = dict(manufacturer_data or {})
        self._tx = tx_power

    @dbus_property(access=PropertyAccess.READ)
    def Type(self) -> "s":  # noqa: N802
        return "peripheral"

    @dbus_property(access=PropertyAccess.READ)
    def LocalName(self) -> "s":  # noqa: N802
        return self._name

    @dbus_property(access=PropertyAccess.READ)
    def ServiceUUIDs(self) -> "as":  # noqa: N802
        return self._uuids

    @dbus_property(access=PropertyAccess.READ)
    def Discoverable(self) -> "b":  # noqa: N802
        return True

    @dbus_property(access=PropertyAccess.READ)
    def TxPower(self) -> "n":  # noqa: N802
        return self._tx

    @dbus_property(access=PropertyAccess.READ)
    def ManufacturerData(self) -> "a{qv}":  # noqa: N802  (real BlueZ type)
        return {k: Variant("ay", v) for k, v in self._mfr.items()}

    @method()
    def Release(self):  # noqa: N802, ANN201
        pass


class PeripheralApp:
    """Owns one system-bus connection; exports the GATT tree under ``root`` and registers it.

    Subclasses fill ``objects`` (services, characteristics, descriptors) and ``advertisement``.
    """

    def __init__(self, adapter: str = "hci0", root: str = "/org/holdtrack/app") -> None:
        self.adapter_path = adapter if adapter.startswith("/") else f"/org/bluez/{adapter}"
        self.root = root
        self.objects: list[ServiceInterface] = []
        self.advertisement: Advertisement | None = None
        self.bus: MessageBus | None = None

    async def start(self) -> "PeripheralApp":
        """Connect to the system bus, export the objects and register app + advertisement."""
        try:
            self.bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
        except (OSError, EOFError) as exc:
            raise DeviceError(f"cannot reach the D-Bus system bus: {exc}",
                              hint="is the D-Bus system bus running? check: systemctl status dbus") from exc
        for obj in self.objects:
            self.bus.export(obj.path, obj)  # type: ignore[attr-defined]
        await self.call(self.adapter_path, "org.bluez.GattManager1", "RegisterApplication",
                        "oa{sv}", [self.root, {}])
        if self.advertisement is not None:
            self.bus.export(self.advertisement.path, self.advertisement)
            await self.call(self.adapter_path, "org.bluez.LEAdvertisingManager1",
                            "RegisterAdvertisement", "oa{sv}", [self.advertisement.path, {}])
        return self

    async def call(self, path: str, interface: str, member: str, signature: str = "",
                   body: list | None = None) -> list:
        """Call a BlueZ method; D-Bus errors become :class:`DeviceError` with a hint."""
        assert self.bus is not None
        reply = await self.bus.call(Message(destination=BLUEZ, path=path, interface=interface,
                                            member=member, signature=signature, body=body or []))
        if reply.message_type == MessageType.ERROR:
            hint = "is bluetoothd running and the adapter powered? check: bluetoothctl show"
            raise DeviceError(f"{interface}.{member} on {path} failed: {reply.error_name} {reply.body}",
                              hint=hint)
        return reply.body

    async def stop(self) -> None:
        """Drop the bus connection (BlueZ then unregisters the app and the advertisement)."""
        if self.bus is not None:
            self.bus.disconnect()
            await self.bus.wait_for_disconnect()
            self.bus = None
