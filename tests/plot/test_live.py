"""The live window: runs under Xvfb and draws frames; falls back to the status line; memory stays bounded."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from holdtrack.plot._tap import Ring, SampleTap
from holdtrack.plot.live import TerminalStatus
from holdtrack.sim import simulate_session
from holdtrack.stream import LiveStatus, StreamProcessor
from tests.conftest import REPO

RUN_S = 4.0


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    env.update(extra)
    return env


@pytest.fixture
def xvfb_display():
    """A private Xvfb server on a free display number (chosen by Xvfb itself via -displayfd)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian package xvfb); the live-window test needs a virtual display")
    if subprocess.run([sys.executable, "-c", "import tkinter"], capture_output=True).returncode != 0:
        pytest.skip("tkinter is missing (Debian package python3-tk): matplotlib has no window backend")
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    try:
        with os.fdopen(r) as f:
            number = f.readline().strip()
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_live_window_draws_frames_under_xvfb(xvfb_display: str) -> None:
    out = subprocess.run([sys.executable, "-m", "tests.plot.live_driver", str(RUN_S), "1.0"], cwd=REPO,
                         env=_env(DISPLAY=xvfb_display), capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    print(res)
    assert res["available"] and res["view"] == "LiveView"
    assert res["frames"] >= 5 and res["full_draws"] >= 1
    assert res["plot_ink"] > 0.003, "the plot area shows no lines"
    assert res["cpu_ms_per_frame"] < 50.0, "a frame costs more CPU than 20 fps allows"
    assert 0 < res["ring_samples"] <= res["ring_capacity"]
    assert res["closed"]


def test_no_display_falls_back_to_the_status_line() -> None:
    code = ("from holdtrack.plot.live import live_view_available, open_live_view\n"
            "print(live_view_available(), type(open_live_view('x', 50.0)).__name__,"
            " type(open_live_view('x', 50.0, window=False)).__name__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=_env(), capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.split() == ["False", "TerminalStatus", "TerminalStatus"], out.stderr


def status(t: float, state: str = "holding") -> LiveStatus:
    return LiveStatus(t, 50.0, 100, 2, 0, state, 12.5, 71.0, 1)


def test_terminal_status_lines() -> None:
    buf = io.StringIO()
    term = TerminalStatus(buf, interval_s=0.0)
    term.update(status(1.0))
    term.update(status(2.0, "moving"))
    term.close()
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2 and "holding" in lines[0] and "score   71 (provisional)" in lines[0]
    assert "moving" in lines[1]
    slow = TerminalStatus(io.StringIO(), interval_s=60.0)
    for i in range(100):
        slow.update(status(float(i)))
    assert slow.lines == 1


def test_ring_is_bounded_over_an_hour() -> None:
    ring = Ring(1000, 3)
    size = ring.nbytes
    fs = 200.0
    for k in range(0, int(3600 * fs), 4000):  # an hour of 200 Hz in 20 s blocks
        t = (k + np.arange(4000)) / fs
        ring.extend(t, np.column_stack([t, t, t]))
    assert ring.nbytes == size and ring.count == int(3600 * fs)
    t, v = ring.last(2.0)
    assert t[-1] == pytest.approx((3600 * fs - 1) / fs) and t.size == int(2 * fs) + 1
    np.testing.assert_array_equal(v[:, 0], t)
    assert np.all(np.diff(ring.ordered()[0]) > 0)


def test_tap_sees_every_sample_and_changes_nothing() -> None:
    sim = simulate_session("curl", seed=4, rate_hz=50.0)
    plain, tapped = StreamProcessor(sim.info), StreamProcessor(sim.info)
    tap = SampleTap(tapped, max_samples=100_000)
    for item in sim.items:
        plain.push(item)
        tapped.push(item)
    t, a = tap.take()
    assert t.size == len(sim.signal)  # no loss: every sample the sensor made
    assert t[0] == 0.0 and np.all(np.diff(t) > 0)
    assert tap.take()[0].size == 0  # taken once
    tap.detach()
    assert tapped.finish().to_dict() == plain.finish().to_dict()


def test_tap_memory_is_bounded_when_nobody_takes() -> None:
    sim = simulate_session("hang", seed=2, rate_hz=50.0)
    proc = StreamProcessor(sim.info)
    tap = SampleTap(proc, max_samples=300)
    for item in sim.items:
        proc.push(item)
    t, _ = tap.take()
    assert t.size == 300 and tap.ring.nbytes == 300 * 8 * 4


def test_record_status_window_under_xvfb(xvfb_display: str) -> None:
    """``holdtrack record``'s contract: open_window(names).update([LiveStatus | None, ...]) and close()."""
    out = subprocess.run([sys.executable, "-m", "tests.plot.live_driver", "multi", "12"], cwd=REPO,
                         env=_env(DISPLAY=xvfb_display), capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["window"] == "StatusWindow" and res["frames"] == 12 and res["closed"]
    assert all(s in ("moving", "still", "holding") for s in res["states"])
    assert res["history"][0] == 12 and 0 < res["history"][1] < 12  # the second device joined later


def test_no_display_no_record_window() -> None:
    code = "from holdtrack.plot.live import open_window\nprint(open_window(['a', 'b']))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=_env(), capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "None", out.stderr


def test_window_scrolls_between_notifications_under_xvfb(xvfb_display: str) -> None:
    """``holdtrack demo``'s path (LiveDisplay, source paced with ``sleep=display.sleep``): frames are also drawn
    while the source waits, and there the right edge moves on, never backwards."""
    out = subprocess.run([sys.executable, "-m", "tests.plot.live_driver", "paced", "4", "0.5"], cwd=REPO,
                         env=_env(DISPLAY=xvfb_display), capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["view"] == "LiveView" and res["closed"] and res["pushes"] > 10
    frames = res["frames"]
    shown = np.array([s for _, s in frames])
    assert len(frames) >= 10 and np.all(np.isfinite(shown))
    assert np.all(np.diff(shown) >= 0), "the plot scrolled backwards"
    assert shown[-1] <= res["ring_t_last"]
    waiting = [b[1] > a[1] for a, b in zip(frames, frames[1:]) if a[0] == b[0]]  # no new samples in between
    assert sum(waiting) >= 3, "no frame scrolled on while the source waited"


def counting_live_views(argv: list[str]) -> str:
    """Python code that runs ``holdtrack ARGV`` and prints ``{"rc", "frames"}`` as JSON on stderr, where
    ``frames`` lists the frames drawn by each LiveView that was closed."""
    return ("import sys, json\n"
            "import holdtrack.plot.live as L\n"
            "seen = []\n"
            "close = L.LiveView.close\n"
            "def counted(self):\n"
            "    seen.append(self.frames)\n"
            "    close(self)\n"
            "L.LiveView.close = counted\n"
            "from holdtrack.cli import main\n"
            f"rc = main({argv!r})\n"
            "print(json.dumps({'rc': rc, 'frames': seen}), file=sys.stderr)\n")


def test_replay_shows_the_rolling_window_under_xvfb(xvfb_display: str, tmp_path) -> None:
    """``holdtrack replay FILE`` draws the same rolling live window as ``demo`` (not just a status panel), and
    its result is the file's analysis."""
    from holdtrack.analysis import analyze

    path = tmp_path / "plank.htrec"
    sim = subprocess.run([sys.executable, "-m", "holdtrack", "simulate", "plank", "--rate", "50", "-o", str(path)],
                         cwd=REPO, env=_env(), capture_output=True, text=True, timeout=120)
    assert sim.returncode == 0, sim.stderr
    code = counting_live_views(["replay", str(path), "--speed", "40", "--json"])
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=_env(DISPLAY=xvfb_display),
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stderr.strip().splitlines()[-1])
    assert info["rc"] == 0 and len(info["frames"]) == 1 and info["frames"][0] >= 20, info
    got, want = json.loads(out.stdout), analyze(path).to_dict()
    for key in ("samples", "gaps", "still_periods", "holds"):
        assert got[key] == want[key], key
