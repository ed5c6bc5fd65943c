"""The true motion of the device: orientation and linear acceleration for a scenario timeline.

Frames: world z points up; ``rotation`` maps device axes to world axes. The accelerometer measures the
specific force ``a_meas = R^T (a_lin - g_vec)`` with ``g_vec = (0, 0, -G0)``, so a device at rest reads
+1 g along its world-up axis. The device orientation is ``R_body(t) @ R_mount``: the posture of the body
segment carrying it (:data:`holdtrack.sim.scenario.POSTURES`) times a fixed mounting rotation; a device
set down on a table (posture ``"table"``) ignores the mounting.

See docs/simulator.md for the model of each segment kind and the ranges it is based on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation, Slerp

from holdtrack.model import G0, FloatArray
from holdtrack.sim.scenario import POSTURES, Scenario, Segment
from holdtrack.sim.signals import band_noise, edge_taper, fft_lowpass, min_jerk, vector_rms

_UP = np.array([0.0, 0.0, G0])
_Parts = tuple[Rotation, Rotation, FloatArray]  # rotation, nominal rotation, linear acceleration (world)
#: ramp of the motion envelope at both ends of a move, s (the motion stops this fast when a hold starts)
MOVE_RAMP_S = 0.25
_SQRT3 = np.sqrt(3.0)


@dataclass(frozen=True, eq=False)
class Motion:
    """True motion sampled at the device's sample instants.

    Attributes
    ----------
    t_s : (n,) true sample times, s since the first sample
    rotation : n rotations, device axes -> world axes
    nominal : n rotations without the sway tilt, breathing and gait oscillation (posture + sag + mount)
    lin_world_mps2 : (n, 3) linear acceleration in world axes, m/s²
    segment_index : (n,) index of the scenario segment each sample belongs to
    bounds_s : (k + 1,) segment boundaries, s
    wobbles_s : start times of all wobbles, s since the first sample
    """

    t_s: FloatArray
    rotation: Rotation
    nominal: Rotation
    lin_world_mps2: FloatArray
    segment_index: np.ndarray
    bounds_s: FloatArray
    wobbles_s: tuple[float, ...]

    def specific_force_mps2(self) -> FloatArray:
        """(n, 3) what an ideal accelerometer reads, device axes, m/s² (gravity included)."""
        return self.rotation.inv().apply(self.lin_world_mps2 + _UP)

    def gravity_mps2(self) -> FloatArray:
        """(n, 3) the gravity part of the reading for the nominal orientation, device axes, m/s²."""
        return self.nominal.inv().apply(np.tile(_UP, (self.t_s.shape[0], 1)))

    def gyro_dps(self) -> FloatArray:
        """(n, 3) angular rate in device axes, deg/s (central differences of the orientation)."""
        n = self.t_s.shape[0]
        if n < 2:
            return np.zeros((n, 3))
        step = (self.rotation[:-1].inv() * self.rotation[1:]).as_rotvec() / np.diff(self.t_s)[:, None]
        w = np.empty((n, 3))
        w[0], w[-1] = step[0], step[-1]
        w[1:-1] = 0.5 * (step[:-1] + step[1:])
        return np.degrees(w)


def posture_rotation(name: str) -> Rotation:
    """Orientation of the body segment for a :data:`POSTURES` name (body -> world)."""
    roll, pitch = POSTURES[name]
    return Rotation.from_euler("xyz", [roll, pitch, 0.0], degrees=True)


def _axis_rot(axis: int, angle_rad: FloatArray) -> Rotation:
    v = np.zeros((angle_rad.shape[0], 3))
    v[:, axis] = angle_rad
    return Rotation.from_rotvec(v)


class _Builder:
    def __init__(self, scenario: Scenario, t_s: FloatArray, fs: float, mount: Rotation, table: Rotation,
                 rng: np.random.Generator) -> None:
        self.sc, self.t, self.fs, self.mount, self.table, self.rng = scenario, t_s, fs, mount, table, rng
        n = t_s.shape[0]
        self.quat = np.zeros((n, 4))
        self.nom = np.zeros((n, 4))
        self.lin = np.zeros((n, 3))
        self.bounds = np.concatenate([[0.0], np.cumsum([s.duration_s for s in scenario.segments])])
        self.seg = np.clip(np.searchsorted(self.bounds, t_s, side="right") - 1, 0, len(scenario.segments) - 1)
        self.wobbles: list[float] = []

    def device(self, posture: str, body: Rotation | None = None) -> Rotation:
        if posture == "table":
            return self.table
        return (body if body is not None else posture_rotation(posture)) * self.mount

    def target(self, i: int) -> str:
        for s in self.sc.segments[i:]:
            if s.posture is not None:
                return s.posture
        return self.sc.segments[i - 1].posture or self.sc.start_posture if i > 0 else self.sc.start_posture

    def run(self) -> Motion:
        # holds, rests and walks first: transitions then join their end points
        order = [i for i, s in enumerate(self.sc.segments) if s.kind in ("hold", "rest", "walk")]
        order += [i for i, s in enumerate(self.sc.segments) if s.kind in ("move", "collapse")]
        for i in order:
            idx = np.flatnonzero(self.seg == i)
            if idx.size == 0:
                continue
            seg = self.sc.segments[i]
            tau = self.t[idx] - self.bounds[i]
            rot, nom, lin = getattr(self, "_" + seg.kind)(i, seg, idx, tau)
            self.quat[idx], self.nom[idx], self.lin[idx] = rot.as_quat(), nom.as_quat(), lin
        return Motion(self.t, Rotation.from_quat(self.quat), Rotation.from_quat(self.nom), self.lin, self.seg,
                      self.bounds, tuple(self.wobbles))

    # ---- segment kinds: each returns (rotation, nominal rotation, linear acceleration in world axes)

    def _hold(self, i: int, seg: Segment, idx: np.ndarray, tau: FloatArray) -> _Parts:
        n, fs, rng = idx.size, self.fs, self.rng
        u = tau / seg.duration_s
        body = posture_rotation(seg.posture) * _axis_rot(1, np.radians(seg.sag_deg) * u**2)
        nom = self.device(seg.posture, body)
        sway = band_noise(rng, n, fs, 0.1, 2.0, 3) * [1.0, 1.0, 0.5] * edge_taper(n, fs, 0.3)[:, None]
        rms = vector_rms(sway)
        sway *= seg.sway_rms_mps2 / rms if rms > 0 else 0.0
        low = fft_lowpass(sway[:, :2], fs, 0.5)  # slow sway is tilt (gravity projection), the rest translation
        tilt = np.column_stack([low[:, 1] / G0, -low[:, 0] / G0, np.zeros(n)])
        rot = Rotation.from_rotvec(tilt) * nom if seg.posture != "table" else nom
        lin = np.column_stack([sway[:, :2] - low, sway[:, 2]])
        f0 = seg.tremor_hz
        lin += band_noise(rng, n, fs, f0 - 1.5, f0 + 1.5, 3) / _SQRT3 * (seg.tremor_rms_mps2 * (1 + 2 * seg.fatigue * u))[:, None]
        lin += band_noise(rng, n, fs, 4.0, 6.0, 3) / _SQRT3 * (1.5 * seg.fatigue * seg.tremor_rms_mps2 * u)[:, None]
        for w in seg.wobbles_s:
            m = (tau >= w) & (tau < w + seg.wobble_s)
            if not m.any():
                continue
            direction = rng.standard_normal(3)
            direction /= np.linalg.norm(direction)
            s = (tau[m] - w) / seg.wobble_s
            f = rng.uniform(1.5, 3.0)
            lin[m] += np.outer(seg.wobble_mps2 * np.sin(np.pi * s) ** 2 * np.cos(2 * np.pi * f * (tau[m] - w)), direction)
            self.wobbles.append(float(self.bounds[i] + w))
        return rot, nom, lin

    def _rest(self, i: int, seg: Segment, idx: np.ndarray, tau: FloatArray) -> _Parts:
        n = idx.size
        nom = self.device(seg.posture)
        if seg.posture == "table":
            return nom, nom, np.zeros((n, 3))
        breath = np.radians(seg.breath_deg) * np.sin(2 * np.pi * seg.breath_hz * tau)
        rot = self.device(seg.posture, posture_rotation(seg.posture) * _axis_rot(1, breath))
        lin = band_noise(self.rng, n, self.fs, 0.5, 5.0, 3) / _SQRT3 * seg.fidget_rms_mps2
        return rot, Rotation.from_quat(np.tile(nom.as_quat(), (n, 1))), lin

    def _walk(self, i: int, seg: Segment, idx: np.ndarray, tau: FloatArray) -> _Parts:
        n, fs, rng = idx.size, self.fs, self.rng
        f_inst = seg.step_hz * (1.0 + 0.03 * band_noise(rng, n, fs, 0.05, 0.5)[:, 0])
        phi = 2 * np.pi * np.concatenate([[0.0], np.cumsum(f_inst[:-1]) / fs])
        lin = np.column_stack([0.6 * np.sin(phi + 1.2), 0.5 * np.sin(phi / 2), np.sin(phi) + 0.35 * np.sin(2 * phi + 0.7)])
        lin += 0.15 * band_noise(rng, n, fs, 3.0, 10.0, 3)
        lin *= seg.intensity_mps2 / vector_rms(lin)
        post = posture_rotation(seg.posture or "standing")
        body = post * _axis_rot(0, np.radians(2.0) * np.sin(phi / 2)) * _axis_rot(1, np.radians(1.5) * np.sin(phi))
        nom = self.device(seg.posture or "standing")
        return self.device("standing", body), Rotation.from_quat(np.tile(nom.as_quat(), (n, 1))), lin

    def _path(self, i: int, idx: np.ndarray, s: FloatArray, bump_deg: float, bump_env: FloatArray) -> Rotation:
        r0 = Rotation.from_quat(self.quat[idx[0] - 1]) if idx[0] > 0 else self.device(self.sc.start_posture)
        r1 = self.device(self.target(i + 1) if self.sc.segments[i].posture is None else self.sc.segments[i].posture)
        path = Slerp([0.0, 1.0], Rotation.concatenate([r0, r1]))(s)
        axis = self.rng.standard_normal(3)
        axis /= np.linalg.norm(axis)
        return Rotation.from_rotvec(np.outer(np.radians(bump_deg) * bump_env, axis)) * path  # world axes: mount-independent

    def _move(self, i: int, seg: Segment, idx: np.ndarray, tau: FloatArray) -> _Parts:
        u = tau / seg.duration_s
        rot = self._path(i, idx, min_jerk(u), self.rng.uniform(15.0, 40.0), np.sin(np.pi * u) ** 2)
        env = edge_taper(idx.size, self.fs, MOVE_RAMP_S)  # full motion until MOVE_RAMP_S before the end
        lin = band_noise(self.rng, idx.size, self.fs, 0.3, 3.0, 3) * env[:, None]
        rms = vector_rms(lin)
        lin *= seg.intensity_mps2 / rms if rms > 0 else 0.0
        return rot, rot, lin

    def _collapse(self, i: int, seg: Segment, idx: np.ndarray, tau: FloatArray) -> _Parts:
        d = seg.duration_s
        u = np.clip(tau / (0.7 * d), 0.0, 1.0)  # rotation and drop in the first 70 %, then the impact
        rot = self._path(i, idx, min_jerk(u), self.rng.uniform(10.0, 25.0), np.sin(np.pi * u) ** 2)
        lin = band_noise(self.rng, idx.size, self.fs, 1.0, 6.0, 3) / _SQRT3 * seg.intensity_mps2 * (u < 1)[:, None]
        t_drop0, t_imp = 0.35 * d, 0.7 * d
        drop = (tau >= t_drop0) & (tau < t_imp)
        lin[drop, 2] -= 0.6 * G0 * np.sin(np.pi * (tau[drop] - t_drop0) / (t_imp - t_drop0))
        dv = 0.6 * G0 * (t_imp - t_drop0) * 2 / np.pi  # speed gained in the drop, m/s
        width = np.pi * dv / (2 * seg.impact_mps2)  # half-sine pulse with the same impulse
        dt = tau - t_imp
        pulse = (dt >= 0) & (dt < width)
        lin[pulse, 2] += seg.impact_mps2 * np.sin(np.pi * dt[pulse] / width)
        ring = dt >= width
        lin[ring, 2] += 0.2 * seg.impact_mps2 * np.exp(-(dt[ring] - width) / 0.06) * np.sin(2 * np.pi * 12.0 * (dt[ring] - width))
        return rot, rot, lin


def simulate_motion(scenario: Scenario, t_s: FloatArray, mount: Rotation, rng: np.random.Generator,
                    table: Rotation | None = None) -> Motion:
    """True motion of the device for ``scenario`` at sample times ``t_s`` (s since the first sample).

    Parameters
    ----------
    scenario : the timeline (validated)
    t_s : (n,) increasing sample times, s
    mount : fixed rotation of the device on the body segment (device -> body)
    rng : random generator (consumed)
    table : orientation of the device when set down (default: flat, z up)
    """
    t_s = np.asarray(t_s, dtype=np.float64)
    fs = (t_s.shape[0] - 1) / (t_s[-1] - t_s[0]) if t_s.shape[0] > 1 else 1.0
    return _Builder(scenario.validate(), t_s, fs, mount, table if table is not None else Rotation.identity(), rng).run()
