"""Every profile end to end: simulated samples -> the profile's own bytes -> StreamProcessor -> holds.

The holds found from each device's notifications must match the holds found from the samples
themselves (up to each device's quantisation), across HTP's seq and clock wraps, Polar's last-sample
timestamps, one-sample-per-notification devices and WitMotion frames split across notifications.
"""

from __future__ import annotations

import numpy as np
import pytest

from holdtrack.model import RawPacket, SampleBlock
from holdtrack.protocol import PROFILES
from holdtrack.protocol.encode import ONE_SAMPLE_PER_NOTIFICATION, encode_block
from holdtrack.sim import Scenario, Segment, simulate_session
from holdtrack.sources.base import StreamInfo
from holdtrack.stream import StreamProcessor

RATE = 25.0
SCENARIO = Scenario("short-plank", (
    Segment("move", 3.0, intensity_mps2=1.8),
    Segment("hold", 16.0, "plank", sway_rms_mps2=0.25, tremor_rms_mps2=0.03, fatigue=0.5),
    Segment("collapse", 1.0, "prone"),
    Segment("rest", 5.0, "prone"),
))
#: device clock at the first sample: HTP wraps its u32 µs clock 8 s in; Polar runs from its 2019 default
T_FIRST = {"holdtrack": 2**32 * 1e-6 - 8.0, "polar-pmd": 599_616_000.0}


@pytest.fixture(scope="module")
def signal() -> SampleBlock:
    return simulate_session(SCENARIO, seed=3, rate_hz=RATE, packets=False, orientation="upright").signal


@pytest.fixture(scope="module")
def reference(signal: SampleBlock) -> list:
    sp = StreamProcessor(StreamInfo(format="simulator", rate_hz=RATE))
    sp.push(signal)
    holds = sp.finish().holds
    assert len(holds) >= 1
    return holds


def packets_for(name: str, signal: SampleBlock) -> list[RawPacket]:
    uuid = PROFILES[name].data_uuid
    per = 1 if name in ONE_SAMPLE_PER_NOTIFICATION else 8
    out = []
    for k, i in enumerate(range(0, len(signal), per)):
        j = min(len(signal), i + per)
        t_dev = T_FIRST.get(name, 0.0) + float(signal.t_s[i])
        host = float(signal.t_s[j - 1]) + 0.015
        for payload in encode_block(name, signal.acc_mps2[i:j], t_dev, RATE, seq=65530 + k):
            out.append(RawPacket(payload, host, uuid))
    if name == "witmotion":  # the same byte stream in 7-byte notifications: frames straddle them
        stream = b"".join(p.payload for p in out)
        times = np.repeat([p.host_time_s for p in out], [len(p.payload) for p in out])
        out = [RawPacket(stream[a:a + 7], float(times[min(a + 6, len(stream) - 1)]), uuid)
               for a in range(0, len(stream), 7)]
    return out


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profile_gives_the_same_holds_as_the_samples(name: str, signal: SampleBlock, reference: list) -> None:
    sp = StreamProcessor(StreamInfo(format="ble", profile=name, rate_hz=RATE, settings={"rate_hz": RATE}))
    for p in packets_for(name, signal):
        sp.push(p)
    result = sp.finish()
    assert sp.decoder is not None and sp.decoder.bad_packets == 0
    assert sp.clock.lost_packets == 0
    assert len(result.holds) == len(reference)
    for got, want in zip(result.holds, reference):
        assert got.start_s == pytest.approx(want.start_s, abs=0.1)
        assert got.end_s == pytest.approx(want.end_s, abs=0.1)
        assert got.score == pytest.approx(want.score, abs=1.0)


def test_encode_block_refuses_unknown_profile() -> None:
    from holdtrack.errors import ConfigError

    with pytest.raises(ConfigError, match="no encoder"):
        encode_block("tindeq", np.zeros((1, 3)), 0.0, 50.0)
