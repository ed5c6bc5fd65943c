"""A private D-Bus "system" bus with bluezoo (fake bluetoothd) on it: BLE without hardware.

``hci0`` (:data:`CENTRAL`) is the adapter holdtrack/bleak use; ``hci1`` (:data:`PERIPHERAL`) is the
adapter the simulated wearables advertise and serve on. Only ``DBUS_SYSTEM_BUS_ADDRESS`` of this
process (and its children) is pointed at the private bus; the real system bus is never touched.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CENTRAL = "00:11:22:33:44:55"  # hci0
PERIPHERAL = "00:AA:BB:CC:DD:EE"  # hci1
PERIPHERAL2 = "00:AA:BB:CC:DD:EF"  # hci2, only with BluezooRig(peripherals=2)
LAUNCHER = Path(__file__).with_name("zoo_launcher.py")


def missing_tools() -> str | None:
    """Why the rig cannot run here, or None when dbus-daemon, dbus-send and bluezoo are present."""
    for tool in ("dbus-daemon", "dbus-send"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (Debian: apt-get install dbus-daemon)"
    try:
        import bluezoo  # noqa: F401
    except ImportError:
        return "bluezoo not installed (pip install bluezoo==1.0.2)"
    return None


class BluezooRig:
    """Start/stop ``dbus-daemon`` + patched bluezoo; ``env`` is the environment for child processes."""

    def __init__(self, scan_interval_s: int = 1, peripherals: int = 1) -> None:
        self.scan_interval_s = scan_interval_s
        self.adapters = [CENTRAL, PERIPHERAL, PERIPHERAL2][: 1 + peripherals]
        self._procs: list[subprocess.Popen[str]] = []
        self._logs: list[object] = []
        self.tmp: str | None = None
        self.address = ""
        self.zoo_log_path = ""
        self._saved_env: str | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": self.address}

    def start(self, bluezoo: bool = True) -> "BluezooRig":
        """Start the bus, then (unless ``bluezoo`` is False: a bus without BlueZ) bluezoo; wait for hci1."""
        self.tmp = tempfile.mkdtemp(prefix="holdtrack-blerig-")
        atexit.register(self.stop)
        dbus_log = open(os.path.join(self.tmp, "dbus-daemon.log"), "w")
        self._logs.append(dbus_log)
        dbus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--nopidfile",
             f"--address=unix:path={self.tmp}/system_bus_socket", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=dbus_log, stdin=subprocess.DEVNULL, text=True,
            start_new_session=True,
        )
        self._procs.append(dbus)
        assert dbus.stdout is not None
        self.address = dbus.stdout.readline().strip()
        self._saved_env = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS")
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = self.address
        if bluezoo:
            self._start_bluezoo()
        return self

    def _start_bluezoo(self) -> None:
        assert self.tmp is not None
        self.zoo_log_path = os.path.join(self.tmp, "bluezoo.log")
        zoo_log = open(self.zoo_log_path, "w")
        self._logs.append(zoo_log)
        self.zoo = subprocess.Popen(
            [sys.executable, str(LAUNCHER), "-q", "--auto-enable",
             f"--scan-interval={self.scan_interval_s}", *(a for addr in self.adapters for a in ("--adapter", addr))],
            stdout=zoo_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env=self.env,
        )
        self._procs.insert(0, self.zoo)
        self._wait_powered()

    def _wait_powered(self, timeout_s: float = 15.0) -> None:
        deadline = time.monotonic() + timeout_s
        last = f"/org/bluez/hci{len(self.adapters) - 1}"
        while time.monotonic() < deadline:
            r = subprocess.run(
                ["dbus-send", "--system", "--print-reply", "--dest=org.bluez", last,
                 "org.freedesktop.DBus.Properties.Get", "string:org.bluez.Adapter1", "string:Powered"],
                capture_output=True, text=True, env=self.env,
            )
            if r.returncode == 0 and "true" in r.stdout:
                return
            if self.zoo.poll() is not None:
                raise RuntimeError(f"bluezoo exited: {self.log()}")
            time.sleep(0.05)
        raise TimeoutError(f"bluezoo did not power its adapters: {self.log()}")

    def log(self) -> str:
        try:
            return Path(self.zoo_log_path).read_text()
        except OSError:
            return ""

    def stop(self) -> None:
        for p in self._procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            if p.stdout:
                p.stdout.close()
        self._procs.clear()
        for f in self._logs:
            f.close()  # type: ignore[attr-defined]
        self._logs.clear()
        if self.address and os.environ.get("DBUS_SYSTEM_BUS_ADDRESS") == self.address:
            if self._saved_env is None:
                os.environ.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
            else:
                os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = self._saved_env
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


async def drop_link(app, central: str = "hci0", address: str = PERIPHERAL) -> None:  # type: ignore[no-untyped-def]
    """Simulate a link loss from outside bleak: ``Device1.Disconnect`` on the central's device object.

    ``app`` is a started :class:`holdtrack.ble.gatt_app.PeripheralApp` (its bus connection is used);
    bleak only sees ``Connected=False``, as after a supervision timeout. ``address`` is the peripheral's
    address as the central sees it.
    """
    path = f"/org/bluez/{central}/dev_{address.replace(':', '_')}"
    await app.call(path, "org.bluez.Device1", "Disconnect")
