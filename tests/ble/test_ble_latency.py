"""The latency probe runs and every packet reaches the pipeline promptly (generous bounds: shared CPU)."""

from __future__ import annotations

import pytest

from tests.ble.latency import measure_latency

pytestmark = pytest.mark.ble


def test_latency_probe_reports_every_packet():
    r = measure_latency(rate_hz=100.0, seconds=1.5, max_latency_ms=20)
    assert r["samples_per_packet"] == 2
    assert r["packets_processed"] == r["packets_sent"] >= 60
    lat = r["latency_ms"]
    assert 0 < lat["p50"] <= lat["p99"] <= lat["max"]
    assert lat["p50"] < 50.0
    assert r["cpu_percent"]["bluezoo"] >= 0 and r["cpu_percent"]["client_and_device"] > 0
