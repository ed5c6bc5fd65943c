"""The streaming pipeline: samples in, gaps / still periods / scored holds out.

``Pipeline.push(block)`` accepts a :class:`~holdtrack.model.SampleBlock` of any length (including 0 or 1)
and returns the events it could finalise; ``flush()`` ends the stream. "Whole-array processing" is one
push followed by flush (:func:`run_offline`), so there is no separate batch path to diverge from the live
one; ``tests/test_chunk_invariance.py`` proves chunked == whole bit for bit.

Stages: :class:`GridResampler` (gaps, uniform grid) -> :class:`FrameFeatures` (windowed sigma, gravity)
-> stillness decision (thresholds from constants and a causal noise-floor estimate) ->
:class:`HoldSegmenter` -> per-hold metrics and score (zero-phase, on the hold's own samples, after it
closes).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any, Union

import numpy as np

from holdtrack.errors import ConfigError
from holdtrack.model import RATE_LIMITS_HZ, Gap, Hold, SampleBlock, StillPeriod
from holdtrack.signal.buffer import SampleBuffer
from holdtrack.signal.classify import classify_still
from holdtrack.signal.features import FEW_FRAMES, FrameFeatures
from holdtrack.signal.grid import GridPiece, GridResampler
from holdtrack.signal.metrics import hold_metrics
from holdtrack.signal.score import score_hold
from holdtrack.signal.swayband import noise_floor_from_sigma
from holdtrack.signal.segment import ClosedPeriod, HoldSegmenter, SegmenterParams

Event = Union[Gap, StillPeriod, Hold]

#: the live status classifies an open still period on its last this many seconds
PROVISIONAL_S = 30.0


@dataclass(frozen=True)
class PipelineConfig:
    """Every parameter of detection and segmentation (serialisable: saved with sessions and results).

    Times in s, accelerations in m/s², angles in degrees. See ``docs/detection.md`` for the method.
    """

    window_s: float = 1.0
    frame_rate_hz: float = 20.0
    lowpass_hz: float = 10.0
    still_threshold_mps2: float = 0.6
    still_noise_factor: float = 6.0
    rest_threshold_mps2: float = 0.02
    rest_noise_factor: float = 1.5
    # the three tremor_* fields no longer take part in the hold/rest decision (signal/classify.py decides); they
    # stay so that saved sessions and the "config" object of analyze --json keep their keys
    tremor_threshold_mps2: float = 0.01
    tremor_noise_factor: float = 1.6
    tremor_noise_cap_mps2: float = 0.02
    noise_cap_mps2: float = 0.015
    wobble_tolerance_s: float = 1.0
    wobble_max_mps2: float = 2.5
    boundary_mps2: float = 0.12
    wobble_detect_mps2: float = 0.5
    tilt_tolerance_deg: float = 20.0
    min_still_s: float = 2.0
    min_hold_s: float = 5.0
    gap_factor: float = 2.5
    max_bridge_s: float = 1.0
    max_hold_buffer_s: float = 1800.0
    score_guard_s: float = 0.5

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "PipelineConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True, eq=False)
class Trace:
    """What the detector saw, for plots and debugging (recorded only when asked: it grows with the input).

    Frame arrays (one value per frame of ``frame_s`` seconds, time of the frame end, s since the first sample):
    ``frame_t_s``, ``sigma_mps2`` (window sigma), ``threshold_mps2`` (still threshold in force),
    ``still`` (bool), ``gravity_mps2`` (n, 3) window mean, ``noise_floor_mps2`` (causal estimate).
    Grid arrays: ``t_s`` (m,) and ``acc_mps2`` (m, 3), ``gyro_dps`` (m, 3) or None: the uniform signal.
    """

    frame_s: float
    frame_t_s: np.ndarray
    sigma_mps2: np.ndarray
    threshold_mps2: np.ndarray
    still: np.ndarray
    gravity_mps2: np.ndarray
    noise_floor_mps2: np.ndarray
    t_s: np.ndarray
    acc_mps2: np.ndarray
    gyro_dps: np.ndarray | None
    rate_hz: float


@dataclass(frozen=True)
class PipelineState:
    """What the pipeline knows now, for live displays. Times in s since the first sample."""

    t_s: float
    state: str  # "moving", "still" or "holding"
    period_s: float  # time in the current still period (0 when moving)
    provisional_kind: str | None
    wobbles: int
    sigma_mps2: float | None
    threshold_mps2: float | None
    noise_floor_mps2: float | None


class Pipeline:
    """Streaming detection of still periods and holds at a nominal rate ``rate_hz`` (the grid rate)."""

    #: grid samples processed per step: a huge push is walked in steps like this, so the hold buffer (bounded
    #: by ``max_hold_buffer_s``) never drops samples a hold closing inside the same push still needs
    PIECE_SAMPLES = 8192

    def __init__(self, config: PipelineConfig | None = None, *, rate_hz: float, trace: bool = False) -> None:
        lo, hi = RATE_LIMITS_HZ
        if not (rate_hz and math.isfinite(rate_hz) and lo <= rate_hz <= hi):
            raise ConfigError(f"sample rate {rate_hz!r} Hz is outside {lo:g}..{hi:g} Hz")
        self.config = cfg = config or PipelineConfig()
        self.fs = float(rate_hz)
        self.grid = GridResampler(self.fs, gap_factor=cfg.gap_factor, max_bridge_s=cfg.max_bridge_s)
        self.features = FrameFeatures(self.fs, window_s=cfg.window_s, lowpass_hz=cfg.lowpass_hz, frame_rate_hz=cfg.frame_rate_hz)
        D, K = self.features.D, self.features.K
        self.frame_s = D / self.fs
        wobble_frames = int(round((cfg.wobble_tolerance_s + cfg.window_s) / self.frame_s))
        self.segmenter = HoldSegmenter(SegmenterParams(K, wobble_frames, math.cos(math.radians(cfg.tilt_tolerance_deg)),
                                                       wobble_max_sigma=cfg.wobble_max_mps2, Ks=self.features.Ks,
                                                       refine_mps2=cfg.boundary_mps2,
                                                       wobble_detect_mps2=cfg.wobble_detect_mps2))
        self.buffer = SampleBuffer(max_samples=int(cfg.max_hold_buffer_s * self.fs))
        self.noise_floor_mps2: float | None = None
        self._last_sigma: float | None = None
        self._last_frame = -1
        self._prov: tuple[tuple[int, int], str] | None = None  # (open period start, second) -> provisional kind
        self._started = False
        self.events: list[Event] = []
        self._trace: dict[str, list[Any]] | None = (
            {k: [] for k in ("f", "sigma", "thr", "still", "grav", "noise", "k", "acc", "gyro")} if trace else None)

    # ------------------------------------------------------------------ public
    def push(self, block: SampleBlock) -> list[Event]:
        """Process samples; returns the events finalised by them (gaps, still periods, holds)."""
        out: list[Event] = []
        pieces, gaps = self.grid.push(block)
        t0 = self.grid.t_first or 0.0
        for g in gaps:
            out.append(Gap(g.start_t - t0, g.end_t - t0, g.bridged))
        for piece in _split(pieces, min(self.PIECE_SAMPLES, max(1, self.buffer.max_samples // 4))):
            if piece.reset and self._started:
                out.extend(self._finish(self.segmenter.signal_loss(self._last_frame + 1)))
            self._started = True
            self.buffer.append(piece.k0, piece.acc_mps2, piece.gyro_dps)
            batch = self.features.push(piece)
            if self._trace is not None:
                self._trace["k"].append(np.arange(piece.k0, piece.k0 + piece.acc_mps2.shape[0]))
                self._trace["acc"].append(piece.acc_mps2)
                self._trace["gyro"].append(piece.gyro_dps)
            if batch is not None and len(batch):
                still, noise = self._decide(batch)
                if self._trace is not None:
                    tr = self._trace
                    tr["f"].append(np.arange(batch.f0, batch.f0 + len(batch)))
                    tr["sigma"].append(batch.sigma_mps2)
                    tr["thr"].append(self._still_threshold(noise))
                    tr["still"].append(still)
                    tr["grav"].append(batch.gravity_mps2)
                    tr["noise"].append(noise)
                self._last_frame = batch.f0 + len(batch) - 1
                out.extend(self._finish(self.segmenter.push(batch, still, noise)))
            self._trim()
        self.events.extend(out)
        return out

    def mark_signal_loss(self) -> None:
        """The link dropped: whatever comes next starts a new segment (ends any open hold)."""
        self.grid.force_split()

    def flush(self) -> list[Event]:
        """End of input: close the open period (``ended_by="end_of_data"``)."""
        out = self._finish(self.segmenter.flush())
        self.events.extend(out)
        return out

    def state(self) -> PipelineState:
        t = (self.grid.t_last - self.grid.t_first) if self.grid.t_first is not None and self.grid.t_last is not None else 0.0
        info = self.segmenter.open_info()
        sig = self.segmenter.provisional_sigma()
        kind = None if sig is None or info is None else self._provisional_kind(info[0], sig)
        if info is None:
            return PipelineState(t, "moving", 0.0, None, 0, self._last_sigma, float(self._still_threshold()), self.noise_floor_mps2)
        start_f, wobbles = info
        period = max(0.0, (self._last_frame + 1 - start_f) * self.frame_s)
        holding = kind == "hold" and period >= self.config.min_hold_s
        return PipelineState(t, "holding" if holding else "still", period, kind, wobbles, self._last_sigma,
                             float(self._still_threshold()), self.noise_floor_mps2)

    def _provisional_kind(self, start_f: int, sigma_median: float) -> str:
        """Kind of the open period from its last ``PROVISIONAL_S`` seconds, recomputed at most once a second."""
        key = (start_f, int((self._last_frame + 1) * self.frame_s))
        if self._prov is None or self._prov[0] != key:
            D = self.features.D
            k_end = (self._last_frame + 1) * D
            acc = self.buffer.slice(max(start_f * D, k_end - int(PROVISIONAL_S * self.fs)), k_end)[0]
            self._prov = (key, self._kind(sigma_median, self.noise_floor_mps2, acc))
        return self._prov[1]

    def trace(self) -> Trace | None:
        """The recorded :class:`Trace` (None unless the pipeline was built with ``trace=True``)."""
        tr = self._trace
        if tr is None:
            return None

        def cat(key: str, shape: tuple[int, ...] = (0,)) -> np.ndarray:
            return np.concatenate(tr[key]) if tr[key] else np.zeros(shape)

        gy = tr["gyro"]
        gyro = np.concatenate(gy) if gy and all(g is not None for g in gy) else None
        return Trace(self.frame_s, (cat("f") + 1) * self.frame_s, cat("sigma"), cat("thr"), cat("still").astype(bool),
                     cat("grav", (0, 3)), cat("noise"), cat("k") / self.fs, cat("acc", (0, 3)), gyro, self.fs)

    def open_hold_samples(self) -> tuple[np.ndarray, np.ndarray | None] | None:
        """Grid samples of the open still period so far (for a provisional score), or None."""
        info = self.segmenter.open_info()
        if info is None:
            return None
        D = self.features.D
        return self.buffer.slice(info[0] * D, (self._last_frame + 1) * D)

    # ------------------------------------------------------------------ internals
    def _still_threshold(self, nf: float | np.ndarray | None = None) -> float | np.ndarray:
        cfg = self.config
        if nf is None:
            nf = self.noise_floor_mps2 or 0.0
        else:  # np.nan_to_num(nf, posinf=0.0) without its overhead: nan and +inf -> 0, -inf -> most negative
            nf = np.where(np.isfinite(nf), nf, np.where(np.equal(nf, -np.inf), np.finfo(np.float64).min, 0.0))
        return np.maximum(cfg.still_threshold_mps2, cfg.still_noise_factor * np.minimum(nf, cfg.noise_cap_mps2))

    def _rest_threshold(self, nf: float | None) -> float:
        cfg = self.config
        nf = min(nf if nf is not None and math.isfinite(nf) else 0.0, cfg.noise_cap_mps2)
        return max(cfg.rest_threshold_mps2, cfg.rest_noise_factor * nf)

    def _kind(self, sigma_median: float, nf: float | None, acc_mps2: np.ndarray) -> str:
        """``hold`` or ``rest`` for a still period with median window sigma ``sigma_median`` and samples ``acc_mps2``.

        At the resting level (breathing-level motion or a device set down) it is rest; above it the shape of the
        spectrum decides (:mod:`holdtrack.signal.classify`: sway below 2 Hz and a tremor peak mean a loaded hold).
        """
        if not sigma_median > self._rest_threshold(nf):
            return "rest"
        return classify_still(acc_mps2, self.fs)[0]

    def _decide(self, batch) -> tuple[np.ndarray, np.ndarray]:
        """Per-frame still decision and the causal noise floor (running minimum of valid sigmas)."""
        if len(batch) <= FEW_FRAMES:
            few = self._decide_few(batch)
            if few is not None:
                return few
        sig = batch.sigma_mps2
        v = batch.valid
        prev = np.inf if self.noise_floor_mps2 is None else self.noise_floor_mps2
        noise = np.minimum.accumulate(np.concatenate(([prev], np.where(v, sig, np.inf))))[1:]
        if v.any():
            self.noise_floor_mps2 = float(noise[-1])
            self._last_sigma = float(sig[v][-1])
        thr = self._still_threshold(noise)
        with np.errstate(invalid="ignore"):
            return v & (sig < thr), noise

    def _decide_few(self, batch) -> tuple[np.ndarray, np.ndarray] | None:
        """:meth:`_decide` for a few frames with Python floats (the same min / max operations), None if a value is nan."""
        prev = math.inf if self.noise_floor_mps2 is None else self.noise_floor_mps2
        if math.isnan(prev):
            return None
        cfg = self.config
        still, noise, last = [], [], None
        for v, s in zip(batch.valid.tolist(), batch.sigma_mps2.tolist()):
            if v:
                if math.isnan(s):
                    return None
                prev, last = min(prev, s), s
            thr = max(cfg.still_threshold_mps2, cfg.still_noise_factor * min(prev if prev != math.inf else 0.0, cfg.noise_cap_mps2))
            still.append(v and s < thr)
            noise.append(prev)
        if last is not None:
            self.noise_floor_mps2, self._last_sigma = prev, last
        return np.array(still, dtype=bool), np.array(noise)

    def _finish(self, closed: list[ClosedPeriod]) -> list[Event]:
        out: list[Event] = []
        D, fs, cfg = self.features.D, self.fs, self.config
        t_end = (self.grid.t_last - self.grid.t_first) if self.grid.t_last is not None else 0.0  # type: ignore[operator]
        for c in closed:
            start_s, end_s = c.start_f * D / fs, min(c.end_f * D / fs, t_end)
            if end_s - start_s < cfg.min_still_s:
                continue
            kind = self._kind(c.sigma_median_mps2, c.noise_floor_mps2, self.buffer.slice(c.start_f * D, c.end_f * D)[0])
            out.append(StillPeriod(start_s, end_s, kind))  # type: ignore[arg-type]
            if kind == "hold" and end_s - start_s >= cfg.min_hold_s:
                out.append(self._score(c, start_s, end_s))
        return out

    def _score(self, c: ClosedPeriod, start_s: float, end_s: float) -> Hold:
        D = self.features.D
        # leave out a guard at each end: the transition into and out of the hold is not its stability
        guard = int(min(self.config.score_guard_s, 0.1 * (end_s - start_s)) * self.fs)
        acc, gyro = self.buffer.slice(c.start_f * D + guard, c.end_f * D - guard)
        wobble_s = c.wobble_frames * self.frame_s
        metrics, notes = hold_metrics(
            acc, self.fs, gyro,
            noise_floor_mps2=noise_floor_from_sigma(  # the detector's 3-axis SD -> per-axis sway-band RMS
                min(c.noise_floor_mps2 if math.isfinite(c.noise_floor_mps2) else 0.0, self.config.noise_cap_mps2),
                self.fs, self.config.lowpass_hz),
            wobbles=c.wobbles, wobble_time_s=wobble_s,
        )
        score, components = score_hold(metrics)
        return Hold(start_s, end_s, c.ended_by, score, metrics, notes, components, c.wobbles)

    def _trim(self) -> None:
        info = self.segmenter.open_info()
        D, K = self.features.D, self.features.K
        keep_from = info[0] if info is not None else self._last_frame - K - 2
        # while a period may still close retroactively, keep its samples; otherwise a window's worth
        self.buffer.trim(max(0, keep_from) * D)


def _split(pieces: list[GridPiece], size: int) -> list[GridPiece]:
    out: list[GridPiece] = []
    for p in pieces:
        n = p.acc_mps2.shape[0]
        if n <= size:
            out.append(p)
            continue
        for i in range(0, n, size):
            g = None if p.gyro_dps is None else p.gyro_dps[i : i + size]
            out.append(GridPiece(p.k0 + i, p.acc_mps2[i : i + size], g, p.reset and i == 0))
    return out


def run_offline(blocks: list[SampleBlock] | SampleBlock, *, rate_hz: float, config: PipelineConfig | None = None) -> list[Event]:
    """Process a whole recording: one push per block, then flush. Returns all events in time order."""
    p = Pipeline(config, rate_hz=rate_hz)
    for b in [blocks] if isinstance(blocks, SampleBlock) else blocks:
        p.push(b)
    p.flush()
    return sorted(p.events, key=_event_key)


def _event_key(e: Event) -> tuple[float, int]:
    order = {Gap: 0, StillPeriod: 1, Hold: 2}[type(e)]
    return (e.start_s, order)
