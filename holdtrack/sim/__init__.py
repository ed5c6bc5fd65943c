"""Seeded simulator of hold sessions with ground truth (pure numpy / scipy).

>>> from holdtrack.sim import simulate_session
>>> sim = simulate_session("plank", seed=1, rate_hz=50)
>>> [round(h.duration_s) for h in sim.truth.holds]
[45, 30]
"""

from __future__ import annotations

from holdtrack.sim.scenario import POSTURES, SCENARIOS, Scenario, Segment, get_scenario, random_hold, random_scenario
from holdtrack.sim.session import Simulation, simulate_session
from holdtrack.sim.truth import GroundTruth, TruthHold

__all__ = [
    "POSTURES", "SCENARIOS", "Scenario", "Segment", "get_scenario", "random_hold", "random_scenario",
    "Simulation", "simulate_session", "GroundTruth", "TruthHold",
]
