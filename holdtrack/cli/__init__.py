"""The ``holdtrack`` command line: one module per verb, each a thin layer over the library.

Every command module defines ``COMMAND`` (its name), ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. Modules are imported lazily, so ``holdtrack analyze`` never loads bleak or
matplotlib. Errors the user can fix (:class:`~holdtrack.errors.HoldtrackError`) become one line on
stderr and exit code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from holdtrack._version import __version__

#: verb -> (module, one-line help). Order is the order shown in ``--help``.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("holdtrack.cli.demo", "simulate a plank session through the whole live path (no hardware)"),
    "analyze": ("holdtrack.cli.analyze", "detect and score holds in recordings (CSV, phone exports, .htrec)"),
    "replay": ("holdtrack.cli.replay", "play a recorded session (.htrec) through the live pipeline, paced or at max speed"),
    "import": ("holdtrack.cli.import_file", "convert a CSV / phone export into a session file (.htrec)"),
    "export": ("holdtrack.cli.export", "export a session's samples with their state, and its holds, as CSV"),
    "simulate": ("holdtrack.cli.simulate", "write a seeded simulated session (.htrec) and its ground truth"),
    "scan": ("holdtrack.cli.scan", "list nearby Bluetooth LE devices and the holdtrack profile each speaks"),
    "record": ("holdtrack.cli.record", "stream wearables live over Bluetooth LE, show holds, record .htrec sessions"),
    "simulate-device": ("holdtrack.cli.simulate_device", "advertise a simulated holdtrack wearable over BlueZ"),
    "plot": ("holdtrack.cli.plot", "draw the hold graph of a recording (PNG, PDF or SVG)"),
    "report": ("holdtrack.cli.report", "progress over sessions: durations, scores, trends (PDF or HTML)"),
}

EXIT_OK = 0
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="holdtrack",
        description="Measure isometric holds (plank, side plank, wall-sit, static curls, hangs) "
        "from accelerometers: live over Bluetooth LE, or from recordings.",
    )
    parser.add_argument("--version", action="version", version=f"holdtrack {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        mod = importlib.import_module(module)
        mod.add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``holdtrack`` console script."""
    from holdtrack.errors import HoldtrackError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    mod = importlib.import_module(args._module)
    try:
        return int(mod.run(args) or 0)
    except HoldtrackError as exc:
        print(f"holdtrack {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"holdtrack {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
