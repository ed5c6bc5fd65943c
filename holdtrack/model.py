"""Core data types shared by every layer of holdtrack.

Units are part of the names: ``_s`` seconds, ``_mps2`` metres per second squared, ``_dps`` degrees per
second, ``_hz`` hertz. Arrays are float64 unless said otherwise.

The flow is::

    RawPacket --decode--> DecodedFrame --clock--> SampleBlock --pipeline--> Gap / StillPeriod / Hold

Live BLE, replay and the simulator enter as :class:`RawPacket`; imported files and decoded simulator
output enter as :class:`SampleBlock`. Everything after ``SampleBlock`` is one code path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, Literal, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Standard gravity, m/s² (used for every g <-> m/s² conversion).
G0 = 9.80665
#: Sample rates the pipeline accepts, Hz (inclusive).
RATE_LIMITS_HZ = (1.0, 5000.0)

EndedBy = Literal["motion", "tilt", "signal_loss", "end_of_data"]
StillKind = Literal["hold", "rest"]


@dataclass(frozen=True, slots=True)
class RawPacket:
    """One BLE notification (or indication) as received.

    Attributes
    ----------
    payload : the bytes exactly as received
    host_time_s : host receive time, seconds since the session start (host clock)
    characteristic : the characteristic UUID (lower case) the bytes came from
    """

    payload: bytes
    host_time_s: float
    characteristic: str


@dataclass(frozen=True)
class PacketBatch:
    """Consecutive packets of one characteristic given end to end, in arrival order (one ``"p"`` line of
    a session file).

    ``host_time_s[i]`` (s) and ``sizes[i]`` (bytes) belong to packet i, whose payload is
    ``data[sum(sizes[:i]) : sum(sizes[:i+1])]``. For vectorised decoders; :meth:`packets` gives objects.
    """

    characteristic: str
    host_time_s: list[float]
    sizes: list[int]
    data: bytes

    def __len__(self) -> int:
        return len(self.sizes)

    def packets(self) -> list[RawPacket]:
        data, char = self.data, self.characteristic
        return [RawPacket(data[e - n:e], t, char)
                for t, n, e in zip(self.host_time_s, self.sizes, accumulate(self.sizes))]


@dataclass(frozen=True, eq=False)
class DecodedFrame:
    """The samples of one packet, with whatever timing the device put in it.

    Decoders produce these from bytes alone; they never read a clock.

    Attributes
    ----------
    acc_mps2 : (n, 3) acceleration, device axes, m/s²
    gyro_dps : (n, 3) angular rate, deg/s, or None when the device sends none
    host_time_s : receive time of the packet on the host, s (None for file sources)
    seq : packet sequence number as sent (before unwrapping), or None
    seq_modulus : the value at which ``seq`` wraps (65536 for a u16), or None
    device_time_s : device clock reading for sample ``device_time_index``, s (before unwrapping), or None
    device_time_index : which sample the device time stamps: 0 = first, n - 1 = last (Polar)
    device_time_wrap_s : period after which the device clock wraps (2**32 µs for u32 µs), or None
    rate_hz : nominal sample rate the packet declares, or None
    """

    acc_mps2: FloatArray
    gyro_dps: FloatArray | None = None
    host_time_s: float | None = None
    seq: int | None = None
    seq_modulus: int | None = None
    device_time_s: float | None = None
    device_time_index: int = 0
    device_time_wrap_s: float | None = None
    rate_hz: float | None = None

    def __len__(self) -> int:
        return int(self.acc_mps2.shape[0])


@dataclass(frozen=True, eq=False)
class FrameColumns:
    """Many consecutive frames of one stream, column by column: the vectorised form of a list of
    :class:`DecodedFrame` (what a decoder returns for a whole batch of same-profile packets).

    Attributes
    ----------
    sizes : (k,) samples in each frame (int64; 0 for a packet without samples)
    acc_mps2 : (sum(sizes), 3) the frames' samples end to end, m/s²
    gyro_dps : (sum(sizes), 3) or None
    host_time_s : (k,) receive times, s, or None
    seq : (k,) sequence numbers as sent (int64), or None; ``seq_modulus`` as in :class:`DecodedFrame`
    device_time_s : (k,) device clock readings (before unwrapping), s, or None
    device_time_index, device_time_wrap_s : as in :class:`DecodedFrame` (the same for every frame)
    rate_hz : (k,) declared rates, Hz, or None
    """

    sizes: NDArray[np.int64]
    acc_mps2: FloatArray
    gyro_dps: FloatArray | None = None
    host_time_s: FloatArray | None = None
    seq: NDArray[np.int64] | None = None
    seq_modulus: int | None = None
    device_time_s: FloatArray | None = None
    device_time_index: int = 0
    device_time_wrap_s: float | None = None
    rate_hz: FloatArray | None = None

    def __len__(self) -> int:
        return int(self.sizes.shape[0])

    def frames(self) -> list[DecodedFrame]:
        """The same frames as objects (for per-frame consumers and tests)."""
        ends = np.cumsum(self.sizes).tolist()
        out = []
        for i, (n, e) in enumerate(zip(self.sizes.tolist(), ends)):
            out.append(DecodedFrame(
                acc_mps2=self.acc_mps2[e - n:e],
                gyro_dps=None if self.gyro_dps is None else self.gyro_dps[e - n:e],
                host_time_s=None if self.host_time_s is None else float(self.host_time_s[i]),
                seq=None if self.seq is None else int(self.seq[i]),
                seq_modulus=self.seq_modulus,
                device_time_s=None if self.device_time_s is None else float(self.device_time_s[i]),
                device_time_index=self.device_time_index,
                device_time_wrap_s=self.device_time_wrap_s,
                rate_hz=None if self.rate_hz is None else float(self.rate_hz[i]),
            ))
        return out


def _as_xyz(a: Any, name: str) -> FloatArray:
    arr = np.ascontiguousarray(a, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError(f"{name} must have shape (n, 3), got {arr.shape}")
    return arr


@dataclass(frozen=True, eq=False)
class SampleBlock:
    """Consecutive samples of one stream with per-sample times.

    Attributes
    ----------
    t_s : (n,) sample times, s, on the stream's time axis (non-decreasing)
    acc_mps2 : (n, 3) acceleration, m/s², device axes (gravity included)
    gyro_dps : (n, 3) angular rate, deg/s, or None
    """

    t_s: FloatArray
    acc_mps2: FloatArray
    gyro_dps: FloatArray | None = None

    def __post_init__(self) -> None:
        t = np.ascontiguousarray(self.t_s, dtype=np.float64).reshape(-1)
        acc = _as_xyz(self.acc_mps2, "acc_mps2")
        if acc.shape[0] != t.shape[0]:
            raise ValueError(f"t_s has {t.shape[0]} samples, acc_mps2 {acc.shape[0]}")
        object.__setattr__(self, "t_s", t)
        object.__setattr__(self, "acc_mps2", acc)
        if self.gyro_dps is not None:
            gyro = _as_xyz(self.gyro_dps, "gyro_dps")
            if gyro.shape[0] != t.shape[0]:
                raise ValueError(f"gyro_dps has {gyro.shape[0]} samples, t_s {t.shape[0]}")
            object.__setattr__(self, "gyro_dps", gyro)

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    @classmethod
    def empty(cls, gyro: bool = False) -> "SampleBlock":
        z = np.zeros((0, 3))
        return cls(np.zeros(0), z, z.copy() if gyro else None)

    def slice(self, start: int, stop: int) -> "SampleBlock":
        """Samples ``start:stop`` as a new block (views, no copy)."""
        g = None if self.gyro_dps is None else self.gyro_dps[start:stop]
        return SampleBlock(self.t_s[start:stop], self.acc_mps2[start:stop], g)

    @classmethod
    def concatenate(cls, blocks: Sequence["SampleBlock"]) -> "SampleBlock":
        """Join blocks end to end. Gyro is kept only if every block has it."""
        if not blocks:
            return cls.empty()
        has_gyro = all(b.gyro_dps is not None for b in blocks)
        return cls(
            np.concatenate([b.t_s for b in blocks]),
            np.concatenate([b.acc_mps2 for b in blocks]),
            np.concatenate([b.gyro_dps for b in blocks]) if has_gyro else None,  # type: ignore[misc]
        )


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """A change in the link to a live device, recorded so replay sees it too.

    ``kind`` is ``"link_lost"`` or ``"reconnected"``; ``host_time_s`` as in :class:`RawPacket`.
    """

    kind: Literal["link_lost", "reconnected"]
    host_time_s: float


# --------------------------------------------------------------------------------------------------
# Results


def _r(x: float | None, nd: int = 3) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), nd)


def _sig(x: float | None, digits: int = 6) -> float | None:
    """Round to significant digits (metrics span 1e-5 .. 1e3)."""
    if x is None or not math.isfinite(float(x)):
        return None
    return float(f"{float(x):.{digits}g}")


@dataclass(frozen=True)
class Gap:
    """An interval without samples, s since the first sample.

    ``start_s`` is the time of the last sample before the gap, ``end_s`` the first one after it.
    ``bridged`` gaps were short enough to interpolate over; the others split the signal and end any hold.
    """

    start_s: float
    end_s: float
    bridged: bool = False

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        return {"start_s": _r(self.start_s), "end_s": _r(self.end_s), "bridged": self.bridged}


@dataclass(frozen=True)
class StillPeriod:
    """A maximal interval of stillness, s since the first sample.

    ``kind`` is ``"hold"`` (holding a posture under load: sway and tremor above the resting level) or
    ``"rest"`` (lying or sitting relaxed, or the device set down).
    """

    start_s: float
    end_s: float
    kind: StillKind

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        return {"start_s": _r(self.start_s), "end_s": _r(self.end_s), "kind": self.kind}


@dataclass(frozen=True)
class Hold:
    """One scored isometric hold, s since the first sample.

    Attributes
    ----------
    start_s, end_s : the hold's boundaries, placed at the detected transitions
    ended_by : ``"motion"``, ``"tilt"``, ``"signal_loss"`` or ``"end_of_data"``
    score : stability score 0-100 (higher is steadier), or None if it could not be computed
    metrics : metric name (with unit suffix) -> value, or None where the hold cannot support it
    metric_notes : metric name -> why it is None
    score_components : named parts of the score (each 0-100) and their weights, so the score is explainable
    wobbles : number of brief excursions (< wobble tolerance) that did not end the hold
    """

    start_s: float
    end_s: float
    ended_by: EndedBy
    score: float | None = None
    metrics: Mapping[str, float | None] = field(default_factory=dict)
    metric_notes: Mapping[str, str] = field(default_factory=dict)
    score_components: Mapping[str, Any] = field(default_factory=dict)
    wobbles: int = 0

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_s": _r(self.start_s),
            "end_s": _r(self.end_s),
            "duration_s": _r(self.duration_s),
            "score": _r(self.score, 1),
            "ended_by": self.ended_by,
            "metrics": {k: _sig(v) for k, v in self.metrics.items()},
            "metric_notes": dict(self.metric_notes),
            "score_components": dict(self.score_components),
            "wobbles": self.wobbles,
        }
