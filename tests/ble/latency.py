"""Latency/CPU probe of the live path: notification sent -> pipeline state updated.

``measure_latency`` starts its own rig (private bus + bluezoo), a simulated HTP device and a
:class:`~holdtrack.ble.recorder.Recorder` with the real :class:`~holdtrack.stream.StreamProcessor`,
streams for ``seconds`` and reports, per packet, the time from the device's notify call to the moment the
pipeline state includes it (p50/p99/max, ms), plus CPU use of this process (client and device) and of
bluezoo (% of one core). The processor is configured as ``holdtrack record`` configures it
(``defer_s=LIVE_DEFER_S``); since it may hold packets back, "state includes it" is the return of
``status()`` asked right after the push (what a display gets when it asks). Used by ``scripts/ble_latency.py``
and the benchmark.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import numpy as np

from holdtrack.ble.link import DeviceLink
from holdtrack.ble.peripheral import HtpPeripheral
from holdtrack.ble.recorder import Recorder
from holdtrack.model import RawPacket
from holdtrack.protocol import htp
from holdtrack.stream import LIVE_DEFER_S, StreamProcessor
from tests.ble.rig import BluezooRig


class _TimedProcessor:
    """A StreamProcessor that notes when the state includes each data packet (by seq)."""

    def __init__(self, info: Any) -> None:
        self.inner = StreamProcessor(info, defer_s=LIVE_DEFER_S)
        self.done_at: dict[int, float] = {}

    def push(self, item: Any) -> Any:
        out = self.inner.push(item)
        self.inner.status()  # processes any held-back packets: the state now includes this one
        if isinstance(item, RawPacket) and item.characteristic == htp.DATA_UUID and len(item.payload) >= 4:
            self.done_at[int.from_bytes(item.payload[2:4], "little")] = time.monotonic()
        return out

    def status(self) -> Any:
        return self.inner.status()

    def finish(self) -> Any:
        return self.inner.finish()


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _run(rate_hz: float, seconds: float, max_latency_ms: int, zoo_pid: int) -> dict[str, Any]:
    dev = await HtpPeripheral(adapter="hci1", rate_hz=rate_hz).start()
    try:
        t0 = time.monotonic()
        link = DeviceLink("HoldTrack-Sim", asyncio.Queue(), lambda: time.monotonic() - t0,
                          settings={"rate_hz": rate_hz, "max_latency_ms": max_latency_ms})
        timed: list[_TimedProcessor] = []
        rec = Recorder(link, make_processor=lambda info: timed.append(_TimedProcessor(info)) or timed[-1])
        await rec.start()
        cpu0, zoo0, wall0 = time.process_time(), _cpu_s(zoo_pid), time.monotonic()
        await asyncio.sleep(seconds)
        cpu1, zoo1, wall1 = time.process_time(), _cpu_s(zoo_pid), time.monotonic()
        await rec.close()
    finally:
        await dev.stop()
    done = timed[0].done_at
    sent = [p for p in dev.sent if p.delivered]
    lat = np.array([done[p.seq % htp.SEQ_MODULUS] - p.sent_monotonic_s for p in sent if p.seq % htp.SEQ_MODULUS in done])
    wall = wall1 - wall0
    return {
        "rate_hz": rate_hz, "seconds": seconds, "samples_per_packet": dev.batch_size(),
        "packets_sent": len(sent), "packets_processed": int(lat.size),
        "latency_ms": {q: round(float(np.percentile(lat, p)) * 1e3, 3) for q, p in
                       (("p50", 50), ("p99", 99), ("max", 100))} if lat.size else None,
        "cpu_percent": {"client_and_device": round(100 * (cpu1 - cpu0) / wall, 1),
                        "bluezoo": round(100 * (zoo1 - zoo0) / wall, 1)},
    }


def measure_latency(rate_hz: float = 100.0, seconds: float = 5.0, max_latency_ms: int = 100) -> dict[str, Any]:
    """Run the probe once (own rig, own event loop); see the module docstring for the fields."""
    rig = BluezooRig().start()
    try:
        return asyncio.run(_run(rate_hz, seconds, max_latency_ms, rig.zoo.pid))
    finally:
        rig.stop()
