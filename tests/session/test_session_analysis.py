"""Exact replay: analysing a recorded session gives exactly the result of analysing the live stream."""

from __future__ import annotations

import pytest
from session_helpers import same_items

from holdtrack.analysis import analyze
from holdtrack.session import SessionWriter, read_session
from holdtrack.sim import Scenario, Segment, simulate_session

# short on purpose: the pipeline costs ~1 ms per pushed item
SHORT = Scenario("short-plank", (Segment("move", 3.0, intensity_mps2=1.8), Segment("hold", 14.0, "plank"),
                                 Segment("move", 3.0, "standing", intensity_mps2=1.8)))


def comparable(result) -> dict:
    d = result.to_dict()
    d.pop("input")
    d.pop("notes")
    return d


@pytest.mark.parametrize("packets", [True, False])
def test_recorded_session_analyses_exactly_like_the_live_stream(tmp_path, packets):
    sim = simulate_session(SHORT, seed=4, rate_hz=50, packets=packets, loss=0.02 if packets else 0.0,
                           outages=[(16.0, 1.5)] if packets else ())
    path = tmp_path / "plank.htrec"
    with SessionWriter(path, sim.info) as w:
        for item in sim:
            w.write(item)
    src = read_session(path)
    assert same_items(src.read_all(), sim.items) and src.ended_cleanly
    live, replayed = analyze(sim), analyze(str(path))
    assert live.holds and comparable(replayed) == comparable(live)
    assert replayed.to_dict()["input"]["format"] == "htrec"


def test_salvage_and_abrupt_end_show_up_in_the_analysis_notes(tmp_path):
    sim = simulate_session(SHORT, seed=2, rate_hz=50)
    path = tmp_path / "cut.htrec"
    with SessionWriter(path, sim.info) as w:
        for item in sim:
            w.write(item)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[5] = b'{"k":"p","c":"broken\n'
    path.write_bytes(b"".join(lines[:-1]) + lines[-1][:10])
    result = analyze(str(path), salvage=True)
    assert any("line 6:" in n and "skipped" in n for n in result.notes)
    assert any("ended abruptly" in n for n in result.notes)
