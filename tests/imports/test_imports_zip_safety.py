"""Zip archives are read defensively: size and member caps, corrupt data, unexpected content."""

from __future__ import annotations

import zipfile

import pytest

from holdtrack.errors import InputError
from holdtrack.sources.imports import _container, open_import

HEADER = "time,seconds_elapsed,z,y,x\n"


def _rows(n):
    return "".join(f"{1760565906248623000 + i * 10_000_000},{i / 100},9.8,0,0\n" for i in range(n))


def _zip(path, members, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_member_larger_than_the_cap_is_refused(tmp_path, monkeypatch):
    z = _zip(tmp_path / "big.zip",
             {"TotalAcceleration.csv": HEADER + _rows(5000), "Metadata.csv": "platform\nandroid\n"})
    assert len(open_import(z).read_all()) == 5000
    monkeypatch.setattr(_container, "MAX_MEMBER_BYTES", 10_000)
    with pytest.raises(InputError, match="limit 10000") as ei:
        open_import(z)
    assert "TotalAcceleration.csv" in str(ei.value)


def test_member_inflating_beyond_its_declared_size_is_an_error(tmp_path):
    z = _zip(tmp_path / "lie.zip", {"TotalAcceleration.csv": HEADER + _rows(300)}, zipfile.ZIP_STORED)
    data = bytearray(z.read_bytes())
    size = len(HEADER + _rows(300))
    for le in (size.to_bytes(4, "little"),):  # understate the size in the local and central headers
        data = data.replace(le, (100).to_bytes(4, "little"))
    z.write_bytes(bytes(data))
    with pytest.raises(InputError) as ei:
        open_import(z, format="sensor-logger").read_all()
    assert str(z) in str(ei.value)


def test_too_many_members(tmp_path, monkeypatch):
    monkeypatch.setattr(_container, "MAX_MEMBERS", 5)
    z = _zip(tmp_path / "many.zip", {f"f{i}.csv": "x" for i in range(6)})
    with pytest.raises(InputError, match="6 members"):
        open_import(z, format="sensor-logger")


def test_corrupt_member_data(tmp_path):
    z = _zip(tmp_path / "c.zip", {"TotalAcceleration.csv": HEADER + _rows(2000)}, zipfile.ZIP_STORED)
    data = bytearray(z.read_bytes())
    i = data.find(b"1760565906258623000")
    data[i:i + 4] = b"XXXX"  # stored data changed: CRC mismatch at the end of the member
    z.write_bytes(bytes(data))
    with pytest.raises(InputError) as ei:
        open_import(z, format="sensor-logger").read_all()
    assert str(z) in str(ei.value)


def test_truncated_zip_is_not_a_recording(tmp_path):
    z = _zip(tmp_path / "t.zip", {"TotalAcceleration.csv": HEADER + _rows(2000)})
    z.write_bytes(z.read_bytes()[: z.stat().st_size // 2])
    with pytest.raises(InputError):
        open_import(z)


def test_phyphox_zip_without_acceleration_set(tmp_path):
    z = _zip(tmp_path / "p.zip", {"Raw Data.csv": '"Time (s)","Illuminance (lx)"\n0,1\n0.1,2\n',
                                   "meta/time.csv": '"event","experiment time","system time"\n'})
    with pytest.raises(InputError, match="no export set with acceleration"):
        open_import(z)
