"""phyphox exports: a zip (or folder) with ``<set>.csv`` + ``meta/time.csv``, or one bare CSV.

Headers are quoted names with units, e.g. ``"Time (s)","Acceleration x (m/s^2)",...``; "Acceleration
without g" exports have ``Linear Acceleration x`` columns (gravity not included: noted). All six CSV
dialects are accepted (``,`` ``;`` tab, decimal point or comma). ``Time (s)`` is experiment time, which
excludes pauses; ``meta/time.csv`` START rows map it to the wall clock, so a pause becomes a gap.
"""

from __future__ import annotations

import os
import re
from pathlib import PurePosixPath
from typing import Callable

import numpy as np

from holdtrack.errors import InputError
from holdtrack.sources.imports._columns import GYRO_SCALE, find_gyro, split_unit
from holdtrack.sources.imports._container import ZIP_LISTING, Container, file_opener
from holdtrack.sources.imports._epoch import utc_iso
from holdtrack.sources.imports._table import Plan, Table, TimeFn, build_source, head_lines, locate_table
from holdtrack.sources.imports._text import split_cells
from holdtrack.sources.imports.filesource import FileSource

NAME = "phyphox"
TITLE = "phyphox export (zip, folder or CSV; any separator/decimal mark)"
_ACC = re.compile(r"^(?P<linear>linear\s+)?acceleration\s+(?P<axis>[xyz])$", re.IGNORECASE)


def sniff(head: bytes, filename: str) -> float:
    """0.9 for a phyphox CSV header or a zip with ``meta/time.csv`` / ``meta/device.csv``."""
    if head.startswith(ZIP_LISTING):
        names = [n.lower() for n in head.decode("utf-8", "replace").splitlines()[1:]]
        has_meta = any(n.endswith(("meta/time.csv", "meta/device.csv")) for n in names)
        has_csv = any(n.endswith(".csv") and "meta/" not in n for n in names)
        return 0.9 if has_meta and has_csv else 0.0
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    return 0.9 if "Time (s)" in first and re.search(r"Acceleration [xyz] \(", first) else 0.0


def _acc_columns(names: list[str]) -> tuple[tuple[int, int, int], bool] | None:
    """(x, y, z column indices, gravity included) for ``[Linear ]Acceleration x (m/s^2)`` columns."""
    found: dict[str, tuple[int, bool]] = {}
    for i, cell in enumerate(names):
        m = _ACC.match(split_unit(cell)[0])
        if m and m.group("axis").lower() not in found:
            found[m.group("axis").lower()] = (i, m.group("linear") is None)
    if set(found) != {"x", "y", "z"}:
        return None
    return (found["x"][0], found["y"][0], found["z"][0]), found["x"][1]


def _time_column(names: list[str]) -> int | None:
    for i, cell in enumerate(names):
        base, unit = split_unit(cell)
        if base.lower() == "time" and (unit or "s") == "s":
            return i
    return None


def _starts(opener, label: str) -> list[tuple[float, float]]:
    """(experiment time, system time) of each START row of ``meta/time.csv``."""
    table = locate_table(opener, label)
    out = []
    for n, text in head_lines(opener, label, 10_000)[1:]:
        cells = split_cells(text, table.delimiter)
        if len(cells) >= 3 and cells[0].upper() == "START":
            try:
                nums = [float(c.replace(",", ".") if table.decimal_comma else c) for c in cells[1:3]]
            except ValueError:
                raise InputError("START row without numeric times", path=label, line=n) from None
            out.append((nums[0], nums[1]))
    return out


def _wall_clock(starts: list[tuple[float, float]]) -> Callable[[], TimeFn]:
    """Time function factory: experiment time -> wall-clock s since the first START (pauses = gaps)."""
    exp = np.array([s[0] for s in starts])
    offset = np.array([s[1] - starts[0][1] - s[0] for s in starts])

    def wall(v: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            return v[:, 0] + offset[np.clip(np.searchsorted(exp, v[:, 0], side="right") - 1, 0, None)]

    def make() -> TimeFn:
        return wall

    return make


def _find_set(box: Container, path: str) -> tuple[str, Table]:
    """The export set CSV holding acceleration (with-g sets preferred)."""
    candidates = [n for n in box.names() if n.lower().endswith(".csv") and "meta/" not in n.lower()]
    best: tuple[int, str, Table] | None = None
    for name in sorted(candidates):
        table = locate_table(box.opener(name), box.display(name))
        cols = _acc_columns(table.names)
        if cols is not None and (best is None or cols[1] > bool(best[0])):
            best = (int(cols[1]), name, table)
    if best is None:
        raise InputError("no export set with acceleration columns in the phyphox archive", path=path)
    return best[1], best[2]


def open_source(path: str, units: str | None = None, rate: float | None = None) -> FileSource:
    """Open a phyphox export (zip, or a CSV with an optional ``meta/time.csv`` beside it)."""
    path = os.fspath(path)
    box = Container(path)
    notes: list[str] = []
    if box.is_zip:
        name, table = _find_set(box, path)
        notes.append(f"export set {PurePosixPath(name).name!r}")
        time_name = box.find("time.csv", folder="meta")
        time_opener = box.opener(time_name) if time_name else None
        time_label = box.display(time_name) if time_name else ""
    else:
        table = locate_table(file_opener(path), path)
        meta = os.path.join(os.path.dirname(path) or ".", "meta", "time.csv")
        time_opener = file_opener(meta) if os.path.isfile(meta) else None
        time_label = meta
    cols = _acc_columns(table.names)
    if cols is None:
        raise InputError("no 'Acceleration x/y/z (m/s^2)' columns in the header", path=table.path,
                         line=table.header_line)
    acc, gravity_included = cols
    t_col = _time_column(table.names)
    if t_col is None:
        raise InputError("no 'Time (s)' column in the header", path=table.path, line=table.header_line)
    plan = Plan(NAME, acc, acc_unit="m/s2", time_cols=(t_col,), notes=notes,
                settings={"gravity_included": gravity_included})
    if not gravity_included:
        notes.append("gravity not included ('Acceleration without g' export): tilt cannot be measured")
    starts = _starts(time_opener, time_label) if time_opener else []
    if starts:
        plan.time_fn = _wall_clock(starts)
        plan.start_utc = utc_iso(starts[0][1])
        if len(starts) > 1:
            notes.append(f"experiment paused {len(starts) - 1} time(s) (meta/time.csv): pauses appear as gaps")
    else:
        notes.append("no meta/time.csv: experiment time used, pauses (if any) are invisible")
    gyro = find_gyro(table.names)
    if gyro is not None and gyro.unit is not None:
        plan.gyro_cols, plan.gyro_scale = gyro.cols, GYRO_SCALE[gyro.unit]
    return build_source(table, plan, units, rate, path=path)
