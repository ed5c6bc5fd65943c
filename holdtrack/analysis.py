"""The analysis API: ``analyze(...)`` for files, sources and arrays, and its typed result.

>>> import holdtrack
>>> result = holdtrack.analyze("session.htrec")          # doctest: +SKIP
>>> result.holds[0].score, result.to_dict()["holds"]     # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from holdtrack._version import __version__
from holdtrack.errors import ConfigError, InputError
from holdtrack.model import G0, Gap, Hold, SampleBlock, StillPeriod
from holdtrack.signal.pipeline import PipelineConfig, Trace, _event_key
from holdtrack.sources.base import ListSource, Source, StreamInfo

if TYPE_CHECKING:
    from holdtrack.stream import StreamProcessor

#: samples per pipeline push when analysing a file (the result does not depend on it)
OFFLINE_BATCH_SAMPLES = 4096

UNITS = {"g": G0, "mg": G0 / 1000.0, "m/s2": 1.0, "mps2": 1.0, "m/s^2": 1.0}


@dataclass
class AnalysisResult:
    """Everything ``holdtrack analyze`` reports for one input (see :meth:`to_dict` for the JSON contract)."""

    input_path: str | None
    input_format: str
    sample_rate_hz: float
    duration_s: float
    samples: int
    gaps: list[Gap]
    still_periods: list[StillPeriod]
    holds: list[Hold]
    notes: list[str] = field(default_factory=list)
    packets: int = 0
    lost_packets: int = 0
    bad_packets: int = 0
    dropped_samples: int = 0
    start_utc: str | None = None
    device: dict[str, Any] = field(default_factory=dict)
    config: PipelineConfig = field(default_factory=PipelineConfig)
    drift_ppm: float | None = None
    trace: "Trace | None" = field(default=None, repr=False, compare=False)

    @classmethod
    def from_processor(cls, proc: "StreamProcessor") -> "AnalysisResult":
        p = proc.pipeline
        events = sorted(p.events, key=_event_key)
        g = p.grid
        duration = (g.t_last - g.t_first) if g.t_first is not None and g.t_last is not None else 0.0
        info = proc.info
        notes = list(info.notes)
        if proc.decoder is not None and proc.decoder.bad_packets:
            first = proc.decoder.errors[0]
            notes.append(f"{proc.decoder.bad_packets} bad packets skipped (first: packet {first.index}: {first.message})")
        return cls(
            input_path=info.path,
            input_format=info.format,
            sample_rate_hz=proc.rate_hz,
            duration_s=duration,
            samples=g.samples,
            gaps=[e for e in events if isinstance(e, Gap)],
            still_periods=[e for e in events if isinstance(e, StillPeriod)],
            holds=[e for e in events if isinstance(e, Hold)],
            notes=notes,
            packets=proc.clock.packets if proc.decoder else 0,
            lost_packets=proc.clock.lost_packets,
            bad_packets=proc.decoder.bad_packets if proc.decoder else 0,
            dropped_samples=g.dropped,
            start_utc=info.start_utc,
            device=dict(info.device),
            config=proc.config,
            drift_ppm=proc.clock.drift_ppm,
            trace=p.trace(),
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``analyze --json`` object. Key names are a contract: extend, never rename."""
        return {
            "holdtrack_version": __version__,
            "input": {"path": self.input_path, "format": self.input_format},
            "sample_rate_hz": round(self.sample_rate_hz, 4),
            "duration_s": round(self.duration_s, 3),
            "samples": self.samples,
            "gaps": [g.to_dict() for g in self.gaps],
            "still_periods": [s.to_dict() for s in self.still_periods],
            "holds": [h.to_dict() for h in self.holds],
            "notes": self.notes,
            "packets": {"received": self.packets, "lost": self.lost_packets, "bad": self.bad_packets},
            "dropped_samples": self.dropped_samples,
            "start_utc": self.start_utc,
            "device": self.device,
            "clock_drift_ppm": None if self.drift_ppm is None else round(self.drift_ppm, 1),
            "config": self.config.to_dict(),
        }


def open_input(path: str | os.PathLike[str], *, format: str = "auto", units: str | None = None,
               rate: float | None = None, salvage: bool = False) -> Source:
    """Open a recording as a :class:`~holdtrack.sources.base.Source` (session file or any importer)."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", path=str(path))
    if p.is_dir():
        raise InputError("is a directory, not a recording", path=str(path))
    if format == "htrec" or (format == "auto" and _looks_like_session(p)):
        from holdtrack.session import read_session

        return read_session(p, salvage=salvage)
    from holdtrack.sources.imports import open_import

    return open_import(p, format=format, units=units, rate=rate)


def _looks_like_session(p: Path) -> bool:
    if p.suffix == ".htrec":
        return True
    try:
        with open(p, "rb") as f:
            return f.read(64).lstrip().startswith(b'{"holdtrack_session"')
    except OSError:
        return False


def source_from_array(acc: Any, *, rate: float, units: str = "m/s2", t_s: Any = None,
                      gyro_dps: Any = None) -> Source:
    """Wrap an (n, 3) array (and optional times) as a source. ``units``: ``g``, ``mg`` or ``m/s2``."""
    if units not in UNITS:
        raise ConfigError(f"unknown units {units!r}; use g, mg or m/s2")
    a = np.asarray(acc, dtype=np.float64) * UNITS[units]
    if a.ndim != 2 or a.shape[1] != 3:
        raise ConfigError(f"acceleration must have shape (n, 3), got {a.shape}")
    if not rate or rate <= 0:
        raise ConfigError("a positive rate (Hz) is needed for an array input")
    t = np.arange(a.shape[0]) / rate if t_s is None else np.asarray(t_s, dtype=np.float64)
    info = StreamInfo(format="array", rate_hz=float(rate))
    return ListSource(info, [SampleBlock(t, a, gyro_dps)])


def analyze(data: Any, *, rate: float | None = None, units: str | None = None, format: str = "auto",
            config: PipelineConfig | None = None, salvage: bool = False, trace: bool = False) -> AnalysisResult:
    """Detect and score holds.

    Parameters
    ----------
    data : a path (CSV, phone export, ``.htrec``), a :class:`~holdtrack.sources.base.Source`, a
        :class:`~holdtrack.model.SampleBlock`, or an (n, 3) array (then ``rate`` is required)
    rate : sample rate, Hz (arrays; files without a time column)
    units : ``g``, ``mg`` or ``m/s2`` (arrays default to m/s²; files: detected when not given)
    format : importer name or ``"auto"``
    config : detection parameters
    trace : also keep the uniform signal and the detector's per-frame view (``result.trace``) for plotting
    """
    from holdtrack.stream import StreamProcessor

    if isinstance(data, (str, os.PathLike)):
        source = open_input(data, format=format, units=units, rate=rate, salvage=salvage)
    elif isinstance(data, SampleBlock):
        if not rate:
            raise ConfigError("a rate (Hz) is needed for a SampleBlock input")
        source = ListSource(StreamInfo(format="array", rate_hz=float(rate)), [data])
    elif hasattr(data, "info") and hasattr(data, "__iter__"):
        source = data
    else:
        source = source_from_array(data, rate=rate or 0.0, units=units or "m/s2")
    try:
        proc = StreamProcessor(source.info, config, trace=trace, batch_samples=OFFLINE_BATCH_SAMPLES)
    except ConfigError as exc:  # e.g. an absurd rate: say which input it is about
        if source.info.path:
            raise InputError(str(exc), path=source.info.path) from None
        raise
    try:
        batches = getattr(source, "batches", None)  # session files: whole packet lines (vectorised)
        proc.push_all(batches() if batches is not None else source)
    except InputError as exc:
        raise exc.at(source.info.path) from None
    return proc.finish()


def analyze_many(paths: Sequence[str | os.PathLike[str]], **kwargs: Any) -> list[AnalysisResult]:
    """:func:`analyze` each path in turn."""
    return [analyze(p, **kwargs) for p in paths]
