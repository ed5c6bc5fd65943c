"""Reading in blocks of any size gives exactly the samples and notes of reading in one go."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from holdtrack.errors import InputError
from holdtrack.sources.imports import filesource, open_import

from import_helpers import TEST_DATA

FIXTURES = sorted(str(p) for p in TEST_DATA.rglob("*") if p.suffix in (".csv", ".txt")
                  and p.parent.name != "meta" and p.name not in ("Gravity.csv", "Gyroscope.csv", "Metadata.csv")
                  and not p.name.endswith("_GYRO.txt"))
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read(path, monkeypatch, size):
    with monkeypatch.context() as m:
        m.setattr(filesource, "BLOCK_SAMPLES", size)
        src = open_import(path, rate=None)
        blocks = list(src)
    assert all(0 < len(b) <= size for b in blocks)
    whole = filesource.SampleBlock.concatenate(blocks)
    return whole, src.info.notes


def _same(a, b):
    (ba, na), (bb, nb) = a, b
    np.testing.assert_array_equal(ba.t_s, bb.t_s)
    np.testing.assert_array_equal(ba.acc_mps2, bb.acc_mps2)
    assert (ba.gyro_dps is None) == (bb.gyro_dps is None)
    if ba.gyro_dps is not None:
        np.testing.assert_array_equal(ba.gyro_dps, bb.gyro_dps)
    assert na == nb


def test_fixture_list_is_complete():
    assert len(FIXTURES) >= 6


@SETTINGS
@given(size=st.integers(1, 97), path=st.sampled_from(FIXTURES))
def test_fixtures_any_block_size(monkeypatch, size, path):
    _same(_read(path, monkeypatch, 10**6), _read(path, monkeypatch, size))


@SETTINGS
@given(size=st.integers(1, 40),
       steps=st.lists(st.sampled_from([0.0, 0.01, 0.01, 0.01, 0.0099, 0.0101, -0.004, 0.25]), min_size=2,
                      max_size=150))
def test_jittery_csv_any_block_size(tmp_path, monkeypatch, size, steps):
    t = 100.0 + np.cumsum(steps)
    p = tmp_path / "j.csv"
    p.write_text("t,ax,ay,az\n" + "".join(f"{ti:.4f},0,{i % 7},1000\n" for i, ti in enumerate(t)))
    if not any(b > a for a, b in zip(t, t[1:])):  # no time step forward: no rate, a clear error either way
        for n in (10**6, size):
            with pytest.raises(InputError, match="does not advance"):
                _read(p, monkeypatch, n)
        return
    _same(_read(p, monkeypatch, 10**6), _read(p, monkeypatch, size))
