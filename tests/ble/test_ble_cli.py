"""The scan / record / simulate-device commands end to end, as a user runs them."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from holdtrack.ble.link import DeviceLink
from holdtrack.model import RawPacket
from holdtrack.protocol import htp, htp_control
from tests.ble.cli_helpers import run_cli, start_cli
from tests.ble.rig import PERIPHERAL, BluezooRig

pytestmark = [pytest.mark.ble, pytest.mark.asyncio]


def _one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], lines[0]


async def test_scan_json_lists_the_simulated_device(htp_device):
    code, out, err = await run_cli("scan", "--adapter", "hci0", "--timeout", "1.5", "--json")
    assert code == 0, err
    found = {d["address"]: d for d in json.loads(out)}
    d = found[PERIPHERAL]
    assert (d["name"], d["profile"]) == ("HoldTrack-Sim", "holdtrack")
    assert -64 <= d["rssi"] <= -56


async def test_record_unknown_device_is_one_line_exit_2(bluez):
    code, out, err = await run_cli("record", "NoSuchBand", "--scan-timeout", "1", "--duration", "1")
    _one_line_error(code, out, err, "device not found: NoSuchBand")


async def test_simulate_device_streams_to_a_client(bluez):
    proc = await start_cli("simulate-device", "--adapter", "hci1", "--name", "Sim-CLI", "--rate", "50")
    try:
        assert proc.stdout is not None
        banner = await asyncio.wait_for(proc.stdout.readline(), 20)
        assert b"advertising 'Sim-CLI'" in banner
        queue: asyncio.Queue = asyncio.Queue()
        t0 = time.monotonic()
        link = DeviceLink("Sim-CLI", queue, lambda: time.monotonic() - t0, settings={"rate_hz": 25.0})
        await link.connect()
        await asyncio.sleep(1.5)
        await link.close()
    finally:
        proc.send_signal(2)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, err
    packets = [htp.HtpPacket.from_bytes(i.payload) for i in queue._queue  # noqa: SLF001
               if isinstance(i, RawPacket)]
    assert len(packets) >= 8
    assert {p.odr_dhz for p in packets} == {250}
    assert [p.seq for p in packets] == list(range(packets[0].seq, packets[0].seq + len(packets)))
    assert "2 control-point commands" in err.decode()  # START and STOP


async def test_record_writes_a_session_that_replays_to_the_live_result(bluez, tmp_path):
    from holdtrack.analysis import analyze
    from holdtrack.ble.peripheral import HtpPeripheral
    from holdtrack.session import read_session
    from tests.ble.test_ble_record import move_then_hold

    dev = await HtpPeripheral(adapter="hci1", signal=move_then_hold).start()
    out = tmp_path / "plank.htrec"
    try:
        code, stdout, err = await run_cli("record", "HoldTrack-Sim", "--duration", "9", "--output", str(out),
                                          "--rate", "50", "--no-window", "--json")
    finally:
        await dev.stop()
    assert code == 0, err
    [live] = json.loads(stdout)
    rec = live["recording"]
    assert rec["output"] == str(out) and rec["profile"] == "holdtrack"
    assert dev.commands[0] == htp_control.start_request(50.0, 8)
    assert dev.commands[-1] == htp_control.stop_request()  # clean shutdown: STOP seen by the device
    session = read_session(out)
    items = session.read_all()
    assert session.ended_cleanly and not session.problems
    delivered = [p for p in dev.sent if p.delivered]
    assert rec["packets"] == len(items) == len(delivered)
    assert [htp.HtpPacket.from_bytes(i.payload).seq for i in items] == [p.seq for p in delivered]
    assert live["samples"] == sum(len(p.samples) for p in delivered)
    assert len(live["holds"]) == 1 and live["holds"][0]["ended_by"] == "end_of_data"
    replay = analyze(out).to_dict()
    for key in ("samples", "duration_s", "gaps", "still_periods", "holds"):
        assert replay[key] == live[key], key


async def test_record_two_devices_at_once_each_its_own_file(tmp_path):
    from holdtrack.ble.peripheral import HtpPeripheral
    from holdtrack.session import read_session
    from tests.ble.fake_devices import FakePolar

    rig = BluezooRig(peripherals=2).start()
    try:
        htp_dev = await HtpPeripheral(adapter="hci1").start()
        polar = await FakePolar(adapter="hci2").start()
        try:
            code, stdout, err = await run_cli("record", "HoldTrack-Sim", "Polar H10 1A2B3C4D", "--duration", "3",
                                              "--output", str(tmp_path / "s.htrec"), "--rate", "50", "--json")
        finally:
            await polar.stop()
            await htp_dev.stop()
    finally:
        rig.stop()
    assert code == 0, err
    results = json.loads(stdout)
    assert [r["recording"]["profile"] for r in results] == ["holdtrack", "polar-pmd"]
    paths = [r["recording"]["output"] for r in results]
    assert paths == [str(tmp_path / "s-HoldTrack-Sim.htrec"), str(tmp_path / "s-Polar_H10_1A2B3C4D.htrec")]
    for r, dev in zip(results, (htp_dev, polar)):
        session = read_session(r["recording"]["output"])
        items = session.read_all()
        assert session.ended_cleanly and session.info.profile == r["recording"]["profile"]
        assert r["recording"]["packets"] == len(items) >= sum(p.delivered for p in dev.sent) > 10
        assert r["samples"] == sum(len(p.samples) for p in dev.sent if p.delivered)


async def test_ctrl_c_stops_the_device_and_finalises_the_file(htp_device, tmp_path):
    from holdtrack.session import read_session

    out = tmp_path / "interrupted.htrec"
    proc = await start_cli("record", "HoldTrack-Sim", "--output", str(out))
    try:
        await asyncio.wait_for(htp_device.data.subscribed.wait(), 40)
        await asyncio.sleep(1.0)
    finally:
        proc.send_signal(2)  # SIGINT, as Ctrl-C
        stdout, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert htp_device.commands[-1] == htp_control.stop_request()
    session = read_session(out)
    assert session.ended_cleanly and len(session.read_all()) == sum(p.delivered for p in htp_device.sent) > 5
    assert f"recorded to {out}" in stdout.decode()
    code, _, err2 = await run_cli("record", "HoldTrack-Sim", "--output", str(out), "--duration", "1")
    _one_line_error(code, "", err2, "already exists")


from tests.plot.test_live import counting_live_views, xvfb_display  # noqa: E402,F401  (fixture)


async def test_record_one_device_shows_the_rolling_live_window(bluez, tmp_path, xvfb_display):  # noqa: F811
    """With a display, recording one device draws demo's rolling live window (LiveView) while it records;
    the live result is still the file's analysis."""
    import os
    import sys

    from holdtrack.analysis import analyze
    from holdtrack.ble.peripheral import HtpPeripheral
    from tests.ble.cli_helpers import REPO
    from tests.ble.test_ble_record import move_then_hold

    dev = await HtpPeripheral(adapter="hci1", signal=move_then_hold).start()
    out = tmp_path / "live.htrec"
    code = counting_live_views(["record", "HoldTrack-Sim", "--duration", "6", "--output", str(out), "--json"])
    env = {**os.environ, "DISPLAY": xvfb_display}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("MPLBACKEND", None)
    try:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code, cwd=str(REPO), env=env,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 90)
    finally:
        await dev.stop()
    assert proc.returncode == 0, stderr.decode()
    info = json.loads(stderr.decode().strip().splitlines()[-1])
    assert info["rc"] == 0 and len(info["frames"]) == 1 and info["frames"][0] >= 20, info
    [live] = json.loads(stdout)
    replay = analyze(out).to_dict()
    for key in ("samples", "gaps", "still_periods", "holds"):
        assert replay[key] == live[key], key
