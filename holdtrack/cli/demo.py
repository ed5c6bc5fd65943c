"""``holdtrack demo``: a simulated plank session through the whole live path, no hardware needed.

The simulator (:mod:`holdtrack.sim`) produces the notifications a holdtrack-profile wearable would send
(encoded with the real HTP codec, with BLE delivery jitter); they are paced as if live, recorded to a
session file, decoded, timed and analysed by the same :class:`~holdtrack.stream.StreamProcessor` that
``record`` uses, shown live, and finally plotted as a hold graph.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from holdtrack.cli._common import positive_float


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-window", action="store_true", help="terminal status line instead of the live plot window")
    p.add_argument("--output", default="holdtrack-demo", metavar="DIR",
                   help="folder for the session file and the hold graph (default: ./holdtrack-demo)")
    p.add_argument("--speed", type=positive_float, default=6.0, metavar="X",
                   help="how much faster than real time to stream the 2-minute session (default 6)")
    p.add_argument("--seed", type=int, default=1, help="simulator seed (default 1)")
    p.add_argument("--rate", type=positive_float, default=100.0, metavar="HZ", help="sample rate (default 100)")
    p.add_argument("--scenario", default="plank", help="simulated scenario: plank (default), wall-sit, curl, hang")


def run(args: argparse.Namespace) -> int:
    from holdtrack.cli.analyze import format_table
    from holdtrack.cli.live import LiveDisplay
    from holdtrack.session import SessionWriter
    from holdtrack.sim import SCENARIOS, simulate_session
    from holdtrack.errors import ConfigError
    from holdtrack.sources.replay import paced
    from holdtrack.stream import LIVE_DEFER_S, StreamProcessor

    if args.scenario not in SCENARIOS:
        raise ConfigError(f"unknown scenario {args.scenario!r}; choose from {', '.join(sorted(SCENARIOS))}")
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    session_path = out / f"demo-{args.scenario}.htrec"
    graph_path = out / f"demo-{args.scenario}.png"

    sim = simulate_session(args.scenario, seed=args.seed, rate_hz=args.rate)
    info = sim.info
    info.path = str(session_path)
    print(f"holdtrack demo: simulated '{args.scenario}' session, {sim.truth.duration_s:.0f} s at {args.rate:g} Hz, "
          f"streamed {args.speed:g}x faster than real time through the live path", file=sys.stderr)
    proc = StreamProcessor(info, trace=True, defer_s=LIVE_DEFER_S)
    display = LiveDisplay(title=f"holdtrack demo — {args.scenario}", rate_hz=args.rate, window=not args.no_window)
    with SessionWriter(session_path, info, source={"kind": "simulator", "scenario": args.scenario, "seed": args.seed}) as writer:
        for item in paced(sim.items, speed=args.speed, clock=time.monotonic, sleep=display.sleep, max_wait_s=2.0):
            writer.write(item)
            proc.push(item)
            display.update(proc)
    display.close()
    result = proc.finish()
    result.input_path = str(session_path)

    print(format_table(result))
    print("  simulator ground truth:")
    for i, h in enumerate(sim.truth.holds, 1):
        print(f"  {i:>3} {h.start_s:8.1f} {h.end_s:8.1f} {h.end_s - h.start_s:10.1f}         {h.posture}, "
              f"sway {h.sway_rms_mps2:.2f} m/s²")
    print(f"session file: {session_path}   (try: holdtrack replay {session_path})")
    from holdtrack.plot.holds import plot_session, save_figure

    save_figure(plot_session(result), graph_path)
    print(f"hold graph:   {graph_path}")
    return 0
