"""Frame-rate features of the uniform signal: windowed variability and the gravity direction.

The grid is cut into **frames** of ``D`` samples aligned to the global grid index (about 20 frames per
second whatever the sample rate). For each frame we keep the sums of the low-passed acceleration and of
its square; a **window** is the last ``K`` frames. Per window:

* ``sigma`` — total standard deviation of acceleration, m/s²: ``sqrt(sum_axes var_w(a))``. This is the
  moving-variance (MV) detector of Skog et al. (2010) in standard-deviation units, independent of mounting
  orientation (it is a trace) and of gravity (the window mean is removed).
* ``gravity`` — the window mean of acceleration (3,), m/s²: the gravity vector while still.

Sums are always taken in the same order (frame by frame, sample by sample), so the features are
bit-identical however the input was chunked.
"""

from __future__ import annotations

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
    tremor_mps2 : (n,) RMS of the physiological-tremor band (7-13 Hz, capped below Nyquist) over the window,
        minus the sensor's white noise in that band (estimated from 15 Hz .. 0.45 fs when fs allows)
    """

    f0: int
    valid: NDArray[np.bool_]
    sigma_mps2: NDArray[np.float64]
    gravity_mps2: NDArray[np.float64]
    sigma_short_mps2: NDArray[np.float64]  # the same statistic over a short window (~0.25 s), for boundaries
    tremor_mps2: NDArray[np.float64]  # RMS of the 7-13 Hz band over the window (nan if the rate is too low)

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
        # physiological tremor band (loaded muscles: 8-12 Hz, algorithms.md §6); needs fs > ~18 Hz
        hi = min(13.0, 0.45 * fs)
        self._band = StreamingSos(butter_sos(4, (7.0, hi), fs, "bandpass"), 3) if hi > 8.0 else None
        # a band above any body motion (15 Hz .. 0.45 fs) measures the sensor's white noise, so the tremor
        # band's own noise can be subtracted: what remains is physiological tremor (needs fs > ~40 Hz)
        top = 0.45 * fs
        self._high = StreamingSos(butter_sos(2, (15.0, top), fs, "bandpass"), 3) if top > 18.0 else None
        self.noise_ratio = (hi - 7.0) / (top - 15.0) if self._high is not None else float("nan")
        self.noise_subtracted = self._high is not None
        self._ref: NDArray[np.float64] | None = None
        # partial frame being filled
        self._part_k0: int | None = None  # grid index of the partial frame's first sample
        self._part: list[NDArray[np.float64]] = []
        self._part_n = 0
        # last K-1 complete frames: (frame index, s1 (3,), s2 (3,))
        self._hist_f: list[int] = []
        self._hist_s1: NDArray[np.float64] = np.zeros((0, 9))
        self._hist_s2: NDArray[np.float64] = np.zeros((0, 9))
        self._next_frame = 0

    def push(self, piece: GridPiece) -> FrameBatch | None:
        """Add grid samples; returns features for every frame completed by them (or None)."""
        if piece.reset:
            for flt in (self._lp, self._band, self._high):
                if flt is not None:
                    flt.reset()
            self._ref = None
            self._part, self._part_n, self._part_k0 = [], 0, None
            self._hist_f, self._hist_s1, self._hist_s2 = [], np.zeros((0, 9)), np.zeros((0, 9))
        lp = self._lp.push(piece.acc_mps2) if self._lp is not None else piece.acc_mps2
        band = self._band.push(piece.acc_mps2) if self._band is not None else np.zeros_like(piece.acc_mps2)
        high = self._high.push(piece.acc_mps2) if self._high is not None else np.zeros_like(piece.acc_mps2)
        if self._ref is None and lp.shape[0]:
            self._ref = np.concatenate((lp[0], np.zeros(6)))
        x = np.concatenate((lp, band, high), axis=1)  # channels: low-passed, tremor band, noise band (xyz each)
        k0 = piece.k0
        # align to frame boundaries: drop leading samples that do not start a fresh frame
        if self._part_k0 is None:
            first_boundary = -(-k0 // self.D) * self.D
            skip = first_boundary - k0
            x = x[skip:]
            k0 = first_boundary
            self._part_k0 = k0
        elif self._part_k0 + self._part_n != k0:  # discontinuity without reset: start over
            self._part, self._part_n = [], 0
            first_boundary = -(-k0 // self.D) * self.D
            x = x[first_boundary - k0:]
            k0 = first_boundary
            self._part_k0 = k0
        if x.shape[0] == 0:
            return None
        self._part.append(x - self._ref)
        self._part_n += x.shape[0]
        nfull = self._part_n // self.D
        if nfull == 0:
            return None
        buf = np.concatenate(self._part) if len(self._part) > 1 else self._part[0]
        used = nfull * self.D
        frames = np.ascontiguousarray(buf[:used]).reshape(nfull, self.D, 9)
        rest = buf[used:]
        f_start = self._part_k0 // self.D
        self._part = [rest] if rest.shape[0] else []
        self._part_n = rest.shape[0]
        self._part_k0 = self._part_k0 + used
        # per-frame sums in a fixed order (sample by sample)
        s1 = frames[:, 0, :].copy()
        s2 = frames[:, 0, :] ** 2
        for j in range(1, self.D):
            s1 += frames[:, j, :]
            s2 += frames[:, j, :] ** 2
        return self._windows(f_start, s1, s2)

    def _windows(self, f_start: int, s1: NDArray[np.float64], s2: NDArray[np.float64]) -> FrameBatch:
        n = s1.shape[0]
        fidx = np.arange(f_start, f_start + n)
        # keep only history frames that are contiguous with this batch
        if self._hist_f and self._hist_f[-1] != f_start - 1:
            self._hist_f, self._hist_s1, self._hist_s2 = [], np.zeros((0, 9)), np.zeros((0, 9))
        h = len(self._hist_f)
        all_s1 = np.concatenate((self._hist_s1, s1))
        all_s2 = np.concatenate((self._hist_s2, s2))
        all_f = np.concatenate((np.asarray(self._hist_f, dtype=np.int64), fidx))
        K = self.K
        p = np.arange(h, h + n)
        sigma, grav, valid, tremor = self._stats(all_s1, all_s2, all_f, p, K)
        sigma_short, _, _, _ = self._stats(all_s1, all_s2, all_f, p, self.Ks)
        if self._band is None:
            tremor = np.full_like(tremor, np.nan)
        keep = max(K - 1, 0)
        self._hist_f = list(all_f[-keep:]) if keep else []
        self._hist_s1 = all_s1[-keep:] if keep else np.zeros((0, 9))
        self._hist_s2 = all_s2[-keep:] if keep else np.zeros((0, 9))
        return FrameBatch(f_start, valid, sigma, grav, sigma_short, tremor)

    def _stats(self, all_s1: NDArray[np.float64], all_s2: NDArray[np.float64], all_f: NDArray[np.int64],
               p: NDArray[np.int64], K: int) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
        """Sigma, mean, validity and tremor RMS of the K-frame windows ending at positions ``p``."""
        n = p.shape[0]
        valid = np.zeros(n, dtype=bool)
        sigma = np.full(n, np.nan)
        grav = np.full((n, 3), np.nan)
        tremor = np.full(n, np.nan)
        ok = p - K + 1 >= 0
        if ok.any():
            pe = p[ok]
            w1 = all_s1[pe].copy()
            w2 = all_s2[pe].copy()
            for j in range(1, K):  # a fixed summation order: bit-identical whatever the chunking
                w1 += all_s1[pe - j]
                w2 += all_s2[pe - j]
            contiguous = all_f[pe] - all_f[pe - K + 1] == K - 1
            N = float(K * self.D)
            mean = w1[:, :3] / N
            var = np.maximum(w2[:, :3] / N - mean**2, 0.0)
            sig = np.sqrt(var[:, 0] + var[:, 1] + var[:, 2])
            p_t = (w2[:, 3] + w2[:, 4] + w2[:, 5]) / N
            if self._high is not None:  # subtract the white-noise share measured above body motion
                p_t = np.maximum(p_t - self.noise_ratio * (w2[:, 6] + w2[:, 7] + w2[:, 8]) / N, 0.0)
            trem = np.sqrt(p_t)
            valid[ok] = contiguous
            sigma[ok] = np.where(contiguous, sig, np.nan)
            tremor[ok] = np.where(contiguous, trem, np.nan)
            grav[ok] = mean + self._ref[:3]
        return sigma, grav, valid, tremor
