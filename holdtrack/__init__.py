"""holdtrack: measure isometric holds (plank, side plank, wall-sit, static curls, hangs) from accelerometers.

A small API mirrors the command line::

    import holdtrack
    result = holdtrack.analyze("session.htrec")        # or a CSV / phone export, or an (n, 3) array + rate
    print(result.to_dict()["holds"])

Importing holdtrack loads neither bleak nor matplotlib, and the names below are loaded on first use, so the
command line starts without importing scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from holdtrack._version import __version__

#: public name -> module that defines it (loaded lazily)
_EXPORTS = {
    "analyze": "holdtrack.analysis",
    "analyze_many": "holdtrack.analysis",
    "open_input": "holdtrack.analysis",
    "AnalysisResult": "holdtrack.analysis",
    "Pipeline": "holdtrack.signal.pipeline",
    "PipelineConfig": "holdtrack.signal.pipeline",
    "SampleBlock": "holdtrack.model",
    "RawPacket": "holdtrack.model",
    "Gap": "holdtrack.model",
    "StillPeriod": "holdtrack.model",
    "Hold": "holdtrack.model",
}

__all__ = ["__version__", "simulate", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover
    from holdtrack.analysis import AnalysisResult, analyze, analyze_many, open_input
    from holdtrack.model import Gap, Hold, RawPacket, SampleBlock, StillPeriod
    from holdtrack.signal.pipeline import Pipeline, PipelineConfig


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'holdtrack' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def simulate(*args: Any, **kwargs: Any) -> Any:
    """Simulate a hold session with ground truth (see :func:`holdtrack.sim.simulate_session`)."""
    from holdtrack.sim import simulate_session

    return simulate_session(*args, **kwargs)
