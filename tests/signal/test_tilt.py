"""Tilt metrics: constant rotation (with and without gyroscope), a fast excursion only the gyroscope sees."""

from __future__ import annotations

import numpy as np
import pytest

from holdtrack.model import G0
from holdtrack.signal.tilt import tilt_metrics


def rotation_about_x(theta_rad: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Accelerometer (n, 3) m/s² and consistent gyroscope (n, 3) deg/s for a tilt theta(t) about x."""
    acc = G0 * np.stack([np.zeros_like(theta_rad), np.sin(theta_rad), np.cos(theta_rad)], axis=1)
    gyro = np.zeros_like(acc)
    gyro[:, 0] = np.degrees(np.gradient(theta_rad, 1.0 / fs))  # d(a/g)/dt = (a/g) x w  =>  w_x = dtheta/dt
    return acc, gyro


@pytest.mark.parametrize("bias_dps", [0.0, 2.0])
def test_constant_rotation_with_gyro(bias_dps):
    fs, dur, rate = 100.0, 40.0, 0.15  # deg/s
    t = np.arange(int(dur * fs)) / fs
    acc, gyro = rotation_about_x(np.radians(rate) * t, fs)
    m = tilt_metrics(acc, fs, gyro + bias_dps)
    assert m["tilt_drift_deg_per_min"] == pytest.approx(rate * 60.0, rel=0.01)
    # per sample against the first-second mean (centred at 0.5 s)
    assert m["tilt_max_deg"] == pytest.approx(rate * (dur - 0.5), rel=0.02)
    assert tilt_metrics(acc, fs)["tilt_max_deg"] == pytest.approx(rate * (dur - 1.0), rel=0.01)


def test_fast_excursion_needs_the_gyro():
    fs, dur, peak_deg, width_s = 100.0, 20.0, 5.0, 0.4
    t = np.arange(int(dur * fs)) / fs
    u = np.clip((t - 10.0) / width_s, 0.0, 1.0)
    theta = np.radians(peak_deg) * np.sin(np.pi * u) ** 2  # 5 deg and back within 0.4 s
    acc, gyro = rotation_about_x(theta, fs)
    assert tilt_metrics(acc, fs, gyro)["tilt_max_deg"] == pytest.approx(peak_deg, abs=0.3)
    assert tilt_metrics(acc, fs)["tilt_max_deg"] < 0.5 * peak_deg  # 1 s means smear it
