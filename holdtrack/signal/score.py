"""The 0-100 stability score of a hold (interim mapping; documented fully in docs/metrics.md, issue #4)."""

from __future__ import annotations

import math
from typing import Any

#: Heredia-Elvar et al. 2021: 0.35 m/s² mean pelvic acceleration separates easy from challenging core holds.
RMS_REF_MPS2 = 0.35


def score_hold(metrics: dict[str, float | None]) -> tuple[float | None, dict[str, Any]]:
    """Score = 100 / (1 + (rms / 0.35 m/s²)^2): 100 for no sway, 50 at the 0.35 m/s² reference."""
    rms = metrics.get("rms_mps2")
    if rms is None or not math.isfinite(rms):
        return None, {}
    sway = 100.0 / (1.0 + (rms / RMS_REF_MPS2) ** 2)
    return sway, {"sway": {"subscore": round(sway, 1), "weight": 1.0, "value": rms, "reference": RMS_REF_MPS2}}
