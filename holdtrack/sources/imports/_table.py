"""A delimited numeric table inside a file, read in chunks, and its conversion to SampleBlocks.

Importers describe *where* the numbers are (:class:`Table`) and *what* they mean (:class:`Plan`);
:func:`build_source` does the rest: probe the first chunk for rate and units, then stream blocks.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from holdtrack.errors import ConfigError, InputError
from holdtrack.model import RATE_LIMITS_HZ, SampleBlock
from holdtrack.sources.base import StreamInfo
from holdtrack.sources.imports._columns import ACC_SCALE, normalize_units
from holdtrack.sources.imports._container import Opener
from holdtrack.sources.imports._text import (
    HEAD_BYTES, check_finite, iter_lines, parse_numbers, sniff_decimal_comma, sniff_delimiter, split_cells,
    split_header,
)
from holdtrack.sources.imports._timebase import TimeCleaner, check_rate, detect_units, estimate_rate, units_note
from holdtrack.sources.imports import filesource as _fs
from holdtrack.sources.imports.filesource import FileSource

#: Lines of a file looked at to find the header and sniff the dialect.
SNIFF_LINES = 64
#: Rows read before the first block to estimate the rate and units (independent of the block size).
PROBE_ROWS = 4096


@dataclass
class Table:
    """Where the numbers are: header position, dialect and column names."""

    path: str
    opener: Opener
    names: list[str]
    header_line: int  # 1-based line of the (last) header row; 0 = no header
    delimiter: str | None
    decimal_comma: bool = False

    def chunks(self, cols: Sequence[int], size: int | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(line_numbers (n,), values (n, len(cols)))`` for the data rows, ``size`` (default
        :data:`~holdtrack.sources.imports.filesource.BLOCK_SAMPLES`) at a time."""
        size = size or _fs.BLOCK_SAMPLES
        lines: list[int] = []
        texts: list[str] = []
        with self.opener() as f:
            for lineno, text in iter_lines(f, self.path):
                if lineno <= self.header_line or not text.strip():
                    continue
                lines.append(lineno)
                texts.append(text)
                if len(texts) >= size:
                    yield self._parse(lines, texts, cols)
                    lines, texts = [], []
        if texts:
            yield self._parse(lines, texts, cols)

    def _parse(self, lines: list[int], texts: list[str], cols: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        ncols = len(self.names)
        rows = [split_cells(t, self.delimiter) for t in texts]
        for ln, cells in zip(lines, rows):
            if len(cells) != ncols and not (len(cells) == ncols + 1 and not cells[-1].strip()):
                raise InputError(f"expected {ncols} fields, found {len(cells)}", path=self.path, line=ln)
        pick = itemgetter(*cols)
        sel = [pick(r) for r in rows] if len(cols) > 1 else [(r[cols[0]],) for r in rows]
        values = parse_numbers(sel, lines, [self.names[c] for c in cols], self.path, self.decimal_comma)
        return np.array(lines), values

    def read_all(self, cols: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """All data rows at once: ``(line_numbers (n,), values (n, len(cols)))``."""
        parts = list(self.chunks(cols))
        if not parts:
            return np.zeros(0, int), np.zeros((0, len(cols)))
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def head_lines(opener: Opener, path: str, n: int = SNIFF_LINES) -> list[tuple[int, str]]:
    """The first ``n`` lines of a file (numbered), read within the first HEAD_BYTES bytes."""
    with opener() as f:
        try:
            head = f.read(HEAD_BYTES)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - any read failure of a corrupt member
            raise InputError(f"cannot read the file: {exc}", path=path) from None
    out: list[tuple[int, str]] = []
    for item in iter_lines(io.BytesIO(head), path):
        out.append(item)
        if len(out) >= n:
            return out
    if out and len(head) == HEAD_BYTES and not head.endswith(b"\n"):
        out.pop()  # the last line may be cut
    return out


def locate_table(opener: Opener, path: str, is_header: Callable[[str], bool] | None = None,
                 headerless: bool = False) -> Table:
    """Find the header line (the first line ``is_header`` accepts, or the first non-blank line) and
    sniff the delimiter and decimal mark from the lines after it.

    With ``headerless`` the first line is data and columns are named ``col1..colN``.
    """
    lines = [(n, t) for n, t in head_lines(opener, path) if t.strip()]
    if not lines:
        raise InputError("empty file", path=path)
    if headerless:
        header_no, header = 0, None
        data = [t for _, t in lines]
    else:
        idx = next((i for i, (_, t) in enumerate(lines) if is_header is None or is_header(t)), None)
        if idx is None:
            raise InputError("no header line found", path=path, line=lines[0][0])
        header_no, header = lines[idx]
        data = [t for _, t in lines[idx + 1:]]
    if not data:
        raise InputError("no data rows after the header", path=path, line=header_no or None)
    try:
        delim = sniff_delimiter(header, data)
    except ValueError as exc:
        raise InputError(str(exc), path=path, line=header_no or lines[0][0]) from None
    if header is None:
        names = [f"col{i + 1}" for i in range(len(split_cells(data[0], delim)))]
        if delim is not None and names and split_cells(data[0], delim)[-1] == "":
            names.pop()
    else:
        names = split_header(header, delim)
    return Table(path, opener, names, header_no, delim, sniff_decimal_comma(data, delim))


# --------------------------------------------------------------------------------------------------


TimeFn = Callable[[np.ndarray], np.ndarray]


@dataclass
class Plan:
    """What the columns of a :class:`Table` mean.

    Attributes
    ----------
    format : format name for StreamInfo
    acc_cols : x, y, z column indices
    acc_unit : ``"g"``/``"mg"``/``"m/s2"`` if the format or header says so, else None (detect)
    time_cols : columns the time is computed from (empty: times come from ``--rate``)
    time_fn : factory of a stateful function (n, len(time_cols)) values -> absolute times, s; the function
        may have a ``notes() -> list[str]`` method, called when the file has been read
    gyro_cols, gyro_scale : gyroscope columns and their deg/s per unit
    gyro_at : or a function giving the gyroscope (n, 3) deg/s at absolute times (another file)
    """

    format: str
    acc_cols: tuple[int, int, int]
    acc_unit: str | None = None
    time_cols: tuple[int, ...] = ()
    time_fn: Callable[[], TimeFn] | None = None
    gyro_cols: tuple[int, int, int] | None = None
    gyro_scale: float = 1.0
    gyro_at: Callable[[np.ndarray], np.ndarray] | None = None  # absolute times (s) -> (n, 3) deg/s
    notes: list[str] = field(default_factory=list)
    start_utc: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    rate_hz: float | None = None  # nominal rate stated in the file, if any


def check_args(units: str | None, rate: float | None) -> tuple[str | None, float | None]:
    """Validate the user's ``units`` and ``rate``; ConfigError if invalid."""
    u = None
    if units is not None:
        u = normalize_units(units)
        if u is None:
            raise ConfigError(f"unknown units {units!r}: use g, mg or m/s2")
    if rate is not None:
        try:
            rate = float(rate)
        except (TypeError, ValueError):
            raise ConfigError(f"invalid rate {rate!r}") from None
        if not (math.isfinite(rate) and rate > 0):
            raise ConfigError(f"invalid rate {rate!r}: must be a positive number of Hz")
        lo, hi = RATE_LIMITS_HZ
        if not lo <= rate <= hi:
            raise ConfigError(f"sample rate {rate!r} Hz is outside {lo:g}..{hi:g} Hz")
    return u, rate


def scaled_time(scale: float, offset: float = 0.0) -> Callable[[], TimeFn]:
    """Time function factory: seconds = (first time column - ``offset``) * ``scale`` (inf if out of range)."""

    def fn(v: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            return (v[:, 0] - offset) * scale

    return lambda: fn


def build_source(table: Table, plan: Plan, units: str | None = None, rate: float | None = None,
                 path: str | None = None) -> FileSource:
    """Probe the first rows (rate, units) and return a streaming FileSource for the table.

    ``path`` is the file the user named (a zip), if the table is a member inside it.
    """
    units, rate = check_args(units, rate)
    cols = list(plan.acc_cols) + list(plan.time_cols) + list(plan.gyro_cols or ())
    first = next(table.chunks(cols, PROBE_ROWS), None)
    if first is None:
        raise InputError("no data rows after the header", path=table.path, line=table.header_line or None)
    lines0, vals0 = first
    notes = list(plan.notes)
    nt = len(plan.time_cols)
    if nt == 0 and rate is None:
        raise InputError("no time column (t, time or timestamp): give the sample rate with --rate",
                         path=table.path, line=table.header_line or None)
    nominal = rate
    if nt:
        t0 = plan.time_fn()(vals0[:, 3:3 + nt]) if plan.time_fn else vals0[:, 3]  # type: ignore[misc]
        est = estimate_rate(t0)
        check_rate(est, table.path, table.header_line or None,
                   rows=t0.shape[0] if rate is None and plan.rate_hz is None else None)
        if rate is None:
            nominal = plan.rate_hz or est
            if plan.rate_hz is None and est is not None:
                notes.append(f"rate estimated from the median time step: {est:.4g} Hz")
    if units is not None:
        unit = units
        notes.append(units_note(unit, "given"))
    elif plan.acc_unit is not None:
        unit = plan.acc_unit
        notes.append(units_note(unit, "from the file"))
    else:
        unit, med = detect_units(vals0[:, :3], table.path, table.header_line or None)
        notes.append(units_note(unit, "detected", med))
    scale = ACC_SCALE[unit]
    info = StreamInfo(format=plan.format, path=path or table.path, rate_hz=nominal, start_utc=plan.start_utc,
                      notes=notes, settings=dict(plan.settings, units=unit))

    def produce(out_notes: list[str]) -> Iterator[SampleBlock]:
        time_fn = plan.time_fn() if plan.time_fn else None
        cleaner = TimeCleaner(table.path, nominal)
        index = 0
        for lines, vals in table.chunks(cols):
            n = len(lines)
            if nt == 0:
                t = (index + np.arange(n)) / nominal  # type: ignore[operator]
                keep = np.ones(n, bool)
            else:
                t_abs = time_fn(vals[:, 3:3 + nt]) if time_fn else vals[:, 3]
                keep, t = cleaner.clean(t_abs, lines)
            index += n
            gyro = None
            with np.errstate(over="ignore"):
                if plan.gyro_cols:
                    gyro = check_finite(vals[keep, 3 + nt:6 + nt] * plan.gyro_scale, lines[keep], table.path,
                                        "gyroscope")
                elif plan.gyro_at is not None and nt:
                    gyro = plan.gyro_at(t_abs[keep])
                acc = check_finite(vals[keep, :3] * scale, lines[keep], table.path, "acceleration")
            yield SampleBlock(t, acc, gyro)
        out_notes.extend(cleaner.notes())
        out_notes.extend(getattr(time_fn, "notes", lambda: [])())

    return FileSource(info, produce)
