"""Per-sample times from device clocks, sequence numbers and host receive times."""

from __future__ import annotations

import numpy as np

from holdtrack.model import DecodedFrame
from holdtrack.protocol.htp import HtpPacket, decode_packet
from holdtrack.signal.clock import ClockModel


def htp_frames(fs=100.0, n_per=10, packets=50, t0_us=0, jitter_s=0.02, drop=(), seed=0, ppm=0.0):
    """HTP packets of a device sampling at fs (device clock running ppm fast), received with jitter."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(packets):
        true_first = i * n_per / fs
        dev_us = int(round(t0_us + true_first * (1 + ppm * 1e-6) * 1e6))
        pkt = HtpPacket(seq=i % 65536, t0_us=dev_us % (1 << 32), odr_dhz=int(fs * 10), range_g=8,
                        samples=np.tile(np.array([[0, 0, 4096]], dtype=np.int16), (n_per, 1)))
        host = true_first + (n_per - 1) / fs + 0.005 + rng.uniform(0, jitter_s)
        if i not in drop:
            out.append(decode_packet(bytes(pkt), host))
    return out


def run(clock, frames):
    return np.concatenate([clock.push(f).t_s for f in frames])


def test_device_timed_samples_ignore_delivery_jitter():
    t = run(ClockModel(100.0), htp_frames(jitter_s=0.05))
    assert np.allclose(np.diff(t), 0.01, atol=1e-9)


def test_lost_packet_becomes_a_time_jump_not_a_stretch():
    clock = ClockModel(100.0)
    t = run(clock, htp_frames(drop={10, 11}))
    d = np.diff(t)
    assert np.isclose(d.max(), 0.21, atol=1e-6)  # 20 missing samples, then the next one
    assert np.allclose(np.delete(d, d.argmax()), 0.01, atol=1e-9)
    assert clock.lost_packets == 2


def test_u32_microsecond_wrap_is_unwrapped():
    start = (1 << 32) - 200_000  # wraps 0.2 s into the stream
    t = run(ClockModel(100.0), htp_frames(t0_us=start, packets=60))
    assert np.allclose(np.diff(t), 0.01, atol=1e-6)


def test_measured_period_absorbs_a_fast_device_clock():
    clock = ClockModel(100.0)
    run(clock, htp_frames(ppm=2000.0, packets=200))
    assert abs(clock.period_s / 0.01 - 1.002) < 2e-4


def test_polar_style_last_sample_timestamp():
    fs, n = 50.0, 5
    frames = [DecodedFrame(np.zeros((n, 3)), host_time_s=0.1 * i + 0.09, device_time_s=1e6 + 0.1 * i + 0.08,
                           device_time_index=n - 1) for i in range(20)]
    t = run(ClockModel(fs), frames)
    assert np.allclose(np.diff(t), 1 / fs, atol=1e-9)


def test_host_timed_stream_is_dejittered_and_detects_loss():
    fs = 50.0
    rng = np.random.default_rng(1)
    frames = []
    for i in range(600):
        if 300 <= i < 340:  # 0.8 s of lost notifications
            continue
        frames.append(DecodedFrame(np.zeros((1, 3)), host_time_s=i / fs + 0.01 + rng.uniform(0, 0.03)))
    t = run(ClockModel(fs), frames)
    d = np.diff(t)
    assert (d > 0).all()
    assert d.max() > 0.6  # the loss shows as a gap
    assert np.median(d) == np.float64(1 / fs) or abs(np.median(d) - 1 / fs) < 1e-3


def test_device_clock_reset_reanchors_on_host_time():
    frames = htp_frames(packets=40)
    late = htp_frames(packets=20, t0_us=0)
    # after a reboot the device clock restarts at 0 while host time keeps going (+10 s)
    shifted = [DecodedFrame(f.acc_mps2, host_time_s=f.host_time_s + 10.0, seq=f.seq, seq_modulus=f.seq_modulus,
                            device_time_s=f.device_time_s, device_time_wrap_s=f.device_time_wrap_s, rate_hz=f.rate_hz)
               for f in late]
    clock = ClockModel(100.0)
    t = run(clock, frames + shifted)
    assert clock.resets == 1
    assert (np.diff(t) > 0).all() and t[-1] > 10.0
