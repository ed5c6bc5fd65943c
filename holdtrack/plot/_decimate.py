"""Decimation for drawing long signals (pure numpy): a min/max envelope keeps the look of every spike."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]


def envelope(t_s: F64, y: F64, max_points: int = 4000, gap_s: float | None = None) -> tuple[F64, F64]:
    """Min/max envelope of ``y`` (n,) or (n, k) over time ``t_s`` (n,) in about ``max_points`` points.

    Each bin of about ``2 n / max_points`` samples becomes two points (its minimum at the bin's first time,
    its maximum at its last), so the drawn line covers the same band as the full signal. Where consecutive times differ by
    more than ``gap_s`` a NaN row is inserted, so lines break at gaps. Returns (t, y) ready to plot.
    """
    t = np.asarray(t_s, dtype=np.float64)
    v = np.asarray(y, dtype=np.float64)
    one = v.ndim == 1
    if one:
        v = v[:, None]
    n = t.shape[0]
    if n > max_points:
        b = int(np.ceil(2 * n / max_points))
        m = n // b
        head_t, head_v = t[: m * b].reshape(m, b), v[: m * b].reshape(m, b, -1)
        lo, hi = np.nanmin(head_v, axis=1), np.nanmax(head_v, axis=1)
        t = head_t[:, [0, -1]].reshape(-1)  # bin start, bin end, next bin start, ...
        v = np.stack([lo, hi], axis=1).reshape(2 * m, -1)
        if n > m * b:
            t = np.concatenate([t, np.asarray(t_s)[m * b:]])
            v = np.concatenate([v, np.asarray(y, dtype=np.float64).reshape(n, -1)[m * b:]])
    if gap_s is not None and t.shape[0] > 1:
        cut = np.flatnonzero(np.diff(t) > gap_s) + 1
        if cut.size:
            t = np.insert(t, cut, np.nan)
            v = np.insert(v, cut, np.nan, axis=0)
    return t, (v[:, 0] if one else v)


def column_band(t_s: F64, y: F64, max_bins: int, pad: float) -> tuple[F64, F64]:
    """Outline of the band a line through (``t_s``, ``y``) covers, drawn as a filled polygon.

    The samples are cut into at most ``max_bins`` bins of consecutive segments (each bin also holds the
    first sample of the next, so the bins join up); a bin becomes one column from its minimum - ``pad``
    to its maximum + ``pad`` at its middle time (the first and last at the ends). Filling this outline costs Agg a fraction of stroking a
    dense line, and shows every spike and the true spread of noise (a min/max zigzag line does not).

    Parameters
    ----------
    t_s : (n,) increasing times
    y : (n, k) values; one outline per column
    max_bins : most columns (about the plot width in pixels / 2)
    pad : half the drawn line width, in units of ``y``

    Returns
    -------
    x : (2 m,) times of the outline: the bins forward, then backward (m >= 2 unless n < 2)
    outline : (2 m, k) the maxima + pad forward, then the minima - pad backward
    """
    t = np.asarray(t_s, dtype=np.float64)
    v = np.asarray(y, dtype=np.float64).reshape(t.shape[0], -1)
    n = t.shape[0]
    if n < 2:
        return np.empty(0), np.empty((0, v.shape[1]))
    b = int(np.ceil((n - 1) / max(1, max_bins)))
    m = int(np.ceil((n - 1) / b))
    idx = np.minimum(np.arange(m)[:, None] * b + np.arange(b + 1), n - 1)  # (m, b + 1)
    vv = v[idx]
    hi, lo = vv.max(axis=1) + pad, vv.min(axis=1) - pad
    x = 0.5 * (t[idx[:, 0]] + t[idx[:, -1]])
    if m == 1:  # one bin: a column at each end
        x, hi, lo = t[[0, -1]], np.repeat(hi, 2, axis=0), np.repeat(lo, 2, axis=0)
    x[0], x[-1] = t[0], t[-1]  # the outline reaches both ends
    return np.concatenate([x, x[::-1]]), np.concatenate([hi, lo[::-1]])
