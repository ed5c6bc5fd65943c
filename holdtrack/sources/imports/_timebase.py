"""Turning exported time columns into clean sample times, and guessing rate and units.

Real exports repeat timestamps, jitter them (even backwards by a few ms) and drop out for a while.
Repeats and small backward steps are dropped and counted; dropouts are kept (the pipeline reports
them as gaps); a large backward step is an error naming the line. All of it works chunk by chunk.
"""

from __future__ import annotations

import math

import numpy as np

from holdtrack.errors import InputError
from holdtrack.sources.imports._columns import ACC_SCALE

#: Backward time steps up to this many seconds (or 2 sample periods, if longer) count as jitter.
JITTER_S = 0.1
#: A step longer than this many nominal sample periods is reported as a dropout.
DROPOUT_PERIODS = 3.0
#: Plausible accelerometer sample rates, Hz (outside: the time unit was misread).
MIN_RATE_HZ, MAX_RATE_HZ = 0.5, 20_000.0
#: Median |a| windows (in each unit) that identify the unit: 0.4 g to 3 g (running reaches a median of
#: 2.3 g in the ST HAR set); the g and m/s² windows do not overlap (3 < 4 m/s² = 0.41 g).
_UNIT_WINDOWS = {"g": (0.4, 3.0), "mg": (400.0, 3000.0), "m/s2": (4.0, 30.0)}


def estimate_rate(t_s: np.ndarray) -> float | None:
    """Nominal rate, Hz, from the median positive time step of ``t_s`` (s); None without one."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        dt = np.diff(np.asarray(t_s, dtype=np.float64))
        dt = dt[(dt > 0) & np.isfinite(dt)]
        if dt.size < 1:
            return None
        return float(1.0 / np.median(dt))


def check_rate(est: float | None, path: str, line: int | None, *, rows: int | None = None) -> None:
    """InputError when a rate estimated from a time column is implausible (time unit misread), or, when
    ``rows`` (the number of times it was estimated from) is given, when no rate could be estimated."""
    if est is None and rows is not None:
        if rows < 2:
            raise InputError(f"only {rows} sample{'s' * (rows != 1)}: too few to tell the sample rate "
                             "(give it with --rate HZ)", path=path, line=line)
        raise InputError("the time column does not advance (its times repeat or go backwards), so the sample "
                         "rate cannot be told: check the column, or give the rate with --rate HZ",
                         path=path, line=line)
    if est is not None and not (MIN_RATE_HZ <= est <= MAX_RATE_HZ):
        step = 1 / est if est else math.inf
        raise InputError(
            f"time steps of {step:.6g} s ({est:.4g} Hz) are implausible: is the time column in another "
            "unit? name it with a unit, e.g. 'time [ms]'", path=path, line=line)


def detect_units(acc: np.ndarray, path: str, line: int | None) -> tuple[str, float]:
    """The unit whose 0.4–3 g window holds the median |a| of ``acc`` (n, 3); else InputError.

    Returns ``(unit, median |a|)``.
    """
    if acc.shape[0] == 0:
        raise InputError("no samples to detect the acceleration units from; give --units", path=path, line=line)
    with np.errstate(over="ignore", invalid="ignore"):
        med = float(np.median(np.linalg.norm(acc, axis=1)))
    for unit, (lo, hi) in _UNIT_WINDOWS.items():
        if lo <= med <= hi:
            return unit, med
    raise InputError(
        f"cannot tell the acceleration units: median |a| is {med:.4g}, not near 1 g, 1000 mg or "
        "9.81 m/s² (gravity missing?); give --units g|mg|m/s2",
        path=path,
        line=line,
    )


def units_note(unit: str, how: str, med: float | None = None) -> str:
    """``"units detected: g (median |a| 1.00)"``-style note."""
    tail = ""
    if med is not None:
        in_g = "" if unit == "g" else f" = {med * ACC_SCALE[unit] / 9.80665:.2f} g"
        tail = f" (median |a| {med:.3g} {unit}{in_g})"
    return f"units {how}: {unit}{tail}"


class TimeCleaner:
    """Stateful, chunk-invariant cleaning of absolute sample times (s).

    ``clean(t_abs, lines)`` returns ``(keep, t_rel)``: a mask of samples to keep and their times in s
    since the first kept sample. Repeated times and backward jitter are dropped; larger backward steps
    raise InputError at their line.
    """

    def __init__(self, path: str, rate_hz: float | None) -> None:
        self.path = path
        period = 1.0 / rate_hz if rate_hz else 0.0
        self.tolerance_s = max(JITTER_S, 2.0 * period)
        self.dropout_s = DROPOUT_PERIODS * period if period else math.inf
        self.t0: float | None = None
        self.last: float = -math.inf
        self.duplicates = 0
        self.backward = 0
        self.dropouts = 0
        self.longest = (0.0, 0.0)  # (duration s, start s since first sample)

    def clean(self, t_abs: np.ndarray, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t_abs = np.asarray(t_abs, dtype=np.float64)
        if t_abs.size == 0:
            return np.zeros(0, bool), t_abs
        finite = np.isfinite(t_abs)
        if not finite.all():
            raise InputError("time value out of range", path=self.path, line=int(lines[np.argmin(finite)]))
        prev = np.maximum.accumulate(np.concatenate([[self.last], t_abs]))[:-1]
        with np.errstate(over="ignore", invalid="ignore"):
            step = t_abs - prev  # -inf for absurd jumps back: still "backwards"
        bad = np.flatnonzero(step < -self.tolerance_s)
        if bad.size:
            i = int(bad[0])
            raise InputError(
                f"time runs backwards by {-step[i]:.6g} s (more than the {self.tolerance_s:.3g} s jitter "
                "allowed)", path=self.path, line=int(lines[i]))
        keep = step > 0
        self.duplicates += int(np.count_nonzero(step == 0))
        self.backward += int(np.count_nonzero(step < 0))
        kept = t_abs[keep]
        if kept.size:
            if self.t0 is None:
                self.t0 = float(kept[0])
            with np.errstate(over="ignore", invalid="ignore"):
                t_rel = kept - self.t0
            if not np.isfinite(t_rel).all():
                i = int(np.flatnonzero(keep)[np.argmin(np.isfinite(t_rel))])
                raise InputError("time value out of range", path=self.path, line=int(lines[i]))
            steps = np.diff(np.concatenate([[self.last], kept])) if math.isfinite(self.last) else np.diff(kept)
            big = steps > self.dropout_s
            if big.any():
                self.dropouts += int(np.count_nonzero(big))
                j = int(np.argmax(np.where(big, steps, -1)))
                if steps[j] > self.longest[0]:
                    starts = np.concatenate([[self.last], kept])[:-1] if math.isfinite(self.last) else kept[:-1]
                    self.longest = (float(steps[j]), float(starts[j] - self.t0))
            self.last = float(kept[-1])
            return keep, t_rel
        return keep, kept

    def notes(self) -> list[str]:
        """What was cleaned, as human-readable notes."""
        out = []
        if self.duplicates:
            out.append(f"{self.duplicates} duplicated timestamps dropped")
        if self.backward:
            out.append(f"{self.backward} samples with times jittering backwards dropped")
        if self.dropouts:
            d, at = self.longest
            out.append(f"{self.dropouts} dropouts longer than {DROPOUT_PERIODS:g} sample periods "
                       f"(longest {d:.3f} s at {at:.3f} s)")
        return out
