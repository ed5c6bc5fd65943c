"""Hold or rest: a still period's kind from the shape of its acceleration spectrum.

A still period is a **hold** when a posture is held under load, **rest** when the person lies or sits relaxed
or the device was set down. Amplitude alone cannot tell them apart: people resting with a waist phone show
0.1-0.3 m/s² of 0.3-5 Hz motion (HAPT, docs/simulator.md), as much as a light hold's sway, and a noisy
sensor at 25 Hz shows more than both. The *shape* of the spectrum can, and it does not depend on the
sensor's noise level or on the mounting:

* ``shape`` = log10 of the mean power density in 0.75-2 Hz over that in 2-5 Hz. Sway of a posture held
  under load is postural control, concentrated below ~2 Hz (Prieto 1996; Mancini 2012; the plank and limb
  hold recordings in algorithms.md §5); resting micro-motion (fidgeting, ballistocardiogram, breathing
  harmonics) and sensor noise are broadband, so their ratio is ~0. Real HAPT sitting / standing / lying:
  median 0.0. The band starts at 0.75 Hz so that breathing (0.2-0.5 Hz tilt) does not leak into it.
* ``tremor`` = log10 of the mean power density in 7-12 Hz (capped at 0.45 fs) over that in 5-6.5 Hz: a
  physiological-tremor peak (8-12 Hz, grows with load; Lakie 2015, algorithms.md §6) standing above its
  lower neighbour. White noise gives 0. The reference is *below* the tremor band, so a sensor's anti-alias
  roll-off near Nyquist cannot fake a peak (at 25 Hz there is no band above the tremor at all).

Both are computed per 6 s Hann segment (50 % overlap; one segment when the period is shorter; per-segment
mean and linear trend removed; power summed over the three axes, so orientation does not matter) and the
**median over the calm segments** is kept: those whose 2-5 Hz power is at most :data:`QUIET_RATIO` times the
calmest one's -- the steady state of the period. Wobbles in a hold and fidget bursts in a rest are transient
and show above the sway band, so they do not change the verdict (with a plain median over all segments, a
20 s hold with three wobbles was called rest), while a stationary signal keeps nearly all its segments.
At most the last :data:`MAX_S` of the period are used (a fixed look-back) and a guard is left out at both
ends (the transition into and out of the period).

The decision is a logistic model with constant coefficients, fitted by ``scripts/fit_kind.py`` on
simulated sessions with seeds 7000-7399 -- different from every seed the evaluation (``scripts/evaluate.py``,
``tests/eval``) uses -- and checked on the real HAPT rest segments, which it must call rest.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: logistic coefficients (intercept, shape, tremor): hold when ``B0 + B_SHAPE*shape + B_TREMOR*tremor > 0``;
#: fitted by scripts/fit_kind.py (seeds 7000-7399, L2 0.1)
B0, B_SHAPE, B_TREMOR = -4.61, 8.76, 5.02
SEGMENT_S = 6.0  # spectral segment, s (0.17 Hz bins)
MAX_S = 120.0  # look-back: at most this much of the period is analysed, s
GUARD_S = 0.5  # left out at each end (at most 10 % of the period), s
QUIET_RATIO = 3.0  # segments with more than this times the calmest segment's 2-5 Hz power are left out (bursts)
SILENT_MPS2 = 1e-6  # a band quieter than this (m/s², far below any sensor's noise) is rounding error: ratio 0
BANDS_HZ = {"sway": (0.75, 2.0), "fidget": (2.0, 5.0), "below_tremor": (5.0, 6.5), "tremor": (7.0, 12.0)}


def kind_features(acc_mps2: NDArray[np.float64], fs: float) -> tuple[float, float]:
    """``(shape, tremor)`` of a still period's samples (see module docstring); 0.0 where a band is missing.

    Parameters
    ----------
    acc_mps2 : (n, 3) acceleration on the uniform grid, m/s²
    fs : grid rate, Hz
    """
    n = acc_mps2.shape[0]
    g = int(min(GUARD_S, 0.1 * n / fs) * fs)
    x = acc_mps2[g:n - g] if n - 2 * g >= 8 else acc_mps2
    x = x[-int(MAX_S * fs):]
    L = min(x.shape[0], int(round(SEGMENT_S * fs)))
    if L < 8 or not np.isfinite(x).all():
        return 0.0, 0.0
    f = np.fft.rfftfreq(L, 1.0 / fs)
    top = 0.45 * fs
    masks = {k: (f >= lo) & (f < min(hi, top)) for k, (lo, hi) in BANDS_HZ.items()}
    w = np.hanning(L)
    t = np.arange(L) - (L - 1) / 2.0
    tt = float(t @ t)
    # every segment at once: (m, 3, L), each with its mean and linear trend removed
    starts = np.arange(0, x.shape[0] - L + 1, max(1, L // 2))
    y = np.lib.stride_tricks.sliding_window_view(x, L, axis=0)[starts]
    y = y - y.mean(axis=2, keepdims=True)
    y = y - ((y @ t) / tt)[:, :, None] * t
    p = (np.abs(np.fft.rfft(y * w, axis=2)) ** 2).sum(axis=1)  # (m, bins), summed over the axes
    floor = L * SILENT_MPS2**2  # per-bin power of white noise at SILENT_MPS2 (order of magnitude)
    rows = np.column_stack((_ratio(p, masks["sway"], masks["fidget"], floor),
                            _ratio(p, masks["tremor"], masks["below_tremor"], floor)))
    # the calmest segments show the period's steady state; wobbles and fidget bursts are transient
    power = p[:, masks["fidget"]].sum(axis=1)
    med = np.median(rows[power <= QUIET_RATIO * power.min()], axis=0)
    return float(med[0]), float(med[1])


def _ratio(p: NDArray[np.float64], num: NDArray[np.bool_], den: NDArray[np.bool_], floor: float) -> NDArray[np.float64]:
    """Per segment (row of ``p``): log10 of mean(p[num]) / mean(p[den]); 0 when a band is empty or silent
    (below ``floor``: rounding)."""
    if not num.any() or not den.any():
        return np.zeros(p.shape[0])
    a, b = p[:, num].mean(axis=1), p[:, den].mean(axis=1)
    ok = (a > floor) & (b > floor)
    return np.where(ok, np.log10(np.where(ok, a, 1.0) / np.where(ok, b, 1.0)), 0.0)


def hold_logit(shape: float, tremor: float) -> float:
    """Log-odds that a still period with these features is a hold (> 0: hold)."""
    return B0 + B_SHAPE * shape + B_TREMOR * tremor


def classify_still(acc_mps2: NDArray[np.float64], fs: float) -> tuple[str, float]:
    """``("hold" | "rest", logit)`` for a still period's samples (see module docstring)."""
    z = hold_logit(*kind_features(acc_mps2, fs))
    return ("hold" if z > 0 else "rest"), z
