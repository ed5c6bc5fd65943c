"""Scoring detected holds / still periods against ground truth (used by ``scripts/evaluate.py``).

Pure functions over intervals. Detected items may be result objects with ``start_s`` / ``end_s``
attributes (``Hold``, ``StillPeriod``) or their ``to_dict()`` dicts.

Matching rule: a detected hold matches a true hold when they overlap by at least half of the true
hold's duration; each is used once (largest overlaps first). Unmatched detected holds lying mostly
(> 50 % of their own length) inside a true hold are *splits*; the others are *false holds*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from holdtrack.sim.truth import GroundTruth, TruthHold

Interval = tuple[float, float]


def interval(x: Any) -> Interval:
    """``(start_s, end_s)`` of a result object, a dict with those keys, or a pair."""
    if isinstance(x, dict):
        return float(x["start_s"]), float(x["end_s"])
    if isinstance(x, (tuple, list)):
        return float(x[0]), float(x[1])
    return float(x.start_s), float(x.end_s)


def overlap(a: Interval, b: Interval) -> float:
    """Length of the intersection of two intervals, s."""
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def covered(span: Interval, intervals: Iterable[Interval]) -> float:
    """Seconds of ``span`` covered by the union of ``intervals``."""
    cuts = sorted((max(a, span[0]), min(b, span[1])) for a, b in intervals if b > span[0] and a < span[1])
    total, end = 0.0, span[0]
    for a, b in cuts:
        a = max(a, end)
        if b > a:
            total += b - a
            end = b
    return total


@dataclass(frozen=True)
class HoldOutcome:
    """One true hold and what the detector made of it (errors in s; None when missed)."""

    truth: TruthHold
    detected: Interval | None
    ended_by: str | None = None
    tags: dict[str, Any] = field(default_factory=dict)

    @property
    def start_error_s(self) -> float | None:
        return None if self.detected is None else self.detected[0] - self.truth.start_s

    @property
    def end_error_s(self) -> float | None:
        return None if self.detected is None else self.detected[1] - self.truth.end_s

    @property
    def duration_error(self) -> float | None:
        """Relative duration error, (detected - true) / true."""
        if self.detected is None:
            return None
        return (self.detected[1] - self.detected[0] - self.truth.duration_s) / self.truth.duration_s


@dataclass(frozen=True)
class SessionScore:
    """Outcome of one simulated session."""

    holds: tuple[HoldOutcome, ...]
    false_holds: tuple[Interval, ...]
    splits: tuple[Interval, ...]
    rest_s: float
    rest_as_hold_s: float
    walk_s: float
    walk_as_hold_s: float
    tags: dict[str, Any] = field(default_factory=dict)
    rest_detail: tuple[tuple[str, float, float, float], ...] = ()  # (posture, fidget m/s², rest s, as hold s)


def score_session(truth: GroundTruth, detected_holds: Sequence[Any], tags: dict[str, Any] | None = None) -> SessionScore:
    """Match detected holds to ``truth`` and measure rest / walking time reported as hold."""
    det = [interval(h) for h in detected_holds]
    ended = [h.get("ended_by") if isinstance(h, dict) else getattr(h, "ended_by", None) for h in detected_holds]
    pairs = sorted(((overlap((t.start_s, t.end_s), d), i, j) for i, t in enumerate(truth.holds)
                    for j, d in enumerate(det)), reverse=True)
    used_t: dict[int, int] = {}
    used_d: set[int] = set()
    for ov, i, j in pairs:
        if ov < 0.5 * truth.holds[i].duration_s or i in used_t or j in used_d:
            continue
        used_t[i] = j
        used_d.add(j)
    tg = dict(tags or {})
    outcomes = tuple(HoldOutcome(t, det[used_t[i]] if i in used_t else None,
                                 ended[used_t[i]] if i in used_t else None, tg)
                     for i, t in enumerate(truth.holds))
    true_iv = [(t.start_s, t.end_s) for t in truth.holds]
    false, splits = [], []
    for j, d in enumerate(det):
        if j in used_d:
            continue
        inside = covered(d, true_iv)
        (splits if inside > 0.5 * (d[1] - d[0]) else false).append(d)
    rests = [(a, b) for a, b, _ in truth.rests]
    walks = [(a, b) for k, a, b in truth.segments if k == "walk"]
    seg_params = truth.params.get("segments") or [{}] * len(truth.segments)
    detail = tuple((str(p.get("posture")), float(p.get("fidget_rms_mps2", float("nan"))), b - a, covered((a, b), det))
                   for (k, a, b), p in zip(truth.segments, seg_params) if k == "rest")
    return SessionScore(
        outcomes, tuple(false), tuple(splits),
        rest_s=sum(b - a for a, b in rests), rest_as_hold_s=sum(covered(r, det) for r in rests),
        walk_s=sum(b - a for a, b in walks), walk_as_hold_s=sum(covered(w, det) for w in walks), tags=tg,
        rest_detail=detail,
    )


def _q(x: list[float], q: float) -> float | None:
    return float(np.quantile(np.abs(x), q)) if x else None


def summarize(scores: Sequence[SessionScore], outcomes: Sequence[HoldOutcome] | None = None) -> dict[str, Any]:
    """Figures over sessions (or over a subset of hold ``outcomes``, e.g. one stratum).

    Returns recall, false/split hold counts, rest- and walk-as-hold fractions, boundary error median / p95
    (starts and ends pooled, absolute, s) and the median absolute relative duration error.
    """
    outs = list(outcomes) if outcomes is not None else [o for s in scores for o in s.holds]
    hit = [o for o in outs if o.detected is not None]
    bounds = [e for o in hit for e in (o.start_error_s, o.end_error_s)]
    rest = sum(s.rest_s for s in scores)
    walk = sum(s.walk_s for s in scores)
    return {
        "holds": len(outs),
        "detected": len(hit),
        "recall": len(hit) / len(outs) if outs else None,
        "false_holds": sum(len(s.false_holds) for s in scores),
        "split_holds": sum(len(s.splits) for s in scores),
        "rest_as_hold": sum(s.rest_as_hold_s for s in scores) / rest if rest else None,
        "walk_as_hold": sum(s.walk_as_hold_s for s in scores) / walk if walk else None,
        "start_error_median_s": _q([o.start_error_s for o in hit], 0.5),
        "end_error_median_s": _q([o.end_error_s for o in hit], 0.5),
        "boundary_error_median_s": _q(bounds, 0.5),
        "boundary_error_p95_s": _q(bounds, 0.95),
        "duration_error_median": _q([o.duration_error for o in hit], 0.5),
        "start_bias_s": float(np.median([o.start_error_s for o in hit])) if hit else None,
        "end_bias_s": float(np.median([o.end_error_s for o in hit])) if hit else None,
    }
