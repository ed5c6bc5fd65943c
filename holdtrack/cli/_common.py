"""Helpers shared by the command modules: options, output, progress."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, Iterable, Iterator, TypeVar

T = TypeVar("T")

UNIT_CHOICES = ("g", "mg", "m/s2")


def add_input_options(p: argparse.ArgumentParser) -> None:
    """``--format``, ``--units``, ``--rate``, ``--salvage``: how to read a recording."""
    p.add_argument("--format", default="auto", metavar="FMT",
                   help="input format: auto (default), htrec, csv, sensor-logger, phyphox, movella, polar-logger")
    p.add_argument("--units", choices=UNIT_CHOICES, default=None,
                   help="acceleration units of a CSV (default: detected from the median |a| and reported)")
    p.add_argument("--rate", type=positive_float, default=None, metavar="HZ",
                   help="sample rate, for files without a time column")
    p.add_argument("--salvage", action="store_true",
                   help="recover everything readable from a damaged session file instead of failing")


def positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not v > 0 or v != v or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return v


def print_json(obj: Any) -> None:
    """One JSON object per line on stdout."""
    sys.stdout.write(json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n")
    sys.stdout.flush()


def progress(items: Iterable[T], total: int, label: str, enabled: bool) -> Iterator[T]:
    """Yield ``items``, drawing ``label i/total`` on stderr when enabled (a TTY and not --json)."""
    if not enabled:
        yield from items
        return
    start = time.monotonic()
    for i, item in enumerate(items, 1):
        sys.stderr.write(f"\r{label} {i}/{total} ({time.monotonic() - start:.0f} s)\x1b[K")
        sys.stderr.flush()
        yield item
    sys.stderr.write("\r\x1b[K")
    sys.stderr.flush()


def interactive() -> bool:
    return sys.stderr.isatty()
