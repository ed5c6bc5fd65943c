"""Live window benchmark: frames per second, CPU share, input lag and memory at 200 Hz real-time input.

Usage (from the repository root; needs Xvfb and python3-tk)::

    python scripts/bench_live.py                    # 60 s per mode at 200 Hz, real time (about 4-5 minutes)
    python scripts/bench_live.py --seconds 20 --modes none,window
    python scripts/bench_live.py --json live.json   # also the results as JSON ('-' = stdout)

A private Xvfb server is started (``-displayfd``); each mode runs in a fresh interpreter with ``DISPLAY`` on it:

* ``window``: ``holdtrack demo``'s live path, :class:`holdtrack.cli.live.LiveDisplay` (the rolling
  acceleration window) fed by a seeded simulated HTP stream (``scripts/bench_common.py``'s ``Chain``: 200 Hz,
  10 samples per notification) paced at ``--speed`` (1 = real time) by ``holdtrack.sources.replay.paced``.
  The loop's CPU (``time.process_time``) is split into source, pipeline (``StreamProcessor.push``),
  ``status()`` and window (drawing, less ``status()``); every frame's time is kept.
* ``none``: the same loop with ``window=False`` (pipeline only): the baseline of the same run.
* ``replay-window`` / ``replay-none``: the real ``holdtrack replay FILE --speed 1`` (with and without
  ``--no-window``) on a session file of the same stream; CPU of the whole process, start-up included.

For each mode: CPU share of one core (process and, separately, the X server), frames per second and the
longest pause between frames, input lag (when a notification has been processed and drawn, against when
it was due; the first 3 s, with the first full draws, apart), RSS growth. Timing is noisy on a shared
machine: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import inspect
from array import array
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# the holdtrack package measured: this checkout, or another one given by --before (for before/after rows)
sys.path.insert(0, os.environ.get("HOLDTRACK_BENCH_ROOT", str(ROOT)))
sys.path.insert(1, str(ROOT / "scripts"))

MODES = ("none", "window", "replay-none", "replay-window")
#: Seconds at the start kept out of the lag figures (the first full draws), reported apart.
WARMUP_S = 3.0
TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def proc_cpu_s(pid: int) -> float:
    """User + system CPU of process ``pid`` so far, s (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_S


# ------------------------------------------------------------------------------------------ child
def child(mode: str, seconds: float, rate_hz: float, speed: float, fps: float) -> dict[str, Any]:
    """One paced run in this process (``mode`` "window" or "none"); returns the measurements."""
    import holdtrack  # first: scripts/bench_common.py puts this checkout on sys.path, --before wants another

    import bench_common
    from holdtrack.cli.live import LiveDisplay
    from holdtrack.sources.replay import paced
    from holdtrack.stream import StreamProcessor

    chain = bench_common.Chain(rate_hz)
    proc = StreamProcessor(chain.info)
    # --before checkouts may predate LiveDisplay's fps and sleep: then they get their defaults and time.sleep
    extra = {"fps": fps} if "fps" in inspect.signature(LiveDisplay).parameters else {}
    display = LiveDisplay(f"bench {rate_hz:g} Hz", rate_hz, window=mode == "window", stream=open(os.devnull, "w"),
                          **extra)
    display_sleep = getattr(display, "sleep", time.sleep)
    view = display._view
    if mode == "window" and view is None:
        raise SystemExit("no live window (no display or no interactive matplotlib backend)")
    pc = time.process_time
    cpu = {"source": 0.0, "pipeline": 0.0, "window": 0.0, "status": 0.0}
    inner_status = proc.status

    def timed_status():  # the window asks for the status; count it apart from the drawing
        c = pc()
        s = inner_status()
        cpu["status"] += pc() - c
        return s

    proc.status = timed_status  # type: ignore[method-assign]
    # compact records (8 bytes a value): over an hour, lists of floats would grow RSS by ~13 MB themselves
    frame_at, frame_cpu = array("d"), array("d")
    if view is not None:
        inner_frame = view._frame

        def timed_frame() -> None:  # every frame, drawn after a push or while the source waits
            c = pc()
            inner_frame()
            frame_cpu.append(pc() - c)
            frame_at.append(time.monotonic())

        view._frame = timed_frame

    def timed_sleep(seconds: float) -> None:  # the paced source waits: the window draws meanwhile
        c = pc()
        display_sleep(seconds)
        cpu["window"] += pc() - c

    lag_at, lags = array("d"), array("d")  # per notification: s since the start, lag s
    rss: list[tuple[float, float]] = []
    items = iter(paced(chain.packets(seconds), speed=speed, clock=time.monotonic, sleep=timed_sleep))
    origin: tuple[float, float] | None = None
    cpu0, wall0 = pc(), time.monotonic()
    next_rss = 0.0
    while True:
        c, w = pc(), cpu["window"]
        p = next(items, None)
        cpu["source"] += pc() - c - (cpu["window"] - w)
        if p is None:
            break
        if origin is None:
            origin = (p.host_time_s, time.monotonic())
        c = pc()
        proc.push(p)
        c1 = pc()
        display.update(proc)
        cpu["pipeline"] += c1 - c
        cpu["window"] += pc() - c1
        done = time.monotonic()
        lag_at.append(done - wall0)
        lags.append(done - (origin[1] + (p.host_time_s - origin[0]) / speed))
        if done - wall0 >= next_rss:
            rss.append((done - wall0, rss_mb()))
            next_rss += 5.0
    wall = time.monotonic() - wall0
    total = pc() - cpu0
    rss.append((wall, rss_mb()))
    status = inner_status()
    display.close()
    cpu["window"] -= cpu["status"]  # the status the window asked for is counted apart
    at, lag_all = np.asarray(lag_at), np.asarray(lags)
    lag = lag_all[at >= WARMUP_S] if np.any(at >= WARMUP_S) else lag_all  # start-up (first draws) apart
    gaps = np.diff(frame_at) if len(frame_at) > 1 else np.zeros(1)
    half = next(r for t, r in rss if t >= wall / 2)
    out: dict[str, Any] = {
        "mode": mode, "holdtrack": str(Path(holdtrack.__file__).parents[1]), "rate_hz": rate_hz, "speed": speed,
        "wall_s": round(wall, 2),
        "stream_s": round(status.elapsed_s, 2), "notifications": len(lags),
        "cpu_s": {k: round(v, 3) for k, v in cpu.items()} | {"loop_total": round(total, 3)},
        "cpu_share": {k: round(v / wall, 4) for k, v in cpu.items()} | {"loop_total": round(total / wall, 4)},
        "lag_ms": {"median": round(1e3 * float(np.median(lag)), 1), "p99": round(1e3 * float(np.percentile(lag, 99)), 1),
                   "max": round(1e3 * float(lag.max()), 1), "last": round(1e3 * float(lag[-1]), 1),
                   "max_startup": round(1e3 * float(lag_all[at < WARMUP_S].max(initial=0.0)), 1)},
        "rss_mb": {"start": round(rss[0][1], 1), "half": round(half, 1), "end": round(rss[-1][1], 1),
                   "growth_mb_per_h": round((rss[-1][1] - half) * 3600 / max(wall / 2, 1.0) / speed, 2),
                   "every_5min": [round(r, 1) for t, r in rss if t % 300.0 < 5.0]},
    }
    if view is not None:
        out["frames"] = view.frames
        out["fps"] = round(view.frames / wall, 1)
        out["frame_gap_ms"] = {"median": round(1e3 * float(np.median(gaps)), 1),
                               "p95": round(1e3 * float(np.percentile(gaps, 95)), 1),
                               "max": round(1e3 * float(gaps.max()), 1)}
        out["frame_cpu_ms"] = {"mean": round(1e3 * float(np.mean(frame_cpu)), 2),
                               "median": round(1e3 * float(np.median(frame_cpu)), 2),
                               "p95": round(1e3 * float(np.percentile(frame_cpu, 95)), 2)}
        out["frames_cpu_s"] = round(float(np.sum(frame_cpu)), 3)
        out["full_draws"] = view.full_draws
        out["ring_kb"] = round(view.ring.nbytes / 1e3, 1)
    return out


# ------------------------------------------------------------------------------------------ parent
class Xvfb:
    """A private X server on a free display number (chosen by Xvfb via ``-displayfd``)."""

    def __init__(self) -> None:
        r, w = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                                     pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as f:
            number = f.readline().strip()
        if not number:
            raise SystemExit("Xvfb did not start")
        self.display = f":{number}"

    def cpu_s(self) -> float:
        return proc_cpu_s(self.proc.pid)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def run_mode(mode: str, args: argparse.Namespace, x: Xvfb, session: Path | None, root: Path = ROOT) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "MPLBACKEND")}
    env.update(DISPLAY=x.display, PYTHONPATH=str(root), HOLDTRACK_BENCH_ROOT=str(root))
    if mode.startswith("replay"):
        cmd = [sys.executable, "-m", "holdtrack", "replay", str(session), "--speed", str(args.speed)]
        cmd += ["--no-window"] if mode == "replay-none" else []
    else:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--seconds", str(args.seconds),
               "--rate", str(args.rate), "--speed", str(args.speed), "--fps", str(args.fps)]
    load = [round(v, 2) for v in os.getloadavg()]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    xcpu, t0 = x.cpu_s(), time.monotonic()
    out = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    xcpu = x.cpu_s() - xcpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode:
        raise SystemExit(f"{mode} failed: {out.stderr.strip()[-2000:]}")
    row: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1]) if not mode.startswith("replay") else {
        "mode": mode, "rate_hz": args.rate, "speed": args.speed}
    proc_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    row["process"] = {"wall_s": round(wall, 2), "cpu_s": round(proc_cpu, 3), "cpu_share": round(proc_cpu / wall, 4),
                      "xvfb_cpu_s": round(xcpu, 3), "xvfb_share": round(xcpu / wall, 4), "load_start": load}
    print(f"  {mode}: {row}", file=sys.stderr)
    return row


def summary(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the window adds over the pipeline alone, and the issue #7 targets."""
    s: dict[str, Any] = {}
    w, n = rows.get("window"), rows.get("none")
    if w:
        s["window_draw_share"] = w["cpu_share"]["window"]
        s["fps"] = w["fps"]
        if n:
            s["window_minus_none_share"] = round(w["cpu_share"]["loop_total"] - n["cpu_share"]["loop_total"], 4)
        s["target_cpu_met"] = w["cpu_share"]["window"] + w["cpu_share"]["status"] < 0.30
        s["target_fps_met"] = w["fps"] >= 20.0 * 0.95
        s["kept_up"] = w["lag_ms"]["p99"] < 100.0 and w["lag_ms"]["last"] < 100.0
    rw, rn = rows.get("replay-window"), rows.get("replay-none")
    if rw and rn:
        s["replay_window_minus_none_share"] = round(rw["process"]["cpu_share"] - rn["process"]["cpu_share"], 4)
    return s


def print_table(r: dict[str, Any]) -> None:
    m = r["machine"]
    print(f"machine: {m['nproc']} x {m['cpu']}; Python {m['python']}; load average {m['loadavg']} at {m['utc']}, "
          f"{r['machine']['loadavg_end']} at the end")
    print(f"input: simulated HTP stream, {r['rate_hz']:g} Hz, 10 samples per notification, speed {r['speed']:g}, "
          f"{r['seconds']:g} s per mode\n")
    print(f"{'mode':<21} {'fps':>5} {'gap p95':>8} {'ms/frame':>9} {'window':>7} {'status':>7} {'pipeline':>9} "
          f"{'loop':>6} {'process':>8} {'Xvfb':>6} {'lag p99':>8} {'RSS MB':>13}")
    for mode, w in r["rows"].items():
        pr = w["process"]
        share = w.get("cpu_share", {})

        def pct(key: str) -> str:
            return f"{100 * share[key]:.1f}%" if key in share else "-"

        rss = w.get("rss_mb")
        rss_text = f"{rss['half']}->{rss['end']}" if rss else "-"
        print(f"{mode:<21} {w.get('fps', '-'):>5} {w.get('frame_gap_ms', {}).get('p95', '-'):>8} "
              f"{w.get('frame_cpu_ms', {}).get('median', '-'):>9} {pct('window'):>7} {pct('status'):>7} "
              f"{pct('pipeline'):>9} {pct('loop_total'):>6} {100 * pr['cpu_share']:>7.1f}% {100 * pr['xvfb_share']:>5.1f}% "
              f"{w.get('lag_ms', {}).get('p99', '-'):>8} {rss_text:>13}")
    print("\nwindow / status / pipeline / loop: CPU share of one core inside the paced loop (window = drawing;\n"
          "status = proc.status() asked by the window); process: the whole interpreter, start-up included;\n"
          "Xvfb: the X server; gap p95: 95th percentile time between frames, ms; lag p99: input lag, ms.")
    for k, v in r["summary"].items():
        print(f"  {k}: {v}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="stream length per mode, s (default 60)")
    ap.add_argument("--rate", type=float, default=200.0, help="sample rate, Hz (default 200)")
    ap.add_argument("--speed", type=float, default=1.0, help="playback speed, 1 = real time (default)")
    ap.add_argument("--fps", type=float, default=25.0, help="the window's most frames per second (default 25)")
    ap.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, from {', '.join(MODES)}")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON ('-' = stdout)")
    ap.add_argument("--before", metavar="DIR", type=Path,
                    help="another checkout (e.g. of main): each mode also runs on its holdtrack, interleaved "
                         "with this one (rows MODE@before)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.seconds, args.rate, args.speed, args.fps)))
        return 0
    import bench_common

    modes = [m for m in args.modes.split(",") if m]
    if unknown := set(modes) - set(MODES):
        ap.error(f"unknown modes {sorted(unknown)}")
    r: dict[str, Any] = {"machine": bench_common.machine(), "rate_hz": args.rate, "speed": args.speed, "seconds": args.seconds}
    x = Xvfb()
    try:
        with tempfile.TemporaryDirectory(prefix="holdtrack-bench-live-") as tmp:
            session = None
            if any(m.startswith("replay") for m in modes):
                session = Path(tmp) / "live.htrec"
                bench_common.write_session(bench_common.Chain(args.rate), args.seconds, session)
            r["rows"] = {}
            for m in modes:
                if args.before:
                    r["rows"][f"{m}@before"] = run_mode(m, args, x, session, args.before.resolve())
                r["rows"][m] = run_mode(m, args, x, session)
    finally:
        x.close()
    r["machine"]["loadavg_end"] = [round(v, 2) for v in os.getloadavg()]
    r["summary"] = summary(r["rows"])
    print_table(r)
    if args.json:
        bench_common.write_json(r, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
