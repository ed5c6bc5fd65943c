"""Benchmarks of holdtrack: offline throughput, streaming cost, memory, BLE latency, each beside a baseline.

Usage (from the repository root)::

    python scripts/bench.py            # full run: 1 min, 1 h and 8 h sessions (a few minutes)
    python scripts/bench.py --quick    # 1 min and 10 min sessions, shorter streams (about a minute)
    python scripts/bench.py --json out.json

Everything is seeded: the sessions are simulated HTP notification streams at 200 Hz (100 Hz for the
streaming rows), built by chaining a few simulated scenarios and rewriting each packet's sequence number
and device time (HTP header) so the chain is one continuous device stream. The baseline is what a user
would write with NumPy: load the samples from a ``.npy`` file, rolling standard deviation over 1 s (cumulative
sums), a threshold and run lengths for still periods. Ratios are holdtrack / baseline (time or memory).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_common import Chain, machine, write_json, write_session  # noqa: E402,F401  (bench.Chain: tests, children)

STILL_MPS2 = 0.6  # the baseline's threshold: holdtrack's default still threshold


# ------------------------------------------------------------------------------------------ baseline
def baseline_still_periods(t: np.ndarray, acc: np.ndarray, rate_hz: float, min_s: float = 2.0) -> list[tuple[float, float]]:
    """The straightforward detector: 1-s rolling SD (cumulative sums) + threshold + run length."""
    w = int(rate_hz)
    c1 = np.cumsum(np.vstack([np.zeros((1, 3)), acc]), axis=0)
    c2 = np.cumsum(np.vstack([np.zeros((1, 3)), acc * acc]), axis=0)
    s1, s2 = c1[w:] - c1[:-w], c2[w:] - c2[:-w]
    var = np.maximum(s2 / w - (s1 / w) ** 2, 0.0)
    still = np.sqrt(var.sum(axis=1)) < STILL_MPS2
    edges = np.flatnonzero(np.diff(np.concatenate(([0], still.astype(np.int8), [0]))))
    starts, ends = edges[::2], edges[1::2]
    tt = t[w - 1:]
    return [(float(tt[a]), float(tt[b - 1])) for a, b in zip(starts, ends) if tt[b - 1] - tt[a] >= min_s]


class BaselineStream:
    """A user's live detector: a 1-s ring buffer, SD of it per notification, threshold, run state."""

    def __init__(self, rate_hz: float) -> None:
        self.n = int(rate_hz)
        self.ring = np.zeros((self.n, 3))
        self.i = 0
        self.filled = 0
        self.still_since: float | None = None

    def push(self, acc: np.ndarray, t_last: float) -> bool:
        for row in acc:
            self.ring[self.i] = row
            self.i = (self.i + 1) % self.n
        self.filled = min(self.n, self.filled + acc.shape[0])
        if self.filled < self.n:
            return False
        still = float(np.sqrt(self.ring.var(axis=0).sum())) < STILL_MPS2
        self.still_since = (self.still_since if self.still_since is not None else t_last) if still else None
        return still


# ------------------------------------------------------------------------------------------ helpers
def best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run_child(code: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter (repository on the path); it prints one JSON object."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(f"child failed: {out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# peak RSS of this process image: VmHWM (ru_maxrss would include the forking parent's pages on Linux)
_MAXRSS = ("import json\ndef maxrss_mb():\n    for line in open('/proc/self/status'):\n"
           "        if line.startswith('VmHWM:'):\n            return int(line.split()[1]) / 1024\n")


# ------------------------------------------------------------------------------------------ rows
def offline_rows(chain: Chain, lengths: list[tuple[str, float]], workdir: Path, repeats: int) -> list[dict[str, Any]]:
    from holdtrack.analysis import analyze
    from holdtrack.model import SampleBlock
    from holdtrack.sources.base import StreamInfo
    from holdtrack.stream import StreamProcessor

    rows = []
    for label, seconds in lengths:
        path = workdir / f"bench-{label}.htrec"
        npy = workdir / f"bench-{label}.npy"
        t0 = time.perf_counter()
        size = write_session(chain, seconds, path)
        write_s = time.perf_counter() - t0
        t, acc = chain.signal(seconds)
        np.save(npy, np.column_stack([t, acc]))
        if seconds > 3600:  # long: one timed run, in a fresh interpreter that also measures peak memory
            reps, mem = 1, memory_child(path)
            e2e, n_samples, n_holds = mem["analyze_s"], mem["samples"], mem["holds"]
        else:
            reps, mem = repeats, None
            result: list[Any] = []
            e2e = best_of(lambda: result.append(analyze(path)), reps)
            n_samples, n_holds = result[-1].samples, len(result[-1].holds)
        step = 16384  # the samples in memory, handed over in chunks as a streaming caller would

        def pipeline_only() -> None:
            proc = StreamProcessor(StreamInfo("array", rate_hz=chain.rate_hz))
            proc.push_all(SampleBlock(t[i:i + step], acc[i:i + step]) for i in range(0, len(t), step))
            proc.finish()

        pipe = best_of(pipeline_only, reps)

        def base() -> None:
            a = np.load(npy)
            baseline_still_periods(a[:, 0], a[:, 1:], chain.rate_hz)

        base_s = best_of(base, reps)
        base_detect = best_of(lambda: baseline_still_periods(t, acc, chain.rate_hz), reps)
        rows.append({
            "length": label, "seconds": seconds, "samples": n_samples, "file_mb": round(size / 1e6, 2),
            "write_s": round(write_s, 3), "holds": n_holds,
            "analyze_s": round(e2e, 4), "analyze_samples_per_s": round(n_samples / e2e),
            "pipeline_only_s": round(pipe, 4), "pipeline_samples_per_s": round(len(t) / pipe),
            "baseline_s": round(base_s, 4), "baseline_detect_s": round(base_detect, 4),
            "ratio_analyze_vs_baseline": round(e2e / base_s, 1),
            "ratio_pipeline_vs_baseline_detect": round(pipe / base_detect, 1),
        })
        if mem is not None:
            rows[-1]["memory_child"] = mem
        print(f"  offline {label}: {rows[-1]}", file=sys.stderr)
    return rows


def _stream_once(chain: Chain, packets: list, defer_s: float) -> dict[str, Any]:
    """Push each notification into a fresh StreamProcessor (status() once a second, as a display would)."""
    from holdtrack.stream import StreamProcessor

    proc = StreamProcessor(chain.info, defer_s=defer_s)
    lat = np.empty(len(packets))
    pc, cpu0 = time.perf_counter_ns, time.process_time()
    next_status = 1.0
    for i, p in enumerate(packets):
        a = pc()
        proc.push(p)
        lat[i] = pc() - a
        if p.host_time_s >= next_status:  # a live display asks once a second
            proc.status()
            next_status += 1.0
    cpu = time.process_time() - cpu0
    span = packets[-1].host_time_s - packets[0].host_time_s
    return {"defer_s": defer_s, "samples": proc.clock.samples,
            "push_us": {"median": round(float(np.median(lat)) / 1e3, 1), "mean": round(float(lat.mean()) / 1e3, 1),
                        "p99": round(float(np.percentile(lat, 99)) / 1e3, 1), "max": round(float(lat.max()) / 1e3, 1)},
            "cpu_us_per_notification": round(cpu / len(packets) * 1e6, 1),
            "cpu_s_per_device_s": round(cpu / span, 5), "devices_per_core_at_50pct": int(0.5 * span / cpu)}


def streaming_row(rate_hz: float, seconds: float) -> dict[str, Any]:
    """Per-notification cost, live configuration (``LIVE_DEFER_S``: what record / replay / demo use) and
    immediate (``defer_s=0``: every notification through the whole pipeline at once), beside the baseline."""
    from holdtrack.protocol.htp import decode_packet
    from holdtrack.stream import LIVE_DEFER_S

    chain = Chain(rate_hz)
    packets = list(chain.packets(seconds))
    live = _stream_once(chain, packets, LIVE_DEFER_S)
    immediate = _stream_once(chain, packets, 0.0)
    span = packets[-1].host_time_s - packets[0].host_time_s
    base = BaselineStream(rate_hz)
    blat = np.empty(len(packets))
    pc, cpu0 = time.perf_counter_ns, time.process_time()
    for i, p in enumerate(packets):  # the baseline decodes with holdtrack's codec, then its own detector
        a = pc()
        f = decode_packet(p.payload, p.host_time_s)
        base.push(f.acc_mps2, p.host_time_s)
        blat[i] = pc() - a
    bcpu = time.process_time() - cpu0
    return {
        "rate_hz": rate_hz, "seconds": round(span, 1), "notifications": len(packets),
        "samples_per_notification": round(live["samples"] / len(packets), 2),
        **{k: v for k, v in live.items() if k != "samples"},
        "immediate": {k: v for k, v in immediate.items() if k != "samples"},
        "baseline_push_us": {"median": round(float(np.median(blat)) / 1e3, 1), "mean": round(float(blat.mean()) / 1e3, 1),
                             "p99": round(float(np.percentile(blat, 99)) / 1e3, 1)},
        "baseline_cpu_s_per_device_s": round(bcpu / span, 5),
        "ratio_median_vs_baseline": round(live["push_us"]["median"] / float(np.median(blat) / 1e3), 2),
        "ratio_mean_vs_baseline": round(live["push_us"]["mean"] / float(blat.mean() / 1e3), 2),
    }


def memory_child(path: Path) -> dict[str, Any]:
    """Analyse ``path`` in a fresh interpreter: peak RSS after imports and after the analysis, and its time."""
    return run_child(_MAXRSS + (
        "import time\nimport holdtrack.analysis as A, numpy as np\n"
        "base = maxrss_mb()\nt0 = time.perf_counter()\n"
        f"r = A.analyze({str(path)!r})\n"
        "dt = time.perf_counter() - t0\n"
        "print(json.dumps({'import_mb': round(base, 1), 'peak_mb': round(maxrss_mb(), 1), 'samples': r.samples,"
        " 'holds': len(r.holds), 'analyze_s': dt}))\n"))


def memory_rows(paths: dict[str, Path], rate_hz: float, tracemalloc: bool,
                known: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, path in paths.items():
        row = dict((known or {}).get(label) or memory_child(path))
        npy = str(path.with_suffix(".npy"))
        brow = run_child(_MAXRSS + "import sys; sys.path.insert(0, 'scripts')\nimport numpy as np, bench\nbase = maxrss_mb()\n"
                         f"a = np.load({npy!r}); bench.baseline_still_periods(a[:, 0], a[:, 1:], {rate_hz})\n"
                         "print(json.dumps({'import_mb': round(base, 1), 'peak_mb': round(maxrss_mb(), 1)}))\n")
        row["baseline_peak_mb"] = brow["peak_mb"]
        row["ratio_peak_vs_baseline"] = round(row["peak_mb"] / brow["peak_mb"], 2)
        if tracemalloc:  # slow (every allocation is traced)
            tm = run_child("import json, tracemalloc\nimport holdtrack.analysis as A\ntracemalloc.start()\n"
                           f"A.analyze({str(path)!r})\n"
                           "print(json.dumps({'peak': tracemalloc.get_traced_memory()[1] / 1e6}))\n")
            row["tracemalloc_peak_mb"] = round(tm["peak"], 1)
        out[label] = row
        print(f"  memory {label}: {row}", file=sys.stderr)
    return out


LIVE_CODE = _MAXRSS + """
import os, sys, time
sys.path.insert(0, 'scripts')
import bench
from holdtrack.session import SessionWriter
from holdtrack.stream import LIVE_DEFER_S, StreamProcessor
def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 1e6
chain = bench.Chain({rate})
proc = StreamProcessor(chain.info, defer_s=LIVE_DEFER_S)
marks = {{}}
with SessionWriter({path!r}, chain.info, clock=lambda: 0.0) as w:
    next_status = 1.0
    for p in chain.packets({seconds}):
        proc.push(p); w.write_packet(p)
        if p.host_time_s >= next_status:
            proc.status(); next_status += 1.0
            m = int(p.host_time_s // 300)
            marks.setdefault(m, rss_mb())
res = proc.finish()
end = rss_mb()
warm = marks.get(1, marks[min(marks)])
print(json.dumps({{'rss_after_5min_mb': round(warm, 2), 'rss_end_mb': round(end, 2), 'samples': res.samples,
                  'rss_by_5min_mb': [round(marks[k], 2) for k in sorted(marks)],
                  'growth_mb_per_h': round((end - warm) * 3600 / max({seconds} - 300, 1), 2)}}))
"""


def live_memory_row(rate_hz: float, seconds: float, workdir: Path) -> dict[str, Any]:
    return run_child(LIVE_CODE.format(rate=rate_hz, seconds=seconds, path=str(workdir / "live.htrec")))


def ble_row(seconds: float) -> dict[str, Any]:
    try:
        from tests.ble.rig import missing_tools
    except ImportError as exc:  # bleak / test helpers absent
        return {"skipped": f"cannot import the BLE rig: {exc}"}
    why = missing_tools()
    if why:
        return {"skipped": why}
    from tests.ble.latency import measure_latency

    try:
        return measure_latency(100.0, seconds, 100)
    except Exception as exc:  # the rig is timing-sensitive on a loaded machine: report, do not abort
        return {"skipped": f"the emulated BlueZ run failed: {type(exc).__name__}: {exc}"}


# ------------------------------------------------------------------------------------------ report
def targets(r: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    off = {row["length"]: row for row in r["offline"]}
    h1 = off.get("1h")
    st = r["streaming"]
    mem8 = r["memory"].get("8h")
    live = r["live_memory"]
    return [
        ("offline >= 5 M samples/s end to end (1 h)", f"{h1['analyze_samples_per_s'] / 1e6:.2f} M/s" if h1 else "n/a",
         h1["analyze_samples_per_s"] >= 5e6 if h1 else None),
        ("issue #6: 1 h at 200 Hz read + analysed < 1 s", f"{h1['analyze_s']:.2f} s" if h1 else "n/a",
         h1["analyze_s"] < 1.0 if h1 else None),
        ("streaming <= 50 us median per notification (live, deferred)", f"{st['push_us']['median']} us",
         st["push_us"]["median"] <= 50),
        ("  same, mean (CPU per notification)", f"{st['push_us']['mean']} us", st["push_us"]["mean"] <= 50),
        ("  same, every notification at once (defer 0)", f"{st['immediate']['push_us']['median']} us",
         st["immediate"]["push_us"]["median"] <= 50),
        (">= 50 devices at 100 Hz on one core under 50 % CPU", str(st["devices_per_core_at_50pct"]),
         st["devices_per_core_at_50pct"] >= 50),
        ("8 h analysis < 300 MB peak", f"{mem8['peak_mb']} MB" if mem8 else "n/a", mem8["peak_mb"] < 300 if mem8 else None),
        ("live memory growth < 5 MB per hour", f"{live['growth_mb_per_h']} MB/h", live["growth_mb_per_h"] < 5),
    ]


def print_table(r: dict[str, Any]) -> None:
    m = r["machine"]
    print(f"machine: {m['nproc']} x {m['cpu']}; Python {m['python']}, numpy {m['numpy']}, scipy {m['scipy']}; "
          f"load average {m['loadavg']} at {m['utc']}")
    print("\noffline analysis (simulated HTP session files at 200 Hz)")
    print(f"{'length':>6} {'samples':>10} {'file MB':>8} {'analyze s':>10} {'M samp/s':>9} {'pipeline s':>11} "
          f"{'baseline s':>11} {'x baseline':>10}")
    for o in r["offline"]:
        print(f"{o['length']:>6} {o['samples']:>10} {o['file_mb']:>8} {o['analyze_s']:>10} "
              f"{o['analyze_samples_per_s'] / 1e6:>9.2f} {o['pipeline_only_s']:>11} {o['baseline_s']:>11} "
              f"{o['ratio_analyze_vs_baseline']:>10}")
    s = r["streaming"]
    print(f"\nstreaming, one {s['rate_hz']:.0f} Hz device, {s['notifications']} notifications of "
          f"{s['samples_per_notification']} samples")
    for name, row in (("live (defer %g s)" % s["defer_s"], s), ("immediate (defer 0)", s["immediate"])):
        u = row["push_us"]
        print(f"  {name}: push median {u['median']} us, mean {u['mean']} us, p99 {u['p99']} us, max {u['max']} us; "
              f"CPU {row['cpu_s_per_device_s']} s per device-second -> {row['devices_per_core_at_50pct']} devices "
              f"per core at 50 %")
    print(f"  baseline: median {s['baseline_push_us']['median']} us, mean {s['baseline_push_us']['mean']} us "
          f"(live / baseline: median {s['ratio_median_vs_baseline']}, mean {s['ratio_mean_vs_baseline']})")
    print("\nmemory (peak RSS in a fresh interpreter, MB)")
    for k, v in r["memory"].items():
        print(f"  analyze {k}: peak {v['peak_mb']} (after imports {v['import_mb']}), baseline {v['baseline_peak_mb']}, "
              f"ratio {v['ratio_peak_vs_baseline']}" + (f", tracemalloc peak {v['tracemalloc_peak_mb']}" if "tracemalloc_peak_mb" in v else ""))
    lm = r["live_memory"]
    print(f"  live {r['live_seconds'] / 3600:.2f} h at 100 Hz: RSS {lm['rss_after_5min_mb']} -> {lm['rss_end_mb']} MB "
          f"({lm['growth_mb_per_h']} MB/h)")
    b = r["ble"]
    print("\nBLE latency (emulated BlueZ, 100 Hz): " + (b["skipped"] if "skipped" in b else
          f"p50 {b['latency_ms']['p50']} ms, p99 {b['latency_ms']['p99']} ms, CPU {b['cpu_percent']}"))
    print("\ntargets")
    for name, value, ok in targets(r):
        print(f"  [{'met' if ok else 'NOT met' if ok is False else 'n/a'}] {name}: {value}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short sessions only (about a minute)")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON ('-' = stdout)")
    ap.add_argument("--keep", metavar="DIR", help="write (and keep) the session files here")
    ap.add_argument("--no-ble", action="store_true", help="skip the emulated BlueZ latency row")
    ap.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slow: ~2x)")
    args = ap.parse_args()
    lengths = [("1min", 60.0), ("10min", 600.0)] if args.quick else [("1min", 60.0), ("1h", 3600.0), ("8h", 8 * 3600.0)]
    r: dict[str, Any] = {"machine": machine(), "quick": args.quick}
    with tempfile.TemporaryDirectory(prefix="holdtrack-bench-") as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        chain = Chain(200.0)
        r["offline"] = offline_rows(chain, lengths, work, repeats=3)
        r["streaming"] = streaming_row(100.0, 120.0 if args.quick else 600.0)
        big = lengths[-1][0]
        known = {o["length"]: o["memory_child"] for o in r["offline"] if "memory_child" in o}
        r["memory"] = memory_rows({big: work / f"bench-{big}.htrec"}, 200.0, tracemalloc=args.tracemalloc, known=known)
        r["live_seconds"] = 600.0 if args.quick else 3600.0
        r["live_memory"] = live_memory_row(100.0, r["live_seconds"], work)
        r["ble"] = {"skipped": "--no-ble"} if args.no_ble else ble_row(3.0 if args.quick else 10.0)
    r["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    r["targets"] = [{"target": n, "value": v, "met": ok} for n, v, ok in targets(r)]
    print_table(r)
    if args.json:
        write_json(r, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
