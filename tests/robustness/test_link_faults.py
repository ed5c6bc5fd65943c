"""Faults on the way in: repeated link losses lose nothing outside the outages; a recording killed at a
random moment (the live ``record`` path: writer + stream processor per item) leaves an analysable file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from holdtrack.analysis import analyze
from holdtrack.model import LinkEvent, RawPacket
from holdtrack.protocol import htp
from holdtrack.session import read_session
from holdtrack.sim import simulate_session
from holdtrack.stream import StreamProcessor

REPO = Path(__file__).resolve().parents[2]
OUTAGES = [(8.0, 0.8), (21.0, 3.0), (35.5, 1.2), (50.0, 6.0), (71.0, 0.6), (90.0, 2.5)]


def _samples(p: RawPacket) -> int:
    return htp.HEADER.unpack_from(p.payload)[6]


@pytest.mark.parametrize("seed", [3, 4])
def test_repeated_link_losses_lose_no_sample_outside_the_outages(seed: int) -> None:
    rate = 50.0
    sim = simulate_session("plank", seed=seed, rate_hz=rate, outages=OUTAGES, jitter_s=0.004)
    packets = [it for it in sim.items if isinstance(it, RawPacket)]
    assert sum(isinstance(it, LinkEvent) and it.kind == "link_lost" for it in sim.items) == len(OUTAGES)
    proc = StreamProcessor(sim.info)
    proc.push_all(sim.items)
    res = proc.finish()
    delivered = sum(_samples(p) for p in packets)
    # every delivered sample reaches the analysed signal: nothing dropped, nothing invented
    assert proc.clock.samples == delivered and res.samples == delivered and res.dropped_samples == 0
    assert res.packets + res.lost_packets == sim.truth.packets_sent  # outage packets counted as lost, no more
    # every sample the device produced outside the outages was delivered (a packet straddling an
    # outage edge may be lost whole: allow one packet per edge)
    t = sim.signal.t_s - sim.signal.t_s[0]
    inside = np.zeros(t.size, dtype=bool)
    for a, d in OUTAGES:
        inside |= (t >= a) & (t < a + d)
    per = int(sim.info.settings["samples_per_packet"])
    outside = int((~inside).sum())
    assert delivered <= t.size
    assert outside - 2 * per * len(OUTAGES) <= delivered, (outside, delivered)
    # the analysed time axis: one gap per outage, each covering it, and no other gaps
    assert len(res.gaps) == len(OUTAGES), [(g.start_s, g.end_s) for g in res.gaps]
    for g, (a, d) in zip(res.gaps, OUTAGES):
        assert g.start_s <= a + 0.2 and g.end_s >= a + d - 0.2, (g, a, d)


LIVE = textwrap.dedent("""
    import sys, time
    from holdtrack.model import RawPacket
    from holdtrack.session import SessionWriter
    from holdtrack.sim import simulate_session
    from holdtrack.stream import StreamProcessor

    sim = simulate_session("plank", seed=int(sys.argv[2]), rate_hz=100.0, loss=0.02, outages=[(1.0, 0.4)])
    proc = StreamProcessor(sim.info)
    w = SessionWriter(sys.argv[1], sim.info, clock=time.monotonic)  # as `holdtrack record` builds it
    t0 = time.monotonic()
    for item in sim.items:             # items arrive in real time, then go to writer and processor
        t = getattr(item, "host_time_s", 0.0)
        time.sleep(max(0.0, t - (time.monotonic() - t0)))
        if isinstance(item, RawPacket):
            w.write_packet(item)
        else:
            w.write_event(item)
        proc.push(item)
        print(repr(t), flush=True)     # handed over to the writer and the live analysis
""")


@pytest.mark.parametrize("seed", [11, 12])
def test_live_recording_killed_at_random_is_analysable_and_loses_at_most_one_second(tmp_path, seed: int) -> None:
    path = tmp_path / "live.htrec"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen([sys.executable, "-c", LIVE, str(path), str(seed)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first, proc.stderr.read() if proc.stderr else ""
        time.sleep(random.Random(seed).uniform(1.5, 4.0))  # after the outage (at 1 s of stream time) or during
    finally:
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    handed = [float(first)] + [float(x) for x in out.split()]
    src = read_session(path)  # strict: must read without salvage
    items = src.read_all()
    assert not src.ended_cleanly
    got = [it.host_time_s for it in items]
    assert got == handed[: len(got)]
    assert len(got) >= len([t for t in handed if t < handed[-1] - 1.0])
    res = analyze(path)  # the whole analysis runs on the killed file
    assert res.samples == sum(_samples(p) for p in items if isinstance(p, RawPacket))
    assert res.samples > 0 and any("abrupt" in n for n in res.notes), res.notes
