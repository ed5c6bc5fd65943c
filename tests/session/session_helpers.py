"""Shared helpers for the session-file tests: small valid streams built from the public HTP codec."""

from __future__ import annotations

import numpy as np
from holdtrack.model import G0, RawPacket, SampleBlock
from holdtrack.protocol import htp
from holdtrack.sources.base import StreamInfo

RATE_HZ = 100.0
PER_PACKET = 5


def ble_info(**kw) -> StreamInfo:
    base = dict(format="ble", rate_hz=RATE_HZ, profile="holdtrack", settings={"rate_hz": RATE_HZ, "range_g": 8},
                device={"name": "HoldTrack-test", "address": "00:AA:BB:CC:DD:EE"}, start_utc="2026-11-26T15:00:00Z")
    base.update(kw)
    return StreamInfo(**base)


def sample_info(**kw) -> StreamInfo:
    base = dict(format="csv", path="/data/plank.csv", rate_hz=50.0, notes=["units detected: g"])
    base.update(kw)
    return StreamInfo(**base)


def htp_packets(count: int, *, t0_s: float = 0.0, seed: int = 0, jitter_s: float = 0.003) -> list[RawPacket]:
    """``count`` HTP packets of PER_PACKET samples each, host times with receive jitter."""
    rng = np.random.default_rng(seed)
    out = []
    period = PER_PACKET / RATE_HZ
    for i in range(count):
        acc = np.array([0.0, 0.0, G0]) + rng.normal(0, 0.05, (PER_PACKET, 3))
        pkt = htp.HtpPacket(seq=i, t0_us=int(i * period * 1e6), odr_dhz=int(RATE_HZ * 10), range_g=8,
                            samples=htp.counts_from_mps2(acc, 8))
        out.append(RawPacket(bytes(pkt), t0_s + i * period + float(rng.uniform(0, jitter_s)), htp.DATA_UUID))
    return out


def sample_block(n: int, *, t0_s: float = 0.0, rate_hz: float = 50.0, gyro: bool = False, seed: int = 0) -> SampleBlock:
    rng = np.random.default_rng(seed)
    t = t0_s + np.arange(n) / rate_hz
    return SampleBlock(t, rng.normal(0, 1, (n, 3)) + [0, 0, G0], rng.normal(0, 3, (n, 3)) if gyro else None)


def same_items(a, b) -> bool:
    """Item lists equal field by field (SampleBlocks compared bit for bit)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if type(x) is not type(y):
            return False
        if isinstance(x, SampleBlock):
            if not (np.array_equal(x.t_s, y.t_s) and np.array_equal(x.acc_mps2, y.acc_mps2)):
                return False
            if (x.gyro_dps is None) != (y.gyro_dps is None):
                return False
            if x.gyro_dps is not None and not np.array_equal(x.gyro_dps, y.gyro_dps):
                return False
        elif x != y:
            return False
    return True


def record(path, items, info=None, *, end: str | None = "close"):
    """Write ``items`` to a new session; ``end``: "close" (footer), "abort" (no footer) or None (left open)."""
    from holdtrack.session import SessionWriter

    w = SessionWriter(path, info or ble_info())
    for it in items:
        w.write(it)
    if end == "close":
        w.close()
    elif end == "abort":
        w.abort()
    return w
