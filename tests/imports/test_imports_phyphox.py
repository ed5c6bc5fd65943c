"""phyphox exports (synthetic fixtures in tests/data/phyphox, see its README)."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from holdtrack.errors import InputError
from holdtrack.sources.imports import detect_format, open_import

from import_helpers import TEST_DATA

PH = TEST_DATA / "phyphox"


def _table(path, sep=",", comma=False):
    rows = path.read_text().splitlines()[1:]
    conv = (lambda c: float(c.replace(",", "."))) if comma else float
    return np.array([[conv(c) for c in r.split(sep)] for r in rows])


def _time_csv(path):
    starts = []
    for line in path.read_text().splitlines()[1:]:
        cells = line.split(",")
        if cells[0] == '"START"':
            starts.append((float(cells[1]), float(cells[2])))
    return starts


def test_with_g_and_pause_becomes_a_gap():
    p = PH / "with-g" / "Raw Data.csv"
    assert detect_format(p) == "phyphox"
    src = open_import(p)
    b = src.read_all()
    raw = _table(p)
    (e0, s0), (e1, s1) = _time_csv(PH / "with-g" / "meta" / "time.csv")
    wall = np.where(raw[:, 0] >= e1, s1 - s0 + raw[:, 0] - e1, raw[:, 0] - e0)
    np.testing.assert_allclose(b.t_s, wall - wall[0], atol=1e-6)
    np.testing.assert_allclose(b.acc_mps2, raw[:, 1:4], atol=1e-12)
    gap = np.diff(b.t_s).max()
    assert gap == pytest.approx(s1 - s0 - (e1 - e0), abs=0.02)  # the 12.25 s pause, wall clock
    assert src.info.start_utc == "2024-03-17T17:48:52.324Z"
    assert any("paused 1 time" in n for n in src.info.notes)


def test_zip_export(tmp_path):
    z = tmp_path / "Acceleration with g 2024-03-17 19-48-52.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel in ("Raw Data.csv", "meta/time.csv", "meta/device.csv"):
            zf.write(PH / "with-g" / rel, rel)
    assert detect_format(z) == "phyphox"
    src = open_import(z)
    assert src.info.path == str(z)
    b = src.read_all()
    ref = open_import(PH / "with-g" / "Raw Data.csv").read_all()
    np.testing.assert_array_equal(b.t_s, ref.t_s)
    np.testing.assert_array_equal(b.acc_mps2, ref.acc_mps2)


def test_semicolon_decimal_comma_dialect():
    p = PH / "semicolon-decimal-comma" / "Raw Data.csv"
    assert detect_format(p) == "phyphox"
    b = open_import(p).read_all()
    raw = _table(p, sep=";", comma=True)
    np.testing.assert_allclose(b.acc_mps2, raw[:, 1:4], atol=1e-12)
    np.testing.assert_allclose(b.t_s, raw[:, 0] - raw[0, 0], atol=1e-9)


def test_without_g_is_noted():
    src = open_import(PH / "without-g" / "Raw Data.csv")
    b = src.read_all()
    assert src.info.settings["gravity_included"] is False
    assert any("gravity not included" in n for n in src.info.notes)
    assert np.median(np.linalg.norm(b.acc_mps2, axis=1)) < 1.0


def test_missing_time_column(write):
    p = write("Raw Data.csv", '"Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"\n'
              + "0,0,9.8\n" * 5)
    with pytest.raises(InputError, match="Time") as ei:
        open_import(p, format="phyphox")
    assert ei.value.line == 1
