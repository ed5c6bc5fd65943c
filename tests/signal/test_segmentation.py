"""Hold segmentation on signals whose answer is known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from holdtrack.model import Gap, Hold, SampleBlock, StillPeriod
from holdtrack.signal.pipeline import PipelineConfig, run_offline
from tests.conftest import synthetic_session


def holds(events):
    return [e for e in events if isinstance(e, Hold)]


def periods(events):
    return [e for e in events if isinstance(e, StillPeriod)]


@pytest.mark.parametrize("fs", [25.0, 50.0, 100.0, 200.0])
def test_hold_between_motion_is_found_at_its_true_boundaries(fs):
    t, acc = synthetic_session(fs, [("move", 5), ("hold", 20), ("move", 5)], seed=1)
    ev = run_offline(SampleBlock(t, acc), rate_hz=fs)
    (h,) = holds(ev)
    assert abs(h.start_s - 5.0) <= 0.3 and abs(h.end_s - 25.0) <= 0.3
    assert h.ended_by == "motion" and h.wobbles == 0
    assert h.score is not None and 0 <= h.score <= 100


def test_brief_wobble_does_not_end_a_hold_but_long_motion_does():
    fs = 100.0
    t, acc = synthetic_session(fs, [("move", 3), ("hold", 10), ("move", 0.4), ("hold", 10), ("move", 3),
                                    ("hold", 8), ("move", 3)], seed=2)
    ev = run_offline(SampleBlock(t, acc), rate_hz=fs)
    hs = holds(ev)
    assert len(hs) == 2
    assert hs[0].wobbles == 1 and abs(hs[0].duration_s - 20.4) < 0.6
    assert abs(hs[1].start_s - 26.4) < 0.3


def test_rest_is_still_but_not_a_hold():
    fs = 50.0
    t, acc = synthetic_session(fs, [("move", 3), ("rest", 20), ("move", 3)], seed=3)
    ev = run_offline(SampleBlock(t, acc), rate_hz=fs)
    assert holds(ev) == []
    (p,) = periods(ev)
    assert p.kind == "rest" and p.duration_s > 19


def test_short_still_period_is_not_a_hold():
    fs = 50.0
    t, acc = synthetic_session(fs, [("move", 3), ("hold", 3.5), ("move", 3)], seed=4)
    ev = run_offline(SampleBlock(t, acc), rate_hz=fs)
    assert holds(ev) == [] and len(periods(ev)) == 1


def test_tilt_beyond_tolerance_ends_the_hold():
    fs = 50.0
    t, acc = synthetic_session(fs, [("move", 3), ("hold", 20), ("move", 3)], seed=5)
    # rotate the device slowly about x by 0 -> 40 degrees between t=13 and t=23 (no motion burst)
    ang = np.radians(np.clip((t - 13.0) / 10.0, 0, 1) * 40.0)
    y, z = acc[:, 1].copy(), acc[:, 2].copy()
    acc[:, 1] = np.cos(ang) * y - np.sin(ang) * z
    acc[:, 2] = np.sin(ang) * y + np.cos(ang) * z
    ev = run_offline(SampleBlock(t, acc), rate_hz=fs, config=PipelineConfig(tilt_tolerance_deg=20.0))
    h = holds(ev)[0]
    assert h.ended_by == "tilt"
    assert 17.0 < h.end_s < 19.5  # 20 degrees is reached at t = 18 s


def test_long_gap_ends_hold_with_signal_loss_and_short_gap_is_bridged():
    fs = 100.0
    t, acc = synthetic_session(fs, [("move", 3), ("hold", 30), ("move", 3)], seed=6)
    drop = ((t > 10.0) & (t < 10.2)) | ((t > 20.0) & (t < 22.0))
    ev = run_offline(SampleBlock(t[~drop], acc[~drop]), rate_hz=fs)
    gaps = [e for e in ev if isinstance(e, Gap)]
    assert [g.bridged for g in gaps] == [True, False]
    assert abs(gaps[1].start_s - 20.0) < 0.02 and abs(gaps[1].end_s - 22.0) < 0.02
    hs = holds(ev)
    assert hs[0].ended_by == "signal_loss" and abs(hs[0].end_s - 20.0) < 0.3
    assert abs(hs[0].start_s - 3.0) < 0.3  # the bridged gap did not split the first hold
    assert hs[1].start_s >= 22.0


def test_hold_running_to_the_end_of_data():
    fs = 50.0
    t, acc = synthetic_session(fs, [("move", 3), ("hold", 12)], seed=7)
    (h,) = holds(run_offline(SampleBlock(t, acc), rate_hz=fs))
    assert h.ended_by == "end_of_data" and abs(h.end_s - t[-1]) < 1e-9


def test_orientation_does_not_change_detection():
    fs = 50.0
    t, acc = synthetic_session(fs, [("move", 4), ("hold", 15), ("move", 4), ("rest", 10)], seed=8)
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    a = run_offline(SampleBlock(t, acc), rate_hz=fs)
    b = run_offline(SampleBlock(t, acc @ q.T), rate_hz=fs)
    assert [(type(e), round(e.start_s, 6), round(e.end_s, 6)) for e in a] == \
           [(type(e), round(e.start_s, 6), round(e.end_s, 6)) for e in b]


@pytest.mark.parametrize("bad", ["nan", "constant", "one", "empty"])
def test_degenerate_inputs_give_documented_results(bad):
    fs = 50.0
    if bad == "empty":
        t, acc = np.zeros(0), np.zeros((0, 3))
    elif bad == "one":
        t, acc = np.zeros(1), np.array([[0.0, 0.0, 9.81]])
    else:
        t, acc = synthetic_session(fs, [("move", 3), ("hold", 10)], seed=9)
        if bad == "nan":
            acc[100:150] = np.nan
        else:
            acc[:] = (0.0, 0.0, 9.81)
    ev = run_offline(SampleBlock(t, acc), rate_hz=fs)
    if bad == "constant":
        assert [p.kind for p in periods(ev)] == ["rest"] and holds(ev) == []
    elif bad == "nan":
        assert any(isinstance(e, Gap) for e in ev)  # NaN samples are treated as missing
    else:
        assert ev == []
