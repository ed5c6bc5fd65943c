"""Live Bluetooth LE: scan, connect, configure, stream and record wearables (the only bleak user).

==================  ==================================================================================
module              job
==================  ==================================================================================
``scan``            discovery (``BleakScanner.discover(return_adv=True)``) + profile recognition
``adapter``         fail early and clearly when the BlueZ adapter is missing or off, or D-Bus is absent
``errors``          bleak / D-Bus / socket errors -> one-line :class:`~holdtrack.errors.DeviceError`
``configure``       per-profile start/stop coroutines driving the pure command builders
``control_point``   write a request, wait for the indicated answer (HTP, Polar PMD)
``link``            one connection: notify -> queue (RawPacket), link loss -> LinkEvent, reconnect
``recorder``        queue -> stream processor + session writer; live status; clean shutdown
``status``          status line and end-of-recording summary text
``gatt_app``        a BlueZ peripheral application (GATT objects + advertisement) over dbus-fast
``streaming_app``   base of simulated sensors: device clock, schedule, loss injection, send log
``peripheral``      the simulated HTP wearable behind ``holdtrack simulate-device``
==================  ==================================================================================

Nothing outside this package imports bleak, dbus-fast or asyncio (the pure core never does).
"""
