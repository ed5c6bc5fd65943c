"""Scenarios: a timeline of segments (setup motion, holds, collapses, rests, walking).

A :class:`Scenario` is plain data; :mod:`holdtrack.sim.physics` turns it into motion. Named built-ins
are in :data:`SCENARIOS`; :func:`random_scenario` draws seeded scenarios for the evaluation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Literal

import numpy as np

from holdtrack.errors import ConfigError

SegmentKind = Literal["move", "collapse", "hold", "rest", "walk"]

#: Orientation of the body segment carrying the device, as extrinsic (roll, pitch) in degrees from
#: standing upright (x forward, y left, z up). ``"table"`` is the device set down flat (no mounting).
POSTURES: dict[str, tuple[float, float]] = {
    "standing": (0.0, 0.0),
    "plank": (0.0, 80.0),  # trunk / pelvis, prone, head a little higher than the feet
    "side_plank": (75.0, 0.0),  # trunk on its side, raised 15 deg
    "wall_sit": (0.0, 88.0),  # thigh horizontal
    "curl": (90.0, 85.0),  # forearm horizontal, thumb up
    "hang": (180.0, 0.0),  # forearm overhead (segment inverted)
    "lying": (0.0, -90.0),  # supine
    "prone": (0.0, 90.0),
    "side_lying": (90.0, 0.0),
    "sitting": (0.0, -15.0),
    "table": (0.0, 0.0),
}

HOLD_POSTURES = ("plank", "side_plank", "wall_sit", "curl", "hang")
REST_POSTURES = ("lying", "prone", "side_lying", "sitting", "table")


@dataclass(frozen=True)
class Segment:
    """One part of a scenario. Fields not used by a kind are ignored.

    Attributes
    ----------
    kind : ``"move"`` (getting into / out of position: large rotation + motion), ``"collapse"`` (fast
        rotation, drop and impact), ``"hold"``, ``"rest"`` (breathing-level motion, or the device set
        down when ``posture == "table"``), ``"walk"``
    duration_s : length, s
    posture : a :data:`POSTURES` key. For hold/rest/walk the posture held; for move/collapse the target
        (None: the next segment's posture)
    sway_rms_mps2 : hold: RMS of the vector magnitude of the 0.1-2 Hz sway acceleration, m/s²
    tremor_rms_mps2 : hold: RMS of the tremor at the start of the hold, m/s²
    tremor_hz : hold: centre of the tremor band (±1.5 Hz), Hz
    fatigue : hold, 0..1: tremor grows to (1 + 2 fatigue) x and a 4-6 Hz component to 1.5 fatigue x
        tremor RMS by the end of the hold
    sag_deg : hold: slow tilt drift about the segment's pitch axis by the end of the hold, deg
    wobbles_s : hold: start times of brief bursts, s since the segment start
    wobble_mps2 : hold: peak acceleration of a wobble, m/s²
    wobble_s : hold: duration of each wobble, s (< 1)
    intensity_mps2 : move/collapse/walk: RMS of the linear acceleration magnitude, m/s²
    step_hz : walk: step frequency, Hz
    breath_deg : rest: breathing tilt amplitude, deg
    breath_hz : rest: breathing rate, Hz
    fidget_rms_mps2 : rest: residual micro-motion, RMS of the vector magnitude in 0.5-5 Hz, m/s²
    impact_mps2 : collapse: peak of the impact, m/s²
    """

    kind: SegmentKind
    duration_s: float
    posture: str | None = None
    sway_rms_mps2: float = 0.2
    tremor_rms_mps2: float = 0.03
    tremor_hz: float = 10.0
    fatigue: float = 0.0
    sag_deg: float = 0.0
    wobbles_s: tuple[float, ...] = ()
    wobble_mps2: float = 0.8
    wobble_s: float = 0.5
    intensity_mps2: float = 1.5
    step_hz: float = 1.9
    breath_deg: float = 0.15
    breath_hz: float = 0.25
    fidget_rms_mps2: float = 0.02
    impact_mps2: float = 15.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["wobbles_s"] = list(self.wobbles_s)
        return d


@dataclass(frozen=True)
class Scenario:
    """A named timeline of segments. The device starts standing upright (``start_posture``)."""

    name: str
    segments: tuple[Segment, ...]
    start_posture: str = "standing"
    notes: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return float(sum(s.duration_s for s in self.segments))

    def validate(self) -> "Scenario":
        """Raise :class:`ConfigError` for unknown kinds/postures or impossible values; return self."""
        kinds = ("move", "collapse", "hold", "rest", "walk")
        for i, s in enumerate(self.segments):
            where = f"scenario {self.name!r} segment {i} ({s.kind})"
            if s.kind not in kinds:
                raise ConfigError(f"{where}: unknown kind; expected one of {', '.join(kinds)}")
            if not s.duration_s > 0:
                raise ConfigError(f"{where}: duration_s must be > 0")
            if s.posture is not None and s.posture not in POSTURES:
                raise ConfigError(f"{where}: unknown posture {s.posture!r}; known: {', '.join(POSTURES)}")
            if s.kind in ("hold", "rest") and s.posture is None:
                raise ConfigError(f"{where}: needs a posture")
            if s.kind == "hold" and not (0 <= s.fatigue <= 1 and s.wobble_s < 1.0):
                raise ConfigError(f"{where}: fatigue must be in 0..1 and wobble_s < 1 s")
        if self.start_posture not in POSTURES:
            raise ConfigError(f"scenario {self.name!r}: unknown start posture {self.start_posture!r}")
        return self


def _plank() -> Scenario:
    return Scenario("plank", (
        Segment("move", 4.0, intensity_mps2=1.8),
        Segment("hold", 45.0, "plank", sway_rms_mps2=0.25, tremor_rms_mps2=0.03, fatigue=0.6, sag_deg=6.0,
                wobbles_s=(14.0, 31.0), wobble_mps2=0.9, wobble_s=0.5),
        Segment("collapse", 1.0, "prone", impact_mps2=15.0, intensity_mps2=2.0),
        Segment("rest", 20.0, "prone", breath_deg=0.2),
        Segment("move", 4.0, "standing", intensity_mps2=2.0),
        Segment("move", 4.0, intensity_mps2=1.5),
        Segment("hold", 30.0, "side_plank", sway_rms_mps2=0.3, tremor_rms_mps2=0.035, fatigue=0.4, sag_deg=4.0,
                wobbles_s=(18.0,), wobble_mps2=0.8),
        Segment("move", 3.0, "standing", intensity_mps2=1.8),
        Segment("walk", 10.0, "standing", intensity_mps2=2.2, step_hz=1.9),
    ), notes="demo: setup, 45 s plank with wobbles and sag ending in a collapse, rest, side plank, walk away")


def _wall_sit() -> Scenario:
    return Scenario("wall-sit", (
        Segment("move", 3.0, intensity_mps2=1.5),
        Segment("hold", 40.0, "wall_sit", sway_rms_mps2=0.12, tremor_rms_mps2=0.04, tremor_hz=9.0, fatigue=0.8,
                sag_deg=3.0, wobbles_s=(25.0,)),
        Segment("move", 2.5, "standing", intensity_mps2=2.0),
        Segment("walk", 8.0, "standing", intensity_mps2=2.0),
    ), notes="thigh-worn device, 40 s wall-sit with rising tremor")


def _curl() -> Scenario:
    return Scenario("curl", (
        Segment("move", 2.5, intensity_mps2=1.2),
        Segment("hold", 30.0, "curl", sway_rms_mps2=0.08, tremor_rms_mps2=0.06, tremor_hz=10.0, fatigue=0.5,
                sag_deg=5.0),
        Segment("move", 2.5, "sitting", intensity_mps2=1.2),
        Segment("rest", 12.0, "sitting"),
    ), notes="forearm-worn device, 30 s static curl, then sitting")


def _hang() -> Scenario:
    return Scenario("hang", (
        Segment("move", 3.0, intensity_mps2=2.0),
        Segment("hold", 25.0, "hang", sway_rms_mps2=0.35, tremor_rms_mps2=0.04, fatigue=0.7, sag_deg=2.0,
                wobbles_s=(9.0,), wobble_mps2=1.0),
        Segment("collapse", 0.8, "standing", impact_mps2=20.0),
        Segment("walk", 6.0, "standing", intensity_mps2=2.0),
    ), notes="wrist-worn device, 25 s dead hang ending in a drop")


def _walk() -> Scenario:
    return Scenario("walk", (Segment("walk", 30.0, "standing", intensity_mps2=2.2, step_hz=1.9),),
                    notes="negative control: no holds")


def _rest() -> Scenario:
    return Scenario("rest", (
        Segment("move", 3.0, "lying", intensity_mps2=1.2),
        Segment("rest", 30.0, "lying"),
        Segment("move", 3.0, "sitting", intensity_mps2=1.5),
        Segment("rest", 20.0, "sitting"),
        Segment("move", 2.0, "table", intensity_mps2=1.0),
        Segment("rest", 15.0, "table"),
    ), notes="negative control: lying, sitting, device set down; no holds")


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "plank": _plank, "wall-sit": _wall_sit, "curl": _curl, "hang": _hang, "walk": _walk, "rest": _rest,
}


def get_scenario(name: str) -> Scenario:
    """A built-in scenario by name (:class:`ConfigError` if unknown)."""
    try:
        return SCENARIOS[name]()
    except KeyError:
        raise ConfigError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}") from None


def _loguniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def random_hold(rng: np.random.Generator, duration_s: float | None = None, posture: str | None = None,
                **overrides: Any) -> Segment:
    """A hold with parameters drawn over the documented ranges (see docs/simulator.md)."""
    dur = float(rng.uniform(15.0, 75.0)) if duration_s is None else duration_s
    n_wob = int(rng.integers(0, 4))
    wob = tuple(sorted(float(x) for x in rng.uniform(3.0, max(3.5, dur - 3.0), n_wob)))
    seg = Segment(
        "hold", dur, posture or str(rng.choice(HOLD_POSTURES)),
        sway_rms_mps2=_loguniform(rng, 0.03, 0.5),
        tremor_rms_mps2=_loguniform(rng, 0.01, 0.08),
        tremor_hz=float(rng.uniform(8.0, 12.0)),
        fatigue=float(rng.uniform(0.0, 1.0)),
        sag_deg=float(rng.uniform(0.0, 10.0)),
        wobbles_s=wob,
        wobble_mps2=float(rng.uniform(0.5, 1.5)),
        wobble_s=float(rng.uniform(0.3, 0.8)),
    )
    return replace(seg, **overrides)


def random_scenario(seed: int, n_holds: int | None = None, **hold_overrides: Any) -> Scenario:
    """A seeded random session: 1-3 x (setup move, hold, collapse or move out, rest or walk).

    ``hold_overrides`` fix hold parameters (e.g. ``sway_rms_mps2=0.03``) for targeted evaluation.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5CE7]))
    n = int(rng.integers(1, 4)) if n_holds is None else n_holds
    segs: list[Segment] = []
    for _ in range(n):
        segs.append(Segment("move", float(rng.uniform(2.0, 5.0)), intensity_mps2=float(rng.uniform(1.0, 3.0))))
        segs.append(random_hold(rng, **hold_overrides))
        after = str(rng.choice(["rest", "rest", "walk"]))
        target = str(rng.choice(REST_POSTURES)) if after == "rest" else "standing"
        if rng.uniform() < 0.5 and after == "rest" and target in ("prone", "lying", "side_lying"):
            segs.append(Segment("collapse", float(rng.uniform(0.6, 1.2)), target,
                                impact_mps2=float(rng.uniform(8.0, 25.0))))
        else:
            segs.append(Segment("move", float(rng.uniform(2.0, 4.0)), target,
                                intensity_mps2=float(rng.uniform(1.0, 3.0))))
        if after == "rest":
            segs.append(Segment("rest", float(rng.uniform(8.0, 30.0)), target,
                                breath_deg=float(rng.uniform(0.05, 0.3)), breath_hz=float(rng.uniform(0.2, 0.33)),
                                fidget_rms_mps2=_loguniform(rng, 0.005, 0.2)))
        else:
            segs.append(Segment("walk", float(rng.uniform(5.0, 15.0)), "standing",
                                intensity_mps2=float(rng.uniform(1.5, 3.0)), step_hz=float(rng.uniform(1.7, 2.1))))
    return Scenario(f"random-{seed}", tuple(segs), params={"seed": seed, "overrides": dict(hold_overrides)}).validate()
