"""A bounded buffer of uniform-grid samples addressed by global grid index."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


class SampleBuffer:
    """Keeps grid samples from some index onwards so a hold can be scored once it closes.

    Memory is bounded by ``max_samples`` (the oldest samples are dropped beyond it), so a device left on a
    desk for hours does not grow memory.
    """

    def __init__(self, max_samples: int) -> None:
        self.max_samples = max(1, int(max_samples))
        self._k0: list[int] = []
        self._acc: list[NDArray[np.float64]] = []
        self._gyro: list[NDArray[np.float64] | None] = []
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(self, k0: int, acc: NDArray[np.float64], gyro: NDArray[np.float64] | None) -> None:
        if acc.shape[0]:
            self._k0.append(k0)
            self._acc.append(acc)
            self._gyro.append(gyro)
            self._n += acc.shape[0]
        over = self._n - self.max_samples
        if over > 0:
            self.trim(self._k0[0] + over)

    def trim(self, k_min: int) -> None:
        """Drop samples with grid index below ``k_min``."""
        while self._k0:
            k0, a = self._k0[0], self._acc[0]
            end = k0 + a.shape[0]
            if end <= k_min:
                self._n -= a.shape[0]
                self._k0.pop(0), self._acc.pop(0), self._gyro.pop(0)
            elif k0 < k_min:
                cut = k_min - k0
                self._n -= cut
                self._k0[0] = k_min
                self._acc[0] = a[cut:]
                g = self._gyro[0]
                self._gyro[0] = None if g is None else g[cut:]
                break
            else:
                break

    def slice(self, k_start: int, k_stop: int) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        """Samples with grid index in ``[k_start, k_stop)`` that are still held, concatenated."""
        accs, gyros = [], []
        for k0, a, g in zip(self._k0, self._acc, self._gyro):
            lo, hi = max(k_start, k0), min(k_stop, k0 + a.shape[0])
            if hi > lo:
                accs.append(a[lo - k0 : hi - k0])
                gyros.append(None if g is None else g[lo - k0 : hi - k0])
        if not accs:
            return np.zeros((0, 3)), None
        # always fresh, aligned copies: numpy's SIMD reductions can round differently on misaligned views,
        # and the hold metrics must not depend on how the samples arrived
        acc = np.array(np.concatenate(accs), copy=True)
        gyro = np.array(np.concatenate(gyros), copy=True) if all(g is not None for g in gyros) else None  # type: ignore[arg-type]
        return acc, gyro
