"""The pure core never pulls in bleak, asyncio or matplotlib (architecture rule, checked in a fresh interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import holdtrack
from tests.conftest import REPO

# Everything under these may use I/O libraries; every other module must stay pure.
IO_PACKAGES = ("holdtrack.ble", "holdtrack.plot", "holdtrack.cli")


def pure_modules() -> list[str]:
    mods = []
    for m in pkgutil.walk_packages(holdtrack.__path__, "holdtrack."):
        if not m.name.startswith(IO_PACKAGES) and m.name != "holdtrack.__main__":
            mods.append(m.name)
    return sorted(mods)


def test_there_are_pure_modules_to_check() -> None:
    mods = pure_modules()
    assert "holdtrack.signal.pipeline" in mods and "holdtrack.analysis" in mods


def test_pure_modules_do_not_import_io_libraries() -> None:
    mods = pure_modules()
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "print(sorted(m for m in ('bleak', 'matplotlib', 'asyncio', 'dbus_fast') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]", f"pure modules imported: {out.stdout.strip()}"


def test_cli_parser_builds_without_io_libraries() -> None:
    """Building the parser imports every command module: none may import bleak or matplotlib at the top."""
    code = (
        "import sys\nfrom holdtrack.cli import build_parser\nbuild_parser()\n"
        "print(sorted(m for m in ('bleak', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"
