"""Small signal builders for the simulator: band-limited noise, smooth ramps, tapers.

Everything is synthesised on the output sample grid, so content above ~0.45 x the sample rate is
simply absent (an ideal anti-alias filter, as the sensor's own low-pass would give).
"""

from __future__ import annotations

import numpy as np

from holdtrack.model import FloatArray


def band_noise(rng: np.random.Generator, n: int, fs_hz: float, lo_hz: float, hi_hz: float, dims: int = 1) -> FloatArray:
    """Gaussian noise limited to ``lo_hz..hi_hz`` (FFT mask), unit RMS per column.

    Parameters
    ----------
    rng : random generator (consumed)
    n : number of samples
    fs_hz : sample rate, Hz
    lo_hz, hi_hz : pass band, Hz (``hi_hz`` is capped at 0.45 ``fs_hz``)
    dims : number of independent columns

    Returns
    -------
    (n, dims) array; all zeros when the band holds no frequency bin (segment too short).
    """
    white = rng.standard_normal((n, dims))
    if n < 2:
        return np.zeros((n, dims))
    spec = np.fft.rfft(white, axis=0)
    f = np.fft.rfftfreq(n, 1.0 / fs_hz)
    keep = (f >= lo_hz) & (f <= min(hi_hz, 0.45 * fs_hz))
    spec[~keep] = 0.0
    x = np.fft.irfft(spec, n, axis=0)
    rms = np.sqrt(np.mean(x**2, axis=0))
    rms[rms == 0] = 1.0
    return x / rms


def fft_lowpass(x: FloatArray, fs_hz: float, cut_hz: float) -> FloatArray:
    """Ideal low-pass along axis 0 (keeps bins below ``cut_hz``)."""
    n = x.shape[0]
    if n < 2:
        return x.copy()
    spec = np.fft.rfft(x, axis=0)
    spec[np.fft.rfftfreq(n, 1.0 / fs_hz) >= cut_hz] = 0.0
    return np.fft.irfft(spec, n, axis=0)


def min_jerk(u: FloatArray) -> FloatArray:
    """Minimum-jerk position profile 0 -> 1 for ``u`` in [0, 1] (zero velocity and acceleration at both ends)."""
    u = np.clip(u, 0.0, 1.0)
    # rounding can put the polynomial a few ulp above 1 just below u = 1 (Slerp then refuses it)
    return np.clip(u**3 * (10.0 - 15.0 * u + 6.0 * u**2), 0.0, 1.0)


def edge_taper(n: int, fs_hz: float, ramp_s: float) -> FloatArray:
    """(n,) window that rises from 0 to 1 over ``ramp_s`` at both ends (raised cosine), else 1."""
    w = np.ones(n)
    m = min(int(round(ramp_s * fs_hz)), n // 2)
    if m > 0:
        r = 0.5 - 0.5 * np.cos(np.pi * (np.arange(m) + 0.5) / m)
        w[:m] = r
        w[n - m:] = r[::-1]
    return w


def vector_rms(x: FloatArray) -> float:
    """RMS of the vector magnitude of (n, 3) rows (0 for no rows)."""
    return float(np.sqrt(np.mean(np.sum(x**2, axis=1)))) if x.shape[0] else 0.0
