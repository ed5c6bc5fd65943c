"""``holdtrack analyze FILE...``: detect and score holds in recordings."""

from __future__ import annotations

import argparse
import sys

from holdtrack.cli._common import add_input_options, interactive, print_json, progress


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="CSV, phone-app export (CSV or zip) or session file (.htrec)")
    p.add_argument("--json", action="store_true", help="one JSON object per input on stdout")
    add_input_options(p)


def run(args: argparse.Namespace) -> int:
    from holdtrack.analysis import analyze
    from holdtrack.errors import HoldtrackError

    failed = 0
    show_progress = interactive() and not args.json and len(args.files) > 1
    for path in progress(args.files, len(args.files), "analysing", show_progress):
        try:
            result = analyze(path, format=args.format, units=args.units, rate=args.rate, salvage=args.salvage)
        except HoldtrackError as exc:
            failed += 1
            print(f"holdtrack analyze: error: {exc}", file=sys.stderr)
            continue
        if args.json:
            print_json(result.to_dict())
        else:
            sys.stdout.write(format_table(result) + "\n")
    return 2 if failed else 0


def format_table(r) -> str:  # r: AnalysisResult
    """A readable summary of one result."""
    lines = [
        f"{r.input_path or '(array)'}  [{r.input_format}]",
        f"  {r.samples} samples at {r.sample_rate_hz:g} Hz over {r.duration_s:.1f} s"
        + (f"; {len(r.gaps)} gaps ({sum(1 for g in r.gaps if not g.bridged)} split the signal)" if r.gaps else "; no gaps"),
    ]
    lines += [f"  note: {n}" for n in r.notes]
    rest = sum(1 for s in r.still_periods if s.kind == "rest")
    lines.append(f"  {len(r.still_periods)} still periods ({rest} rest), {len(r.holds)} holds")
    if r.holds:
        lines.append(f"  {'#':>3} {'start s':>8} {'end s':>8} {'duration s':>10} {'score':>6}  {'ended by':<12} {'sway RMS m/s²':>13}")
        for i, h in enumerate(r.holds, 1):
            rms = h.metrics.get("rms_mps2")
            score = "-" if h.score is None else f"{h.score:.0f}"
            rms_s = "-" if rms is None else f"{rms:.3f}"
            lines.append(f"  {i:>3} {h.start_s:8.1f} {h.end_s:8.1f} {h.duration_s:10.1f} {score:>6}  {h.ended_by:<12} {rms_s:>13}")
    return "\n".join(lines)
