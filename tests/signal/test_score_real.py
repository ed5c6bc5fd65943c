"""Metrics and score on real recordings in shared/data (rest stillness and walking; no loaded holds exist)."""

from __future__ import annotations

import numpy as np
import pytest

from holdtrack.model import G0
from holdtrack.signal.metrics import hold_metrics
from holdtrack.signal.score import score_hold


def score(acc, fs):
    metrics, _ = hold_metrics(acc, fs)
    return score_hold(metrics)[0], metrics


def st_file(shared_data, name):
    path = shared_data / "st_har_26hz" / "AI_resources" / "HAR" / "dataset" / name.split("_")[0] / name
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return np.loadtxt(path, delimiter=",") * G0 / 1000.0  # mg -> m/s²


def test_board_on_a_desk_is_near_perfect_and_walking_is_not(shared_data):
    fs = 26.0
    for name in ("stationary_17_26Hz_4g_mg.csv", "stationary_25_26Hz_4g_mg.csv"):  # ~1 mg noise only
        s, m = score(st_file(shared_data, name), fs)
        assert s > 97.0 and m["rms_mps2"] < 0.01, (name, s, m["rms_mps2"])
        assert m["tremor_8_12hz_power_m2ps4"] is None  # 26 Hz cannot hold the 8-12 Hz band
    s, m = score(st_file(shared_data, "walking_01_26Hz_4g_mg.csv"), fs)
    assert s < 50.0 and m["rms_mps2"] > 0.5


def test_hapt_rest_scores_above_walking(shared_data):
    root = shared_data / "hapt"
    if not (root / "labels.txt").is_file():
        pytest.skip(f"{root / 'labels.txt'} not found")
    labels = np.loadtxt(root / "labels.txt", dtype=int)
    still, walking = [], []
    for exp, user, act, first, last in labels:
        if exp > 6 or act not in (1, 4, 5, 6):  # walking; sitting, standing, lying
            continue
        acc = np.loadtxt(root / f"acc_exp{exp:02d}_user{user:02d}.txt")[first - 1:last] * G0
        (walking if act == 1 else still).append(score(acc, 50.0)[0])
    assert len(still) >= 10 and len(walking) >= 5
    # label segments of rest include posture shifts at their edges, so compare the median
    assert np.median(still) > 65.0 > 45.0 > max(walking), (sorted(still), sorted(walking))
