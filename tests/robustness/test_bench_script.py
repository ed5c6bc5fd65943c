"""scripts/bench.py's inputs and baseline are what the benchmark claims they are."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import bench  # noqa: E402

from holdtrack.analysis import analyze  # noqa: E402
from holdtrack.stream import StreamProcessor  # noqa: E402


def test_chained_stream_is_one_continuous_recording(tmp_path) -> None:
    chain = bench.Chain(50.0, seeds=(0, 1))
    seconds = sum(len(sig) for _, sig in chain.parts) / 50.0 + 30.0  # wraps around to the first part again
    proc = StreamProcessor(chain.info)
    proc.push_all(chain.packets(seconds))
    res = proc.finish()
    assert res.lost_packets == 0 and res.bad_packets == 0 and res.dropped_samples == 0
    assert res.gaps == []  # the re-stamped device times and host times join without a hole
    assert abs(res.duration_s - seconds) < 1.0
    t, acc = chain.signal(seconds)
    assert abs(len(t) - res.samples) <= 10 and np.all(np.diff(t) > 0)
    path = tmp_path / "s.htrec"
    bench.write_session(chain, 60.0, path)
    assert analyze(path).samples > 0.95 * 60 * 50


def test_baseline_finds_the_still_stretch() -> None:
    fs = 100.0
    rng = np.random.default_rng(1)
    t = np.arange(int(30 * fs)) / fs
    acc = rng.normal(0, 0.01, (t.size, 3)) + [0, 0, 9.81]
    moving = (t < 10) | (t >= 20)
    acc[moving] += rng.normal(0, 2.0, (int(moving.sum()), 3))
    periods = bench.baseline_still_periods(t, acc, fs)
    assert len(periods) == 1
    a, b = periods[0]
    assert 10.9 <= a <= 11.1 and 19.0 <= b <= 20.1  # times label the end of each 1-s window
