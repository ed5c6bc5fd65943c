"""File importers: generic CSV tables and phone/vendor app exports, as streaming SampleBlock sources.

Each format registers ``(name, sniff, open)``:

* ``sniff(head_bytes, filename) -> score`` in [0, 1] (0 = not this format). For a zip archive
  ``head_bytes`` is :data:`ZIP_LISTING` followed by the member names, one per line.
* ``open(path, units, rate) -> FileSource``.

:func:`open_import` is the entry point used by :func:`holdtrack.analysis.analyze`.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from typing import Callable

from holdtrack.errors import InputError, UnknownFormatError
from holdtrack.sources.imports import generic_csv, movella, phyphox, polar_logger, sensor_logger
from holdtrack.sources.imports._container import ZIP_LISTING, Container
from holdtrack.sources.imports._text import HEAD_BYTES, binary_offset
from holdtrack.sources.imports.filesource import FileSource


@dataclass(frozen=True)
class Format:
    """One importable format."""

    name: str
    title: str
    sniff: Callable[[bytes, str], float]
    open: Callable[..., FileSource]


#: Every format, in ``--format`` order; on equal sniff scores the earlier one wins.
REGISTRY: list[Format] = [
    Format(m.NAME, m.TITLE, m.sniff, m.open_source)
    for m in (generic_csv, sensor_logger, phyphox, movella, polar_logger)
]

#: Format names for ``--format`` (besides ``auto``).
FORMATS: list[str] = [f.name for f in REGISTRY]


def _check_path(path: str) -> None:
    if not os.path.exists(path):
        raise InputError("no such file", path=path)
    if os.path.isdir(path):
        raise InputError("is a directory, not a file", path=path)


def sniff_head(path: str) -> bytes:
    """What the sniffers see: the first bytes, or the zip member listing."""
    _check_path(path)
    if zipfile.is_zipfile(path):
        names = Container(path).names()
        return ZIP_LISTING + "\n".join(names).encode("utf-8", errors="replace")
    try:
        with open(path, "rb") as f:
            return f.read(HEAD_BYTES)
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror or exc}", path=path) from None


def detect_format(path: str | os.PathLike[str]) -> str:
    """Name of the best-matching format; UnknownFormatError naming the file if none matches."""
    path = os.fspath(path)
    head = sniff_head(path)
    if not head:
        raise UnknownFormatError("empty file", path=path)
    name = os.path.basename(path)
    scores = [(fmt.sniff(head, name), -i, fmt.name) for i, fmt in enumerate(REGISTRY)]
    best = max(scores)
    if best[0] <= 0:
        if head.startswith(ZIP_LISTING):
            why = "a zip archive of no known export (Sensor Logger, phyphox)"
        elif binary_offset(head) is not None:
            why = f"binary data (byte 0x{head[binary_offset(head) or 0]:02x} at offset {binary_offset(head)})"
        else:
            why = "no known header"
        raise UnknownFormatError(f"unrecognised file format: {why}; choose one with --format "
                                 f"({', '.join(FORMATS)})", path=path)
    return best[2]


def open_import(path: str | os.PathLike[str], format: str = "auto", units: str | None = None,
                rate: float | None = None) -> FileSource:
    """Open an exported file as a streaming source of SampleBlocks.

    Parameters
    ----------
    path : the file (CSV/TXT table or zip archive)
    format : ``"auto"`` (sniff) or one of :data:`FORMATS`
    units : acceleration units ``"g"``, ``"mg"`` or ``"m/s2"`` (else from the file or detected)
    rate : sample rate, Hz: required when the file has no time column; otherwise the nominal rate

    Raises
    ------
    InputError (UnknownFormatError) naming the file and line; ConfigError for bad ``units``/``rate``.
    """
    path = os.fspath(path)
    _check_path(path)
    name = detect_format(path) if format in (None, "auto") else format
    for fmt in REGISTRY:
        if fmt.name == name:
            return fmt.open(path, units=units, rate=rate)
    raise UnknownFormatError(f"unknown format {format!r}: choose auto or one of {', '.join(FORMATS)}",
                             path=path)


__all__ = ["FORMATS", "REGISTRY", "Format", "FileSource", "detect_format", "open_import", "ZIP_LISTING"]
