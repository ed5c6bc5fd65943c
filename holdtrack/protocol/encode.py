"""Samples -> notification payloads for every profile (for the simulator and fake peripherals).

:func:`encode_block` turns a block of consecutive samples into the bytes the real device would send
on its data characteristic, using each profile's own encoder, so whatever consumes them exercises the
real decoders.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from numpy.typing import NDArray

from holdtrack.errors import ConfigError
from holdtrack.model import G0
from holdtrack.protocol import htp, microbit, polar_pmd, thingy52, witmotion

#: profiles whose notifications carry exactly one sample
ONE_SAMPLE_PER_NOTIFICATION = frozenset({"microbit", "thingy52", "witmotion"})


def encode_block(
    profile: str,
    acc_mps2: NDArray[np.float64],
    t_first_s: float,
    rate_hz: float,
    *,
    seq: int = 0,
    gyro_dps: NDArray[np.float64] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> list[bytes]:
    """Payloads a ``profile`` device sends for ``n`` consecutive samples.

    Parameters
    ----------
    profile : profile name (see :data:`holdtrack.protocol.PROFILES`)
    acc_mps2 : (n, 3) acceleration, m/s²; quantised and saturated like the device does
    t_first_s : device clock at the first sample, s (HTP: wraps at 2**32 µs; Polar: s since 2000-01-01)
    rate_hz : sample rate, Hz
    seq : HTP packet counter (wraps at 65536); ignored by the other profiles
    gyro_dps : (n, 3) angular rate, °/s, for profiles that carry it (HTP fmt 0x02, Thingy, WitMotion)
    settings : ``range_g`` (HTP, default 8), ``gyro_range_dps`` (HTP, 2000), ``frame_type`` (Polar, 0x01),
        ``factor`` (Polar compressed frames, 1.0)

    Returns
    -------
    One payload for HTP and Polar (the whole block in one notification: keep n <= 255 for HTP and what
    the MTU allows), one payload per sample for micro:bit, Thingy:52 and WitMotion.
    """
    s = dict(settings or {})
    acc = np.asarray(acc_mps2, dtype=np.float64).reshape(-1, 3)
    n = acc.shape[0]
    gyro = np.zeros((n, 3)) if gyro_dps is None else np.asarray(gyro_dps, dtype=np.float64).reshape(n, 3)
    acc_g = acc / G0
    if profile == htp.PROFILE.name:
        rng = int(s.get("range_g", 8))
        gr = int(s.get("gyro_range_dps", 2000))
        packet = htp.HtpPacket(seq % htp.SEQ_MODULUS, int(round(t_first_s * 1e6)) % (1 << 32), int(round(rate_hz * 10)),
                               rng, htp.counts_from_mps2(acc, rng),
                               gyro=None if gyro_dps is None else htp.counts_from_dps(gyro, gr), gyro_range_dps=gr)
        return [bytes(packet)]
    if profile == polar_pmd.PROFILE.name:
        ts_ns = int(round((t_first_s + (n - 1) / rate_hz) * 1e9))
        return [polar_pmd.acc_frame(acc_g * 1000.0, ts_ns, int(s.get("frame_type", 0x01)), float(s.get("factor", 1.0)))]
    if profile == microbit.PROFILE.name:
        mg = np.clip(np.rint(acc_g * 1000.0), -32768, 32767).astype(int)
        return [microbit.encode_sample(*row) for row in mg.tolist()]
    if profile == thingy52.PROFILE.name:
        return [bytes(thingy52.RawSample.from_units(a, g)) for a, g in zip(acc_g, gyro)]
    if profile == witmotion.PROFILE.name:
        return [bytes(witmotion.WitFrame.from_units(a, g)) for a, g in zip(acc_g, gyro)]
    raise ConfigError(f"no encoder for profile {profile!r}")
