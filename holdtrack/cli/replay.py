"""``holdtrack replay FILE``: play a recorded session through the live pipeline, paced like the recording."""

from __future__ import annotations

import argparse
import sys


def speed_arg(text: str) -> float | None:
    """``max`` (as fast as possible) or a positive factor (1 = real time)."""
    if text.strip().lower() == "max":
        return None
    from holdtrack.cli._common import positive_float

    return positive_float(text)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="session file (.htrec)")
    p.add_argument("--speed", type=speed_arg, default=1.0, metavar="X|max",
                   help="playback speed: 1 = as recorded (default), 4 = four times faster, max = no pacing")
    p.add_argument("--no-window", action="store_true",
                   help="no live plot window (shown when a display and holdtrack.plot.live exist); status line only")
    p.add_argument("--json", action="store_true", help="print the final analysis as one JSON object")
    p.add_argument("--max-wait", type=float, default=5.0, metavar="S",
                   help="skip silences (lost link) longer than S seconds of playback (default 5)")
    p.add_argument("--salvage", action="store_true",
                   help="recover everything readable from a damaged session file instead of failing")


def _describe(event) -> str | None:
    from holdtrack.model import Hold

    if isinstance(event, Hold):
        score = "-" if event.score is None else f"{event.score:.0f}"
        return (f"hold {event.start_s:7.1f}-{event.end_s:7.1f} s: {event.duration_s:6.1f} s, score {score}, "
                f"ended by {event.ended_by}")
    return None


def run(args: argparse.Namespace) -> int:
    import io
    import time

    from holdtrack.cli._common import interactive, print_json
    from holdtrack.cli.live import LiveDisplay
    from holdtrack.cli.analyze import format_table
    from holdtrack.session import read_session
    from holdtrack.sources.replay import ReplaySource
    from holdtrack.stream import LIVE_DEFER_S, StreamProcessor

    session = read_session(args.file, salvage=args.salvage)
    proc = StreamProcessor(session.info, defer_s=LIVE_DEFER_S)
    live = interactive() and not args.json
    # the live view of demo and record: a rolling plot window when a display exists, else the status line
    display = LiveDisplay(f"holdtrack replay — {session.info.device.get('name') or args.file}", proc.rate_hz,
                          window=not args.no_window, stream=sys.stderr if live else io.StringIO())
    source = ReplaySource(session, speed=args.speed, clock=time.monotonic, sleep=display.sleep,
                          max_wait_s=args.max_wait if args.max_wait and args.max_wait > 0 else None)
    interrupted = False
    try:
        for item in source:
            for event in proc.push(item):
                text = None if args.json else _describe(event)
                if text:
                    print(("\r\x1b[K" if live else "") + text, flush=True)
            display.update(proc)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        display.close()
    result = proc.finish()
    if interrupted:
        result.notes.append(f"replay interrupted at {result.duration_s:.1f} s")
    if args.json:
        print_json(result.to_dict())
    else:
        print(format_table(result))
    return 130 if interrupted else 0
