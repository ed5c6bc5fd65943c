"""A live window for ``record`` / ``replay`` / ``demo``: rolling acceleration, state, hold timer, score.

API (what callers use)::

    from holdtrack.plot.live import open_live_view

    view = open_live_view("plank (simulated)", rate_hz=100.0, window=not args.no_window)
    view.attach(proc)                  # proc: StreamProcessor; the view taps the samples it processes
    for item in source:
        proc.push(item)
        view.update(proc.status())     # cheap: redraws at most ``fps`` times a second
        if view.closed:                # the user closed the window
            break
    view.close()

* ``view.feed(proc)`` after each push does both: it attaches on first use and redraws with ``proc.status()``
  when a frame is due (what ``holdtrack.cli.live.LiveDisplay`` calls).
* ``view.pump(seconds)`` instead of ``time.sleep(seconds)`` while waiting for the next notification (e.g. as
  the ``sleep`` of a paced source): the frames that fall due meanwhile are drawn, so the trace scrolls
  smoothly (``fps``, default 25) however the samples are bunched into notifications.
* :func:`open_live_view` returns a :class:`LiveView` (matplotlib window, blitting) when
  :func:`live_view_available` and ``window`` is true, otherwise a :class:`TerminalStatus` (the one-line status
  on stderr). Both have ``attach(proc)``, ``update(status, t_s=None, acc_mps2=None)``, ``pump(seconds)``,
  ``closed``, ``close()``.
* Without ``attach``, pass the new samples yourself: ``update(status, t_s, acc_mps2)`` with ``t_s`` (n,) s on the
  status' time axis (s since the first sample) and ``acc_mps2`` (n, 3) m/s².
* ``holdtrack record`` (several wearables): :func:`open_window` ``(names)`` -> a status window (or None) with
  ``update(statuses)``, one LiveStatus or None per device, and ``close()``.
* Memory is bounded however long the session: fixed-size ring buffers (:class:`Ring`); the x axis is
  "seconds before now", so the axes never move and only the traces and changed texts are redrawn
  (blitting). Cost and how it is measured: docs/benchmarks.md, ``scripts/bench_live.py``.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from holdtrack.plot import palette as pal
from holdtrack.plot._decimate import column_band
from holdtrack.plot._tap import Ring, SampleTap, ScrollClock

if TYPE_CHECKING:
    from holdtrack.plot._statuswindow import StatusWindow
    from holdtrack.stream import LiveStatus, StreamProcessor

#: Interactive backends tried in order.
BACKENDS = ("TkAgg", "QtAgg", "GTK4Agg", "GTK3Agg")
_backend: str | None = None
#: Longest time between redraws of the header texts while the state stays the same, s.
TEXT_INTERVAL_S = 0.1
#: Width of the acceleration traces, points.
LINE_W_PT = 0.8
#: Where each header text (state, hold timer, score, info line) may draw: (x0, y0, x1, y1), figure fraction.
#: Only the slot of a text that changed is restored, redrawn and blitted.
TEXT_SLOTS = ((0.0, 0.79, 0.255, 0.925), (0.255, 0.79, 0.515, 0.925), (0.515, 0.79, 1.0, 0.925),
              (0.45, 0.93, 1.0, 1.0))


def live_view_available() -> bool:
    """True if a window can be opened: a display is set and an interactive matplotlib backend loads."""
    global _backend
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    if _backend is not None:
        return True
    import matplotlib

    for name in BACKENDS:
        try:
            matplotlib.use(name, force=True)
            import matplotlib.pyplot as plt

            plt.figure().clear()
            plt.close("all")
        except Exception:  # noqa: BLE001 - any failure means "this backend cannot show a window"
            continue
        _backend = name
        return True
    return False


def open_window(names: Sequence[str]) -> "StatusWindow | None":
    """The multi-device status window of ``holdtrack record`` (None without a display): ``update(statuses)``
    with one LiveStatus or None per device (about twice a second), ``close()``."""
    if not live_view_available():
        return None
    from holdtrack.plot._statuswindow import StatusWindow

    try:
        return StatusWindow(names)
    except Exception as exc:  # noqa: BLE001 - a window that fails to open must not stop a recording
        print(f"holdtrack: live window unavailable ({exc})", file=sys.stderr)
        return None


def open_live_view(title: str, rate_hz: float, *, window: bool = True, window_s: float = 10.0,
                   fps: float = 25.0) -> "LiveView | TerminalStatus":
    """A :class:`LiveView` if ``window`` and a display is usable, else a :class:`TerminalStatus`."""
    if window and live_view_available():
        try:
            return LiveView(title, rate_hz, window_s=window_s, fps=fps)
        except Exception as exc:  # noqa: BLE001 - a window that fails to open must not stop a recording
            print(f"holdtrack: live window unavailable ({exc}); showing the status line", file=sys.stderr)
    return TerminalStatus()


class TerminalStatus:
    """The fallback view: ``status.line()`` on stderr (rewritten in place on a terminal, every 5 s otherwise)."""

    def __init__(self, stream: Any = None, interval_s: float | None = None) -> None:
        self.stream = stream or sys.stderr
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._tty = tty
        self.interval_s = interval_s if interval_s is not None else (0.25 if tty else 5.0)
        self._last = -1e9
        self.closed = False
        self.lines = 0

    def attach(self, proc: "StreamProcessor") -> None:
        """Nothing to tap: the status line needs no samples."""

    def feed(self, proc: "StreamProcessor") -> None:
        """Call after each push: prints ``proc.status()`` when a line is due."""
        if time.monotonic() - self._last >= self.interval_s:
            self.update(proc.status())

    def pump(self, seconds: float) -> None:
        """Wait ``seconds`` (nothing to draw meanwhile)."""
        time.sleep(max(0.0, seconds))

    def update(self, status: "LiveStatus", t_s: Any = None, acc_mps2: Any = None) -> None:
        now = time.monotonic()
        if now - self._last < self.interval_s:
            return
        self._last = now
        self.lines += 1
        self.stream.write(("\r" + status.line() + "\x1b[K") if self._tty else status.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._tty and self.lines:
            self.stream.write("\n")
            self.stream.flush()
        self.closed = True


class LiveView:
    """The live window (needs :func:`live_view_available`; use :func:`open_live_view`).

    Parameters
    ----------
    title : window and figure title
    rate_hz : nominal sample rate, Hz (sizes the ring buffer)
    window_s : seconds of acceleration shown
    fps : most frames per second

    Frames are due on a fixed grid of ``1 / fps``; they are drawn after a push (:meth:`feed`,
    :meth:`update`) or while the caller waits (:meth:`pump`). The right edge of the plot follows a
    :class:`~holdtrack.plot._tap.ScrollClock`, so the trace scrolls smoothly between sample bursts.
    """

    def __init__(self, title: str, rate_hz: float, *, window_s: float = 10.0, fps: float = 25.0) -> None:
        if not live_view_available():
            raise RuntimeError("no display or interactive matplotlib backend")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Polygon

        self.window_s = float(window_s)
        self.min_interval_s = 1.0 / fps
        self.ring = Ring(int(np.ceil(window_s * rate_hz * 1.25)) + 16, 3)
        self.tap: SampleTap | None = None
        self.clock = ScrollClock()
        self.shown_s = float("nan")  # stream time at the right edge in the last frame, s
        self.frames = 0
        self.full_draws = 0
        self.closed = False
        self._next_frame = -1e9  # monotonic s
        self._frame_wall_s = 0.01  # running mean of a frame's wall time, s
        self._ylim = (-12.0, 12.0)
        self._status: LiveStatus | None = None
        with plt.rc_context(pal.rc("screen")):
            self.fig, self.ax = plt.subplots(figsize=(9.0, 5.5))
        fig, ax = self.fig, self.ax
        fig.subplots_adjust(left=0.08, right=0.98, top=0.72, bottom=0.11)
        fig.canvas.manager.set_window_title(f"holdtrack live: {title}")
        fig.text(0.01, 0.97, title, ha="left", va="top", fontsize=12, fontweight="bold")
        ax.set_xlim(-self.window_s, 0.0)
        ax.set_ylim(*self._ylim)
        ax.set_xlabel("seconds before now (s)")
        ax.set_ylabel("acceleration (m/s²)")
        # each axis is drawn as the filled band its line covers (column_band): Agg fills far faster than it
        # strokes a dense line; the (empty) lines only label the legend
        lines = [ax.plot([], [], color=c, lw=LINE_W_PT, label=n)[0] for c, n in zip(pal.AXES, "xyz")]
        ax.legend(handles=lines, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3)
        self.bands = [ax.add_patch(Polygon(np.zeros((0, 2)), closed=True, fc=c, ec="none", lw=0.0, animated=True))
                      for c in pal.AXES]
        box = {"boxstyle": "round,pad=0.35", "fc": pal.STATE["waiting"], "ec": "none"}
        # the texts live in a header band above the axes: the traces never cover them
        self.state_text = fig.text(0.01, 0.855, "waiting", ha="left", va="center", fontsize=17, fontweight="bold",
                                   color="white", bbox=box, animated=True)
        self.hold_text = fig.text(0.26, 0.855, "", ha="left", va="center", fontsize=16, animated=True)
        self.score_text = fig.text(0.52, 0.855, "", ha="left", va="center", fontsize=16, animated=True)
        self.info_text = fig.text(0.99, 0.97, "", ha="right", va="top", fontsize=9, family="monospace",
                                  color=pal.TEXT_MUTED, animated=True)
        self._texts: list[str | None] = [None] * len(TEXT_SLOTS)
        self._text_at = -1e9
        fig.canvas.mpl_connect("close_event", self._on_close)
        fig.canvas.mpl_connect("resize_event", lambda _e: self._full_draw())
        plt.show(block=False)
        self._full_draw()

    # ------------------------------------------------------------------ API
    def attach(self, proc: "StreamProcessor") -> None:
        """Tap ``proc``: every sample block its pipeline processes reaches this view (bounded buffer)."""
        self.tap = SampleTap(proc, max_samples=self.ring.capacity)

    def feed(self, proc: "StreamProcessor") -> None:
        """Call after each push: taps ``proc`` on first use, takes its new samples, and draws a frame (with
        ``proc.status()``) when one is due."""
        if self.tap is None or self.tap.proc is not proc:
            if self.tap is not None:
                self.tap.detach()
            self.attach(proc)
        if self.closed:
            return
        self._take()
        if time.monotonic() >= self._next_frame:
            self.update(proc.status())

    def update(self, status: "LiveStatus", t_s: Any = None, acc_mps2: Any = None) -> None:
        """New status (and samples, if not attached); draws a frame if one is due."""
        if self.closed:
            return
        self._take(t_s, acc_mps2)
        self._status = status
        if time.monotonic() >= self._next_frame:
            self._timed_frame()
        else:
            self.fig.canvas.flush_events()

    def pump(self, seconds: float) -> None:
        """Wait ``seconds`` while drawing the frames that fall due (the trace scrolls on between sample
        arrivals) and answering the window: pass as a paced source's ``sleep`` (``LiveDisplay.sleep``)."""
        end = time.monotonic() + max(0.0, seconds)
        while not self.closed:
            now = time.monotonic()
            if now >= end:
                return
            # a frame only if it ends before the wait does: the caller's next sample must not wait for it
            if now >= self._next_frame and self.ring.count and end - now > self._frame_wall_s:
                self._timed_frame()
                continue
            wake = self._next_frame if now < self._next_frame and self.ring.count else end
            time.sleep(min(wake, end) - now)
        time.sleep(max(0.0, end - time.monotonic()))

    def close(self) -> None:
        """Close the window (idempotent)."""
        import matplotlib.pyplot as plt

        if not self.closed:
            self.closed = True
            plt.close(self.fig)
        if self.tap is not None:
            self.tap.detach()
            self.tap = None

    # ------------------------------------------------------------------ drawing
    def _on_close(self, _event: Any) -> None:
        self.closed = True

    def _take(self, t_s: Any = None, acc_mps2: Any = None) -> None:
        """New samples (given, or from the tap) into the ring; their arrival sets the scroll clock."""
        count = self.ring.count
        if t_s is not None and acc_mps2 is not None:
            self.ring.extend(np.asarray(t_s, dtype=np.float64), np.asarray(acc_mps2, dtype=np.float64))
        if self.tap is not None:
            self.ring.extend(*self.tap.take())
        if self.ring.count > count:
            self.clock.arrive(time.monotonic(), float(self.ring.t[(self.ring.count - 1) % self.ring.capacity]))

    def _timed_frame(self) -> None:
        """Draw a frame now; the next is due one interval later on the grid (one interval from now if late)."""
        now = time.monotonic()
        self._next_frame += self.min_interval_s
        if self._next_frame <= now:
            self._next_frame = now + self.min_interval_s
        self._frame()
        self._frame_wall_s += 0.1 * (time.monotonic() - now - self._frame_wall_s)

    def _full_draw(self) -> None:
        """Redraw everything static; keep the backgrounds of the animated regions: the axes (traces) and
        one slot per header text."""
        from matplotlib.transforms import Bbox

        canvas = self.fig.canvas
        canvas.draw()
        self._bg_axes = canvas.copy_from_bbox(self.ax.bbox)
        to_px = self.fig.transFigure.transform
        self._slots = [Bbox(to_px([(x0, y0), (x1, y1)])) for x0, y0, x1, y1 in TEXT_SLOTS]
        self._bg_slots = [canvas.copy_from_bbox(slot) for slot in self._slots]
        self._max_bins = max(100, int(self.ax.bbox.width / 2))  # a column of the trace per 2 pixels
        self._texts = [None] * len(TEXT_SLOTS)  # nothing animated is on the new background
        self.full_draws += 1

    def _status_texts(self) -> tuple[str, ...]:
        st = self._status
        if st is None:
            return ("waiting", "", "", "")
        rate = f"{st.rate_hz:.1f} Hz" if st.rate_hz else "-- Hz"
        timed = st.state in ("still", "holding")
        return (st.state,
                f"hold {st.hold_time_s:5.1f} s" if timed else "",
                "" if st.provisional_score is None else f"score {st.provisional_score:.0f} (provisional)",
                f"{st.elapsed_s:6.0f} s   {rate}   loss {100 * st.packet_loss:4.1f} %   holds {st.holds}")

    def _texts_frame(self, now: float) -> None:
        """Redraw and blit the slot of each header text that changed (the state at once, the rest <= 10 Hz)."""
        texts = self._status_texts()
        state_changed = texts[0] != self._texts[0]
        if not state_changed and now - self._text_at < TEXT_INTERVAL_S and None not in self._texts:
            return
        canvas = self.fig.canvas
        arts = (self.state_text, self.hold_text, self.score_text, self.info_text)
        if state_changed:
            self.state_text.get_bbox_patch().set_facecolor(pal.STATE.get(texts[0], pal.GAP))
        for i, (art, text, slot) in enumerate(zip(arts, texts, self._slots)):
            if text == self._texts[i]:
                continue
            canvas.restore_region(self._bg_slots[i])
            art.set_text(text)
            self.fig.draw_artist(art)
            canvas.blit(slot)
            self._texts[i] = text
        self._text_at = now

    def _frame(self) -> None:
        t, a = self.ring.ordered()
        now = self.clock.now(time.monotonic())
        if not np.isfinite(now):
            now = t[-1] if t.size else 0.0
        self.shown_s = now
        # what is visible, with one sample beyond each edge so the traces reach them
        i0, i1 = np.searchsorted(t, (now - self.window_s, now), side="right")
        t, a = t[max(i0 - 1, 0):i1 + 1], a[max(i0 - 1, 0):i1 + 1]
        if a.size and self._rescale(a):
            self._full_draw()
        self._texts_frame(time.monotonic())
        canvas = self.fig.canvas
        canvas.restore_region(self._bg_axes)
        if t.size:
            px = (self._ylim[1] - self._ylim[0]) / self.ax.bbox.height  # m/s² per pixel
            x, outline = column_band(t - now, a, self._max_bins, 0.5 * LINE_W_PT * self.fig.dpi / 72.0 * px)
            for j, band in enumerate(self.bands):
                band.set_xy(np.column_stack([x, outline[:, j]]))
                self.ax.draw_artist(band)
        canvas.blit(self.ax.bbox)
        canvas.flush_events()
        self.frames += 1

    def _rescale(self, a: np.ndarray) -> bool:
        """Widen (or, when far too wide, narrow) the fixed y range; True if it changed (needs a full draw)."""
        lo, hi = float(a.min()), float(a.max())
        y0, y1 = self._ylim
        if lo >= y0 and hi <= y1 and (hi - lo) > 0.25 * (y1 - y0):
            return False
        pad = max(1.0, 0.15 * (hi - lo))
        new = (np.floor(lo - pad), np.ceil(hi + pad))
        if new == self._ylim:
            return False
        self._ylim = new
        self.ax.set_ylim(*new)
        return True
