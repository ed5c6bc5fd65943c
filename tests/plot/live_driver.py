"""Run the live window on a simulated plank for a few seconds and print what it did as JSON.

Used by test_live.py in a subprocess (the interactive backend is chosen once per process):
``python -m tests.plot.live_driver SECONDS SPEED`` (updates in a busy loop), ``... paced SECONDS SPEED``
(``holdtrack demo``'s path: LiveDisplay, the source paced with ``sleep=display.sleep``), ``... multi N``.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np


def main(seconds: float, speed: float) -> dict:
    from holdtrack.plot.live import LiveView, live_view_available, open_live_view
    from holdtrack.sim import simulate_session
    from holdtrack.stream import StreamProcessor

    sim = simulate_session("plank", seed=1, rate_hz=100.0)
    proc = StreamProcessor(sim.info)
    available = live_view_available()
    view = open_live_view("plank (simulated)", rate_hz=100.0)
    out: dict = {"available": available, "view": type(view).__name__}
    if not isinstance(view, LiveView):
        return out
    view.attach(proc)
    states, cpu_frames = set(), []
    start = time.monotonic()
    items = iter(sim.items)
    item = next(items)
    while time.monotonic() - start < seconds:
        stream_t = (time.monotonic() - start) * speed
        while item is not None and getattr(item, "host_time_s", 0.0) <= stream_t:
            proc.push(item)
            item = next(items, None)
        before, frames = time.process_time(), view.frames
        view.update(proc.status())
        if view.frames > frames:
            cpu_frames.append(time.process_time() - before)
            states.add(proc.status().state)
        time.sleep(0.001)
    wall = time.monotonic() - start
    px = np.asarray(view.fig.canvas.copy_from_bbox(view.ax.bbox))  # what is on screen in the plot area
    t, _ = view.ring.ordered()
    out.update(frames=view.frames, wall_s=wall, fps=view.frames / wall, full_draws=view.full_draws,
               states=sorted(states), cpu_ms_per_frame=1000 * float(np.median(cpu_frames)) if cpu_frames else None,
               ring_samples=int(t.size), ring_capacity=view.ring.capacity, elapsed_s=proc.status().elapsed_s,
               plot_ink=float(np.mean(px[..., :3].min(axis=-1) < 200)) if px.ndim == 3 else None)
    shot = os.environ.get("HOLDTRACK_LIVE_SCREENSHOT")
    if shot:  # the Agg buffer the window shows
        from PIL import Image

        Image.fromarray(np.asarray(view.fig.canvas.buffer_rgba())).save(shot)
    view.close()
    out["closed"] = view.closed
    return out


def paced_run(seconds: float, speed: float) -> dict:
    """``holdtrack demo``'s loop: every frame's (samples so far, stream time at the right edge)."""
    from holdtrack.cli.live import LiveDisplay
    from holdtrack.sim import simulate_session
    from holdtrack.sources.replay import paced
    from holdtrack.stream import StreamProcessor

    sim = simulate_session("plank", seed=1, rate_hz=100.0)
    proc = StreamProcessor(sim.info)
    display = LiveDisplay("plank (paced)", 100.0, stream=open(os.devnull, "w"))
    view = display._view
    if view is None:
        return {"view": None}
    frames: list[tuple[int, float]] = []
    inner = view._frame

    def frame() -> None:
        inner()
        frames.append((view.ring.count, view.shown_s))

    view._frame = frame
    start, pushes = time.monotonic(), 0
    for item in paced(sim.items, speed=speed, clock=time.monotonic, sleep=display.sleep):
        proc.push(item)
        display.update(proc)
        pushes += 1
        if time.monotonic() - start > seconds:
            break
    display.close()
    return {"view": type(view).__name__, "pushes": pushes, "frames": frames, "closed": view.closed,
            "ring_t_last": float(view.ring.ordered()[0][-1])}


def multi(updates: int) -> dict:
    """``holdtrack record``'s window: two devices, one not connected at first, updated at 10 Hz."""
    from holdtrack.plot.live import open_window
    from holdtrack.sim import simulate_session
    from holdtrack.stream import StreamProcessor

    sims = [simulate_session(s, seed=3, rate_hz=50.0, packets=False) for s in ("plank", "wall-sit")]
    procs = [StreamProcessor(s.info) for s in sims]
    win = open_window(["Polar H10 A1B2", "holdtrack-htp 01"])
    if win is None:
        return {"window": None}
    per = [max(1, len(s.items) // updates) for s in sims]
    for u in range(updates):
        for p, s, k in zip(procs, sims, per):
            for item in s.items[u * k:(u + 1) * k]:
                p.push(item)
        win.update([procs[0].status(), procs[1].status() if u > updates // 3 else None])
        time.sleep(0.1)
    shot = os.environ.get("HOLDTRACK_LIVE_SCREENSHOT")
    if shot:
        win.fig.savefig(shot)
    texts = [t.get_text() for t in win.state_texts]
    out = {"window": type(win).__name__, "frames": win.frames, "states": texts,
           "history": [int(np.isfinite(r.ordered()[1]).sum()) for r in win.rings]}
    win.close()
    out["closed"] = win.closed
    return out


if __name__ == "__main__":
    if sys.argv[1] == "multi":
        print(json.dumps(multi(int(sys.argv[2]))))
    elif sys.argv[1] == "paced":
        print(json.dumps(paced_run(float(sys.argv[2]), float(sys.argv[3]))))
    else:
        print(json.dumps(main(float(sys.argv[1]), float(sys.argv[2]))))
    sys.stdout.flush()
