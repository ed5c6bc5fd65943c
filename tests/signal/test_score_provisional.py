"""ProvisionalScorer: live score during a hold, converging to score_hold at the end."""

from __future__ import annotations

import numpy as np
import pytest

from holdtrack.signal.metrics import MIN_HOLD_S, hold_metrics
from holdtrack.signal.score import ProvisionalScorer, score_hold
from holdtrack.signal.swayband import noise_floor_for_white

CONVERGENCE_POINTS = 1.0  # documented in docs/metrics.md (measured <= 0.45 points)


def push_in_chunks(scorer, acc, seed, gyro=None):
    rng = np.random.default_rng(seed)
    i = 0
    while i < len(acc):
        k = int(rng.integers(1, 40))
        scorer.push(acc[i:i + k], None if gyro is None else gyro[i:i + k])
        i += k


@pytest.mark.parametrize("fs", [25.0, 50.0, 100.0, 200.0])
@pytest.mark.parametrize("spec", [
    dict(sway_rms_mps2=0.06, tremor_rms_mps2=0.01, duration_s=30),
    dict(sway_rms_mps2=0.3, f_lo=0.3, f_hi=5.0, tilt_rate_dps=0.1, duration_s=45),
])
def test_converges_to_score_hold(make_hold, SwaySpec, fs, spec):
    _, acc = make_hold(SwaySpec(**spec), fs, 21)
    final, _ = score_hold(hold_metrics(acc, fs, wobbles=1)[0])
    live = ProvisionalScorer(fs)
    live.wobble_count = 1
    push_in_chunks(live, acc, 1)
    assert live.score == pytest.approx(final, abs=CONVERGENCE_POINTS)
    off = hold_metrics(acc, fs)[0]
    assert live.metrics()["tilt_drift_deg_per_min"] == pytest.approx(off["tilt_drift_deg_per_min"], rel=1e-6)
    assert live.metrics()["rms_mps2"] == pytest.approx(off["rms_mps2"], rel=0.05)


def test_none_until_min_hold_then_tracks(make_hold, SwaySpec):
    fs = 50.0
    _, acc = make_hold(SwaySpec(sway_rms_mps2=0.1, duration_s=20), fs, 3)
    live = ProvisionalScorer(fs, gyro=True)
    n_min = int(MIN_HOLD_S * fs)
    live.push(acc[: n_min - 1], np.zeros((n_min - 1, 3)))
    assert live.score is None
    live.push(acc[n_min - 1:], np.zeros((len(acc) - n_min + 1, 3)))
    assert live.score is not None and 0.0 < live.score < 100.0


def test_chunking_does_not_matter(make_hold, SwaySpec):
    fs = 100.0
    _, acc = make_hold(SwaySpec(sway_rms_mps2=0.2, tilt_rate_dps=0.05, duration_s=20), fs, 4)
    whole = ProvisionalScorer(fs)
    whole.push(acc)
    parts = ProvisionalScorer(fs)
    push_in_chunks(parts, acc, 7)
    assert parts.score == pytest.approx(whole.score, abs=1e-9)


def test_memory_is_bounded(make_hold, SwaySpec):
    fs = 100.0
    _, acc = make_hold(SwaySpec(duration_s=60), fs, 5)
    live = ProvisionalScorer(fs)

    def footprint():
        return sum(v.nbytes for v in vars(live).values() if isinstance(v, np.ndarray))

    live.push(acc[:500])
    before = footprint()
    push_in_chunks(live, acc[500:], 2)
    assert footprint() == before


def test_noise_floor_applies_live(make_hold, SwaySpec):
    fs, sigma = 100.0, 0.2
    _, acc = make_hold(SwaySpec(sway_rms_mps2=0.1, duration_s=40), fs, 8)
    noisy = acc + np.random.default_rng(1).normal(0.0, sigma, acc.shape)
    nf = noise_floor_for_white(sigma, fs)
    clean, raw, cor = ProvisionalScorer(fs), ProvisionalScorer(fs), ProvisionalScorer(fs, noise_floor_mps2=nf)
    clean.push(acc)
    raw.push(noisy)
    cor.push(noisy)
    assert clean.score - raw.score > 3.0
    assert cor.score == pytest.approx(clean.score, abs=3.0)


def test_bad_shapes_raise():
    live = ProvisionalScorer(50.0)
    with pytest.raises(ValueError, match="shape"):
        live.push(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="gyro"):
        live.push(np.zeros((5, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="fs"):
        ProvisionalScorer(0.0)


def test_stream_status_gives_a_converging_provisional_score():
    from holdtrack.sim import simulate_session
    from holdtrack.stream import StreamProcessor

    sim = simulate_session("curl", seed=2, rate_hz=50, packets=False)
    proc = StreamProcessor(sim.info)
    seen: list[tuple[float, float]] = []  # (time, provisional score) while holding
    for i, item in enumerate(sim.items):
        proc.push(item)
        if i % 10 == 0:
            st = proc.status()
            if st.state == "holding" and st.provisional_score is not None:
                seen.append((st.elapsed_s, st.provisional_score))
    holds = [h for h in proc.finish().holds if h.score is not None]
    assert holds and seen
    for hold in holds:
        # the last live value well inside the hold (near its end the live score already sees the way out)
        inside = [s for t, s in seen if hold.start_s + 5.0 < t < hold.end_s - 1.0]
        assert inside[-1] == pytest.approx(hold.score, abs=5.0), (hold.start_s, inside[-1], hold.score)
