"""Movella DOT CSV and Polar Sensor Logger ACC (synthetic fixtures, see tests/data/*/README.md)."""

from __future__ import annotations

import numpy as np
import pytest

from holdtrack.errors import InputError
from holdtrack.model import G0
from holdtrack.sources.imports import detect_format, open_import

from import_helpers import TEST_DATA

MOVELLA = TEST_DATA / "movella" / "synthetic_dot_60Hz.csv"
POLAR = TEST_DATA / "polar-logger" / "Polar_H10_ABCD1234_20260424_141020_ACC.txt"


def _movella_rows(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("PacketCounter"))
    return np.array([[float(c) for c in line.rstrip(",").split(",")] for line in lines[i + 1:] if line])


def test_movella_clock_wrap_and_lost_packets():
    assert detect_format(MOVELLA) == "movella"
    src = open_import(MOVELLA)
    b = src.read_all()
    rows = _movella_rows(MOVELLA)
    counter = np.unwrap(rows[:, 0], period=65536)
    stf = np.unwrap(rows[:, 1], period=2.0**32)
    np.testing.assert_allclose(b.t_s, (stf - stf[0]) * 1e-6, atol=1e-9)
    np.testing.assert_allclose(b.acc_mps2, rows[:, 2:5])
    np.testing.assert_allclose(b.gyro_dps, rows[:, 5:8])
    lost = int(np.sum(np.diff(counter) - 1))
    assert lost > 0 and f"{lost} lost samples (PacketCounter jumps)" in src.info.notes
    assert "SampleTimeFine wrapped 1 time(s) (u32 µs)" in src.info.notes
    assert src.info.rate_hz == 60.0  # OutputRate in the preamble
    assert src.info.start_utc == "2023-06-22T08:04:46.985Z"  # 10:04:46.985 CEST


def test_movella_counter_only_uses_output_rate(write):
    text = MOVELLA.read_text(encoding="utf-8")
    head, _, body = text.partition("PacketCounter,SampleTimeFine,")
    rows = [line.split(",", 2) for line in body.splitlines()[1:] if line]
    new = head + "PacketCounter," + body.splitlines()[0] + "\n" + "".join(f"{r[0]},{r[2]}\n" for r in rows)
    src = open_import(write("dot.csv", new))
    b = src.read_all()
    counter = np.unwrap(np.array([float(r[0]) for r in rows]), period=65536)
    np.testing.assert_allclose(b.t_s, (counter - counter[0]) / 60.0, atol=1e-9)


def test_movella_without_acceleration_columns(write):
    p = write("q.csv", "sep=,\nDeviceTag:,x\n\nPacketCounter,SampleTimeFine,Quat_W,Quat_X,Quat_Y,Quat_Z\n"
              "1,100,1,0,0,0,\n2,16767,1,0,0,0,\n")
    with pytest.raises(InputError, match="Acc_X") as ei:
        open_import(p)
    assert ei.value.line == 4


def test_polar_sensor_time_mg_and_gap():
    assert detect_format(POLAR) == "polar-logger"
    src = open_import(POLAR)
    b = src.read_all()
    rows = [line.split(";") for line in POLAR.read_text().splitlines()[1:]]
    t_ns = np.array([int(r[1]) for r in rows])
    mg = np.array([[float(v) for v in r[2:5]] for r in rows])
    np.testing.assert_allclose(b.t_s, (t_ns - t_ns[0]) * 1e-9, atol=1e-6)
    np.testing.assert_allclose(b.acc_mps2, mg * G0 / 1000)
    assert "units from the file: mg" in src.info.notes
    assert src.info.rate_hz == pytest.approx(200, rel=1e-3)
    assert any("dropouts" in n for n in src.info.notes)
    assert any(rows[0][0] in n for n in src.info.notes)


def test_polar_decimal_comma_and_bad_row(write):
    lines = POLAR.read_text().splitlines()
    p = write("x_ACC.txt", "\n".join(lines[:50] + [lines[50].rsplit(";", 1)[0] + ";12x"] + lines[51:]) + "\n")
    with pytest.raises(InputError, match="'12x' is not a number") as ei:
        open_import(p)
    assert ei.value.line == 51


def test_polar_gyro_file_beside_acc_is_interpolated():
    acc_path = TEST_DATA / "polar-logger" / "Polar_Sense_B5A7C3D2_20260425_090000_ACC.txt"
    gyro_path = acc_path.with_name(acc_path.name.replace("_ACC", "_GYRO"))
    src = open_import(acc_path)
    b = src.read_all()
    acc_ns = np.array([int(r.split(";")[1]) for r in acc_path.read_text().splitlines()[1:]])
    g = [r.split(";") for r in gyro_path.read_text().splitlines()[1:]]
    g_ns = np.array([int(r[1]) for r in g])
    dps = np.array([[float(v) for v in r[2:5]] for r in g])
    expect = np.column_stack([np.interp(acc_ns.astype(float), g_ns.astype(float), dps[:, k]) for k in range(3)])
    np.testing.assert_allclose(b.gyro_dps, expect, atol=1e-6)
    assert any("gyroscope from" in n for n in src.info.notes)
    with pytest.raises(InputError, match="no acceleration columns"):
        open_import(gyro_path)  # a GYRO file alone is not acceleration
