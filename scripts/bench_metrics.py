"""Time and compare hold scoring (hold_metrics + score_hold) against an older revision, in one process.

    /work/venv/bin/python scripts/bench_metrics.py RECORDING.htrec [--base REV] [--rounds 5]
    /work/venv/bin/python scripts/bench_metrics.py --simulated [quick|full] [--base REV]

Runs ``analyze`` on the recording (or on the simulated sessions of ``scripts/evaluate.py``) once to capture
the inputs of every hold scored, then scores them all
with this tree's code and with ``REV``'s code (a renamed copy, ``holdtrack_base``, extracted with
``git archive``), alternating rounds so machine load hits both alike. Prints the best total time of each and
the largest relative difference of every metric and of the score.
"""

from __future__ import annotations

import argparse
import importlib
import math
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def capture(sources: list) -> list[tuple]:
    """The (acc, fs, gyro, keywords) of every hold_metrics call made by ``analyze`` of each source."""
    import numpy as np

    import holdtrack.signal.pipeline as pl
    from holdtrack.analysis import analyze

    calls: list[tuple] = []
    orig = pl.hold_metrics

    def record(acc, fs, gyro=None, **kw):
        calls.append((np.array(acc), fs, None if gyro is None else np.array(gyro), kw))
        return orig(acc, fs, gyro, **kw)

    pl.hold_metrics = record
    try:
        for source in sources:
            analyze(source)
    finally:
        pl.hold_metrics = orig
    return calls


def base_package(rev: str, into: Path) -> None:
    """Extract ``rev``'s holdtrack package into ``into``/holdtrack_base with its imports renamed."""
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "holdtrack"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=tar, check=True)
    (into / "holdtrack").rename(into / "holdtrack_base")
    for py in (into / "holdtrack_base").rglob("*.py"):
        text = py.read_text()
        py.write_text(re.sub(r"\bholdtrack(?=[.\s])", "holdtrack_base", text))


def score_all(mods, calls) -> list:
    hm, sh = mods
    return [(m, sh(m)[0]) for m in (hm(a, fs, g, **kw)[0] for a, fs, g, kw in calls)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("recording", nargs="?")
    ap.add_argument("--simulated", choices=("quick", "full"), help="the simulated sessions of scripts/evaluate.py")
    ap.add_argument("--base", default="main", help="git revision to compare with (default main)")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    if args.simulated:
        sys.path.insert(0, str(ROOT / "scripts"))
        from evaluate import session_plan

        from holdtrack.sim import simulate_session

        plan = session_plan(args.simulated == "quick")
        sources = [simulate_session(p["scenario"], **p["kwargs"]) for p in plan]
    elif args.recording:
        sources = [args.recording]
    else:
        ap.error("give a recording or --simulated")
    calls = capture(sources)
    tmp = Path(tempfile.mkdtemp(prefix="bench_metrics_"))
    base_package(args.base, tmp)
    sys.path.insert(0, str(tmp))
    new = (importlib.import_module("holdtrack.signal.metrics").hold_metrics,
           importlib.import_module("holdtrack.signal.score").score_hold)
    old = (importlib.import_module("holdtrack_base.signal.metrics").hold_metrics,
           importlib.import_module("holdtrack_base.signal.score").score_hold)
    best = {"base": math.inf, "this": math.inf}
    first: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, mods in (("base", old), ("this", new)):
            t0 = time.process_time()  # CPU time: waiting for a busy CPU does not count
            out = score_all(mods, calls)
            best[name] = min(best[name], time.process_time() - t0)
            first.setdefault(name, best[name])  # the first round includes FFT plans and windows per new length
            if name == "base":
                ref = out
            else:
                got = out
    dur = sum(a.shape[0] / fs for a, fs, _, _ in calls)
    print(f"{len(calls)} holds, {dur:.0f} s of samples; CPU time of hold_metrics + score_hold over all holds")
    for label, t in (("first round", first), (f"best of {args.rounds}", best)):
        print(f"  {label}: base {args.base} {t['base'] * 1e3:.1f} ms, this tree {t['this'] * 1e3:.1f} ms, "
              f"speed-up x{t['base'] / t['this']:.1f}")
    worst: dict[str, tuple[float, float]] = {}
    for (m0, s0), (m1, s1) in zip(ref, got):
        for k, v0 in list(m0.items()) + [("score", s0)]:
            v1 = s1 if k == "score" else m1.get(k)
            if (v0 is None) != (v1 is None):
                worst[k] = (math.inf, math.inf)
                continue
            if v0 is None:
                continue
            ab = abs(v1 - v0)
            rel = ab / abs(v0) if v0 else (0.0 if ab == 0 else math.inf)
            w = worst.get(k, (0.0, 0.0))
            worst[k] = (max(w[0], rel), max(w[1], ab))
    print("largest difference per metric (relative, absolute):")
    for k, (rel, ab) in worst.items():
        print(f"  {k:28s} {rel:9.2e} {ab:9.2e}")


if __name__ == "__main__":
    main()
