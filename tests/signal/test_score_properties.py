"""Score properties on synthetic sway (conftest.synth_hold): rate, orientation, noise, repeatability."""

from __future__ import annotations

import numpy as np
import pytest

from holdtrack.signal.metrics import hold_metrics
from holdtrack.signal.score import score_hold
from holdtrack.signal.swayband import noise_floor_for_white


def score_of(acc, fs, **kw):
    score, _ = score_hold(hold_metrics(acc, fs, **kw)[0])
    return score


SPECS = [  # a steady limb hold with tremor, and a shaky plank with hip sag (SwaySpec keyword arguments)
    dict(sway_rms_mps2=0.08, tremor_rms_mps2=0.01, tilt_rate_dps=0.01, duration_s=40),
    dict(sway_rms_mps2=0.4, f_lo=0.3, f_hi=5.0, tilt_rate_dps=0.08, duration_s=30),
]


def test_more_sway_scores_lower(make_hold, SwaySpec):
    fs = 50.0
    scores = [score_of(make_hold(SwaySpec(sway_rms_mps2=a, duration_s=30), fs, 1)[1], fs)
              for a in (0.03, 0.06, 0.12, 0.25, 0.5, 1.0)]
    assert all(a > b for a, b in zip(scores, scores[1:])), scores
    assert scores[0] > 85 and scores[-1] < 50


@pytest.mark.parametrize("spec", SPECS)
def test_rate_invariance(make_hold, SwaySpec, spec):
    scores = {fs: score_of(make_hold(SwaySpec(**spec), fs, 4)[1], fs) for fs in (25.0, 50.0, 100.0, 200.0)}
    assert max(scores.values()) - min(scores.values()) < 3.0, scores


@pytest.mark.parametrize("spec", SPECS)
def test_orientation_invariance(make_hold, SwaySpec, rotation, spec):
    fs = 50.0
    _, acc = make_hold(SwaySpec(**spec), fs, 5)
    s0 = score_of(acc, fs)
    for seed in range(3):
        assert score_of(acc @ rotation(seed).T, fs) == pytest.approx(s0, abs=2.0)


@pytest.mark.parametrize("fs", [25.0, 100.0])
def test_noise_floor_invariance(make_hold, SwaySpec, fs):
    sigma = 0.2  # per-sample white noise, m/s²
    _, acc = make_hold(SwaySpec(sway_rms_mps2=0.1, duration_s=60), fs, 6)
    noisy = acc + np.random.default_rng(9).normal(0.0, sigma, acc.shape)
    clean = score_of(acc, fs)
    assert clean - score_of(noisy, fs) > 3.0  # the noise does matter if ignored ...
    assert score_of(noisy, fs, noise_floor_mps2=noise_floor_for_white(sigma, fs)) == pytest.approx(clean, abs=3.0)


@pytest.mark.parametrize("spec", SPECS)
def test_repeatability_across_seeds(make_hold, SwaySpec, spec):
    fs = 50.0
    first, second = (score_of(make_hold(SwaySpec(**spec), fs, seed)[1], fs) for seed in (11, 12))
    assert first == pytest.approx(second, abs=3.0)


def test_short_hold_has_no_score(make_hold, SwaySpec):
    fs = 50.0
    _, acc = make_hold(SwaySpec(duration_s=2.0), fs, 1)
    metrics, notes = hold_metrics(acc, fs)
    assert score_hold(metrics) == (None, {})
    assert "shorter than" in notes["rms_mps2"]
