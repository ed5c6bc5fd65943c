"""Scoring of detected holds against ground truth (hand-made truths and detections)."""

from __future__ import annotations

import pytest

from holdtrack.sim import Scenario, Segment
from holdtrack.sim.evaluation import covered, score_session, summarize
from holdtrack.sim.truth import build_truth

SC = Scenario("e", (
    Segment("move", 2.0), Segment("hold", 20.0, "plank"), Segment("move", 2.0, "lying"),
    Segment("rest", 10.0, "lying"), Segment("move", 2.0), Segment("hold", 10.0, "curl"),
    Segment("move", 2.0, "standing"), Segment("walk", 6.0, "standing"),
))
TRUTH = build_truth(SC, 54.0)  # holds 2-22 and 36-46, rest 24-34, walk 48-54


def test_truth_intervals():
    assert [(h.start_s, h.end_s, h.ended_by) for h in TRUTH.holds] == [(2.0, 22.0, "motion"), (36.0, 46.0, "motion")]
    assert TRUTH.rests == ((24.0, 34.0, "lying"),)


def test_covered_merges_overlaps():
    assert covered((0, 10), [(1, 3), (2, 4), (8, 20)]) == pytest.approx(5.0)
    assert covered((0, 10), []) == 0.0


def test_perfect_detection():
    s = summarize([score_session(TRUTH, [{"start_s": 2.0, "end_s": 22.0}, {"start_s": 36.0, "end_s": 46.0}])])
    assert s["recall"] == 1.0 and s["false_holds"] == 0 and s["rest_as_hold"] == 0.0
    assert s["boundary_error_median_s"] == 0.0 and s["duration_error_median"] == 0.0


def test_errors_misses_false_holds_and_splits():
    det = [(2.5, 21.0), (25.0, 30.0), (36.0, 39.0), (40.0, 46.0), (49.0, 51.0)]
    sc = score_session(TRUTH, det)
    assert sc.holds[0].start_error_s == pytest.approx(0.5) and sc.holds[0].end_error_s == pytest.approx(-1.0)
    assert sc.holds[1].detected == (40.0, 46.0)  # 6 s of 10 s: matched
    assert sc.splits == ((36.0, 39.0),)
    assert sc.false_holds == ((25.0, 30.0), (49.0, 51.0))
    s = summarize([sc])
    assert s["recall"] == 1.0 and s["false_holds"] == 2 and s["split_holds"] == 1
    assert s["rest_as_hold"] == pytest.approx(0.5) and s["walk_as_hold"] == pytest.approx(2 / 6)
    assert s["duration_error_median"] == pytest.approx((0.075 + 0.4) / 2)


def test_short_overlap_is_a_miss():
    s = summarize([score_session(TRUTH, [(2.0, 11.0)])])
    assert s["recall"] == 0.0 and s["detected"] == 0 and s["split_holds"] == 1
