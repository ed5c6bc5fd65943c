"""Synthetic holds for the metric and score tests: continuous-time signals sampled at any rate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from numpy.typing import NDArray

from holdtrack.model import G0


@dataclass(frozen=True)
class SwaySpec:
    """A continuous synthetic hold: horizontal sway as a sum of random sinusoids, plus optional extras.

    ``sway_rms_mps2`` is the expected RMS of the 2-D horizontal sway (both axes together); the spectrum
    falls as 1/f between ``f_lo`` and ``f_hi`` Hz (Rayleigh amplitudes, random phases, log-spaced
    frequencies). ``tilt_rate_dps`` rotates gravity at a constant rate about the x axis.
    """

    sway_rms_mps2: float = 0.1
    duration_s: float = 60.0
    f_lo: float = 0.4
    f_hi: float = 3.0
    tremor_hz: float = 9.0
    tremor_rms_mps2: float = 0.0
    tilt_rate_dps: float = 0.0
    components: int = 300


def synth_hold(spec: SwaySpec, fs: float, seed: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sample ``spec`` at ``fs`` Hz: returns times (n,) s and acceleration (n, 3) m/s² (z up, gravity +z)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(round(spec.duration_s * fs))) / fs
    acc = np.zeros((t.size, 3))
    m = spec.components
    edges = np.geomspace(spec.f_lo, spec.f_hi, m + 1)
    for axis in (0, 1):
        f = edges[:-1] * (edges[1:] / edges[:-1]) ** rng.random(m)
        amp = rng.rayleigh(1.0, m) / np.sqrt(f) * np.sqrt(np.diff(edges))
        amp *= spec.sway_rms_mps2 / np.sqrt(np.sum(amp**2))  # both axes together: rms of the 2-D sway
        phase = rng.uniform(0, 2 * np.pi, m)
        acc[:, axis] = (amp[None, :] * np.sin(2 * np.pi * f[None, :] * t[:, None] + phase[None, :])).sum(axis=1)
    if spec.tremor_rms_mps2:
        acc[:, 0] += spec.tremor_rms_mps2 * np.sqrt(2) * np.sin(2 * np.pi * spec.tremor_hz * t + rng.uniform(0, 6))
    ang = np.radians(spec.tilt_rate_dps) * t
    acc[:, 1] += G0 * np.sin(ang)
    acc[:, 2] += G0 * np.cos(ang)
    return t, acc


def random_rotation(seed: int) -> NDArray[np.float64]:
    """A uniformly random 3x3 rotation matrix."""
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


@pytest.fixture
def make_hold():
    """The :func:`synth_hold` function, for tests."""
    return synth_hold


@pytest.fixture
def rotation():
    """The :func:`random_rotation` function, for tests."""
    return random_rotation


@pytest.fixture(name="SwaySpec")
def sway_spec_class():
    """The :class:`SwaySpec` class, for tests."""
    return SwaySpec
