"""A 0-100 stability score from hold metrics, and a cheap live provisional version of it.

Each component maps one metric ``x`` (lower is steadier) to a sub-score with a log-logistic curve
``s(x) = 100 / (1 + (x / x50) ** k)``: 100 at x = 0, 50 at the anchor ``x50``, 85 at the anchor ``x85``
(``k = ln(100/85 - 1) / ln(x85 / x50)``), strictly decreasing, smooth in log x. The score is the
weighted mean of the available sub-scores. ``docs/metrics.md`` gives the anchors' sources.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import signal as sps

from holdtrack.signal.metrics import MIN_HOLD_S
from holdtrack.signal.spectra import sos_zi
from holdtrack.signal.swayband import MIN_FS_HZ, band_integrals, noise_density, sway_sos


@dataclass(frozen=True)
class Component:
    """One part of the score: ``metric`` mapped to 0-100 through anchors ``x50`` (-> 50) and ``x85`` (-> 85)."""

    name: str
    metric: str
    weight: float
    x50: float
    x85: float
    unit: str
    reference: str

    @property
    def slope(self) -> float:
        """Exponent ``k`` of the log-logistic curve."""
        return math.log(100.0 / 85.0 - 1.0) / math.log(self.x85 / self.x50)

    def subscore(self, x: float) -> float:
        """Sub-score 0-100 of value ``x`` >= 0 (in :attr:`unit`)."""
        if x <= 0.0:
            return 100.0
        return 100.0 / (1.0 + (x / self.x50) ** self.slope)


COMPONENTS: tuple[Component, ...] = (
    Component(
        "sway", "rms_mps2", 0.40, 0.35, 0.075, "m/s²",
        "50 at the 0.35 m/s² plank-intensity cut-off (Heredia-Elvar 2021; 0.50 m/s² scores ~40); "
        "85 at 0.075 m/s², a good dumbbell hold (SADS-OKC: 0.06-0.09 m/s²)",
    ),
    Component(
        "jerk", "jerk_rms_mps3", 0.30, 2.1, 0.45, "m/s³",
        "85 at 0.45 m/s³ (SADS-OKC good hold: path/T 0.35-0.44 m/s³ / 0.886); "
        "50 at 2.1 m/s³ (the same ratio to the 0.35 m/s² RMS anchor)",
    ),
    Component(
        "tilt_drift", "tilt_drift_deg_per_min", 0.15, 6.0, 1.5, "deg/min",
        "synthesis (no published threshold): 1.5 deg/min -> 85, 6 deg/min -> 50",
    ),
    Component(
        "wobbles", "wobble_rate_per_min", 0.15, 4.0, 1.0, "1/min",
        "synthesis: one brief excursion per minute -> 85, four per minute -> 50",
    ),
)


def score_hold(metrics: Mapping[str, Any]) -> tuple[float | None, dict[str, Any]]:
    """Stability score 0-100 (higher is steadier) of one hold and its explanation.

    Parameters
    ----------
    metrics : output of :func:`holdtrack.signal.metrics.hold_metrics` (needs ``rms_mps2``; uses
        ``jerk_rms_mps3``, ``tilt_drift_deg_per_min``, ``wobble_count`` and ``analysed_duration_s`` when present)

    Returns
    -------
    score : weighted mean of the available sub-scores, or None when ``rms_mps2`` is None
    components : component name -> {"metric", "value", "unit", "subscore", "weight", "x50", "x85",
        "reference"}; a component whose input is None is left out and the weights renormalised
    """
    values = dict(metrics)
    if values.get("rms_mps2") is None:
        return None, {}
    count, dur = values.get("wobble_count"), values.get("analysed_duration_s")
    values["wobble_rate_per_min"] = None if count is None or not dur else 60.0 * float(count) / float(dur)
    parts: dict[str, Any] = {}
    for c in COMPONENTS:
        x = values.get(c.metric)
        if x is None:
            continue
        parts[c.name] = {
            "metric": c.metric,
            "value": float(x),
            "unit": c.unit,
            "subscore": c.subscore(float(x)),
            "weight": c.weight,
            "x50": c.x50,
            "x85": c.x85,
            "reference": c.reference,
        }
    total = sum(p["weight"] for p in parts.values())
    score = sum(p["weight"] * p["subscore"] for p in parts.values()) / total
    return score, parts


class ProvisionalScorer:
    """Live provisional score of a hold in progress: O(k) per push, constant memory.

    Uses the same sway band as :func:`hold_metrics` (sections applied twice causally: the same amplitude
    response as the zero-phase pass), the running mean gravity direction for the horizontal plane, jerk
    from the first difference of the sway, and tilt drift from running least-squares sums (the same line
    fit as offline). Tremor is not part of the score, so a gyroscope stream is accepted and ignored.

    Parameters
    ----------
    fs : sample rate, Hz
    gyro : whether pushes carry gyroscope blocks
    noise_floor_mps2 : per-axis in-band device noise RMS, m/s² (may be updated between pushes)
    """

    def __init__(self, fs: float, gyro: bool = False, *, noise_floor_mps2: float = 0.0) -> None:
        if not (math.isfinite(fs) and fs > 0):
            raise ValueError(f"fs must be a positive number of Hz, got {fs!r}")
        self.fs = float(fs)
        self.gyro = gyro
        self.noise_floor_mps2 = float(noise_floor_mps2)
        self.wobble_count = 0
        self.wobble_time_s = 0.0
        self._ok = fs >= MIN_FS_HZ
        sos = sway_sos(self.fs)
        self._sos = np.vstack([sos, sos])
        self._zi: np.ndarray | None = None
        self._prev: np.ndarray | None = None  # last horizontal sway sample (3,)
        self._n = 0
        self._sum_a = np.zeros(3)  # running sums for the mean and the least-squares tilt line
        self._sum_ta = np.zeros(3)
        self._sum_t = 0.0
        self._sum_tt = 0.0
        self._sum_s2 = 0.0  # sum of |horizontal sway|², (m/s²)²
        self._sum_j2 = 0.0  # sum of |horizontal sway difference * fs|², (m/s³)²
        self._n_j = 0

    def push(self, acc_mps2: ArrayLike, gyro_dps: ArrayLike | None = None) -> None:
        """Add a block of samples: ``acc_mps2`` (k, 3) m/s² (``gyro_dps`` (k, 3) deg/s is accepted, unused)."""
        acc = np.asarray(acc_mps2, dtype=np.float64)
        if acc.ndim != 2 or acc.shape[1] != 3:
            raise ValueError(f"acc_mps2 must have shape (k, 3), got {acc.shape}")
        if gyro_dps is not None and np.shape(gyro_dps) != acc.shape:
            raise ValueError(f"gyro_dps shape {np.shape(gyro_dps)} differs from acc_mps2 shape {acc.shape}")
        k = acc.shape[0]
        if k == 0:
            return
        t = (self._n + np.arange(k)) / self.fs
        run_a = self._sum_a + np.cumsum(acc, axis=0)  # (k, 3) running sums: gravity direction per sample
        self._sum_a = run_a[-1].copy()
        self._sum_ta += t @ acc
        self._sum_t += float(t.sum())
        self._sum_tt += float(t @ t)
        self._n += k
        if not self._ok:
            return
        if self._zi is None:
            self._zi = sos_zi(self._sos)[:, :, None] * acc[0][None, None, :]  # sosfilt_zi, cached per rate
        sway, self._zi = sps.sosfilt(self._sos, acc, axis=0, zi=self._zi)
        u = run_a / np.linalg.norm(run_a, axis=1, keepdims=True)
        horiz = sway - np.sum(sway * u, axis=1, keepdims=True) * u  # (k, 3) horizontal sway
        self._sum_s2 += float(np.sum(horiz**2))
        prev = horiz[:0] if self._prev is None else self._prev[None, :]
        d = np.diff(np.vstack([prev, horiz]), axis=0) * self.fs
        self._sum_j2 += float(np.sum(d**2))
        self._n_j += d.shape[0]
        self._prev = horiz[-1].copy()

    @property
    def elapsed_s(self) -> float:
        """Time covered by the pushed samples, s."""
        return self._n / self.fs

    def metrics(self) -> dict[str, float | None]:
        """The running subset of :func:`hold_metrics` that the score uses (None before MIN_HOLD_S)."""
        dur = self.elapsed_s
        out: dict[str, float | None] = {
            "analysed_duration_s": dur,
            "rms_mps2": None,
            "jerk_rms_mps3": None,
            "tilt_drift_deg_per_min": None,
            "wobble_count": float(self.wobble_count),
            "wobble_time_s": float(self.wobble_time_s),
        }
        if dur < MIN_HOLD_S or not self._ok:
            return out
        nf = self.noise_floor_mps2
        n0 = noise_density(nf, self.fs)
        _, g4f2 = band_integrals(self.fs)
        out["rms_mps2"] = math.sqrt(max(0.0, self._sum_s2 / self._n - 2.0 * nf**2))
        jerk_noise = 2.0 * n0 * (2 * math.pi) ** 2 * g4f2
        out["jerk_rms_mps3"] = math.sqrt(max(0.0, self._sum_j2 / max(self._n_j, 1) - jerk_noise))
        n, st, stt = self._n, self._sum_t, self._sum_tt
        slope = (n * self._sum_ta - st * self._sum_a) / (n * stt - st**2)
        start = (self._sum_a - slope * st) / n
        t_end = (n - 1) / self.fs
        end = start + slope * t_end
        cos = float(start @ end) / float(np.linalg.norm(start) * np.linalg.norm(end))
        out["tilt_drift_deg_per_min"] = math.degrees(math.acos(min(1.0, max(-1.0, cos)))) / t_end * 60.0
        return out

    @property
    def score(self) -> float | None:
        """Provisional score 0-100, or None before :data:`MIN_HOLD_S` of samples (or below the band's rate)."""
        return score_hold(self.metrics())[0]
