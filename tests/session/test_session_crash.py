"""Crash safety: a recorder killed with SIGKILL, and a full disk, leave readable files."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from session_helpers import ble_info, htp_packets, sample_block, sample_info

from holdtrack.errors import HoldtrackError
from holdtrack.session import SessionWriteError, SessionWriter, read_session

REPO = Path(__file__).resolve().parents[2]

RECORDER = textwrap.dedent("""
    import sys, time
    from holdtrack.model import RawPacket
    from holdtrack.protocol import htp
    from holdtrack.session import SessionWriter
    from holdtrack.sources.base import StreamInfo

    payload = bytes(htp.HtpPacket(seq=0, t0_us=0, odr_dhz=1000, range_g=8,
                                  samples=htp.counts_from_mps2([[0.0, 0.0, 9.8]] * 5, 8)))
    info = StreamInfo("ble", profile="holdtrack", rate_hz=100.0, settings={"rate_hz": 100.0, "range_g": 8})
    w = SessionWriter(sys.argv[1], info, clock=time.monotonic)
    t0 = time.monotonic()
    while True:                        # a live stream: one notification every ~10 ms
        t = time.monotonic() - t0
        w.write_packet(RawPacket(payload, t, htp.DATA_UUID))
        print(repr(t), flush=True)     # after write_packet returned: this packet was handed over
        time.sleep(0.01)
""")


def _env() -> dict[str, str]:
    # no .pyc writes: under RLIMIT_FSIZE they would leave truncated bytecode in the repository
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_a_random_moment_loses_at_most_one_second(tmp_path, seed):
    path = tmp_path / "killed.htrec"
    # bufsize=0: readline must not read ahead, or communicate() (which reads the raw pipe) misses lines
    proc = subprocess.Popen([sys.executable, "-c", RECORDER, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env(), cwd=tmp_path, bufsize=0)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the recorder is up and streaming
        assert first, proc.stderr.read() if proc.stderr else ""
        time.sleep(random.Random(seed).uniform(0.3, 2.5))
    finally:
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    handed = [float(first)] + [float(x) for x in out.split()]
    src = read_session(path)  # strict: a killed recording must read without salvage
    got = [p.host_time_s for p in src.read_all()]
    assert not src.ended_cleanly
    assert got == handed[: len(got)]  # an exact prefix of what was recorded
    must_have = [t for t in handed if t < handed[-1] - 1.0]  # everything older than 1 s at the kill
    assert len(got) >= len(must_have), (len(got), len(must_have), handed[-1])


DISK_FILLER = textwrap.dedent("""
    import resource, signal, sys
    import numpy as np
    from holdtrack.errors import HoldtrackError
    from holdtrack.model import SampleBlock
    from holdtrack.session import SessionWriter
    from holdtrack.sources.base import StreamInfo

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG from write() instead of a signal
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    t = np.arange(1000) / 100.0
    try:
        with SessionWriter(sys.argv[1], StreamInfo("csv", rate_hz=100.0)) as w:
            for i in range(10**6):
                w.write_block(SampleBlock(t + 10.0 * i, np.full((1000, 3), 9.8)))
    except HoldtrackError as exc:
        print(exc)
        sys.exit(3)
""")


def test_file_size_limit_stops_with_a_clear_error_and_a_readable_file(tmp_path):
    path = tmp_path / "full.htrec"
    limit = 300_000
    proc = subprocess.run([sys.executable, "-c", DISK_FILLER, str(path), str(limit)], capture_output=True,
                          text=True, env=_env(), cwd=tmp_path, timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert "recording stopped: disk full" in proc.stdout and str(path) in proc.stdout
    assert 0 < path.stat().st_size <= limit
    src = read_session(path)
    blocks = src.read_all()
    assert blocks and all(len(b) == 1000 for b in blocks) and not src.ended_cleanly
    assert path.read_bytes().endswith(b"\n")  # cut back to the last complete line


def test_enospc_mid_line_cuts_back_and_keeps_failing_clearly(tmp_path, monkeypatch):
    path = tmp_path / "enospc.htrec"
    real_write = os.write
    budget = [20_000]

    def tight_write(fd, data):
        if budget[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = min(len(data), budget[0])
        budget[0] -= n
        return real_write(fd, bytes(data[:n]))  # a short write first, like a filling disk

    w = SessionWriter(path, sample_info())
    monkeypatch.setattr(os, "write", tight_write)
    written = 0
    with pytest.raises(SessionWriteError, match="disk full") as err:
        for i in range(100):
            w.write_block(sample_block(100, t0_s=2.0 * i))
            written += 1
    assert isinstance(err.value, HoldtrackError) and err.value.errno == errno.ENOSPC
    with pytest.raises(SessionWriteError):
        w.write_block(sample_block(1, t0_s=999.0))  # stays failed: no half lines after the error
    w.close()
    monkeypatch.setattr(os, "write", real_write)
    src = read_session(path)
    assert len(src.read_all()) == written and not src.ended_cleanly


def test_packet_writer_reports_disk_full_on_flush(tmp_path, monkeypatch):
    path = tmp_path / "p.htrec"
    w = SessionWriter(path, ble_info())
    for p in htp_packets(8):  # all within one 0.5 s batch: nothing written yet
        w.write_packet(p)
    monkeypatch.setattr(os, "write", lambda fd, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space")))
    with pytest.raises(SessionWriteError, match="disk full"):
        w.flush()
    w.close()
    monkeypatch.undo()
    src = read_session(path)
    assert src.read_all() == [] and not src.ended_cleanly
