"""``holdtrack import FILE --output SESSION.htrec``: convert a recording into a session file."""

from __future__ import annotations

import argparse
import os
import sys

from holdtrack.cli._common import add_input_options


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="CSV, phone-app export or session file (.htrec, e.g. to --salvage it)")
    p.add_argument("--output", "-o", required=True, metavar="SESSION.htrec", help="the session file to write")
    p.add_argument("--force", action="store_true", help="replace the output if it exists")
    add_input_options(p)


def run(args: argparse.Namespace) -> int:
    import time
    from datetime import datetime, timezone

    from holdtrack.analysis import open_input
    from holdtrack.cli._output import atomic_path, check_output
    from holdtrack.errors import InputError
    from holdtrack.session import SessionWriter

    out = check_output(args.output, force=args.force, inputs=(args.file,))
    source = open_input(args.file, format=args.format, units=args.units, rate=args.rate, salvage=args.salvage)
    info = source.info
    created = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    origin = {"kind": "import", "format": info.format, "path": os.path.abspath(args.file)}
    old = getattr(source, "header", None) or {}  # re-importing a session: keep what its header knew
    with atomic_path(out) as tmp:
        with SessionWriter(tmp, info, clock=time.monotonic, created_utc=created, source=origin,
                           pipeline=old.get("pipeline"), characteristics=old.get("characteristics")) as writer:
            try:
                for item in source:
                    writer.write(item)
            except InputError as exc:
                raise exc.at(info.path) from None
    what = f"{writer.packets} packets" if writer.packets else f"{writer.samples} samples"
    print(f"wrote {out}: {what} from {args.file} [{info.format}]", file=sys.stderr)
    for note in info.notes:
        print(f"  note: {note}", file=sys.stderr)
    return 0
