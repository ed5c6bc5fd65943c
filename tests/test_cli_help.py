"""Every command answers --help, and bad usage or input is one line on stderr with exit code 2."""

from __future__ import annotations

import pytest

from holdtrack.cli import COMMANDS, main


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: holdtrack " + command) and len(out.splitlines()) > 3


def test_analyze_reports_bad_input_in_one_line(tmp_path, capsys):
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    missing = tmp_path / "missing.csv"
    assert main(["analyze", str(binary), str(missing)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("holdtrack analyze: error: ") for line in err)
    assert str(binary) in err[0] and str(missing) in err[1]
    assert "Traceback" not in "\n".join(err)


def test_analyze_json_is_one_object_per_input(tmp_path, capsys):
    import json

    from holdtrack.sim import simulate_session

    sim = simulate_session("curl", seed=2, rate_hz=50, packets=False)
    path = tmp_path / "curl.csv"
    with open(path, "w") as f:
        f.write("t,ax,ay,az\n")
        for t, (x, y, z) in zip(sim.signal.t_s, sim.signal.acc_mps2):
            f.write(f"{t:.4f},{x:.5f},{y:.5f},{z:.5f}\n")
    assert main(["analyze", "--json", str(path), str(path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    d = json.loads(lines[0])
    assert {"holdtrack_version", "input", "sample_rate_hz", "duration_s", "samples", "gaps", "still_periods",
            "holds"} <= d.keys()
    assert d["input"] == {"path": str(path), "format": "csv"}
    (h,) = d["holds"]
    assert {"start_s", "end_s", "duration_s", "score", "ended_by", "metrics"} <= h.keys()
    truth = sim.truth.holds[0]
    assert abs(h["start_s"] - truth.start_s) < 1.0 and abs(h["end_s"] - truth.end_s) < 1.0
    assert {p["kind"] for p in d["still_periods"]} <= {"hold", "rest"}
