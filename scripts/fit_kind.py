"""Fit the hold/rest logistic model of ``holdtrack.signal.classify`` on simulated sessions.

    python scripts/fit_kind.py [--seeds 7000:7400] [--l2 0.1]

Training seeds 7000-7399 are disjoint from every seed the evaluation uses (``scripts/evaluate.py``: 1000-1039,
5000-5032, 1-2; ``tests/eval``: 200-205, 301-302), so the evaluation is not scored on training data. Each
session: a random scenario at 25/50/100/200 Hz, random mounting, sensor noise log-uniform 0.005-0.05 m/s²,
analysed as one block; every still period >= 2 s is labelled by the truth segment it overlaps most and its
``kind_features`` are computed on the pipeline's own grid samples (``analyze(trace=True)``). Prints the
coefficients to paste into ``classify.py``, the training confusion, and the share of real HAPT static
segments (sitting/standing/lying, which are rest) the fitted model calls hold.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from holdtrack.analysis import analyze  # noqa: E402
from holdtrack.model import G0  # noqa: E402
from holdtrack.signal.classify import kind_features  # noqa: E402
from holdtrack.sim import random_scenario, simulate_session  # noqa: E402
from holdtrack.sim.evaluation import overlap  # noqa: E402
from holdtrack.sources.base import ListSource  # noqa: E402

RATES = (25.0, 50.0, 100.0, 200.0)


def training_set(seeds: range) -> tuple[np.ndarray, np.ndarray]:
    """Features (m, 2) and labels (m,) (1 = hold) of the still periods of the simulated sessions."""
    X, y = [], []
    for s in seeds:
        rng = np.random.default_rng(s)
        sim = simulate_session(random_scenario(s), seed=s, rate_hz=RATES[s % 4], packets=False,
                               noise_mps2=float(np.exp(rng.uniform(np.log(0.005), np.log(0.05)))))
        res = analyze(ListSource(sim.info, [sim.signal]), trace=True)
        tr = res.trace
        for sp in res.still_periods:
            ov = {k: 0.0 for k in ("hold", "rest")}
            for k, a, b in sim.truth.segments:
                if k in ov:
                    ov[k] += overlap((sp.start_s, sp.end_s), (a, b))
            if max(ov.values()) <= 0.5 * (sp.end_s - sp.start_s):
                continue  # mostly a transition: no label
            sel = (tr.t_s >= sp.start_s) & (tr.t_s < sp.end_s)
            X.append(kind_features(tr.acc_mps2[sel], tr.rate_hz))
            y.append(1.0 if ov["hold"] > ov["rest"] else 0.0)
    return np.asarray(X), np.asarray(y)


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """(intercept, coefficients...) minimising the logistic loss + ``l2`` * |coefficients|²."""
    A = np.column_stack([np.ones(len(X)), X])

    def loss(w: np.ndarray) -> float:
        z = A @ w
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + l2 * np.sum(w[1:] ** 2))

    return minimize(loss, np.zeros(A.shape[1]), method="BFGS").x


def hapt_as_hold(w: np.ndarray) -> dict[str, float]:
    import eval_real

    root = eval_real.DATA / "hapt"
    z: dict[int, list[float]] = {a: [] for a in eval_real.HAPT_STATIC}
    for f, segs in eval_real.hapt_experiments(root):
        acc = np.loadtxt(f) * G0
        for a, s0, s1 in segs:
            if a in z and s1 - s0 > 300:
                z[a].append(float(w[0] + w[1:] @ np.asarray(kind_features(acc[s0:s1 + 1], 50.0))))
    return {eval_real.HAPT_STATIC[a]: float(np.mean(np.asarray(v) > 0)) for a, v in z.items() if v}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="7000:7400")
    ap.add_argument("--l2", type=float, default=0.1)
    args = ap.parse_args()
    a, b = (int(v) for v in args.seeds.split(":"))
    X, y = training_set(range(a, b))
    w = fit_logistic(X, y, args.l2)
    pred = (w[0] + X @ w[1:]) > 0
    print(f"{len(y)} still periods ({int(y.sum())} hold, {int((1 - y).sum())} rest) from seeds {a}-{b - 1}")
    print(f"B0, B_SHAPE, B_TREMOR = {w[0]:.2f}, {w[1]:.2f}, {w[2]:.2f}")
    print(f"training: holds called rest {int(np.sum(~pred & (y == 1)))}, rests called hold {int(np.sum(pred & (y == 0)))}")
    print("real HAPT static segments called hold:", {k: round(v, 3) for k, v in hapt_as_hold(w).items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
