"""Gap detection and resampling onto a uniform grid.

Input samples may be irregular (phone exports), duplicated, or missing (lost packets). The filters and
the stillness statistic need a uniform grid, so every sample stream is interpolated linearly onto
``t_k = t_first + k / fs`` with a global integer index ``k``.

* A step longer than ``gap_factor`` nominal periods is a **gap** and is reported.
* Gaps up to ``max_bridge_s`` are **bridged** (interpolated across); longer gaps **split** the signal: no
  grid points are produced inside them and downstream state (filters, windows, an open hold) is reset.
* Samples that do not advance time (duplicates, small backward jitter) are dropped and counted.
* Samples with non-finite values are dropped like lost samples.

Each grid point depends only on its two bracketing input samples, so the output does not depend on how the
input is chunked. Blocks of a few samples (one live notification) are interpolated with Python floats: the
same IEEE operations in the same order as the numpy path, without its per-call overhead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from holdtrack.model import SampleBlock


@dataclass(frozen=True, eq=False)
class GridPiece:
    """Uniform samples ``k0 .. k0+n-1`` (global grid index); ``reset`` = first piece after a split."""

    k0: int
    acc_mps2: NDArray[np.float64]
    gyro_dps: NDArray[np.float64] | None
    reset: bool


@dataclass(frozen=True)
class GapEvent:
    """A detected gap, times on the input axis (s)."""

    start_t: float
    end_t: float
    bridged: bool


_TINY = 16  # blocks up to this many samples take the pure-Python path when they can


class GridResampler:
    """Streaming linear resampler onto a uniform grid at ``fs`` Hz.

    Parameters
    ----------
    fs : grid rate, Hz
    gap_factor : a step longer than ``gap_factor / fs`` seconds is a gap
    max_bridge_s : longest gap interpolated across; longer gaps split the signal
    """

    def __init__(self, fs: float, *, gap_factor: float = 2.5, max_bridge_s: float = 0.5) -> None:
        self.fs = float(fs)
        self.gap_s = gap_factor / self.fs
        self.max_bridge_s = max(max_bridge_s, self.gap_s)
        self.t_first: float | None = None
        self.samples = 0
        self.dropped = 0
        self.t_last: float | None = None
        self._prev_acc: NDArray[np.float64] | None = None
        self._prev_gyro: NDArray[np.float64] | None = None
        self._next_k = 0
        self._pending_reset = True
        self._force_split = False

    def force_split(self) -> None:
        """Treat the next step in time as a long gap whatever its length (link loss)."""
        self._force_split = True

    def push(self, block: SampleBlock) -> tuple[list[GridPiece], list[GapEvent]]:
        """Resample one input block; returns the grid pieces and the gaps found in it."""
        t, acc, gyro = block.t_s, block.acc_mps2, block.gyro_dps
        if 0 < t.size <= _TINY and self.t_first is not None and not self._force_split:
            tiny = self._push_tiny(t, acc, gyro)
            if tiny is not None:
                return tiny, []
        if not (np.isfinite(t).all() and np.isfinite(acc).all() and (gyro is None or np.isfinite(gyro).all())):
            finite = np.isfinite(t) & np.isfinite(acc).all(axis=1)
            if gyro is not None:
                finite &= np.isfinite(gyro).all(axis=1)
            self.dropped += int((~finite).sum())
            t, acc = t[finite], acc[finite]
            gyro = gyro[finite] if gyro is not None else None
        if t.size == 0:
            return [], []
        # keep strictly increasing times (drop duplicates and backward jitter against the running maximum)
        prev_t = self.t_last if self.t_last is not None else -np.inf
        run_max = np.maximum.accumulate(np.concatenate(([prev_t], t)))[:-1]
        keep = t > run_max
        if not keep.all():
            self.dropped += int((~keep).sum())
            t, acc = t[keep], acc[keep]
            gyro = gyro[keep] if gyro is not None else None
        if t.size == 0:
            return [], []
        self.samples += int(t.size)
        pieces: list[GridPiece] = []
        gaps: list[GapEvent] = []
        if self.t_first is None:
            self.t_first = float(t[0])
            self._emit_first(t[0], acc[0], None if gyro is None else gyro[0], pieces)
            t, acc = t[1:], acc[1:]
            gyro = gyro[1:] if gyro is not None else None
            if t.size == 0:
                return pieces, gaps
        # split points: long gaps (and a forced split before the first new sample)
        tt = np.concatenate(([self.t_last], t))
        dt = tt[1:] - tt[:-1]  # np.diff without its wrapper
        is_gap = dt > self.gap_s
        is_split = is_gap & (dt > self.max_bridge_s)
        if self._force_split:
            is_split[0] = True
            is_gap[0] = True
            self._force_split = False
        for i in np.flatnonzero(is_gap):
            gaps.append(GapEvent(float(tt[i]), float(tt[i + 1]), bridged=not bool(is_split[i])))
        start = 0
        for i in np.flatnonzero(is_split):
            if i > start:
                self._interp(t[start:i], acc[start:i], None if gyro is None else gyro[start:i], pieces)
            self._restart(t[i], acc[i], None if gyro is None else gyro[i], pieces)
            start = i + 1
        if start < t.size:
            self._interp(t[start:], acc[start:], None if gyro is None else gyro[start:], pieces)
        return pieces, gaps

    # ------------------------------------------------------------------ internals
    def _push_tiny(self, t: NDArray[np.float64], acc: NDArray[np.float64], gyro: NDArray[np.float64] | None) -> list[GridPiece] | None:
        """A few samples, all finite, in order and without a gap: interpolate with Python floats.

        The same operations in the same order as :meth:`_interp` (IEEE arithmetic is the same in numpy and
        Python), so the same bits. Returns the pieces, or None (nothing done) when the block needs the general path.
        """
        tl, al = t.tolist(), acc.tolist()
        gl = gyro.tolist() if gyro is not None else None
        total = 0.0  # plain IEEE additions: nan or inf if any value is not finite (or if the sum overflows)
        for row in al if gl is None else al + gl:
            total += row[0] + row[1] + row[2]
        for ti in tl:
            total += ti
        if not math.isfinite(total):  # general path
            return None
        prev = self.t_last
        for ti in tl:
            if not (ti > prev and ti - prev <= self.gap_s):  # out of order, duplicate or gap
                return None
            prev = ti
        self.samples += len(tl)
        pieces: list[GridPiece] = []
        m, fs, t0 = len(tl), self.fs, self.t_first
        k_end = self._grid_k_upto(tl[-1])
        if k_end >= self._next_k:
            tx = [self.t_last] + tl
            ax = [self._prev_acc.tolist()] + al  # type: ignore[union-attr]
            gx = [self._prev_gyro.tolist()] + gl if gl is not None and self._prev_gyro is not None else None
            out_a, out_g, j = [], [], 1
            for k in range(self._next_k, k_end + 1):
                tg = t0 + k / fs  # type: ignore[operator]
                while j < m and tx[j] < tg:  # searchsorted: tx[j-1] < tg <= tx[j], j clipped to 1..m
                    j += 1
                w = (tg - tx[j - 1]) / (tx[j] - tx[j - 1])
                a0, a1 = ax[j - 1], ax[j]
                out_a.append([a0[0] + (a1[0] - a0[0]) * w, a0[1] + (a1[1] - a0[1]) * w, a0[2] + (a1[2] - a0[2]) * w])
                if gx is not None:
                    g0, g1 = gx[j - 1], gx[j]
                    out_g.append([g0[0] + (g1[0] - g0[0]) * w, g0[1] + (g1[1] - g0[1]) * w, g0[2] + (g1[2] - g0[2]) * w])
            pieces.append(GridPiece(self._next_k, np.array(out_a), np.array(out_g) if gx is not None else None,
                                            self._pending_reset))
            self._pending_reset = False
            self._next_k = k_end + 1
        self.t_last = tl[-1]
        self._prev_acc = acc[-1]
        self._prev_gyro = None if gyro is None else gyro[-1]
        return pieces

    def _tk(self, k: int) -> float:
        """Time of grid index ``k`` (the one formula used everywhere, so comparisons are exact)."""
        return self.t_first + k / self.fs  # type: ignore[operator]  # Python floats: the IEEE result numpy gives

    def _grid_k_after(self, t: float) -> int:
        """Smallest grid index whose time is >= t."""
        assert self.t_first is not None
        k = max(math.ceil((t - self.t_first) * self.fs), 0)
        while k > 0 and self._tk(k - 1) >= t:
            k -= 1
        while self._tk(k) < t:
            k += 1
        return k

    def _grid_k_upto(self, t: float) -> int:
        """Largest grid index whose time is <= t."""
        k = math.floor((t - self.t_first) * self.fs)  # type: ignore[operator]
        while self._tk(k + 1) <= t:
            k += 1
        while self._tk(k) > t:
            k -= 1
        return k

    def _emit_first(self, t0: float, a0, g0, pieces: list[GridPiece]) -> None:
        self._prev_acc, self._prev_gyro = a0, g0
        self.t_last = float(t0)
        k = self._grid_k_after(t0)
        if self._tk(k) == t0:
            pieces.append(GridPiece(k, a0[None, :].copy(), None if g0 is None else g0[None, :].copy(), self._pending_reset))
            self._pending_reset = False
            self._next_k = k + 1
        else:
            self._next_k = k

    def _restart(self, t0: float, a0, g0, pieces: list[GridPiece]) -> None:
        self._pending_reset = True
        self._emit_first(t0, a0, g0, pieces)

    def _interp(self, t: NDArray[np.float64], acc, gyro, pieces: list[GridPiece]) -> None:
        assert self.t_first is not None and self.t_last is not None and self._prev_acc is not None
        k_end = self._grid_k_upto(float(t[-1]))
        if k_end >= self._next_k:
            ks = np.arange(self._next_k, k_end + 1)
            tg = self.t_first + ks.astype(np.float64) / self.fs
            tx = np.concatenate(([self.t_last], t))
            # i = j - 1 with tx[j-1] < tg <= tx[j]; x[j] - x[j-1] is diff(x)[i] (the same subtraction)
            i = np.searchsorted(tx, tg, side="left")
            np.maximum(i, 1, out=i)
            np.minimum(i, tx.size - 1, out=i)
            i -= 1
            w = ((tg - tx.take(i)) / (tx[1:] - tx[:-1]).take(i))[:, None]
            ax = np.concatenate((self._prev_acc[None, :], acc))
            out_acc = ax.take(i, axis=0) + (ax[1:] - ax[:-1]).take(i, axis=0) * w
            out_gyro = None
            if gyro is not None and self._prev_gyro is not None:
                gx = np.concatenate((self._prev_gyro[None, :], gyro))
                out_gyro = gx.take(i, axis=0) + (gx[1:] - gx[:-1]).take(i, axis=0) * w
            pieces.append(GridPiece(int(ks[0]), out_acc, out_gyro, self._pending_reset))
            self._pending_reset = False
            self._next_k = k_end + 1
        self.t_last = float(t[-1])
        self._prev_acc = acc[-1]
        self._prev_gyro = None if gyro is None else gyro[-1]
