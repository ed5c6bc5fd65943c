"""Fuzz every decoder: arbitrary bytes give frames or PacketDecodeError, never another exception or a hang."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from holdtrack.errors import PacketDecodeError
from holdtrack.model import RawPacket
from holdtrack.protocol import PROFILES, htp_control, polar_pmd
from holdtrack.protocol.cp import parse_tlv

fuzz = settings(max_examples=200, deadline=500, suppress_health_check=[HealthCheck.too_slow])


def headed(prefix: bytes) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes, half of them behind a valid-looking prefix so the decoder gets past byte 0."""
    return st.one_of(st.binary(max_size=300), st.binary(max_size=300).map(lambda b: prefix + b))


PREFIX = {"holdtrack": b"\x01\x01", "polar-pmd": b"\x02" + bytes(8), "witmotion": b"\x55\x61",
          "microbit": b"", "thingy52": b""}


@pytest.mark.parametrize("name", sorted(PROFILES))
@fuzz
@given(data=st.data())
def test_profile_decoder_never_crashes(name: str, data: st.DataObject) -> None:
    profile = PROFILES[name]
    dec = profile.make_decoder(dict(profile.default_settings))
    chars = [profile.data_uuid, *profile.extra_uuids.values()]
    for _ in range(data.draw(st.integers(1, 4))):
        payload = data.draw(headed(PREFIX[name]))
        char = data.draw(st.sampled_from(chars))
        try:
            frames = dec.feed(RawPacket(payload, 0.0, char))
        except PacketDecodeError:
            continue
        for f in frames:
            assert f.acc_mps2.ndim == 2 and f.acc_mps2.shape[1] == 3 and len(f) >= 1
            assert np.isfinite(f.acc_mps2).all()


CODECS: list[Callable[[bytes], object]] = [
    htp_control.Request.from_bytes,
    htp_control.Response.from_bytes,
    htp_control.Features.from_bytes,
    polar_pmd.PmdResponse.from_bytes,
    polar_pmd.parse_settings,
    polar_pmd.parse_features,
    lambda b: polar_pmd.PmdFrame.from_bytes(b).acc_mg(0.5),
    lambda b: parse_tlv(b, {0: 2, 1: 1}),
]


@pytest.mark.parametrize("codec", CODECS)
@fuzz
@given(payload=st.binary(max_size=300))
def test_codecs_never_crash(codec: Callable[[bytes], object], payload: bytes) -> None:
    try:
        codec(payload)
    except PacketDecodeError:
        pass
