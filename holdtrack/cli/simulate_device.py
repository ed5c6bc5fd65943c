"""``holdtrack simulate-device``: a simulated HTP wearable on this machine's Bluetooth adapter (BlueZ)."""

from __future__ import annotations

import argparse
import sys

COMMAND = "simulate-device"
HELP = "advertise a simulated holdtrack (HTP) wearable streaming a plank session over BlueZ"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--adapter", default="hci0", metavar="NAME", help="Bluetooth adapter to serve on (default hci0)")
    parser.add_argument("--name", default="HoldTrack-Sim", help="advertised name (default HoldTrack-Sim)")
    parser.add_argument("--rate", type=float, default=100.0, metavar="HZ", help="default sample rate (a client's START overrides it)")
    parser.add_argument("--scenario", default="plank", metavar="NAME",
                        help="simulated session, played in a loop: plank (default), wall-sit, curl, hang, walk, rest")
    parser.add_argument("--loss", type=float, default=0.0, metavar="P", help="probability of dropping each packet (0-1)")
    parser.add_argument("--seed", type=int, default=0, help="random seed for loss injection")
    parser.add_argument("--duration", type=float, metavar="S", help="stop after S seconds (default: until Ctrl-C)")


def run(args: argparse.Namespace) -> int:
    import asyncio

    from holdtrack.errors import ConfigError

    if not 0.0 <= args.loss < 1.0:
        raise ConfigError("--loss must be in [0, 1)")
    from holdtrack.sim import SCENARIOS

    if args.scenario not in SCENARIOS:
        raise ConfigError(f"unknown scenario {args.scenario!r}; known: {', '.join(SCENARIOS)}")
    if not 1.0 <= args.rate <= 1600.0:
        raise ConfigError("--rate must be between 1 and 1600 Hz")
    asyncio.run(_serve(args))
    return 0


async def _serve(args: argparse.Namespace) -> None:
    import asyncio
    import signal

    from holdtrack.ble.peripheral import HtpPeripheral, scenario_signal

    motion = scenario_signal(args.scenario, seed=args.seed)
    device = HtpPeripheral(adapter=args.adapter, name=args.name, rate_hz=args.rate, loss=args.loss,
                           seed=args.seed, signal=motion)
    await device.start()
    print(f"advertising {args.name!r} on {args.adapter} (holdtrack profile, {args.scenario}); Ctrl-C to stop",
          flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), args.duration)
    except asyncio.TimeoutError:
        pass
    finally:
        await device.stop()
    sent = len(device.sent)
    dropped = sum(not p.delivered for p in device.sent)
    print(f"sent {sent - dropped} packets ({dropped} dropped on purpose), "
          f"{len(device.commands)} control-point commands", file=sys.stderr)
