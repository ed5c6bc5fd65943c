"""The sway band shared by post-hold metrics and the live provisional score.

Sway is acceleration band-limited to :data:`SWAY_BAND_HZ` with a Butterworth band-pass run zero-phase
(``sosfiltfilt``, offline) or as the same sections applied twice causally (live): both have the amplitude
response ``|H(f)|**2``, so power-based measures agree between the two. The band is fixed in Hz, so the
result does not depend on the sampling rate (25-200 Hz). Gravity is the same signal low-passed at
:data:`GRAVITY_LP_HZ`.

Device noise model: white, isotropic, with per-axis RMS ``noise_floor_mps2`` *after* the sway band-pass.
Its one-sided power density is then ``noise_floor**2 / G4`` per axis, with ``G4 = integral |H|**4 df``
(:func:`band_integrals`), which lets every power-like measure subtract its share of the noise.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import signal as sps
from scipy.integrate import trapezoid

from holdtrack.signal.spectra import filtfilt_even

SWAY_BAND_HZ: tuple[float, float] = (0.3, 5.0)
"""Sway band-pass edges, Hz (0.3 Hz high-pass as SADS-OKC; 4-5 Hz low-pass as most balance studies)."""
GRAVITY_LP_HZ = 0.3
"""Gravity / tilt low-pass cut-off, Hz (UCI-HAR / HAPT)."""
FILTER_ORDER = 4
"""Butterworth order of each filter (before the double pass)."""
PAD_S = 3.0
"""Mirror (even) padding for zero-phase filtering, s (fixed in time so it is rate invariant; a mirror does
not anchor the edge to one noisy sample as an odd extension does)."""
MIN_FS_HZ = 2.2 * SWAY_BAND_HZ[1]
"""Lowest sample rate for which the sway band is measured, Hz."""


@lru_cache(maxsize=32)
def sway_sos(fs: float) -> NDArray[np.float64]:
    """Second-order sections of the sway band-pass at sample rate ``fs`` (Hz)."""
    sos = sps.butter(FILTER_ORDER, SWAY_BAND_HZ, btype="bandpass", fs=fs, output="sos")
    return sos


@lru_cache(maxsize=32)
def gravity_sos(fs: float) -> NDArray[np.float64]:
    """Second-order sections of the gravity low-pass at sample rate ``fs`` (Hz)."""
    sos = sps.butter(FILTER_ORDER, GRAVITY_LP_HZ, btype="lowpass", fs=fs, output="sos")
    return sos


def zero_phase(sos: NDArray[np.float64], x: NDArray[np.float64], fs: float, axis: int = 0) -> NDArray[np.float64]:
    """Zero-phase filter 2-D ``x`` along ``axis`` (0: (n, channels); -1: (channels, n)) with mirror padding of
    :data:`PAD_S` seconds: ``sosfiltfilt(sos, x, axis, padtype="even", padlen=min(n - 1, PAD_S fs))``."""
    rows = np.moveaxis(x, axis, -1)
    padlen = max(0, min(rows.shape[-1] - 1, int(round(PAD_S * fs))))
    return np.moveaxis(filtfilt_even(sos, rows, padlen), -1, axis)


@lru_cache(maxsize=32)
def band_integrals(fs: float) -> tuple[float, float]:
    """``(G4, G4f2)``: integrals over 0..fs/2 of ``|H|**4`` (Hz) and ``f**2 |H|**4`` (Hz**3).

    ``H`` is the sway band-pass response at ``fs``; ``|H|**4`` is the power response of the double pass.
    """
    f, h = sps.sosfreqz(sway_sos(fs), worN=16384, fs=fs)
    p = np.abs(h) ** 4
    return float(trapezoid(p, f)), float(trapezoid(f**2 * p, f))


def band_power_response(fs: float, f: NDArray[np.float64]) -> NDArray[np.float64]:
    """Power response ``|H(f)|**4`` of the double-pass sway filter at frequencies ``f`` (Hz).

    Closed form of the digital Butterworth band-pass that :func:`sway_sos` designs (bilinear transform with
    pre-warping): ``|H|² = 1 / (1 + q**(2 N))``, ``q = (W² - W0²) / (W B)``, ``W = tan(pi f / fs)``, ``W0²`` and
    ``B`` the product and difference of the warped edges. It equals ``sosfreqz`` on the designed sections
    to the rounding of their evaluation near the poles (< 1e-11 at 25-200 Hz; tests/signal/test_spectra.py).
    """
    lo, hi = np.tan(np.pi * np.asarray(SWAY_BAND_HZ) / fs)
    w = np.tan(np.pi * np.asarray(f, dtype=np.float64) / fs)
    with np.errstate(divide="ignore", over="ignore"):
        q = (w * w - lo * hi) / (w * (hi - lo))  # -inf at f = 0
        h2 = 1.0 / (1.0 + q ** (2 * FILTER_ORDER))
    return h2 * h2


def noise_density(noise_floor_mps2: float, fs: float) -> float:
    """One-sided per-axis noise power density, (m/s²)²/Hz, for an in-band per-axis RMS ``noise_floor_mps2``."""
    g4, _ = band_integrals(fs)
    return float(noise_floor_mps2) ** 2 / g4


def noise_floor_for_white(sigma_mps2: float, fs: float) -> float:
    """In-band per-axis RMS (m/s²) of white noise with per-sample RMS ``sigma_mps2`` sampled at ``fs`` Hz.

    White noise sampled at ``fs`` has one-sided density ``2 sigma**2 / fs``; the sway band keeps ``G4`` Hz of it.
    """
    g4, _ = band_integrals(fs)
    return float(sigma_mps2) * float(np.sqrt(2.0 * g4 / fs))


def horizontal_basis(g: NDArray[np.float64]) -> NDArray[np.float64]:
    """Two orthonormal axes (3, 2) spanning the plane perpendicular to the gravity vector ``g`` (3,)."""
    gx, gy, gz = (float(v) for v in np.asarray(g, dtype=float))  # plain floats: 3-vectors, no numpy overhead
    norm = math.sqrt(gx * gx + gy * gy + gz * gz)
    u = (gx / norm, gy / norm, gz / norm)
    i = min(range(3), key=lambda k: abs(u[k]))  # the axis least aligned with gravity
    e1 = _cross(u, tuple(float(k == i) for k in range(3)))
    n1 = math.sqrt(sum(v * v for v in e1))
    e1 = tuple(v / n1 for v in e1)
    return np.array([e1, _cross(u, e1)]).T


def _cross(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float, float]:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def noise_floor_from_sigma(sigma_total_mps2: float, fs: float, lowpass_hz: float | None = 10.0) -> float:
    """Convert a 3-axis noise standard deviation to the per-axis in-band ``noise_floor_mps2`` (m/s²).

    ``sigma_total_mps2`` is ``sqrt(sum over the 3 axes of the variance)`` of white device noise after a
    causal 4th-order Butterworth low-pass at ``lowpass_hz`` (skipped when None or >= 0.35 fs), as the
    pipeline's still detector measures it. Per-axis density = ``sigma**2 / (3 B)`` with ``B`` the low-pass's
    noise bandwidth; the sway band keeps ``G4`` Hz of it.
    """
    g4, _ = band_integrals(fs)
    return float(sigma_total_mps2) * float(np.sqrt(g4 / (3.0 * _lowpass_bandwidth(fs, lowpass_hz))))


@lru_cache(maxsize=32)
def _lowpass_bandwidth(fs: float, lowpass_hz: float | None) -> float:
    """Noise bandwidth (Hz) of the detector's 4th-order Butterworth low-pass, or fs/2 when it is not applied."""
    if lowpass_hz is None or lowpass_hz >= 0.35 * fs:
        return fs / 2.0
    f, h = sps.sosfreqz(sps.butter(4, lowpass_hz, fs=fs, output="sos"), worN=16384, fs=fs)
    return float(trapezoid(np.abs(h) ** 2, f))
