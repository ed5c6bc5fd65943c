"""``holdtrack report FILES|DIR``: progress over sessions (PDF or self-contained HTML)."""

from __future__ import annotations

import argparse
import sys

from holdtrack.cli._common import interactive


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", metavar="FILES|DIR",
                   help="session files / recordings, or folders of them (.htrec, .csv, .zip, .tsv, .txt)")
    p.add_argument("--output", "-o", default="report.html", metavar="OUT",
                   help="report.pdf or report.html (default: report.html in the current folder)")


def run(args: argparse.Namespace) -> int:
    from holdtrack.analysis import analyze
    from holdtrack.cli.plot import output_path
    from holdtrack.plot.progress import build_progress, collect
    from holdtrack.plot.report import write_report

    out = output_path("report", args.output, ".html", formats=(".pdf", ".html", ".htm"))
    files = collect(args.inputs)
    done = [0]

    def one(path):
        done[0] += 1
        if interactive():
            sys.stderr.write(f"\ranalysing {done[0]}/{len(files)}\x1b[K")
            sys.stderr.flush()
        return analyze(path)

    prog = build_progress(files, analyze=one)
    if interactive():
        sys.stderr.write("\r\x1b[K")
    for s in prog.skipped:
        print(f"holdtrack report: skipped: {s}", file=sys.stderr)
    write_report(files, out, progress=prog)
    print(f"wrote {out} ({len(prog.sessions)} sessions)", file=sys.stderr)
    return 0
