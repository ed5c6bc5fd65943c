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
