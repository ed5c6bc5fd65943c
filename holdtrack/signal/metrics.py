"""Stability metrics of one closed hold (ISway / Prieto family, 95 % ellipse, tremor, tilt, fatigue).

Computed after the hold closes on its samples, on a uniform grid, with zero-phase filters. See
``docs/metrics.md`` for every formula, unit, filter and reference.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from holdtrack.model import G0
from holdtrack.signal.spectra import mix, periodogram_sum, trapezoid
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
from holdtrack.signal.tilt import tilt_from_rows
from holdtrack.signal.tremor import (  # noqa: F401  (re-exported: part of this module's documented constants)
    BAND_FS_FACTOR,
    FATIGUE_SEG_S,
    POWER_FLOOR_DPS2,
    POWER_FLOOR_M2PS4,
    TREMOR_BANDS_HZ,
    WELCH_SEG_S,
    fatigue_metrics,
    tremor_metrics,
)

MIN_HOLD_S = 3.0
"""Shortest hold with any sway metric, s."""
MIN_FREQ_S = 10.0
"""Shortest hold with frequency measures (CFREQ, FREQD, F50, F95, tremor bands), s."""
MIN_FATIGUE_S = 15.0
"""Shortest hold with a fatigue index (each third >= 5 s), s."""
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

    a = np.ascontiguousarray(acc.T)  # (3, n): channel-major, the layout every step below works along
    g_mean = a.mean(axis=1)
    if np.linalg.norm(g_mean) < 0.2 * G0:
        return metrics, _fill_notes(metrics, notes, "no gravity direction (mean |a| below 0.2 g)")
    # (2, n) horizontal sway: the band-passed projection (= the projected band-pass: the filter is linear)
    sway = zero_phase(sway_sos(fs), mix(horizontal_basis(g_mean).T, a), fs, axis=-1)
    sway -= sway.mean(axis=1, keepdims=True)
    n0 = noise_density(noise_floor_mps2, fs)

    f, p = periodogram_sum(sway, fs, detrend=False)  # its mean is removed: detrending would change nothing
    if n0 > 0.0:
        p -= 2.0 * n0 * band_power_response(fs, f)  # (m,) noise removed (unbiased, may dip < 0)
    metrics.update(_time_domain(sway, fs, noise_floor_mps2, f, p))
    gyr = None if gyro is None else np.ascontiguousarray(gyro.T)  # (3, n)
    metrics.update(tilt_from_rows(a, fs, gyr))
    if dur >= MIN_FREQ_S:
        dyn = a - zero_phase(gravity_sos(fs), a, fs, axis=-1)  # (3, n) dynamic acceleration for tremor bands
        metrics.update(_spectral(f, p, notes))
        metrics.update(tremor_metrics(dyn, fs, 3.0 * n0, "m2ps4", notes))
        if gyr is not None:
            metrics.update(tremor_metrics(gyr, fs, 0.0, "dps2", notes))
        if dur >= MIN_FATIGUE_S:
            metrics.update(fatigue_metrics(sway, dyn, gyr, fs, noise_floor_mps2, n0, notes))
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
    """RMS, principal-axis RMS, 95 % ellipse, distance, path of the (2, n) sway; jerk from its PSD ``p``."""
    n = sway.shape[1]
    dur = n / fs
    s0, s1 = sway
    c01 = float(np.sum(s0 * s1)) / n
    cov = np.array([[float(np.sum(s0 * s0)) / n, c01], [c01, float(np.sum(s1 * s1)) / n]])
    lam = np.linalg.eigvalsh(cov)[::-1] - nf**2  # principal variances, noise removed
    lam = np.clip(lam, 0.0, None)
    jerk_ms = max(0.0, (2 * math.pi) ** 2 * trapezoid(f**2 * p, f))
    d = np.diff(sway, axis=1)
    path = float(np.sqrt(d[0] ** 2 + d[1] ** 2).sum())
    return {
        "rms_mps2": math.sqrt(float(lam.sum())),
        "rms_major_mps2": math.sqrt(lam[0]),
        "rms_minor_mps2": math.sqrt(lam[1]),
        "ellipse95_area_m2ps4": math.pi * CHI2_95_2DOF * math.sqrt(lam[0] * lam[1]),
        "mean_distance_mps2": float(np.sqrt(sway[0] ** 2 + sway[1] ** 2).mean()),
        "path_mps2": path,
        "mean_velocity_mps3": path / dur,
        "jerk_rms_mps3": math.sqrt(jerk_ms),
        "jerk_m2ps5": 0.5 * jerk_ms * dur,
    }


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
