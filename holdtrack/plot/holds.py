"""The hold graph of one session: signals over time with the detected periods, and each hold's sway.

>>> from holdtrack.analysis import analyze
>>> from holdtrack.plot.holds import plot_session
>>> fig = plot_session(analyze("plank.htrec", trace=True))       # doctest: +SKIP
>>> fig.savefig("plank.png")                                      # doctest: +SKIP

Top, over time (s since the first sample; minutes for long sessions): acceleration (raw and 2 Hz
low-pass), the detector's dynamic acceleration (1 s window SD) against the stillness threshold, tilt
relative to each hold's start, and tremor band power; shaded holds (numbered), other still periods, rests
and gaps. Bottom, per hold: the sway path in the plane perpendicular to gravity with its 95 % ellipse, and
a summary (duration, score and its components, how it ended, metrics).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from matplotlib.transforms import blended_transform_factory

from holdtrack.errors import ConfigError
from holdtrack.plot import palette as pal
from holdtrack.plot._decimate import envelope
from holdtrack.plot._holdpanels import draw_hold_panels, no_holds_text
from holdtrack.signal.bands import band_power, smooth, tilt_from_reference

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from holdtrack.analysis import AnalysisResult

#: Holds drawn in the overview's bottom row (the others: ``hold=N``).
MAX_HOLD_PANELS = 3
#: Longest span drawn in seconds; longer spans are drawn in minutes.
MINUTES_ABOVE_S = 600.0
#: Points per drawn line (min/max envelope beyond this).
MAX_POINTS = 4000
TILT_REF_S = 1.0
#: Most hold numbers written on the time axis.
MAX_LABELS = 36


def plot_session(result: "AnalysisResult", *, hold: int | None = None, size: str = "screen") -> Figure:
    """The hold graph of an analysed session.

    Parameters
    ----------
    result : from :func:`holdtrack.analysis.analyze` (with ``trace=True`` for the signal panels)
    hold : hold number (1-based, as in ``holdtrack analyze``) to zoom on, or None for the whole session
    size : ``"screen"`` (16 x 9 in, 100 dpi) or ``"a4"`` (A4 landscape, 150 dpi)

    Returns
    -------
    A matplotlib :class:`~matplotlib.figure.Figure` (not attached to pyplot; save it with ``savefig``).
    Empty sessions, sessions without holds and holds too short for some metrics give a figure that says so.
    """
    spec = pal.size_spec(size)
    if hold is not None and not 1 <= hold <= len(result.holds):
        have = f"{len(result.holds)} hold{'s' * (len(result.holds) != 1)}"
        raise ConfigError(f"there is no hold {hold}: this recording has {have}")
    with matplotlib.rc_context(pal.rc(size)):
        fig = Figure(figsize=spec["figsize"], dpi=spec["dpi"], layout="constrained")
        fig.suptitle(_title(result, hold), x=0.01, ha="left", fontweight="bold")
        if result.samples == 0 or result.duration_s <= 0:
            ax = fig.add_subplot()
            ax.set_axis_off()
            ax.text(0.5, 0.5, "No samples in this recording: nothing to plot.", ha="center", va="center",
                    fontsize=spec["font"] * 1.6, color=pal.TEXT_MUTED, transform=ax.transAxes)
            return fig
        chosen = [hold] if hold is not None else list(range(1, min(len(result.holds), MAX_HOLD_PANELS) + 1))
        top, bottom = fig.subfigures(2, 1, height_ratios=[0.6, 0.4] if chosen else [0.85, 0.15])
        _time_panels(top, result, hold)
        if chosen:
            draw_hold_panels(bottom, result, chosen, spec["font"], overview=hold is None)
        else:
            no_holds_text(bottom, result, spec["font"])
    return fig


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save ``fig`` (format from the suffix: png, pdf, svg) at its own dpi, through a temporary file so a
    failure never leaves half an image; returns the path."""
    out = Path(path)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        fig.savefig(tmp, dpi=fig.dpi, format=out.suffix.lstrip(".").lower() or "png")
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return out


def save_session_plot(result: "AnalysisResult", path: str | Path, *, hold: int | None = None,
                      size: str = "screen") -> Path:
    """:func:`plot_session` written to ``path`` (png, pdf or svg); returns the path."""
    return save_figure(plot_session(result, hold=hold, size=size), path)


# ----------------------------------------------------------------------------------------------- titles
def _title(r: "AnalysisResult", hold: int | None) -> str:
    name = Path(r.input_path).name if r.input_path else f"({r.input_format})"
    when = f"  ·  {r.start_utc[:16].replace('T', ' ')} UTC" if r.start_utc else ""
    n = len(r.holds)
    what = f"{_fmt_dur(r.duration_s)}, {n} hold{'s' * (n != 1)}"
    if hold is not None:
        h = r.holds[hold - 1]
        what += f"  ·  hold {hold}: {h.start_s:.1f}-{h.end_s:.1f} s"
    loss = ""
    if r.packets:
        loss = f", packet loss {100 * r.lost_packets / max(1, r.packets + r.lost_packets):.1f} %"
    return f"{name}{when}  ·  {what}  ·  {r.sample_rate_hz:g} Hz{loss}"


def _fmt_dur(s: float) -> str:
    if s < 120:
        return f"{s:.1f} s"
    m, sec = divmod(int(round(s)), 60)
    return f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min {sec:02d} s"


# ------------------------------------------------------------------------------------------ time panels
def _time_panels(sub: SubFigure, r: "AnalysisResult", hold: int | None) -> list["Axes"]:
    axes = sub.subplots(4, 1, sharex=True, height_ratios=[1.25, 1.0, 0.8, 0.8])
    lo, hi = 0.0, r.duration_s
    if hold is not None:
        h = r.holds[hold - 1]
        pad = 0.15 * h.duration_s + 2.0
        lo, hi = max(0.0, h.start_s - pad), min(r.duration_s, h.end_s + pad)
    scale = 60.0 if hi - lo > MINUTES_ABOVE_S else 1.0
    unit = "min" if scale == 60.0 else "s"
    tr = r.trace
    titles = ["Acceleration (device axes, gravity included)",
              "Dynamic acceleration: 1 s window SD vs. the stillness threshold",
              "Tilt from each hold's start", "Tremor band power (2 s windows)"]
    for ax, title in zip(axes, titles):
        ax.set_title(title, loc="left")
        _shade(ax, r, scale)
    if tr is None or tr.t_s.shape[0] == 0:
        for ax in axes:
            _note(ax, "signal not kept: analyse with trace=True to see it")
    else:
        win = (tr.t_s >= lo - 2.0) & (tr.t_s <= hi + 2.0)
        fwin = (tr.frame_t_s >= lo - 2.0) & (tr.frame_t_s <= hi + 2.0)
        _acc_panel(axes[0], tr, win, scale)
        _sigma_panel(axes[1], tr, fwin, scale)
        _tilt_panel(axes[2], r, scale)
        _band_panel(axes[3], tr, win, scale)
    axes[0].set_ylabel("acceleration (m/s²)")
    axes[1].set_ylabel("SD (m/s²)")
    axes[2].set_ylabel("tilt (°)")
    axes[3].set_ylabel("power ((m/s²)²)")
    axes[-1].set_xlabel(f"time since the first sample ({unit})")
    axes[-1].set_xlim(lo / scale, hi / scale)
    _label_holds(axes[0], r, scale, lo, hi)
    _period_legend(axes[0], r)
    return list(axes)


def _note(ax: "Axes", text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=pal.TEXT_MUTED)


def _shade(ax: "Axes", r: "AnalysisResult", scale: float) -> None:
    """Shade holds, other still periods, rests and gaps across the panel: one collection per kind (gid
    ``holds``, ``still``, ``rest``, ``gap``; one rectangle per period, in time order), far cheaper to build
    and draw than a patch per period in a long session."""
    held = {(round(h.start_s, 6), round(h.end_s, 6)) for h in r.holds}
    spans: dict[str, list[tuple[float, float]]] = {"still": [], "rest": [], "holds": [], "gap": []}
    for sp in r.still_periods:
        if sp.kind == "hold" and (round(sp.start_s, 6), round(sp.end_s, 6)) in held:
            continue
        spans["rest" if sp.kind == "rest" else "still"].append((sp.start_s, sp.end_s))
    spans["holds"] = [(h.start_s, h.end_s) for h in r.holds]
    spans["gap"] = [(g.start_s, g.end_s) for g in r.gaps]
    tf = blended_transform_factory(ax.transData, ax.transAxes)
    style = {"still": (pal.STILL, "still"), "rest": (pal.REST, "rest"), "holds": (pal.HOLD, "hold"),
             "gap": (pal.GAP, "gap")}
    for gid, periods in spans.items():
        if not periods:
            continue
        color, kind = style[gid]
        boxes = [[(a / scale, 0.0), (b / scale, 0.0), (b / scale, 1.0), (a / scale, 1.0)] for a, b in periods]
        ax.add_collection(PolyCollection(boxes, transform=tf, facecolors=color, edgecolors="none", linewidths=0,
                                         alpha=pal.SHADE_ALPHA[kind], hatch="//" if gid == "gap" else None,
                                         gid=gid, zorder=0), autolim=False)


def _label_holds(ax: "Axes", r: "AnalysisResult", scale: float, lo: float, hi: float) -> None:
    """Number the holds in view; with more than :data:`MAX_LABELS` of them, every k-th (labels never touch)."""
    tf = blended_transform_factory(ax.transData, ax.transAxes)
    in_view = [i for i, h in enumerate(r.holds, 1) if h.end_s >= lo and h.start_s <= hi]
    step = max(1, -(-len(in_view) // MAX_LABELS))
    for i, h in enumerate(r.holds, 1):
        if (i - 1) % step:
            continue
        ax.text((h.start_s + h.end_s) / 2 / scale, 0.96, str(i), transform=tf, ha="center", va="top",
                fontweight="bold", color=pal.HOLD, clip_on=True,
                bbox={"boxstyle": "circle,pad=0.25", "fc": "white", "ec": pal.HOLD, "lw": 0.8})


def _period_legend(ax: "Axes", r: "AnalysisResult") -> None:
    kinds = [("hold (scored, numbered)", pal.HOLD, "hold", bool(r.holds))]
    kinds.append(("still, not scored", pal.STILL, "still",
                  any(sp.kind == "hold" for sp in r.still_periods) and
                  sum(sp.kind == "hold" for sp in r.still_periods) > len(r.holds)))
    kinds.append(("rest", pal.REST, "rest", any(sp.kind == "rest" for sp in r.still_periods)))
    kinds.append(("gap", pal.GAP, "gap", bool(r.gaps)))
    handles: list[Any] = [Line2D([], [], color=c, lw=1.2, label=n) for c, n in zip(pal.AXES, "xyz")]
    handles.append(Line2D([], [], color="#888888", lw=1.0, alpha=0.4, label="raw (light) / 2 Hz low-pass"))
    handles += [Patch(facecolor=c, alpha=min(1.0, 2.2 * pal.SHADE_ALPHA[k]), hatch="//" if k == "gap" else None,
                      label=label) for label, c, k, present in kinds if present]
    _legend_above(ax, len(handles), handles)


def _acc_panel(ax: "Axes", tr: Any, win: np.ndarray, scale: float) -> None:
    t, acc = tr.t_s[win], tr.acc_mps2[win]
    gap = 1.5 / tr.rate_hz
    filt = smooth(t, acc, tr.rate_hz, 2.0)
    te, raw = envelope(t, acc, MAX_POINTS, gap_s=max(gap, 2 * (t[-1] - t[0]) / MAX_POINTS) if t.size else gap)
    tf, low = envelope(t, filt, MAX_POINTS, gap_s=max(gap, 2 * (t[-1] - t[0]) / MAX_POINTS) if t.size else gap)
    for j, c in enumerate(pal.AXES):
        ax.plot(te / scale, raw[:, j], color=c, lw=0.5, alpha=0.3)
        ax.plot(tf / scale, low[:, j], color=c, lw=1.1)


def _sigma_panel(ax: "Axes", tr: Any, fwin: np.ndarray, scale: float) -> None:
    t = tr.frame_t_s[fwin]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN bins (incomplete windows after gaps)
        ts, sig = envelope(t, tr.sigma_mps2[fwin], MAX_POINTS, gap_s=3 * tr.frame_s)
        tt, thr = envelope(t, tr.threshold_mps2[fwin], MAX_POINTS)
        tn, nf = envelope(t, np.where(np.isfinite(tr.noise_floor_mps2[fwin]), tr.noise_floor_mps2[fwin], np.nan),
                          MAX_POINTS)
    ax.plot(ts / scale, sig, color=pal.SIGMA, lw=0.9, label="dynamic acceleration (window SD)")
    ax.plot(tt / scale, thr, color=pal.THRESHOLD, lw=1.2, ls="--", label="stillness threshold")
    ax.plot(tn / scale, nf, color=pal.NOISE, lw=1.0, ls=":", label="noise floor (causal estimate)")
    ax.set_yscale("log")
    finite = sig[np.isfinite(sig) & (sig > 0)]
    if finite.size:
        low = min(float(finite.min()), float(np.nanmin(thr)))
        ax.set_ylim(max(1e-3, low * 0.7), max(float(finite.max()), float(np.nanmax(thr))) * 1.5)
    _log_y(ax)
    _legend_above(ax, 3)


def _tilt_panel(ax: "Axes", r: "AnalysisResult", scale: float) -> None:
    tr = r.trace
    limit = getattr(r.config, "tilt_tolerance_deg", None)
    window = getattr(r.config, "window_s", 1.0)
    drawn = False
    for h in r.holds:
        # gravity is a window mean stamped at the window's end: use windows lying wholly inside the hold
        sel = (tr.frame_t_s >= h.start_s + window) & (tr.frame_t_s <= h.end_s)
        if sel.sum() < 2:
            continue
        t, g = tr.frame_t_s[sel], tr.gravity_mps2[sel]
        ref = g[t <= t[0] + TILT_REF_S].mean(axis=0)
        ax.plot(t / scale, tilt_from_reference(g, ref), color=pal.TILT, lw=1.2,
                label=None if drawn else "tilt from the hold's first second")
        drawn = True
    if not drawn:
        _note(ax, "no holds")
        ax.set_yticks([])
        return
    if limit:
        ax.axhline(limit, color=pal.THRESHOLD, ls="--", lw=1.0, label=f"tilt limit ({limit:g}°)")
    ax.set_ylim(bottom=0)
    _legend_above(ax, 2)


def _band_panel(ax: "Axes", tr: Any, win: np.ndarray, scale: float) -> None:
    t_mid, power = band_power(tr.t_s[win], tr.acc_mps2[win], tr.rate_hz)
    if not power or t_mid.size == 0:
        _note(ax, "no tremor band below the Nyquist frequency" if not power else "too little signal for 2 s windows")
        return
    for (name, p), c in zip(power.items(), pal.BANDS):
        tp, pe = envelope(t_mid, np.maximum(p, 1e-9), MAX_POINTS, gap_s=1.5)
        ax.plot(tp / scale, pe, color=c, lw=1.0, label=name)
    _log_y(ax)
    _legend_above(ax, len(power))


def _log_y(ax: "Axes") -> None:
    """Log y axis with plain-number labels: decades, or 1-2-5 steps when the axis spans little more than one."""
    ax.set_yscale("log")
    lo, hi = ax.get_ylim()
    narrow = lo > 0 and np.log10(hi / lo) < 1.6
    ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0) if narrow else (1.0,),
                                          numticks=8 if narrow else 4))
    ax.yaxis.set_major_formatter(FuncFormatter(_log_label))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _log_label(v: float, _pos: Any = None) -> str:
    if v <= 0:
        return ""
    return f"{v:g}" if 1e-3 <= v < 1e4 else f"$10^{{{int(round(np.log10(v)))}}}$"


def _legend_above(ax: "Axes", ncols: int, handles: list[Any] | None = None) -> None:
    """A legend right-aligned on the title line (never over the data)."""
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=ncols, borderaxespad=0.1,
              handlelength=1.6, columnspacing=1.2)
