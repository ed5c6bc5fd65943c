"""Ground truth of a simulated session: what an ideal detector should report.

All times are seconds since the FIRST SAMPLE (the pipeline's time zero), on the true time axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from holdtrack.sim.scenario import Scenario

#: shortest piece of a hold kept in the truth after a link outage splits it, s
MIN_HOLD_PIECE_S = 3.0


@dataclass(frozen=True)
class TruthHold:
    """One true hold and the parameters it was generated with (m/s², deg, s)."""

    start_s: float
    end_s: float
    ended_by: str
    posture: str
    sway_rms_mps2: float
    tremor_rms_mps2: float
    fatigue: float
    sag_deg: float
    wobbles_s: tuple[float, ...] = ()
    segment: int = -1

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        return {"start_s": round(self.start_s, 4), "end_s": round(self.end_s, 4),
                "duration_s": round(self.duration_s, 4), "ended_by": self.ended_by, "posture": self.posture,
                "sway_rms_mps2": self.sway_rms_mps2, "tremor_rms_mps2": self.tremor_rms_mps2,
                "fatigue": self.fatigue, "sag_deg": self.sag_deg, "wobbles_s": [round(w, 4) for w in self.wobbles_s],
                "segment": self.segment}


@dataclass(frozen=True)
class GroundTruth:
    """Holds, rests, segments and link outages of one simulation, plus its parameters.

    Attributes
    ----------
    holds : true holds in time order
    rests : (start_s, end_s, posture) of resting segments (lying / sitting / device set down)
    segments : (kind, start_s, end_s) of every scenario segment
    outages : (start_s, end_s) link outages
    packets_sent, packets_lost : notifications the device sent and how many random / bursty loss took
    params : every parameter of the simulation (seed, rate, orientation, scenario ...)
    """

    holds: tuple[TruthHold, ...]
    rests: tuple[tuple[float, float, str], ...]
    segments: tuple[tuple[str, float, float], ...]
    outages: tuple[tuple[float, float], ...] = ()
    duration_s: float = 0.0
    packets_sent: int = 0
    packets_lost: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "holds": [h.to_dict() for h in self.holds],
            "rests": [{"start_s": a, "end_s": b, "posture": p} for a, b, p in self.rests],
            "segments": [{"kind": k, "start_s": a, "end_s": b} for k, a, b in self.segments],
            "outages": [{"start_s": a, "end_s": b} for a, b in self.outages],
            "duration_s": self.duration_s, "packets_sent": self.packets_sent, "packets_lost": self.packets_lost,
            "params": self.params,
        }


def build_truth(scenario: Scenario, last_sample_s: float, outages: tuple[tuple[float, float], ...] = (),
                wobbles_s: tuple[float, ...] = (), **extra: Any) -> GroundTruth:
    """Ground truth for ``scenario`` sampled up to ``last_sample_s``; ``outages`` as (start_s, duration_s)."""
    segs: list[tuple[str, float, float]] = []
    t = 0.0
    for s in scenario.segments:
        segs.append((s.kind, t, min(t + s.duration_s, last_sample_s)))
        t += s.duration_s
    outs = tuple((a, a + d) for a, d in outages)
    holds: list[TruthHold] = []
    rests = []
    for i, (s, (_, a, b)) in enumerate(zip(scenario.segments, segs)):
        if s.kind == "rest":
            rests.append((a, b, str(s.posture)))
        if s.kind != "hold" or b <= a:
            continue
        ended = "motion" if i + 1 < len(scenario.segments) and b < last_sample_s else "end_of_data"
        pieces = [(a, b, ended)]
        for o0, o1 in sorted(outs):
            last = pieces[-1]
            if o0 < last[1] and o1 > last[0]:
                pieces[-1:] = [(last[0], max(last[0], o0), "signal_loss"), (min(o1, last[1]), last[1], last[2])]
        for p0, p1, why in pieces:
            if p1 - p0 >= MIN_HOLD_PIECE_S or (len(pieces) == 1 and p1 > p0):
                holds.append(TruthHold(p0, p1, why, str(s.posture), s.sway_rms_mps2, s.tremor_rms_mps2, s.fatigue,
                                       s.sag_deg, tuple(w for w in wobbles_s if p0 <= w < p1), i))
    return GroundTruth(tuple(holds), tuple(rests), tuple(segs), outs, last_sample_s, **extra)
