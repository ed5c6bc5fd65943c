"""Real labelled recordings for the evaluation (``shared/data``): loaders and still-vs-moving scoring.

Each ``eval_*`` function runs :func:`holdtrack.analysis.analyze` on every recording of one dataset and
returns a dict of figures plus per-recording rows. Labels are only used for scoring, never by the detector.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from holdtrack.analysis import analyze
from holdtrack.model import G0, SampleBlock
from holdtrack.sim.evaluation import covered, interval

_REPO = Path(__file__).resolve().parents[1]


def find_data() -> Path | None:
    """``$HOLDTRACK_DATA``, else ``<repo>/../shared/data`` (also from a worktree one level deeper)."""
    env = os.environ.get("HOLDTRACK_DATA")
    for cand in ([Path(env)] if env else []) + [_REPO.parent / "shared" / "data", _REPO.parent.parent / "shared" / "data"]:
        if cand.is_dir():
            return cand.resolve()
    return None


DATA = find_data() or _REPO.parent / "shared" / "data"
HAPT_STATIC = {4: "sitting", 5: "standing", 6: "lying"}
HAPT_WALK = {1: "walking", 2: "upstairs", 3: "downstairs"}


def _run(t: np.ndarray, acc_mps2: np.ndarray, rate: float) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(still periods, holds) as intervals, times since the first sample."""
    r = analyze(SampleBlock(t - t[0], acc_mps2), rate=rate)
    return [interval(s) for s in r.still_periods], [interval(h) for h in r.holds]


def _frac(span: tuple[float, float], iv: Iterable[tuple[float, float]]) -> float:
    return covered(span, iv) / (span[1] - span[0]) if span[1] > span[0] else 0.0


def hapt_experiments(root: Path, limit: int | None = None) -> list[tuple[Path, list[tuple[int, int, int]]]]:
    """[(acc file, [(activity, first sample, last sample), ...])] (0-based, inclusive), in file order."""
    labels: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    for line in (root / "labels.txt").read_text().split("\n"):
        if line.strip():
            e, u, a, s0, s1 = (int(x) for x in line.split())
            labels[(e, u)].append((a, s0 - 1, s1 - 1))
    out = []
    for f in sorted(root.glob("acc_exp*_user*.txt")):
        e, u = int(f.stem[7:9]), int(f.stem[-2:])
        out.append((f, labels[(e, u)]))
    return out[:limit] if limit else out


def eval_hapt(root: Path = DATA / "hapt", limit: int | None = None) -> dict[str, Any]:
    """Static segments (sit/stand/lie) >= 80 % covered by still periods; walking segments > 10 % still."""
    static, walking, rows = [], [], []
    static_hold = static_total = 0.0
    for f, segs in hapt_experiments(root, limit):
        acc = np.loadtxt(f) * G0
        t = np.arange(acc.shape[0]) / 50.0
        still, holds = _run(t, acc, 50.0)
        for a, s0, s1 in segs:
            span = (s0 / 50.0, (s1 + 1) / 50.0)
            if a in HAPT_STATIC:
                static.append(_frac(span, still))
                static_hold += covered(span, holds)
                static_total += span[1] - span[0]
            elif a in HAPT_WALK:
                walking.append(_frac(span, still))
        rows.append({"file": f.name, "holds": len(holds)})
    st, wk = np.array(static), np.array(walking)
    return {
        "experiments": len(rows), "static_segments": int(st.size), "walking_segments": int(wk.size),
        "static_covered_80": float(np.mean(st >= 0.8)) if st.size else None,
        "static_coverage_median": float(np.median(st)) if st.size else None,
        "walking_still_10": float(np.mean(wk > 0.1)) if wk.size else None,
        "walking_still_mean": float(np.mean(wk)) if wk.size else None,
        "static_time_as_hold": static_hold / static_total if static_total else None,
        "holds": int(sum(r["holds"] for r in rows)), "rows": rows,
    }


def eval_st(root: Path = DATA / "st_har_26hz" / "AI_resources" / "HAR" / "dataset") -> dict[str, Any]:
    """Per file: fraction of time still. stationary: >= 80 % still; walking/running: > 10 % still."""
    out: dict[str, Any] = {}
    for label in ("stationary", "walking", "running"):
        fr = []
        holds = 0
        for f in sorted((root / label).glob("*.csv")):
            acc = np.loadtxt(f, delimiter=",") * (G0 / 1000.0)
            t = np.arange(acc.shape[0]) / 26.0
            still, h = _run(t, acc, 26.0)
            fr.append(_frac((0.0, t[-1] + 1 / 26.0), still))
            holds += len(h)
        a = np.array(fr)
        out[label] = {"files": int(a.size), "still_80": float(np.mean(a >= 0.8)), "still_10": float(np.mean(a > 0.1)),
                      "still_median": float(np.median(a)), "holds": holds}
    return out


def _spsw_file(f: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    with open(f, newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    t = np.array([float(r[6]) for r in rows]) / 1000.0
    acc = np.array([[float(x) for x in r[:3]] for r in rows])
    lab = [r[7] for r in rows]
    keep = np.concatenate([[True], np.diff(t) > 0])  # drop duplicate / backwards timestamps
    return t[keep], acc[keep], [x for x, k in zip(lab, keep) if k]


def _bouts(t: np.ndarray, lab: list[str], name: str) -> list[tuple[float, float]]:
    out, start = [], None
    for i, x in enumerate(lab + [""]):
        if x == name and start is None:
            start = i
        elif x != name and start is not None:
            out.append((t[start] - t[0], t[i - 1] - t[0]))
            start = None
    return out


def eval_spsw(root: Path = DATA / "spsw_har" / "DATA", trim_s: float = 0.5, limit: int | None = None) -> dict[str, Any]:
    """SEATED bouts (trimmed ``trim_s`` each side, >= 0.5 s left) coverage; walking/turning still fraction."""
    res: dict[str, Any] = {}
    for dev in ("sp", "sw"):
        files = sorted(root.glob(f"s*/s*_{dev}.csv"))[:limit] if limit else sorted(root.glob(f"s*/s*_{dev}.csv"))
        seated, moving, holds = [], [0.0, 0.0], 0
        for f in files:
            t, acc, lab = _spsw_file(f)
            rate = (len(t) - 1) / (t[-1] - t[0])
            still, h = _run(t, acc, rate)
            holds += len(h)
            for a, b in _bouts(t, lab, "SEATED"):
                if b - a - 2 * trim_s >= 0.5:
                    seated.append(_frac((a + trim_s, b - trim_s), still))
            for name in ("WALKING", "TURNING"):
                for a, b in _bouts(t, lab, name):
                    moving[0] += covered((a, b), still)
                    moving[1] += b - a
        s = np.array(seated)
        res[dev] = {"files": len(files), "seated_bouts": int(s.size),
                    "seated_covered_80": float(np.mean(s >= 0.8)) if s.size else None,
                    "seated_coverage_mean": float(np.mean(s)) if s.size else None,
                    "walking_time_still": float(moving[0] / moving[1]) if moving[1] else None, "holds": holds}
    return res


def eval_gaitmap(root: Path = DATA / "gaitmap_walk" / "example_data") -> dict[str, Any]:
    """Negative control: no hold anywhere in the walking bout (either foot)."""
    raw = np.loadtxt(root / "imu_sample.csv", delimiter=",", skiprows=2)
    out: dict[str, Any] = {}
    for k, side in enumerate(("left", "right")):
        acc = raw[:, [1 + k, 3 + k, 5 + k]]
        t = np.arange(acc.shape[0]) / 204.8
        still, holds = _run(t, acc, 204.8)
        out[side] = {"holds": len(holds), "still_s": sum(b - a for a, b in still), "duration_s": float(t[-1])}
    return out


REAL: dict[str, Callable[..., dict[str, Any]]] = {"hapt": eval_hapt, "st": eval_st, "spsw": eval_spsw,
                                                   "gaitmap": eval_gaitmap}
