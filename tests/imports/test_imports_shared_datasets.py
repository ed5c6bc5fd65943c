"""The generic reader on every shared real dataset, read in place (skipped when absent)."""

from __future__ import annotations

import numpy as np
import pytest

from holdtrack.model import G0
from holdtrack.sources.imports import detect_format, open_import

from import_helpers import shared


def _data_lines(path, skip=0):
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip()) - skip


def test_hapt_headerless_g_at_50hz():
    p = shared("hapt/acc_exp01_user01.txt")
    assert detect_format(p) == "csv"
    src = open_import(p, rate=50)
    b = src.read_all()
    assert len(b) == _data_lines(p)
    assert src.info.rate_hz == 50 and any(n.startswith("units detected: g ") for n in src.info.notes)
    # labels.txt: experiment 1, user 1, activity 5 (STANDING) from sample 250 to 1232 (1-based)
    seg = b.acc_mps2[250 - 1:1232]
    assert np.median(np.linalg.norm(seg, axis=1)) == pytest.approx(G0, rel=0.05)
    assert b.t_s[1231] == pytest.approx(1231 / 50)
    first = np.loadtxt(p, max_rows=1)
    np.testing.assert_allclose(b.acc_mps2[0], first * G0)


@pytest.mark.parametrize("device", ["sp", "sw"])
def test_spsw_epoch_ms_and_m_s2(device):
    p = shared(f"spsw_har/DATA/s01/s01_01_{device}.csv")
    src = open_import(p)
    b = src.read_all()
    raw = np.genfromtxt(p, delimiter=",", skip_header=1, usecols=(0, 1, 2, 6))
    t_unique, first_idx = np.unique(raw[:, 3], return_index=True)
    assert len(b) == len(t_unique)  # this file's timestamps never run backwards: only repeats dropped
    np.testing.assert_allclose(b.t_s, (t_unique - t_unique[0]) / 1000, atol=1e-9)
    np.testing.assert_allclose(b.acc_mps2, raw[np.sort(first_idx), :3], atol=1e-12)
    assert src.info.start_utc.startswith("2022-07-11T")
    assert 90 < src.info.rate_hz < 110
    assert any("duplicated timestamps dropped" in n for n in src.info.notes)


def test_st_har_mg_without_time_column():
    p = shared("st_har_26hz/AI_resources/HAR/dataset/stationary/stationary_17_26Hz_4g_mg.csv")
    with pytest.raises(Exception, match="--rate"):
        open_import(p)
    src = open_import(p, rate=26)
    b = src.read_all()
    assert len(b) == 1000 and b.t_s[-1] == pytest.approx(999 / 26)
    assert any(n.startswith("units detected: mg") for n in src.info.notes)
    assert np.median(np.linalg.norm(b.acc_mps2, axis=1)) == pytest.approx(G0, rel=0.06)


def test_gaitmap_two_row_header_at_204_8_hz():
    p = shared("gaitmap_walk/example_data/imu_sample.csv")
    src = open_import(p, rate=204.8)
    b = src.read_all()
    assert len(b) == _data_lines(p, skip=2) == 7928
    assert b.t_s[-1] == pytest.approx(7927 / 204.8)
    raw = np.genfromtxt(p, delimiter=",", skip_header=2, max_rows=3)
    np.testing.assert_allclose(b.acc_mps2[:3], raw[:, [1, 3, 5]])  # left_sensor acc_x, acc_y, acc_z
    assert any("using left_sensor" in n for n in src.info.notes)


@pytest.mark.parametrize("folder", ["stationary", "walking", "running"])
def test_st_har_every_file_reads_as_mg(folder):
    d = shared(f"st_har_26hz/AI_resources/HAR/dataset/{folder}")
    files = sorted(d.glob("*.csv"))
    assert files
    for p in files:
        src = open_import(p, rate=26)
        assert len(src.read_all()) == _data_lines(p)
        assert src.info.settings["units"] == "mg", p  # running files reach a median |a| of 2.3 g
