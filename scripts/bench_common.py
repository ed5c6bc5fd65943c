"""What scripts/bench.py and scripts/bench_live.py share: the seeded input stream, session files, the
machine description and the JSON output. Not imported by the package."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from holdtrack.model import RawPacket  # noqa: E402
from holdtrack.protocol import htp  # noqa: E402

SEED = 20261126


class Chain:
    """An endless HTP device stream made of seeded simulated scenarios played one after another.

    Each pass re-stamps the packets (sequence number, device time in µs, host time) so the chain is one
    continuous device recording without loss; ``signal`` gives the matching samples for the baseline.
    """

    def __init__(self, rate_hz: float, seeds: tuple[int, ...] = (0, 1, 2)) -> None:
        from holdtrack.sim import random_scenario, simulate_session

        self.rate_hz = rate_hz
        self.parts = []
        for s in seeds:
            sim = simulate_session(random_scenario(SEED + s), seed=SEED + s, rate_hz=rate_hz, jitter_s=0.002)
            pk = [it for it in sim.items if isinstance(it, RawPacket)]
            self.parts.append((pk, sim.signal))
        self.info = sim.info

    def packets(self, seconds: float) -> Iterator[RawPacket]:
        """Packets covering ``seconds`` of signal (host times from 0)."""
        period_us = 1e6 / self.rate_hz
        seq, dev_us, host0 = 0, 1_000_000.0, 0.0
        while True:
            for pk, sig in self.parts:
                h0 = pk[0].host_time_s
                d0 = htp.HEADER.unpack_from(pk[0].payload)[3]
                n_total = 0
                for p in pk:
                    if host0 + p.host_time_s - h0 > seconds:
                        return
                    buf = bytearray(p.payload)
                    ver, fmt, _, t0, odr, rng, n = htp.HEADER.unpack_from(buf)
                    t_new = int(round(dev_us + ((t0 - d0) % (1 << 32)))) % (1 << 32)
                    htp.HEADER.pack_into(buf, 0, ver, fmt, seq % htp.SEQ_MODULUS, t_new, odr, rng, n)
                    seq += 1
                    n_total += n
                    yield RawPacket(bytes(buf), host0 + p.host_time_s - h0, p.characteristic)
                dev_us += n_total * period_us
                host0 += n_total / self.rate_hz + 0.05

    def signal(self, seconds: float) -> tuple[np.ndarray, np.ndarray]:
        """The samples (t (n,), acc (n, 3)) of ``seconds`` of the chain, for the baseline."""
        ts, accs, t_off, total = [], [], 0.0, 0
        need = int(seconds * self.rate_hz)
        while total < need:
            for _, sig in self.parts:
                take = min(len(sig), need - total)
                ts.append(sig.t_s[:take] - sig.t_s[0] + t_off)
                accs.append(sig.acc_mps2[:take])
                t_off += len(sig) / self.rate_hz
                total += take
                if total >= need:
                    break
        return np.concatenate(ts), np.concatenate(accs)


def write_session(chain: Chain, seconds: float, path: Path) -> int:
    """Record ``seconds`` of the chain to ``path`` through SessionWriter; returns the file size (bytes)."""
    from holdtrack.session import SessionWriter

    with SessionWriter(path, chain.info, clock=lambda: 0.0) as w:  # one fsync at the start, none per second
        for p in chain.packets(seconds):
            w.write_packet(p)
    return path.stat().st_size


def machine() -> dict[str, Any]:
    import scipy

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "numpy": np.__version__,
            "scipy": scipy.__version__, "loadavg": [round(x, 2) for x in os.getloadavg()],
            "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def write_json(r: dict[str, Any], where: str) -> None:
    """The results as indented JSON to a file, or to stdout for ``-``."""
    text = json.dumps(r, indent=1)
    if where == "-":
        print(text)
    else:
        Path(where).write_text(text + "\n")
