"""Array form of :class:`~holdtrack.signal.clock.ClockModel` for device-timed frames (files, the offline path).

Between events the clock model's per-frame rules are independent of each other except through the period
estimate, which is the latest valid baseline estimate: a forward fill. So a run of frames is computed with
array expressions, optimistically assuming every frame contiguous (no loss, hence no clock reset) and no
rate change, and accepted up to the first frame where that fails; that frame goes through the scalar rules,
and the next run starts after it. Every array expression performs the scalar code's floating-point operations in the same order, so the
result is bit-identical to :meth:`ClockModel.push` frame by frame (``tests/signal/test_clock.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from holdtrack.model import FrameColumns

if TYPE_CHECKING:
    from holdtrack.signal.clock import ClockModel

RUN_MAX = 4096
"""Frames computed per optimistic run."""
SCALAR_AFTER_SHORT = 32
"""After a run shorter than this (frequent gaps), the next frames go through the scalar rules."""


def device_timed_columns(model: "ClockModel", cols: FrameColumns) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(t_last, period)`` per frame (0 for frames without samples), advancing ``model`` exactly as
    :meth:`ClockModel._step` of each frame would. Needs device and host times."""
    assert cols.device_time_s is not None and cols.host_time_s is not None
    k = len(cols)
    sizes = cols.sizes
    model.packets += k
    if cols.seq is not None and cols.seq_modulus is not None:
        _count_seq(model, cols.seq, cols.seq_modulus)
    t_out, p_out = np.zeros(k), np.zeros(k)
    keep = np.flatnonzero(sizes > 0)
    if keep.shape[0] == 0:
        return t_out, p_out
    n = sizes[keep]
    host = cols.host_time_s[keep]
    rate = None if cols.rate_hz is None else cols.rate_hz[keep]
    dev = _unwrap(model, cols.device_time_s[keep].astype(np.float64), cols.device_time_wrap_s)
    di = cols.device_time_index
    idx = np.full(n.shape[0], di, dtype=np.int64) if di >= 0 else n + di
    t_last, period = np.zeros(n.shape[0]), np.zeros(n.shape[0])
    m, pos = n.shape[0], 0
    while pos < m:
        scalar = 1
        if not (model._anchor_dev is None or model._anchor_host is None or model._last_stamp is None
                or model._base_dev is None):
            done = _run(model, pos, min(m, pos + RUN_MAX), n, host, dev, idx, rate, t_last, period)
            pos += done
            scalar = 1 if done >= SCALAR_AFTER_SHORT else SCALAR_AFTER_SHORT
        stop = min(m, pos + scalar)
        for i in range(pos, stop):  # frames with an event (or after a short run): the scalar rules
            r = None if rate is None else float(rate[i])
            t_last[i], period[i] = model._timed(int(n[i]), float(host[i]), float(dev[i]), di, r)
        pos = stop
    t_out[keep], p_out[keep] = t_last, period
    return t_out, p_out


def _count_seq(model: "ClockModel", seq: NDArray[np.int64], mod: int) -> None:
    prev = np.empty_like(seq)
    prev[1:] = seq[:-1]
    prev[0] = seq[0] + 1 if model._last_seq is None else model._last_seq  # no count for the first ever
    lost = (seq - prev - 1) % mod
    model.lost_packets += int(lost[lost < mod // 2].sum())
    model._last_seq = int(seq[-1])


def _unwrap(model: "ClockModel", raw: NDArray[np.float64], wrap: float | None) -> NDArray[np.float64]:
    if wrap:
        prev = np.empty_like(raw)
        prev[1:] = raw[:-1]
        prev[0] = -np.inf if model._last_raw_dev is None else model._last_raw_dev
        wraps = model._wraps + np.cumsum(raw < prev - wrap / 2)
        dev = raw + wraps * wrap
        model._wraps = int(wraps[-1])
    else:
        dev = raw + 0.0
    model._last_raw_dev = float(raw[-1])
    return dev


def _run(model: "ClockModel", a: int, b: int, n: NDArray[np.int64], host: NDArray[np.float64],
         dev: NDArray[np.float64], idx: NDArray[np.int64], rate: NDArray[np.float64] | None,
         t_last: NDArray[np.float64], period: NDArray[np.float64]) -> int:
    """Frames ``a:b`` up to the first event, written to ``t_last``/``period``; returns how many."""
    nn, hh, s, ii = n[a:b], host[a:b], dev[a:b], idx[a:b]
    L = b - a
    g_first = model._next_g + (np.cumsum(nn) - nn)
    g = g_first + ii
    p0, nominal = model.period_s, model.nominal_period_s
    # the period after each frame if every frame is contiguous: the latest valid baseline estimate
    count = g - model._base_g
    span = s - model._base_dev
    with np.errstate(divide="ignore", invalid="ignore"):
        est = span / count
        ok = (count >= 50) & (span > 0) & (np.abs(est / nominal - 1.0) < 0.05)
    last_ok = np.maximum.accumulate(np.where(ok, np.arange(L), -1))
    p_after = np.where(last_ok >= 0, est[np.maximum(last_ok, 0)], p0)
    p_before = np.empty(L)
    p_before[0] = p0
    p_before[1:] = p_after[:-1]
    prev_s = np.empty(L)
    prev_s[0], prev_s[1:] = model._last_stamp, s[:-1]
    prev_g = np.empty(L, dtype=np.int64)
    prev_g[0], prev_g[1:] = model._last_g, g[:-1]
    expected = prev_s + (g - prev_g) * p_before
    contiguous = np.abs(s - expected) < 0.5 * nn * p_before + 1.5 * p_before
    dev_last = s + (nn - 1 - ii) * p_before
    event = ~contiguous  # a loss, or a possible clock reset: the scalar rules decide
    if rate is not None:
        r = rate[a:b]
        with np.errstate(divide="ignore", invalid="ignore"):
            event |= (r != 0) & (np.abs(1.0 / r - nominal) > 1e-12)
    f = int(np.argmax(event)) if event.any() else L
    if f == 0:
        return 0
    t_last[a:a + f] = model._anchor_t + (dev_last[:f] - model._anchor_dev)
    period[a:a + f] = p_before[:f]
    model.period_s = float(p_after[f - 1])
    model._last_stamp, model._last_g = float(s[f - 1]), int(g[f - 1])
    model._next_g = int(g_first[f - 1] + nn[f - 1])
    model._last_dev_last = float(dev_last[f - 1])
    model._last_t = float(t_last[a + f - 1])
    model.samples += int(nn[:f].sum())
    _drift(model, dev_last[:f], hh[:f])
    return f


def _drift(model: "ClockModel", d: NDArray[np.float64], h: NDArray[np.float64]) -> None:
    """The lower envelope of host - device per 10 s bucket, as the scalar rule builds it frame by frame."""
    off = h - d
    env = model._env
    i, m, refit = 0, d.shape[0], False
    while i < m:
        if env and d[i] - env[-1][0] < 10.0:
            start = env[-1][0]
            inside = d[i:] - start < 10.0
            e = m if inside.all() else i + int(np.argmin(inside))
            low = float(off[i:e].min())
            if low < env[-1][1]:
                env[-1] = (start, low)
            i = e
        else:
            env.append((float(d[i]), float(off[i])))
            del env[:-60]  # ten minutes of buckets
            refit = True
            i += 1
    if refit:  # the scalar rule fits at each new bucket; only the last fit survives
        model._fit_drift()
