"""The live window's pure parts: the filled-band decimation of a trace and the scrolling clock."""

from __future__ import annotations

import numpy as np
import pytest

from holdtrack.plot._decimate import column_band
from holdtrack.plot._tap import ScrollClock


def _bins(n: int, max_bins: int) -> list[np.ndarray]:
    b = int(np.ceil((n - 1) / max_bins))
    return [np.arange(k, min(k + b, n - 1) + 1) for k in range(0, n - 1, b)]


@pytest.mark.parametrize("n, max_bins", [(2001, 405), (500, 405), (2, 10), (1000, 1)])
def test_column_band_covers_every_sample(n: int, max_bins: int) -> None:
    rng = np.random.default_rng(n)
    t = np.sort(rng.uniform(0.0, 10.0, n))
    y = np.cumsum(rng.normal(0.0, 1.0, (n, 3)), axis=0)
    y[n // 2, 1] += 50.0  # one spike
    x, outline = column_band(t, y, max_bins, pad=0.1)
    m = x.size // 2
    assert m <= max(max_bins, 2) and outline.shape == (2 * m, 3)
    assert x[0] == t[0] and x[m - 1] == t[-1] and np.all(np.diff(x[:m]) > 0)
    np.testing.assert_array_equal(x[m:], x[:m][::-1])
    hi, lo = outline[:m], outline[m:][::-1]
    if len(_bins(n, max_bins)) == 1:  # one bin: drawn as a column at each end
        hi, lo = hi[:1], lo[:1]
    for k, idx in enumerate(_bins(n, max_bins)):  # each column spans its samples (and joins the next one)
        np.testing.assert_allclose(hi[k], y[idx].max(axis=0) + 0.1)
        np.testing.assert_allclose(lo[k], y[idx].min(axis=0) - 0.1)
    assert hi[:, 1].max() == pytest.approx(y[:, 1].max() + 0.1)  # the spike is kept


def test_column_band_of_too_few_samples_is_empty() -> None:
    x, outline = column_band(np.array([1.0]), np.array([[1.0, 2.0, 3.0]]), 100, 0.1)
    assert x.size == 0 and outline.shape == (0, 3)


def _burst_arrivals(speed: float, seconds: float, rng: np.random.Generator) -> list[tuple[float, float]]:
    """(wall, newest stream time) of 10-sample notifications at 200 Hz, 30 or 60 ms apart in stream time."""
    out, stream = [], 0.0
    while stream < seconds:
        stream += rng.choice([0.03, 0.06])
        out.append((stream / speed + rng.uniform(0.0, 0.004), stream))
    return out


@pytest.mark.parametrize("speed", [1.0, 6.0])
def test_scroll_clock_moves_on_between_arrivals_and_never_passes_the_data(speed: float) -> None:
    clock = ScrollClock(delay_s=0.1)
    assert np.isnan(clock.now(0.0))
    arrivals = _burst_arrivals(speed, 20.0, np.random.default_rng(3))
    shown, moved = [], 0
    for (wall, stream), (nxt, _) in zip(arrivals, arrivals[1:]):
        clock.arrive(wall, stream)
        for w in np.linspace(wall, nxt, 5, endpoint=False):  # frames while waiting for the next arrival
            s = clock.now(w)
            assert s <= stream  # never past the newest sample
            moved += bool(shown) and s > shown[-1]
            shown.append(s)
    assert np.all(np.diff(shown) >= 0)  # never backwards
    assert clock.pace == pytest.approx(speed, rel=0.1)
    late = np.array(shown[len(shown) // 2:])
    newest = arrivals[len(arrivals) // 2][1]
    assert late[0] >= newest - 0.3 * speed  # about delay_s (wall) behind, at the stream's pace
    assert moved > len(shown) // 2  # it moved on in most frames, not only when data arrived


def test_scroll_clock_stops_when_the_data_stops() -> None:
    clock = ScrollClock(delay_s=0.1)
    for k in range(1, 100):
        clock.arrive(k * 0.05, k * 0.05)
    assert clock.now(100.0) == pytest.approx(99 * 0.05)
    assert clock.now(200.0) == pytest.approx(99 * 0.05)
    clock.arrive(200.0, 10.0)  # data again after a long silence (a skipped gap): it jumps, never back
    assert 99 * 0.05 <= clock.now(200.0) <= 10.0
