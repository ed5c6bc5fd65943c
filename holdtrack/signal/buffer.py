"""A bounded buffer of uniform-grid samples addressed by global grid index."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


class _Run:
    """Samples of consecutive grid indices ``k0 ..`` in a growable array: rows ``off .. n-1`` are held."""

    __slots__ = ("k0", "acc", "gyro", "off", "n")

    def __init__(self, k0: int, acc: NDArray[np.float64], gyro: NDArray[np.float64] | None) -> None:
        m = acc.shape[0]
        cap = max(m, 256)
        self.k0, self.off, self.n = k0, 0, m
        self.acc = np.empty((cap, 3))
        self.acc[:m] = acc
        self.gyro: NDArray[np.float64] | None = None
        if gyro is not None:
            self.gyro = np.empty((cap, 3))
            self.gyro[:m] = gyro

    def extend(self, acc: NDArray[np.float64], gyro: NDArray[np.float64] | None) -> None:
        m, n, off = acc.shape[0], self.n, self.off
        if n + m > self.acc.shape[0]:  # full: drop the trimmed rows, and grow if still needed (amortised O(1))
            cap = max(2 * (n - off + m), 256)
            self.acc = _moved(self.acc, off, n, cap)
            self.gyro = None if self.gyro is None else _moved(self.gyro, off, n, cap)
            self.off, self.n = 0, n - off
        self.acc[self.n:self.n + m] = acc
        if self.gyro is not None:
            self.gyro[self.n:self.n + m] = gyro
        self.n += m

    @property
    def end(self) -> int:
        return self.k0 + self.n - self.off


def _moved(a: NDArray[np.float64], off: int, n: int, cap: int) -> NDArray[np.float64]:
    out = np.empty((cap, 3))
    out[:n - off] = a[off:n]
    return out


class SampleBuffer:
    """Keeps grid samples from some index onwards so a hold can be scored once it closes.

    Memory is bounded by ``max_samples`` (the oldest samples are dropped beyond it), so a device left on a
    desk for hours does not grow memory. Consecutive pieces (a live stream's notifications) are copied into
    one growing array, so :meth:`slice` costs the same whether the samples came in 5 or 5000 at a time.
    """

    def __init__(self, max_samples: int) -> None:
        self.max_samples = max(1, int(max_samples))
        self._runs: list[_Run] = []
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(self, k0: int, acc: NDArray[np.float64], gyro: NDArray[np.float64] | None) -> None:
        if acc.shape[0]:
            last = self._runs[-1] if self._runs else None
            if last is not None and last.end == k0 and (last.gyro is None) == (gyro is None):
                last.extend(acc, gyro)
            else:
                self._runs.append(_Run(k0, acc, gyro))
            self._n += acc.shape[0]
        over = self._n - self.max_samples
        if over > 0:
            self.trim(self._runs[0].k0 + over)

    def trim(self, k_min: int) -> None:
        """Drop samples with grid index below ``k_min``."""
        while self._runs:
            r = self._runs[0]
            if r.end <= k_min:
                self._n -= r.end - r.k0
                self._runs.pop(0)
            elif r.k0 < k_min:
                cut = k_min - r.k0
                self._n -= cut
                r.k0, r.off = k_min, r.off + cut
                break
            else:
                break

    def slice(self, k_start: int, k_stop: int) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        """Samples with grid index in ``[k_start, k_stop)`` that are still held, concatenated."""
        accs, gyros = [], []
        for r in self._runs:
            lo, hi = max(k_start, r.k0), min(k_stop, r.end)
            if hi > lo:
                a, b = r.off + lo - r.k0, r.off + hi - r.k0
                accs.append(r.acc[a:b])
                gyros.append(None if r.gyro is None else r.gyro[a:b])
        if not accs:
            return np.zeros((0, 3)), None
        # always fresh, aligned copies: numpy's SIMD reductions can round differently on misaligned views,
        # and the hold metrics must not depend on how the samples arrived
        acc = np.array(np.concatenate(accs), copy=True)
        gyro = np.array(np.concatenate(gyros), copy=True) if all(g is not None for g in gyros) else None  # type: ignore[arg-type]
        return acc, gyro
