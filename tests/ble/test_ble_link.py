"""DeviceLink against the simulated HTP device: configuration, every sample, loss, bad packets, link loss."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from holdtrack.ble.link import DeviceLink
from holdtrack.model import LinkEvent, RawPacket
from holdtrack.protocol import htp, htp_control

pytestmark = [pytest.mark.ble, pytest.mark.asyncio]


def _clock():
    t0 = time.monotonic()
    return lambda: time.monotonic() - t0


async def _collect(queue: asyncio.Queue) -> list:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


def _data_packets(items) -> list[htp.HtpPacket]:
    return [htp.HtpPacket.from_bytes(i.payload) for i in items
            if isinstance(i, RawPacket) and i.characteristic == htp.DATA_UUID]


async def test_configures_device_and_receives_every_sample(htp_device):
    queue: asyncio.Queue = asyncio.Queue()
    link = DeviceLink("HoldTrack-Sim", queue, _clock(), settings={"rate_hz": 50.0, "range_g": 4})
    await link.connect()
    try:
        assert link.profile.name == "holdtrack"
        assert link.settings["rate_hz"] == 50.0 and link.settings["range_g"] == 4
        await asyncio.sleep(1.5)
    finally:
        await link.close()
    start = htp_control.StartRequest.from_bytes(htp_device.commands[0])
    assert (start.odr_dhz, start.range_g) == (500, 4)
    assert htp_device.commands[-1] == htp_control.stop_request()  # clean shutdown: device saw STOP
    await asyncio.sleep(0.1)
    got = _data_packets(await _collect(queue))
    sent = [s for s in htp_device.sent if s.delivered]
    assert len(sent) >= 10  # 1.5 s at 50 Hz in batches of 5
    assert len(got) == len(sent)
    for g, s in zip(got, sent):
        assert (g.seq, g.t0_us, g.odr_dhz, g.range_g) == (s.seq, s.t0_us, 500, 4)
        np.testing.assert_array_equal(g.samples, s.samples)
    t0 = np.array([g.t0_us for g in got])
    np.testing.assert_allclose(np.diff(t0), 5 / 50 * 1e6, atol=1)  # contiguous device clock


async def test_host_times_follow_send_times(htp_device):
    queue: asyncio.Queue = asyncio.Queue()
    t0 = time.monotonic()
    link = DeviceLink("HoldTrack-Sim", queue, lambda: time.monotonic() - t0)
    await link.connect()
    await asyncio.sleep(1.0)
    await link.close()
    items = [i for i in await _collect(queue) if i.characteristic == htp.DATA_UUID]
    sent = [s.sent_monotonic_s - t0 for s in htp_device.sent]
    assert len(items) == len(sent) > 5
    latency = np.array([i.host_time_s for i in items]) - np.array(sent)
    assert np.all(latency >= 0) and np.median(latency) < 0.05
