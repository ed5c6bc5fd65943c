"""The multi-device status window of ``holdtrack record`` (one row per wearable, updated ~2 times a second).

Each row: the device name, its state (coloured), hold timer and provisional score, and the hold timer over
the last :data:`HISTORY_S` seconds, kept in a fixed-size :class:`~holdtrack.plot._tap.Ring` (bounded memory).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from holdtrack.plot import palette as pal
from holdtrack.plot._tap import Ring

if TYPE_CHECKING:
    from holdtrack.stream import LiveStatus

#: Seconds of hold-timer history shown per device.
HISTORY_S = 120.0


class StatusWindow:
    """One window, one row per device; ``update(statuses)`` takes a LiveStatus or None per device."""

    def __init__(self, names: Sequence[str]) -> None:
        import matplotlib.pyplot as plt

        self.names = list(names)
        self.closed = False
        self.frames = 0
        k = max(1, len(self.names))
        height = 1.2 + 1.9 * k  # inches
        with plt.rc_context(pal.rc("screen")):
            self.fig, axes = plt.subplots(k, 1, figsize=(9.0, height), squeeze=False)
        self.fig.subplots_adjust(left=0.33, right=0.97, top=1.0 - 0.75 / height, bottom=0.9 / height, hspace=0.6)
        self.fig.canvas.manager.set_window_title("holdtrack record")
        self.fig.suptitle("holdtrack record", x=0.01, ha="left", fontweight="bold")
        self.axes = list(axes[:, 0])
        self.rings = [Ring(int(HISTORY_S * 4) + 8, 1) for _ in self.names]
        self.lines, self.state_texts, self.detail_texts = [], [], []
        for ax, name in zip(self.axes, self.names):
            ax.set_xlim(-HISTORY_S, 0.0)
            ax.set_ylim(0.0, 60.0)
            ax.set_ylabel("hold (s)")
            self.lines.append(ax.plot([], [], color=pal.HOLD, lw=1.6)[0])
            ax.text(-0.5, 1.0, name, transform=ax.transAxes, ha="left", va="top", fontsize=11, fontweight="bold")
            box = {"boxstyle": "round,pad=0.3", "fc": pal.STATE["waiting"], "ec": "none"}
            self.state_texts.append(ax.text(-0.5, 0.55, "not connected", transform=ax.transAxes, ha="left",
                                            va="center", fontsize=13, fontweight="bold", color="white", bbox=box))
            self.detail_texts.append(ax.text(-0.5, 0.05, "", transform=ax.transAxes, ha="left", va="bottom",
                                             fontsize=9, family="monospace", color=pal.TEXT_MUTED))
        self.axes[-1].set_xlabel("seconds before now (s)")
        self.fig.canvas.mpl_connect("close_event", self._on_close)
        plt.show(block=False)
        self.fig.canvas.draw()
        self.fig.canvas.flush_events()

    def _on_close(self, _event: Any) -> None:
        self.closed = True

    def update(self, statuses: Sequence["LiveStatus | None"]) -> None:
        """Show the latest status of each device (None: not connected)."""
        if self.closed:
            return
        now = time.monotonic()
        for i, st in enumerate(list(statuses)[: len(self.names)]):
            ring, ax = self.rings[i], self.axes[i]
            label = "not connected" if st is None else st.state
            self.state_texts[i].set_text(label)
            self.state_texts[i].get_bbox_patch().set_facecolor(pal.STATE.get(label, pal.GAP))
            if st is None:
                self.detail_texts[i].set_text("")
                ring.extend(np.array([now]), np.array([[np.nan]]))
            else:
                score = "--" if st.provisional_score is None else f"{st.provisional_score:.0f}"
                self.detail_texts[i].set_text(f"hold {st.hold_time_s:5.1f} s  score {score}\n"
                                              f"{st.elapsed_s:6.0f} s  loss {100 * st.packet_loss:.1f} %  "
                                              f"holds {st.holds}")
                ring.extend(np.array([now]), np.array([[st.hold_time_s]]))
            t, v = ring.last(HISTORY_S)
            self.lines[i].set_data(t - now, v[:, 0])
            top = np.nanmax(v) if np.isfinite(v).any() else 0.0
            if top > ax.get_ylim()[1] * 0.95:
                ax.set_ylim(0.0, 60.0 * np.ceil(top * 1.2 / 60.0))
        self.fig.canvas.draw_idle()
        self.fig.canvas.flush_events()
        self.frames += 1

    def close(self) -> None:
        import matplotlib.pyplot as plt

        if not self.closed:
            self.closed = True
            plt.close(self.fig)
