"""Per-hold panels of the hold graph: sway path with its 95 % ellipse, and a text summary."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
from matplotlib.patches import Ellipse

from holdtrack.plot import palette as pal
from holdtrack.signal.bands import SWAY_VIEW_BAND_HZ, ellipse95, sway_path

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import SubFigure

    from holdtrack.analysis import AnalysisResult
    from holdtrack.model import Hold

#: Most points drawn in a sway path (longer paths are subsampled: the sway band ends at 5 Hz).
MAX_SWAY_POINTS = 6000
#: (metric key, label, unit, format) shown in the summary when present.
SHOWN_METRICS: tuple[tuple[str, str, str, str], ...] = (
    ("rms_mps2", "sway RMS", "m/s²", ".3f"),
    ("jerk_rms_mps3", "jerk RMS", "m/s³", ".2f"),
    ("ellipse95_area_m2ps4", "95% ellipse area", "(m/s²)²", ".3g"),
    ("centroid_freq_hz", "centroid frequency", "Hz", ".2f"),
    ("f95_hz", "F95", "Hz", ".2f"),
    ("tremor_8_12hz_power_m2ps4", "tremor 8-12 Hz", "(m/s²)²", ".2g"),
    ("tilt_max_deg", "tilt max", "°", ".1f"),
    ("tilt_drift_deg_per_min", "tilt drift", "°/min", ".2f"),
    ("fatigue_index", "fatigue index", "", ".2f"),
)
TEXT_WIDTH = 40
LINE_SPACING = 1.25


def draw_hold_panels(sub: "SubFigure", r: "AnalysisResult", numbers: list[int], font: float,
                     overview: bool = True) -> None:
    """One column pair (sway, summary) per hold number (1-based) in ``numbers``; ``overview``: say how many
    holds were left out."""
    k = len(numbers)
    ratios = [1.0, 1.5] * k
    axes = sub.subplots(1, 2 * k, width_ratios=ratios, squeeze=False)[0]
    more = len(r.holds) - k if overview else 0
    for i, n in enumerate(numbers):
        h = r.holds[n - 1]
        _sway(axes[2 * i], r, h, n)
        _summary(axes[2 * i + 1], h, n, font * (0.82 if k >= 3 else 1.0), _height_pt(sub))
    if more > 0:
        sub.text(0.995, 0.005, f"{more} more hold{'s' * (more != 1)} not shown here: plot one with --hold N",
                 ha="right", va="bottom", color=pal.TEXT_MUTED, fontsize=font - 1)


def no_holds_text(sub: "SubFigure", r: "AnalysisResult", font: float) -> None:
    """The bottom row when nothing qualified as a hold."""
    ax = sub.subplots()
    ax.set_axis_off()
    n_still = sum(1 for s in r.still_periods if s.kind == "hold")
    n_rest = sum(1 for s in r.still_periods if s.kind == "rest")
    min_hold = getattr(r.config, "min_hold_s", None)
    need = f" (a hold needs at least {min_hold:g} s of loaded stillness)" if min_hold else ""
    msg = (f"No holds detected{need}.\n"
           f"{n_still} still period{'s' * (n_still != 1)} under load, {n_rest} rest period{'s' * (n_rest != 1)}.")
    ax.text(0.5, 0.5, msg, ha="center", va="center", fontsize=font * 1.4, color=pal.TEXT_MUTED,
            transform=ax.transAxes, linespacing=1.6)


def _sway(ax: "Axes", r: "AnalysisResult", h: "Hold", n: int) -> None:
    lo, hi = SWAY_VIEW_BAND_HZ
    ax.set_title(f"Hold {n}: sway ({lo:g}-{hi:g} Hz)", loc="left")
    ax.set_xlabel("horizontal axis 1 (m/s²)")
    ax.set_ylabel("horizontal axis 2 (m/s²)")
    ax.set_aspect("equal", adjustable="box")
    tr = r.trace
    xy = None
    if tr is not None and tr.t_s.size:
        guard = min(getattr(r.config, "score_guard_s", 0.5), 0.1 * h.duration_s)  # leave out the transitions
        sel = (tr.t_s >= h.start_s + guard) & (tr.t_s <= h.end_s - guard)
        xy = sway_path(tr.acc_mps2[sel], tr.rate_hz)
    if xy is None:
        ax.text(0.5, 0.5, "too short or no signal\nfor a sway path", ha="center", va="center",
                transform=ax.transAxes, color=pal.TEXT_MUTED)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    step = max(1, int(math.ceil(xy.shape[0] / MAX_SWAY_POINTS)))
    ax.plot(xy[::step, 0], xy[::step, 1], color=pal.AXES[0], lw=0.5, alpha=0.55)
    lim = float(np.max(np.abs(xy))) * 1.08 or 0.01
    el = ellipse95(xy)
    if el is not None:
        a, b, ang, _area = el
        ax.add_patch(Ellipse((0.0, 0.0), 2 * a, 2 * b, angle=ang, fill=False, ec=pal.THRESHOLD, lw=1.6,
                             gid="ellipse95"))
        # no number here: the summary's "95% ellipse area" is the scored metric (noise floor removed, its
        # own filters); printing this drawing's area beside it would show two different values
        ax.text(0.02, 0.02, "95 % prediction ellipse", transform=ax.transAxes, fontsize="small",
                color=pal.THRESHOLD, va="bottom")
        lim = max(lim, 1.05 * a)
    ax.plot([0], [0], marker="+", color=pal.SIGMA, ms=8)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)


def _height_pt(sub: "SubFigure") -> float:
    """Height of the subfigure, points."""
    return float(sub.bbox.height) / float(sub.figure.dpi) * 72.0


def _summary(ax: "Axes", h: "Hold", n: int, font: float, height_pt: float) -> None:
    """The summary text, shrunk if its lines would not fit in ``height_pt`` points."""
    ax.set_axis_off()
    lines = summary_lines(h, n)
    fit = 0.9 * height_pt / (len(lines) * LINE_SPACING * 1.17)  # 1.17: a line's height per point of font size
    ax.text(0.06, 1.0, "\n".join(lines), transform=ax.transAxes, ha="left", va="top",
            family="monospace", fontsize=min(font - 0.5, fit), linespacing=LINE_SPACING)


def summary_lines(h: "Hold", n: int) -> list[str]:
    """The text summary of hold ``n`` (lines of at most :data:`TEXT_WIDTH` characters)."""
    score = "—" if h.score is None else f"{h.score:.0f} / 100"
    lines = [f"Hold {n}  ({h.start_s:.1f}-{h.end_s:.1f} s)",
             f"  duration  {h.duration_s:.1f} s",
             f"  score     {score}",
             f"  ended by  {h.ended_by.replace('_', ' ')}",
             f"  wobbles   {h.wobbles}"]
    comps = _components(h.score_components)
    if comps:
        lines.append("score parts (sub-score × weight)")
        lines += comps
    shown = [(label, h.metrics.get(key), unit, fmt) for key, label, unit, fmt in SHOWN_METRICS if key in h.metrics]
    values = [(label, v, unit, fmt) for label, v, unit, fmt in shown if v is not None and math.isfinite(v)]
    if values:
        lines.append("metrics")
        lines += [f"  {label:<18} {format(v, fmt)} {unit}".rstrip() for label, v, unit, fmt in values]
    reasons = sorted({str(v) for v in h.metric_notes.values()})
    if reasons:
        text = "n/a: " + "; ".join(reasons)
        lines += textwrap.wrap(text, TEXT_WIDTH, subsequent_indent="  ")[:3]
    if h.score is None and not reasons:
        lines.append("no score: the hold is too short to measure")
    return [ln[:TEXT_WIDTH] for ln in lines]


def _components(comps: Mapping[str, Any]) -> list[str]:
    out = []
    for name, c in comps.items():
        if not isinstance(c, Mapping) or c.get("subscore") is None:
            continue
        w = c.get("weight")
        out.append(f"  {name.replace('_', ' '):<12} {float(c['subscore']):5.0f}"
                   + ("" if w is None else f"  × {float(w):.2f}"))
    return out
