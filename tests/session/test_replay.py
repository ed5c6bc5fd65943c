"""Paced replay of sessions with an injected clock (no real sleeping)."""

from __future__ import annotations

import pytest
from session_helpers import ble_info, htp_packets, same_items, sample_block, sample_info

from holdtrack.errors import ConfigError
from holdtrack.model import LinkEvent
from holdtrack.session import SessionWriter, read_session
from holdtrack.sources.replay import ReplaySource, item_time_s, paced


class FakeTime:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        assert s > 0
        self.sleeps.append(s)
        self.now += s


@pytest.fixture
def recorded(tmp_path):
    path = tmp_path / "r.htrec"
    items = [*htp_packets(40), LinkEvent("link_lost", 2.5), LinkEvent("reconnected", 12.0),
             *htp_packets(20, t0_s=12.1, seed=3)]
    with SessionWriter(path, ble_info()) as w:
        for it in items:
            w.write(it)
    return path, items


@pytest.mark.parametrize("speed", [1.0, 4.0, 0.5])
def test_items_come_on_schedule(recorded, speed):
    path, items = recorded
    ft = FakeTime()
    seen = [(ft.now, it) for it in ReplaySource.open(path, speed=speed, clock=ft.clock, sleep=ft.sleep)]
    assert same_items([it for _, it in seen], items)
    t0 = item_time_s(items[0])
    for at, it in seen:
        assert at == pytest.approx(100.0 + (item_time_s(it) - t0) / speed, abs=1e-9)


def test_slow_consumer_does_not_accumulate_delay(recorded):
    path, items = recorded
    ft = FakeTime()
    late = []
    for it in ReplaySource.open(path, speed=1.0, clock=ft.clock, sleep=ft.sleep):
        late.append(ft.now - (100.0 + item_time_s(it) - item_time_s(items[0])))
        ft.now += 0.08  # the consumer takes longer than the 50 ms between packets
    lost, back = items.index(LinkEvent("link_lost", 2.5)), items.index(LinkEvent("reconnected", 12.0))
    assert late[lost] > 0.5  # 40 packets (2 s) took the consumer 3.2 s: 0.7 s late at t=2.5 s
    assert late[back] == pytest.approx(0.0, abs=1e-9)  # the silence absorbed the delay: back on schedule
    assert min(late) >= -1e-9  # never early


def test_max_wait_skips_long_silence(recorded):
    path, items = recorded
    ft = FakeTime()
    list(ReplaySource.open(path, speed=1.0, clock=ft.clock, sleep=ft.sleep, max_wait_s=1.0))
    assert max(ft.sleeps) <= 1.0
    full = item_time_s(items[-1]) - item_time_s(items[0])
    assert ft.now - 100.0 == pytest.approx(full - (12.0 - 2.5 - 1.0), abs=1e-6)


def test_unpaced_replay_never_sleeps_and_blocks_use_their_last_sample(tmp_path):
    path = tmp_path / "s.htrec"
    blocks = [sample_block(50, t0_s=float(i)) for i in range(3)]
    with SessionWriter(path, sample_info()) as w:
        for b in blocks:
            w.write_block(b)
    assert same_items(list(ReplaySource(read_session(path))), blocks)
    ft = FakeTime()
    list(paced(read_session(path), speed=1.0, clock=ft.clock, sleep=ft.sleep))
    assert ft.now - 100.0 == pytest.approx(2.0)  # from the first block's last sample to the third's
    src = ReplaySource(read_session(path))
    assert src.info.format == "htrec" and src.ended_cleanly and src.problems == []


@pytest.mark.parametrize("kw", [dict(speed=1.0), dict(speed=1.0, clock=lambda: 0.0)])
def test_pacing_without_injected_time_is_refused(recorded, kw):
    with pytest.raises(ConfigError, match="clock and a sleep"):
        ReplaySource.open(recorded[0], **kw)


@pytest.mark.parametrize("speed", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_speed_is_refused(speed):
    ft = FakeTime()
    with pytest.raises(ConfigError, match="positive number"):
        list(paced([LinkEvent("link_lost", 1.0)], speed=speed, clock=ft.clock, sleep=ft.sleep))
