"""Reading delimited text tables safely: binary checks, line limits, dialect sniffing, numeric cells.

Every error is an :class:`~holdtrack.errors.InputError` naming the file and the 1-based line.
"""

from __future__ import annotations

import csv
import re
import zipfile
import zlib
from typing import BinaryIO, Iterator, Sequence

import numpy as np

from holdtrack.errors import InputError

#: Longest accepted line, bytes. Longer lines mean the input is not a sensor table.
MAX_LINE_BYTES = 1 << 16
#: Bytes read from the start of a file to sniff its format and dialect.
HEAD_BYTES = 1 << 16

# C0 control bytes never found in text tables (tab, LF, CR, FF are allowed).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$")
_CANDIDATES: tuple[str | None, ...] = ("\t", ";", ",", None)  # None: runs of spaces


def binary_offset(head: bytes) -> int | None:
    """Offset of the first control byte (NUL...) that text files never contain, or None."""
    m = _CONTROL.search(head)
    return m.start() if m else None


def iter_lines(stream: BinaryIO, path: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` without line endings; a UTF-8 BOM is dropped.

    Raises InputError for over-long lines, binary bytes and read failures (corrupt zip members).
    Invalid UTF-8 is replaced (it can only matter in free-text preamble lines).
    """
    lineno = 0
    while True:
        try:
            raw = stream.readline(MAX_LINE_BYTES + 1)
        except InputError:
            raise
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error, RuntimeError, ValueError) as exc:
            raise InputError(f"cannot read the file: {exc}", path=path, line=lineno + 1) from None
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES:
            raise InputError(
                f"line longer than {MAX_LINE_BYTES} bytes: not a sensor table", path=path, line=lineno + 1
            )
        bad = binary_offset(raw)
        if bad is not None:
            raise InputError(
                f"binary data (byte 0x{raw[bad]:02x}) in a text file", path=path, line=lineno + 1
            )
        text = raw.decode("utf-8", errors="replace")
        if lineno == 0 and text.startswith("\ufeff"):
            text = text[1:]
        for part in text.rstrip("\r\n").split("\r"):  # lone CR (classic Mac) ends a line too
            lineno += 1
            yield lineno, part


def split_cells(text: str, delimiter: str | None) -> list[str]:
    """Split a data line into stripped cells (surrounding double quotes removed)."""
    cells = text.split(delimiter) if delimiter is not None else text.split()
    out = []
    for c in cells:
        c = c.strip()
        if len(c) >= 2 and c[0] == c[-1] == '"':
            c = c[1:-1].strip()
        out.append(c)
    return out


def split_header(text: str, delimiter: str | None) -> list[str]:
    """Split a header line, honouring quotes; a trailing empty name (trailing delimiter) is dropped."""
    if delimiter is None:
        names = text.split()
    else:
        names = [c.strip() for c in next(csv.reader([text], delimiter=delimiter))]
    while names and names[-1] == "":
        names.pop()
    return names


def _counts(lines: Sequence[str], delimiter: str | None) -> list[int]:
    out = []
    for line in lines:
        cells = split_cells(line, delimiter)
        if delimiter is not None and len(cells) > 1 and cells[-1] == "":
            cells.pop()  # trailing delimiter
        out.append(len(cells))
    return out


def sniff_delimiter(header: str | None, data: Sequence[str]) -> str | None:
    """Pick the delimiter (tab, ``;``, ``,`` or whitespace) giving the same field count >= 2 on most lines.

    The header, if given, must split into the same number of fields as the data lines. Raises
    ValueError when no candidate fits.
    """
    lines = [x for x in data if x.strip()][:50]
    if not lines:
        raise ValueError("no data lines")
    for cand in _CANDIDATES:
        counts = _counts(lines, cand)
        mode = max(set(counts), key=counts.count)
        if mode < 2 or counts.count(mode) < 0.8 * len(counts):
            continue  # a few malformed rows are reported later, with their line numbers
        if header is not None and _counts([header], cand)[0] != mode:
            continue
        return cand
    raise ValueError("cannot tell the column separator (tried tab, ';', ',', spaces)")


def sniff_decimal_comma(data: Sequence[str], delimiter: str | None) -> bool:
    """True when numbers use a decimal comma (only possible with tab, ``;`` or space separators)."""
    if delimiter == ",":
        return False
    for line in data[:50]:
        if any(_DECIMAL_COMMA.match(c) for c in split_cells(line, delimiter)):
            return True
    return False


def is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return False
    return True


def parse_numbers(
    rows: list[list[str]],
    linenos: Sequence[int],
    names: Sequence[str],
    path: str,
    decimal_comma: bool = False,
) -> np.ndarray:
    """Convert string cells to a float array ``(len(rows), len(names))``; non-finite cells are errors."""
    if decimal_comma:
        rows = [[c.replace(",", ".") for c in r] for r in rows]
    try:
        arr = np.array(rows, dtype=np.float64).reshape(len(rows), len(names))
    except ValueError:
        for r, ln in zip(rows, linenos):
            for c, name in zip(r, names):
                try:
                    float(c)
                except ValueError:
                    shown = c if len(c) <= 40 else c[:37] + "..."
                    what = "empty cell" if not c else f"{shown!r} is not a number"
                    raise InputError(f"column {name!r}: {what}", path=path, line=int(ln)) from None
        raise  # pragma: no cover - numpy and float() agree on what a number is
    finite = np.isfinite(arr)
    if not finite.all():
        i, j = np.argwhere(~finite)[0]
        raise InputError(f"column {names[j]!r}: {rows[i][j]!r} is not a finite number", path=path,
                         line=int(linenos[i]))
    return arr
