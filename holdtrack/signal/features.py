"""Frame-rate features of the uniform signal: windowed variability and the gravity direction.

The grid is cut into **frames** of ``D`` samples aligned to the global grid index (about 20 frames per
second whatever the sample rate). For each frame we keep the sums of the low-passed acceleration and of
its square; a **window** is the last ``K`` frames. Per window:

* ``sigma`` — total standard deviation of acceleration, m/s²: ``sqrt(sum_axes var_w(a))``. This is the
  moving-variance (MV) detector of Skog et al. (2010) in standard-deviation units, independent of mounting
  orientation (it is a trace) and of gravity (the window mean is removed).
* ``gravity`` — the window mean of acceleration (3,), m/s²: the gravity vector while still.

Sums are always taken in the same order (a frame's samples in time order; a window's frames newest first),
whether by slice loops over many frames at once, by ``np.add.accumulate`` for a few frames, or by Python
floats for the statistics of a few windows (the same IEEE operations), so the features are bit-identical
however the input was chunked (``tests/robustness/test_tiny_paths.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from holdtrack.signal.filters import StreamingSos, butter_sos
from holdtrack.signal.grid import GridPiece


@dataclass(frozen=True, eq=False)
class FrameBatch:
    """Per-frame window features for frames ``f0 .. f0+n-1``.

    valid : (n,) bool, the window is complete (K consecutive frames since the last split)
    sigma_mps2 : (n,) window standard deviation, m/s² (nan where invalid)
    gravity_mps2 : (n, 3) window mean acceleration, m/s²
    sigma_short_mps2 : (n,) standard deviation over the last ``Ks`` frames (nan where incomplete)
    """

    f0: int
    valid: NDArray[np.bool_]
    sigma_mps2: NDArray[np.float64]
    gravity_mps2: NDArray[np.float64]
    sigma_short_mps2: NDArray[np.float64]  # the same statistic over a short window (~0.25 s), for boundaries

    def __len__(self) -> int:
        return int(self.valid.shape[0])


def frame_length(fs: float, frame_rate_hz: float = 20.0) -> int:
    """Samples per frame: about ``fs / frame_rate_hz``, at least 1."""
    return max(1, int(round(fs / frame_rate_hz)))


class FrameFeatures:
    """Streaming frame and window statistics over grid pieces.

    Parameters
    ----------
    fs : grid rate, Hz
    window_s : window length, s
    lowpass_hz : noise low-pass applied before the statistics, Hz. The same cut-off at every sample rate makes
        the statistic independent of the rate; skipped when the cut-off is above 0.35 * fs.
    """

    def __init__(self, fs: float, *, window_s: float = 1.0, lowpass_hz: float = 10.0, frame_rate_hz: float = 20.0,
                 short_window_s: float = 0.25) -> None:
        self.fs = fs
        self.D = frame_length(fs, frame_rate_hz)
        self.K = max(2, int(round(window_s * fs / self.D)))
        self.Ks = min(self.K, max(2, int(round(short_window_s * fs / self.D))))
        self.frame_s = self.D / fs
        # near Nyquist a Butterworth rings for many samples after motion; there the sensor's own
        # anti-alias filter already bounds the band, so no extra low-pass is applied
        self._lp = StreamingSos(butter_sos(4, lowpass_hz, fs), 3) if lowpass_hz < 0.35 * fs else None
        self._ref: NDArray[np.float64] | None = None  # (3,) first low-passed sample, removed before squaring
        # partial frame being filled: its grid index and samples (3, < D), ref already removed
        self._part_k0: int | None = None
        self._part: NDArray[np.float64] = np.zeros((3, 0))
        # sums of the last K-1 complete frames (6, <= K-1): see _frame_sums
        self._hist: NDArray[np.float64] = np.zeros((6, 0))
        self._hist_end = -1  # frame index after the last history frame

    def push(self, piece: GridPiece) -> FrameBatch | None:
        """Add grid samples; returns features for every frame completed by them (or None)."""
        if piece.reset:
            if self._lp is not None:
                self._lp.reset()
            self._ref, self._part_k0 = None, None
            self._part, self._hist = np.zeros((3, 0)), np.zeros((6, 0))
        m = piece.acc_mps2.shape[0]
        y = np.array(piece.acc_mps2.T, dtype=np.float64, order="C")  # (3, m) axes x samples (a copy), low-passed in place
        if self._lp is not None:
            self._lp.filter_rows(y)
        if self._ref is None and m:
            self._ref = y[0:3, 0].copy()
        k0, D = piece.k0, self.D
        # align to frame boundaries: drop leading samples that do not start a fresh frame
        if self._part_k0 is None or self._part_k0 + self._part.shape[1] != k0:  # first piece, or a discontinuity
            first_boundary = -(-k0 // D) * D
            y = y[:, first_boundary - k0:]
            self._part_k0, self._part = first_boundary, np.zeros((3, 0))
        if y.shape[1] == 0:
            return None
        y -= self._ref[:, None]  # type: ignore[index]
        f_start = self._part_k0 // D
        sums = []
        r = self._part.shape[1]
        if r:  # complete the partial frame first (a small copy), then whole frames straight from y
            if r + y.shape[1] < D:
                self._part = np.concatenate((self._part, y), axis=1)
                return None
            sums.append(_frame_sums(np.concatenate((self._part, y[:, :D - r]), axis=1), D))
            y = y[:, D - r:]
        used = (y.shape[1] // D) * D
        if used:
            sums.append(_frame_sums(y[:, :used], D))
        self._part = y[:, used:].copy()
        if not sums:
            return None
        s = np.concatenate(sums, axis=1) if len(sums) > 1 else sums[0]
        self._part_k0 += s.shape[1] * D
        return self._windows(f_start, s)

    def _windows(self, f_start: int, s: NDArray[np.float64]) -> FrameBatch:
        """Window statistics of the frames ``f_start ..`` with sums ``s`` (6, n), after the kept history."""
        n, K, Ks, D = s.shape[1], self.K, self.Ks, self.D
        if self._hist_end != f_start:  # history frames must be contiguous with this batch
            self._hist = np.zeros((6, 0))
        h = self._hist.shape[1]
        a = np.concatenate((self._hist, s), axis=1) if h else s
        self._hist = a[:, max(0, h + n - (K - 1)):].copy()
        self._hist_end = f_start + n
        if n <= FEW_FRAMES:
            return self._windows_tiny(f_start, a, h, n)
        valid = np.zeros(n, dtype=bool)
        sigma, sigma_short = np.full(n, np.nan), np.full(n, np.nan)
        grav = np.full((n, 3), np.nan)
        i_s, i_l = max(0, Ks - 1 - h), max(0, K - 1 - h)  # first batch frame ending a complete window
        if i_s >= n:
            return FrameBatch(f_start, valid, sigma, grav, sigma_short)
        # window sums in a fixed order (frame p, p-1, ..., p-K+1): bit-identical whatever the chunking;
        # after Ks terms the running sum is the short window's
        w = a[:, h + i_s:h + n].copy()
        for j in range(1, Ks):
            w += a[:, h + i_s - j:h + n - j]
        sigma_short[i_s:] = _sigma(w, float(Ks * D))
        if i_l >= n:
            return FrameBatch(f_start, valid, sigma, grav, sigma_short)
        w = w[:, i_l - i_s:]
        for j in range(Ks, K):
            w += a[:, h + i_l - j:h + n - j]
        N = float(K * D)
        valid[i_l:] = True
        sigma[i_l:] = _sigma(w, N)
        grav[i_l:] = (w[0:3] / N).T + self._ref  # type: ignore[operator]
        return FrameBatch(f_start, valid, sigma, grav, sigma_short)

    def _windows_tiny(self, f_start: int, a: NDArray[np.float64], h: int, n: int) -> FrameBatch:
        """:meth:`_windows` for a few frames: one running sum per frame, statistics in Python floats.

        ``np.add.accumulate`` over the window's frames, newest first, adds in the same order as the slice
        loop, and the scalar formulas repeat the array ones operation by operation: the same bits.
        """
        K, Ks, D = self.K, self.Ks, self.D
        Ns, N = float(Ks * D), float(K * D)
        nan = math.nan
        ref = self._ref.tolist()  # type: ignore[union-attr]
        valid, sigma, sigma_short, grav = [], [], [], []
        for p in range(h, h + n):
            m = min(p + 1, K)  # frames available for this window
            if m < Ks:
                valid.append(False), sigma.append(nan), sigma_short.append(nan), grav.append((nan, nan, nan))
                continue
            cum = np.add.accumulate(a[:, p + 1 - m:p + 1][:, ::-1], axis=1)  # (6, m): cum[:, j] sums j+1 frames
            sigma_short.append(_sigma_py(cum[:, Ks - 1].tolist(), Ns))
            if m < K:
                valid.append(False), sigma.append(nan), grav.append((nan, nan, nan))
                continue
            w = cum[:, K - 1].tolist()
            valid.append(True)
            sigma.append(_sigma_py(w, N))
            grav.append((w[0] / N + ref[0], w[1] / N + ref[1], w[2] / N + ref[2]))
        return FrameBatch(f_start, np.array(valid, dtype=bool), np.array(sigma), np.array(grav, dtype=np.float64),
                          np.array(sigma_short))


FEW_FRAMES = 4
"""Batches of at most this many frames take the per-frame paths (here, in the still decision and the segmenter);
live pushes give 1-2 frames."""


def _max0(v: float) -> float:
    """``np.maximum(v, 0.0)`` for a Python float (nan stays nan, -0.0 becomes 0.0)."""
    return v if v > 0.0 else (0.0 if v <= 0.0 else v)


def _sigma_py(w: list[float], N: float) -> float:
    """:func:`_sigma` for one window (Python floats, the same operations)."""
    m0, m1, m2 = w[0] / N, w[1] / N, w[2] / N
    v = _max0(w[3] / N - m0 * m0) + _max0(w[4] / N - m1 * m1) + _max0(w[5] / N - m2 * m2)
    return math.sqrt(v) if v >= 0.0 else math.nan


def _frame_sums(x: NDArray[np.float64], D: int) -> NDArray[np.float64]:
    """Per-frame sums of ``x`` (3, n*D) in sample order: (6, n).

    Rows 0-2: sums of the low-passed acceleration; rows 3-5: sums of its squares.
    """
    n = x.shape[1] // D
    if n <= FEW_FRAMES:  # few frames: one running sum (accumulate adds strictly left to right, like the loop)
        z = np.concatenate((x, np.square(x)))
        return np.add.accumulate(z.reshape(6, n, D), axis=2)[:, :, -1]
    out = np.empty((6, n))
    out[0:3] = _ordered_sum(x.reshape(3, n, D))
    out[3:6] = _ordered_sum(np.square(x).reshape(3, n, D))
    return out


def _sigma(w: NDArray[np.float64], N: float) -> NDArray[np.float64]:
    """Total standard deviation from window sums ``w`` (6, n) over ``N`` samples: (n,)."""
    mean = w[0:3] / N
    var = np.maximum(w[3:6] / N - mean**2, 0.0)
    return np.sqrt(var[0] + var[1] + var[2])


def _ordered_sum(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Sum (c, n, m) over the last axis strictly in order ``((x0 + x1) + x2) + ...`` (not pairwise): (c, n)."""
    s = x[..., 0].copy()
    for j in range(1, x.shape[-1]):
        s += x[..., j]
    return s
