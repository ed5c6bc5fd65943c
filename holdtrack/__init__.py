"""holdtrack: measure isometric holds (plank, side plank, wall-sit, static curls, hangs) from accelerometers.

A small API mirrors the command line::

    import holdtrack
    result = holdtrack.analyze("session.htrec")        # or a CSV / phone export, or an (n, 3) array + rate
    print(result.to_dict()["holds"])

Importing holdtrack loads neither bleak nor matplotlib; those load only when BLE or plotting is used.
"""

from __future__ import annotations

from typing import Any

from holdtrack._version import __version__
from holdtrack.analysis import AnalysisResult, analyze, analyze_many, open_input
from holdtrack.model import Gap, Hold, RawPacket, SampleBlock, StillPeriod
from holdtrack.signal.pipeline import Pipeline, PipelineConfig

__all__ = [
    "__version__",
    "analyze",
    "analyze_many",
    "open_input",
    "AnalysisResult",
    "Pipeline",
    "PipelineConfig",
    "SampleBlock",
    "RawPacket",
    "Gap",
    "StillPeriod",
    "Hold",
    "simulate",
]


def simulate(*args: Any, **kwargs: Any) -> Any:
    """Simulate a hold session with ground truth (see :func:`holdtrack.sim.simulate_session`)."""
    from holdtrack.sim import simulate_session

    return simulate_session(*args, **kwargs)
