"""Butterworth filters designed once per sample rate and run causally with carried state."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import signal as sps


@lru_cache(maxsize=64)
def butter_sos(order: int, cutoff_hz: float | tuple[float, float], fs: float, btype: str = "lowpass") -> NDArray[np.float64]:
    """Second-order sections of a digital Butterworth filter (cached per parameters; do not modify).

    ``cutoff_hz`` is clipped below Nyquist (0.45 * fs) so the design never fails at low rates.
    """
    nyq_safe = 0.45 * fs
    if isinstance(cutoff_hz, tuple):
        lo, hi = cutoff_hz
        wn: float | tuple[float, float] = (lo, min(hi, nyq_safe))
    else:
        wn = min(float(cutoff_hz), nyq_safe)
    sos = sps.butter(order, wn, btype=btype, fs=fs, output="sos")
    return sos


class StreamingSos:
    """A causal SOS filter over (n, channels) blocks, carrying its state between pushes.

    The state starts at the steady state of the first sample (``sosfilt_zi * x0``), so the output begins at
    the signal's level instead of ringing from zero; :meth:`reset` forgets it (after a long gap).
    scipy's ``sosfilt`` runs sample by sample, so the output is bit-identical whatever the block sizes.
    """

    def __init__(self, sos: NDArray[np.float64], channels: int) -> None:
        self.sos = np.array(sos, dtype=np.float64)  # private, writable copy (scipy needs one)
        self.channels = channels
        self._zi_unit = sps.sosfilt_zi(sos)  # (n_sections, 2)
        self._zi: NDArray[np.float64] | None = None

    def reset(self) -> None:
        self._zi = None

    def push(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Filter ``x`` (n, channels) and return the filtered block of the same shape."""
        if x.shape[0] == 0:
            return np.zeros((0, self.channels))
        if self._zi is None:
            self._zi = self._zi_unit[:, :, None] * x[0][None, None, :]
        y, self._zi = sps.sosfilt(self.sos, x, axis=0, zi=self._zi)
        return y
