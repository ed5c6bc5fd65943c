"""Sources of samples: BLE (``ble``), session replay (``replay``), file imports (``imports``), simulator.

Only :mod:`holdtrack.sources.ble` imports bleak; it is loaded lazily by the commands that need it.
"""
