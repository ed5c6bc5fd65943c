"""Tremor band power and fatigue ratios of a closed hold (part of :func:`~holdtrack.signal.metrics.hold_metrics`).

Signals are channel-major: (channels, n) on a uniform grid. Welch PSDs (Hann, 50 % overlap, each segment's
mean removed, summed over channels) come from :mod:`holdtrack.signal.spectra`; ``docs/metrics.md`` gives the
definitions.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from holdtrack.signal.spectra import welch_sum

WELCH_SEG_S = 4.0
"""Welch segment length for whole-hold spectra, s (0.25 Hz resolution)."""
FATIGUE_SEG_S = 2.0
"""Welch segment length within a third of the hold, s."""
BAND_FS_FACTOR = 2.2
"""A band [lo, hi] Hz is measured only when fs > BAND_FS_FACTOR * hi."""
TREMOR_BANDS_HZ: dict[str, tuple[float, float]] = {"4_6hz": (4.0, 6.0), "8_12hz": (8.0, 12.0)}
POWER_FLOOR_M2PS4 = 1e-8
"""Tremor power treated as none for the fatigue ratio, (m/s²)² (0.1 mm/s² RMS, below any device's noise)."""
POWER_FLOOR_DPS2 = 1e-6
"""The same for the gyroscope, (deg/s)² (0.001 deg/s RMS)."""

F64 = NDArray[np.float64]
Metrics = dict[str, "float | None"]
Notes = dict[str, str]


def band_powers(
    x: F64, fs: float, seg_s: float, bands: list[tuple[float, float]], noise: ArrayLike, average: str = "mean"
) -> F64:
    """Power of ``x`` (..., channels, n) in each band [lo, hi] Hz, white noise of summed density ``noise``
    (broadcast over ``...``) removed: (..., bands).

    Welch PSD with ``seg_s`` segments (the whole signal if shorter), summed over channels, integrated over the
    bins inside the band (trapezoid rule), minus ``noise * (hi - lo)``, clipped at 0. ``average="median"``
    (bias-corrected as in scipy) resists a brief burst in one or two segments.
    """
    nper = min(x.shape[-1], int(round(seg_s * fs)))
    top = max(hi for _, hi in bands) + 1e-9
    # the segment mean affects only bins 0 and 1 (see spectra.segment_spectra): skip it when no band uses them
    bottom_bin = math.ceil((min(lo for lo, _ in bands) - 1e-9) * nper / fs)
    f, p = welch_sum(x, fs, nper, average, fmax=top, detrend=bottom_bin < 2)  # p: (..., m)
    out = np.empty(p.shape[:-1] + (len(bands),))
    for j, (lo, hi) in enumerate(bands):
        i0, i1 = np.searchsorted(f, lo - 1e-9, side="left"), np.searchsorted(f, hi + 1e-9, side="right")
        fb, pb = f[i0:i1], p[..., i0:i1]  # the bins with lo <= f <= hi (within 1e-9 Hz)
        out[..., j] = np.sum(np.diff(fb) * (pb[..., 1:] + pb[..., :-1]) / 2.0, axis=-1)  # = trapezoid(pb, fb)
    return np.maximum(0.0, out - np.asarray(noise, dtype=np.float64)[..., None] * [hi - lo for lo, hi in bands])


def tremor_metrics(x: F64, fs: float, noise_density_sum: float, unit: str, notes: Notes) -> Metrics:
    """``tremor_<band>_power_<unit>`` of ``x`` (3, n) for each band the rate allows; the others get a note."""
    names = {}
    for band, (lo, hi) in TREMOR_BANDS_HZ.items():
        name = f"tremor_{band}_power_{unit}"
        if fs <= BAND_FS_FACTOR * hi:
            notes[name] = f"sample rate {fs:g} Hz too low for {lo:g}-{hi:g} Hz (needs > {BAND_FS_FACTOR * hi:g} Hz)"
        else:
            names[name] = (lo, hi)
    if not names:
        return {}
    powers = band_powers(x, fs, WELCH_SEG_S, list(names.values()), noise_density_sum)
    return {name: float(v) for name, v in zip(names, powers)}


def fatigue_metrics(
    sway: F64, dyn: F64, gyro: F64 | None, fs: float, nf: float, n0: float, notes: Notes
) -> Metrics:
    """Tremor band power and sway RMS of the last third of the hold relative to the first third.

    Parameters
    ----------
    sway : (2, n) horizontal sway, m/s²; dyn : (3, n) dynamic acceleration, m/s²; gyro : (3, n) deg/s or None
    nf : per-axis in-band noise RMS, m/s²; n0 : per-axis noise density, (m/s²)²/Hz
    """
    n = sway.shape[-1]
    third = n // 3
    parts = (slice(0, third), slice(n - third, None))
    out: Metrics = {}
    sources = [("fatigue_index", dyn, 3.0 * n0, POWER_FLOOR_M2PS4)]
    if gyro is not None:
        sources.append(("fatigue_index_gyro", gyro, 0.0, POWER_FLOOR_DPS2))
    bands = [(lo, hi) for lo, hi in TREMOR_BANDS_HZ.values() if fs > BAND_FS_FACTOR * hi]
    if not bands:
        for name, *_ in sources:
            notes[name] = f"sample rate {fs:g} Hz too low for any tremor band"
    else:  # every third of every source in one Welch pass: (sources * 2, 3, third)
        stack = np.stack([src[:, pt] for _, src, _, _ in sources for pt in parts])
        noise = np.repeat([nz for _, _, nz, _ in sources], 2)
        # median averaging: a wobble must not look like fatigue
        power = band_powers(stack, fs, FATIGUE_SEG_S, bands, noise, "median").sum(axis=-1).reshape(-1, 2)
        for (name, _, _, floor), (first, last) in zip(sources, power.tolist()):
            if first <= floor:
                notes[name] = "no tremor power above the noise floor in the first third"
            else:
                out[name] = last / first
    s2 = sway[0] ** 2 + sway[1] ** 2  # (n,) |sway|²
    rms = [math.sqrt(max(0.0, float(np.mean(s2[pt])) - 2.0 * nf**2)) for pt in parts]
    if rms[0] <= 0.0:
        notes["fatigue_rms_ratio"] = "no sway above the noise floor in the first third"
    else:
        out["fatigue_rms_ratio"] = rms[1] / rms[0]
    return out
