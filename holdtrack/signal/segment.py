"""Causal segmentation of the frame features into still periods (and so holds).

A state machine over frames (``MOVING -> STILL -> PENDING -> STILL | closed``), evaluated run by run so the
cost is per change of state, not per frame:

* **Start**: the first still window (``sigma < still threshold``) opens a period at the *start* of that
  window (a fixed look-back of one window), i.e. where the motion stopped.
* **Wobbles**: a run of non-still windows shorter than ``wobble tolerance + one window`` is a wobble: it is
  counted and the period goes on.
* **Motion**: a longer run closes the period at the first non-still window (``ended_by="motion"``).
* **Tilt**: the gravity direction moving more than ``tilt_tolerance_deg`` from its direction at the start
  closes the period (``"tilt"``).
* **Signal loss**: a split of the signal (a gap longer than the bridge tolerance) closes it
  (``"signal_loss"``); the end of the input closes it with ``"end_of_data"``.
* **Kind** is decided by the pipeline at close (median window sigma against the resting level, then the
  spectrum's shape: :mod:`holdtrack.signal.classify`); the period carries the statistics it needs.

The look-back and the wobble tolerance are fixed latencies, so decisions never depend on chunking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from holdtrack.signal.features import FEW_FRAMES, FrameBatch

MOVING, STILL, PENDING = 0, 1, 2
_TILT_MARGIN = 1e-9  # a scalar cosine this close to the tilt limit is left to the array path (its rounding decides)


class FrameSeries:
    """Recent per-frame values addressed by global frame index (missing frames read as nan)."""

    def __init__(self) -> None:
        self._f0: list[int] = []
        self._v: list[NDArray[np.float64]] = []

    def append(self, f0: int, values: NDArray[np.float64]) -> None:
        if values.shape[0]:
            self._f0.append(f0)
            self._v.append(values)

    def get(self, fa: int, fb: int) -> NDArray[np.float64]:
        """Values of frames ``fa .. fb - 1``."""
        out = np.full(max(fb - fa, 0), np.nan)
        for f0, v in zip(self._f0, self._v):
            lo, hi = max(fa, f0), min(fb, f0 + v.shape[0])
            if hi > lo:
                out[lo - fa : hi - fa] = v[lo - f0 : hi - f0]
        return out

    def trim(self, f_min: int) -> None:
        while self._f0 and self._f0[0] + self._v[0].shape[0] <= f_min:
            self._f0.pop(0)
            self._v.pop(0)


@dataclass(frozen=True)
class ClosedPeriod:
    """A still period in frame units: frames ``start_f .. end_f - 1``."""

    start_f: int
    end_f: int
    ended_by: Literal["motion", "tilt", "signal_loss", "end_of_data"]
    sigma_median_mps2: float
    wobbles: int
    wobble_frames: int
    noise_floor_mps2: float  # causal noise-floor estimate at the frame where the close was decided


@dataclass
class SegmenterParams:
    """Thresholds in frame units (built by the pipeline from :class:`PipelineConfig`)."""

    K: int  # frames per window
    wobble_frames: int  # longest non-still run that is still a wobble
    tilt_cos: float  # cos(tilt tolerance)
    wobble_max_sigma: float = float("inf")  # a run peaking above this (m/s²) is motion, however short
    Ks: int = 2  # frames per short window
    refine_mps2: float = 0.0  # boundary refinement: short-window sigma above this is motion (0 = off)
    wobble_detect_mps2: float = float("inf")  # short-window sigma above this inside a hold is a wobble


@dataclass
class _Open:
    start_f: int
    ref_g: NDArray[np.float64]
    sigmas: list[NDArray[np.float64]] = field(default_factory=list)
    wobbles: int = 0
    wobble_frames: int = 0
    last_hot_f: int = -(10**12)  # last frame whose short window was above the wobble level
    hot_starts: list[int] = field(default_factory=list)  # first frame of each brief excursion (short window)
    hot_frames: list[NDArray[np.int64]] = field(default_factory=list)


class HoldSegmenter:
    """Streaming still-period segmentation (see module docstring)."""

    def __init__(self, params: SegmenterParams) -> None:
        self.p = params
        self.mode = MOVING
        self.open: _Open | None = None
        self.pend_start = 0
        self.pend_len = 0
        self.pend_nf = float("nan")
        self.last_end_f = -(10**12)
        self.next_f = 0
        self._nf: NDArray[np.float64] = np.zeros(0)
        self._nf_f0 = 0
        self._nf_last = float("nan")
        self._short = FrameSeries()  # short-window sigma, for placing boundaries
        self._thr: NDArray[np.float64] = np.zeros(0)

    # ------------------------------------------------------------------ public
    def push(self, batch: FrameBatch, still: NDArray[np.bool_], noise: NDArray[np.float64]) -> list[ClosedPeriod]:
        """Advance over a batch of frames.

        ``still`` (n,) is the per-frame still decision, ``noise`` (n,) the causal noise floor per frame (m/s²).
        """
        out: list[ClosedPeriod] = []
        n = len(batch)
        if n == 0:
            return out
        self.next_f = batch.f0 + n
        self._nf, self._nf_f0 = noise, batch.f0
        self._short.append(batch.f0, batch.sigma_short_mps2)
        if n <= FEW_FRAMES:
            for i, st in enumerate(still.tolist()):
                self._frame(batch, i, st, out)
        else:
            change = np.flatnonzero(np.diff(still.astype(np.int8))) + 1
            bounds = np.concatenate(([0], change, [n]))
            for a, b in zip(bounds[:-1], bounds[1:]):
                if still[a]:
                    self._still_run(batch, int(a), int(b), out)
                else:
                    self._moving_run(batch, int(a), int(b), out)
        self._nf_last = float(noise[-1])
        keep = self.open.start_f if self.open is not None else self.next_f
        self._short.trim(keep - 2 * self.p.K - self.p.wobble_frames)
        return out

    def _frame(self, batch: FrameBatch, i: int, still: bool, out: list[ClosedPeriod]) -> None:
        """Frame ``i`` of the batch alone, as a run of one frame (runs are chunk-invariant, so this is exact).

        The common cases are handled with Python floats: moving on, and a still frame inside a period whose
        gravity is clearly within the tilt limit; every other case takes the run methods.
        """
        if still:
            if not self._still_one(batch, i):
                self._still_run(batch, i, i + 1, out)
        elif self.mode != MOVING:
            self._moving_run(batch, i, i + 1, out)

    def _still_one(self, batch: FrameBatch, i: int) -> bool:
        """Still frame ``i`` continuing a still period within the tilt limit: collect it, True; else False."""
        op = self.open
        if self.mode != STILL or op is None:
            return False
        gx, gy, gz = batch.gravity_mps2[i].tolist()
        rx, ry, rz = op.ref_g.tolist()
        cos = (gx * rx + gy * ry + gz * rz) / max(math.sqrt(gx * gx + gy * gy + gz * gz), 1e-12)
        if not cos - self.p.tilt_cos > _TILT_MARGIN:  # tilted, nan, or too close to call in other rounding
            return False
        op.sigmas.append(batch.sigma_mps2[i:i + 1])
        if batch.sigma_short_mps2[i] > self.p.wobble_detect_mps2:  # as _collect: one hot frame
            f = batch.f0 + i
            if f - op.last_hot_f > self.p.wobble_frames:
                op.hot_starts.append(f)
            op.hot_frames.append(np.array([f], dtype=np.int64))
            op.last_hot_f = f
        return True

    def refine_start(self, f: int) -> int:
        """Where motion stopped, given the first still window ends at frame ``f``.

        The window start ``f - K + 1`` is a fixed look-back; within it, the last short window whose sigma
        exceeds the refinement threshold still held motion, so the hold starts after it.
        """
        K, Ks = self.p.K, self.p.Ks
        start = f - K + 1
        if self.p.refine_mps2 <= 0:
            return start
        ss = self._short.get(start + Ks - 1, f + 1)
        hot = np.flatnonzero(ss > self.p.refine_mps2)
        if hot.size:
            j = start + Ks - 1 + int(hot[-1])
            start = j - Ks + 2
        return start

    def refine_end(self, e: int) -> int:
        """Where motion started, given the first non-still window ends at frame ``e``."""
        if self.p.refine_mps2 <= 0:
            return e
        lo = e - self.p.K + 1
        ss = self._short.get(lo, e + 1)
        cold = np.flatnonzero(~(ss > self.p.refine_mps2))
        if cold.size == 0:
            return lo
        if cold[-1] == ss.size - 1:
            return e
        return lo + int(cold[-1]) + 1

    def _nf_at(self, f: int) -> float:
        i = f - self._nf_f0
        if 0 <= i < self._nf.shape[0]:
            return float(self._nf[i])
        return self._nf_last

    def signal_loss(self, end_f: int) -> list[ClosedPeriod]:
        """The signal stopped after frame ``end_f - 1`` (a split): close any open period."""
        if self.open is None:
            return []
        end = self.pend_start if self.mode == PENDING else end_f
        return self._close(end, "signal_loss", self._nf_last)

    def flush(self) -> list[ClosedPeriod]:
        """End of input: close any open period."""
        if self.open is None:
            return []
        end = self.pend_start if self.mode == PENDING else self.next_f
        return self._close(end, "end_of_data", self._nf_last)

    def open_info(self) -> tuple[int, int] | None:
        """(start frame, wobbles) of the open period, for live status; None when moving."""
        if self.open is None:
            return None
        return self.open.start_f, self.open.wobbles + len(self.open.hot_starts)

    def provisional_sigma(self) -> float | None:
        if self.open is None or not self.open.sigmas:
            return None
        return float(np.median(np.concatenate(self.open.sigmas)))

    # ------------------------------------------------------------------ runs
    def _moving_run(self, batch: FrameBatch, a: int, b: int, out: list[ClosedPeriod]) -> None:
        f_a, length = batch.f0 + a, b - a
        if self.mode == STILL:
            self.mode, self.pend_start, self.pend_len = PENDING, f_a, 0
        if self.mode == PENDING:
            need = self.p.wobble_frames - self.pend_len
            sig = batch.sigma_mps2[a : a + min(need, length)]
            with np.errstate(invalid="ignore"):
                over = np.flatnonzero(sig > self.p.wobble_max_sigma)
            at = None
            if over.size:  # too violent for a wobble: decided at the first frame above the limit
                at = f_a + int(over[0])
            elif length >= need:  # too long for a wobble
                at = f_a + need - 1
            if at is not None:
                out.extend(self._close(self.refine_end(self.pend_start), "motion", self._nf_at(at)))
            else:
                self.pend_len += length
                self.pend_nf = self._nf_at(batch.f0 + b - 1)

    def _still_run(self, batch: FrameBatch, a: int, b: int, out: list[ClosedPeriod]) -> None:
        while a < b:
            f_a = batch.f0 + a
            if self.mode == MOVING:
                start = max(self.refine_start(f_a), self.last_end_f)
                self.open = _Open(start, batch.gravity_mps2[a] / np.linalg.norm(batch.gravity_mps2[a]))
                self.mode = STILL
            elif self.mode == PENDING:
                assert self.open is not None
                g0 = batch.gravity_mps2[a]
                back = float(g0 @ self.open.ref_g) / max(float(np.linalg.norm(g0)), 1e-12) >= self.p.tilt_cos
                if not back:  # the excursion changed the posture: it was motion, not a wobble
                    out.extend(self._close(self.refine_end(self.pend_start), "motion", self.pend_nf))
                    continue
                op = self.open
                seen = bool(op.hot_starts) and op.hot_starts[-1] >= self.pend_start - self.p.wobble_frames
                if not seen:  # not already counted from its onset in the short window
                    op.wobbles += 1
                op.wobble_frames += max(0, self.pend_len - (self.p.K - 1))  # the window widens the run
                op.last_hot_f = f_a  # hot short windows right after it belong to the same excursion
                self.mode = STILL
            assert self.open is not None
            g = batch.gravity_mps2[a:b]
            cos = (g @ self.open.ref_g) / np.maximum(np.linalg.norm(g, axis=1), 1e-12)
            over = np.flatnonzero(cos < self.p.tilt_cos)
            if over.size == 0:
                self._collect(batch, a, b)
                return
            i = a + int(over[0])
            self._collect(batch, a, i)
            out.extend(self._close(batch.f0 + i, "tilt", self._nf_at(batch.f0 + i)))
            a = i  # the frames after a tilt end start afresh (a new period may open at once)

    def _collect(self, batch: FrameBatch, a: int, b: int) -> None:
        """Keep the still frames' statistics; count brief excursions that stayed under the still threshold."""
        op = self.open
        assert op is not None
        op.sigmas.append(batch.sigma_mps2[a:b])
        with np.errstate(invalid="ignore"):
            hot = batch.sigma_short_mps2[a:b] > self.p.wobble_detect_mps2
        idx = batch.f0 + a + np.flatnonzero(hot)
        if idx.size:
            # one wobble = hot frames closer than a wobble tolerance to each other (a burst oscillates)
            prev = np.concatenate(([op.last_hot_f], idx[:-1]))
            op.hot_starts.extend(int(f) for f in idx[idx - prev > self.p.wobble_frames])
            op.hot_frames.append(idx)
            op.last_hot_f = int(idx[-1])

    def _close(self, end_f: int, ended_by: Literal["motion", "tilt", "signal_loss", "end_of_data"],
               nf: float) -> list[ClosedPeriod]:
        op = self.open
        assert op is not None
        self.open = None
        self.mode = MOVING
        self.last_end_f = end_f
        sig = np.concatenate(op.sigmas) if op.sigmas else np.zeros(0)
        med = float(np.median(sig)) if sig.size else float("nan")
        if end_f <= op.start_f:
            return []
        # brief excursions seen by the short window count only inside the period (the motion that ended it
        # often shows there first)
        wob = op.wobbles + sum(1 for f in op.hot_starts if f < end_f)
        wob_frames = op.wobble_frames + (int(np.count_nonzero(np.concatenate(op.hot_frames) < end_f)) if op.hot_frames else 0)
        return [ClosedPeriod(op.start_f, end_f, ended_by, med, wob, wob_frames, nf)]
