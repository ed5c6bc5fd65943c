"""Property tests: any stream of items survives a write/read round trip exactly; tee and UTC helpers."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from session_helpers import ble_info, htp_packets, same_items

from holdtrack.errors import ConfigError
from holdtrack.model import LinkEvent, RawPacket, SampleBlock
from holdtrack.session import SessionWriter, format_utc, host_time_s, parse_utc, read_session, recording

CHARS = ["0f170002-34bd-42fe-a79a-2bbaadc70ace", "0f170003-34bd-42fe-a79a-2bbaadc70ace"]
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def streams(draw):
    t, items = 0.0, []
    for _ in range(draw(st.integers(0, 40))):
        t += draw(st.floats(0.0, 0.7))
        kind = draw(st.sampled_from(["p", "p", "p", "s", "e"]))
        if kind == "p":
            items.append(RawPacket(draw(st.binary(max_size=40)), t, draw(st.sampled_from(CHARS))))
        elif kind == "e":
            items.append(LinkEvent(draw(st.sampled_from(["link_lost", "reconnected"])), t))
        else:
            n = draw(st.integers(1, 20))
            acc = np.array(draw(st.lists(finite, min_size=3 * n, max_size=3 * n))).reshape(n, 3)
            gyro = np.array(draw(st.lists(finite, min_size=3 * n, max_size=3 * n))).reshape(n, 3) \
                if draw(st.booleans()) else None
            items.append(SampleBlock(t + np.arange(n) * 0.01, acc, gyro))
            t += n * 0.01
    return items


@settings(max_examples=40, deadline=None)
@given(items=streams())
def test_any_stream_round_trips_exactly(items):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.htrec"
        with SessionWriter(path, ble_info()) as w:
            seen = list(recording(items, w))
        assert seen == items
        src = read_session(path)
        assert same_items(src.read_all(), items)
        assert src.ended_cleanly and src.problems == []
        assert src.footer == (sum(isinstance(i, RawPacket) for i in items),
                              sum(len(i) for i in items if isinstance(i, SampleBlock)))


def test_tee_writes_before_yielding(tmp_path):
    path = tmp_path / "tee.htrec"
    w = SessionWriter(path, ble_info())
    gen = recording(iter(htp_packets(3)), w)
    next(gen)
    w.flush()
    assert len(read_session(path).read_all()) == 1  # the yielded packet is already in the file
    w.close()


def test_utc_helpers_round_trip_and_give_append_times():
    start = "2026-11-26T15:00:00.250000Z"
    assert format_utc(parse_utc(start)) == start
    assert parse_utc("2026-11-26T16:00:00+01:00") == parse_utc("2026-11-26T15:00:00Z")
    later = parse_utc(start) + timedelta(seconds=42.5)
    assert host_time_s(start, later) == 42.5
    assert host_time_s(start, later.astimezone(timezone(timedelta(hours=-5)))) == 42.5
    for bad in ("yesterday", "2026-11-26T15:00:00"):
        with pytest.raises(ConfigError):
            parse_utc(bad)
    with pytest.raises(ConfigError):
        format_utc(datetime(2026, 1, 1))
