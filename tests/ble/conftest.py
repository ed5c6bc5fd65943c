"""Fixtures for the emulated-BlueZ tests: a private bus + bluezoo per test, simulated peripherals."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests.ble.rig import BluezooRig, missing_tools

_MISSING = missing_tools()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _MISSING is None:
        return
    skip = pytest.mark.skip(reason=f"BLE rig unavailable: {_MISSING}")
    for item in items:
        if "ble" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def bluez():
    """A fresh private D-Bus + patched bluezoo (hci0 = central, hci1 = peripheral); ~0.3 s."""
    rig = BluezooRig().start()
    try:
        yield rig
    finally:
        rig.stop()


@pytest_asyncio.fixture
async def htp_device(bluez):
    """A simulated HTP wearable advertising as ``HoldTrack-Sim`` on hci1 (100 Hz, ±8 g)."""
    from holdtrack.ble.peripheral import HtpPeripheral

    dev = await HtpPeripheral(adapter="hci1").start()
    try:
        yield dev
    finally:
        await dev.stop()
