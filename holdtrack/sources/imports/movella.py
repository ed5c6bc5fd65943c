"""Movella (Xsens) DOT app CSV exports.

Layout (formats.md §6): a preamble of ``Key:,value`` lines (``sep=,`` Excel hint, ``OutputRate:,60Hz``,
``StartTime: ,2023-06-22_10:04:46_985 CEST``, a © line, a blank line), then the header
``PacketCounter,SampleTimeFine,Acc_X,...`` with rows ending in a trailing comma. ``SampleTimeFine`` is
the device clock in µs (u32, wraps after ≈71.6 min) and gives the sample times; ``PacketCounter``
(u16) jumps reveal lost samples. ``Acc_*`` m/s² include gravity (``FreeAcc_*`` do not); ``Gyr_*`` deg/s.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import numpy as np

from holdtrack.errors import InputError
from holdtrack.sources.imports._container import file_opener
from holdtrack.sources.imports._table import Plan, TimeFn, build_source, head_lines, locate_table
from holdtrack.sources.imports.filesource import FileSource

NAME = "movella"
TITLE = "Movella/Xsens DOT app CSV export"
_U32 = float(2**32)
_U16 = 65536
_META = re.compile(r"^([^:,]+):\s*,(.*)$")  # "Key:,value" and "StartTime: ,value"
_START = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{2}:\d{2}:\d{2})_(\d{3})\s*(\S*)$")
#: UTC offsets (hours) of the zone abbreviations the DOT app writes that are unambiguous.
_ZONES = {"UTC": 0, "GMT": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
          "MSK": 3, "JST": 9, "KST": 9, "EST": -5, "EDT": -4, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6}


def _is_header(text: str) -> bool:
    return text.startswith("PacketCounter") or bool(re.search(r"(^|,)(Free)?Acc_X,", text))


def sniff(head: bytes, filename: str) -> float:
    """0.9 when the head has the DOT preamble or a ``PacketCounter``/``Acc_X`` header."""
    if head.startswith(b"\x00"):
        return 0.0
    text = head.decode("utf-8", "replace")
    if "PacketCounter" in text and ("SampleTimeFine" in text or "Acc_X" in text):
        return 0.9
    return 0.5 if text.startswith("sep=,") and "DeviceTag:" in text else 0.0


class _DeviceClock:
    """SampleTimeFine (µs, u32) -> s with wraps unwrapped; counts PacketCounter jumps (lost samples)."""

    def __init__(self, has_counter: bool, time_col: int | None, rate_hz: float | None) -> None:
        self.has_counter, self.time_col, self.rate = has_counter, time_col, rate_hz
        self.last_t: float | None = None
        self.wraps = 0
        self.last_c: int | None = None
        self.last_full: int | None = None
        self.c_wraps = 0
        self.lost = 0

    def _counter(self, c: np.ndarray) -> np.ndarray:
        """Unwrap the u16 counter and count the samples its jumps skip."""
        raw_prev = np.concatenate([[c[0] if self.last_c is None else self.last_c], c[:-1]])
        wrapped = (c - raw_prev) < -_U16 // 2
        full = c + _U16 * (self.c_wraps + np.cumsum(wrapped))
        prev = np.concatenate([[full[0] - 1 if self.last_full is None else self.last_full], full[:-1]])
        self.lost += int(np.clip(full - prev - 1, 0, None).sum())
        self.c_wraps += int(wrapped.sum())
        self.last_c, self.last_full = int(c[-1]), int(full[-1])
        return full

    def __call__(self, v: np.ndarray) -> np.ndarray:
        count = self._counter(v[:, 0].astype(np.int64)) if self.has_counter else None
        if self.time_col is None:
            return count / self.rate  # type: ignore[operator]
        t = v[:, self.time_col]
        prev = np.concatenate([[t[0] if self.last_t is None else self.last_t], t[:-1]])
        wrapped = (t - prev) < -_U32 / 2
        out = (t + _U32 * (self.wraps + np.cumsum(wrapped))) * 1e-6
        self.wraps += int(np.sum(wrapped))
        self.last_t = float(t[-1])
        return out

    def notes(self) -> list[str]:
        out = [f"{self.lost} lost samples (PacketCounter jumps)"] if self.lost else []
        if self.wraps:
            out.append(f"SampleTimeFine wrapped {self.wraps} time(s) (u32 µs)")
        return out


def _preamble(lines: list[tuple[int, str]], header_line: int) -> dict[str, str]:
    meta = {}
    for n, text in lines:
        if n >= header_line:
            break
        m = _META.match(text)
        if m:
            meta[m.group(1).strip().lower()] = m.group(2).strip()
    return meta


def _start_utc(text: str) -> tuple[str | None, str | None]:
    """(ISO UTC time, note) from ``2023-06-22_10:04:46_985 CEST``."""
    m = _START.match(text.strip())
    if not m:
        return None, None
    try:
        local = dt.datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}.{m.group(3)}")
    except ValueError:
        return None, None
    zone = m.group(4).upper()
    if zone in _ZONES:
        try:
            utc = local - dt.timedelta(hours=_ZONES[zone])
        except OverflowError:
            return None, None
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z", None
    return None, f"start time {local.isoformat(timespec='milliseconds')} {zone or '(no zone)'} (zone not converted)"


def open_source(path: str, units: str | None = None, rate: float | None = None) -> FileSource:
    """Open a Movella DOT CSV export."""
    path = os.fspath(path)
    opener = file_opener(path)
    table = locate_table(opener, path, _is_header)
    meta = _preamble(head_lines(opener, path), table.header_line)
    names = table.names
    notes: list[str] = []
    if meta.get("devicetag"):
        notes.append(f"device tag {meta['devicetag']!r}")
    gravity = True
    try:
        acc = tuple(names.index(f"Acc_{a}") for a in "XYZ")
    except ValueError:
        try:
            acc = tuple(names.index(f"FreeAcc_{a}") for a in "XYZ")
            gravity = False
            notes.append("free acceleration (gravity removed): tilt cannot be measured")
        except ValueError:
            raise InputError("no Acc_X/Acc_Y/Acc_Z (or FreeAcc_*) columns; export with acceleration enabled",
                             path=path, line=table.header_line) from None
    m = re.match(r"^\s*([\d.]+)\s*Hz", meta.get("outputrate", ""), re.IGNORECASE)
    stated = float(m.group(1)) if m else None
    time_cols: list[int] = []
    has_counter = "PacketCounter" in names
    if has_counter:
        time_cols.append(names.index("PacketCounter"))
    time_col = None
    if "SampleTimeFine" in names:
        time_col = len(time_cols)
        time_cols.append(names.index("SampleTimeFine"))
    if not time_cols:
        raise InputError("no SampleTimeFine or PacketCounter column", path=path, line=table.header_line)
    clock_rate = rate or stated
    if time_col is None and clock_rate is None:
        raise InputError("no SampleTimeFine column and no OutputRate: give the sample rate with --rate",
                         path=path, line=table.header_line)
    plan = Plan(NAME, acc, acc_unit="m/s2", time_cols=tuple(time_cols), notes=notes, rate_hz=stated,
                time_fn=lambda: _DeviceClock(has_counter, time_col, clock_rate),
                settings={"gravity_included": gravity})
    if all(f"Gyr_{a}" in names for a in "XYZ"):
        plan.gyro_cols = tuple(names.index(f"Gyr_{a}") for a in "XYZ")  # type: ignore[assignment]
    plan.start_utc, note = _start_utc(meta.get("starttime", ""))
    if note:
        notes.append(note)
    return build_source(table, plan, units, rate)
