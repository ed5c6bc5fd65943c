"""Live feedback while a stream is processed: a plot window when possible, else a terminal status line.

Used by ``demo``, ``record`` and ``replay``. The window comes from :mod:`holdtrack.plot.live` (matplotlib),
imported only when a display is available and wanted.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class LiveDisplay:
    """Show a :class:`~holdtrack.stream.StreamProcessor`'s progress at a bounded refresh rate.

    Parameters
    ----------
    title : window title / status prefix
    rate_hz : nominal sample rate (sizes the live window's buffers)
    window : try a live plot window (falls back to the status line without a display)
    stream : where the status line goes (default stderr); it is drawn only on a terminal
    """

    def __init__(self, title: str, rate_hz: float, *, window: bool = True, stream: TextIO | None = None,
                 interval_s: float = 0.25) -> None:
        self.title = title
        self.stream = stream or sys.stderr
        self.interval_s = interval_s
        self._last = 0.0
        self._view: Any = None
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        if window:
            try:
                from holdtrack.plot.live import LiveView, live_view_available
            except ImportError:
                live_view_available = None  # type: ignore[assignment]
            if live_view_available is not None and live_view_available():
                self._view = LiveView(title, rate_hz)

    def update(self, proc: Any, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval_s:
            if self._view is not None:
                self._view.feed(proc)
            return
        self._last = now
        status = proc.status()
        if self._view is not None:
            self._view.feed(proc)
            self._view.update(status)
        elif self._tty:
            self.stream.write("\r" + status.line() + "\x1b[K")
            self.stream.flush()

    def close(self) -> None:
        if self._view is not None:
            self._view.close()
        elif self._tty:
            self.stream.write("\n")
            self.stream.flush()
