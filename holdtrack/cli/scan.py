"""``holdtrack scan``: list nearby Bluetooth LE devices and the profile each one was recognised as."""

from __future__ import annotations

import argparse
import json

COMMAND = "scan"
HELP = "list nearby Bluetooth LE devices and the holdtrack profile each speaks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--adapter", default="hci0", metavar="NAME", help="Bluetooth adapter (default hci0)")
    parser.add_argument("--timeout", type=float, default=5.0, metavar="S", help="scan time, s (default 5)")
    parser.add_argument("--recognised", action="store_true", help="list only devices a profile recognises")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of a table")


def run(args: argparse.Namespace) -> int:
    import asyncio

    from holdtrack.ble.scan import scan

    if args.timeout <= 0:
        from holdtrack.errors import ConfigError

        raise ConfigError("--timeout must be positive")
    results = asyncio.run(scan(args.adapter, args.timeout))
    if args.recognised:
        results = [r for r in results if r.profile is not None]
    results.sort(key=lambda r: r.profile is None)  # recognised first, then by signal strength
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
        return 0
    if not results:
        print(f"no {'recognised ' if args.recognised else ''}devices heard on {args.adapter} in {args.timeout:g} s")
        return 0
    print(f"{'address':<18} {'rssi':>5}  {'profile':<10} name")
    for r in results:
        print(f"{r.address:<18} {r.rssi:>5}  {r.profile or '-':<10} {r.name or ''}")
    return 0
