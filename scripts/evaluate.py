"""Accuracy of holdtrack's hold detection (issue #3).

    python scripts/evaluate.py [--quick] [--json] [--no-real] [--write docs/accuracy.md]

(a) Simulated sessions with ground truth (``holdtrack.sim``), fed as HTP packets through the same
``holdtrack.analysis.analyze`` path as live BLE: rates 25-200 Hz, random mountings, sway 0.03-0.5 m/s²,
tremor / fatigue, sag up to 10°, wobbles, packet loss up to 5 % (bursty), jitter, clock drift.
(b) Real labelled recordings in ``shared/data`` (see ``scripts/eval_real.py``).
Everything is seeded: the same command gives the same numbers for the same holdtrack version.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from holdtrack._version import __version__  # noqa: E402
from holdtrack.analysis import analyze  # noqa: E402
from holdtrack.sim import random_scenario, simulate_session  # noqa: E402
from holdtrack.sim.evaluation import HoldOutcome, SessionScore, score_session, summarize  # noqa: E402

RATES = (25.0, 50.0, 100.0, 200.0)
LOSSES = ((0.0, 1.0), (0.01, 1.0), (0.03, 3.0), (0.05, 4.0))
JITTERS = (0.002, 0.005, 0.01)

#: targets from the issue; (key, comparison, threshold)
TARGETS = (
    ("recall", ">=", 0.98), ("false_holds", "<=", 0), ("rest_as_hold", "<=", 0.02),
    ("boundary_error_median_s", "<=", 0.3), ("boundary_error_p95_s", "<=", 1.0), ("duration_error_median", "<=", 0.02),
)

#: targeted cases at the edges of the ranges: (label, hold overrides, session overrides)
STRESS = (
    ("lowest sway 0.03 m/s²", {"sway_rms_mps2": 0.03}, {}),
    ("highest sway 0.5 + strong wobbles", {"sway_rms_mps2": 0.5, "wobbles_s": (5.0, 9.0, 13.0), "wobble_mps2": 1.5,
                                          "wobble_s": 0.8}, {}),
    ("sag 10° + full fatigue", {"sag_deg": 10.0, "fatigue": 1.0, "tremor_rms_mps2": 0.08}, {}),
    ("25 Hz, 5 % bursty loss, 10 ms jitter", {}, {"rate_hz": 25.0, "loss": 0.05, "loss_burst": 4.0, "jitter_s": 0.01}),
)


def session_plan(quick: bool) -> list[dict[str, Any]]:
    """Every simulated session: scenario, simulate_session kwargs and tags (seeded, fixed order)."""
    n_random, stress_seeds, named_rates = (8, 1, (50.0,)) if quick else (40, 3, (50.0, 100.0))
    plan = []
    for i in range(n_random):
        rng = np.random.default_rng(1000 + i)
        loss, burst = LOSSES[(i + i // 4) % len(LOSSES)]  # Latin square over rate x loss (not confounded)
        kw = {"seed": 1000 + i, "rate_hz": RATES[i % 4], "loss": loss, "loss_burst": burst,
              "jitter_s": JITTERS[i % 3], "drift_ppm": float(rng.uniform(-100, 100)),
              "noise_mps2": float(np.exp(rng.uniform(np.log(0.005), np.log(0.05)))), "orientation": "upright" if i % 5 == 4 else None}
        plan.append({"scenario": random_scenario(1000 + i), "kwargs": kw, "group": "random"})
    for name in ("plank", "wall-sit", "curl", "hang", "walk", "rest"):
        for j, rate in enumerate(named_rates):
            plan.append({"scenario": name, "kwargs": {"seed": 1 + j, "rate_hz": rate, "loss": 0.01}, "group": "named"})
    for k, (label, hold_kw, sess_kw) in enumerate(STRESS):
        for j in range(stress_seeds):
            seed = 5000 + 10 * k + j
            kw = {"seed": seed, "rate_hz": 100.0, "loss": 0.01, **sess_kw}
            plan.append({"scenario": random_scenario(seed, n_holds=1, **hold_kw), "kwargs": kw, "group": label})
    return plan


def run_sessions(plan: list[dict[str, Any]], log: Any = None) -> list[SessionScore]:
    scores = []
    for p in plan:
        sim = simulate_session(p["scenario"], **p["kwargs"])
        res = analyze(sim)
        tags = {"group": p["group"], "scenario": sim.truth.params["scenario"], **{
            k: p["kwargs"].get(k) for k in ("seed", "rate_hz", "loss", "jitter_s", "noise_mps2")}}
        scores.append(score_session(sim.truth, res.holds, tags))
        if log:
            s = scores[-1]
            log(f"  {tags['scenario']:>12} seed {tags['seed']} {tags['rate_hz']:g} Hz loss {tags['loss']:g}: "
                f"{sum(o.detected is not None for o in s.holds)}/{len(s.holds)} holds, {len(s.false_holds)} false")
    return scores


def _bin(x: float, edges: tuple[float, ...]) -> str:
    for lo, hi in zip(edges[:-1], edges[1:]):
        if lo <= x <= hi:
            return f"{lo:g}-{hi:g}"
    return "other"


STRATA = {
    "sway m/s²": lambda o: _bin(o.truth.sway_rms_mps2, (0.03, 0.06, 0.15, 0.3, 0.5)),
    "posture": lambda o: o.truth.posture,
    "rate Hz": lambda o: f"{o.tags.get('rate_hz'):g}",
    "packet loss": lambda o: f"{o.tags.get('loss'):g}",
    "sensor noise m/s²": lambda o: _bin(o.tags.get("noise_mps2") or 0.01, (0.005, 0.01, 0.02, 0.05)),
    "sag deg": lambda o: _bin(o.truth.sag_deg, (0, 3, 7, 10)),
    "wobbles": lambda o: str(len(o.truth.wobbles_s)),
    "group": lambda o: o.tags.get("group"),
}


def breakdown(scores: list[SessionScore]) -> dict[str, dict[str, dict[str, Any]]]:
    """Hold-level figures per stratum (recall, boundary and duration errors)."""
    outs = [o for s in scores for o in s.holds]
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for name, key in STRATA.items():
        groups: dict[str, list[HoldOutcome]] = {}
        for o in outs:
            groups.setdefault(str(key(o)), []).append(o)
        table[name] = {g: summarize([], v) for g, v in sorted(groups.items())}
    return table


def rest_breakdown(scores: list[SessionScore]) -> dict[str, dict[str, dict[str, Any]]]:
    """Rest time reported as hold, by rest posture and by micro-motion (fidget) level."""
    rows = [d for s in scores for d in s.rest_detail]
    keys = {"rest posture": lambda d: d[0],
            "rest fidget m/s²": lambda d: "table" if d[0] == "table" else _bin(d[1], (0.005, 0.02, 0.05, 0.1, 0.2))}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, key in keys.items():
        groups: dict[str, list[tuple[str, float, float, float]]] = {}
        for d in rows:
            groups.setdefault(str(key(d)), []).append(d)
        out[name] = {g: {"rests": len(v), "rest_s": round(sum(d[2] for d in v), 1),
                         "rest_as_hold": sum(d[3] for d in v) / sum(d[2] for d in v)} for g, v in sorted(groups.items())}
    return out


def failures(scores: list[SessionScore], worst: int = 10) -> dict[str, list[dict[str, Any]]]:
    """Missed holds, false holds and the largest boundary errors, with the parameters that produced them."""
    def desc(o: HoldOutcome) -> dict[str, Any]:
        t = o.truth
        return {**o.tags, "posture": t.posture, "sway": round(t.sway_rms_mps2, 3), "sag": round(t.sag_deg, 1),
                "fatigue": round(t.fatigue, 2), "wobbles": len(t.wobbles_s), "true": [round(t.start_s, 2), round(t.end_s, 2)],
                "detected": None if o.detected is None else [round(o.detected[0], 2), round(o.detected[1], 2)]}
    outs = [o for s in scores for o in s.holds]
    hit = sorted((o for o in outs if o.detected is not None),
                 key=lambda o: -max(abs(o.start_error_s or 0), abs(o.end_error_s or 0)))
    return {
        "missed": [desc(o) for o in outs if o.detected is None],
        "false_holds": [{**s.tags, "interval": [round(a, 2), round(b, 2)]} for s in scores for a, b in s.false_holds],
        "split_holds": [{**s.tags, "interval": [round(a, 2), round(b, 2)]} for s in scores for a, b in s.splits],
        "worst_boundaries": [desc(o) for o in hit[:worst]],
    }


def check_targets(summary: dict[str, Any]) -> dict[str, bool]:
    ok = {}
    for key, op, thr in TARGETS:
        v = summary.get(key)
        ok[key] = v is not None and (v >= thr if op == ">=" else v <= thr)
    return ok


def real_data(quick: bool, log: Any = None) -> dict[str, Any]:
    import eval_real

    if eval_real.find_data() is None:
        return {"skipped": "shared/data not found (set HOLDTRACK_DATA)"}
    out: dict[str, Any] = {}
    out["hapt"] = eval_real.eval_hapt(limit=6 if quick else None)
    out["hapt"].pop("rows")
    out["st"] = eval_real.eval_st()
    out["spsw"] = eval_real.eval_spsw(limit=20 if quick else None)
    out["gaitmap"] = eval_real.eval_gaitmap()
    if log:
        log("  real data done")
    return out


def evaluate(quick: bool = False, real: bool = True, log: Any = None) -> dict[str, Any]:
    t0 = time.process_time()
    plan = session_plan(quick)
    scores = run_sessions(plan, log)
    summary = summarize(scores)
    out = {"holdtrack_version": __version__, "quick": quick, "sessions": len(scores), "simulated": summary,
           "targets": check_targets(summary), "breakdown": breakdown(scores), "rest_breakdown": rest_breakdown(scores), "failures": failures(scores)}
    if real:
        out["real"] = real_data(quick, log)
    out["cpu_s"] = round(time.process_time() - t0, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer sessions and recordings (about a minute)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--no-real", action="store_true", help="skip the real recordings in shared/data")
    ap.add_argument("--write", metavar="MD", help="write the Markdown report (e.g. docs/accuracy.md)")
    args = ap.parse_args(argv)
    log = (lambda m: print(m, file=sys.stderr)) if not args.json else None
    res = evaluate(args.quick, not args.no_real, log)
    argv_shown = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--json"]
    cmd = "python scripts/evaluate.py" + "".join(f" {a}" for a in argv_shown)
    if args.write:
        from eval_report import markdown

        Path(args.write).write_text(markdown(res, cmd))
    if args.json:
        print(json.dumps(res, indent=1, default=float))
    else:
        from eval_report import markdown

        print(markdown(res, cmd))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
