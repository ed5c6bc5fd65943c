"""The pure signal views behind the graphs (holdtrack.signal.bands) and the drawing decimation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from holdtrack.plot._decimate import envelope
from holdtrack.signal.bands import band_power, ellipse95, plane_axes, runs, sway_path, tilt_from_reference, usable_bands

FS = 100.0


def test_band_power_finds_a_sine_in_its_band() -> None:
    t = np.arange(int(30 * FS)) / FS
    acc = np.zeros((t.size, 3))
    acc[:, 2] = 9.81
    acc[:, 0] += 0.2 * np.sin(2 * np.pi * 10.0 * t)  # power A²/2 = 0.02 (m/s²)² at 10 Hz
    acc[:, 1] += 0.1 * np.sin(2 * np.pi * 5.0 * t)  # 0.005 at 5 Hz
    tm, p = band_power(t, acc, FS)
    assert tm.size > 40 and set(p) == {"4-6 Hz", "8-12 Hz"}
    assert np.median(p["8-12 Hz"]) == pytest.approx(0.02, rel=0.05)
    assert np.median(p["4-6 Hz"]) == pytest.approx(0.005, rel=0.05)


def test_band_power_windows_never_straddle_a_gap() -> None:
    t = np.concatenate([np.arange(500) / FS, 20.0 + np.arange(500) / FS])
    acc = np.random.default_rng(0).normal(0, 0.01, (1000, 3))
    tm, _ = band_power(t, acc, FS)
    assert not np.any((tm > 5.0) & (tm < 20.0))
    assert [(r.start, r.stop) for r in runs(t, FS)] == [(0, 500), (500, 1000)]


def test_bands_above_nyquist_are_clipped_or_dropped() -> None:
    assert usable_bands(25.0) == {"4-6 Hz": (4.0, 6.0), "8-11.2 Hz": (8.0, 11.25)}
    assert usable_bands(12.0) == {"4-5.4 Hz": (4.0, 5.4)}
    assert usable_bands(8.0) == {}


def test_tilt_from_reference_measures_rotation() -> None:
    g = np.array([0.0, 0.0, 9.81])
    rots = Rotation.from_euler("x", [[0.0], [5.0], [30.0]], degrees=True)
    tilt = tilt_from_reference(rots.apply(g), g)
    np.testing.assert_allclose(tilt, [0.0, 5.0, 30.0], atol=1e-6)


def test_plane_axes_are_orthonormal_and_horizontal() -> None:
    for g in ([0, 0, 9.8], [3.0, -4.0, 8.0], [9.8, 0.1, 0.0]):
        e = plane_axes(np.array(g, dtype=float))
        np.testing.assert_allclose(e.T @ e, np.eye(2), atol=1e-12)
        np.testing.assert_allclose(np.array(g) @ e, 0.0, atol=1e-9)


def test_sway_path_and_ellipse_of_known_sway() -> None:
    """Gaussian sway 0.3 m/s² along one horizontal direction, 0.1 along the other: the 95 % ellipse
    has semi-axes sqrt(5.99) sigma (after the band-pass) and holds about 95 % of the points."""
    rng = np.random.default_rng(3)
    n = int(120 * FS)
    g = np.array([0.0, 6.0, 7.75])
    e = plane_axes(g)
    from scipy import signal as sps

    sos = sps.butter(4, (0.5, 3.0), btype="bandpass", fs=FS, output="sos")
    u = sps.sosfilt(sos, rng.normal(size=(n, 2)), axis=0)
    u = u / u.std(axis=0) * [0.3, 0.1]
    acc = g + u @ e.T
    xy = sway_path(acc, FS)
    assert xy is not None and xy.shape == (n, 2)
    a, b, _, area = ellipse95(xy)
    assert a == pytest.approx(math.sqrt(5.991) * 0.3, rel=0.1)
    assert b == pytest.approx(math.sqrt(5.991) * 0.1, rel=0.1)
    assert area == pytest.approx(math.pi * a * b)
    assert sway_path(acc[:50], FS) is None  # under 1 s


def test_envelope_keeps_extremes_and_bounds_points() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(720_000) / 200.0
    y = rng.normal(size=(t.size, 3))
    y[123_457, 1] = 50.0
    te, ye = envelope(t, y, 4000)
    assert te.size <= 4100 and ye.shape == (te.size, 3)
    np.testing.assert_allclose(np.nanmax(ye, axis=0), y.max(axis=0))
    np.testing.assert_allclose(np.nanmin(ye, axis=0), y.min(axis=0))
    assert np.all(np.diff(te) >= 0)


def test_envelope_breaks_lines_at_gaps() -> None:
    t = np.concatenate([np.arange(100) / FS, 10.0 + np.arange(100) / FS])
    te, ye = envelope(t, np.ones(200), 4000, gap_s=1.5 / FS)
    assert te.size == 201 and np.isnan(te[100]) and np.isnan(ye[100])


@pytest.mark.parametrize("fs", [25.0, 100.0, 200.0])
def test_band_power_equals_scipy_stft(fs: float) -> None:
    """The strided-FFT band power is scipy's one-sided PSD STFT (Hann, mean removed), summed over the band."""
    from scipy import signal as sps

    rng = np.random.default_rng(int(fs))
    n = int(fs * 30)
    t = np.arange(n) / fs
    acc = rng.normal(size=(n, 3)) + np.sin(2 * np.pi * 5.0 * t)[:, None]
    tm, power = band_power(t, acc, fs)
    nper, hop = int(round(2.0 * fs)), int(round(0.5 * fs))
    f, tt, z = sps.stft(acc, fs=fs, window="hann", nperseg=nper, noverlap=nper - hop, axis=0, boundary=None,
                        padded=False, detrend="constant", scaling="psd")
    psd = np.abs(z) ** 2
    psd[1:-1] *= 2.0
    psd = psd.sum(axis=1)
    assert tm == pytest.approx(tt, abs=1e-9)
    for name, (lo, hi) in usable_bands(fs).items():
        want = psd[(f >= lo) & (f <= hi)].sum(axis=0) * (f[1] - f[0])
        assert power[name] == pytest.approx(want, rel=1e-9)
