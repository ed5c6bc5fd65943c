"""The rig itself: scan, configure, stream through unmodified bleak against the simulated HTP device."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from holdtrack.ble.scan import find_device, scan
from holdtrack.protocol import htp, htp_control
from tests.ble.rig import PERIPHERAL

pytestmark = [pytest.mark.ble, pytest.mark.asyncio]


async def test_scan_reports_name_address_rssi_profile(htp_device):
    results = await scan("hci0", timeout_s=1.2)
    by_addr = {r.address: r for r in results}
    assert PERIPHERAL in by_addr, results
    r = by_addr[PERIPHERAL]
    assert r.name == "HoldTrack-Sim"
    assert r.profile == "holdtrack"
    assert htp.SERVICE_UUID in r.service_uuids
    assert -64 <= r.rssi <= -56
    assert r.to_dict()["tx_power"] == -8


async def test_find_device_by_name_and_address(htp_device):
    by_name = await find_device("HoldTrack-Sim", "hci0", timeout_s=3)
    by_addr = await find_device(PERIPHERAL.lower(), "hci0", timeout_s=3)
    assert by_name.address == by_addr.address == PERIPHERAL
