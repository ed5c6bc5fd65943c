"""Every importer feeds the lead's analyze(): fixtures and one file of each shared dataset."""

from __future__ import annotations

import subprocess
import sys

import pytest

from holdtrack.analysis import analyze

from import_helpers import REPO, TEST_DATA, shared

FIXTURES = [
    (TEST_DATA / "sensor-logger" / "android" / "TotalAcceleration.csv", "sensor-logger", 319),
    (TEST_DATA / "phyphox" / "with-g" / "Raw Data.csv", "phyphox", 300),
    (TEST_DATA / "movella" / "synthetic_dot_60Hz.csv", "movella", 236),
    (TEST_DATA / "polar-logger" / "Polar_H10_ABCD1234_20260424_141020_ACC.txt", "polar-logger", 400),
]


@pytest.mark.parametrize("path,fmt,samples", FIXTURES, ids=[f[1] for f in FIXTURES])
def test_fixtures_through_analyze(path, fmt, samples):
    d = analyze(path).to_dict()
    assert d["input"]["format"] == fmt
    assert d["samples"] == samples
    assert d["sample_rate_hz"] > 0
    assert any(n.startswith("units ") for n in d["notes"])


@pytest.mark.parametrize(
    "rel,rate,samples",
    [
        ("st_har_26hz/AI_resources/HAR/dataset/stationary/stationary_01_26Hz_4g_mg.csv", 26, 1000),
        ("spsw_har/DATA/s02/s02_02_sw.csv", None, None),
        ("gaitmap_walk/example_data/imu_sample.csv", 204.8, 7928),
        ("hapt/acc_exp02_user01.txt", 50, None),
    ],
)
def test_shared_datasets_through_analyze(rel, rate, samples):
    p = shared(rel)
    d = analyze(p, rate=rate).to_dict()
    assert d["input"]["format"] == "csv"
    if samples is not None:
        assert d["samples"] == samples
    else:
        assert d["samples"] > 500
    if rate is not None:
        assert d["sample_rate_hz"] == rate


def test_cli_reports_bad_input_in_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("t,ax,ay,az\n" + "".join(f"{i / 50},0,0,1\n" for i in range(20)) + "0.5,0,x,1\n")
    r = subprocess.run([sys.executable, "-m", "holdtrack", "analyze", str(bad)], cwd=REPO,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"holdtrack analyze: error: {bad}:22: column 'ay': 'x' is not a number"]
    assert r.stdout == ""
