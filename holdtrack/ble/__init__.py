"""Live Bluetooth LE: scan, connect, configure, stream and record wearables (the only bleak user).

Modules: :mod:`~holdtrack.ble.errors` (bleak/D-Bus errors -> :class:`~holdtrack.errors.DeviceError`),
:mod:`~holdtrack.ble.scan` (discovery + profile recognition), :mod:`~holdtrack.ble.configure`
(per-profile start/stop coroutines), :mod:`~holdtrack.ble.link` (connection, notify -> queue, reconnect),
:mod:`~holdtrack.ble.recorder` (queue -> stream processor + session writer, status, shutdown),
:mod:`~holdtrack.ble.gatt_app` and :mod:`~holdtrack.ble.peripheral` (a simulated HTP device).
Nothing outside this package imports bleak, dbus-fast or asyncio (the pure core never does).
"""
