"""``holdtrack simulate [SCENARIO]``: a seeded simulated session, as a .htrec file and its ground truth."""

from __future__ import annotations

import argparse
import json
import os
import sys

from holdtrack.cli._common import positive_float


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", nargs="?", default="plank",
                   help="plank (default), wall-sit, curl, hang, walk, rest, or random:SEED")
    p.add_argument("-o", "--output", metavar="FILE.htrec", help="write the session here (replayable with analyze)")
    p.add_argument("--truth", metavar="FILE.json", help="write the ground truth as JSON here")
    p.add_argument("--json", action="store_true", help="print the ground truth as one JSON object")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--rate", type=positive_float, default=100.0, metavar="HZ", help="sample rate (default 100)")
    p.add_argument("--loss", type=float, default=0.0, help="fraction of notifications lost, 0-0.5 (default 0)")
    p.add_argument("--loss-burst", type=float, default=1.0, metavar="N", help="mean loss burst, packets (default 1)")
    p.add_argument("--jitter", type=float, default=0.002, metavar="S", help="mean delivery jitter, s (default 0.002)")
    p.add_argument("--drift", type=float, default=0.0, metavar="PPM", help="device clock error, ppm (default 0)")
    p.add_argument("--noise", type=float, default=0.01, metavar="M/S2", help="sensor noise RMS (default 0.01)")
    p.add_argument("--upright", action="store_true", help="mount the device upright instead of a seeded random rotation")
    p.add_argument("--samples", action="store_true", help="store samples instead of HTP packets")


def run(args: argparse.Namespace) -> int:
    from holdtrack.errors import ConfigError
    from holdtrack.sim import random_scenario, simulate_session

    scenario = args.scenario
    if scenario.startswith("random:"):
        try:
            scenario = random_scenario(int(scenario.split(":", 1)[1]))
        except ValueError:
            raise ConfigError(f"random scenarios are named random:SEED with an integer SEED, not {args.scenario!r}") from None
    sim = simulate_session(scenario, seed=args.seed, rate_hz=args.rate, loss=args.loss, loss_burst=args.loss_burst,
                           jitter_s=args.jitter, drift_ppm=args.drift, noise_mps2=args.noise,
                           orientation="upright" if args.upright else None, packets=not args.samples)
    truth = sim.truth.to_dict()
    if args.output:
        _write_session(sim, args.output)
    if args.truth:
        _write_atomic(args.truth, (json.dumps(truth, indent=1) + "\n").encode())
    if args.json:
        sys.stdout.write(json.dumps(truth, separators=(",", ":")) + "\n")
    else:
        t = sim.truth
        print(f"{t.params['scenario']}: {t.duration_s:.1f} s at {args.rate:g} Hz, seed {args.seed}, "
              f"{t.packets_sent} packets ({t.packets_lost} lost)" if not args.samples else
              f"{t.params['scenario']}: {t.duration_s:.1f} s at {args.rate:g} Hz, seed {args.seed}, samples")
        for h in t.holds:
            print(f"  hold {h.posture:<10} {h.start_s:7.2f} - {h.end_s:7.2f} s ({h.duration_s:5.1f} s) "
                  f"sway {h.sway_rms_mps2:.3f} m/s², sag {h.sag_deg:.1f}°, ended by {h.ended_by}")
        for a, b, p in t.rests:
            print(f"  rest {p:<10} {a:7.2f} - {b:7.2f} s")
        if args.output:
            print(f"  wrote {args.output}")
    return 0


def _write_session(sim, path: str) -> None:
    """Write the whole session next to ``path`` and rename it into place (nothing half-written)."""
    from holdtrack.session.writer import SessionWriter

    tmp = f"{path}.part"
    try:
        with SessionWriter(tmp, sim.info, source={"kind": "simulator", "format": "simulator", "path": None,
                                                  "params": sim.truth.params}) as w:
            for item in sim.items:
                w.write(item)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_atomic(path: str, data: bytes) -> None:
    tmp = f"{path}.part"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        from holdtrack.errors import InputError

        raise InputError(f"cannot write: {exc.strerror}", path=path) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
