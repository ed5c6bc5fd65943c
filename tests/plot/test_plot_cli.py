"""``holdtrack plot``: writes the image where it says, errors are one line and exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from holdtrack.cli import main
from tests.plot.conftest import write_session


@pytest.fixture(scope="module")
def session_file(tmp_path_factory) -> Path:
    return write_session(tmp_path_factory.mktemp("plot") / "plank.htrec", start_utc="2026-11-02T08:30:00Z")


def test_default_output_beside_the_input(session_file: Path, capsys) -> None:
    out = session_file.with_suffix(".png")
    assert main(["plot", str(session_file)]) == 0
    err = capsys.readouterr().err
    assert f"wrote {out}" in err
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_output_formats_and_hold_zoom(session_file: Path, tmp_path: Path, suffix: str, magic: bytes, capsys) -> None:
    out = tmp_path / f"hold1{suffix}"
    assert main(["plot", str(session_file), "--hold", "1", "--size", "a4", "--output", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
    assert str(out) in capsys.readouterr().err


def test_unwritable_folder_falls_back_to_cwd(session_file: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write into read-only folders, so the fallback cannot be exercised")
    ro = tmp_path / "ro"
    ro.mkdir()
    src = ro / "s.htrec"
    src.write_bytes(session_file.read_bytes())
    ro.chmod(0o555)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    try:
        assert main(["plot", str(src)]) == 0
    finally:
        ro.chmod(0o755)
    assert (cwd / "s.png").exists() and not (ro / "s.png").exists()


@pytest.mark.parametrize("argv, message", [
    (["--output", "x.txt"], "unknown output type '.txt'"),
    (["--hold", "7"], "there is no hold 7"),
    (["--output", "no/such/dir/x.png"], "does not exist"),
])
def test_user_errors_are_one_line(session_file: Path, tmp_path: Path, monkeypatch, capsys, argv, message) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["plot", str(session_file), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob("*.txt"))


def test_missing_input(tmp_path: Path, capsys) -> None:
    assert main(["plot", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
