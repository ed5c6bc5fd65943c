"""Generic delimited accelerometer tables ("csv").

Layouts accepted (columns found by header name, any order, case-insensitive):

* a header row with acceleration columns ``ax,ay,az`` / ``x,y,z`` / ``acc_x..`` / ``x_acc..`` (optional
  unit suffix ``ax [g]``, ``(m/s^2)``), an optional time column ``t``/``time``/``timestamp`` in seconds
  (or with a unit suffix ``[ms]``; Unix epoch s/ms/µs/ns are recognised by magnitude) and optional
  gyroscope columns ``gx..``/``gyro_x..`` used only when their unit is in the header (``[deg/s]``, ``[rad/s]``);
* a two-row header (group row + axis row, e.g. gaitmap's ``sensor``/``axis`` rows): the first group
  holding an acceleration triple is used;
* headerless numeric files with exactly three columns ``x y z`` (needs ``--rate``).

Separators ``,`` ``;`` tab or spaces; decimal comma with ``;``/tab. Units from ``--units``, the header,
or the median |a| of the first block (≈1 g, ≈1000 mg, ≈9.81 m/s²).
"""

from __future__ import annotations

import os

from holdtrack.errors import InputError, UnknownFormatError
from holdtrack.sources.imports._columns import GYRO_SCALE, TIME_SCALE, find_acc, find_gyro, find_time
from holdtrack.sources.imports._container import Opener, file_opener
from holdtrack.sources.imports._epoch import epoch_unit, utc_iso
from holdtrack.sources.imports._table import Plan, Table, build_source, head_lines, locate_table, scaled_time
from holdtrack.sources.imports._text import (
    HEAD_BYTES, binary_offset, is_number, sniff_delimiter, split_cells, split_header,
)
from holdtrack.sources.imports.filesource import FileSource

NAME = "csv"
TITLE = "generic CSV/TSV table (time column + x, y, z)"


def _text_lines(head: bytes, n: int = 20) -> list[str]:
    """The first ``n`` non-blank, non-comment lines of the head (the last one may be cut: dropped)."""
    raw = head.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    if len(head) >= HEAD_BYTES:
        raw = raw[:-1]
    lines = []
    for r in raw:
        text = r.decode("utf-8", errors="replace").lstrip("\ufeff")
        if text.strip() and not text.lstrip().startswith("#"):
            lines.append(text)
            if len(lines) >= n:
                break
    return lines


def sniff(head: bytes, filename: str) -> float:
    """0.5 for a text table with a recognisable header, 0.2 for a headerless 3-column numeric table,
    0.1 for another table with a constant number of fields per line, else 0."""
    if not head or binary_offset(head) is not None:
        return 0.0
    lines = _text_lines(head)
    if len(lines) == 1:  # a header alone still names the format (the error will be "no data rows")
        return 0.5 if any(find_acc(split_header(lines[0], d)) for d in ("\t", ";", ",", None)) else 0.0
    if not lines:
        return 0.0
    first = lines[0]
    headerless = all(is_number(c) for c in first.replace(";", " ").replace("\t", " ").replace(",", " ").split())
    try:
        delim = sniff_delimiter(None if headerless else first, lines if headerless else lines[1:])
    except ValueError:
        return 0.0
    cells = split_header(first, delim)
    if headerless:
        return 0.2 if len(cells) == 3 else 0.1
    return 0.5 if find_acc(cells) is not None else 0.1


def _is_header(text: str) -> bool:
    return not text.lstrip().startswith("#")


def _header_kind(opener: Opener, path: str) -> tuple[int, str] | None:
    """(line number, text) of the first non-comment line if it is not all numbers; None if headerless."""
    for n, t in head_lines(opener, path, 64):
        if t.strip() and _is_header(t):
            cells = t.replace(";", " ").replace("\t", " ").replace(",", " ").split()
            return None if cells and all(is_number(c) for c in cells) else (n, t)
    raise InputError("empty file", path=path)


def _two_row_header(table: Table, opener: Opener, path: str, notes: list[str]) -> Table | None:
    """Merge a group row + axis row header; keep the columns of the first group with acceleration."""
    lines = [x for x in head_lines(opener, path) if x[1].strip()]
    i = next(k for k, (n, _) in enumerate(lines) if n == table.header_line)
    if i + 1 >= len(lines):
        return None
    n2, second = lines[i + 1]
    axis = split_header(second, table.delimiter)
    if len(axis) != len(table.names) or all(is_number(c) for c in axis if c):
        return None
    acc = find_acc(axis)
    if acc is None:
        return None
    group = table.names[acc.cols[0]]
    groups = [g for g in dict.fromkeys(table.names[1:]) if g]
    names = [a if g == group else f"{g}:{a}" for g, a in zip(table.names, axis)]
    if len(groups) > 1:
        notes.append(f"file holds {len(groups)} sensors ({', '.join(groups)}); using {group}")
    return Table(path, opener, names, n2, table.delimiter, table.decimal_comma)


def open_source(path: str, units: str | None = None, rate: float | None = None) -> FileSource:
    """Open a generic accelerometer table; see the module docstring for the layouts."""
    path = os.fspath(path)
    opener = file_opener(path)
    with opener() as f:
        head = f.read(HEAD_BYTES)
    bad = binary_offset(head)
    if bad is not None:
        raise UnknownFormatError("not a text table (binary data)", path=path, offset=bad)
    notes: list[str] = []
    header = _header_kind(opener, path)
    if header is None:
        table = locate_table(opener, path, headerless=True)
        if len(table.names) != 3:
            raise InputError(
                f"headerless table with {len(table.names)} columns is ambiguous: add a header row "
                "naming the columns (e.g. t,ax,ay,az)", path=path, line=1)
        notes.append("no header: columns read as x, y, z")
        return build_source(table, Plan(NAME, (0, 1, 2), notes=notes), units, rate)
    table = locate_table(opener, path, _is_header)
    acc = find_acc(table.names)
    if acc is None:
        merged = _two_row_header(table, opener, path, notes)
        if merged is None:
            raise InputError("no acceleration columns: expected ax,ay,az or x,y,z in the header "
                             f"(found {', '.join(table.names)[:200]})", path=path, line=table.header_line)
        table, acc = merged, find_acc(merged.names)
        assert acc is not None
    plan = Plan(NAME, acc.cols, acc_unit=acc.unit, notes=notes)
    _plan_time(table, plan, path)
    gyro = find_gyro(table.names)
    if gyro is not None:
        if gyro.unit is None:
            notes.append("gyroscope columns ignored: no unit in the header (add [deg/s] or [rad/s])")
        else:
            plan.gyro_cols, plan.gyro_scale = gyro.cols, GYRO_SCALE[gyro.unit]
    return build_source(table, plan, units, rate)


def _plan_time(table: Table, plan: Plan, path: str) -> None:
    found = find_time(table.names)
    if found is None:
        return
    col, unit = found
    name = table.names[col]
    first = _first_value(table, col)
    if unit is not None:
        if unit not in TIME_SCALE:
            raise InputError(f"time column {name!r}: unknown unit {unit!r} (use s, ms, us or ns)",
                             path=path, line=table.header_line)
        scale = TIME_SCALE[unit]
    else:
        epoch = epoch_unit(first) if first is not None else None
        scale = epoch[0] if epoch else 1.0
        if epoch:
            plan.notes.append(f"time column {name!r} read as Unix time in {epoch[1]}")
    if first is not None and epoch_unit(first * scale) == (1.0, "s"):
        plan.start_utc = utc_iso(first * scale)
    plan.time_cols = (col,)
    plan.time_fn = scaled_time(scale, offset=first or 0.0)


def _first_value(table: Table, col: int) -> float | None:
    for n, t in head_lines(table.opener, table.path):
        if n > table.header_line and t.strip():
            cells = split_cells(t, table.delimiter)
            try:
                return float(cells[col].replace(",", ".") if table.decimal_comma else cells[col])
            except (IndexError, ValueError):
                return None
    return None
