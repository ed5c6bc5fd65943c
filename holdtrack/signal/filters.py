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
        self._zi: NDArray[np.float64] | None = None  # (channels, n_sections, 2), C order (the kernel's layout)

    def reset(self) -> None:
        self._zi = None

    def push(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Filter ``x`` (n, channels) and return the filtered block of the same shape."""
        if x.shape[0] == 0:
            return np.zeros((0, self.channels))
        if self._zi is None:
            self._start(x[0])
        if SOS_KERNEL is not None:  # scipy's own kernel without its per-call checks (the same arithmetic)
            y = np.array(x.T, dtype=np.float64, order="C")
            SOS_KERNEL(self.sos, y, self._zi)
            return y.T
        y, zi = sps.sosfilt(self.sos, x, axis=0, zi=np.moveaxis(self._zi, (-2, -1), (0, 1)))
        self._zi = np.ascontiguousarray(np.moveaxis(zi, (0, 1), (-2, -1)))
        return y

    def filter_rows(self, y: NDArray[np.float64]) -> None:
        """Filter ``y`` (channels, n), a C-contiguous array or row block, in place: the same numbers as :meth:`push`."""
        if y.shape[1] == 0:
            return
        if SOS_KERNEL is None:
            y[:] = self.push(y.T).T
            return
        if self._zi is None:
            self._start(y[:, 0])
        SOS_KERNEL(self.sos, y, self._zi)

    def _start(self, x0: NDArray[np.float64]) -> None:
        """Steady state of the first sample ``x0`` (channels,)."""
        zi = self._zi_unit[:, :, None] * x0[None, None, :]  # (n_sections, 2, channels)
        self._zi = np.ascontiguousarray(np.moveaxis(zi, (0, 1), (-2, -1)))


def _find_kernel():  # -> Callable[[sos, x (channels, n), zi (channels, sections, 2)], None] | None
    """scipy.signal's in-place SOS kernel (private API) if present and equal to ``sosfilt`` here, else None."""
    try:
        from scipy.signal._sosfilt import _sosfilt
    except ImportError:
        return None
    try:
        sos = np.array(sps.butter(4, 0.2, output="sos"), dtype=np.float64)
        x = np.sin(np.arange(24.0)).reshape(8, 3)
        zi0 = np.arange(sos.shape[0] * 6, dtype=np.float64).reshape(sos.shape[0], 2, 3) / 7.0
        want, want_zi = sps.sosfilt(sos, x, axis=0, zi=zi0)
        y, zi = np.array(x.T, order="C"), np.ascontiguousarray(np.moveaxis(zi0, (0, 1), (-2, -1)))
        _sosfilt(sos, y, zi)
        if np.array_equal(y.T, want) and np.array_equal(np.moveaxis(zi, (-2, -1), (0, 1)), want_zi):
            return _sosfilt
    except Exception:  # a changed private signature: use the public function
        pass
    return None


#: ``kernel(sos (sections, 6), y (channels, n) C order, zi (channels, sections, 2))`` filters ``y`` in place; None
#: means scipy moved it: callers use ``sps.sosfilt`` (features, and the zero-phase filters of spectra.py)
SOS_KERNEL = _find_kernel()
