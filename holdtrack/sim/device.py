"""The simulated device and link: clock, sensor noise, range, quantisation, packets, latency, loss.

Pure functions of arrays and a random generator; the packet bytes come from the profile's own encoder
(:class:`holdtrack.protocol.htp.HtpPacket`), so decoding them is the real decoder's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from holdtrack.errors import ConfigError
from holdtrack.model import G0, FloatArray, LinkEvent, RawPacket
from holdtrack.protocol import htp


def sample_times(duration_s: float, rate_hz: float, drift_ppm: float) -> FloatArray:
    """True times (s since the first sample) of the samples a device takes at ``rate_hz`` on its own clock.

    A clock running ``drift_ppm`` fast makes each nominal period ``1 / (rate_hz (1 + drift_ppm 1e-6))`` true s.
    """
    dt = 1.0 / (rate_hz * (1.0 + drift_ppm * 1e-6))
    return np.arange(int(np.floor(duration_s / dt)) + 1) * dt


def sensor_counts(acc_true_mps2: FloatArray, rng: np.random.Generator, noise_mps2: float, range_g: int,
                  bias_mps2: FloatArray | None = None) -> np.ndarray:
    """White noise (RMS ``noise_mps2`` per axis) + bias, then quantise and saturate at ±``range_g``.

    Returns (n, 3) int16 counts as the sensor would put them in its registers.
    """
    acc = acc_true_mps2 + noise_mps2 * rng.standard_normal(acc_true_mps2.shape)
    if bias_mps2 is not None:
        acc = acc + bias_mps2
    return htp.counts_from_mps2(acc, range_g)


def counts_to_mps2(counts: np.ndarray, range_g: int) -> FloatArray:
    """Counts back to m/s² exactly as the HTP decoder scales them."""
    return counts.astype(np.float64) * (htp.lsb_g(range_g) * G0)


def device_payloads(profile: str, acc_mps2: FloatArray, gyro_dps: FloatArray | None, *, rate_hz: float,
                    device_t0_s: float, settings: dict) -> PayloadFn:
    """Payload builder for ``profile`` using the protocol package's own encoders.

    The device stamps packets with its own (drifting) clock at its nominal rate: sample ``i`` at
    ``device_t0_s + i / rate_hz``.
    """
    from holdtrack.protocol.encode import encode_block

    def build(k: int, first: int, last: int) -> bytes:
        g = None if gyro_dps is None else gyro_dps[first:last + 1]
        out = encode_block(profile, acc_mps2[first:last + 1], device_t0_s + first / rate_hz, rate_hz, seq=k,
                           gyro_dps=g, settings=settings)
        return out[0] if len(out) == 1 else b"".join(out)

    return build


def decode_all(profile: str, payloads: list[bytes], settings: dict) -> tuple[FloatArray, FloatArray | None]:
    """Decode every payload in order with the profile's real decoder: (acc m/s², gyro deg/s or None)."""
    from holdtrack.protocol import get_profile

    prof = get_profile(profile)
    dec = prof.make_decoder({**prof.default_settings, **settings})
    frames = [f for p in payloads for f in dec.feed(RawPacket(p, 0.0, prof.data_uuid))]
    acc = np.concatenate([f.acc_mps2 for f in frames])
    gyros = [f.gyro_dps for f in frames]
    return acc, (np.concatenate(gyros) if all(g is not None for g in gyros) else None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LinkModel:
    """BLE link timing and loss.

    Attributes
    ----------
    conn_interval_s : connection interval; a packet waits for the next connection event, s
    latency_s : fixed host-side delay (radio + stack), s
    jitter_s : mean of the exponential extra delay, s
    loss : long-run fraction of notifications lost (0..0.5)
    burst_len : mean length of a loss burst in packets (1: independent losses; > 1: Gilbert model)
    outages : link losses as (start_s, duration_s), true s since the first sample; the device keeps
        sampling but nothing arrives, then the host reconnects
    start_delay_s : host time of the first sample (the host clock starts when recording starts), s
    """

    conn_interval_s: float = 0.030
    latency_s: float = 0.008
    jitter_s: float = 0.002
    loss: float = 0.0
    burst_len: float = 1.0
    outages: tuple[tuple[float, float], ...] = ()
    start_delay_s: float = 0.25

    def check(self) -> None:
        if not 0 <= self.loss <= 0.5:
            raise ConfigError(f"packet loss must be between 0 and 0.5, got {self.loss}")
        if self.burst_len < 1 or self.conn_interval_s <= 0 or self.jitter_s < 0 or self.latency_s < 0:
            raise ConfigError("burst_len must be >= 1, conn_interval_s > 0, jitter_s and latency_s >= 0")


def loss_mask(n: int, loss: float, burst_len: float, rng: np.random.Generator) -> np.ndarray:
    """(n,) bool, True = packet lost. Bernoulli for ``burst_len <= 1``, else a two-state Gilbert chain
    whose bad state (all lost) lasts ``burst_len`` packets on average and covers a ``loss`` fraction."""
    if loss <= 0 or n == 0:
        return np.zeros(n, dtype=bool)
    if burst_len <= 1.0:
        return rng.uniform(size=n) < loss
    p_exit = 1.0 / burst_len
    p_enter = loss * p_exit / (1.0 - loss)
    draws = rng.uniform(size=n)
    lost = np.zeros(n, dtype=bool)
    bad = rng.uniform() < loss
    for k in range(n):
        bad = (draws[k] >= p_exit) if bad else (draws[k] < p_enter)
        lost[k] = bad
    return lost


#: builds the payload of packet ``k`` carrying samples ``first..last`` (inclusive)
PayloadFn = Callable[[int, int, int], bytes]


@dataclass(frozen=True)
class PacketStream:
    """The link's output and its bookkeeping."""

    items: list[RawPacket | LinkEvent]
    packets_sent: int
    packets_lost: int  # lost to random / bursty loss
    packets_in_outages: int
    first_sample: np.ndarray  # (packets_sent,) index of each packet's first sample
    delivered: np.ndarray  # (packets_sent,) bool


def packetize(t_true_s: FloatArray, payload: PayloadFn, *, per_packet: int, uuid: str, link: LinkModel,
              rng: np.random.Generator) -> PacketStream:
    """Batch samples into notifications and deliver them over the link.

    Packet ``k`` carries samples ``k*per_packet ...`` (bytes from ``payload(k, first, last)``); it is ready
    when its last sample is taken, leaves at the next connection event and reaches the host ``latency_s``
    + exponential jitter later (in order).
    """
    link.check()
    n = t_true_s.shape[0]
    first = np.arange(0, n, per_packet)
    last = np.minimum(first + per_packet, n) - 1
    ready = t_true_s[last]
    phase = rng.uniform(0.0, link.conn_interval_s)
    event = phase + np.ceil((ready - phase) / link.conn_interval_s) * link.conn_interval_s
    jitter = rng.exponential(link.jitter_s, size=first.size) if link.jitter_s > 0 else np.zeros(first.size)
    host = np.maximum.accumulate(event + link.latency_s + jitter) + link.start_delay_s
    lost = loss_mask(first.size, link.loss, link.burst_len, rng)
    lost[:1] = False  # the first packet always arrives, so time zero is the true first sample
    in_outage = np.zeros(first.size, dtype=bool)
    events: list[tuple[float, int, RawPacket | LinkEvent]] = []
    for start, dur in link.outages:
        h0, h1 = start + link.start_delay_s, start + dur + link.start_delay_s
        in_outage |= (host >= h0) & (host < h1)
        events.append((h0, 0, LinkEvent("link_lost", h0)))
        events.append((h1, 0, LinkEvent("reconnected", h1)))
    delivered = ~lost & ~in_outage
    for k in np.flatnonzero(delivered):
        events.append((float(host[k]), 1, RawPacket(payload(int(k), int(first[k]), int(last[k])), float(host[k]), uuid)))
    events.sort(key=lambda e: (e[0], e[1]))
    return PacketStream([e[2] for e in events], int(first.size), int((lost & ~in_outage).sum()),
                        int(in_outage.sum()), first, delivered)
