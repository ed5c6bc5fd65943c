"""The small-block fast paths (Python floats, per-frame sums) give the bits of the vectorised paths."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from holdtrack.model import SampleBlock
from holdtrack.signal.features import FrameFeatures, _max0, _sigma, _sigma_py
from holdtrack.signal.grid import GridPiece, GridResampler
from holdtrack.signal.pipeline import Pipeline, _event_key

RATES = [25.0, 50.0, 100.0, 200.0]


def _signal(fs: float, n: int, seed: int, gyro: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs + rng.uniform(-0.3, 0.3, n) / fs + 100.0
    acc = rng.normal(0, 0.2, (n, 3)) * rng.choice([0.01, 1.0, 10.0], (n, 1)) + [0.0, 0.0, 9.81]
    g = rng.normal(0, 5.0, (n, 3)) if gyro else None
    if n > 20:  # a duplicate, a step back, a non-finite sample, a bridged and a splitting gap
        t[5] = t[4]
        t[9] = t[8] - 0.5 / fs
        acc[12, 1] = np.nan
        t[n // 2:] += 4.0 / fs
        t[3 * n // 4:] += 3.0
    return t, acc, g


def _cuts(n: int, sizes: list[int]) -> list[tuple[int, int]]:
    out, a, i = [], 0, 0
    while a < n:
        b = min(n, a + sizes[i % len(sizes)])
        out.append((a, b))
        a, i = b, i + 1
    return out


def _grid_run(fs, t, acc, g, cuts):
    r = GridResampler(fs, max_bridge_s=1.0)
    pieces, gaps = [], []
    for a, b in cuts:
        p, e = r.push(SampleBlock(t[a:b], acc[a:b], None if g is None else g[a:b]))
        pieces += p
        gaps += e
    k = np.concatenate([np.arange(p.k0, p.k0 + len(p.acc_mps2)) for p in pieces])
    a_ = np.concatenate([p.acc_mps2 for p in pieces])
    g_ = np.concatenate([p.gyro_dps for p in pieces]) if g is not None else None
    resets = [p.k0 for p in pieces if p.reset]
    return k, a_, g_, resets, gaps, r.samples, r.dropped


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(RATES), st.integers(2, 400), st.integers(0, 10_000), st.booleans(),
       st.lists(st.integers(1, 20), min_size=1, max_size=8))
def test_grid_small_blocks_equal_whole(fs: float, n: int, seed: int, gyro: bool, sizes: list[int]) -> None:
    t, acc, g = _signal(fs, n, seed, gyro)
    whole = _grid_run(fs, t, acc, g, [(0, n)])
    small = _grid_run(fs, t, acc, g, _cuts(n, sizes))
    assert np.array_equal(whole[0], small[0])
    assert whole[1].tobytes() == small[1].tobytes()
    assert (whole[2] is None and small[2] is None) or whole[2].tobytes() == small[2].tobytes()  # type: ignore[union-attr]
    assert whole[3:] == small[3:]


def _features_run(fs: float, x: np.ndarray, cuts, k_start: int) -> dict[str, np.ndarray]:
    ff = FrameFeatures(fs)
    got: dict[str, list[np.ndarray]] = {"f": [], "valid": [], "sigma": [], "grav": [], "short": []}
    for a, b in cuts:
        batch = ff.push(GridPiece(k_start + a, x[a:b], None, a == 0))
        if batch is not None:
            got["f"].append(np.arange(batch.f0, batch.f0 + len(batch)))
            got["valid"].append(batch.valid)
            got["sigma"].append(batch.sigma_mps2)
            got["grav"].append(batch.gravity_mps2)
            got["short"].append(batch.sigma_short_mps2)
    return {k: np.concatenate(v) if v else np.zeros(0) for k, v in got.items()}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(RATES + [12.5, 1000.0]), st.integers(1, 600), st.integers(0, 10_000), st.integers(0, 30),
       st.lists(st.integers(1, 25), min_size=1, max_size=8))
def test_features_small_pieces_equal_whole(fs: float, n: int, seed: int, k_start: int, sizes: list[int]) -> None:
    _, acc, _ = _signal(fs, n, seed, False)
    acc = np.nan_to_num(acc, nan=9.0)
    whole = _features_run(fs, acc, [(0, n)], k_start)
    small = _features_run(fs, acc, _cuts(n, sizes), k_start)
    assert set(whole) == set(small)
    for key in whole:
        assert whole[key].tobytes() == small[key].tobytes(), key


def test_scalar_helpers_equal_numpy() -> None:
    vals = [0.0, -0.0, 1e-300, -1e-300, 3.5, -2.0, math.inf, -math.inf, math.nan]
    for v in vals:
        want = np.maximum(np.array([v]), 0.0)[0]
        got = _max0(v)
        assert np.array_equal(np.array([got]), np.array([want]), equal_nan=True)
        assert math.copysign(1.0, got) == math.copysign(1.0, want) or math.isnan(got)
    rng = np.random.default_rng(3)
    w = rng.normal(0, 1, (12, 200)) * 10.0 ** rng.integers(-6, 6, (12, 200))
    w[3:6] = np.abs(w[3:6])
    for N in (5.0, 20.0, 100.0):
        want = _sigma(w, N)
        got = np.array([_sigma_py(w[:, i].tolist(), N) for i in range(w.shape[1])])
        assert want.tobytes() == got.tobytes()


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(RATES), st.integers(0, 10_000), st.booleans())
def test_pipeline_trace_one_notification_at_a_time(fs: float, seed: int, gyro: bool) -> None:
    """Decisions, thresholds and noise floors per frame: 5-sample pushes give the bits of one push."""
    t, acc, g = _signal(fs, int(30 * fs), seed, gyro)
    acc[int(10 * fs):int(20 * fs)] = acc[int(10 * fs):int(20 * fs)] * 0.01 + [0.0, 0.0, 9.81]  # a still stretch
    runs = []
    for cuts in ([(0, len(t))], _cuts(len(t), [5])):
        p = Pipeline(rate_hz=fs, trace=True)
        for a, b in cuts:
            p.push(SampleBlock(t[a:b], acc[a:b], None if g is None else g[a:b]))
        p.flush()
        runs.append(p)
    tw, tc = runs[0].trace(), runs[1].trace()
    assert tw is not None and tc is not None
    for name in ("frame_t_s", "sigma_mps2", "threshold_mps2", "still", "gravity_mps2", "noise_floor_mps2", "acc_mps2"):
        assert getattr(tw, name).tobytes() == getattr(tc, name).tobytes(), name
    assert sorted(runs[0].events, key=_event_key) == sorted(runs[1].events, key=_event_key)
    assert runs[0].noise_floor_mps2 == runs[1].noise_floor_mps2
