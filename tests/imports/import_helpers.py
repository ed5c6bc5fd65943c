"""Paths shared by the importer tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEST_DATA = REPO / "tests" / "data"


def _shared_data() -> Path:
    """``$HOLDTRACK_SHARED_DATA``, else the first ``<ancestor>/shared/data`` above the repo
    (``<repo>/../shared/data`` for the main checkout, one level more for worktrees)."""
    env = os.environ.get("HOLDTRACK_SHARED_DATA")
    if env:
        return Path(env)
    for parent in REPO.parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    return REPO.parent / "shared" / "data"


SHARED_DATA = _shared_data()


def shared(rel: str) -> Path:
    """A file of the shared datasets (``<repo>/../shared/data``), or skip when they are absent."""
    p = SHARED_DATA / rel
    if not p.exists():
        pytest.skip(f"shared dataset not available: {p}")
    return p
