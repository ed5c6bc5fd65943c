"""Fast equivalents of the scipy.signal routines used by the hold metrics.

Each function computes the same quantity as the scipy routine named in its docstring (same windows,
segmenting, detrending, scaling and padding), without scipy's per-call validation and generic layout
handling, which dominated the cost of scoring a hold. ``tests/signal/test_spectra.py`` checks each against
scipy on random signals of many lengths and rates.

Layout: signals are channel-major, (channels, n), and every routine works along the last axis: numpy
reduces and copies (n, 3) arrays along axis 0 several times slower than contiguous rows.

No BLAS on long signals (``@`` with n-long operands): OpenBLAS then wakes its worker threads, which keep
spinning after the call and, on a busy 2-core machine, slowed the numpy calls that followed up to tenfold.
Small products over channels go through :func:`mix` instead.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import fft as sps_fft
from scipy import signal as sps

from holdtrack.signal import filters

F64 = NDArray[np.float64]


@lru_cache(maxsize=64)
def hann(n: int) -> F64:
    """Periodic Hann window of ``n`` samples: ``scipy.signal.get_window("hann", n)`` to rounding (cached,
    read-only; scipy's generic cosine-window code costs ~0.2 ms for a 10 000-sample periodogram)."""
    w = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n) if n > 1 else np.ones(n)  # scipy: ones for n <= 1
    w.flags.writeable = False
    return w


@lru_cache(maxsize=64)
def _hann_power(n: int) -> float:
    """Sum of the squared :func:`hann` window of ``n`` samples."""
    w = hann(n)
    return float(np.sum(w * w))


def mix(m: F64, x: F64) -> F64:
    """``m @ x`` for a small matrix ``m`` (k, c) and rows ``x`` (c, n), without BLAS (see the module notes)."""
    out = np.multiply.outer(m[:, 0], x[0])  # (k, n)
    for j in range(1, m.shape[1]):
        out += np.multiply.outer(m[:, j], x[j])
    return out


def sos_zi(sos: F64) -> F64:
    """``scipy.signal.sosfilt_zi(sos)``, (sections, 2), cached per coefficient values (read-only)."""
    sos = np.ascontiguousarray(sos, dtype=np.float64)
    return _sos_zi(sos.tobytes(), sos.shape[0])


@lru_cache(maxsize=64)
def _sos_zi(sos_bytes: bytes, n_sections: int) -> F64:
    zi = sps.sosfilt_zi(np.frombuffer(sos_bytes, dtype=np.float64).reshape(n_sections, 6))
    zi.flags.writeable = False
    return zi


def _run_sos(sos: F64, zi_unit: F64, y: F64) -> None:
    """Filter each row of ``y`` (channels, n) in place, starting at the steady state of its first sample."""
    zi = np.ascontiguousarray(zi_unit[None, :, :] * y[:, :1, None])  # (channels, sections, 2)
    kernel = filters.SOS_KERNEL  # scipy's in-place kernel, checked against sosfilt at import (None: moved)
    if kernel is None:
        y[:] = sps.sosfilt(sos, y, axis=-1, zi=np.moveaxis(zi, 1, 0))[0]
    else:
        kernel(sos, y, zi)


def filtfilt_even(sos: F64, x: F64, padlen: int) -> F64:
    """``scipy.signal.sosfiltfilt(sos, x, axis=-1, padtype="even", padlen=padlen)`` for ``x`` (channels, n).

    Needs ``0 <= padlen < n``. Bit-identical to scipy when its kernel is available (the same arithmetic).
    """
    c, n = x.shape
    if not 0 <= padlen < n:
        raise ValueError(f"padlen must be in [0, {n}), got {padlen}")
    sos = np.ascontiguousarray(sos, dtype=np.float64)
    zi_unit = sos_zi(sos)
    y = np.empty((c, n + 2 * padlen))  # C order: the kernel's layout
    y[:, padlen : padlen + n] = x
    if padlen:
        y[:, :padlen] = x[:, padlen:0:-1]  # mirror without repeating the edge sample
        y[:, padlen + n :] = x[:, -2 : -padlen - 2 : -1]
    _run_sos(sos, zi_unit, y)
    y = np.ascontiguousarray(y[:, ::-1])
    _run_sos(sos, zi_unit, y)
    return np.ascontiguousarray(y[:, n + padlen - 1 : padlen - 1 if padlen else None : -1])


def segment_spectra(
    x: F64, fs: float, nperseg: int, noverlap: int, fmax: float | None = None, detrend: bool = True
) -> tuple[F64, F64]:
    """One-sided Hann-window PSD of each segment, as ``scipy.signal.welch`` forms them before averaging.

    Parameters
    ----------
    x : (..., n) signal (e.g. (channels, n)); fs : sample rate, Hz
    nperseg : segment length (<= n), samples; noverlap : overlap of consecutive segments, samples
    fmax : keep only the frequencies <= fmax (Hz), or all when None
    detrend : remove each segment's mean (``detrend="constant"``). It changes only bins 0 and 1: the periodic
        Hann window's DFT is zero at every other bin, so ``False`` gives the same values from bin 2 on.

    Returns
    -------
    f : (m,) frequencies ``rfftfreq(nperseg, 1 / fs)[:m]``, Hz
    p : (..., segments, m) density, unit²/Hz
    """
    n = x.shape[-1]
    hop = nperseg - noverlap
    nseg = (n - noverlap) // hop
    win = hann(nperseg)
    view = np.lib.stride_tricks.sliding_window_view(x, nperseg, axis=-1)[..., : nseg * hop : hop, :]
    if detrend:
        seg = np.array(view)  # (..., segments, nperseg); a copy: reductions over a strided view are slow
        seg -= seg.mean(axis=-1, keepdims=True)
        seg *= win
    else:
        seg = view * win
    f = np.fft.rfftfreq(nperseg, 1.0 / fs)
    spec = np.fft.rfft(seg, axis=-1)
    m = f.shape[0] if fmax is None else int(np.searchsorted(f, fmax, side="right"))
    spec = spec[..., :m]
    p = spec.real**2 + spec.imag**2
    p *= 1.0 / (fs * _hann_power(nperseg))
    p[..., 1 : min(m, f.shape[0] - 1 if nperseg % 2 == 0 else m)] *= 2.0  # one-sided: all but DC (and Nyquist)
    return f[:m], p


def welch_sum(
    x: F64, fs: float, nperseg: int, average: str = "mean", fmax: float | None = None, detrend: bool = True
) -> tuple[F64, F64]:
    """``scipy.signal.welch(x, fs, "hann", nperseg, nperseg // 2, detrend="constant", average=...)`` of
    ``x`` (..., channels, n), summed over channels: frequencies (m,) Hz and density (..., m) unit²/Hz, up to ``fmax``
    (``detrend``: see :func:`segment_spectra`).

    ``average="median"`` divides by scipy's median bias ``1 + sum_{k=1}^{(K-1)//2} (1/(2k+1) - 1/(2k))``.
    """
    f, p = segment_spectra(x, fs, nperseg, nperseg // 2, fmax, detrend)
    return f, average_segments(p, average).sum(axis=-2)


def average_segments(p: F64, average: str) -> F64:
    """Average (..., segments, m) segment PSDs over segments as ``scipy.signal.welch`` does: (..., m)."""
    k = p.shape[-2]
    if average == "mean":
        return p.mean(axis=-2)
    if average != "median":
        raise ValueError(f"average must be 'mean' or 'median', got {average!r}")
    if k == 1:
        return p[..., 0, :]
    ii_2 = 2.0 * np.arange(1.0, (k - 1) // 2 + 1)
    bias = 1.0 + np.sum(1.0 / (ii_2 + 1.0) - 1.0 / ii_2)
    mid = k // 2
    part = np.partition(p, (mid - 1, mid) if k % 2 == 0 else mid, axis=-2)  # np.median without its overhead
    med = part[..., mid, :] if k % 2 else (part[..., mid - 1, :] + part[..., mid, :]) / 2.0
    return med / bias


def trapezoid(y: F64, x: F64) -> float:
    """``scipy.integrate.trapezoid(y, x)`` for 1-D arrays (the same arithmetic, without its per-call overhead)."""
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2.0))


def periodogram_sum(x: F64, fs: float, detrend: bool = True) -> tuple[F64, F64]:
    """``scipy.signal.periodogram(x, fs, window="hann", detrend="constant")`` of ``x`` (channels, n), summed
    over channels (``detrend=False``: for rows whose mean is already removed).

    Two real rows go through one complex FFT, ``Z = DFT(x0 + i x1)``: ``|X0_k|² + |X1_k|² = (|Z_k|² +
    |Z_(n-k)|²) / 2``. scipy.fft's complex transform switches to Bluestein's algorithm for lengths with a large
    prime factor, where the real transform does not (2 x 9970 samples = 2 * 5 * 997: 0.8 ms instead of 2.5 ms).
    """
    c, n = x.shape
    win = hann(n)
    y = (x - x.mean(axis=-1, keepdims=True) if detrend else x) * win
    z = y[0::2].astype(np.complex128)
    z[: c // 2] += 1j * y[1::2]
    spec = sps_fft.fft(z, axis=-1)
    q = (spec.real**2 + spec.imag**2).sum(axis=0)  # (n,)
    m = n // 2 + 1
    p = np.empty(m)
    p[0] = q[0]
    p[1:] = (q[1:m] + q[n - 1 : n - m : -1]) / 2.0
    p *= 1.0 / (fs * _hann_power(n))
    p[1 : m - 1 if n % 2 == 0 else m] *= 2.0  # one-sided: all but DC (and Nyquist)
    return np.fft.rfftfreq(n, 1.0 / fs), p
