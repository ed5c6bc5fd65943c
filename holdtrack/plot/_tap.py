"""Bounded sample buffers for live views (pure numpy): a ring buffer and a tap on a StreamProcessor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from holdtrack.stream import StreamProcessor

F64 = NDArray[np.float64]


class Ring:
    """Fixed-capacity ring of (time, value row) samples; memory never grows.

    Parameters
    ----------
    capacity : samples kept (older ones are overwritten)
    width : values per sample (3 for acceleration)
    """

    def __init__(self, capacity: int, width: int) -> None:
        self.capacity = int(capacity)
        self.t = np.full(self.capacity, np.nan)
        self.v = np.zeros((self.capacity, width))
        self.count = 0  # samples ever written

    def extend(self, t_s: F64, values: F64) -> None:
        """Append samples ``t_s`` (n,) and ``values`` (n, width)."""
        n = t_s.shape[0]
        if n == 0:
            return
        if n > self.capacity:
            t_s, values, self.count = t_s[-self.capacity:], values[-self.capacity:], self.count + n - self.capacity
            n = self.capacity
        idx = (self.count + np.arange(n)) % self.capacity
        self.t[idx] = t_s
        self.v[idx] = values
        self.count += n

    def ordered(self) -> tuple[F64, F64]:
        """Everything held, oldest first: (t (m,), values (m, width))."""
        m = min(self.count, self.capacity)
        idx = (self.count - m + np.arange(m)) % self.capacity
        return self.t[idx], self.v[idx]

    def last(self, span_s: float) -> tuple[F64, F64]:
        """The samples of the last ``span_s`` seconds (by time of the newest sample)."""
        t, v = self.ordered()
        if t.size == 0:
            return t, v
        keep = t >= t[-1] - span_s
        return t[keep], v[keep]

    @property
    def nbytes(self) -> int:
        return int(self.t.nbytes + self.v.nbytes)


class SampleTap:
    """Collect the sample blocks a :class:`~holdtrack.stream.StreamProcessor` feeds its pipeline.

    Installs a thin proxy as ``proc.pipeline`` that forwards everything and keeps each pushed block's
    times (s since the first sample) and acceleration in a :class:`Ring` of ``max_samples``; :meth:`take`
    returns what arrived since the last call. :meth:`detach` restores the original pipeline.
    """

    def __init__(self, proc: "StreamProcessor", max_samples: int) -> None:
        self.proc = proc
        self.inner = proc.pipeline
        self.ring = Ring(max_samples, 3)
        self._taken = 0
        proc.pipeline = _Proxy(self.inner, self)  # type: ignore[assignment]

    def _seen(self, block: Any) -> None:
        if len(block):
            t0 = self.inner.grid.t_first
            t0 = block.t_s[0] if t0 is None else t0
            self.ring.extend(block.t_s - t0, block.acc_mps2)

    def take(self) -> tuple[F64, F64]:
        """Samples added since the last call (at most ``max_samples``, the newest)."""
        new = min(self.ring.count - self._taken, self.ring.capacity)
        self._taken = self.ring.count
        t, v = self.ring.ordered()
        return t[t.size - new:], v[v.shape[0] - new:]

    def detach(self) -> None:
        if isinstance(self.proc.pipeline, _Proxy):
            self.proc.pipeline = self.inner


class _Proxy:
    """Forwards every attribute to the real pipeline; ``push`` also reports the block to the tap."""

    def __init__(self, inner: Any, tap: SampleTap) -> None:
        self._inner = inner
        self._tap = tap

    def push(self, block: Any) -> Any:
        out = self._inner.push(block)
        self._tap._seen(block)
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class ScrollClock:
    """The stream time shown at the right edge of a scrolling live plot, moving on between sample arrivals.

    Samples arrive in bursts (one BLE notification every 30-70 ms); drawing only when they arrive makes the
    trace jump. This clock maps wall time to stream time with the pace measured over the last
    ``window_s`` of arrivals, a fixed ``delay_s`` (wall) behind, so the right edge is (almost) always
    covered by samples. It never goes backwards and never passes the newest sample (the trace stops when
    the data stops). Pure: wall times are passed in.

    Parameters
    ----------
    delay_s : how far behind the estimated stream time the edge runs, s of wall time
    window_s : span of arrivals the pace (stream s per wall s) is measured over, s of wall time
    """

    def __init__(self, delay_s: float = 0.1, window_s: float = 2.0) -> None:
        self.delay_s = float(delay_s)
        self.window_s = float(window_s)
        self._ref: tuple[float, float] | None = None  # (wall, stream) where the pace is measured from
        self._prev_ref: tuple[float, float] | None = None
        self._last: tuple[float, float] | None = None  # newest arrival (wall, stream)
        self.pace = 0.0  # stream s per wall s; 0 until measured
        self._shown = -np.inf

    def arrive(self, wall_s: float, stream_s: float) -> None:
        """Samples up to stream time ``stream_s`` (s) arrived at wall time ``wall_s`` (s, monotonic)."""
        if self._last is not None and stream_s <= self._last[1]:
            return
        if self._ref is None:
            self._ref = (wall_s, stream_s)
        elif wall_s - self._ref[0] >= self.window_s:  # keep the pace over the last one to two windows
            self._prev_ref, self._ref = self._ref, (wall_s, stream_s)
        ref = self._prev_ref or self._ref
        if wall_s - ref[0] >= 0.25 * self.window_s:
            self.pace = (stream_s - ref[1]) / (wall_s - ref[0])
        self._last = (wall_s, stream_s)

    def now(self, wall_s: float) -> float:
        """Stream time (s) for the right edge at wall time ``wall_s``; NaN before any arrival."""
        if self._last is None:
            return float("nan")
        wall0, stream0 = self._last
        t = stream0 + (wall_s - wall0 - self.delay_s) * self.pace if self.pace > 0 else stream0
        self._shown = min(max(self._shown, t), stream0)
        return self._shown
