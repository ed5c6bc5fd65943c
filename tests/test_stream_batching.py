"""StreamProcessor: packets one by one (live) and batched (files) give the same result."""

from __future__ import annotations

import pytest

from holdtrack.sim import simulate_session
from holdtrack.stream import StreamProcessor


@pytest.mark.parametrize("batch", [1, 500, 4096])
def test_batched_and_live_processing_agree(batch):
    sim = simulate_session("plank", seed=3, rate_hz=50, loss=0.03, loss_burst=2.0, outages=[(60.0, 3.0)])
    live = StreamProcessor(sim.info)
    batched = StreamProcessor(sim.info, batch_samples=batch)
    for item in sim:
        live.push(item)
        batched.push(item)
    a, b = live.finish().to_dict(), batched.finish().to_dict()
    assert a == b
    assert a["holds"] and any(not g["bridged"] for g in a["gaps"])  # the case exercises holds and a split
