"""Fixtures for the protocol tests."""

from __future__ import annotations

import ctypes

import pytest

from c_harness import build


@pytest.fixture(scope="session")
def lib(tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    """The portable C encoder, compiled into a shared library (skips without a C compiler)."""
    return build(tmp_path_factory.mktemp("htp_c"))
