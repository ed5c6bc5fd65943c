"""``record phyphox://HOST:PORT``: a phone's live samples over Wi-Fi, against a local replay server."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from holdtrack.ble.phyphox_link import PhyphoxLink
from holdtrack.ble.recorder import Recorder
from holdtrack.cli import main
from holdtrack.model import G0
from holdtrack.session import SessionWriter, read_session
from holdtrack.stream import StreamProcessor
from tests.ble.fake_phyphox import FakePhyphox, write_export


@pytest.fixture
def phone(tmp_path):
    t = np.arange(0, 60, 0.01)  # 100 Hz, longer than any test runs
    acc = np.zeros((t.size, 3))
    acc[:, 2] = G0
    moving = t < 1.5
    acc[moving, 0] += 3.0 * np.sin(2 * np.pi * 1.1 * t[moving])
    acc[~moving, 0] += 0.1 * np.sin(2 * np.pi * 0.5 * t[~moving]) + 0.04 * np.sin(2 * np.pi * 9 * t[~moving])
    export = tmp_path / "Raw Data.csv"
    write_export(export, t, acc)
    server = FakePhyphox(export).start()
    try:
        yield server
    finally:
        server.stop()


def _clock():
    t0 = time.monotonic()
    return lambda: time.monotonic() - t0


@pytest.mark.asyncio
async def test_live_phyphox_samples_are_recorded_and_analysed(phone, tmp_path):
    out = tmp_path / "phone.htrec"
    link = PhyphoxLink(phone.url, asyncio.Queue(), _clock(), poll_s=0.1)
    rec = Recorder(link, make_processor=StreamProcessor, make_writer=lambda info: SessionWriter(out, info))
    info = await rec.start()
    assert info.rate_hz == pytest.approx(100.0, rel=1e-3)
    stop = asyncio.Event()
    runner = asyncio.create_task(rec.run(stop))
    await asyncio.sleep(1.0)
    phone.down = True  # the phone leaves the Wi-Fi for a while
    await asyncio.sleep(1.0)
    phone.down = False
    await asyncio.wait_for(link.connected.wait(), 10)
    await asyncio.sleep(0.5)
    stop.set()
    await runner
    summary = await rec.close()
    assert phone.commands == ["start", "stop"]
    assert [e.kind for e in summary.events] == ["link_lost", "reconnected"]
    served = phone.data[phone.data[:, 0] <= link.remote.last_t]
    assert summary.samples == len(served) > 250  # nothing lost: the phone buffers while unreachable
    blocks = [i for i in read_session(out).read_all() if hasattr(i, "t_s")]
    got_t = np.concatenate([b.t_s for b in blocks])
    np.testing.assert_array_equal(got_t, served[:, 0])
    np.testing.assert_allclose(np.concatenate([b.acc_mps2 for b in blocks]), served[:, 1:], rtol=1e-6)
    assert summary.result.samples == len(served)


def test_unreachable_phone_is_one_line_exit_2(capsys):
    code = main(["record", "phyphox://127.0.0.1:9", "--duration", "1", "--no-record"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "phyphox at http://127.0.0.1:9" in err[0] and "remote access" in err[0]
    assert main(["record", "phyphox://bad host", "--duration", "1"]) == 2
    assert "not a phyphox address" in capsys.readouterr().err


def test_record_command_with_a_phone(phone, tmp_path, capsys):
    import json

    out = tmp_path / "cli.htrec"
    assert main(["record", phone.url, "--duration", "2", "--output", str(out), "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)
    assert result["recording"]["output"] == str(out) and result["recording"]["profile"] is None
    assert result["input"]["format"] == "phyphox-remote"
    assert result["samples"] >= 150 and read_session(out).ended_cleanly
