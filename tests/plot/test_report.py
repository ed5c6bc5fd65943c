"""``holdtrack report``: sessions over dates, trends, best holds, self-contained HTML and PDF."""

from __future__ import annotations

import base64
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from holdtrack.cli import main
from holdtrack.plot.progress import HoldRow, SessionRow, build_progress, trend
from holdtrack.plot.report import progress_figure
from tests.plot.conftest import ink_fraction, rendered, write_session

RATE = 25.0
PLAN = [("plank", 1, "2026-11-02T08:00:00Z"), ("curl", 2, "2026-11-05T18:30:00Z"), ("hang", 3, "2026-11-09T08:00:00Z"),
        ("wall-sit", 4, None)]
MTIME = datetime(2026, 11, 12, 7, 0, tzinfo=timezone.utc).timestamp()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("sessions")
    for i, (scenario, seed, when) in enumerate(PLAN):
        p = write_session(d / f"{i}-{scenario}.htrec", scenario, seed=seed, start_utc=when, rate_hz=RATE)
        if when is None:
            os.utime(p, (MTIME, MTIME))
    (d / "broken.csv").write_text("this is\nnot a recording\n")
    (d / "notes.md").write_text("ignored: not a recording suffix\n")
    return d


@pytest.fixture(scope="module")
def progress(folder: Path):
    return build_progress([folder])


def test_progress_rows(progress) -> None:
    assert len(progress.sessions) == len(PLAN)
    dates = [s.date for s in progress.sessions]
    assert dates == sorted(dates)
    assert [s.date_source for s in progress.sessions] == ["start_utc"] * 3 + ["file time"]
    assert progress.sessions[-1].date == datetime.fromtimestamp(MTIME, tz=timezone.utc)
    assert len(progress.skipped) == 1 and "broken.csv" in progress.skipped[0]
    assert all(s.holds for s in progress.sessions)  # every scenario has a hold
    longest = progress.best_holds("duration", 3)
    assert [h.duration_s for h in longest] == sorted((h.duration_s for h in progress.holds), reverse=True)[:3]


def test_html_report_is_self_contained(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(folder), "--output", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"wrote {out} (4 sessions)" in err and "skipped" in err and "broken.csv" in err
    text = out.read_text(encoding="utf-8")
    assert "<title>holdtrack progress report: 4 sessions</title>" in text
    body = re.search(r'<table class="sessions">.*?<tbody>(.*?)</tbody>', text, re.S).group(1)
    assert body.count("<tr>") == 4
    for i, (scenario, _, _) in enumerate(PLAN):
        assert f"{i}-{scenario}.htrec" in body
    assert "2026-11-12 07:00 *" in body  # file time, marked
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', text).group(1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert "<script" not in text.lower() and "http://" not in text and "https://" not in text
    assert text.count("<li>") >= 3  # two trend sentences + the skipped file


def test_pdf_report(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    assert main(["report", str(folder / "0-plank.htrec"), str(folder / "1-curl.htrec"), str(folder / "2-hang.htrec"),
                 "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"(3 sessions)" in data
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 3  # progress, best holds, sessions


def test_progress_figure_content(progress) -> None:
    fig = progress_figure(progress)
    axes = [ax for ax in fig.get_axes() if ax.axison]
    assert len(axes) == 2
    assert axes[0].get_ylabel() == "hold duration (s)" and axes[1].get_ylabel() == "stability score (0-100)"
    for ax in axes:
        best = [ln for ln in ax.lines if ln.get_gid() == "best"]
        assert len(best) == 1 and len(best[0].get_xdata()) == len(progress.sessions)
        assert [ln for ln in ax.lines if ln.get_gid() == "trend"]  # 4 sessions on 4 days: a trend line
    assert ink_fraction(rendered(fig)) > 0.02


def rows(values: list[float], days: list[float]) -> list[SessionRow]:
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return [SessionRow(f"s{i}", t0 + timedelta(days=d), "start_utc", 100.0, (HoldRow(i, 1, v, 70.0, "motion"),))
            for i, (v, d) in enumerate(zip(values, days))]


def test_trend_per_week_and_sentence() -> None:
    t = trend(rows([30, 35, 40, 45], [0, 7, 14, 21]), "best hold duration", "s", lambda s: s.best_duration_s)
    assert t.per_week == pytest.approx(5.0) and t.r2 == pytest.approx(1.0)
    assert "rising, +5.0 s per week over 4 sessions in 3.0 weeks" in t.sentence and "clear" in t.sentence
    down = trend(rows([60, 50, 45, 30], [0, 10, 20, 30]), "best hold duration", "s", lambda s: s.best_duration_s)
    assert down.per_week < 0 and "falling" in down.sentence
    noisy = trend(rows([40, 20, 41, 19, 40], [0, 1, 2, 3, 4]), "best hold duration", "s", lambda s: s.best_duration_s)
    assert noisy.r2 < 0.2 and "no clear trend" in noisy.sentence
    few = trend(rows([30, 35], [0, 7]), "best score", "points", lambda s: s.best_score)
    assert few.per_week is None and "too few sessions" in few.sentence
    same_day = trend(rows([30, 35, 40], [0, 0.1, 0.2]), "best hold duration", "s", lambda s: s.best_duration_s)
    assert same_day.per_week is None


def test_report_errors(tmp_path: Path, folder: Path, capsys) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["report", str(empty)]) == 2
    assert "no recordings found" in capsys.readouterr().err
    assert main(["report", str(folder), "-o", str(tmp_path / "r.png")]) == 2
    assert "unknown output type '.png'" in capsys.readouterr().err
    assert not (tmp_path / "r.png").exists()
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "x.csv").write_text("nope\n")
    assert main(["report", str(only_bad), "-o", str(tmp_path / "r.html")]) == 2
    assert "none of the recordings could be read" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()
