"""Fuzzing what the existing fuzz tests leave out (tests/protocol, tests/imports, tests/session cover arbitrary
bytes per decoder, importer and reader):

* damaged *valid* recordings (bit flips, cut bytes, spliced lines of a real session file; damaged rows of a
  CSV export) through the whole ``analyze`` path: a result or a HoldtrackError, never another exception;
* bounded time and memory per decoded packet for every profile (no allocation driven by a length field).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from holdtrack.analysis import analyze
from holdtrack.errors import HoldtrackError, PacketDecodeError
from holdtrack.model import RawPacket
from holdtrack.protocol import PROFILES
from holdtrack.session import SessionWriter
from holdtrack.sim import simulate_session

FUZZ = settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def good_session(tmp_path_factory) -> bytes:
    """A small valid recording (packets, link events) written by the real writer."""
    sim = simulate_session("plank", seed=9, rate_hz=25.0, samples_per_packet=5, outages=[(30.0, 1.0)])
    path = tmp_path_factory.mktemp("fz") / "good.htrec"
    with SessionWriter(path, sim.info, clock=lambda: 0.0) as w:
        for it in sim.items:
            w.write(it)
    return path.read_bytes()


@st.composite
def damaged(draw, good: bytes) -> bytes:
    data = bytearray(good)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup_line", "truncate"]))
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[i:i + draw(st.integers(1, 64))]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=32))
        elif op == "dup_line":
            lines = bytes(data).split(b"\n")
            j = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[j])
            data = bytearray(b"\n".join(lines))
        else:
            del data[i:]
    return bytes(data)


def _analyze_or_own_error(path: Path, **kw) -> None:
    try:
        res = analyze(path, **kw)
    except HoldtrackError as exc:
        assert str(exc) and "\n" not in str(exc)  # one line for the CLI
        return
    assert res.samples >= 0 and all(np.isfinite(h.score) for h in res.holds)


@FUZZ
@given(data=st.data(), salvage=st.booleans())
def test_damaged_session_files_analyse_or_fail_cleanly(tmp_path_factory, good_session, data, salvage) -> None:
    blob = data.draw(damaged(good_session))
    path = tmp_path_factory.mktemp("d") / "damaged.htrec"
    path.write_bytes(blob)
    _analyze_or_own_error(path, salvage=salvage)


CSV_HEAD = "time_s,ax,ay,az\n"


@st.composite
def damaged_csv(draw) -> str:
    n = draw(st.integers(0, 80))
    rows = [f"{i / 50:.3f},{0.01 * (i % 7):.4f},-0.02,{1.0 + 0.001 * i:.4f}" for i in range(n)]
    for _ in range(draw(st.integers(0, 5))):
        if not rows:
            break
        j = draw(st.integers(0, len(rows) - 1))
        rows[j] = draw(st.sampled_from([
            "", "nan,nan,nan,nan", "1e308,1e308,-1e308,1e308", "0.1,,,", rows[j] + ",extra", "x,y,z,w",
            rows[j].replace(",", ";"), rows[j][: len(rows[j]) // 2], "-5,0,0,1", "inf,0,0,1", rows[j] * 2,
        ]))
    return CSV_HEAD + "\n".join(rows) + draw(st.sampled_from(["", "\n", "\r\n"]))


@FUZZ
@given(text=damaged_csv(), units=st.sampled_from([None, "g", "m/s2"]))
def test_damaged_csv_exports_analyse_or_fail_cleanly(tmp_path_factory, text, units) -> None:
    path = tmp_path_factory.mktemp("c") / "export.csv"
    path.write_text(text)
    _analyze_or_own_error(path, units=units)


PEAK_LIMIT_BYTES = 2_000_000  # a notification is <= 512 bytes; 2 MB of allocations would mean a length bomb


@pytest.mark.parametrize("name", sorted(PROFILES))
@settings(max_examples=80, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(payloads=st.lists(st.binary(min_size=0, max_size=512), min_size=1, max_size=6))
def test_decoders_use_bounded_memory(name: str, payloads: list[bytes]) -> None:
    profile = PROFILES[name]
    dec = profile.make_decoder(dict(profile.default_settings))
    tracemalloc.start()
    try:
        for i, p in enumerate(payloads):
            try:  # CountingDecoder-wrapped decoders never raise; bare ones raise PacketDecodeError
                dec.feed(RawPacket(p, float(i), profile.data_uuid))
            except PacketDecodeError:
                pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_LIMIT_BYTES, f"{name}: {peak} bytes allocated decoding {sum(map(len, payloads))} bytes"
