"""Turn bleak / D-Bus failures into one-line :class:`~holdtrack.errors.DeviceError` s with a hint."""

from __future__ import annotations

import contextlib
from typing import Iterator

from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakDeviceNotFoundError,
    BleakError,
)

from holdtrack.errors import DeviceError, DeviceNotFoundError

HINT_OFF = "turn Bluetooth on: bluetoothctl power on, or rfkill unblock bluetooth"
HINT_NO_ADAPTER = "plug in a Bluetooth adapter or pick one with --adapter; bluetoothctl list shows them"
HINT_PERMISSION = "add your user to the 'bluetooth' group or check the D-Bus policy for org.bluez"
HINT_DBUS = "is the D-Bus system bus running? check: systemctl status dbus"
HINT_BLUEZ = "is bluetoothd running? check: systemctl status bluetooth"

_DBUS_HINTS = {
    "org.bluez.Error.NotReady": ("Bluetooth adapter is not ready", HINT_OFF),
    "org.bluez.Error.NotPermitted": ("Bluetooth operation not permitted", HINT_PERMISSION),
    "org.freedesktop.DBus.Error.AccessDenied": ("access to BlueZ denied", HINT_PERMISSION),
    "org.freedesktop.DBus.Error.ServiceUnknown": ("BlueZ (org.bluez) is not on the system bus", HINT_BLUEZ),
    "org.freedesktop.DBus.Error.UnknownObject": ("Bluetooth adapter or device not found", HINT_NO_ADAPTER),
}


def translate(exc: BaseException, what: str = "Bluetooth") -> DeviceError:
    """The :class:`DeviceError` (with hint) that explains ``exc`` to a user; ``what`` names the action."""
    if isinstance(exc, DeviceError):
        return exc
    if isinstance(exc, BleakBluetoothNotAvailableError):
        reason = exc.reason
        R = BleakBluetoothNotAvailableReason
        if reason == R.POWERED_OFF:
            return DeviceError(f"{what}: Bluetooth is off", hint=HINT_OFF)
        if reason in (R.DENIED_BY_SYSTEM, R.DENIED_BY_USER, R.DENIED_BY_UNKNOWN):
            return DeviceError(f"{what}: permission denied", hint=HINT_PERMISSION)
        return DeviceError(f"{what}: no usable Bluetooth adapter ({exc.args[0]})", hint=HINT_NO_ADAPTER)
    if isinstance(exc, BleakDeviceNotFoundError):
        return DeviceNotFoundError(str(exc.identifier), hint="is it on, in range and not connected elsewhere?")
    if isinstance(exc, BleakDBusError):
        message, hint = _DBUS_HINTS.get(exc.dbus_error, (exc.dbus_error, HINT_BLUEZ))
        return DeviceError(f"{what}: {message}", hint=hint)
    if isinstance(exc, (FileNotFoundError, ConnectionRefusedError)):
        return DeviceError(f"{what}: cannot connect to the D-Bus system bus ({exc})", hint=HINT_DBUS)
    if isinstance(exc, PermissionError):
        return DeviceError(f"{what}: permission denied ({exc})", hint=HINT_PERMISSION)
    if isinstance(exc, BleakError):
        text = " ".join(str(a) for a in exc.args) or type(exc).__name__
        if "adapter" in text.lower() and "not found" in text.lower():
            return DeviceError(f"{what}: {text}", hint=HINT_NO_ADAPTER)
        return DeviceError(f"{what}: {text}")
    if isinstance(exc, (OSError, EOFError, TimeoutError)):
        return DeviceError(f"{what}: {type(exc).__name__}: {exc}", hint=HINT_DBUS)
    raise exc


@contextlib.contextmanager
def device_errors(what: str) -> Iterator[None]:
    """Re-raise bleak, D-Bus and socket errors inside the block as :class:`DeviceError`."""
    try:
        yield
    except DeviceError:
        raise
    except (BleakError, OSError, EOFError, TimeoutError) as exc:
        raise translate(exc, what) from exc
