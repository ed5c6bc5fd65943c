"""``simulate_session``: a seeded scenario through physics, sensor and link, with its ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np
from scipy.spatial.transform import Rotation

from holdtrack.errors import ConfigError
from holdtrack.model import LinkEvent, RawPacket, SampleBlock
from holdtrack.protocol import get_profile
from holdtrack.protocol.encode import ONE_SAMPLE_PER_NOTIFICATION
from holdtrack.sim.device import (LinkModel, counts_to_mps2, decode_all, device_payloads, packetize, sample_times,
                                  sensor_counts)
from holdtrack.sim.physics import Motion, simulate_motion
from holdtrack.sim.scenario import Scenario, get_scenario
from holdtrack.sim.truth import GroundTruth, build_truth
from holdtrack.sources.base import StreamInfo

Item = RawPacket | SampleBlock | LinkEvent


@dataclass(eq=False)
class Simulation:
    """A simulated session: a :class:`~holdtrack.sources.base.Source` plus what really happened.

    Attributes
    ----------
    info : stream metadata (format ``"simulator"``; profile and settings for packet streams)
    items : RawPacket / LinkEvent items in host-time order (``packets=True``) or SampleBlocks on true times
    truth : the ground truth, s since the first sample
    signal : every sample as the sensor produced it (after noise, range and quantisation), true times
    motion : the true motion behind it (orientation, linear acceleration)
    """

    info: StreamInfo
    items: list[Item]
    truth: GroundTruth
    signal: SampleBlock
    motion: Motion

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)


def _mount(orientation: Any, rng: np.random.Generator) -> Rotation:
    if orientation is None:
        return Rotation.random(random_state=rng)
    if isinstance(orientation, Rotation):
        return orientation
    if isinstance(orientation, str):
        if orientation == "upright":
            return Rotation.identity()
        raise ConfigError(f"unknown orientation {orientation!r}; use None, 'upright' or a 3x3 rotation matrix")
    m = np.asarray(orientation, dtype=np.float64)
    if m.shape != (3, 3) or not np.allclose(m @ m.T, np.eye(3), atol=1e-6) or np.linalg.det(m) < 0:
        raise ConfigError("orientation must be a proper 3x3 rotation matrix")
    return Rotation.from_matrix(m)


def simulate_session(
    scenario: Scenario | str = "plank",
    *,
    seed: int = 0,
    rate_hz: float = 100.0,
    orientation: Any = None,
    packets: bool = True,
    profile: str = "holdtrack",
    loss: float = 0.0,
    loss_burst: float = 1.0,
    jitter_s: float = 0.002,
    latency_s: float = 0.008,
    conn_interval_s: float = 0.030,
    drift_ppm: float = 0.0,
    noise_mps2: float = 0.01,
    range_g: int | None = None,
    samples_per_packet: int | None = None,
    outages: Sequence[tuple[float, float]] = (),
    gyro: bool = False,
    device_t0_s: float | None = None,
) -> Simulation:
    """Simulate one session with ground truth. Same arguments and seed give the same bytes.

    Parameters
    ----------
    scenario : a :class:`Scenario` or a built-in name (``"plank"``, ``"wall-sit"``, ``"curl"``, ``"hang"``,
        ``"walk"``, ``"rest"``)
    seed : seeds every random choice; the motion and sensor noise do not depend on the link settings
    rate_hz : output data rate on the device clock, Hz (25-200 typical)
    orientation : device mounting on the body: None = seeded random rotation, ``"upright"`` = identity,
        or a 3x3 rotation matrix (device axes -> body axes)
    packets : True: HTP notifications (RawPacket, LinkEvent) with host receive times; False: SampleBlocks
        on true times (no link effects)
    profile : packet profile: ``"holdtrack"`` (HTP), or any profile :mod:`holdtrack.protocol.encode` can encode
        (``"polar-pmd"``, ``"microbit"``, ``"thingy52"``, ``"witmotion"``; one sample per notification for the
        last three; ``signal`` is then what their decoders give back)
    loss, loss_burst : fraction of notifications lost and mean burst length in packets
    jitter_s, latency_s, conn_interval_s : BLE delivery timing, s
    drift_ppm : device clock rate error, ppm (positive: device clock fast)
    noise_mps2 : white sensor noise per axis, RMS, m/s²
    range_g : full scale (2/4/8/16 g; default: the profile's)
    samples_per_packet : samples per notification (default ~20 notifications per second)
    outages : link losses as (start_s, duration_s), s since the first sample (packets only)
    gyro : add true angular rate (deg/s) to ``signal`` / SampleBlocks (profiles with a gyroscope other than HTP
        always carry it in their packets)
    device_t0_s : device clock at the first sample, s (default: seeded, 1-3000 s after boot)
    """
    sc = (get_scenario(scenario) if isinstance(scenario, str) else scenario).validate()
    if not 1.0 <= rate_hz <= 6553.5:
        raise ConfigError(f"rate_hz must be between 1 and 6553.5 Hz, got {rate_hz}")
    if not 0.0 <= noise_mps2 <= 10.0:  # also refuses nan
        raise ConfigError(f"noise_mps2 must be between 0 and 10 m/s² (RMS), got {noise_mps2}")
    prof = get_profile(profile)
    rng_g = int(range_g if range_g is not None else prof.default_settings.get("range_g", 8))
    one = profile in ONE_SAMPLE_PER_NOTIFICATION
    per = 1 if one else samples_per_packet or max(1, int(round(rate_hz / 20.0)))
    if not 1 <= per <= 255 or (one and samples_per_packet not in (None, 1)):
        raise ConfigError(f"samples_per_packet must be 1..255 (1 for {profile}), got {samples_per_packet}")
    r_mount, r_phys, r_noise, r_link, r_misc = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5))
    mount = _mount(orientation, r_mount)
    yaw, tx, ty = r_misc.uniform(0, 360), r_misc.uniform(-2, 2), r_misc.uniform(-2, 2)
    table = Rotation.from_euler("xyz", [tx, ty, yaw], degrees=True)
    t0_dev = float(r_misc.uniform(1.0, 3000.0)) if device_t0_s is None else float(device_t0_s)

    t = sample_times(sc.duration_s, rate_hz, drift_ppm)
    motion = simulate_motion(sc, t, mount, r_phys, table)
    counts = sensor_counts(motion.specific_force_mps2(), r_noise, noise_mps2, rng_g)
    acc = counts_to_mps2(counts, rng_g)  # HTP counts: the exact values its decoder gives
    gyro_dps = motion.gyro_dps() if gyro or (prof.has_gyro and profile != "holdtrack") else None
    settings = {"rate_hz": float(rate_hz), "range_g": rng_g, "samples_per_packet": per}
    build = device_payloads(profile, acc, None if profile == "holdtrack" else gyro_dps, rate_hz=rate_hz,
                            device_t0_s=t0_dev, settings=settings)
    payloads = [build(k, i, min(i + per, len(t)) - 1) for k, i in enumerate(range(0, len(t), per))]
    if profile != "holdtrack":  # other codecs quantise differently: keep what their decoders give back
        acc, dec_gyro = decode_all(profile, payloads, settings)
        gyro_dps = dec_gyro if dec_gyro is not None else gyro_dps
    signal = SampleBlock(t, acc, gyro_dps)

    params: dict[str, Any] = {
        "scenario": sc.name, "seed": seed, "rate_hz": rate_hz, "orientation": mount.as_matrix().round(9).tolist(),
        "packets": packets, "profile": profile, "loss": loss, "loss_burst": loss_burst, "jitter_s": jitter_s,
        "latency_s": latency_s, "conn_interval_s": conn_interval_s, "drift_ppm": drift_ppm,
        "noise_mps2": noise_mps2, "range_g": rng_g, "samples_per_packet": per, "outages": [list(o) for o in outages],
        "device_t0_s": t0_dev, "segments": [s.to_dict() for s in sc.segments],
    }
    items: list[Item]
    sent = lost = 0
    if packets:
        link = LinkModel(conn_interval_s, latency_s, jitter_s, loss, loss_burst, tuple(tuple(o) for o in outages))
        stream = packetize(t, lambda k, first, last: payloads[k], per_packet=per, uuid=prof.data_uuid, link=link,
                           rng=r_link)
        items, sent, lost = list(stream.items), stream.packets_sent, stream.packets_lost
        info = StreamInfo("simulator", rate_hz=float(rate_hz), profile=profile, settings=settings,
                          device={"name": "HoldTrack-sim", "address": "00:00:00:00:00:00"})
    else:
        if outages:
            raise ConfigError("outages need packets=True (samples-only mode has no link)")
        items = [signal.slice(i, i + per) for i in range(0, len(signal), per)]
        info = StreamInfo("simulator", rate_hz=float(rate_hz), settings=settings)
    info.notes.append(f"simulated scenario {sc.name!r}, seed {seed}")
    truth = build_truth(sc, float(t[-1]), tuple((float(a), float(d)) for a, d in outages), motion.wobbles_s,
                        packets_sent=sent, packets_lost=lost, params=params)
    return Simulation(info, items, truth, signal, motion)
