"""Run the real ``holdtrack`` command line in a subprocess while the test's event loop keeps serving."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


async def start_cli(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    """Start ``python -m holdtrack ARGS`` (the repo on PYTHONPATH, the rig's bus in the environment)."""
    full = {**os.environ, **(env or {})}
    full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), full.get("PYTHONPATH")]))
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "holdtrack", *args, cwd=str(REPO), env=full,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def run_cli(*args: str, timeout_s: float = 60.0, env: dict[str, str] | None = None,
                  interrupt_after_s: float | None = None) -> tuple[int, str, str]:
    """Run to completion (optionally sending SIGINT first); returns (exit code, stdout, stderr)."""
    proc = await start_cli(*args, env=env)
    if interrupt_after_s is not None:
        await asyncio.sleep(interrupt_after_s)
        proc.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
