"""HoldSegmenter's frame-by-frame path (batches of <= 4 frames; live: 1-2 per notification) equals its run path.

Random frame sequences (still and moving runs, wobbles, violent frames, tilts, gravity right at the tilt
limit, hot short windows, signal losses) are pushed whole, frame by frame and in random chunks; the closed
periods and the open period must be identical.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from holdtrack.signal.features import FrameBatch
from holdtrack.signal.pipeline import Pipeline
from holdtrack.signal.segment import PENDING, HoldSegmenter, SegmenterParams

TILT_DEG = 30.0


def _frames(seed: int, n: int) -> dict[str, np.ndarray]:
    """Per-frame still decision, sigma, short sigma, gravity and noise floor for ``n`` frames."""
    rng = np.random.default_rng(seed)
    still = np.zeros(n, dtype=bool)
    i = 0
    while i < n:  # alternating runs: long still stretches, short and long moving ones
        run = int(rng.choice([1, 3, 10, 30, 60, 150]))
        still[i:i + run] = rng.random() < 0.6
        i += run
    sigma = np.where(still, rng.uniform(0.01, 0.5, n), rng.choice([0.7, 1.5, 3.0], n))
    short = sigma * rng.choice([0.5, 1.0, 3.0], n)
    # gravity: mostly upright, sometimes tilted by about the limit (just below, at, just above) or far
    ang = np.where(rng.random(n) < 0.9, rng.uniform(0.0, 5.0, n),
                   rng.choice([TILT_DEG - 1e-7, TILT_DEG, TILT_DEG + 1e-7, 45.0, 90.0], n))
    phi = rng.uniform(0, 2 * math.pi, n)
    a = np.radians(ang)
    grav = 9.81 * np.column_stack((np.sin(a) * np.cos(phi), np.sin(a) * np.sin(phi), np.cos(a)))
    noise = np.minimum.accumulate(sigma)
    return {"still": still, "sigma": sigma, "short": short, "grav": grav, "noise": noise}


def _run(fr: dict[str, np.ndarray], cuts: list[tuple[int, int]], losses: set[int]) -> str:
    """Closed periods and the final state, as their repr (exact floats, nan equal to nan)."""
    seg = HoldSegmenter(SegmenterParams(K=20, wobble_frames=40, tilt_cos=math.cos(math.radians(TILT_DEG)),
                                        wobble_max_sigma=2.5, Ks=5, refine_mps2=0.3, wobble_detect_mps2=0.4))
    out = []
    for a, b in cuts:
        if a in losses:
            out += seg.signal_loss(a)
        batch = FrameBatch(a, np.ones(b - a, dtype=bool), fr["sigma"][a:b].copy(), fr["grav"][a:b].copy(),
                           fr["short"][a:b].copy())
        out += seg.push(batch, fr["still"][a:b].copy(), fr["noise"][a:b].copy())
    state = (seg.mode, seg.open_info(), seg.provisional_sigma(), seg.last_end_f, seg.next_f)
    if seg.mode == PENDING:  # the pending run's bookkeeping (stale, so not compared, once the period closed)
        state += (seg.pend_start, seg.pend_len, seg.pend_nf)
    return repr((out + seg.flush(), state))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 1500), st.lists(st.integers(1, 40), min_size=1, max_size=6),
       st.lists(st.integers(0, 1500), max_size=3))
def test_one_frame_pushes_equal_array_pushes(seed: int, n: int, sizes: list[int], loss_at: list[int]) -> None:
    fr = _frames(seed, n)
    whole_cuts, one_cuts, cuts, i, j = [], [(k, k + 1) for k in range(n)], [], 0, 0
    while i < n:
        cuts.append((i, min(n, i + sizes[j % len(sizes)])))
        i, j = cuts[-1][1], j + 1
    # signal losses at chunk starts common to all three chunkings
    losses = {f for f in loss_at if any(a == f for a, _ in cuts)}
    whole_cuts = sorted({0, *losses, n})
    whole_cuts = list(zip(whole_cuts[:-1], whole_cuts[1:]))
    want = _run(fr, whole_cuts, losses)
    assert _run(fr, one_cuts, losses) == want
    assert _run(fr, cuts, losses) == want


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from([0.0, 0.001, 0.005, 0.02, 0.09, 0.1, 0.5, 0.59, 0.6, 0.61, 3.0,
                                                          math.inf, math.nan])), min_size=1, max_size=60),
       st.lists(st.integers(1, 6), min_size=1, max_size=5))
def test_decide_few_frames_equals_array(frames: list[tuple[bool, float]], sizes: list[int]) -> None:
    """Pipeline._decide: Python-float path (<= 4 frames) against the array path, in any chunking."""
    valid = np.array([v for v, _ in frames])
    sigma = np.array([s for _, s in frames])
    grav = np.zeros((len(frames), 3))

    def run(cuts: list[tuple[int, int]], pipeline: type[Pipeline] = Pipeline) -> str:
        p = pipeline(rate_hz=100.0)
        got = []
        for a, b in cuts:
            batch = FrameBatch(a, valid[a:b].copy(), sigma[a:b].copy(), grav[a:b], sigma[a:b].copy())
            still, noise = p._decide(batch)
            assert still.dtype == bool and noise.dtype == np.float64
            got.append((still.tolist(), noise.tolist(), p.noise_floor_mps2, p._last_sigma))
        return repr((sum((g[0] for g in got), []), sum((g[1] for g in got), []), got[-1][2:]))

    n, cuts, i, j = len(frames), [], 0, 0
    while i < n:
        cuts.append((i, min(n, i + sizes[j % len(sizes)])))
        i, j = cuts[-1][1], j + 1
    want = run([(0, n)], _ArrayOnly)
    assert run(cuts) == want
    assert run([(k, k + 1) for k in range(n)]) == want


class _ArrayOnly(Pipeline):
    """A pipeline whose still decision always takes the array path."""

    def _decide_few(self, batch):  # type: ignore[no-untyped-def]
        return None
