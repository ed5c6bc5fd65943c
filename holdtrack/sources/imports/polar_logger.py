"""Polar Sensor Logger (Android app for Polar H10 / Verity Sense) ACC files.

``Polar_H10_<ID>_<YYYYMMDD>_<HHMMSS>_ACC.txt``: ``;``-separated, header
``Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]``. The sensor timestamp (ns since
2000-01-01 on the sensor clock, often never set) gives relative times and reveals lost samples; the
phone timestamp is local time without a zone, reported as a note only. A ``..._GYRO.txt`` file
beside the ACC file (Verity Sense) is interpolated onto the ACC sample times (same sensor clock).
"""

from __future__ import annotations

import os
import re

import numpy as np

from holdtrack.errors import InputError
from holdtrack.sources.imports._columns import GYRO_SCALE, find_acc, find_gyro
from holdtrack.sources.imports._container import file_opener
from holdtrack.sources.imports._table import Plan, build_source, head_lines, locate_table, scaled_time
from holdtrack.sources.imports._text import split_cells
from holdtrack.sources.imports.filesource import FileSource

NAME = "polar-logger"
TITLE = "Polar Sensor Logger ACC .txt"
_HEADER = re.compile(r"^Phone timestamp;sensor timestamp \[ns\];", re.IGNORECASE)


def sniff(head: bytes, filename: str) -> float:
    """0.9 for the Polar Sensor Logger header with mg (accelerometer) columns."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    return 0.9 if _HEADER.match(first) and "[mg]" in first else 0.0


def open_source(path: str, units: str | None = None, rate: float | None = None) -> FileSource:
    """Open a Polar Sensor Logger ACC file."""
    path = os.fspath(path)
    opener = file_opener(path)
    table = locate_table(opener, path)
    lower = [n.lower() for n in table.names]
    if "sensor timestamp [ns]" not in lower:
        raise InputError("no 'sensor timestamp [ns]' column", path=path, line=table.header_line)
    acc = find_acc(table.names)
    if acc is None:
        raise InputError("no X [mg];Y [mg];Z [mg] columns (is this an ACC file?)", path=path,
                         line=table.header_line)
    t_col = lower.index("sensor timestamp [ns]")
    first = next((split_cells(t, table.delimiter) for n, t in head_lines(opener, path)
                  if n > table.header_line and t.strip()), [])
    notes = []
    if "phone timestamp" in lower and len(first) > lower.index("phone timestamp"):
        notes.append(f"phone time of the first sample: {first[lower.index('phone timestamp')]} (local, no zone)")
    try:
        t0 = float(first[t_col])
    except (IndexError, ValueError):
        t0 = 0.0  # the bad cell is reported with its line when the rows are read
    plan = Plan(NAME, acc.cols, acc_unit=acc.unit or "mg", time_cols=(t_col,), notes=notes,
                time_fn=scaled_time(1e-9, offset=t0))
    gyro_path = re.sub(r"_ACC(\.txt)$", r"_GYRO\1", path, flags=re.IGNORECASE)
    if gyro_path != path and os.path.isfile(gyro_path):
        plan.gyro_at = _gyro(gyro_path, t0)
        notes.append(f"gyroscope from {os.path.basename(gyro_path)} (interpolated onto the ACC sample times)")
    return build_source(table, plan, units, rate)


def _gyro(path: str, t0_ns: float):
    """A function giving the GYRO file's deg/s at ACC times (s since ``t0_ns`` on the sensor clock)."""
    table = locate_table(file_opener(path), path)
    lower = [n.lower() for n in table.names]
    gyro = find_gyro(["g" + n if n.lower().startswith(("x ", "y ", "z ")) else n for n in table.names])
    if "sensor timestamp [ns]" not in lower or gyro is None or gyro.unit is None:
        raise InputError("not a Polar Sensor Logger GYRO file (expected sensor timestamp [ns] and X/Y/Z [dps])",
                         path=path, line=table.header_line)
    _, vals = table.read_all([lower.index("sensor timestamp [ns]"), *gyro.cols])
    if vals.shape[0] == 0:
        raise InputError("no data rows after the header", path=path, line=table.header_line)
    order = np.argsort(vals[:, 0], kind="stable")
    t = (vals[order, 0] - t0_ns) * 1e-9
    dps = vals[order, 1:] * GYRO_SCALE[gyro.unit]

    def at(t_s: np.ndarray) -> np.ndarray:
        return np.column_stack([np.interp(t_s, t, dps[:, k]) for k in range(3)])

    return at
