"""Reading .htrec session files back as a :class:`~holdtrack.sources.base.Source`.

Tolerated: a truncated or unreadable LAST line and a missing footer ("ended abruptly"), unknown record
kinds (skipped and counted), unknown header fields, newer minor versions. Rejected with
:class:`~holdtrack.errors.SessionFormatError` naming file and line: anything malformed before the last
line, unless ``salvage=True``, which skips such lines and lists them in ``problems``. Never evaluates
or unpickles anything: only JSON and base64 are parsed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO, Any, Iterator

from holdtrack.errors import InputError, SessionFormatError
from holdtrack.model import LinkEvent, SampleBlock
from holdtrack.session import format as fmt
from holdtrack.sources.base import Item, StreamInfo

_BOM = b"\xef\xbb\xbf"
_MAX_LISTED = 20  # problems listed one by one; more are summarised
_BLOCK = 1 << 20  # bytes read at a time


def _lines(f: IO[bytes], start_line: int) -> Iterator[tuple[int, int, bytes, bool]]:
    """``(line number, end offset, bytes, complete)`` for each line, its newline included; a line longer than
    ``fmt.MAX_LINE_BYTES`` (newline excluded) raises. Read in blocks of ``_BLOCK`` bytes."""
    line_no, pos, limit = start_line, f.tell(), fmt.MAX_LINE_BYTES
    carry: list[bytes] = []  # the start of a line that goes on in the next block
    while block := f.read(_BLOCK):
        start, cut = 0, block.find(b"\n")
        while cut >= 0:
            line_no += 1
            raw = block[start:cut + 1]
            if carry:
                raw = b"".join([*carry, raw])
                carry.clear()
            if len(raw) > limit + 1:
                _too_long(f, line_no)
            pos += len(raw)
            yield line_no, pos, raw, True
            start, cut = cut + 1, block.find(b"\n", cut + 1)
        if start < len(block):
            carry.append(block[start:] if start else block)
            if sum(map(len, carry)) > limit:
                _too_long(f, line_no + 1)
    if carry:
        raw = b"".join(carry)
        yield line_no + 1, pos + len(raw), raw, False


def _too_long(f: IO[bytes], line_no: int) -> None:
    raise SessionFormatError(f"line longer than {fmt.MAX_LINE_BYTES // 2**20} MiB; not a session file "
                             "this reader accepts", path=getattr(f, "name", None), line=line_no)


def _read_header(f: IO[bytes], path: str) -> tuple[dict[str, Any], list[str]]:
    raw = f.readline(fmt.MAX_LINE_BYTES + 1)
    if not raw:
        raise SessionFormatError("empty file, not a holdtrack session", path=path, line=1)
    if len(raw) > fmt.MAX_LINE_BYTES and not raw.endswith(b"\n"):
        raise SessionFormatError("not a holdtrack session file (line 1 is not a session header)", path=path, line=1)
    try:
        obj = fmt.loads(raw[3:] if raw.startswith(_BOM) else raw)
    except fmt.RecordError as exc:
        if not raw.endswith(b"\n") and raw.lstrip().startswith(b'{"' + fmt.MAGIC_KEY.encode()):
            raise SessionFormatError("file ends inside the header", path=path, line=1) from None
        raise SessionFormatError(f"not a holdtrack session file (line 1: {exc})", path=path, line=1) from None
    try:
        return fmt.validate_header(obj)
    except fmt.RecordError as exc:
        raise SessionFormatError(str(exc), path=path, line=1) from None


def _decode_record(rec: Any) -> tuple[str, Any] | None:
    """``(kind, value)`` of a parsed line, None for an unknown kind; raises :class:`fmt.RecordError`."""
    if not isinstance(rec, dict):
        raise fmt.RecordError("a record must be a JSON object")
    kind = rec.get("k")
    if kind == fmt.REC_PACKETS:
        return kind, fmt.decode_packets(rec)
    if kind == fmt.REC_SAMPLES:
        return kind, fmt.decode_samples(rec)
    if kind == fmt.REC_EVENT:
        return kind, fmt.decode_event(rec)
    if kind == fmt.REC_END:
        return kind, fmt.decode_end(rec)
    if not isinstance(kind, str):
        raise fmt.RecordError("record without a kind field 'k'")
    return None


@dataclass
class _Record:
    line: int
    end_offset: int
    kind: str
    value: Any  # PacketBatch | SampleBlock | LinkEvent | (packets, samples) for "end"


class SessionSource:
    """A session file as a source of :class:`RawPacket` / :class:`SampleBlock` / :class:`LinkEvent`.

    Created by :func:`read_session`. Each iteration re-reads the file lazily (O(batch) memory).

    Attributes
    ----------
    info : StreamInfo with ``format="htrec"``, profile, settings, rate_hz, device, start_utc, notes (the
        header's notes, then ``problems``; updated at the end of each full iteration)
    header : the header record as read (unknown fields included)
    ended_cleanly : True when the file ends with a footer (checked at open, confirmed by iterating)
    problems : what was tolerated or skipped, one line each (complete after a full iteration)
    packets, samples : counts read by the last full iteration
    skipped_lines, unknown_records : lines skipped by salvage / records of unknown kind
    """

    def __init__(self, path: str, *, salvage: bool = False) -> None:
        self.path = path
        self.salvage = salvage
        try:
            f = open(path, "rb")
        except FileNotFoundError:
            raise InputError("no such file", path=path) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=path) from None
        with f:
            self.header, header_notes = _read_header(f, path)
            self._data_start = f.tell()
            self.ended_cleanly = self._ends_with_footer(f)
        self._open_problems = list(header_notes)
        if not self.ended_cleanly:
            self._open_problems.append("session ended abruptly (no footer): the recording was interrupted")
        self.info: StreamInfo = fmt.header_info(self.header, path, list(self._open_problems))
        self._file_notes = self.info.notes[: len(self.info.notes) - len(self._open_problems)]
        self.problems: list[str] = list(self._open_problems)
        self.packets = self.samples = self.skipped_lines = self.unknown_records = 0
        self.footer: tuple[int, int] | None = None

    def _ends_with_footer(self, f: IO[bytes]) -> bool:
        size = f.seek(0, os.SEEK_END)
        start = max(self._data_start, size - 4096)
        f.seek(start)
        tail = f.read().rstrip(b"\r\n\t ")
        last = tail.rsplit(b"\n", 1)[-1] if tail else b""
        try:
            rec = fmt.loads(last)
            return isinstance(rec, dict) and rec.get("k") == fmt.REC_END
        except fmt.RecordError:
            return False

    # ---------------------------------------------------------------------------------------------
    def _note(self, message: str) -> None:
        if len(self.problems) < _MAX_LISTED + len(self._open_problems):
            self.problems.append(message)

    def records(self) -> Iterator[_Record]:
        """Every readable record in file order (footer included), updating the counters."""
        self.problems = list(self._open_problems)
        self.packets = self.samples = self.skipped_lines = self.unknown_records = 0
        self.footer = None
        pending: tuple[int, str] | None = None  # a bad line: fatal unless it turns out to be the last
        footer_line: int | None = None
        truncated = False
        with open(self.path, "rb") as f:
            f.seek(self._data_start)
            for line_no, end, raw, complete in _lines(f, 1):
                if raw.isspace():  # blank (never empty)
                    continue
                if pending is not None:
                    self._bad_line(*pending)
                    pending = None
                try:
                    rec = self._decode(raw)
                except fmt.RecordError as exc:
                    pending = (line_no, str(exc))
                    truncated = not complete
                    continue
                if rec is None:
                    self.unknown_records += 1
                    continue
                kind, value = rec
                if footer_line is not None:
                    self._note(f"line {footer_line}: footer before the end of the file (ignored)")
                    footer_line = None
                if kind == fmt.REC_END:
                    footer_line, self.footer = line_no, value
                    continue
                if kind == fmt.REC_PACKETS:
                    self.packets += len(value)
                elif kind == fmt.REC_SAMPLES:
                    self.samples += len(value)
                yield _Record(line_no, end, kind, value)
        if pending is not None:
            what = "truncated" if truncated else "unreadable"
            self._note(f"session ended abruptly: last line ({pending[0]}) {what}, ignored")
            footer_line = None
        self.ended_cleanly = footer_line is not None
        if footer_line is not None:
            yield _Record(footer_line, -1, fmt.REC_END, self.footer)
            if self.footer != (self.packets, self.samples) and not self.skipped_lines:
                self._note(f"footer counts {self.footer[0]} packets / {self.footer[1]} samples but the file "
                           f"holds {self.packets} / {self.samples}")
        if self.skipped_lines > _MAX_LISTED:
            self.problems.append(f"{self.skipped_lines} malformed lines skipped in all")
        if self.unknown_records:
            self.problems.append(f"{self.unknown_records} records of unknown kind skipped")
        self.info.notes[:] = self._file_notes + self.problems  # analysis results report what was tolerated

    def _bad_line(self, line_no: int, message: str) -> None:
        if not self.salvage:
            raise SessionFormatError(f"{message} (use salvage to recover the rest)", path=self.path, line=line_no)
        self.skipped_lines += 1
        self._note(f"line {line_no}: {message} (skipped)")

    @staticmethod
    def _decode(raw: bytes) -> tuple[str, Any] | None:
        try:
            return _decode_record(fmt.loads_fast(raw))
        except fmt.RecordError:  # the exact record or message of the stdlib parser (see fmt.loads_fast)
            return _decode_record(fmt.loads(raw))

    def __iter__(self) -> Iterator[Item]:
        for rec in self.records():
            if rec.kind == fmt.REC_PACKETS:
                yield from rec.value.packets()
            elif rec.kind != fmt.REC_END:
                yield rec.value

    def batches(self) -> Iterator[fmt.PacketBatch | SampleBlock | LinkEvent]:
        """Like iterating, but packets come as whole :class:`PacketBatch` lines (fast, vectorisable)."""
        for rec in self.records():
            if rec.kind != fmt.REC_END:
                yield rec.value

    def read_all(self) -> list[Item]:
        """Every item in memory (small files, tests)."""
        return list(self)


def read_session(path: str | os.PathLike[str], *, salvage: bool = False) -> SessionSource:
    """Open a session file: the header is checked now, the records as they are iterated.

    Raises :class:`SessionFormatError` (file and line) for a file that is not a readable session, and
    during iteration for a malformed line before the last one unless ``salvage``.
    """
    return SessionSource(os.fspath(path), salvage=salvage)


@dataclass
class AppendScan:
    """What :class:`~holdtrack.session.writer.SessionWriter` needs to continue a session."""

    header: dict[str, Any]
    packets: int
    samples: int
    last_time_s: float | None
    good_size: int  # bytes to keep: everything up to the last data record (no footer, no partial line)


def _last_time(value: Any) -> float | None:
    if isinstance(value, fmt.PacketBatch):
        return max(value.host_time_s) if len(value) else None
    if isinstance(value, SampleBlock):
        return float(value.t_s.max()) if len(value) else None
    return value.host_time_s if isinstance(value, LinkEvent) else None


def scan_for_append(path: str) -> AppendScan:
    """Read a session fully (strictly) to continue it; raises SessionFormatError if it is damaged."""
    src = SessionSource(path)
    good, last_t = src._data_start, None
    for rec in src.records():
        if rec.kind == fmt.REC_END:
            continue
        good = rec.end_offset
        t = _last_time(rec.value)
        if t is not None:
            last_t = t if last_t is None else max(last_t, t)
    return AppendScan(src.header, src.packets, src.samples, last_t, good)


__all__ = ["SessionSource", "read_session", "scan_for_append", "AppendScan"]
