"""The live path into the real StreamProcessor: sample times, loss, link loss -> gap + signal loss."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from holdtrack.ble.link import DeviceLink
from holdtrack.ble.peripheral import HtpPeripheral
from holdtrack.ble.recorder import Recorder
from holdtrack.model import G0, RawPacket, SampleBlock
from holdtrack.protocol import CountingDecoder, get_profile
from holdtrack.signal.clock import ClockModel
from holdtrack.stream import StreamProcessor
from tests.ble.rig import drop_link

pytestmark = [pytest.mark.ble, pytest.mark.asyncio]


def move_then_hold(t_s: np.ndarray) -> np.ndarray:
    """1.5 s of vigorous motion, then a steady hold (sway + tremor), gravity on z; m/s², (n, 3)."""
    t = np.asarray(t_s, dtype=np.float64)
    acc = np.zeros((t.size, 3))
    acc[:, 2] = G0
    moving = t < 1.5
    acc[moving, 0] += 4.0 * np.sin(2 * np.pi * 1.3 * t[moving])
    acc[moving, 1] += 3.0 * np.sin(2 * np.pi * 2.1 * t[moving] + 0.5)
    acc[~moving, 0] += 0.12 * np.sin(2 * np.pi * 0.6 * t[~moving]) + 0.05 * np.sin(2 * np.pi * 9.0 * t[~moving])
    acc[~moving, 1] += 0.08 * np.sin(2 * np.pi * 0.4 * t[~moving])
    return acc


def _clock():
    t0 = time.monotonic()
    return lambda: time.monotonic() - t0


def _drain(queue: asyncio.Queue) -> list:
    out = []
    while not queue.empty():
        out.append(queue.get_nowait())
    return out


@pytest.mark.parametrize("loss", [0.0, 0.15])
async def test_sample_times_follow_the_device_clock(bluez, loss):
    dev = await HtpPeripheral(adapter="hci1", loss=loss, seed=7, clock_offset_us=(1 << 32) - 700_000).start()
    try:
        queue: asyncio.Queue = asyncio.Queue()
        link = DeviceLink("HoldTrack-Sim", queue, _clock(), settings={"rate_hz": 100.0})
        await link.connect()
        await asyncio.sleep(2.0)  # the device's u32 µs clock wraps 0.7 s in
        await link.close()
    finally:
        await dev.stop()
    decoder = CountingDecoder(get_profile("holdtrack").make_decoder(link.settings))
    clock = ClockModel(100.0)
    blocks = [clock.push(f) for i in _drain(queue) if isinstance(i, RawPacket) for f in decoder.feed(i)]
    got = SampleBlock.concatenate(blocks)
    delivered = [p for p in dev.sent if p.delivered]
    sent_t = np.concatenate([p.t0_us + np.arange(len(p.samples)) * 1e4 for p in delivered])
    sent_t = np.unwrap(sent_t * 2 * np.pi / 2**32) * 2**32 / (2 * np.pi)  # undo the u32 wrap
    assert decoder.bad_packets == 0
    assert len(got) == len(sent_t) >= 100
    np.testing.assert_allclose(got.t_s - got.t_s[0], (sent_t - sent_t[0]) * 1e-6, atol=2e-3)
    np.testing.assert_array_equal(
        np.rint(got.acc_mps2 / G0 * 4096).astype(int), np.concatenate([p.samples for p in delivered]))
    assert clock.lost_packets == sum(not p.delivered for p in dev.sent[: delivered[-1].seq + 1])
    if loss:
        assert clock.lost_packets > 0


async def test_link_loss_during_a_hold_is_a_gap_and_ends_it_by_signal_loss(bluez):
    dev = await HtpPeripheral(adapter="hci1", signal=move_then_hold).start()
    try:
        link = DeviceLink("HoldTrack-Sim", asyncio.Queue(), _clock(), backoff_s=(0.3, 1.0))
        rec = Recorder(link, make_processor=StreamProcessor)
        await rec.start()
        stop = asyncio.Event()
        runner = asyncio.create_task(rec.run(stop))
        await asyncio.sleep(7.5)
        assert rec.status().state == "holding"
        await drop_link(dev)
        await asyncio.sleep(1.0)
        await asyncio.wait_for(link.connected.wait(), 10)
        await asyncio.sleep(1.0)
        stop.set()
        await runner
        summary = await rec.close()
    finally:
        await dev.stop()
    assert dev.commands[-1] == bytes([0x03])  # STOP on shutdown
    assert [e.kind for e in summary.events] == ["link_lost", "reconnected"]
    assert (summary.link_losses, summary.reconnects) == (1, 1)
    result = summary.result
    lost_at = summary.events[0].host_time_s
    back_at = summary.events[1].host_time_s
    assert any(not g.bridged and g.duration_s >= 0.8 * (back_at - lost_at) for g in result.gaps), result.gaps
    first = result.holds[0]
    assert first.ended_by == "signal_loss"
    assert first.duration_s >= 4.0
    assert result.bad_packets == 0
