"""``holdtrack export SESSION --csv OUT.csv --holds HOLDS.csv``: samples with their state, and the holds."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Iterable, TextIO

from holdtrack.cli._common import add_input_options

if TYPE_CHECKING:
    import numpy as np

STATES = ("moving", "still", "holding")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="SESSION", help="session file (.htrec) or any recording analyze reads")
    p.add_argument("--csv", metavar="OUT.csv", help="every sample: t_s, ax/ay/az m/s², [gx/gy/gz deg/s], state, hold")
    p.add_argument("--holds", metavar="OUT.csv", help="one row per hold with its score and metrics")
    p.add_argument("--force", action="store_true", help="replace output files that exist")
    add_input_options(p)


def sample_states(t_s: "np.ndarray", result: Any) -> "tuple[np.ndarray, np.ndarray]":
    """Per-sample state (index into :data:`STATES`) and 1-based hold number (0 = none).

    ``t_s`` are times in s since the first sample, like the result's intervals.
    """
    import numpy as np

    state = np.zeros(t_s.shape[0], dtype=np.int8)
    hold = np.zeros(t_s.shape[0], dtype=np.int32)
    for sp in result.still_periods:
        state[(t_s >= sp.start_s) & (t_s <= sp.end_s)] = 1
    for i, h in enumerate(result.holds, 1):
        inside = (t_s >= h.start_s) & (t_s <= h.end_s)
        state[inside] = 2
        hold[inside] = i
    return state, hold


def write_samples(f: TextIO, blocks: Iterable[Any], t_first: float, result: Any) -> int:
    """Write the samples CSV; returns the number of rows."""
    import numpy as np

    blocks = list(blocks)
    gyro = bool(blocks) and all(b.gyro_dps is not None for b in blocks)
    f.write("t_s,ax_mps2,ay_mps2,az_mps2" + (",gx_dps,gy_dps,gz_dps" if gyro else "") + ",state,hold\n")
    rows = 0
    for b in blocks:
        t = b.t_s - t_first
        state, hold = sample_states(t, result)
        cols = [t, *b.acc_mps2.T, *(b.gyro_dps.T if gyro else ())]
        numeric = np.column_stack(cols)
        for values, s, h in zip(numeric.tolist(), state.tolist(), hold.tolist()):
            f.write(",".join(f"{v:.6f}" for v in values) + f",{STATES[s]},{h or ''}\n")
        rows += len(b)
    return rows


def write_holds(f: TextIO, result: Any) -> int:
    """Write one row per hold: times, score, how it ended, wobbles, then every metric (``metric_<name>``
    where a metric's name is already a column, e.g. the scored ``duration_s``)."""
    dicts = [h.to_dict() for h in result.holds]
    metric_names: list[str] = []
    for d in dicts:
        metric_names += [k for k in d["metrics"] if k not in metric_names]
    base = ["hold", "start_s", "end_s", "duration_s", "score", "ended_by", "wobbles"]
    head = base + [f"metric_{k}" if k in base else k for k in metric_names]  # never two columns of one name
    f.write(",".join(head) + "\n")
    for i, d in enumerate(dicts, 1):
        row = [i, d["start_s"], d["end_s"], d["duration_s"], d["score"], d["ended_by"], d["wobbles"],
               *(d["metrics"].get(k) for k in metric_names)]
        f.write(",".join("" if v is None else str(v) for v in row) + "\n")
    return len(dicts)


def run(args: argparse.Namespace) -> int:
    import sys

    from holdtrack.analysis import open_input
    from holdtrack.cli._output import atomic_path, check_output
    from holdtrack.errors import ConfigError, InputError
    from holdtrack.stream import StreamProcessor

    if not args.csv and not args.holds:
        raise ConfigError("nothing to export: give --csv OUT.csv and/or --holds HOLDS.csv")
    outs = {k: check_output(v, force=args.force, inputs=(args.file,)) for k, v in
            (("csv", args.csv), ("holds", args.holds)) if v}
    if len(set(outs.values())) < len(outs):
        raise ConfigError("--csv and --holds must be different files")
    source = open_input(args.file, format=args.format, units=args.units, rate=args.rate, salvage=args.salvage)
    proc = StreamProcessor(source.info)
    blocks = []
    push = proc.pipeline.push

    def tap(block):  # keep the samples exactly as the pipeline sees them (after decoding and timing)
        blocks.append(block)
        return push(block)

    proc.pipeline.push = tap  # type: ignore[method-assign]
    try:
        for item in source:
            proc.push(item)
    except InputError as exc:
        raise exc.at(source.info.path) from None
    result = proc.finish()
    t_first = proc.pipeline.grid.t_first or 0.0
    if "csv" in outs:
        with atomic_path(outs["csv"]) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
            rows = write_samples(f, blocks, t_first, result)
        print(f"wrote {outs['csv']}: {rows} samples", file=sys.stderr)
    if "holds" in outs:
        with atomic_path(outs["holds"]) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
            n = write_holds(f, result)
        print(f"wrote {outs['holds']}: {n} holds", file=sys.stderr)
    return 0
