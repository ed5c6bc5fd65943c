"""DeviceLink against the simulated HTP device: configuration, every sample, loss, bad packets, link loss."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from holdtrack.ble.link import DeviceLink
from holdtrack.model import LinkEvent, RawPacket
from holdtrack.protocol import htp, htp_control
from tests.ble.rig import drop_link

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
    start = htp_control.Request.from_bytes(htp_device.commands[0]).start
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


async def test_link_loss_is_recorded_and_survived(htp_device):
    queue: asyncio.Queue = asyncio.Queue()
    link = DeviceLink("HoldTrack-Sim", queue, _clock(), backoff_s=(0.2, 1.0))
    await link.connect()
    stop = asyncio.Event()
    runner = asyncio.create_task(link.run(stop))
    await asyncio.sleep(0.8)
    await drop_link(htp_device)
    await asyncio.wait_for(_until(lambda: link.reconnects == 1), 10)
    await asyncio.sleep(0.8)
    stop.set()
    await runner
    await link.close()
    items = await _collect(queue)
    kinds = [i.kind for i in items if isinstance(i, LinkEvent)]
    assert kinds == ["link_lost", "reconnected"]
    lost = next(k for k, i in enumerate(items) if isinstance(i, LinkEvent))
    before, after = _data_packets(items[:lost]), _data_packets(items[lost:])
    assert len(before) >= 5 and len(after) >= 5
    # the device clock jumps over the time the link was down; seq continues (a packet in flight
    # when the link dropped may be lost, as on real radios)
    gap_us = after[0].t0_us - before[-1].t0_us
    assert gap_us > 0.1 * 1e6
    assert before[-1].seq < after[0].seq <= before[-1].seq + 2
    assert {p.seq for p in before + after} <= {s.seq for s in htp_device.sent}
    assert sum(c[0] == htp_control.Op.START for c in htp_device.commands) == 2  # re-configured after reconnect


async def test_injected_loss_shows_as_sequence_gaps(bluez):
    from holdtrack.ble.peripheral import HtpPeripheral

    dev = await HtpPeripheral(adapter="hci1", loss=0.2, seed=3, rate_hz=200.0).start()
    try:
        queue: asyncio.Queue = asyncio.Queue()
        link = DeviceLink("HoldTrack-Sim", queue, _clock(), settings={"rate_hz": 200.0})
        await link.connect()
        await asyncio.sleep(1.5)
        await link.close()
    finally:
        await dev.stop()
    got = {p.seq for p in _data_packets(await _collect(queue))}
    dropped = {s.seq for s in dev.sent if not s.delivered}
    assert dropped and got and not (got & dropped)
    assert got | dropped == {s.seq for s in dev.sent}


async def _until(cond, poll_s: float = 0.02) -> None:
    while not cond():
        await asyncio.sleep(poll_s)


async def test_bad_packets_are_counted_and_the_stream_goes_on(htp_device):
    from holdtrack.protocol import CountingDecoder

    queue: asyncio.Queue = asyncio.Queue()
    link = DeviceLink("HoldTrack-Sim", queue, _clock())
    await link.connect()
    await asyncio.sleep(0.4)
    bad = [b"", b"\x02\x01" + bytes(10), bytes(htp_device.sent[-1].samples.tobytes()), b"\x01\x01" + bytes(11)]
    for payload in bad:
        htp_device.send_raw(payload)
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.4)
    await link.close()
    decoder = CountingDecoder(link.profile.make_decoder(link.settings))
    frames = []
    items = [i for i in await _collect(queue) if isinstance(i, RawPacket)]
    for item in items:
        frames.extend(decoder.feed(item))
    assert decoder.bad_packets == len(bad)
    good = [s for s in htp_device.sent if s.delivered]
    assert len(frames) == len(good) == decoder.packets - len(bad)
    # packets after the bad ones still decode, in order
    assert [f.seq for f in frames] == [s.seq for s in good]
    assert any(i.payload in bad for i in items[len(items) // 4:])
