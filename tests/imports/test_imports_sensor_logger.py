"""Sensor Logger exports (synthetic fixtures in tests/data/sensor-logger, see its README)."""

from __future__ import annotations

import shutil
import zipfile

import numpy as np
import pytest

from holdtrack.errors import InputError, UnknownFormatError
from holdtrack.sources.imports import detect_format, open_import

from import_helpers import TEST_DATA

SL = TEST_DATA / "sensor-logger"


def _xyz(path):
    """(time ns (n,), xyz (n, 3)) read independently; the file's column order is z, y, x."""
    a = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=np.float64)
    return a[:, 0], a[:, [4, 3, 2]]


def _first_of_each_time(t):
    _, idx = np.unique(t, return_index=True)
    return np.sort(idx)


def _zip(tmp_path, folder, prefix="2025-10-15_22-05-06/", skip=()):
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            if f.name not in skip:
                zf.write(f, prefix + f.name)
    return z


def test_android_total_acceleration_with_gyro():
    p = SL / "android" / "TotalAcceleration.csv"
    assert detect_format(p) == "sensor-logger"
    src = open_import(p)
    b = src.read_all()
    t_ns, total = _xyz(p)
    keep = _first_of_each_time(t_ns)
    assert len(b) == len(keep) == len(t_ns) - 1
    np.testing.assert_allclose(b.acc_mps2, total[keep], atol=1e-12)
    np.testing.assert_allclose(b.t_s, (t_ns[keep] - t_ns[0]) * 1e-9, atol=1e-6)
    g_ns, gyro = _xyz(SL / "android" / "Gyroscope.csv")
    np.testing.assert_allclose(b.gyro_dps, np.degrees(gyro[keep]), atol=1e-9)  # same times here
    assert src.info.start_utc == "2025-10-15T22:05:06.248Z"
    # float64 holds epoch ns to 256 ns, hence the tolerance
    assert src.info.rate_hz == pytest.approx(1e9 / np.median(np.diff(np.unique(t_ns))), rel=1e-4)
    assert "1 duplicated timestamps dropped" in src.info.notes
    assert any(n.startswith("1 dropouts") and "0.210 s" in n for n in src.info.notes)
    assert src.info.settings["gravity_included"] is True


def test_android_zip_matches_folder(tmp_path):
    folder = open_import(SL / "android" / "TotalAcceleration.csv").read_all()
    z = _zip(tmp_path, SL / "android")
    assert detect_format(z) == "sensor-logger"
    b = open_import(z).read_all()
    np.testing.assert_array_equal(b.acc_mps2, folder.acc_mps2)
    np.testing.assert_array_equal(b.t_s, folder.t_s)


def test_ios_gravity_added_and_sign_flipped(tmp_path):
    p = SL / "ios" / "Accelerometer.csv"
    src = open_import(_zip(tmp_path, SL / "ios"))
    b = src.read_all()
    t_ns, user = _xyz(p)
    _, grav = _xyz(SL / "ios" / "Gravity.csv")
    keep = _first_of_each_time(t_ns)
    np.testing.assert_allclose(b.acc_mps2, -(user + grav)[keep], atol=1e-12)
    assert b.acc_mps2[0, 2] > 9.0  # face up reads +g on z, like Android
    assert "gravity reconstructed from Gravity.csv" in src.info.notes
    assert any("iOS sign convention" in n for n in src.info.notes)


def test_standardised_ios_is_not_flipped(tmp_path):
    d = tmp_path / "std"
    shutil.copytree(SL / "ios", d)
    meta = (d / "Metadata.csv").read_text().replace(",false,", ",true,")
    (d / "Metadata.csv").write_text(meta)
    b = open_import(d / "Accelerometer.csv").read_all()
    t_ns, user = _xyz(d / "Accelerometer.csv")
    _, grav = _xyz(d / "Gravity.csv")
    np.testing.assert_allclose(b.acc_mps2, (user + grav)[_first_of_each_time(t_ns)], atol=1e-12)


@pytest.mark.parametrize("name", ["Accelerometer.csv", "Accelerometer (1).csv"])
def test_accelerometer_without_gravity_is_noted(tmp_path, name):
    d = tmp_path / "nograv"
    d.mkdir()
    shutil.copy(SL / "android" / "Accelerometer.csv", d / name)
    src = open_import(d / name)
    b = src.read_all()
    assert src.info.settings["gravity_included"] is False
    assert any("gravity not included" in n for n in src.info.notes)
    assert np.median(np.linalg.norm(b.acc_mps2, axis=1)) < 1.0


def test_zip_without_accelerometer(tmp_path):
    z = tmp_path / "other.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("Location.csv", "time,seconds_elapsed,latitude\n1,0,47\n")
    with pytest.raises(UnknownFormatError, match="zip archive"):
        detect_format(z)
    with pytest.raises(InputError, match="no TotalAcceleration.csv"):
        open_import(z, format="sensor-logger")


def test_missing_column_and_bad_cell_name_the_member(tmp_path):
    z = tmp_path / "bad.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("rec/TotalAcceleration.csv", "time,seconds_elapsed,z,y\n1,0,9.8,0\n")
        zf.writestr("rec/Metadata.csv", "platform\nandroid\n")
    with pytest.raises(InputError, match="missing column") as ei:
        open_import(z)
    assert str(ei.value).startswith(f"{z}:rec/TotalAcceleration.csv:1: ")
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("TotalAcceleration.csv",
                    "time,seconds_elapsed,z,y,x\n" + "".join(f"{i}000000,0,9.8,0,0\n" for i in range(1, 9))
                    + "9000000,0,9.8,oops,0\n")
        zf.writestr("Metadata.csv", "platform\nandroid\n")
    with pytest.raises(InputError, match="'oops' is not a number") as ei:
        open_import(z)
    assert ei.value.line == 10


def test_gravity_and_metadata_come_from_the_same_recording(tmp_path):
    d = SL / "ios"
    zero_gravity = (d / "Gravity.csv").read_text().splitlines()
    zero_gravity = "\n".join([zero_gravity[0]] + [",".join(r.split(",")[:2] + ["0", "0", "0"])
                                                  for r in zero_gravity[1:]]) + "\n"
    z = tmp_path / "two.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("Gravity.csv", zero_gravity)  # shallower, but another recording's
        zf.writestr("Metadata.csv", "platform,standardisation\nandroid,false\n")
        for f in ("Accelerometer.csv", "Gravity.csv", "Metadata.csv"):
            zf.write(d / f, f"rec1/{f}")
    b = open_import(z).read_all()
    t_ns, user = _xyz(d / "Accelerometer.csv")
    _, grav = _xyz(d / "Gravity.csv")
    np.testing.assert_allclose(b.acc_mps2, -(user + grav)[_first_of_each_time(t_ns)], atol=1e-12)


def test_time_running_backwards_names_member_and_line(tmp_path):
    rows = [1760565906248623000 + i * 10_000_000 for i in range(30)]
    rows[20] -= 5_000_000_000  # 5 s back: not jitter
    z = tmp_path / "back.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("TotalAcceleration.csv", "time,seconds_elapsed,z,y,x\n" + "".join(f"{t},0,9.8,0,0\n" for t in rows))
    with pytest.raises(InputError, match="backwards") as ei:
        open_import(z)
    assert ei.value.path == f"{z}:TotalAcceleration.csv" and ei.value.line == 22
