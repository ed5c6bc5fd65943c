"""Stability metrics of one closed hold (ISway / Prieto family, 95 % ellipse, tremor, tilt, fatigue).

Computed after the hold closes on its samples, on a uniform grid, with zero-phase filters. See
``docs/metrics.md`` for every formula, unit, filter and reference.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import signal as sps
from scipy.integrate import trapezoid

from holdtrack.model import G0
from holdtrack.signal.swayband import (
    MIN_FS_HZ,
    SWAY_BAND_HZ,
    band_power_response,
    gravity_sos,
    horizontal_basis,
    noise_density,
    sway_sos,
    zero_phase,
)
from holdtrack.signal.tilt import tilt_metrics

MIN_HOLD_S = 3.0
"""Shortest hold with any sway metric, s."""
MIN_FREQ_S = 10.0
"""Shortest hold with frequency measures (CFREQ, FREQD, F50, F95, tremor bands), s."""
MIN_FATIGUE_S = 15.0
"""Shortest hold with a fatigue index (each third >= 5 s), s."""
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
CHI2_95_2DOF = 5.991464547107979
"""95 % quantile of chi-square with 2 degrees of freedom (prediction ellipse)."""

METRIC_NAMES: tuple[str, ...] = (
    "analysed_duration_s",
    "rms_mps2",
    "rms_major_mps2",
    "rms_minor_mps2",
    "mean_distance_mps2",
    "path_mps2",
    "mean_velocity_mps3",
    "jerk_m2ps5",
    "jerk_rms_mps3",
    "ellipse95_area_m2ps4",
    "centroid_freq_hz",
    "freq_dispersion",
    "f50_hz",
    "f95_hz",
    "tremor_4_6hz_power_m2ps4",
    "tremor_8_12hz_power_m2ps4",
    "tremor_4_6hz_power_dps2",
    "tremor_8_12hz_power_dps2",
    "tilt_drift_deg_per_min",
    "tilt_max_deg",
    "wobble_count",
    "wobble_time_s",
    "fatigue_index",
    "fatigue_index_gyro",
    "fatigue_rms_ratio",
    "noise_floor_mps2",
)

Metrics = dict[str, "float | None"]
Notes = dict[str, str]


def hold_metrics(
    acc_mps2: ArrayLike,
    fs: float,
    gyro_dps: ArrayLike | None = None,
    *,
    noise_floor_mps2: float = 0.0,
    wobbles: int = 0,
    wobble_time_s: float = 0.0,
) -> tuple[Metrics, Notes]:
    """Stability metrics of one hold.

    Parameters
    ----------
    acc_mps2 : (n, 3) acceleration including gravity, m/s², uniform grid
    fs : sample rate, Hz
    gyro_dps : (n, 3) angular rate, deg/s, or None (then the gyro tremor / fatigue metrics are None and
        ``tilt_max_deg`` comes from the accelerometer alone)
    noise_floor_mps2 : per-axis RMS of the device noise in the sway band (see ``swayband``), m/s²;
        its power is subtracted from every power-like measure
    wobbles, wobble_time_s : brief excursions inside the hold (from the segmenter), passed through

    Returns
    -------
    metrics : every name in :data:`METRIC_NAMES` -> value or None
    notes : metric name -> reason, for each metric that is None
    """
    acc = _as_samples(acc_mps2, "acc_mps2")
    gyro = None if gyro_dps is None else _as_samples(gyro_dps, "gyro_dps")
    if gyro is not None and gyro.shape != acc.shape:
        raise ValueError(f"gyro_dps shape {gyro.shape} differs from acc_mps2 shape {acc.shape}")
    if not (math.isfinite(fs) and fs > 0):
        raise ValueError(f"fs must be a positive number of Hz, got {fs!r}")
    if not (math.isfinite(noise_floor_mps2) and noise_floor_mps2 >= 0):
        raise ValueError(f"noise_floor_mps2 must be >= 0, got {noise_floor_mps2!r}")
    n = acc.shape[0]
    dur = n / fs
    metrics: Metrics = dict.fromkeys(METRIC_NAMES)
    notes: Notes = {}
    metrics.update(
        analysed_duration_s=dur,
        wobble_count=float(wobbles),
        wobble_time_s=float(wobble_time_s),
        noise_floor_mps2=float(noise_floor_mps2),
    )
    if dur < MIN_HOLD_S:
        return metrics, _fill_notes(metrics, notes, f"hold shorter than {MIN_HOLD_S:g} s")
    if fs < MIN_FS_HZ:
        reason = f"sample rate {fs:g} Hz below {MIN_FS_HZ:g} Hz needed for the {_band_text()} sway band"
        return metrics, _fill_notes(metrics, notes, reason)

    g_mean = acc.mean(axis=0)
    if np.linalg.norm(g_mean) < 0.2 * G0:
        return metrics, _fill_notes(metrics, notes, "no gravity direction (mean |a| below 0.2 g)")
    sway = zero_phase(sway_sos(fs), acc, fs) @ horizontal_basis(g_mean)  # (n, 2) horizontal sway
    sway -= sway.mean(axis=0)
    dyn = acc - zero_phase(gravity_sos(fs), acc, fs)  # (n, 3) dynamic acceleration for tremor bands
    n0 = noise_density(noise_floor_mps2, fs)

    f, p = sps.periodogram(sway, fs=fs, window="hann", detrend="constant", axis=0)
    p = p.sum(axis=1) - 2.0 * n0 * band_power_response(fs, f)  # (m,) noise removed (unbiased, may dip < 0)
    metrics.update(_time_domain(sway, fs, noise_floor_mps2, f, p))
    metrics.update(tilt_metrics(acc, fs, gyro))
    if dur >= MIN_FREQ_S:
        metrics.update(_spectral(f, p, notes))
        metrics.update(_tremor(dyn, fs, 3.0 * n0, "m2ps4", notes))
        if gyro is not None:
            metrics.update(_tremor(gyro, fs, 0.0, "dps2", notes))
    if dur >= MIN_FATIGUE_S:
        metrics.update(_fatigue(sway, dyn, gyro, fs, noise_floor_mps2, n0, notes))
    too_short_freq = f"hold shorter than {MIN_FREQ_S:g} s (frequency measures need >= {MIN_FREQ_S:g} s)"
    too_short_fatigue = f"hold shorter than {MIN_FATIGUE_S:g} s (fatigue compares thirds of >= 5 s)"
    for name in ("centroid_freq_hz", "freq_dispersion", "f50_hz", "f95_hz",
                 "tremor_4_6hz_power_m2ps4", "tremor_8_12hz_power_m2ps4"):
        notes.setdefault(name, too_short_freq)
    for name in ("tremor_4_6hz_power_dps2", "tremor_8_12hz_power_dps2"):
        notes.setdefault(name, "no gyroscope" if gyro is None else too_short_freq)
    notes.setdefault("fatigue_index_gyro", "no gyroscope" if gyro is None else too_short_fatigue)
    for name in ("fatigue_index", "fatigue_rms_ratio"):
        notes.setdefault(name, too_short_fatigue)
    return metrics, {k: v for k, v in notes.items() if metrics.get(k) is None}  # notes only for None values


def _as_samples(x: ArrayLike, name: str) -> NDArray[np.float64]:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != 3:
        raise ValueError(f"{name} must have shape (n, 3), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _band_text() -> str:
    return f"{SWAY_BAND_HZ[0]:g}-{SWAY_BAND_HZ[1]:g} Hz"


def _fill_notes(metrics: Metrics, notes: Notes, reason: str) -> Notes:
    for k, v in metrics.items():
        if v is None:
            notes.setdefault(k, reason)
    return notes


def _time_domain(
    sway: NDArray[np.float64], fs: float, nf: float, f: NDArray[np.float64], p: NDArray[np.float64]
) -> Metrics:
    """RMS, principal-axis RMS, 95 % ellipse, distance, path of the (n, 2) sway; jerk from its PSD ``p``."""
    n = sway.shape[0]
    dur = n / fs
    lam = np.linalg.eigvalsh(sway.T @ sway / n)[::-1] - nf**2  # principal variances, noise removed
    lam = np.clip(lam, 0.0, None)
    jerk_ms = max(0.0, (2 * math.pi) ** 2 * float(trapezoid(f**2 * p, f)))
    path = float(np.linalg.norm(np.diff(sway, axis=0), axis=1).sum())
    return {
        "rms_mps2": math.sqrt(float(lam.sum())),
        "rms_major_mps2": math.sqrt(lam[0]),
        "rms_minor_mps2": math.sqrt(lam[1]),
        "ellipse95_area_m2ps4": math.pi * CHI2_95_2DOF * math.sqrt(lam[0] * lam[1]),
        "mean_distance_mps2": float(np.linalg.norm(sway, axis=1).mean()),
        "path_mps2": path,
        "mean_velocity_mps3": path / dur,
        "jerk_rms_mps3": math.sqrt(jerk_ms),
        "jerk_m2ps5": 0.5 * jerk_ms * dur,
    }


def _welch(
    x: NDArray[np.float64], fs: float, seg_s: float, average: str = "mean"
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One-sided PSD summed over channels: frequencies (m,) Hz and density (m,) unit²/Hz.

    ``average="median"`` (bias-corrected by scipy) resists a brief burst in one or two segments.
    """
    nper = min(x.shape[0], int(round(seg_s * fs)))
    f, p = sps.welch(x, fs=fs, window="hann", nperseg=nper, noverlap=nper // 2, detrend="constant", axis=0,
                     average=average)
    return f, p.sum(axis=1)


def _spectral(f: NDArray[np.float64], p: NDArray[np.float64], notes: Notes) -> Metrics:
    """CFREQ, FREQD, F50 and F95 of the horizontal sway PSD ``p`` (m,) at frequencies ``f`` (m,) Hz."""
    f, p = f[1:], p[1:]
    df = f[1] - f[0]
    mu0, mu1, mu2 = (float(np.sum(f**k * p) * df) for k in (0, 1, 2))
    if mu0 <= 0.0 or mu2 <= 0.0:
        for name in ("centroid_freq_hz", "freq_dispersion", "f50_hz", "f95_hz"):
            notes[name] = "no sway power above the noise floor"
        return {}
    cum = np.maximum.accumulate(np.concatenate([[0.0], np.cumsum(p) * df]) / mu0)
    edges = np.concatenate([[f[0] - df / 2], f + df / 2])  # bin k covers [f_k - df/2, f_k + df/2]
    return {
        "centroid_freq_hz": math.sqrt(mu2 / mu0),
        "freq_dispersion": math.sqrt(max(0.0, 1.0 - mu1**2 / (mu0 * mu2))),
        "f50_hz": float(np.interp(0.50, cum, edges)),
        "f95_hz": float(np.interp(0.95, cum, edges)),
    }


def _band_power(f: NDArray[np.float64], p: NDArray[np.float64], lo: float, hi: float) -> float:
    sel = (f >= lo - 1e-9) & (f <= hi + 1e-9)
    return float(trapezoid(p[sel], f[sel]))


def _tremor(x: NDArray[np.float64], fs: float, noise_density_sum: float, unit: str, notes: Notes) -> Metrics:
    """Band power of (n, 3) ``x`` in each tremor band (white noise of the given summed density removed)."""
    f, p = _welch(x, fs, WELCH_SEG_S)
    out: Metrics = {}
    for band, (lo, hi) in TREMOR_BANDS_HZ.items():
        name = f"tremor_{band}_power_{unit}"
        if fs <= BAND_FS_FACTOR * hi:
            notes[name] = f"sample rate {fs:g} Hz too low for {lo:g}-{hi:g} Hz (needs > {BAND_FS_FACTOR * hi:g} Hz)"
            continue
        out[name] = max(0.0, _band_power(f, p, lo, hi) - noise_density_sum * (hi - lo))
    return out


def _fatigue(
    sway: NDArray[np.float64],
    dyn: NDArray[np.float64],
    gyro: NDArray[np.float64] | None,
    fs: float,
    nf: float,
    n0: float,
    notes: Notes,
) -> Metrics:
    """Tremor band power and sway RMS of the last third of the hold relative to the first third."""
    third = sway.shape[0] // 3
    parts = (slice(0, third), slice(sway.shape[0] - third, None))
    out: Metrics = {}
    sources = [("fatigue_index", dyn, 3.0 * n0, POWER_FLOOR_M2PS4)]
    if gyro is not None:
        sources.append(("fatigue_index_gyro", gyro, 0.0, POWER_FLOOR_DPS2))
    for name, src, noise, floor in sources:
        ratio = _tremor_ratio(src, parts, fs, noise, floor)
        if isinstance(ratio, str):
            notes[name] = ratio
        else:
            out[name] = ratio
    rms = [math.sqrt(max(0.0, float(np.mean(np.sum(sway[pt] ** 2, axis=1))) - 2.0 * nf**2)) for pt in parts]
    if rms[0] <= 0.0:
        notes["fatigue_rms_ratio"] = "no sway above the noise floor in the first third"
    else:
        out["fatigue_rms_ratio"] = rms[1] / rms[0]
    return out


def _tremor_ratio(
    src: NDArray[np.float64], parts: tuple[slice, slice], fs: float, noise: float, floor: float
) -> float | str:
    """Summed tremor-band power of the last part over the first part, or the reason there is none."""
    bands = [(lo, hi) for lo, hi in TREMOR_BANDS_HZ.values() if fs > BAND_FS_FACTOR * hi]
    if not bands:
        return f"sample rate {fs:g} Hz too low for any tremor band"
    power = []
    for part in parts:
        f, p = _welch(src[part], fs, FATIGUE_SEG_S, average="median")  # a wobble must not look like fatigue
        power.append(sum(max(0.0, _band_power(f, p, lo, hi) - noise * (hi - lo)) for lo, hi in bands))
    if power[0] <= floor:
        return "no tremor power above the noise floor in the first third"
    return power[1] / power[0]
