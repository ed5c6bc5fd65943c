"""Signal views for hold graphs: continuous runs, smoothing, tremor band power, tilt and sway ellipses.

Pure numpy/scipy helpers used by :mod:`holdtrack.plot` (which draws them). They work on the uniform grid
of a :class:`~holdtrack.signal.pipeline.Trace`: ``t_s`` (n,) s, ``acc_mps2`` (n, 3) m/s², with gaps where
consecutive times are more than 1.5 sample periods apart.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import signal as sps

F64 = NDArray[np.float64]

#: Tremor bands shown over time, Hz (physiological 8-12 Hz; 4-6 Hz grows with fatigue).
TREMOR_BANDS_HZ: dict[str, tuple[float, float]] = {"4-6 Hz": (4.0, 6.0), "8-12 Hz": (8.0, 12.0)}
#: Band of the sway trajectory, Hz (slow postural sway up to 5 Hz; the offset is removed).
SWAY_VIEW_BAND_HZ = (0.3, 5.0)
#: 95 % quantile of chi-square with 2 degrees of freedom: scale of the 95 % prediction ellipse.
CHI2_95_2DOF = 5.991464547107979


def runs(t_s: F64, fs: float) -> list[slice]:
    """Slices of ``t_s`` without gaps (a gap: a step above 1.5 sample periods)."""
    n = t_s.shape[0]
    if n == 0:
        return []
    cut = np.flatnonzero(np.diff(t_s) > 1.5 / fs) + 1
    edges = np.concatenate(([0], cut, [n]))
    return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


def smooth(t_s: F64, x: F64, fs: float, cutoff_hz: float = 2.0) -> F64:
    """Zero-phase low-pass of ``x`` (n, ...) along axis 0, each gap-free run filtered on its own."""
    out = np.array(x, dtype=np.float64, copy=True)
    if cutoff_hz >= 0.45 * fs:
        return out
    sos = sps.butter(2, cutoff_hz, fs=fs, output="sos")
    for r in runs(t_s, fs):
        seg = out[r]
        if seg.shape[0] > 15:
            out[r] = sps.sosfiltfilt(sos, seg, axis=0, padlen=min(seg.shape[0] - 1, int(fs)))
    return out


def usable_bands(fs: float, bands: dict[str, tuple[float, float]] | None = None) -> dict[str, tuple[float, float]]:
    """The bands measurable at ``fs`` (upper edge clipped to 0.45 fs; bands starting above it dropped)."""
    out = {}
    for name, (lo, hi) in (bands or TREMOR_BANDS_HZ).items():
        top = min(hi, 0.45 * fs)
        if top > lo:
            out[name if top == hi else f"{lo:g}-{top:.3g} Hz"] = (lo, top)
    return out


def band_power(t_s: F64, acc_mps2: F64, fs: float, *, window_s: float = 2.0, step_s: float = 0.5,
               bands: dict[str, tuple[float, float]] | None = None) -> tuple[F64, dict[str, F64]]:
    """Acceleration power in frequency bands over time (sliding Hann windows, summed over the 3 axes).

    Parameters
    ----------
    t_s : (n,) sample times, s; acc_mps2 : (n, 3) m/s²; fs : grid rate, Hz
    window_s, step_s : window length and hop, s (windows never straddle a gap)

    Returns
    -------
    t_mid : (m,) window centres, s
    power : band name -> (m,) band power, (m/s²)² (each window's mean removed first)
    """
    use = usable_bands(fs, bands)
    nper = max(8, int(round(window_s * fs)))
    hop = max(1, int(round(step_s * fs)))
    ts: list[F64] = []
    ps: dict[str, list[F64]] = {k: [] for k in use}
    win = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(nper) / nper)  # periodic Hann
    scale = 1.0 / (fs * float(np.sum(win**2)))  # one-sided PSD scaling, (m/s²)²/Hz
    f = np.fft.rfftfreq(nper, 1.0 / fs)
    df = f[1] - f[0]
    sels = {name: (f >= lo) & (f <= hi) for name, (lo, hi) in use.items()}
    for r in runs(t_s, fs):
        seg = acc_mps2[r]
        if seg.shape[0] < nper:
            continue
        t_run = t_s[r]
        starts = np.arange(0, seg.shape[0] - nper + 1, hop)
        for a in range(0, starts.shape[0], 1024):  # bounded temporaries: 1024 windows at a time
            st = starts[a:a + 1024]
            frames = np.lib.stride_tricks.sliding_window_view(seg, nper, axis=0)[st]  # (m, 3, nper)
            frames = frames - frames.mean(axis=2, keepdims=True)  # each window's mean removed
            psd = np.abs(np.fft.rfft(frames * win, axis=2)) ** 2 * scale  # (m, 3, freq)
            psd[..., 1:-1] *= 2.0
            psd = psd.sum(axis=1)  # summed over the axes: (m, freq)
            ts.append(t_run[0] + (st + nper / 2) / fs)
            for name, sel in sels.items():
                ps[name].append(psd[:, sel].sum(axis=1) * df)
    t_mid = np.concatenate(ts) if ts else np.zeros(0)
    return t_mid, {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in ps.items()}


def tilt_from_reference(gravity_mps2: F64, reference: F64) -> F64:
    """Angle between each gravity vector (m, 3) and ``reference`` (3,), degrees."""
    g = np.asarray(gravity_mps2, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (g @ ref) / (np.linalg.norm(g, axis=1) * np.linalg.norm(ref))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def plane_axes(g: F64) -> F64:
    """(3, 2) orthonormal axes of the plane perpendicular to ``g`` (3,).

    Axis 1 is the device axis closest to that plane, projected into it; axis 2 completes a right-handed set.
    """
    u = np.asarray(g, dtype=np.float64) / np.linalg.norm(g)
    i = int(np.argmin(np.abs(u)))
    a1 = np.eye(3)[i] - u[i] * u
    a1 /= np.linalg.norm(a1)
    return np.column_stack([a1, np.cross(u, a1)])


def sway_path(acc_mps2: F64, fs: float) -> F64 | None:
    """Horizontal sway (n, 2), m/s²: acceleration band-passed to :data:`SWAY_VIEW_BAND_HZ` (zero phase) and
    projected on the plane perpendicular to the mean gravity. None if too short (< 1 s) or no gravity."""
    acc = np.asarray(acc_mps2, dtype=np.float64)
    n = acc.shape[0]
    g = acc.mean(axis=0) if n else np.zeros(3)
    if n < max(8, int(fs)) or not np.linalg.norm(g) > 1.0:
        return None
    lo, hi = SWAY_VIEW_BAND_HZ
    if hi < 0.45 * fs:
        sos = sps.butter(2, (lo, hi), btype="bandpass", fs=fs, output="sos")
    else:
        sos = sps.butter(2, lo, btype="highpass", fs=fs, output="sos")
    dyn = sps.sosfiltfilt(sos, acc - g, axis=0, padlen=min(n - 1, int(3 * fs)))
    xy = dyn @ plane_axes(g)
    return xy - xy.mean(axis=0)


def ellipse95(xy: F64) -> tuple[float, float, float, float] | None:
    """95 % prediction ellipse of points ``xy`` (n, 2): (semi-major, semi-minor, angle deg, area).

    Units: those of ``xy`` (area in their square). None for fewer than 3 points.
    """
    if xy.shape[0] < 3:
        return None
    cov = np.cov(xy, rowvar=False)
    w, v = np.linalg.eigh(cov)
    w = np.clip(w, 0.0, None)
    a, b = math.sqrt(CHI2_95_2DOF * w[1]), math.sqrt(CHI2_95_2DOF * w[0])
    angle = math.degrees(math.atan2(v[1, 1], v[0, 1]))
    return a, b, angle, math.pi * a * b
