"""Recognising columns by header name: time, acceleration and gyroscope axes, and their units.

Names are compared after lower-casing and removing spaces, ``_ - .`` and a unit suffix in brackets or
parentheses (``"ax [g]"``, ``"Acceleration x (m/s^2)"``, ``"X [mg]"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from holdtrack.model import G0

_UNIT_SUFFIX = re.compile(r"^(?P<name>.*?)\s*(?:\[(?P<u1>[^\]]*)\]|\((?P<u2>[^)]*)\))\s*$")
_ACC = (
    re.compile(r"^(?:a|acc|accel|accelerometer|acceleration|totalacc|totalacceleration|gf)?(?P<axis>[xyz])$"),
    re.compile(r"^(?P<axis>[xyz])(?:acc|accel|acceleration)$"),
)
_GYRO = (
    re.compile(r"^(?:g|gyr|gyro|gyroscope|w|rot|rotationrate|angularvelocity)(?P<axis>[xyz])$"),
    re.compile(r"^(?P<axis>[xyz])(?:gyr|gyro|gyroscope)$"),
)
_TIME_NAMES = ("t", "time", "timestamp", "times", "ts", "timesec")

#: acceleration unit name -> m/s² per unit
ACC_SCALE = {"g": G0, "mg": G0 / 1000.0, "m/s2": 1.0}
_ACC_UNIT_ALIASES = {
    "g": "g", "gf": "g", "mg": "mg", "m/s2": "m/s2", "m/s^2": "m/s2", "m/s²": "m/s2", "ms^-2": "m/s2",
    "ms-2": "m/s2", "m/s/s": "m/s2", "mps2": "m/s2", "m s^-2": "m/s2", "m*s^-2": "m/s2",
}
#: gyroscope unit name -> deg/s per unit
GYRO_SCALE = {"deg/s": 1.0, "rad/s": 180.0 / 3.141592653589793}
_GYRO_UNIT_ALIASES = {"deg/s": "deg/s", "dps": "deg/s", "°/s": "deg/s", "degree/s": "deg/s",
                      "degrees/s": "deg/s", "rad/s": "rad/s", "rads": "rad/s", "rad s^-1": "rad/s"}
#: time unit -> seconds per unit
TIME_SCALE = {"s": 1.0, "sec": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ns": 1e-9}


def normalize_units(text: str | None) -> str | None:
    """Canonical acceleration unit (``"g"``, ``"mg"``, ``"m/s2"``) for a user or header spelling, else None."""
    if text is None:
        return None
    key = text.strip().lower()
    return _ACC_UNIT_ALIASES.get(key) or _ACC_UNIT_ALIASES.get(key.replace(" ", ""))


def split_unit(cell: str) -> tuple[str, str | None]:
    """``"ax [g]"`` -> ``("ax", "g")``; no suffix -> ``(cell, None)``."""
    m = _UNIT_SUFFIX.match(cell.strip())
    if not m:
        return cell.strip(), None
    return m.group("name").strip(), (m.group("u1") if m.group("u1") is not None else m.group("u2")).strip()


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.lower())


@dataclass
class Triple:
    """Three axis columns (x, y, z indices) and the unit named in their header, if any."""

    cols: tuple[int, int, int]
    unit: str | None


def _find_triple(names: Sequence[str], patterns: tuple[re.Pattern[str], ...], aliases: dict[str, str]
                 ) -> Triple | None:
    found: dict[str, tuple[int, str | None]] = {}
    for i, cell in enumerate(names):
        base, unit = split_unit(cell)
        key = _key(base)
        u = aliases.get(unit.lower().replace(" ", "")) if unit else None
        if unit and u is None:
            continue  # "X [dps]" is not an acceleration column, "gx [g]" not a gyroscope one
        for pat in patterns:
            m = pat.match(key)
            if m and m.group("axis") not in found:
                if u is None and key.startswith("gf") and aliases is _ACC_UNIT_ALIASES:
                    u = "g"
                found[m.group("axis")] = (i, u)
                break
    if set(found) != {"x", "y", "z"}:
        return None
    units = {found[a][1] for a in "xyz"}
    return Triple((found["x"][0], found["y"][0], found["z"][0]), units.pop() if len(units) == 1 else None)


def find_acc(names: Sequence[str]) -> Triple | None:
    """The first complete acceleration x/y/z column triple."""
    return _find_triple(names, _ACC, _ACC_UNIT_ALIASES)


def find_gyro(names: Sequence[str]) -> Triple | None:
    """The first complete gyroscope x/y/z column triple."""
    return _find_triple(names, _GYRO, _GYRO_UNIT_ALIASES)


def find_time(names: Sequence[str]) -> tuple[int, str | None] | None:
    """Index of the time column and its unit suffix (``"s"``, ``"ms"``...) if named in the header."""
    keyed = [(_key(split_unit(c)[0]), split_unit(c)[1]) for c in names]
    for wanted in _TIME_NAMES:
        for i, (key, unit) in enumerate(keyed):
            if key == wanted:
                return i, (unit.lower() if unit else None)
    return None
