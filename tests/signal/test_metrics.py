"""Hand-calculated checks of hold_metrics on signals whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from holdtrack.model import G0
from holdtrack.signal.metrics import CHI2_95_2DOF, METRIC_NAMES, MIN_FREQ_S, MIN_HOLD_S, hold_metrics
from holdtrack.signal.swayband import noise_floor_for_white


def still(n: int) -> np.ndarray:
    acc = np.zeros((n, 3))
    acc[:, 2] = G0
    return acc


def test_sinusoid_rms_jerk_and_frequency():
    fs, dur, amp, f0 = 100.0, 30.0, 0.2, 1.0
    t = np.arange(int(dur * fs)) / fs
    acc = still(t.size)
    acc[:, 0] += amp * np.sin(2 * np.pi * f0 * t)
    m, notes = hold_metrics(acc, fs)
    assert m["rms_mps2"] == pytest.approx(amp / math.sqrt(2), rel=0.01)
    assert m["rms_minor_mps2"] == pytest.approx(0.0, abs=1e-4)
    jerk_rms = 2 * math.pi * f0 * amp / math.sqrt(2)  # RMS of d/dt of the sinusoid
    assert m["jerk_rms_mps3"] == pytest.approx(jerk_rms, rel=0.01)
    assert m["jerk_m2ps5"] == pytest.approx(0.5 * dur * jerk_rms**2, rel=0.02)  # ISway: 1/2 integral |jerk|^2 dt
    assert m["centroid_freq_hz"] == pytest.approx(f0, rel=0.01)
    assert m["freq_dispersion"] < 0.05
    assert m["f50_hz"] == pytest.approx(f0, abs=0.05)
    assert m["mean_distance_mps2"] == pytest.approx(2 * amp / math.pi, rel=0.01)  # mean |sin| = 2/pi
    assert m["path_mps2"] == pytest.approx(4 * amp * f0 * dur, rel=0.01)  # 4 amplitudes per cycle
    assert m["tilt_max_deg"] < 0.05 and m["tilt_drift_deg_per_min"] < 0.2
    assert set(m) == set(METRIC_NAMES)
    assert set(notes) == {k for k, v in m.items() if v is None}


def test_ellipse_area_of_known_covariance():
    fs, dur = 100.0, 60.0
    rng = np.random.default_rng(7)
    t = np.arange(int(dur * fs)) / fs
    # two uncorrelated unit-variance band-limited signals (0.8-2.5 Hz, inside the sway band)
    u = np.zeros((t.size, 2))
    for j in range(2):
        f = rng.uniform(0.8, 2.5, 200)
        u[:, j] = np.sin(2 * np.pi * f[None, :] * t[:, None] + rng.uniform(0, 6.3, 200)).sum(axis=1)
    u -= u.mean(axis=0)
    u = u @ np.linalg.inv(np.linalg.cholesky(np.cov(u.T, bias=True))).T  # exactly white: cov = I
    cov = np.array([[0.04, 0.012], [0.012, 0.01]])  # (m/s²)²
    xy = u @ np.linalg.cholesky(cov).T
    acc = still(t.size)
    acc[:, :2] += xy
    m, _ = hold_metrics(acc, fs)
    l1, l2 = np.linalg.eigvalsh(cov)[::-1]
    assert m["ellipse95_area_m2ps4"] == pytest.approx(math.pi * CHI2_95_2DOF * math.sqrt(l1 * l2), rel=0.03)
    assert m["rms_major_mps2"] == pytest.approx(math.sqrt(l1), rel=0.02)
    assert m["rms_minor_mps2"] == pytest.approx(math.sqrt(l2), rel=0.02)
    assert m["rms_mps2"] == pytest.approx(math.sqrt(np.trace(cov)), rel=0.02)


@pytest.mark.parametrize("rate_dps", [0.05, 0.2])
def test_tilt_drift_of_constant_rotation(rate_dps):
    fs, dur = 50.0, 60.0
    t = np.arange(int(dur * fs)) / fs
    ang = np.radians(rate_dps) * t
    acc = np.stack([np.zeros_like(t), G0 * np.sin(ang), G0 * np.cos(ang)], axis=1)
    m, _ = hold_metrics(acc, fs)
    assert m["tilt_drift_deg_per_min"] == pytest.approx(rate_dps * 60.0, rel=0.01)
    # moving 1 s means: first centred at 0.5 s, last at dur - 0.5 s
    assert m["tilt_max_deg"] == pytest.approx(rate_dps * (dur - 1.0), rel=0.01)


def test_tremor_band_power_of_known_tones():
    fs, dur = 100.0, 20.0
    t = np.arange(int(dur * fs)) / fs
    acc = still(t.size)
    acc[:, 0] += 0.05 * np.sin(2 * np.pi * 5.0 * t)  # power 0.05²/2 in 4-6 Hz
    acc[:, 2] += 0.02 * np.sin(2 * np.pi * 10.0 * t + 1.0)  # power 0.02²/2 in 8-12 Hz (vertical counts too)
    gyro = np.zeros_like(acc)
    gyro[:, 1] = 3.0 * np.sin(2 * np.pi * 9.0 * t)  # 4.5 (deg/s)² in 8-12 Hz
    m, notes = hold_metrics(acc, fs, gyro)
    assert m["tremor_4_6hz_power_m2ps4"] == pytest.approx(0.05**2 / 2, rel=0.03)
    assert m["tremor_8_12hz_power_m2ps4"] == pytest.approx(0.02**2 / 2, rel=0.03)
    assert m["tremor_8_12hz_power_dps2"] == pytest.approx(4.5, rel=0.03)
    assert m["tremor_4_6hz_power_dps2"] == pytest.approx(0.0, abs=1e-3)
    assert not notes


def test_fatigue_index_from_thirds():
    fs, dur = 100.0, 30.0
    t = np.arange(int(dur * fs)) / fs
    acc = still(t.size)
    tone_amp = np.where(t < dur / 2, 0.02, 0.04)  # doubles halfway: power x4 in the last third
    acc[:, 0] += tone_amp * np.sin(2 * np.pi * 10.0 * t) + 0.1 * np.sin(2 * np.pi * 1.0 * t)
    gyro = np.zeros_like(acc)
    gyro[:, 2] = np.where(t < dur / 2, 3.0, 1.0) * np.sin(2 * np.pi * 5.0 * t)  # power / 9
    m, notes = hold_metrics(acc, fs, gyro)
    assert m["fatigue_index"] == pytest.approx(4.0, rel=0.05)
    assert m["fatigue_index_gyro"] == pytest.approx(1 / 9, rel=0.05)
    assert m["fatigue_rms_ratio"] == pytest.approx(1.0, abs=0.02)
    assert hold_metrics(acc, fs)[1]["fatigue_index_gyro"] == "no gyroscope"


def test_short_holds_give_none_with_reasons():
    fs = 50.0
    m, notes = hold_metrics(still(int(2.0 * fs)), fs)
    assert m["rms_mps2"] is None and "shorter than" in notes["rms_mps2"]
    assert m["analysed_duration_s"] == pytest.approx(2.0)
    t = np.arange(int(6.0 * fs)) / fs
    acc = still(t.size)
    acc[:, 0] += 0.1 * np.sin(2 * np.pi * 1.3 * t)
    m, notes = hold_metrics(acc, fs)
    assert 6.0 >= MIN_HOLD_S and 6.0 < MIN_FREQ_S
    assert m["rms_mps2"] is not None and m["jerk_rms_mps3"] is not None
    for name in ("f50_hz", "f95_hz", "centroid_freq_hz", "tremor_8_12hz_power_m2ps4", "fatigue_index"):
        assert m[name] is None and "shorter than" in notes[name]
    assert notes["tremor_4_6hz_power_dps2"] == "no gyroscope"


@pytest.mark.parametrize("fs", [20.0, 25.0])
def test_low_rate_drops_the_8_12_hz_band(fs):
    t = np.arange(int(20 * fs)) / fs
    acc = still(t.size)
    acc[:, 0] += 0.1 * np.sin(2 * np.pi * 1.3 * t)
    m, notes = hold_metrics(acc, fs)
    assert m["tremor_8_12hz_power_m2ps4"] is None and "too low" in notes["tremor_8_12hz_power_m2ps4"]
    assert m["tremor_4_6hz_power_m2ps4"] is not None
    assert m["rms_mps2"] == pytest.approx(0.1 / math.sqrt(2), rel=0.01)


def test_rate_below_sway_band_gives_none():
    m, notes = hold_metrics(still(200), 10.0)
    assert m["rms_mps2"] is None and "sample rate" in notes["rms_mps2"]


@pytest.mark.parametrize("fs", [25.0, 100.0])
def test_noise_floor_removes_white_noise_power(fs):
    sigma = 0.1
    acc = still(int(60 * fs)) + np.random.default_rng(3).normal(0.0, sigma, (int(60 * fs), 3))
    raw, _ = hold_metrics(acc, fs)
    cor, _ = hold_metrics(acc, fs, noise_floor_mps2=noise_floor_for_white(sigma, fs))
    assert raw["rms_mps2"] > 0.03
    # what is left is the estimate's own scatter (~500 degrees of freedom): a few % of the noise power
    for name in ("rms_mps2", "jerk_rms_mps3"):
        assert cor[name] ** 2 < 0.15 * raw[name] ** 2, name
    assert cor["tremor_4_6hz_power_m2ps4"] < 0.15 * raw["tremor_4_6hz_power_m2ps4"]


def test_wobbles_pass_through_and_bad_input_raises():
    m, _ = hold_metrics(still(500), 50.0, wobbles=2, wobble_time_s=1.5)
    assert m["wobble_count"] == 2 and m["wobble_time_s"] == 1.5
    with pytest.raises(ValueError, match="shape"):
        hold_metrics(np.zeros((100, 2)), 50.0)
    bad = still(500)
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        hold_metrics(bad, 50.0)
    with pytest.raises(ValueError, match="gyro"):
        hold_metrics(still(500), 50.0, np.zeros((10, 3)))


@pytest.mark.parametrize("fs", [25.0, 100.0, 200.0])
def test_noise_floor_from_window_sigma_matches_white_noise(fs):
    """The still detector's 3-axis window SD of white noise converts to the same in-band floor."""
    from scipy import signal as sps

    from holdtrack.signal.swayband import noise_floor_from_sigma

    sigma = 0.02
    x = np.random.default_rng(2).normal(0.0, sigma, (int(120 * fs), 3))
    lp = 10.0 if 10.0 < 0.35 * fs else None
    if lp is not None:
        x = sps.sosfilt(sps.butter(4, lp, fs=fs, output="sos"), x, axis=0)
    w = int(fs)  # 1 s windows, mean removed per window, variance summed over axes
    windows = x[: len(x) // w * w].reshape(-1, w, 3)
    sigma_total = float(np.sqrt(np.mean(np.sum(windows.var(axis=1), axis=1))))
    assert noise_floor_from_sigma(sigma_total, fs, lp) == pytest.approx(noise_floor_for_white(sigma, fs), rel=0.05)


def test_a_wobble_does_not_look_like_fatigue():
    fs, dur = 50.0, 30.0
    t = np.arange(int(dur * fs)) / fs
    acc = still(t.size)
    acc[:, 0] += 0.02 * np.sin(2 * np.pi * 10.0 * t) + 0.1 * np.sin(2 * np.pi * 0.8 * t)  # steady tremor
    acc[:, 1] += np.random.default_rng(0).normal(0.0, 0.003, t.size)  # some broadband floor
    burst = (t > 4.0) & (t < 4.5)  # a 0.5 s, 1.2 m/s² wobble in the first third
    acc[burst, 1] += 1.2 * np.sin(np.pi * (t[burst] - 4.0) / 0.5) ** 2 * np.sin(2 * np.pi * 2.5 * t[burst])
    m, _ = hold_metrics(acc, fs)
    assert 0.7 < m["fatigue_index"] < 1.4
