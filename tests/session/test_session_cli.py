"""``holdtrack replay / import / export`` end to end, in process (plus one subprocess for a full disk)."""

from __future__ import annotations

import csv
import json
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from session_helpers import same_items

from holdtrack.analysis import analyze
from holdtrack.cli import main
from holdtrack.model import G0
from holdtrack.session import SessionWriter, read_session
from holdtrack.sim import Scenario, Segment, simulate_session

REPO = Path(__file__).resolve().parents[2]
SHORT = Scenario("short", (Segment("move", 3.0, intensity_mps2=1.8), Segment("hold", 12.0, "plank"),
                           Segment("move", 3.0, "standing", intensity_mps2=1.8), Segment("rest", 8.0, "prone")))


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "short.htrec"
    sim = simulate_session(SHORT, seed=7, rate_hz=50, loss=0.01)
    with SessionWriter(path, sim.info) as w:
        for item in sim:
            w.write(item)
    return path


def write_csv(path: Path, seed: int = 3) -> None:
    sig = simulate_session(SHORT, seed=seed, rate_hz=50, packets=False).signal
    with open(path, "w") as f:
        f.write("time,x,y,z\n")
        for t, (x, y, z) in zip(sig.t_s, sig.acc_mps2 / G0):
            f.write(f"{t:.4f},{x:.5f},{y:.5f},{z:.5f}\n")


def run_json(capsys, *argv) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_replay_max_speed_json_equals_analyze(recorded, capsys):
    replayed = run_json(capsys, "replay", str(recorded), "--speed", "max", "--json")
    analysed = run_json(capsys, "analyze", str(recorded), "--json")
    assert replayed == analysed and replayed["holds"]


def test_replay_is_paced_by_the_recorded_times(recorded, capsys, monkeypatch):
    import time

    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    monkeypatch.setattr(time, "sleep", lambda s: now.__setitem__(0, now[0] + s))
    assert main(["replay", str(recorded), "--speed", "4", "--no-window"]) == 0
    out = capsys.readouterr().out
    assert "hold " in out and "ended by" in out
    span = max(p.host_time_s for p in read_session(recorded) if hasattr(p, "payload"))
    assert now[0] - 1000.0 == pytest.approx(span / 4, abs=0.1)


def test_replay_damaged_file_fails_in_one_line_and_salvage_works(recorded, tmp_path, capsys):
    lines = recorded.read_bytes().splitlines(keepends=True)
    bad = tmp_path / "bad.htrec"
    bad.write_bytes(b"".join(lines[:3] + [b"{oops\n"] + lines[3:]))
    assert main(["replay", str(bad), "--speed", "max"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"{bad}:4:" in err and "salvage" in err
    result = run_json(capsys, "replay", str(bad), "--speed", "max", "--json", "--salvage")
    assert any("line 4:" in n for n in result["notes"])


@pytest.mark.parametrize("speed", ["0", "-2", "fast", "nan"])
def test_bad_speed_is_a_usage_error(recorded, speed, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["replay", str(recorded), "--speed", speed])
    assert exc.value.code == 2


def test_import_csv_analyses_like_the_csv(tmp_path, capsys):
    src, out = tmp_path / "hold.csv", tmp_path / "hold.htrec"
    write_csv(src)
    assert main(["import", str(src), "--output", str(out)]) == 0
    s = read_session(out)
    assert s.ended_cleanly and s.info.rate_hz and s.header["source"]["kind"] == "import"
    a, b = analyze(str(src)), analyze(str(out))
    assert a.holds and [h.to_dict() for h in a.holds] == [h.to_dict() for h in b.holds]
    assert a.samples == b.samples and b.notes[: len(a.notes)] == a.notes
    assert main(["import", str(src), "--output", str(out)]) == 2  # no silent overwrite
    assert "exists already" in capsys.readouterr().err
    assert main(["import", str(src), "--output", str(src), "--force"]) == 2


def test_import_of_a_bad_file_leaves_no_output(tmp_path, capsys):
    src, out = tmp_path / "bad.csv", tmp_path / "bad.htrec"
    write_csv(src)
    lines = src.read_text().splitlines(keepends=True)
    src.write_text("".join(lines[:600] + ["1.0,banana,0,1\n"] + lines[600:]))
    assert main(["import", str(src), "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(src) in err
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


def test_import_salvage_repairs_a_session(recorded, tmp_path, capsys):
    lines = recorded.read_bytes().splitlines(keepends=True)
    bad, fixed = tmp_path / "bad.htrec", tmp_path / "fixed.htrec"
    bad.write_bytes(b"".join(lines[:5] + [b'{"k":"p"}\n'] + lines[5:-1] + [lines[-1][:7]]))
    assert main(["import", str(bad), "--output", str(fixed)]) == 2
    assert main(["import", str(bad), "--output", str(fixed), "--salvage"]) == 0
    repaired = read_session(fixed)
    assert repaired.ended_cleanly and repaired.read_all() and repaired.info.profile == "holdtrack"
    original = read_session(recorded)
    for key in ("start_utc", "settings", "rate_hz", "device", "characteristics", "pipeline"):
        assert repaired.header[key] == original.header[key], key
    salvaged = read_session(bad, salvage=True)
    assert same_items(repaired.read_all(), salvaged.read_all())
    assert salvaged.packets == len(read_session(recorded).read_all())  # only junk and the footer were lost


def test_export_samples_and_holds(recorded, tmp_path, capsys):
    samples, holds = tmp_path / "s.csv", tmp_path / "h.csv"
    assert main(["export", str(recorded), "--csv", str(samples), "--holds", str(holds)]) == 0
    result = analyze(str(recorded))
    rows = list(csv.DictReader(open(samples)))
    assert rows[0].keys() == {"t_s", "ax_mps2", "ay_mps2", "az_mps2", "state", "hold"}
    t = np.array([float(r["t_s"]) for r in rows])
    assert t[0] == 0.0 and np.all(np.diff(t) > 0)
    states = {r["state"] for r in rows}
    assert states <= {"moving", "still", "holding"} and {"moving", "holding"} <= states
    for r in rows:
        h = result.holds[int(r["hold"]) - 1] if r["hold"] else None
        assert (r["state"] == "holding") == (h is not None)
        if h:
            assert h.start_s - 1e-6 <= float(r["t_s"]) <= h.end_s + 1e-6
    hold_rows = list(csv.DictReader(open(holds)))
    assert len(hold_rows) == len(result.holds) >= 1
    assert float(hold_rows[0]["duration_s"]) == pytest.approx(result.holds[0].duration_s, abs=1e-3)
    assert float(hold_rows[0]["score"]) == pytest.approx(result.holds[0].score, abs=0.05)
    assert "rms_mps2" in hold_rows[0]
    header = open(holds).readline().strip().split(",")
    assert len(header) == len(set(header))  # a metric named like a column gets a metric_ prefix


def test_export_needs_an_output(recorded, capsys):
    assert main(["export", str(recorded)]) == 2
    assert "nothing to export" in capsys.readouterr().err


LIMIT = 20_000  # bytes per file


def _limit_file_size() -> None:
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def test_import_onto_a_full_disk_fails_cleanly_and_writes_nothing(tmp_path):
    src, out = tmp_path / "big.csv", tmp_path / "out" / "big.htrec"
    out.parent.mkdir()
    write_csv(src)  # 1300 samples: ~55 kB of session, far over the limit
    proc = subprocess.run([sys.executable, "-m", "holdtrack", "import", str(src), "-o", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}, preexec_fn=_limit_file_size)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "disk full" in proc.stderr
    assert list(out.parent.iterdir()) == []


def test_replay_is_paced_through_the_live_display(recorded, monkeypatch):
    """Without a window, replay waits through ``LiveDisplay.sleep`` (the window's pump when there is one: see
    tests/plot/test_live.py under Xvfb): at speed 2 the waits add up to half the recording."""
    import time

    from holdtrack.analysis import analyze

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    now = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    monkeypatch.setattr(time, "sleep", lambda s: now.__setitem__(0, now[0] + s))
    assert main(["replay", str(recorded), "--speed", "2", "--no-window"]) == 0
    span = analyze(recorded).duration_s
    assert span / 2 - 1.0 <= now[0] <= span / 2 + 1.0

