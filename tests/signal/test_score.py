"""score_hold: the mapping, its anchors and its monotonicity."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from holdtrack.signal.score import COMPONENTS, score_hold

BASE = {
    "rms_mps2": 0.2,
    "jerk_rms_mps3": 1.0,
    "tilt_drift_deg_per_min": 2.0,
    "wobble_count": 1.0,
    "analysed_duration_s": 60.0,
}


@pytest.mark.parametrize("comp", COMPONENTS, ids=lambda c: c.name)
def test_each_component_hits_its_anchors(comp):
    assert comp.subscore(comp.x50) == pytest.approx(50.0)
    assert comp.subscore(comp.x85) == pytest.approx(85.0)
    assert comp.subscore(0.0) == 100.0
    assert 0.0 < comp.subscore(1e3 * comp.x50) < 1.0


def test_plank_and_dumbbell_anchors_for_sway():
    sway = next(c for c in COMPONENTS if c.metric == "rms_mps2")
    assert sway.subscore(0.35) == pytest.approx(50.0)
    assert 35.0 < sway.subscore(0.50) < 45.0  # the stricter plank cut-off
    assert 80.0 < sway.subscore(0.09) < sway.subscore(0.06) < 90.0  # good dumbbell hold range


def test_components_explain_the_score():
    score, comps = score_hold(BASE)
    assert set(comps) == {c.name for c in COMPONENTS}
    total = sum(c["weight"] for c in comps.values())
    assert score == pytest.approx(sum(c["weight"] * c["subscore"] for c in comps.values()) / total)
    assert comps["wobbles"]["value"] == pytest.approx(1.0)  # one wobble in a minute
    assert comps["sway"]["value"] == 0.2 and comps["sway"]["unit"] == "m/s²"
    json.dumps(comps)  # plain JSON types only


def test_missing_parts():
    assert score_hold({**BASE, "rms_mps2": None}) == (None, {})
    score, comps = score_hold({**BASE, "tilt_drift_deg_per_min": None})
    assert "tilt_drift" not in comps and 0.0 < score < 100.0
    assert "wobbles" not in score_hold({"rms_mps2": 0.1})[1]


positive = st.floats(min_value=1e-4, max_value=50.0, allow_nan=False)


@given(
    rms=positive, jerk=positive, drift=st.floats(0.0, 100.0), wobbles=st.integers(0, 30),
    factor=st.floats(min_value=1.01, max_value=100.0), which=st.sampled_from(["rms_mps2", "jerk_rms_mps3"]),
)
def test_more_sway_always_scores_lower(rms, jerk, drift, wobbles, factor, which):
    m = {**BASE, "rms_mps2": rms, "jerk_rms_mps3": jerk, "tilt_drift_deg_per_min": drift, "wobble_count": wobbles}
    s0, _ = score_hold(m)
    s1, _ = score_hold({**m, which: m[which] * factor})
    assert 0.0 <= s1 <= s0 <= 100.0
    assert s1 < s0 or s0 < 1e-6


@given(drift=st.floats(0.0, 100.0), extra=st.floats(0.01, 100.0), wobbles=st.integers(0, 30))
def test_more_drift_or_wobbles_scores_lower(drift, extra, wobbles):
    s0, _ = score_hold({**BASE, "tilt_drift_deg_per_min": drift, "wobble_count": wobbles})
    assert score_hold({**BASE, "tilt_drift_deg_per_min": drift + extra, "wobble_count": wobbles})[0] < s0
    assert score_hold({**BASE, "tilt_drift_deg_per_min": drift, "wobble_count": wobbles + 1})[0] < s0
