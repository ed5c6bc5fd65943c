"""Per-sample times from what each device gives: device timestamps, sequence numbers, host receive times.

The clock model turns :class:`~holdtrack.model.DecodedFrame` s into :class:`~holdtrack.model.SampleBlock` s.
It is causal and works packet by packet, so replaying the same packets gives the same times however they
are grouped. It never reads a clock: host times arrive inside the frames.

Rules (see ``firmware_notes/profile.md`` §host rules and ``docs/detection.md``):

* **Device-timed streams** (HTP: µs of the first sample; Polar: ns of the last sample): the device clock is
  unwrapped and used for sample spacing, so jitter in BLE delivery never reaches the samples. Samples inside
  a packet are spaced by the measured period (device-time span between the stamped samples of contiguous
  packets over a long baseline, divided by the samples between them), which absorbs a sensor whose true
  rate differs from the nominal one. Lost packets show
  as a jump in device time and so become gaps; they are never stretched over the next packet.
  When a packet's device time is not where the previous packet's puts it (a jump) and device and host time
  disagree by more than ``reset_tolerance_s`` (device reboot, clock reset), the stream is re-anchored to host
  time. A contiguous device clock is never a reset, however late the host received the packets (a busy
  host delivering a backlog in a burst).
* **Host-timed streams** (micro:bit, WitMotion, Thingy:52: no device time): samples are spaced by the
  estimated period, and the times are kept within ``[host_rx - max_latency, host_rx]``: a packet that
  arrives later than that means samples were lost (a gap); one that arrives "early" compresses the spacing.
  The period is estimated from host times over a long baseline (clamped to ±5 % of nominal).
* **Clock drift** between device and host is estimated causally from the lower envelope of
  ``host_rx - device_time`` over a sliding baseline and reported as :attr:`ClockModel.drift_ppm`.

:meth:`ClockModel.push_columns` times many frames at once: device-timed runs without events are computed
with array expressions (:mod:`holdtrack.signal.clock_columns`) whose floating-point operations are the
scalar ones of :meth:`ClockModel.push`, so the two agree bit for bit (``tests/signal/test_clock.py``).
"""

from __future__ import annotations

import numpy as np

from holdtrack.model import DecodedFrame, FrameColumns, SampleBlock


class ClockModel:
    """Reconstruct per-sample times for one stream.

    Parameters
    ----------
    rate_hz : nominal sample rate, Hz (used until a better estimate exists; frames may override it)
    reset_tolerance_s : device/host disagreement beyond which the device clock is considered reset
    max_latency_s : for host-timed streams, how late a packet may arrive before samples count as lost
    """

    def __init__(self, rate_hz: float, *, reset_tolerance_s: float = 2.0, max_latency_s: float = 0.3) -> None:
        if not rate_hz or rate_hz <= 0:
            raise ValueError(f"a positive nominal rate is needed, got {rate_hz!r}")
        self.nominal_period_s = 1.0 / float(rate_hz)
        self.reset_tolerance_s = reset_tolerance_s
        self.max_latency_s = max(max_latency_s, 5.0 * self.nominal_period_s)
        # running state
        self.packets = 0
        self.lost_packets = 0
        self.samples = 0
        self.resets = 0
        self._last_seq: int | None = None
        self._wraps = 0
        self._last_raw_dev: float | None = None
        self._anchor_t: float | None = None  # output time of the anchor
        self._anchor_dev: float | None = None  # device time of the anchor
        self._anchor_host: float | None = None
        self._last_t: float | None = None  # output time of the previous last sample
        self._last_dev_last: float | None = None  # device time of previous last sample
        self._next_g = 0  # stream position (samples so far) of the next frame's first sample
        self._last_stamp: float | None = None  # unwrapped device time of the previous frame's stamped sample
        self._last_g = 0  # its stream position
        # period estimate over a contiguous baseline
        self._base_dev: float | None = None  # device time of the baseline's stamped sample
        self._base_g = 0  # its stream position
        self._base_host: float | None = None
        self._base_count = 0
        self.period_s = self.nominal_period_s
        # drift estimate: lower envelope of host - device, per 10 s bucket
        self._env: list[tuple[float, float]] = []  # (device time, min(host - device)) per bucket
        self.drift_ppm: float | None = None

    # ------------------------------------------------------------------ main
    def push(self, frame: DecodedFrame) -> SampleBlock:
        """Times for the samples of one frame (a block of ``len(frame)`` samples)."""
        n = len(frame)
        step = self._step(n, frame.host_time_s, frame.seq, frame.seq_modulus, frame.device_time_s,
                          frame.device_time_index, frame.device_time_wrap_s, frame.rate_hz)
        if step is None:
            return SampleBlock.empty(frame.gyro_dps is not None)
        t_last, period = step
        return SampleBlock(t_last - period * np.arange(n - 1, -1, -1, dtype=np.float64), frame.acc_mps2,
                           frame.gyro_dps)

    def push_columns(self, cols: FrameColumns) -> SampleBlock:
        """Times for many frames at once: exactly :meth:`push` of each frame in turn, joined.

        Device-timed frames with host times go through :func:`~holdtrack.signal.clock_columns.device_timed_columns`
        (array arithmetic between events); others through the per-frame :meth:`_step`. The per-sample times
        use the same floating-point operations as :meth:`push`.
        """
        k = len(cols)
        if cols.device_time_s is not None and cols.host_time_s is not None and k >= 8:
            from holdtrack.signal.clock_columns import device_timed_columns

            t_last, period = device_timed_columns(self, cols)
        else:
            sizes = cols.sizes.tolist()
            none = [None] * k
            host = cols.host_time_s.tolist() if cols.host_time_s is not None else none
            seq = cols.seq.tolist() if cols.seq is not None else none
            dev = cols.device_time_s.tolist() if cols.device_time_s is not None else none
            rate = cols.rate_hz.tolist() if cols.rate_hz is not None else none
            step, mod, idx, wrap = self._step, cols.seq_modulus, cols.device_time_index, cols.device_time_wrap_s
            tl, pl = [0.0] * k, [0.0] * k
            for i in range(k):
                r = step(sizes[i], host[i], seq[i], mod, dev[i], idx, wrap, rate[i])
                if r is not None:
                    tl[i], pl[i] = r
            t_last, period = np.array(tl), np.array(pl)
        counts = cols.sizes
        total = int(counts.sum())
        rev = np.repeat(np.cumsum(counts) - 1, counts) - np.arange(total)
        t = np.repeat(t_last, counts) - np.repeat(period, counts) * rev.astype(np.float64)
        return SampleBlock(t, cols.acc_mps2, cols.gyro_dps)

    def _step(self, n: int, host: float | None, seq: int | None, seq_modulus: int | None, dev_raw: float | None,
              dev_index: int, wrap: float | None, rate: float | None) -> tuple[float, float] | None:
        """Advance the model by one frame of ``n`` samples: ``(time of its last sample, spacing used)``,
        or None for a frame without samples. Scalar arithmetic only (called once per packet; kept lean)."""
        self.packets += 1
        if seq is not None and seq_modulus is not None:
            last_seq = self._last_seq
            if last_seq is not None:
                lost = (seq - last_seq - 1) % seq_modulus
                # a huge "loss" is a restart of the counter, not half a day of lost packets
                if lost < seq_modulus // 2:
                    self.lost_packets += lost
            self._last_seq = seq
        if n == 0:
            return None
        dev = None
        if dev_raw is not None:  # unwrap the device clock
            raw = float(dev_raw)
            last_raw = self._last_raw_dev
            if wrap and last_raw is not None and raw < last_raw - wrap / 2:
                self._wraps += 1
            self._last_raw_dev = raw
            dev = raw + (self._wraps * wrap if wrap else 0.0)
        return self._timed(n, host, dev, dev_index, rate)

    def _timed(self, n: int, host: float | None, dev: float | None, dev_index: int,
               rate: float | None) -> tuple[float, float]:
        """The time part of :meth:`_step` for a frame with samples (``dev``: unwrapped device time or None)."""
        if rate and abs(1.0 / rate - self.nominal_period_s) > 1e-12:
            self.nominal_period_s = 1.0 / rate
            self.period_s = self.nominal_period_s
            self._base_dev = None
        period = self.period_s
        if dev is not None:
            t_last = self._device_timed(n, host, dev, dev_index, period)
        else:
            t_last = self._host_timed(n, host, period)
        self.samples += n
        self._last_t = t_last
        return t_last, period

    # ------------------------------------------------------------------ helpers
    def _track_drift(self, dev: float, host: float) -> None:
        """Start a new 10 s bucket of the lower envelope of host - device and refit the drift."""
        self._env.append((dev, host - dev))
        self._env = self._env[-60:]  # ten minutes of buckets
        self._fit_drift()

    def _fit_drift(self) -> None:
        if len(self._env) >= 5:  # fit the completed buckets once per new bucket
            x = np.array([e[0] for e in self._env[:-1]])
            y = np.array([e[1] for e in self._env[:-1]])
            slope = np.polyfit(x - x[0], y, 1)[0]
            self.drift_ppm = float(slope * 1e6)

    def _device_timed(self, n: int, host: float | None, dev: float, dev_index: int, period: float) -> float:
        """One frame whose sample ``dev_index`` the device stamped at ``dev`` (unwrapped): its last time."""
        idx = dev_index if dev_index >= 0 else n + dev_index
        g = self._next_g + idx  # stream position of the stamped sample
        self._next_g += n
        # device time of the last sample, spacing by the current period estimate
        dev_last = dev + (n - 1 - idx) * period
        # contiguous: the stamp is where the previous frame's stamp and the period put it (no loss, no reset)
        last_stamp = self._last_stamp
        contiguous = (last_stamp is not None
                      and abs(dev - (last_stamp + (g - self._last_g) * period)) < 0.5 * n * period + 1.5 * period)
        anchor_dev, anchor_host = self._anchor_dev, self._anchor_host
        if anchor_dev is None:
            self._anchor_dev = dev_last
            self._anchor_t = host if host is not None else (n - 1) * period
            self._anchor_host = host
        elif contiguous:
            pass  # a contiguous device clock has not been reset, however late the host received the packet
        elif host is not None and anchor_host is not None:
            d_dev = dev_last - anchor_dev
            d_host = host - anchor_host
            if abs(d_dev - d_host) > self.reset_tolerance_s + 1e-3 * abs(d_host):
                # the device clock jumped (reboot, reset): continue on host time
                self.resets += 1
                self._anchor_dev, self._anchor_t, self._anchor_host = dev_last, host, host
                self._base_dev = None
        elif dev_last < (self._last_dev_last or dev_last) - self.reset_tolerance_s:
            self.resets += 1  # no host time: a backwards jump restarts the axis after the last sample
            self._anchor_dev, self._anchor_t = dev_last, (self._last_t or 0.0) + self.nominal_period_s * n
        # measured period over a contiguous baseline (absorbs a true rate that differs from nominal)
        base_dev = self._base_dev
        if last_stamp is not None and base_dev is not None:
            if contiguous:
                count = g - self._base_g
                span = dev - base_dev
                if count >= 50 and span > 0:
                    est = span / count
                    if abs(est / self.nominal_period_s - 1.0) < 0.05:
                        self.period_s = est
            else:  # a gap: restart the baseline
                self._base_dev, self._base_g = dev, g
        else:
            self._base_dev, self._base_g = dev, g
        self._last_stamp, self._last_g = dev, g
        self._last_dev_last = dev_last
        if host is not None:  # drift: lower envelope of host - device per 10 s bucket
            env = self._env
            if env and dev_last - env[-1][0] < 10.0:
                off = host - dev_last
                if off < env[-1][1]:
                    env[-1] = (env[-1][0], off)
            else:
                self._track_drift(dev_last, host)
        return self._anchor_t + (dev_last - self._anchor_dev)  # type: ignore[operator]

    def _host_timed(self, n: int, host: float | None, period: float) -> float:
        if self._last_t is None:
            t_last = host if host is not None else (n - 1) * period
            self._base_host, self._base_count = host, 0
        else:
            pred = self._last_t + n * period
            if host is None:
                t_last = pred
            elif pred > host:  # arrived "early": cannot be after its own receive time
                t_last = host
            elif pred < host - self.max_latency_s:  # arrived too late: samples were lost
                t_last = host
                self._base_host, self._base_count = host, 0
            else:
                t_last = pred
            if host is not None and self._base_host is not None:
                self._base_count += n
                span = host - self._base_host
                if span > 10.0:
                    est = span / self._base_count
                    lo, hi = 0.95 * self.nominal_period_s, 1.05 * self.nominal_period_s
                    self.period_s = min(max(est, lo), hi)
        return t_last
