"""Tilt of a hold relative to its start: drift rate and largest excursion, gyroscope-aided when available."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.integrate import cumulative_trapezoid

from holdtrack.signal.swayband import gravity_sos, horizontal_basis, zero_phase

TILT_REF_S = 1.0
"""Length of the hold-start reference window (and of the moving means without a gyroscope), s."""


def tilt_metrics(acc: NDArray[np.float64], fs: float, gyro: NDArray[np.float64] | None = None) -> dict[str, float]:
    """``tilt_drift_deg_per_min`` and ``tilt_max_deg`` of a hold.

    Parameters
    ----------
    acc : (n, 3) acceleration including gravity, m/s², uniform grid at ``fs`` Hz (n >= 2 fs)
    gyro : (n, 3) angular rate, deg/s, or None

    Drift: the least-squares line ``a0 + b t`` through the raw acceleration (sway averages out); the angle
    between ``a0`` and ``a0 + b T`` per minute. Largest tilt: without a gyroscope, the angle between the 1 s
    moving means and the first one; with a gyroscope, the complementary fusion of :func:`fused_tilt`.
    """
    n = acc.shape[0]
    t = np.arange(n) / fs
    slope, start = np.polyfit(t, acc, 1)  # (3,), (3,)
    drift = _angle_deg(start, start + slope * t[-1]) / float(t[-1]) * 60.0
    k = max(1, int(round(TILT_REF_S * fs)))
    if gyro is None:
        c = np.cumsum(np.vstack([np.zeros((1, 3)), acc]), axis=0)
        means = (c[k:] - c[:-k]) / k  # (n - k + 1, 3) moving means
        u = means / np.linalg.norm(means, axis=1, keepdims=True)
        tilt_max = float(np.degrees(np.arccos(np.clip(u @ u[0], -1.0, 1.0))).max())
    else:
        tilt = fused_tilt(acc, gyro, fs)
        tilt_max = float(np.degrees(np.linalg.norm(tilt - tilt[:k].mean(axis=0), axis=1)).max())
    return {"tilt_drift_deg_per_min": drift, "tilt_max_deg": tilt_max}


def fused_tilt(acc: NDArray[np.float64], gyro: NDArray[np.float64], fs: float) -> NDArray[np.float64]:
    """Small-angle tilt of gravity in the hold's horizontal plane, (n, 2) rad, accelerometer + gyroscope.

    The accelerometer gives ``E^T a / |g|``; the gyroscope, after removing its mean (bias), integrates
    ``d(a/|g|)/dt = (a/|g|) x w``. Fusion: ``gyro + LP(acc - gyro)`` with the zero-phase 0.3 Hz low-pass
    (complementary: slow tilt from gravity, fast tilt from the gyroscope); the straight-line trend of the
    difference is taken out before filtering so the mirror padding does not bend a steady drift at the ends.
    """
    n = acc.shape[0]
    g = acc.mean(axis=0)
    gn = float(np.linalg.norm(g))
    basis = horizontal_basis(g)  # (3, 2)
    from_acc = acc @ basis / gn
    w = np.radians(gyro - gyro.mean(axis=0))
    rate = np.cross(g / gn, w) @ basis  # (n, 2) rad/s
    from_gyro = cumulative_trapezoid(rate, dx=1.0 / fs, axis=0, initial=0.0)
    diff = from_acc - from_gyro
    t = np.arange(n) / fs
    slope, offset = np.polyfit(t, diff, 1)
    trend = np.outer(t, slope) + offset
    return from_gyro + trend + zero_phase(gravity_sos(fs), diff - trend, fs)


def _angle_deg(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    cos = float(a @ b) / (float(np.linalg.norm(a)) * float(np.linalg.norm(b)))
    return math.degrees(math.acos(min(1.0, max(-1.0, cos))))
