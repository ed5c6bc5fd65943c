"""``holdtrack record``: stream one or more wearables live, show the hold state, record session files."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

COMMAND = "record"
HELP = "stream wearables live over Bluetooth LE, show the hold state and record .htrec sessions"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("devices", nargs="+", metavar="DEVICE",
                        help="advertised name or address, or phyphox://HOST:PORT for a phone running phyphox "
                        "with remote access (several: each its own file)")
    parser.add_argument("--adapter", default="hci0", metavar="NAME", help="Bluetooth adapter (default hci0)")
    parser.add_argument("--profile", default="auto", metavar="NAME",
                        help="auto (from the advertisement) | holdtrack | polar-pmd | microbit | witmotion | thingy52")
    parser.add_argument("--rate", type=float, metavar="HZ", help="requested sample rate (profile default otherwise)")
    parser.add_argument("--range", type=int, dest="range_g", metavar="G", help="requested full scale, ±g")
    parser.add_argument("--duration", type=float, metavar="S", help="stop after S seconds (default: until Ctrl-C)")
    parser.add_argument("--output", metavar="FILE",
                        help="session file (.htrec); with several devices '-NAME' is added before the suffix "
                        "(default holdtrack-<time>-<device>.htrec)")
    parser.add_argument("--no-record", action="store_true", help="analyse live only, write no file")
    parser.add_argument("--no-window", action="store_true", help="no live plot window; status line only")
    parser.add_argument("--json", action="store_true",
                        help="at the end print a JSON list (one object per device: the analyze --json result "
                        "plus a 'recording' object) instead of the text summary")
    parser.add_argument("--scan-timeout", type=float, default=10.0, metavar="S", help="how long to look for each device")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text.replace("://", "-")).strip("_") or "device"


def output_paths(devices: list[str], output: str | None, stamp: str) -> list[Path]:
    """One distinct session path per device (see ``--output``)."""
    if output is None:
        return [Path(f"holdtrack-{stamp}-{_slug(d)}.htrec") for d in devices]
    base = Path(output)
    if len(devices) == 1:
        return [base]
    suffix = base.suffix or ".htrec"
    return [base.with_name(f"{base.stem}-{_slug(d)}{suffix}") for d in devices]


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if args.rate is not None:
        out["rate_hz"] = args.rate
    if args.range_g is not None:
        out["range_g"] = args.range_g
    return out


def _validate(args: argparse.Namespace) -> None:
    from holdtrack.errors import ConfigError
    from holdtrack.protocol import get_profile

    if args.profile != "auto":
        get_profile(args.profile)
    if args.duration is not None and args.duration <= 0:
        raise ConfigError("--duration must be positive")
    if args.rate is not None and args.rate <= 0:
        raise ConfigError("--rate must be positive")
    from holdtrack.sources.phyphox_remote import base_url, is_phyphox

    for dev in args.devices:
        if is_phyphox(dev):
            base_url(dev)  # raises ConfigError for a malformed address
    if len(set(args.devices)) != len(args.devices):
        raise ConfigError("the same device is listed twice")


def _open_window(names: list[str], args: argparse.Namespace) -> Any:
    """The live plot window, if a display and ``holdtrack.plot.live`` are available.

    Contract: ``holdtrack.plot.live.open_window(names) -> window`` with ``window.update(statuses)`` (one
    ``LiveStatus`` or None per device, called twice a second) and optionally ``window.close()``.
    """
    if args.no_window or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    try:
        from holdtrack.plot import live  # type: ignore[attr-defined]
    except ImportError:
        return None
    opener = getattr(live, "open_window", None)
    return opener(names) if opener is not None else None


def _open_live_view(recorder: Any, args: argparse.Namespace) -> Any:
    """The rolling live plot window (:class:`holdtrack.plot.live.LiveView`) for one analysed device, or None
    (no display, ``--no-window``, no analysis, or matplotlib unavailable)."""
    if args.no_window or recorder.processor is None or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    try:
        from holdtrack.plot.live import LiveView, open_live_view
    except ImportError:
        return None
    view = open_live_view(f"holdtrack record — {recorder.summary.device}", recorder.processor.rate_hz)
    return view if isinstance(view, LiveView) else None


def run(args: argparse.Namespace) -> int:
    import asyncio

    _validate(args)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    paths = None if args.no_record else output_paths(args.devices, args.output, stamp)
    for path in paths or []:
        if path.exists():
            from holdtrack.errors import ConfigError

            raise ConfigError(f"{path} already exists; choose another --output or remove it")
    summaries = asyncio.run(_record(args, paths))
    if args.json:
        print(json.dumps([_json_summary(s, None if paths is None else paths[i]) for i, s in enumerate(summaries)],
                         indent=2))
        return 0
    from holdtrack.ble.status import summary_lines

    for i, s in enumerate(summaries):
        for line in summary_lines(s, None if paths is None else str(paths[i])):
            print(line)
    return 0


async def _record(args: argparse.Namespace, paths: list[Path] | None) -> list[Any]:
    import asyncio
    import signal

    from holdtrack.ble.link import DeviceLink
    from holdtrack.ble.phyphox_link import PhyphoxLink
    from holdtrack.sources.phyphox_remote import is_phyphox
    from holdtrack.ble.recorder import Recorder
    from holdtrack.ble.status import status_line

    t0 = time.monotonic()

    def clock() -> float:
        return time.monotonic() - t0

    recorders = []
    for i, dev in enumerate(args.devices):
        link: Any
        if is_phyphox(dev):
            link = PhyphoxLink(dev, asyncio.Queue(), clock)
        else:
            link = DeviceLink(dev, asyncio.Queue(), clock, profile=args.profile, adapter=args.adapter,
                              settings=_settings(args), scan_timeout_s=args.scan_timeout)
        writer = None if paths is None else _writer_factory(paths[i])
        recorders.append(Recorder(link, _make_processor, writer))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    started = []
    try:
        for r in recorders:
            await r.start()
            started.append(r)
        runners = [asyncio.create_task(r.run(stop)) for r in recorders]
        # one device: the rolling live window of demo and replay; several: one status row per device
        view = _open_live_view(recorders[0], args) if len(recorders) == 1 else None
        window = None if view is not None else _open_window([r.summary.device for r in recorders], args)
        deadline = None if args.duration is None else loop.time() + args.duration
        next_line = loop.time()
        while not stop.is_set():
            step = 0.5 if view is None else view.min_interval_s
            wait = step if deadline is None else min(step, max(0.0, deadline - loop.time()))
            try:
                await asyncio.wait_for(stop.wait(), wait)
            except asyncio.TimeoutError:
                pass
            if view is not None:
                view.feed(recorders[0].processor)  # new samples; a frame when one is due
            if loop.time() < next_line and not (deadline is not None and loop.time() >= deadline):
                continue
            next_line = loop.time() + 0.5
            statuses = [r.status() for r in recorders]
            line = "  |  ".join(status_line(r.summary.device, st, r.summary.packets)
                                for r, st in zip(recorders, statuses))
            if sys.stderr.isatty():
                print("\r" + line, end="", file=sys.stderr, flush=True)
            if window is not None:
                window.update(statuses)
            if deadline is not None and loop.time() >= deadline:
                stop.set()
        if sys.stderr.isatty():
            print(file=sys.stderr)
        if window is not None and hasattr(window, "close"):
            window.close()
        if view is not None:
            view.close()
        await asyncio.gather(*runners)
    finally:
        stop.set()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        summaries, errors = [], []
        for r in started:  # close every device even if one fails
            try:
                summaries.append(await r.close())
            except Exception as exc:  # re-raised below, after the others are closed
                errors.append(exc)
        if errors:
            raise errors[0]
    return summaries


def _json_summary(summary: Any, path: Path | None) -> dict[str, Any]:
    out = summary.result.to_dict() if summary.result is not None else {}
    out["recording"] = {
        "device": summary.device, "address": summary.address, "profile": summary.profile,
        "settings": summary.settings, "packets": summary.packets, "payload_bytes": summary.payload_bytes,
        "link_losses": summary.link_losses, "reconnects": summary.reconnects,
        "elapsed_s": round(summary.elapsed_s, 3), "output": None if path is None else str(path),
        "link_events": [{"kind": e.kind, "host_time_s": round(e.host_time_s, 6)} for e in summary.events],
    }
    return out


def _make_processor(info: Any) -> Any:
    from holdtrack.stream import LIVE_DEFER_S, StreamProcessor

    return StreamProcessor(info, defer_s=LIVE_DEFER_S)


def _writer_factory(path: Path) -> Any:
    def make(info: Any) -> Any:
        from holdtrack.session import SessionWriter

        return SessionWriter(path, info, clock=time.monotonic)

    return make
