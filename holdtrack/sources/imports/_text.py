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
#: Bytes read at a time.
READ_BYTES = 1 << 20

# C0 control bytes never found in text tables (tab, LF, CR, FF are allowed).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$")
_CANDIDATES: tuple[str | None, ...] = ("\t", ";", ",", None)  # None: runs of spaces


def binary_offset(head: bytes) -> int | None:
    """Offset of the first control byte (NUL...) that text files never contain, or None."""
    m = _CONTROL.search(head)
    return m.start() if m else None


def _read_error(exc: Exception, path: str, line: int) -> InputError:
    return InputError(f"cannot read the file: {exc}", path=path, line=line)


def iter_lines(stream: BinaryIO, path: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` without line endings; a UTF-8 BOM is dropped.

    Reads ``stream`` in blocks of READ_BYTES. Raises InputError for over-long lines, binary bytes and
    read failures (corrupt zip members). Invalid UTF-8 is replaced (it can only matter in free-text
    preamble lines). A lone CR (classic Mac line end) ends a line too.
    """
    lineno, carry, first = 0, b"", True
    while True:
        try:
            data = stream.read(READ_BYTES)
        except InputError:
            raise
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error, RuntimeError, ValueError) as exc:
            raise _read_error(exc, path, lineno + 1) from None
        buf = carry + data
        cut = buf.rfind(b"\n") + 1 if data else len(buf)
        chunk, carry = buf[:cut], buf[cut:]
        if len(carry) > MAX_LINE_BYTES:
            raise InputError(f"line longer than {MAX_LINE_BYTES} bytes: not a sensor table", path=path,
                             line=lineno + chunk.count(b"\n") + 1)
        bad = binary_offset(chunk)
        if bad is not None:
            raise InputError(f"binary data (byte 0x{chunk[bad]:02x}) in a text file", path=path,
                             line=lineno + chunk.count(b"\n", 0, bad) + 1)
        text = chunk.decode("utf-8", errors="replace")
        if first and text:
            text, first = (text[1:] if text.startswith("\ufeff") else text), False
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if lines and max(map(len, lines)) > MAX_LINE_BYTES:
            i = next(k for k, x in enumerate(lines) if len(x) > MAX_LINE_BYTES)
            raise InputError(f"line longer than {MAX_LINE_BYTES} bytes: not a sensor table", path=path,
                             line=lineno + i + 1)
        for line in lines:
            if line.endswith("\r"):
                line = line[:-1]
            if "\r" in line:
                for part in line.split("\r"):
                    lineno += 1
                    yield lineno, part
            else:
                lineno += 1
                yield lineno, line
        if not data:
            return


def split_cells(text: str, delimiter: str | None) -> list[str]:
    """Split a data line into cells; quoted cells are stripped of spaces and their double quotes.

    Unquoted cells keep surrounding spaces (number parsing ignores them).
    """
    cells = text.split(delimiter) if delimiter is not None else text.split()
    if '"' not in text:
        return cells
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
        try:
            names = [c.strip() for c in next(csv.reader([text], delimiter=delimiter), [])]
        except csv.Error:  # stray CR or quote: fall back to a plain split
            names = split_cells(text, delimiter)
    while names and names[-1] == "":
        names.pop()
    return names


def _counts(lines: Sequence[str], delimiter: str | None) -> list[int]:
    out = []
    for line in lines:
        cells = split_cells(line, delimiter)
        if delimiter is not None and len(cells) > 1 and not cells[-1].strip():
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
        if any(_DECIMAL_COMMA.match(c.strip()) for c in split_cells(line, delimiter)):
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
                    what = "empty cell" if not c.strip() else f"{shown.strip()!r} is not a number"
                    raise InputError(f"column {name!r}: {what}", path=path, line=int(ln)) from None
        raise  # pragma: no cover - numpy and float() agree on what a number is
    finite = np.isfinite(arr)
    if not finite.all():
        i, j = np.argwhere(~finite)[0]
        raise InputError(f"column {names[j]!r}: {rows[i][j]!r} is not a finite number", path=path,
                         line=int(linenos[i]))
    return arr


def check_finite(values: np.ndarray, lines: Sequence[int], path: str, what: str) -> np.ndarray:
    """``values`` (n, k) unchanged, or InputError at the first row whose scaled value overflowed."""
    ok = np.isfinite(values).all(axis=1)
    if not ok.all():
        raise InputError(f"{what} value out of range", path=path, line=int(lines[int(np.argmin(ok))]))
    return values
