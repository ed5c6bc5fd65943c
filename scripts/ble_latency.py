"""Measure notification -> pipeline latency and CPU of the live BLE path on the emulated BlueZ rig.

Usage: python scripts/ble_latency.py [RATE_HZ ...] [--seconds S] [--latency-ms MS]
Prints one JSON object per rate (p50/p99/max latency in ms, CPU % of one core). Needs dbus-daemon and
bluezoo (test dependencies); run from the repository root.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ble.latency import measure_latency  # noqa: E402
from tests.ble.rig import missing_tools  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("rates", nargs="*", type=float, default=[50.0, 100.0, 200.0])
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--latency-ms", type=int, default=100, help="device batching budget (HTP max_latency_ms)")
    args = p.parse_args()
    why = missing_tools()
    if why:
        print(f"cannot run: {why}", file=sys.stderr)
        return 2
    for rate in args.rates:
        print(json.dumps(measure_latency(rate, args.seconds, args.latency_ms)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
