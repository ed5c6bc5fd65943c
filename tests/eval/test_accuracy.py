"""Regression pins for hold-detection accuracy on a small, fast subset of ``scripts/evaluate.py``.

The figures were measured on this subset (see docs/accuracy.md for the full run) and are pinned with
margins: a detector change that makes them worse fails here. Tighten them when the detector improves;
known failures pinned as they are today are marked "KNOWN".
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from holdtrack.analysis import analyze
from holdtrack.sim import random_scenario, simulate_session
from holdtrack.sim.evaluation import score_session, summarize
from holdtrack.sources.base import ListSource

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import eval_real  # noqa: E402

DATA = eval_real.find_data()
needs_data = pytest.mark.skipif(DATA is None, reason="shared/data not found beside the repository (set HOLDTRACK_DATA)")


@pytest.fixture(scope="module")
def subset() -> list:
    """Six random sessions, 25-200 Hz, random mountings, analysed as one block each (fast path)."""
    scores = []
    for i, rate in enumerate((25.0, 50.0, 100.0, 200.0, 50.0, 100.0)):
        sim = simulate_session(random_scenario(200 + i), seed=200 + i, rate_hz=rate, packets=False)
        scores.append(score_session(sim.truth, analyze(ListSource(sim.info, [sim.signal])).holds))
    return scores


def test_subset_recall_and_false_holds(subset):
    s = summarize(subset)
    assert s["holds"] == 13
    assert s["recall"] == 1.0  # measured 13/13
    assert s["split_holds"] == 0
    assert s["false_holds"] == 0  # measured 0 (5-6 before the 8-pole tremor band, 223ccb9)


def test_subset_boundaries_and_duration(subset):
    s = summarize(subset)
    assert s["boundary_error_median_s"] <= 0.15  # measured 0.06 s
    assert s["boundary_error_p95_s"] <= 0.9  # measured 0.64 s (0.17 s before the tremor-band hold/rest rule)
    assert s["duration_error_median"] <= 0.01  # measured 0.27 %


def test_subset_rest_as_hold(subset):
    s = summarize(subset)
    assert s["rest_as_hold"] <= 0.02  # measured 0 % (45 % before 223ccb9), target 2 %
    assert s["walk_as_hold"] == 0.0
    table = [d for sc in subset for d in sc.rest_detail if d[0] == "table"]
    assert table and all(as_hold == 0.0 for *_, as_hold in table)  # a device set down is never a hold


def test_packet_path_with_loss_drift_and_jitter():
    scores = []
    for seed in (301, 302):
        sim = simulate_session(random_scenario(seed, n_holds=1), seed=seed, rate_hz=25.0, loss=0.03, loss_burst=2.0,
                               samples_per_packet=25, jitter_s=0.005, drift_ppm=80)
        assert sim.truth.packets_lost > 0
        scores.append(score_session(sim.truth, analyze(sim).holds))
    s = summarize(scores)
    assert s["recall"] == 1.0 and s["split_holds"] == 0
    assert s["false_holds"] == 0  # measured 0
    assert s["boundary_error_median_s"] <= 0.25  # measured 0.08 s


def test_noisy_25hz_sensor_rest_is_not_hold():
    """A noisy sensor (0.04 m/s² per axis) at 25 Hz: no tremor band above the noise, rests must stay rest.

    Before the spectral hold/rest classifier this gave 10 false holds (99.9 % of the rest time as hold).
    """
    scores = []
    for seed in range(401, 409):
        sim = simulate_session(random_scenario(seed), seed=seed, rate_hz=25.0, noise_mps2=0.04, packets=False)
        scores.append(score_session(sim.truth, analyze(ListSource(sim.info, [sim.signal])).holds))
    s = summarize(scores)
    assert s["holds"] == 14 and sum(sc.rest_s for sc in scores) > 150
    assert s["false_holds"] == 0 and s["rest_as_hold"] <= 0.02  # measured 0 and 0 %
    assert s["recall"] >= 13 / 14  # measured 14/14


@needs_data
def test_hapt_static_still_walking_not():
    r = eval_real.eval_hapt(DATA / "hapt", limit=3)
    assert r["static_segments"] == 18 and r["walking_segments"] == 29
    assert r["static_covered_80"] >= 0.88  # measured 94.4 % (17 of 18)
    assert r["walking_still_10"] <= 0.04  # measured 0 %
    assert r["static_time_as_hold"] <= 0.1  # measured 0 % (94 % before the spectral hold/rest classifier)


@needs_data
def test_st_walking_and_running_have_no_still_and_no_holds():
    r = eval_real.eval_st(DATA / "st_har_26hz" / "AI_resources" / "HAR" / "dataset")
    for label in ("walking", "running"):
        assert r[label]["holds"] == 0 and r[label]["still_10"] == 0.0
    assert r["stationary"]["still_10"] >= 0.95  # measured 100 %
    assert r["stationary"]["still_80"] >= 0.65  # measured 72 % (10 files contain posture changes, see its README)
    assert r["stationary"]["holds"] <= 4  # measured 0 (32 before the spectral hold/rest classifier)


@needs_data
def test_gaitmap_walking_bout_has_no_hold():
    r = eval_real.eval_gaitmap(DATA / "gaitmap_walk" / "example_data")
    assert r["left"]["holds"] == 0 and r["right"]["holds"] == 0
