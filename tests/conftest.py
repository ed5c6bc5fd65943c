"""Shared test fixtures and helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


@pytest.fixture
def shared_data() -> Path:
    """The real labelled recordings beside the repository (CI always has them)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED_DATA}")
    return SHARED_DATA


def synthetic_session(fs: float, plan: list[tuple[str, float]], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A simple signal for pipeline unit tests: ('move'|'hold'|'rest', seconds) segments.

    Gravity on z; 'move' = 1.5 m/s² band-limited (0-4 Hz) motion per axis; 'hold' = 0.15 m/s² sway at 0.7 Hz plus 9 Hz tremor;
    'rest' = sensor noise only (0.005 m/s²). Returns (t_s, acc_mps2).
    """
    rng = np.random.default_rng(seed)
    ts, accs, t0 = [], [], 0.0
    for kind, dur in plan:
        n = int(round(dur * fs))
        t = t0 + np.arange(n) / fs
        a = np.zeros((n, 3))
        a[:, 2] = 9.81
        a += rng.normal(0.0, 0.005, a.shape)
        if kind == "move":  # band-limited body motion (0-4 Hz), 1.5 m/s² per axis at any sample rate
            from scipy import signal as sps

            raw = rng.normal(0.0, 1.0, (n + int(fs), 3))
            mot = sps.sosfilt(sps.butter(4, min(4.0, 0.4 * fs), fs=fs, output="sos"), raw, axis=0)[int(fs):]
            a += 1.5 * mot / max(float(mot.std()), 1e-9)
        elif kind == "hold":
            ph = rng.uniform(0, 2 * np.pi)
            a[:, 0] += 0.15 * np.sin(2 * np.pi * 0.7 * t + ph) + 0.05 * np.sin(2 * np.pi * 9.0 * t)
            a[:, 1] += 0.10 * np.sin(2 * np.pi * 0.45 * t + 2 * ph)
        ts.append(t)
        accs.append(a)
        t0 += n / fs
    return np.concatenate(ts), np.concatenate(accs)
