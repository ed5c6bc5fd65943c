"""Crash-safe, append-only writer of .htrec session files.

Every record is written as one whole line with ``os.write`` (no user-space buffer), so a killed process
leaves at most one partial last line, which readers ignore. Packets are batched for at most
:data:`~holdtrack.session.format.BATCH_SPAN_S` s of host time; the file is ``fsync``-ed at least once
per ``fsync_interval_s`` (measured by the injected ``clock`` if given, else by the items' host times).
The writer never reads a clock itself.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any, Callable, Mapping

from holdtrack.errors import ConfigError, HoldtrackError
from holdtrack.model import LinkEvent, RawPacket, SampleBlock
from holdtrack.session import format as fmt
from holdtrack.sources.base import StreamInfo

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock
    fcntl = None  # type: ignore[assignment]

_DISK_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


class SessionWriteError(HoldtrackError):
    """Writing a session failed (disk full, file too large, I/O error); the file stays readable."""

    def __init__(self, message: str, *, path: str, errno_: int | None = None) -> None:
        super().__init__(message)
        self.message, self.path, self.errno = message, path, errno_

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class SessionWriter:
    """Record a stream to a session file as it arrives.

    Parameters
    ----------
    path : the .htrec file to create (or to continue, with ``append=True``)
    info : what the stream is; its ``profile`` decides the header's ``content`` unless given
    append : continue an existing session after a restart: its header and time base are kept, a partial
        last line or the footer are cut off, and a ``"restart"`` event precedes the new items.
        Host times passed in must count from the original ``start_utc`` (see :attr:`start_utc`).
    clock : monotonic clock, s, used only to time fsyncs; None = time fsyncs by the items' host times
    fsync_interval_s : longest time between fsyncs, s
    content, created_utc, source, pipeline, characteristics : header fields (see ``build_header``)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        info: StreamInfo,
        *,
        append: bool = False,
        clock: Callable[[], float] | None = None,
        fsync_interval_s: float = 1.0,
        content: str | None = None,
        created_utc: str | None = None,
        source: Mapping[str, Any] | None = None,
        pipeline: Mapping[str, Any] | None = None,
        characteristics: Mapping[str, str] | None = None,
    ) -> None:
        self.path = str(path)
        self._clock = clock
        self._fsync_interval_s = fsync_interval_s
        self._batch: list[RawPacket] = []
        self._pending_restart = False
        self._last_sync: float | None = None
        self._last_t: float | None = None
        self._failed: SessionWriteError | None = None
        self._closed = False
        self.packets = 0
        self.samples = 0
        if append and Path(self.path).exists():
            self._open_append(info)
        else:
            self.header = fmt.build_header(info, content=content, created_utc=created_utc, source=source,
                                           pipeline=pipeline, characteristics=characteristics)
            line = fmt.dumps(self.header)
            self._fd = self._open(os.O_CREAT, truncate=True)
            self._size = 0
            try:
                self._write(line, sync=True)
            except BaseException:
                self._closed = True
                os.close(self._fd)
                raise

    # ---------------------------------------------------------------------------------------------
    @property
    def start_utc(self) -> str | None:
        """ISO 8601 UTC time of host time 0 (the original one when appending)."""
        return self.header.get("start_utc")

    @property
    def last_time_s(self) -> float | None:
        """Host time of the last item written (or read, when appending), s."""
        return self._last_t

    def _open(self, flags: int, *, truncate: bool = False) -> int:
        """Open for writing and take an exclusive lock (so two recorders never share a file)."""
        try:
            fd = os.open(self.path, os.O_WRONLY | flags | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise SessionWriteError(f"cannot open for writing: {exc.strerror}", path=self.path,
                                    errno_=exc.errno) from None
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if truncate:
                os.ftruncate(fd, 0)
        except OSError as exc:
            os.close(fd)
            busy = exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN)
            raise SessionWriteError("another process is writing this session file" if busy else
                                    f"cannot open for writing: {exc.strerror}", path=self.path,
                                    errno_=exc.errno) from None
        return fd

    def _open_append(self, info: StreamInfo) -> None:
        from holdtrack.session.reader import scan_for_append

        self._fd = self._open(0)  # locked before reading, so the scan sees the final state
        try:
            scan = scan_for_append(self.path)
            self.header = scan.header
            if info.profile and self.header.get("profile") and info.profile != self.header.get("profile"):
                raise ConfigError(f"{self.path}: cannot append a {info.profile!r} stream to a "
                                  f"{self.header.get('profile')!r} session")
            os.ftruncate(self._fd, scan.good_size)  # cut a partial last line or the footer
        except OSError as exc:
            os.close(self._fd)
            raise SessionWriteError(f"cannot truncate for appending: {exc.strerror}", path=self.path,
                                    errno_=exc.errno) from None
        except BaseException:
            os.close(self._fd)
            raise
        self.packets, self.samples, self._last_t = scan.packets, scan.samples, scan.last_time_s
        self._size = scan.good_size
        os.lseek(self._fd, self._size, os.SEEK_SET)
        self._pending_restart = True

    # ---------------------------------------------------------------------------------------------
    def _write(self, line: bytes, *, t: float | None = None, sync: bool = False) -> None:
        """Write one whole line; on failure cut the file back to its last complete line."""
        if self._failed is not None:
            raise self._failed
        if self._closed:
            raise ValueError("write to a closed SessionWriter")
        view, done = memoryview(line), 0
        try:
            while done < len(line):
                done += os.write(self._fd, view[done:])
        except OSError as exc:
            self._fail(exc)
        self._size += len(line)
        now = self._clock() if self._clock is not None else t
        if sync or (now is not None and (self._last_sync is None or now - self._last_sync >= self._fsync_interval_s)):
            try:
                os.fsync(self._fd)
            except OSError as exc:
                self._fail(exc)
            self._last_sync = now

    def _fail(self, exc: OSError) -> None:
        try:
            os.ftruncate(self._fd, self._size)
        except OSError:
            pass
        why = "disk full" if exc.errno in _DISK_FULL else exc.strerror or str(exc)
        self._failed = SessionWriteError(
            f"recording stopped: {why} ({exc.strerror}); the file is readable up to the last complete record",
            path=self.path, errno_=exc.errno)
        raise self._failed from None

    def _item_time(self, t: float) -> None:
        if self._pending_restart:
            self._pending_restart = False
            if self._last_t is not None and t < self._last_t:
                raise ConfigError(f"{self.path}: appended host time {t:.3f} s is before the session's last "
                                  f"time {self._last_t:.3f} s; host times must count from start_utc")
            self._write(fmt.dumps(fmt.event_record("restart", t)), t=t)
        self._last_t = t if self._last_t is None else max(self._last_t, t)

    def _flush_batch(self) -> None:
        if self._batch:
            batch, self._batch = self._batch, []
            self._write(fmt.dumps(fmt.packets_record(batch)), t=batch[-1].host_time_s)

    # ---------------------------------------------------------------------------------------------
    def write_packet(self, packet: RawPacket) -> None:
        """Add one notification; written with its batch (<= 0.5 s of host time, one characteristic)."""
        if self._batch and (
            packet.characteristic != self._batch[0].characteristic
            or packet.host_time_s - self._batch[0].host_time_s > fmt.BATCH_SPAN_S
            or len(self._batch) >= fmt.BATCH_MAX_PACKETS
        ):
            self._flush_batch()
        self._item_time(packet.host_time_s)
        self._batch.append(packet)
        self.packets += 1

    def write_block(self, block: SampleBlock) -> None:
        """Write a block of samples now (split into lines of at most 65536 samples)."""
        self._flush_batch()
        if len(block) == 0:
            return
        self._item_time(float(block.t_s[0]))
        for start in range(0, len(block), fmt.BLOCK_MAX_SAMPLES):
            part = block.slice(start, start + fmt.BLOCK_MAX_SAMPLES)
            self._write(fmt.dumps(fmt.samples_record(part)), t=float(part.t_s[-1]))
            self.samples += len(part)
        self._last_t = max(self._last_t or float(block.t_s[-1]), float(block.t_s[-1]))

    def write_event(self, event: LinkEvent) -> None:
        """Write a link event now (after any pending packets)."""
        self._flush_batch()
        self._item_time(event.host_time_s)
        self._write(fmt.dumps(fmt.event_record(event)), t=event.host_time_s)

    def write(self, item: RawPacket | SampleBlock | LinkEvent) -> None:
        """Write any source item."""
        if isinstance(item, RawPacket):
            self.write_packet(item)
        elif isinstance(item, SampleBlock):
            self.write_block(item)
        elif isinstance(item, LinkEvent):
            self.write_event(item)
        else:
            raise TypeError(f"cannot record {type(item).__name__}")

    def flush(self) -> None:
        """Write pending packets and fsync (call it when the stream goes idle)."""
        if self._failed is None and not self._closed:
            self._flush_batch()
            try:
                os.fsync(self._fd)
            except OSError as exc:
                self._fail(exc)

    def close(self, reason: str = "clean") -> None:
        """Write pending packets and the footer, fsync and close. After a write error, just close."""
        if self._closed:
            return
        try:
            if self._failed is None:
                self._flush_batch()
                self._write(fmt.dumps(fmt.end_record(self._last_t, self.packets, self.samples, reason)), sync=True)
        finally:
            self._closed = True
            os.close(self._fd)

    def abort(self) -> None:
        """Close without a footer (the file then reads as "ended abruptly"); pending packets are written."""
        if not self._closed:
            try:
                if self._failed is None:
                    self._flush_batch()
            finally:
                self._closed = True
                os.close(self._fd)

    def __enter__(self) -> "SessionWriter":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


__all__ = ["SessionWriter", "SessionWriteError"]
