"""The fast spectral / filtering primitives equal the scipy.signal routines they replace, on random signals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal as sps

from holdtrack.signal import filters, spectra
from holdtrack.signal.swayband import band_power_response, gravity_sos, sway_sos

RATES = [25.0, 26.0, 50.0, 100.0, 200.0, 12.5]
LENGTHS = [9, 64, 401, 1000, 2377]


def close(a, b, rtol=1e-12):
    """Equal within ``rtol`` of the largest magnitude (spectra span many decades; small bins carry no weight)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    assert np.max(np.abs(a - b), initial=0.0) <= rtol * max(np.max(np.abs(b), initial=0.0), 1e-300)


def signal(rng, n, channels=3, offset=9.8):
    """Random walk plus white noise around an offset: slow drift and broadband content, like a hold."""
    return offset + np.cumsum(rng.normal(0, 0.01, (channels, n)), axis=1) + rng.normal(0, 0.1, (channels, n))


@pytest.mark.parametrize("fs", RATES)
def test_filtfilt_even_equals_sosfiltfilt(fs):
    rng = np.random.default_rng(int(fs))
    for n in LENGTHS:
        x = signal(rng, n)
        sections = [gravity_sos(fs)] + ([sway_sos(fs)] if fs >= 11.0 else [])
        for sos in sections:
            for padlen in {0, 1, min(n - 1, int(3 * fs)), n - 1}:
                want = sps.sosfiltfilt(sos, x, axis=-1, padtype="even", padlen=padlen)
                close(spectra.filtfilt_even(sos, x, padlen), want, 1e-13)
    with pytest.raises(ValueError):
        spectra.filtfilt_even(gravity_sos(fs), x, x.shape[1])


def test_filtfilt_without_the_private_kernel(monkeypatch):
    """The public sosfilt fallback (used if scipy moves its kernel) gives the same result."""
    rng = np.random.default_rng(3)
    x = signal(rng, 700)
    want = spectra.filtfilt_even(sway_sos(50.0), x, 150)
    monkeypatch.setattr(filters, "SOS_KERNEL", None)
    close(spectra.filtfilt_even(sway_sos(50.0), x, 150), want, 1e-13)


@pytest.mark.parametrize("fs", RATES)
@pytest.mark.parametrize("average", ["mean", "median"])
def test_welch_sum_equals_scipy_welch(fs, average):
    rng = np.random.default_rng(7)
    for n in LENGTHS:
        x = signal(rng, n)
        for seg_s in (2.0, 4.0):
            nper = min(n, int(round(seg_s * fs)))
            f0, p0 = sps.welch(x, fs, "hann", nperseg=nper, noverlap=nper // 2, detrend="constant",
                               axis=-1, average=average)
            f, p = spectra.welch_sum(x, fs, nper, average)
            np.testing.assert_array_equal(f, f0)
            close(p, p0.sum(axis=0))
            # truncation keeps exactly the bins <= fmax
            fmax = 0.3 * fs
            ft, pt = spectra.welch_sum(x, fs, nper, average, fmax=fmax)
            keep = f0 <= fmax
            np.testing.assert_array_equal(ft, f0[keep])
            close(pt, p0.sum(axis=0)[keep])


@pytest.mark.parametrize("nper", [3, 8, 101, 400, 800])
def test_skipping_the_segment_mean_changes_only_bins_0_and_1(nper):
    rng = np.random.default_rng(nper)
    x = signal(rng, 5 * nper, offset=50.0)  # a large mean: bins 0 and 1 differ a lot
    f, a = spectra.welch_sum(x, 100.0, nper, "median", detrend=True)
    _, b = spectra.welch_sum(x, 100.0, nper, "median", detrend=False)
    assert a.shape == b.shape
    close(b[2:], a[2:], 1e-9)  # rounding of the FFT of a 50-unit offset, relative to the largest bin >= 2
    assert not np.allclose(a[:2], b[:2])


@pytest.mark.parametrize("fs", RATES)
def test_periodogram_sum_equals_scipy(fs):
    rng = np.random.default_rng(11)
    for n in LENGTHS + [2, 997, 1994, 2 * 5 * 83]:  # prime factors: pocketfft's slow paths
        for channels in (1, 2, 3):
            x = signal(rng, n, channels=channels, offset=0.0)
            f0, p0 = sps.periodogram(x, fs, window="hann", detrend="constant", axis=-1)
            f, p = spectra.periodogram_sum(x, fs)
            np.testing.assert_array_equal(f, f0)
            close(p, p0.sum(axis=0))
            centred = x - x.mean(axis=1, keepdims=True)
            close(spectra.periodogram_sum(centred, fs, detrend=False)[1], p0.sum(axis=0))


@pytest.mark.parametrize("fs", [11.5, 25.0, 26.0, 50.0, 100.0, 200.0, 400.0])
def test_band_power_response_equals_sosfreqz(fs):
    """The closed-form Butterworth response equals the designed sections' response (|H|**4, max 1)."""
    for n in (4097, 9972):
        f = np.fft.rfftfreq(n, 1.0 / fs)
        want = np.abs(sps.sosfreqz(sway_sos(fs), worN=f, fs=fs)[1]) ** 4
        # evaluating the sections near their poles (z ~ 1) is ill-conditioned: ~1e-11 at 200 Hz, 1e-10 at 400 Hz
        close(band_power_response(fs, f), want, 1e-9)
        assert band_power_response(fs, f)[0] == 0.0


def test_hann_is_scipys_periodic_window_and_read_only():
    for n in (1, 2, 7, 100, 9973):
        np.testing.assert_allclose(spectra.hann(n), sps.get_window("hann", n), rtol=0, atol=1e-15)
    with pytest.raises(ValueError):
        spectra.hann(100)[0] = 1.0
