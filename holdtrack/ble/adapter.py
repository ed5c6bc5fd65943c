"""Check the local Bluetooth adapter before scanning: present, powered, reachable over D-Bus."""

from __future__ import annotations

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus
from dbus_fast.errors import AuthError

from holdtrack.ble.errors import HINT_BLUEZ, HINT_DBUS, HINT_NO_ADAPTER, HINT_OFF, HINT_PERMISSION
from holdtrack.errors import DeviceError


async def check_adapter(adapter: str) -> None:
    """Raise :class:`DeviceError` (with a hint) unless BlueZ's ``adapter`` (``hci0``) exists and is powered."""
    try:
        bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    except AuthError as exc:
        raise DeviceError(f"D-Bus refused the connection: {exc}", hint=HINT_PERMISSION) from exc
    except (OSError, EOFError, ValueError) as exc:
        raise DeviceError(f"cannot connect to the D-Bus system bus ({exc})", hint=HINT_DBUS) from exc
    try:
        reply = await bus.call(Message(
            destination="org.bluez", path=f"/org/bluez/{adapter}", interface="org.freedesktop.DBus.Properties",
            member="Get", signature="ss", body=["org.bluez.Adapter1", "Powered"]))
    finally:
        bus.disconnect()
    if reply.message_type != MessageType.ERROR:
        if not reply.body[0].value:
            raise DeviceError(f"Bluetooth adapter {adapter} is off", hint=HINT_OFF)
        return
    name = reply.error_name or ""
    if name.endswith("ServiceUnknown") or name.endswith("NameHasNoOwner"):
        raise DeviceError("BlueZ (org.bluez) is not running on the system bus", hint=HINT_BLUEZ)
    if name.endswith("AccessDenied"):
        raise DeviceError(f"access to Bluetooth adapter {adapter} denied", hint=HINT_PERMISSION)
    if name.endswith(("UnknownObject", "UnknownInterface", "InvalidArgs", "UnknownMethod")):
        raise DeviceError(f"no Bluetooth adapter {adapter!r}", hint=HINT_NO_ADAPTER)
    raise DeviceError(f"Bluetooth adapter {adapter}: {name} {reply.body}", hint=HINT_BLUEZ)
