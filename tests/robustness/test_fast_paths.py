"""The fast offline paths give exactly what the per-packet live path gives.

``StreamProcessor.push_all`` decodes packets in batches and (with ``batch_samples``) joins the samples of
consecutive packets before the pipeline sees them; these tests feed the same items one by one through
``push`` of an unbatched processor and compare every output bit for bit, on simulated sessions with loss,
link outages (LinkEvents), corrupt packets and odd batch sizes.
"""

from __future__ import annotations

import pytest

from holdtrack.model import RawPacket
from holdtrack.signal.pipeline import _event_key
from holdtrack.sim import simulate_session
from holdtrack.stream import StreamProcessor


def _corrupt(items: list, every: int) -> list:
    """Damage every ``every``-th data packet (cut to 5 bytes: a PacketDecodeError, counted as bad)."""
    out = []
    for i, it in enumerate(items):
        if isinstance(it, RawPacket) and i % every == every - 1:
            it = RawPacket(it.payload[:5], it.host_time_s, it.characteristic)
        out.append(it)
    return out


def _one_by_one(info, items):
    proc = StreamProcessor(info)
    for it in items:
        proc.push(it)
    return proc


def _assert_same(ra, b: StreamProcessor) -> None:
    rb = b.finish()
    assert ra.to_dict() == rb.to_dict()
    assert ra.holds == rb.holds and ra.still_periods == rb.still_periods and ra.gaps == rb.gaps  # exact floats
    assert (ra.samples, ra.packets, ra.lost_packets, ra.bad_packets, ra.dropped_samples) == \
        (rb.samples, rb.packets, rb.lost_packets, rb.bad_packets, rb.dropped_samples)
    assert ra.drift_ppm == rb.drift_ppm


@pytest.mark.parametrize("seed", [1, 2])
def test_push_all_equals_push(seed: int) -> None:
    sim = simulate_session("plank", seed=seed, rate_hz=25.0, samples_per_packet=5, loss=0.02, loss_burst=2.0,
                           outages=[(20.0, 1.5), (70.0, 4.0)], drift_ppm=40.0)
    items = _corrupt(sim.items, 97)
    ref = _one_by_one(sim.info, items)
    assert ref.decoder is not None and ref.decoder.bad_packets > 0, "the case must contain bad packets"
    assert any(type(it).__name__ == "LinkEvent" for it in items), "the case must contain link events"
    assert any(type(e).__name__ == "Hold" for e in ref.pipeline.events), "the case must contain a hold"
    want = ref.finish()
    for batch in (0, 37, 16384):  # decoding batched only; odd sample batches; whole stretches between link events
        fast = StreamProcessor(sim.info, batch_samples=batch)
        fast.push_all(items)
        _assert_same(want, fast)


def test_push_all_sample_blocks_equal_push() -> None:
    sim = simulate_session("wall-sit", seed=5, rate_hz=25.0, packets=False, gyro=True)
    ref = _one_by_one(sim.info, sim.items)
    fast = StreamProcessor(sim.info, batch_samples=4096)
    fast.push_all(sim.items)
    _assert_same(ref.finish(), fast)


def _as_batches(items: list, seed: int) -> list:
    """Group consecutive packets of one characteristic into PacketBatch lines of random length (1-300)."""
    import random

    from holdtrack.model import PacketBatch

    rnd = random.Random(seed)
    out: list = []
    run: list[RawPacket] = []

    def close() -> None:
        if run:
            out.append(PacketBatch(run[0].characteristic, [p.host_time_s for p in run],
                                   [len(p.payload) for p in run], b"".join(p.payload for p in run)))
            run.clear()

    limit = rnd.randint(1, 300)
    for it in items:
        if isinstance(it, RawPacket):
            if run and (run[-1].characteristic != it.characteristic or len(run) >= limit):
                close()
                limit = rnd.randint(1, 300)
            run.append(it)
        else:
            close()
            out.append(it)
    close()
    return out


@pytest.mark.parametrize("case", [
    dict(scenario="plank", seed=3, rate_hz=100.0, loss=0.03, loss_burst=3.0, outages=[(30.0, 2.0)], drift_ppm=-80.0),
    dict(scenario="wall-sit", seed=4, rate_hz=200.0, gyro=True, jitter_s=0.02, device_t0_s=4294.0),  # u32 µs wrap
    dict(scenario="hang", seed=6, rate_hz=25.0, samples_per_packet=3, loss=0.05),
])
def test_packet_batches_equal_push(case: dict) -> None:
    """Session-file lines (PacketBatch) decoded as columns and timed by ClockModel.push_columns give exactly
    the per-packet live result, with loss, outages, corrupt packets, gyro and a device clock wrap."""
    sim = simulate_session(case.pop("scenario"), **case)
    items = _corrupt(sim.items, 211)
    ref = _one_by_one(sim.info, items)
    assert ref.decoder is not None and ref.decoder.bad_packets > 0, "the case must contain bad packets"
    want = ref.finish()
    for seed, batch in ((1, 0), (2, 4096)):
        fast = StreamProcessor(sim.info, batch_samples=batch)
        fast.push_all(_as_batches(items, seed))
        _assert_same(want, fast)


@pytest.mark.parametrize("defer_s", [0.05, 0.25, 5.0])
def test_deferred_live_processing_equals_push(defer_s: float) -> None:
    """``defer_s`` (live: packets held back, then decoded and timed as columns) changes nothing: same result,
    and every status() -- which processes held packets first -- equals the one-by-one processor's."""
    sim = simulate_session("plank", seed=8, rate_hz=100.0, samples_per_packet=5, loss=0.03, loss_burst=2.0,
                           outages=[(25.0, 2.0)], drift_ppm=60.0)
    items = _corrupt(sim.items, 53)
    ref, deferred = StreamProcessor(sim.info), StreamProcessor(sim.info, defer_s=defer_s)
    got_events: list = []
    held_back = 0
    for i, it in enumerate(items):
        ref.push(it)
        got_events += deferred.push(it)
        held_back += bool(deferred._held)
        if i % 37 == 0:
            assert deferred.status() == ref.status()
    assert held_back > len(items) // 3, "packets must really have been held back"
    want = ref.finish()
    got_events += deferred.catch_up()
    # every event came out of push / catch_up exactly once (a bigger push may list a gap before a period it
    # finalised: chunking changes the order in which events of one push are listed, never the events)
    assert got_events == deferred.pipeline.events
    assert sorted(got_events, key=_event_key) == sorted(ref.pipeline.events, key=_event_key)
    _assert_same(want, deferred)
