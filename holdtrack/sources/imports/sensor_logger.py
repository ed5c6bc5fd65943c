"""Sensor Logger (Kelvin Choi, iOS/Android) exports: a zip of CSVs, the unzipped folder, or one CSV.

Per-sensor CSVs have the header ``time,seconds_elapsed,z,y,x`` (read by name): ``time`` is Unix epoch
ns (UTC), values are m/s² (gyroscope rad/s). Acceleration *with* gravity comes from
``TotalAcceleration.csv`` (Android) or ``Accelerometer.csv + Gravity.csv`` (iOS; Android's
``Accelerometer.csv`` also lacks gravity). ``Metadata.csv`` gives the platform and whether
"Standardise Units & Frames" was on; without it iOS acceleration has the opposite sign of Android's,
and is flipped here so that a phone lying face up reads +9.81 m/s² on z. The files are read whole
(phone exports are small), then cut into blocks.
"""

from __future__ import annotations

import csv
import os
from pathlib import PurePosixPath
from typing import Iterator

import numpy as np

from holdtrack.errors import InputError
from holdtrack.model import SampleBlock
from holdtrack.sources.base import StreamInfo
from holdtrack.sources.imports._columns import ACC_SCALE, GYRO_SCALE
from holdtrack.sources.imports._container import ZIP_LISTING, Container
from holdtrack.sources.imports._epoch import epoch_unit, utc_iso
from holdtrack.sources.imports._table import check_args, head_lines, locate_table
from holdtrack.sources.imports._text import check_finite
from holdtrack.sources.imports._timebase import TimeCleaner, check_rate, detect_units, estimate_rate, units_note
from holdtrack.sources.imports.filesource import FileSource, split_blocks

NAME = "sensor-logger"
TITLE = "Sensor Logger app export (zip, folder or CSV)"
_HEADER_START = "time,seconds_elapsed,"
_ACC_FILES = ("TotalAcceleration.csv", "Accelerometer.csv")


def sniff(head: bytes, filename: str) -> float:
    """0.9 for a Sensor Logger CSV header or a zip holding its accelerometer CSVs."""
    if head.startswith(ZIP_LISTING):
        names = {PurePosixPath(n).name.lower() for n in head.decode("utf-8", "replace").splitlines()[1:]}
        if names & {n.lower() for n in _ACC_FILES}:
            return 0.9 if names & {"metadata.csv", "gravity.csv", "gyroscope.csv"} else 0.6
        return 0.0
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").strip().lower()
    return 0.9 if first.startswith(_HEADER_START) else 0.0


def _metadata(box: Container, main: str) -> dict[str, str]:
    name = box.sibling(main, "Metadata.csv")
    if name is None:
        return {}
    lines = [t for _, t in head_lines(box.opener(name), box.display(name), 20) if t.strip()]
    try:
        rows = list(csv.reader(lines))
    except csv.Error as exc:
        raise InputError(f"unreadable metadata: {exc}", path=box.display(name)) from None
    if len(rows) < 2:
        return {}
    return {k.strip().lower(): v.strip() for k, v in zip(rows[0], rows[1])}


def _read_xyz(box: Container, name: str) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """(display name, line numbers, time ns as float (n,), xyz (n, 3)) of one sensor CSV."""
    label = box.display(name)
    table = locate_table(box.opener(name), label)
    lower = [c.strip().lower() for c in table.names]
    missing = [c for c in ("time", "x", "y", "z") if c not in lower]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)} (header: {', '.join(table.names)[:120]})",
                         path=label, line=table.header_line)
    lines, vals = table.read_all([lower.index(c) for c in ("time", "x", "y", "z")])
    if vals.shape[0] == 0:
        raise InputError("no data rows after the header", path=label, line=table.header_line)
    return label, lines, vals[:, 0], vals[:, 1:]


def _resample(t_ns: np.ndarray, src_t_ns: np.ndarray, xyz: np.ndarray) -> np.ndarray:
    """``xyz`` sampled at ``src_t_ns`` (sorted, de-duplicated) evaluated at ``t_ns`` (linear)."""
    order = np.argsort(src_t_ns, kind="stable")
    ts, keep = np.unique(src_t_ns[order], return_index=True)
    vals = xyz[order][keep]
    if ts.size == len(t_ns) and np.array_equal(ts, t_ns):
        return vals
    return np.column_stack([np.interp(t_ns, ts, vals[:, k]) for k in range(3)])


def _pick(box: Container, path: str) -> str:
    if not box.is_zip and os.path.isfile(path):
        return os.path.basename(path)
    for name in _ACC_FILES:
        found = box.find(name)
        if found is not None:
            return found  # the shallowest; other recordings in the same archive are ignored
    raise InputError("no TotalAcceleration.csv or Accelerometer.csv in the export", path=path)


def open_source(path: str, units: str | None = None, rate: float | None = None) -> FileSource:
    """Open a Sensor Logger export (zip, folder, or one per-sensor CSV with its siblings)."""
    path = os.fspath(path)
    units, rate = check_args(units, rate)
    box = Container(path)
    main = _pick(box, path)
    label, lines, t_ns, acc = _read_xyz(box, main)
    meta = _metadata(box, main)
    notes = [f"acceleration from {PurePosixPath(main).name}"]
    platform = meta.get("platform", "").lower()
    standardised = meta.get("standardisation", "").lower() == "true"
    gravity_included = True
    if epoch_unit(float(t_ns[0])) != (1e-9, "ns"):
        raise InputError(f"'time' {t_ns[0]:.6g} is not a Unix time in ns (1973-2100)", path=label, line=int(lines[0]))
    check_rate(estimate_rate(t_ns * 1e-9), label, int(lines[0]), rows=None if rate else t_ns.shape[0])
    cleaner = TimeCleaner(label, rate or estimate_rate(t_ns * 1e-9))
    keep, t_s = cleaner.clean(t_ns * 1e-9, lines)
    t_ns, acc = t_ns[keep], acc[keep]
    base = PurePosixPath(main).name
    with np.errstate(over="ignore", invalid="ignore"):
        small = bool(np.median(np.linalg.norm(acc, axis=1)) < 0.5 * 9.80665)  # < 0.5 g in m/s²
    if base.lower() == "accelerometer.csv" or (base.lower() != "totalacceleration.csv" and small):
        grav_name = box.sibling(main, "Gravity.csv")
        if grav_name is not None:
            _, _, g_t, g_xyz = _read_xyz(box, grav_name)
            with np.errstate(over="ignore", invalid="ignore"):
                acc = acc + _resample(t_ns, g_t, g_xyz)
            notes.append("gravity reconstructed from Gravity.csv")
        elif small:
            gravity_included = False
            notes.append(f"gravity not included ({base} without Gravity.csv): tilt cannot be measured")
    if platform == "ios" and not standardised:
        acc = -acc
        notes.append("iOS sign convention converted to Android's (all axes × -1)")
    if units is not None:
        unit, note = units, units_note(units, "given")
    elif platform == "ios" and not standardised and gravity_included:
        unit, med = detect_units(acc, label, None)  # Apple Watch / AirPods log g unless standardised
        note = units_note(unit, "detected", med)
    else:
        unit, note = "m/s2", units_note("m/s2", "from the file")
    notes.append(note)
    gyro = None
    gyro_name = box.sibling(main, "Gyroscope.csv")
    if gyro_name is not None:
        _, _, gy_t, gy_xyz = _read_xyz(box, gyro_name)
        with np.errstate(over="ignore", invalid="ignore"):
            gyro = _resample(t_ns, gy_t, gy_xyz) * GYRO_SCALE["rad/s"]
        notes.append("gyroscope from Gyroscope.csv (rad/s -> deg/s, interpolated onto accelerometer times)")
    kept_lines = lines[keep]
    with np.errstate(over="ignore", invalid="ignore"):
        acc = check_finite(acc * ACC_SCALE[unit], kept_lines, label, "acceleration")
        if gyro is not None:
            gyro = check_finite(gyro, kept_lines, label, "gyroscope")
    block = SampleBlock(t_s, acc, gyro)
    nominal = rate or estimate_rate(t_s)
    if rate is None and nominal is not None:
        notes.append(f"rate estimated from the median time step: {nominal:.4g} Hz")
    device = {"name": meta["device name"]} if meta.get("device name") else {}
    info = StreamInfo(format=NAME, path=path, rate_hz=nominal, start_utc=utc_iso(t_ns[0] * 1e-9),
                      notes=notes, device=device,
                      settings={"units": unit, "platform": platform or None, "gravity_included": gravity_included})
    extra = cleaner.notes()

    def produce(out: list[str]) -> Iterator[SampleBlock]:
        out.extend(extra)
        yield from split_blocks(block)

    return FileSource(info, produce)

