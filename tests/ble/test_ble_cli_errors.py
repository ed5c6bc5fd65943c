"""Bluetooth problems a user can fix end as one line on stderr and exit code 2 (CLI run in-process).

The last two tests need no rig (no D-Bus at all, or bad options), so they run everywhere.
"""

from __future__ import annotations

import subprocess

import pytest

from holdtrack.cli import main
from tests.ble.rig import BluezooRig


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str], *needles: str) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


@pytest.mark.ble
def test_missing_adapter_and_bluetooth_off(bluez, capsys):
    _one_line_error(capsys, ["scan", "--adapter", "hci7", "--timeout", "1"], "no Bluetooth adapter 'hci7'", "--adapter")
    subprocess.run(["dbus-send", "--system", "--print-reply", "--dest=org.bluez", "/org/bluez/hci0",
                    "org.freedesktop.DBus.Properties.Set", "string:org.bluez.Adapter1", "string:Powered",
                    "variant:boolean:false"], check=True, capture_output=True, env=bluez.env)
    _one_line_error(capsys, ["scan", "--timeout", "1"], "hci0 is off", "power on")
    _one_line_error(capsys, ["record", "X", "--duration", "1"], "hci0 is off")


@pytest.mark.ble
def test_bluez_not_running(capsys):
    rig = BluezooRig().start(bluezoo=False)  # a system bus without bluetoothd
    try:
        _one_line_error(capsys, ["scan", "--timeout", "1"], "BlueZ", "bluetoothd")
    finally:
        rig.stop()


def test_no_system_bus(monkeypatch, capsys):
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/holdtrack-bus")
    _one_line_error(capsys, ["record", "X", "--duration", "1"], "D-Bus", "systemctl status dbus")


def test_bad_options_are_one_line(capsys):
    _one_line_error(capsys, ["record", "X", "--profile", "fitbit"], "unknown device profile 'fitbit'")
    _one_line_error(capsys, ["simulate-device", "--scenario", "yoga"], "unknown scenario 'yoga'")
    _one_line_error(capsys, ["simulate-device", "--loss", "1.5"], "--loss")
