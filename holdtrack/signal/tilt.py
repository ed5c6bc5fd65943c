"""Tilt of a hold relative to its start: drift rate and largest excursion, gyroscope-aided when available."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from holdtrack.signal.spectra import mix
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
    rows = None if gyro is None else np.ascontiguousarray(gyro.T)
    return tilt_from_rows(np.ascontiguousarray(acc.T), fs, rows)


def tilt_from_rows(a: NDArray[np.float64], fs: float, gyro: NDArray[np.float64] | None) -> dict[str, float]:
    """:func:`tilt_metrics` of channel-major ``a`` (3, n) m/s² and ``gyro`` (3, n) deg/s or None."""
    n = a.shape[1]
    t_end = (n - 1) / fs
    slope, start = line_fit(a, fs)
    drift = _angle_deg(start, start + slope * t_end) / t_end * 60.0
    k = max(1, int(round(TILT_REF_S * fs)))
    if gyro is None:
        c = np.zeros((3, n + 1))
        np.cumsum(a, axis=1, out=c[:, 1:])
        means = (c[:, k:] - c[:, :-k]) / k  # (3, n - k + 1) moving means
        u = means / np.sqrt(means[0] ** 2 + means[1] ** 2 + means[2] ** 2)
        cos = u[0] * u[0, 0] + u[1] * u[1, 0] + u[2] * u[2, 0]
        tilt_max = float(np.degrees(np.arccos(np.clip(cos.min(), -1.0, 1.0))))  # arccos is decreasing
    else:
        tilt = _fused_rows(a, gyro, fs)  # (2, n)
        dev = tilt - tilt[:, :k].mean(axis=1, keepdims=True)
        tilt_max = float(np.degrees(np.sqrt(dev[0] ** 2 + dev[1] ** 2).max()))
    return {"tilt_drift_deg_per_min": drift, "tilt_max_deg": tilt_max}


def line_fit(y: NDArray[np.float64], fs: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Least-squares line ``start + slope t`` through each row of ``y`` (c, n) sampled at ``t = k / fs``.

    Closed form on centred time (``np.polyfit(t, y.T, 1)`` up to rounding): slope (c,) per s, start (c,).
    """
    n = y.shape[1]
    t_mid = (n - 1) / (2.0 * fs)
    tc = np.arange(n) / fs - t_mid
    mean = y.mean(axis=1)
    slope = np.sum((y - mean[:, None]) * tc, axis=1) / float(np.sum(tc * tc))
    return slope, mean - slope * t_mid


def fused_tilt(acc: NDArray[np.float64], gyro: NDArray[np.float64], fs: float) -> NDArray[np.float64]:
    """Small-angle tilt of gravity in the hold's horizontal plane, (n, 2) rad, accelerometer + gyroscope.

    The accelerometer gives ``E^T a / |g|``; the gyroscope, after removing its mean (bias), integrates
    ``d(a/|g|)/dt = (a/|g|) x w``. Fusion: ``gyro + LP(acc - gyro)`` with the zero-phase 0.3 Hz low-pass
    (complementary: slow tilt from gravity, fast tilt from the gyroscope); the straight-line trend of the
    difference is taken out before filtering so the mirror padding does not bend a steady drift at the ends.
    """
    return _fused_rows(np.ascontiguousarray(acc.T), np.ascontiguousarray(gyro.T), fs).T


def _fused_rows(a: NDArray[np.float64], gyro: NDArray[np.float64], fs: float) -> NDArray[np.float64]:
    """:func:`fused_tilt` of channel-major ``a`` (3, n) m/s² and ``gyro`` (3, n) deg/s: (2, n) rad."""
    n = a.shape[1]
    g = a.mean(axis=1)
    gn = float(np.linalg.norm(g))
    basis = horizontal_basis(g)  # (3, 2)
    from_acc = mix(basis.T / gn, a)
    w = np.radians(gyro - gyro.mean(axis=1, keepdims=True))
    ux, uy, uz = g / gn
    skew = np.array([[0.0, -uz, uy], [uz, 0.0, -ux], [-uy, ux, 0.0]])  # skew @ w = u x w
    rate = mix(basis.T @ skew, w)  # (2, n) rad/s
    from_gyro = np.zeros((2, n))
    np.cumsum((rate[:, 1:] + rate[:, :-1]) * (0.5 / fs), axis=1, out=from_gyro[:, 1:])  # trapezoid rule
    diff = from_acc - from_gyro
    slope, offset = line_fit(diff, fs)
    trend = slope[:, None] * (np.arange(n) / fs) + offset[:, None]
    return from_gyro + trend + zero_phase(gravity_sos(fs), diff - trend, fs, axis=-1)


def _angle_deg(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    cos = float(a @ b) / (float(np.linalg.norm(a)) * float(np.linalg.norm(b)))
    return math.degrees(math.acos(min(1.0, max(-1.0, cos))))
