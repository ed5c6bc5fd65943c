"""Fuzz: arbitrary bytes or near-miss text given to every importer give data or InputError, quickly."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from holdtrack.errors import ConfigError, InputError
from holdtrack.sources.imports import FORMATS, open_import

FUZZ = settings(max_examples=60, deadline=3000, suppress_health_check=[HealthCheck.function_scoped_fixture])

#: Headers (and preambles) that steer the fuzzed text into each importer's deeper code paths.
PREFIXES = [
    "",
    "t,ax,ay,az\n",
    "x y z\n",
    "time,seconds_elapsed,z,y,x\n",
    '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"\n',
    "Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]\n",
    "sep=,\nOutputRate:,60Hz\nStartTime: ,2023-06-22_10:04:46_985 CEST\n\n"
    "PacketCounter,SampleTimeFine,Acc_X,Acc_Y,Acc_Z,Gyr_X,Gyr_Y,Gyr_Z,\n",
]
NUMERIC_TEXT = st.text(alphabet="0123456789.,;\t -+eE\n\r\"xyzt#", max_size=600)
CELL = st.one_of(
    st.floats(width=32).map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.integers(0, 2**32).map(str),
    st.sampled_from(["", "x", "1,5", "-", "1e400", "nan", "9.81", "1000", "0", "1e308", "-1e308", "5e-324"]),
)
#: (header/preamble, separator, fields per row) for row-structured fuzz tables.
LAYOUTS = [
    ("", ",", 3), ("", " ", 3), ("", ";", 4),
    ("t,ax,ay,az\n", ",", 4),
    ("time;x [mg];y [mg];z [mg]\n", ";", 4),
    ("time,seconds_elapsed,z,y,x\n", ",", 5),
    ('"Time (s)";"Acceleration x (m/s^2)";"Acceleration y (m/s^2)";"Acceleration z (m/s^2)"\n', ";", 4),
    ("Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]\n", ";", 5),
    (PREFIXES[-1], ",", 9),
]


@st.composite
def tables(draw):
    """A header plus rows of the right width (sometimes ragged) made of odd numeric cells."""
    head, sep, width = draw(st.sampled_from(LAYOUTS))
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=60))
    lines = [sep.join(r) for r in rows]
    if lines and draw(st.booleans()):
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(st.sampled_from(["", sep.join(rows[i][:-1]), lines[i] + sep + "7", "garbage"]))
    return head + "".join(x + draw(st.sampled_from(["\n", "\r\n", ",\n"])) for x in lines)


TABLE = tables()


def _consume(path, fmt):
    try:
        src = open_import(path, format=fmt, rate=50 if fmt == "csv" else None)
        for block in src:
            assert block.acc_mps2.shape == (len(block), 3)
            assert np.isfinite(block.t_s).all() and np.isfinite(block.acc_mps2).all()
    except (InputError, ConfigError):
        pass


@FUZZ
@given(data=st.binary(max_size=1500), fmt=st.sampled_from(["auto", *FORMATS]))
def test_arbitrary_bytes(tmp_path, data, fmt):
    p = tmp_path / "fuzz.csv"
    p.write_bytes(data)
    _consume(p, fmt)


@FUZZ
@given(prefix=st.sampled_from(PREFIXES), body=NUMERIC_TEXT, fmt=st.sampled_from(["auto", *FORMATS]))
def test_near_miss_tables(tmp_path, prefix, body, fmt):
    p = tmp_path / "fuzz.txt"
    p.write_text(prefix + body, encoding="utf-8")
    _consume(p, fmt)


@FUZZ
@given(text=TABLE, fmt=st.sampled_from(["auto", *FORMATS]))
def test_structured_tables(tmp_path, text, fmt):
    p = tmp_path / "fuzz.txt"
    p.write_text(text, encoding="utf-8")
    _consume(p, fmt)


@FUZZ
@given(member=st.sampled_from(["TotalAcceleration.csv", "Accelerometer.csv", "Raw Data.csv", "meta/time.csv",
                               "Gravity.csv", "Metadata.csv"]),
       prefix=st.sampled_from(PREFIXES), body=st.one_of(NUMERIC_TEXT, TABLE))
def test_zip_members(tmp_path, member, prefix, body):
    if body[:1].isalpha() or body.startswith('"'):
        prefix = ""  # TABLE bodies bring their own header
    z = tmp_path / "fuzz.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(member, prefix + body)
        zf.writestr("meta/device.csv", '"property","value"\n')
    for fmt in ("auto", "sensor-logger", "phyphox"):
        _consume(z, fmt)


@pytest.mark.parametrize(
    "text",
    [
        "time,seconds_elapsed,z,y,x\n1e30,0,9.8,0,0\n2e30,0,9.8,0,0\n",
        "time,seconds_elapsed,z,y,x\n-5,0,9.8,0,0\n-4,0,9.8,0,0\n",
        "t,ax,ay,az\n-1e308,0,0,1\n1e308,0,0,1\n1.5e308,0,0,1\n",
        "t,ax,ay,az\n-1e308,0,0,1\n-0.9e308,0,0,1\n1e308,0,0,1\n",
        "t,ax [g],ay [g],az [g]\n0,0,0,1\n0.02,0,0,1\n0.04,1e308,0,1\n",
        "t,ax [g],ay [g],az [g],gx [rad/s],gy [rad/s],gz [rad/s]\n0,0,0,1,1e307,0,0\n0.02,0,0,1,0,0,0\n",
        "t,ax,ay,az\n0,1e308,1e308,1e308\n0.02,1e308,1e308,1e308\n",
        "time,seconds_elapsed,z,y,x\n1760565906248623000,0,1e308,0,0\n1760565906258623000,0,9.8,0,0\n",
        "t,ax,ay,az\n0,0,0,1\n5e-324,0,0,1\n1e-323,0,0,1\n",
        "Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]\nx;1e300;0;0;1000\nx;2e300;0;0;1000\n",
        "sep=,\nStartTime: ,0001-01-01_00:00:00_000 CEST\n\nPacketCounter,SampleTimeFine,Acc_X,Acc_Y,Acc_Z\n"
        "1,0,0,0,9.8,\n2,16667,0,0,9.8,\n",
        '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"\n'
        "1e308,0,0,9.8\n-1e308,0,0,9.8\n",
    ],
)
def test_extreme_times(tmp_path, text):
    p = tmp_path / "x.csv"
    p.write_text(text)
    try:
        for block in open_import(p, rate=50):
            assert np.isfinite(block.t_s).all() and np.isfinite(block.acc_mps2).all()
    except (InputError, ConfigError):
        pass
