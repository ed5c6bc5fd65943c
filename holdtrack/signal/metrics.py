"""Per-hold stability metrics (interim core set; the full ISway/Prieto family is issue #4).

Computed on a closed hold's uniform samples with zero-phase filtering.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import signal as sps

from holdtrack.signal.filters import butter_sos


def hold_metrics(
    acc_mps2: NDArray[np.float64],
    fs: float,
    gyro_dps: NDArray[np.float64] | None = None,
    *,
    noise_floor_mps2: float = 0.0,
    wobbles: int = 0,
    wobble_time_s: float = 0.0,
) -> tuple[dict[str, float | None], dict[str, str]]:
    """Sway RMS in the plane perpendicular to gravity (0.2-10 Hz, zero-phase), tilt drift and wobbles.

    Parameters
    ----------
    acc_mps2 : (n, 3) acceleration of the hold on a uniform grid, m/s²
    fs : sample rate, Hz
    noise_floor_mps2 : device noise RMS in the same band; its variance is subtracted from the sway variance
    """
    n = acc_mps2.shape[0]
    notes: dict[str, str] = {}
    m: dict[str, float | None] = {"wobble_count": float(wobbles), "wobble_time_s": float(wobble_time_s)}
    if n < max(8, int(2 * fs)):
        m.update(rms_mps2=None, tilt_max_deg=None)
        notes["rms_mps2"] = notes["tilt_max_deg"] = "hold shorter than 2 s"
        return m, notes
    g = acc_mps2.mean(axis=0)
    g_hat = g / np.linalg.norm(g)
    sos = butter_sos(2, (0.2, 10.0), fs, "bandpass")
    dyn = sps.sosfiltfilt(sos, acc_mps2, axis=0)
    horiz = dyn - np.outer(dyn @ g_hat, g_hat)
    var = float(np.mean(np.sum(horiz**2, axis=1))) - noise_floor_mps2**2
    m["rms_mps2"] = float(np.sqrt(max(var, 0.0)))
    lp = sps.sosfiltfilt(butter_sos(2, 0.5, fs), acc_mps2, axis=0)
    ref = lp[: max(1, int(fs))].mean(axis=0)
    cosang = (lp @ ref) / (np.linalg.norm(lp, axis=1) * np.linalg.norm(ref))
    m["tilt_max_deg"] = float(np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0))).max())
    return m, notes
