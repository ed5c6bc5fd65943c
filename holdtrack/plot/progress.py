"""Progress over sessions (no drawing): one row per analysed session, best holds, linear trends.

Dates come from each session's ``start_utc``; when a file has none, from its modification time (marked as
such). Trends are ordinary least-squares lines of the per-session best value against days, reported as a
change per week with r².
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from holdtrack.errors import HoldtrackError, InputError

if TYPE_CHECKING:
    from holdtrack.analysis import AnalysisResult

#: File suffixes collected from a folder.
SUFFIXES = (".htrec", ".csv", ".zip", ".tsv", ".txt")
#: Fewest sessions (on different days) for a trend line.
MIN_TREND_SESSIONS = 3


@dataclass(frozen=True)
class HoldRow:
    """One hold of one session: ``number`` 1-based within its session, times in s."""

    session: int
    number: int
    duration_s: float
    score: float | None
    ended_by: str


@dataclass(frozen=True)
class SessionRow:
    """One analysed session. ``date_source`` is ``"start_utc"`` or ``"file time"``."""

    path: str
    date: datetime
    date_source: str
    duration_s: float
    holds: tuple[HoldRow, ...]

    @property
    def best_duration_s(self) -> float | None:
        return max((h.duration_s for h in self.holds), default=None)

    @property
    def best_score(self) -> float | None:
        return max((h.score for h in self.holds if h.score is not None), default=None)

    @property
    def mean_score(self) -> float | None:
        """Mean score of the session's holds weighted by their duration (short holds count less)."""
        scored = [(h.score, h.duration_s) for h in self.holds if h.score is not None]
        if not scored:
            return None
        return float(np.average([s for s, _ in scored], weights=[d for _, d in scored]))

    @property
    def hold_time_s(self) -> float:
        return float(sum(h.duration_s for h in self.holds))


@dataclass(frozen=True)
class Trend:
    """Least-squares line of ``what`` against days: ``per_week`` (units per week), ``r2``, ``sentence``."""

    what: str
    n: int
    per_week: float | None
    r2: float | None
    sentence: str


@dataclass
class Progress:
    """Everything a report shows: sessions in date order, files that could not be read, trends."""

    sessions: list[SessionRow]
    skipped: list[str] = field(default_factory=list)

    @property
    def holds(self) -> list[HoldRow]:
        return [h for s in self.sessions for h in s.holds]

    def best_holds(self, key: str = "duration", k: int = 5) -> list[HoldRow]:
        """The ``k`` longest holds (``key="duration"``) or highest-scoring ones (``"score"``)."""
        if key == "score":
            return sorted((h for h in self.holds if h.score is not None), key=lambda h: -h.score)[:k]  # type: ignore[operator]
        return sorted(self.holds, key=lambda h: -h.duration_s)[:k]

    def trends(self) -> list[Trend]:
        return [trend(self.sessions, "best hold duration", "s", lambda s: s.best_duration_s),
                trend(self.sessions, "mean score", "points", lambda s: s.mean_score)]


def collect(inputs: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Files to report on: each FILE as given, each DIR's recordings (by suffix, sorted, not recursive)."""
    out: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUFFIXES)
        elif p.exists():
            out.append(p)
        else:
            raise InputError("no such file or folder", path=str(p))
    if not out:
        raise InputError("no recordings found (looked for " + ", ".join(SUFFIXES) + ")",
                         path=", ".join(str(i) for i in inputs))
    return out


def session_row(result: "AnalysisResult", path: Path) -> SessionRow:
    """The report row of one analysed file."""
    date, source = None, "start_utc"
    if result.start_utc:
        try:
            date = datetime.fromisoformat(result.start_utc.replace("Z", "+00:00"))
        except ValueError:
            date = None
    if date is None:
        date, source = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc), "file time"
    if date.tzinfo is None:
        date = date.replace(tzinfo=timezone.utc)
    holds = tuple(HoldRow(0, i, h.duration_s, h.score, h.ended_by) for i, h in enumerate(result.holds, 1))
    return SessionRow(str(path), date, source, result.duration_s, holds)


def build_progress(inputs: Sequence[str | os.PathLike[str]],
                   analyze: Callable[[Path], "AnalysisResult"] | None = None) -> Progress:
    """Analyse every input (files that fail are listed in ``skipped``, with their one-line error)."""
    if analyze is None:
        from holdtrack.analysis import analyze as _analyze

        analyze = _analyze
    rows, skipped = [], []
    for path in collect(inputs):
        try:
            rows.append(session_row(analyze(path), path))
        except HoldtrackError as exc:
            skipped.append(str(exc))
    rows.sort(key=lambda r: r.date)
    rows = [SessionRow(r.path, r.date, r.date_source, r.duration_s,
                       tuple(HoldRow(i, h.number, h.duration_s, h.score, h.ended_by) for h in r.holds))
            for i, r in enumerate(rows)]
    if not rows:
        raise InputError("none of the recordings could be read: " + "; ".join(skipped))
    return Progress(rows, skipped)


def trend(sessions: Sequence[SessionRow], what: str, unit: str,
          value: Callable[[SessionRow], float | None]) -> Trend:
    """Linear trend of ``value`` (sessions where it is None are left out) against days since the first."""
    pts = [(s.date, v) for s in sessions if (v := value(s)) is not None]
    days = {d.date() for d, _ in pts}
    if len(pts) < MIN_TREND_SESSIONS or len(days) < 2:
        return Trend(what, len(pts), None, None,
                     f"{what.capitalize()}: too few sessions for a trend "
                     f"(need {MIN_TREND_SESSIONS} on at least 2 days, have {len(pts)}).")
    t0 = pts[0][0]
    x = np.array([(d - t0).total_seconds() / 86400.0 for d, _ in pts])
    y = np.array([v for _, v in pts], dtype=float)
    slope, icept = np.polyfit(x, y, 1)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum((y - (slope * x + icept)) ** 2)) / ss_tot if ss_tot > 0 else 0.0
    per_week = float(slope * 7.0)
    span_weeks = x[-1] / 7.0
    change = per_week * span_weeks
    if abs(change) < 0.05 * max(abs(float(y.mean())), 1e-9):
        direction = "about flat"
    else:
        direction = "rising" if per_week > 0 else "falling"
    where = f"over {len(pts)} sessions in {_span(x[-1])}"
    if r2 < 0.2:
        sentence = (f"{what.capitalize()}: no clear trend {where} (line {per_week:+.1f} {unit} per week, "
                    f"r² = {r2:.2f}: the sessions vary more than they drift).")
    else:
        fit = "a clear" if r2 >= 0.5 else "a weak"
        sentence = (f"{what.capitalize()}: {direction}, {per_week:+.1f} {unit} per week {where} "
                    f"({fit} linear trend, r² = {r2:.2f}).")
    return Trend(what, len(pts), per_week, r2 if math.isfinite(r2) else None, sentence)


def _span(days: float) -> str:
    return f"{days / 7.0:.1f} weeks" if days >= 14 else f"{days:.0f} days"
