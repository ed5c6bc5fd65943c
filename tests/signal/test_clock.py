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


def _columns_equal_frames(frames, rate=100.0):
    """push_columns of the frames as columns == push of each frame, bit for bit, state included."""
    from holdtrack.model import FrameColumns

    a, b = ClockModel(rate), ClockModel(rate)
    want = np.concatenate([a.push(f).t_s for f in frames])
    opt = lambda name: None if getattr(frames[0], name) is None else np.array([getattr(f, name) for f in frames])
    cols = FrameColumns(
        sizes=np.array([len(f) for f in frames], dtype=np.int64),
        acc_mps2=np.concatenate([f.acc_mps2 for f in frames]), host_time_s=opt("host_time_s"), seq=opt("seq"),
        seq_modulus=frames[0].seq_modulus, device_time_s=opt("device_time_s"),
        device_time_index=frames[0].device_time_index, device_time_wrap_s=frames[0].device_time_wrap_s,
        rate_hz=opt("rate_hz"))
    got = b.push_columns(cols)
    assert np.array_equal(got.t_s, want) and got.acc_mps2.shape == (want.shape[0], 3)
    assert (a.packets, a.lost_packets, a.samples, a.resets, a.period_s, a.drift_ppm) == \
        (b.packets, b.lost_packets, b.samples, b.resets, b.period_s, b.drift_ppm)
    # and the two models continue identically
    nxt = frames[-1]
    assert np.array_equal(a.push(nxt).t_s, b.push(nxt).t_s)


def test_push_columns_equals_push_device_timed() -> None:
    frames = htp_frames(packets=400, jitter_s=0.04, drop=(5, 6, 7, 100), ppm=300.0, t0_us=(1 << 32) - 1_000_000)
    _columns_equal_frames(frames)
    # 20 minutes: drift buckets (10 s) beyond the 10-minute window, losses now and then
    frames = htp_frames(fs=25.0, packets=3000, jitter_s=0.04, drop=tuple(range(7, 3000, 97)), ppm=-120.0)
    _columns_equal_frames(frames, rate=25.0)
    a = ClockModel(25.0)
    for f in frames:
        a.push(f)
    assert a.drift_ppm is not None and abs(a.drift_ppm - 120.0) < 60.0  # host - device grows: device slow


def test_push_columns_equals_push_with_reset_and_rate_change() -> None:
    frames = htp_frames(packets=80) + htp_frames(packets=80, t0_us=500_000_000, seed=2)  # device clock jumps
    frames += [DecodedFrame(f.acc_mps2, host_time_s=f.host_time_s + 9.0, seq=f.seq, seq_modulus=f.seq_modulus,
                            device_time_s=f.device_time_s, rate_hz=50.0) for f in htp_frames(fs=50.0, packets=40)]
    _columns_equal_frames(frames)


def test_push_columns_equals_push_host_timed_and_last_sample_stamped() -> None:
    rng = np.random.default_rng(4)
    acc = np.zeros((7, 3))
    host = np.cumsum(rng.uniform(0.05, 0.09, 300))
    host[150:] += 2.0  # lost samples: a late packet
    _columns_equal_frames([DecodedFrame(acc, host_time_s=float(h), seq=i % 256, seq_modulus=256)
                           for i, h in enumerate(host)])
    # Polar-like: device time of the LAST sample, ns clock
    _columns_equal_frames([DecodedFrame(acc, host_time_s=float(h), device_time_s=i * 7 / 100.0 + 3.0,
                                        device_time_index=-1) for i, h in enumerate(host)])


def _columns(frames):
    from holdtrack.model import FrameColumns

    opt = lambda name: None if getattr(frames[0], name) is None else np.array([getattr(f, name) for f in frames])
    return FrameColumns(
        sizes=np.array([len(f) for f in frames], dtype=np.int64),
        acc_mps2=np.concatenate([f.acc_mps2 for f in frames]), host_time_s=opt("host_time_s"), seq=opt("seq"),
        seq_modulus=frames[0].seq_modulus, device_time_s=opt("device_time_s"),
        device_time_index=frames[0].device_time_index, device_time_wrap_s=frames[0].device_time_wrap_s,
        rate_hz=opt("rate_hz"))


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_push_columns_any_grouping_equals_push(data) -> None:
    """Random device-timed streams (drift, jitter, bursts of loss, clock resets and wraps, rate changes, empty
    frames, first- or last-sample stamps) cut into random groups: push_columns == push of every frame."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    fs = float(data.draw(st.sampled_from([25.0, 52.0, 100.0, 200.0])))
    last = data.draw(st.booleans())
    wrap = (1 << 32) * 1e-6 if data.draw(st.booleans()) else None
    ppm = rng.uniform(-500, 500)
    k = data.draw(st.integers(1, 400))
    frames, t_true, dev0 = [], 0.0, rng.uniform(0, 4294.0)
    for i in range(k):
        n = int(rng.integers(0, 12)) if rng.random() < 0.05 else int(rng.integers(1, 12))
        if rng.random() < 0.04:
            t_true += rng.integers(1, 30) / fs  # lost packets
        if rng.random() < 0.01:
            dev0 += rng.uniform(-100, 100)  # device clock reset
        rate = fs if rng.random() > 0.01 else fs / 2
        stamp = t_true + ((n - 1) / fs if last else 0.0)
        dev = (dev0 + stamp * (1 + ppm * 1e-6))
        frames.append(DecodedFrame(np.zeros((n, 3)), host_time_s=t_true + n / fs + rng.uniform(0, 0.03),
                                   seq=i % 65536, seq_modulus=65536, device_time_s=dev % wrap if wrap else dev,
                                   device_time_index=-1 if last else 0, device_time_wrap_s=wrap, rate_hz=rate))
        t_true += n / fs
    a, b = ClockModel(fs), ClockModel(fs)
    want = [a.push(f).t_s for f in frames]
    want_t = np.concatenate(want) if want else np.zeros(0)
    cuts = sorted(set(data.draw(st.lists(st.integers(1, max(1, k - 1)), max_size=6))))
    got = [b.push_columns(_columns(frames[i:j])).t_s for i, j in zip([0] + cuts, cuts + [k]) if j > i]
    assert np.array_equal(np.concatenate(got), want_t)
    assert (a.packets, a.lost_packets, a.samples, a.resets, a.period_s, a.drift_ppm, a._wraps) == \
        (b.packets, b.lost_packets, b.samples, b.resets, b.period_s, b.drift_ppm, b._wraps)


def test_a_host_backlog_is_not_a_clock_reset() -> None:
    """A busy host receives the first 4 s of packets in one burst 4 s late, then on time: the device clock
    is contiguous, so nothing is re-anchored and the samples keep their device spacing."""
    frames = htp_frames(packets=200, jitter_s=0.0)
    late = [DecodedFrame(f.acc_mps2, host_time_s=max(f.host_time_s, 4.2), seq=f.seq, seq_modulus=f.seq_modulus,
                         device_time_s=f.device_time_s, device_time_wrap_s=f.device_time_wrap_s, rate_hz=f.rate_hz)
            for f in frames]
    clock = ClockModel(100.0)
    t = run(clock, late)
    assert clock.resets == 0
    assert np.allclose(np.diff(t), 0.01, atol=1e-9)
    _columns_equal_frames(late)
    # a real jump of the device clock is still a reset
    jump = late + [DecodedFrame(f.acc_mps2, host_time_s=f.host_time_s + 2.0, seq=f.seq, seq_modulus=f.seq_modulus,
                                device_time_s=f.device_time_s + 900.0, rate_hz=f.rate_hz) for f in frames[:20]]
    clock = ClockModel(100.0)
    run(clock, jump)
    assert clock.resets == 1
