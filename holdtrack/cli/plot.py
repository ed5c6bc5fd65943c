"""``holdtrack plot FILE``: the hold graph of one recording (PNG, PDF or SVG)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from holdtrack.cli._common import add_input_options

FORMATS = (".png", ".pdf", ".svg")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="CSV, phone-app export or session file (.htrec)")
    p.add_argument("--output", "-o", metavar="OUT", default=None,
                   help="image to write: .png, .pdf or .svg (default: FILE's name with .png, beside FILE or, "
                        "if that folder is not writable, in the current folder)")
    p.add_argument("--hold", type=int, default=None, metavar="N", help="zoom on hold N (1-based, as in analyze)")
    p.add_argument("--size", choices=("screen", "a4"), default="screen", help="figure size (default: screen)")
    add_input_options(p)


def run(args: argparse.Namespace) -> int:
    from holdtrack.analysis import analyze
    from holdtrack.plot.holds import save_session_plot

    out = output_path(args.file, args.output, ".png")
    result = analyze(args.file, format=args.format, units=args.units, rate=args.rate, salvage=args.salvage,
                     trace=True)
    save_session_plot(result, out, hold=args.hold, size=args.size)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def output_path(source: str, output: str | None, default_suffix: str, formats: tuple[str, ...] = FORMATS) -> Path:
    """Where to write: ``output`` (its suffix checked) or ``source``'s stem + ``default_suffix``."""
    from holdtrack.errors import ConfigError

    if output is not None:
        out = Path(output)
        if out.suffix.lower() not in formats:
            raise ConfigError(f"{output}: unknown output type {out.suffix or '(none)'!r}; use {', '.join(formats)}")
        if out.parent and not out.parent.is_dir():
            raise ConfigError(f"{output}: folder {out.parent} does not exist")
        return out
    src = Path(source)
    beside = src.with_suffix(default_suffix) if src.suffix else src.with_name(src.name + default_suffix)
    folder = beside.parent if str(beside.parent) else Path(".")
    return beside if os.access(folder, os.W_OK) else Path.cwd() / beside.name
