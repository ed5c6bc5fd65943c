"""Fixtures for the figure tests: analysed simulated sessions and session files (every figure uses Agg)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from holdtrack.analysis import AnalysisResult, analyze
from holdtrack.session import SessionWriter
from holdtrack.sim import simulate_session

RATE_HZ = 50.0


def write_session(path: Path, scenario: str = "plank", *, seed: int = 1, start_utc: str | None = None,
                  rate_hz: float = RATE_HZ) -> Path:
    """Record a simulated session to ``path`` as a real .htrec file (optionally with a start time)."""
    sim = simulate_session(scenario, seed=seed, rate_hz=rate_hz)
    info = dataclasses.replace(sim.info, start_utc=start_utc) if start_utc else sim.info
    with SessionWriter(path, info) as w:
        for item in sim.items:
            w.write(item)
    return path


@pytest.fixture(scope="session")
def plank() -> AnalysisResult:
    """The simulated plank demo (two holds and a rest), analysed with its trace."""
    return analyze(simulate_session("plank", seed=1, rate_hz=RATE_HZ), trace=True)


@pytest.fixture(scope="session")
def walk() -> AnalysisResult:
    """Walking only: no holds."""
    return analyze(simulate_session("walk", seed=2, rate_hz=RATE_HZ), trace=True)


def rendered(fig) -> np.ndarray:
    """Draw ``fig`` with Agg and return its pixels (h, w, 4) uint8."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def ink_fraction(pixels: np.ndarray) -> float:
    """Fraction of pixels that are not (near) white."""
    return float(np.mean(pixels[..., :3].min(axis=2) < 240))


def all_text(fig) -> str:
    """Every text string in the figure (titles, labels, annotations, legends)."""
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in fig.findobj(Text))
