"""Round trips through SessionWriter -> read_session, batching, fsync cadence, append/restart."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from session_helpers import ble_info, htp_packets, record, same_items, sample_block, sample_info

from holdtrack.errors import ConfigError
from holdtrack.model import LinkEvent, RawPacket, SampleBlock
from holdtrack.protocol import htp
from holdtrack.session import SessionWriter, read_session
from holdtrack.session import format as fmt


def lines(path):
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


def test_every_record_kind_round_trips_in_order(tmp_path):
    path = tmp_path / "all.htrec"
    control = htp.CONTROL_UUID
    items = [
        *htp_packets(30),
        RawPacket(b"\x01\x02", 0.9, control),          # another characteristic splits the batch
        RawPacket(b"", 0.91, control),                 # empty payloads survive
        LinkEvent("link_lost", 1.0),
        LinkEvent("reconnected", 3.5),
        *htp_packets(10, t0_s=3.6, seed=1),
        sample_block(7, t0_s=5.0),
        sample_block(9, t0_s=6.0, gyro=True, seed=2),
        SampleBlock.empty(),                           # nothing written for an empty block
    ]
    with SessionWriter(path, ble_info()) as w:
        for it in items:
            w.write(it)
    src = read_session(path)
    got = src.read_all()
    assert same_items(got, [it for it in items if not (isinstance(it, SampleBlock) and len(it) == 0)])
    assert src.ended_cleanly and src.problems == []
    assert (src.packets, src.samples) == (42, 16) and src.footer == (42, 16)
    info = src.info
    assert (info.format, info.profile, info.rate_hz, info.start_utc) == ("htrec", "holdtrack", 100.0,
                                                                         "2026-11-26T15:00:00Z")
    assert info.settings == {"rate_hz": 100.0, "range_g": 8}
    assert info.device == {"name": "HoldTrack-test", "address": "00:AA:BB:CC:DD:EE"}
    head = lines(path)[0]
    assert head["holdtrack_session"] == 1 and head["format_version"] == "1.0" and head["content"] == "packets"
    assert head["characteristics"][htp.DATA_UUID] == "data" and head["device"]["profile"] == "holdtrack"
    assert lines(path)[-1] == {"k": "end", "t": 6.16, "packets": 42, "samples": 16, "reason": "clean"}


def test_sample_session_header_and_iteration_is_repeatable(tmp_path):
    path = tmp_path / "import.htrec"
    blocks = [sample_block(100, t0_s=i * 2.0, seed=i) for i in range(3)]
    with SessionWriter(path, sample_info(), created_utc="2026-11-26T15:01:02Z", pipeline={"still_g": 0.02}) as w:
        for b in blocks:
            w.write_block(b)
    head = lines(path)[0]
    assert head["content"] == "samples" and head["source"] == {"kind": "import", "format": "csv",
                                                               "path": "/data/plank.csv"}
    assert head["pipeline"] == {"still_g": 0.02} and head["created_utc"] == "2026-11-26T15:01:02Z"
    src = read_session(path)
    assert src.info.notes == ["units detected: g"] and src.info.profile is None
    assert same_items(src.read_all(), blocks) and same_items(list(src), blocks)


def test_packets_are_batched_by_half_second_and_characteristic(tmp_path):
    path = tmp_path / "b.htrec"
    pk = htp_packets(100, jitter_s=0.0)  # one packet every 50 ms, 5 s in all
    with SessionWriter(path, ble_info()) as w:
        for p in pk:
            w.write_packet(p)
    recs = lines(path)[1:-1]
    assert all(r["k"] == "p" for r in recs)
    assert sum(len(r["t"]) for r in recs) == 100
    for r in recs:
        assert r["t"][-1] - r["t"][0] <= fmt.BATCH_SPAN_S
    assert len(recs) == 10  # 11 packets (0..0.5 s) fill a batch, then the next starts


def test_big_block_is_split_into_lines_below_the_cap(tmp_path):
    path = tmp_path / "big.htrec"
    block = sample_block(fmt.BLOCK_MAX_SAMPLES + 10)
    with SessionWriter(path, sample_info()) as w:
        w.write_block(block)
    recs = lines(path)[1:-1]
    assert [r["n"] for r in recs] == [fmt.BLOCK_MAX_SAMPLES, 10]
    assert same_items([SampleBlock.concatenate(read_session(path).read_all())], [block])


def test_fsync_at_least_once_per_second_of_host_time(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(1), real(fd)))
    with SessionWriter(tmp_path / "f.htrec", ble_info()) as w:
        for p in htp_packets(200, jitter_s=0.0):  # 10 s
            w.write_packet(p)
        during = len(synced)
    assert 10 <= during <= 12  # header + one per second, not one per line (20 lines)


def test_fsync_by_injected_clock(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(1))
    now = [0.0]
    w = SessionWriter(tmp_path / "c.htrec", sample_info(), clock=lambda: now[0])
    for i in range(50):  # item times span 50 s but the clock only 2.5 s: a fast import
        now[0] += 0.05
        w.write_block(sample_block(50, t0_s=float(i)))
    w.close()
    assert 3 <= len(synced) <= 5  # header, ~2 by clock, footer


def test_unknown_kinds_and_fields_are_skipped_and_counted(tmp_path):
    path = tmp_path / "u.htrec"
    with SessionWriter(path, ble_info()) as w:
        for p in htp_packets(4):
            w.write_packet(p)
    text = path.read_text("utf-8").splitlines(keepends=True)
    head = json.loads(text[0])
    head.update(format_version="1.4", future_field={"x": 1})
    text[0] = json.dumps(head) + "\n"
    text.insert(1, '{"k":"annotation","t":0.5,"text":"start plank"}\n')
    rec = json.loads(text[2])
    rec["extra"] = [1, 2]
    text[2] = json.dumps(rec) + "\n"
    path.write_text("".join(text), "utf-8")
    src = read_session(path)
    assert same_items(src.read_all(), htp_packets(4))
    assert src.unknown_records == 1 and src.ended_cleanly
    assert any("newer" in n for n in src.info.notes)
    assert any("unknown kind" in p for p in src.problems)


def test_append_after_clean_close_keeps_one_time_base(tmp_path):
    path = tmp_path / "a.htrec"
    first, second = htp_packets(20), htp_packets(20, t0_s=30.0, seed=5)
    with SessionWriter(path, ble_info()) as w:
        for p in first:
            w.write_packet(p)
    with SessionWriter(path, ble_info(start_utc="2026-11-26T16:00:00Z"), append=True) as w:
        assert w.start_utc == "2026-11-26T15:00:00Z"  # the original time base wins
        assert w.last_time_s == first[-1].host_time_s
        for p in second:
            w.write_packet(p)
    recs = lines(path)
    assert sum(1 for r in recs if "holdtrack_session" in r) == 1
    assert sum(1 for r in recs if r.get("k") == "end") == 1
    src = read_session(path)
    got = src.read_all()
    assert same_items(got, [*first, LinkEvent("restart", second[0].host_time_s), *second])  # type: ignore[arg-type]
    assert src.ended_cleanly and src.footer == (40, 0) and src.info.start_utc == "2026-11-26T15:00:00Z"


def test_append_after_crash_cuts_the_partial_line(tmp_path):
    path = tmp_path / "crash.htrec"
    first = htp_packets(20)
    w = SessionWriter(path, ble_info())
    for p in first:
        w.write_packet(p)
    w.abort()
    with open(path, "ab") as f:
        f.write(b'{"k":"p","c":"0f17')  # what a kill in the middle of a write leaves
    more = htp_packets(5, t0_s=10.0)
    with SessionWriter(path, ble_info(), append=True) as w:
        for p in more:
            w.write_packet(p)
    src = read_session(path)
    assert same_items(src.read_all(), [*first, LinkEvent("restart", more[0].host_time_s), *more])  # type: ignore
    assert src.ended_cleanly and src.problems == []


def test_append_refuses_going_back_in_time_or_another_profile(tmp_path):
    path = tmp_path / "r.htrec"
    with SessionWriter(path, ble_info()) as w:
        for p in htp_packets(20):
            w.write_packet(p)
    with pytest.raises(ConfigError, match="before the session's last time"):
        with SessionWriter(path, ble_info(), append=True) as w:
            w.write_packet(htp_packets(1)[0])
    with pytest.raises(ConfigError, match="cannot append"):
        SessionWriter(path, ble_info(profile="polar-pmd"), append=True)
    assert read_session(path).read_all()  # still readable after both refusals


def test_append_to_missing_file_creates_it(tmp_path):
    path = tmp_path / "new.htrec"
    with SessionWriter(path, sample_info(), append=True) as w:
        w.write_block(sample_block(3))
    src = read_session(path)
    assert len(src.read_all()) == 1 and src.samples == 3 and src.ended_cleanly


def test_times_round_trip_bit_exactly(tmp_path):
    path = tmp_path / "t.htrec"
    t = [0.1 + 0.2, 1 / 3, 2.0**-30, 12345.678901234567]
    pk = [RawPacket(b"x", ti, htp.DATA_UUID) for ti in t]
    with SessionWriter(path, ble_info()) as w:
        for p in pk:
            w.write_packet(p)
    assert [p.host_time_s for p in read_session(path).read_all()] == t
    blk = SampleBlock(np.array(t), np.full((4, 3), np.pi))
    with SessionWriter(path, sample_info()) as w:
        w.write_block(blk)
    assert same_items(read_session(path).read_all(), [blk])


def test_a_second_writer_on_the_same_file_is_refused_and_harms_nothing(tmp_path):
    from holdtrack.session import SessionWriteError

    path = tmp_path / "busy.htrec"
    first = record(path, htp_packets(15), end=None)
    first.flush()
    for append in (False, True):
        with pytest.raises(SessionWriteError, match="another process is writing"):
            SessionWriter(path, ble_info(), append=append)
    first.close()
    assert same_items(read_session(path).read_all(), htp_packets(15))
    SessionWriter(path, ble_info(), append=True).close()  # the lock went with the first writer


def test_numpy_values_and_paths_in_the_header_are_stored_plainly(tmp_path):
    path = tmp_path / "np.htrec"
    info = sample_info(rate_hz=np.float64(52.0), settings={"range_g": np.int64(8), "axes": np.arange(3)},
                       path=tmp_path / "in.csv")
    SessionWriter(path, info).close()
    src = read_session(path)
    assert src.info.settings == {"range_g": 8, "axes": [0, 1, 2]} and src.info.rate_hz == 52.0
    assert src.header["source"]["path"] == str(tmp_path / "in.csv")
