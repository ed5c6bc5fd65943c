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
    interval_s : time between status lines, s
    fps : most frames per second of the window

    Call :meth:`update` after each push; pass :meth:`sleep` as a paced source's ``sleep`` so the window
    keeps scrolling (and answering) while the source waits for the next notification.
    """

    def __init__(self, title: str, rate_hz: float, *, window: bool = True, stream: TextIO | None = None,
                 interval_s: float = 0.25, fps: float = 25.0) -> None:
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
                self._view = LiveView(title, rate_hz, fps=fps)

    def update(self, proc: Any, *, force: bool = False) -> None:
        """After each push: the window takes the new samples (and redraws when a frame is due); without a
        window the status line is rewritten every ``interval_s`` (or at once with ``force``)."""
        if self._view is not None:
            self._view.feed(proc)
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval_s:
            return
        self._last = now
        if self._tty:
            self.stream.write("\r" + proc.status().line() + "\x1b[K")
            self.stream.flush()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``; the window draws frames meanwhile."""
        if self._view is not None:
            self._view.pump(seconds)
        elif seconds > 0:
            time.sleep(seconds)

    def close(self) -> None:
        if self._view is not None:
            self._view.close()
        elif self._tty:
            self.stream.write("\n")
            self.stream.flush()
