"""Processing a recording in chunks of any size gives exactly the result of processing it whole."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from holdtrack.model import SampleBlock
from holdtrack.signal.pipeline import Pipeline, PipelineConfig, run_offline, _event_key
from tests.conftest import synthetic_session

KINDS = ("move", "hold", "rest")


@st.composite
def recording_and_cuts(draw):
    fs = draw(st.sampled_from([25.0, 50.0, 100.0, 200.0]))
    plan = draw(st.lists(st.tuples(st.sampled_from(KINDS), st.floats(0.2, 12.0)), min_size=1, max_size=6))
    t, acc = synthetic_session(fs, plan, seed=draw(st.integers(0, 10_000)))
    n = t.size
    # jitter the times a little and punch holes (short bridged gaps and long splitting gaps)
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    t = t + rng.uniform(-0.2, 0.2, n) / fs
    t = np.maximum.accumulate(t)
    keep = np.ones(n, dtype=bool)
    for _ in range(draw(st.integers(0, 3))):
        a = draw(st.integers(0, max(n - 1, 0)))
        keep[a : a + draw(st.integers(1, int(2 * fs)))] = False
    t, acc = t[keep], acc[keep]
    n = t.size
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=40)))  # repeated cuts = empty chunks
    return fs, t, acc, cuts


def run_chunked(fs, t, acc, cuts, config=None):
    p = Pipeline(config, rate_hz=fs)
    prev = 0
    for c in list(cuts) + [t.size]:
        p.push(SampleBlock(t[prev:c], acc[prev:c]))
        prev = c
    p.flush()
    return sorted(p.events, key=_event_key)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recording_and_cuts())
def test_chunked_equals_whole(case) -> None:
    fs, t, acc, cuts = case
    whole = run_offline(SampleBlock(t, acc), rate_hz=fs)
    chunked = run_chunked(fs, t, acc, cuts)
    assert chunked == whole  # dataclass equality: exact floats, same metrics


def test_one_sample_chunks_equal_whole() -> None:
    fs = 50.0
    t, acc = synthetic_session(fs, [("move", 3), ("hold", 8), ("move", 2), ("rest", 4)], seed=3)
    whole = run_offline(SampleBlock(t, acc), rate_hz=fs)
    assert any(type(e).__name__ == "Hold" for e in whole), "the case must contain a hold to be meaningful"
    single = run_chunked(fs, t, acc, list(range(t.size)))
    assert single == whole


def test_invariance_holds_for_a_non_default_config() -> None:
    fs = 100.0
    cfg = PipelineConfig(window_s=0.5, wobble_tolerance_s=0.5, min_hold_s=3.0)
    t, acc = synthetic_session(fs, [("move", 2), ("hold", 6), ("move", 0.4), ("hold", 5), ("move", 3)], seed=9)
    whole = run_offline(SampleBlock(t, acc), rate_hz=fs, config=cfg)
    rng = np.random.default_rng(1)
    cuts = sorted(rng.integers(0, t.size, 200).tolist())
    assert run_chunked(fs, t, acc, cuts, cfg) == whole


def test_one_huge_push_scores_like_small_pushes():
    """A push longer than the hold buffer must not lose the samples of holds that close inside it."""
    fs = 50.0
    cfg = PipelineConfig(max_hold_buffer_s=60.0)
    t, acc = synthetic_session(fs, [("move", 5), ("hold", 20), ("move", 3), ("rest", 20)] * 8, seed=4)
    whole = run_offline(SampleBlock(t, acc), rate_hz=fs, config=cfg)
    holds = [e for e in whole if type(e).__name__ == "Hold"]
    assert len(holds) == 8 and all(h.score is not None for h in holds)
    assert run_chunked(fs, t, acc, list(range(0, t.size, 500)), cfg) == whole
