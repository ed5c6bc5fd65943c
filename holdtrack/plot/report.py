"""``holdtrack report``: progress over sessions for a coach or physio, as a PDF or one self-contained HTML file.

>>> from holdtrack.plot.report import write_report
>>> write_report(["sessions/"], "report.html")          # doctest: +SKIP

Contents: hold duration and score per session over dates with linear trends and a sentence each, the best
holds, and a table of sessions. HTML embeds its figure as a PNG (no scripts, no external files); the PDF
is made with matplotlib's PdfPages (A4 landscape pages).
"""

from __future__ import annotations

import base64
import html
import io
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import matplotlib
import numpy as np
from matplotlib.dates import ConciseDateFormatter, AutoDateLocator, date2num
from matplotlib.figure import Figure

from holdtrack._version import __version__
from holdtrack.plot import palette as pal
from holdtrack.plot.progress import Progress, Trend, build_progress

if TYPE_CHECKING:
    from holdtrack.plot.progress import HoldRow, SessionRow

TABLE_ROWS_PER_PAGE = 24
SESSION_COLUMNS = ("#", "date (UTC)", "file", "length", "holds", "best hold", "best score", "mean score",
                   "time holding")


def write_report(inputs: Sequence[str | os.PathLike[str]], output: str | os.PathLike[str],
                 progress: Progress | None = None) -> Progress:
    """Analyse ``inputs`` (files / folders) and write the report to ``output`` (.pdf or .html)."""
    prog = progress or build_progress(inputs)
    out = Path(output)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if out.suffix.lower() == ".pdf":
            _write_pdf(prog, tmp)
        else:
            tmp.write_text(report_html(prog), encoding="utf-8")
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return prog


# ---------------------------------------------------------------------------------------------- figure
def progress_figure(prog: Progress, size: str = "a4") -> Figure:
    """Hold duration and score per session over dates, with each trend line."""
    spec = pal.size_spec(size)
    with matplotlib.rc_context(pal.rc(size)):
        fig = Figure(figsize=spec["figsize"], dpi=spec["dpi"], layout="constrained")
        first, last = prog.sessions[0].date, prog.sessions[-1].date
        fig.suptitle(f"Progress: {len(prog.sessions)} sessions, {first:%d %b %Y} to {last:%d %b %Y}",
                     x=0.01, ha="left", fontweight="bold")
        top, bottom = fig.subfigures(2, 1, height_ratios=[0.9, 0.1])
        ax_d, ax_s = top.subplots(2, 1, sharex=True)
        trends = prog.trends()
        _series(ax_d, prog, lambda h: h.duration_s, lambda s: s.best_duration_s, trends[0], pal.DURATION,
                "hold duration (s)", "Hold duration per session")
        _series(ax_s, prog, lambda h: h.score, lambda s: s.mean_score, trends[1], pal.SCORE,
                "stability score (0-100)", "Stability score per session (mean weighted by hold duration)",
                "session mean")
        ax_s.set_ylim(0, 100)
        loc = AutoDateLocator(minticks=3, maxticks=8)
        ax_s.xaxis.set_major_locator(loc)
        ax_s.xaxis.set_major_formatter(ConciseDateFormatter(loc))
        ax_s.set_xlabel("session date (UTC)")
        if first == last:
            ax_s.set_xlim(date2num(first) - 1, date2num(last) + 1)
        ax = bottom.subplots()
        ax.set_axis_off()
        ax.text(0.0, 1.0, "\n".join(t.sentence for t in trends), va="top", ha="left", transform=ax.transAxes,
                linespacing=1.6)
    return fig


def _series(ax, prog: Progress, per_hold, per_session, tr: Trend, color: str, ylabel: str, title: str,
            label: str = "best of the session") -> None:
    ax.set_title(title, loc="left")
    ax.set_ylabel(ylabel)
    xs = [date2num(prog.sessions[h.session].date) for h in prog.holds if per_hold(h) is not None]
    ys = [per_hold(h) for h in prog.holds if per_hold(h) is not None]
    ax.scatter(xs, ys, s=18, color=color, alpha=0.5, lw=0, label="every hold", gid="holds")
    best = [(date2num(s.date), per_session(s)) for s in prog.sessions if per_session(s) is not None]
    if best:
        bx, by = zip(*best)
        ax.plot(bx, by, "o-", color=color, lw=1.4, ms=5, label=label, gid="best")
    if tr.per_week is not None and len(best) >= 2:
        x = np.array([b[0] for b in best])
        y = np.array([b[1] for b in best], dtype=float)
        slope, icept = np.polyfit(x - x[0], y, 1)
        ax.plot(x[[0, -1]], icept + slope * (x[[0, -1]] - x[0]), "--", color=pal.SIGMA, lw=1.0,
                label=f"trend {tr.per_week:+.1f}/week", gid="trend")
    if not best:
        ax.text(0.5, 0.5, "no holds in these sessions", transform=ax.transAxes, ha="center", color=pal.TEXT_MUTED)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3, borderaxespad=0.1)


# ---------------------------------------------------------------------------------------------- tables
def _fmt(v: float | None, nd: int = 0, unit: str = "") -> str:
    return "–" if v is None else f"{v:.{nd}f}{unit}"


def session_table(prog: Progress) -> list[list[str]]:
    """One row of strings per session (columns :data:`SESSION_COLUMNS`)."""
    rows = []
    for i, s in enumerate(prog.sessions, 1):
        date = f"{s.date:%Y-%m-%d %H:%M}" + (" *" if s.date_source != "start_utc" else "")
        rows.append([str(i), date, Path(s.path).name, _fmt(s.duration_s, 0, " s"), str(len(s.holds)),
                     _fmt(s.best_duration_s, 1, " s"), _fmt(s.best_score), _fmt(s.mean_score),
                     _fmt(s.hold_time_s, 0, " s")])
    return rows


def best_table(prog: Progress, key: str) -> list[list[str]]:
    """The best holds by ``key`` ("duration" or "score"): rank, date, file, hold, duration, score, ended by."""
    out = []
    for i, h in enumerate(prog.best_holds(key), 1):
        s = prog.sessions[h.session]
        out.append([str(i), f"{s.date:%Y-%m-%d}", Path(s.path).name, str(h.number), _fmt(h.duration_s, 1, " s"),
                    _fmt(h.score), h.ended_by.replace("_", " ")])
    return out


BEST_COLUMNS = ("rank", "date", "file", "hold", "duration", "score", "ended by")


# ------------------------------------------------------------------------------------------------ HTML
CSS = """body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}img{max-width:100%;height:auto}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}th,td{padding:.25em .7em;text-align:right}
th{border-bottom:2px solid #444}td{border-bottom:1px solid #ddd}td:nth-child(3),th:nth-child(3){text-align:left}
.note{color:#666;font-size:.85em}"""


def report_html(prog: Progress) -> str:
    """The whole report as one HTML document (figure embedded as a base64 PNG; no scripts, no links out)."""
    buf = io.BytesIO()
    progress_figure(prog, "screen").savefig(buf, format="png", dpi=100)
    img = base64.b64encode(buf.getvalue()).decode("ascii")
    e = html.escape
    n = len(prog.sessions)
    first, last = prog.sessions[0].date, prog.sessions[-1].date
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>holdtrack progress report: {n} sessions</title>", f"<style>{CSS}</style></head><body>",
        "<h1>holdtrack progress report</h1>",
        f"<p>{n} session{'s' * (n != 1)} from {first:%d %b %Y} to {last:%d %b %Y}; "
        f"{len(prog.holds)} holds.</p>",
        "<h2>Trends</h2><ul>" + "".join(f"<li>{e(t.sentence)}</li>" for t in prog.trends()) + "</ul>",
        f'<img alt="hold duration and score per session over dates" src="data:image/png;base64,{img}">',
        "<h2>Longest holds</h2>" + _html_table(BEST_COLUMNS, best_table(prog, "duration")),
        "<h2>Steadiest holds</h2>" + _html_table(BEST_COLUMNS, best_table(prog, "score")),
        "<h2>Sessions</h2>" + _html_table(SESSION_COLUMNS, session_table(prog), "sessions"),
    ]
    if any(s.date_source != "start_utc" for s in prog.sessions):
        parts.append('<p class="note">* no start time recorded in the file: its modification time is used.</p>')
    if prog.skipped:
        parts.append("<h2>Files not included</h2><ul>" + "".join(f"<li>{e(s)}</li>" for s in prog.skipped) + "</ul>")
    parts.append(f'<p class="note">holdtrack {e(__version__)}, {_now()}. Scores are 0-100 (higher is '
                 "steadier); durations in seconds.</p></body></html>")
    return "\n".join(parts) + "\n"


def _html_table(columns: Sequence[str], rows: list[list[str]], cls: str = "") -> str:
    if not rows:
        return '<p class="note">none</p>'
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in r) + "</tr>" for r in rows)
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# ------------------------------------------------------------------------------------------------- PDF
def _write_pdf(prog: Progress, path: Path) -> None:
    from matplotlib.backends.backend_pdf import PdfPages

    n = len(prog.sessions)
    meta = {"Title": "holdtrack progress report", "Subject": f"{n} sessions", "Creator": f"holdtrack {__version__}"}
    with PdfPages(path, metadata=meta) as pdf:
        pdf.savefig(progress_figure(prog, "a4"))
        best = [("Longest holds", best_table(prog, "duration")), ("Steadiest holds", best_table(prog, "score"))]
        pdf.savefig(_table_page("Best holds", [(t, BEST_COLUMNS, r) for t, r in best]))
        rows = session_table(prog)
        pages = max(1, int(np.ceil(len(rows) / TABLE_ROWS_PER_PAGE)))
        for p in range(pages):
            chunk = rows[p * TABLE_ROWS_PER_PAGE:(p + 1) * TABLE_ROWS_PER_PAGE]
            title = f"Sessions ({p + 1}/{pages})" if pages > 1 else "Sessions"
            note = "* no start time in the file: modification time used" if any("*" in r[1] for r in chunk) else ""
            pdf.savefig(_table_page(title, [("", SESSION_COLUMNS, chunk)], note))


def _table_page(title: str, tables: list[tuple[str, Sequence[str], list[list[str]]]], note: str = "") -> Figure:
    with matplotlib.rc_context(pal.rc("a4")):
        fig = Figure(figsize=pal.SIZES["a4"]["figsize"], dpi=pal.SIZES["a4"]["dpi"])
        fig.suptitle(title, x=0.03, ha="left", fontweight="bold")
        k = len(tables)
        for i, (sub, cols, rows) in enumerate(tables):
            ax = fig.add_axes((0.03, 0.06 + (k - 1 - i) * 0.88 / k, 0.94, 0.80 / k))
            ax.set_axis_off()
            if sub:
                ax.set_title(sub, loc="left")
            if not rows:
                ax.text(0.0, 0.9, "none", color=pal.TEXT_MUTED, transform=ax.transAxes)
                continue
            tab = ax.table(cellText=rows, colLabels=list(cols), loc="upper left", cellLoc="right", colLoc="right")
            tab.auto_set_font_size(False)
            tab.set_fontsize(pal.SIZES["a4"]["font"])
            tab.auto_set_column_width(list(range(len(cols))))
            for (r, _c), cell in tab.get_celld().items():
                cell.set_edgecolor("#dddddd")
                if r == 0:
                    cell.set_text_props(fontweight="bold")
        if note:
            fig.text(0.03, 0.02, note, color=pal.TEXT_MUTED)
    return fig
