"""``holdtrack simulate``: writes a replayable session and its truth; errors are one line, exit 2."""

from __future__ import annotations

import json

from holdtrack.analysis import analyze
from holdtrack.cli import main
from holdtrack.sim import simulate_session


def test_simulate_writes_session_and_truth(tmp_path, capsys):
    out, truth = tmp_path / "curl.htrec", tmp_path / "truth.json"
    assert main(["simulate", "curl", "--seed", "2", "--rate", "50", "--loss", "0.02", "-o", str(out),
                 "--truth", str(truth)]) == 0
    assert "hold curl" in capsys.readouterr().out
    expected = simulate_session("curl", seed=2, rate_hz=50, loss=0.02).truth
    assert json.loads(truth.read_text())["holds"] == [h.to_dict() for h in expected.holds]
    res = analyze(str(out))
    assert res.input_format == "htrec" and res.lost_packets == expected.packets_lost
    assert res.holds and abs(res.holds[0].start_s - expected.holds[0].start_s) < 1.0  # replays the hold
    assert not list(tmp_path.glob("*.part"))


def test_simulate_json_and_random(capsys):
    assert main(["simulate", "random:4", "--samples", "--json", "--rate", "25"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["params"]["scenario"] == "random-4" and d["holds"]


def test_simulate_errors(tmp_path, capsys):
    out = tmp_path / "x.htrec"
    assert main(["simulate", "no-such", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown scenario" in err
    assert main(["simulate", "random:x"]) == 2
    assert main(["simulate", "walk", "--loss", "0.9"]) == 2
    capsys.readouterr()
    assert main(["simulate", "walk", "--noise", "-1", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "noise" in err
    assert not out.exists() and not list(tmp_path.iterdir())
