"""The C control-point handler (htp_device_*) driven with the Python command builders.

Responses are parsed with holdtrack.protocol.htp_control and the packets the device then produces
with holdtrack.protocol.htp, so the firmware logic and the host codecs are checked against each other.
"""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from holdtrack.protocol import htp
from holdtrack.protocol import htp_control as hc
from holdtrack.protocol.cp import Status

from c_harness import Caps, as_bytes, c_buf, c_samples

ACTION_NONE, ACTION_START, ACTION_STOP = 0, 1, 2


class Device:
    """A C ``htp_device_t`` with its capability arrays kept alive."""

    def __init__(self, lib: ctypes.CDLL, odr: tuple[int, ...] = (125, 260, 520, 1040, 2080),
                 ranges: tuple[int, ...] = (2, 4, 8, 16), gyro_dps: int = 0) -> None:
        self.lib = lib
        self._odr = (ctypes.c_uint16 * len(odr))(*odr)
        self._ranges = (ctypes.c_uint8 * len(ranges))(*ranges)
        self.caps = Caps(self._odr, len(odr), self._ranges, len(ranges), gyro_dps, 1)
        self.mem = ctypes.create_string_buffer(lib.htp_device_sizeof())
        lib.htp_device_init(self.mem, ctypes.byref(self.caps))
        self.t_us = 0

    def control(self, request: bytes, now_us: int = 0) -> tuple[int, hc.Response]:
        buf, out = c_buf(64), c_buf(128)
        buf[: len(request)] = list(request)
        n = ctypes.c_size_t()
        action = self.lib.htp_device_control(self.mem, buf, len(request), now_us, out, 128, ctypes.byref(n))
        return action, hc.Response.from_bytes(as_bytes(out, n.value))

    def stream(self, samples: int) -> list[htp.HtpPacket]:
        """Push ``samples`` samples at the configured rate (the device struct starts with its batcher)."""
        packets = []
        s = c_samples(np.arange(3 * samples).reshape(samples, 3) % 1000, t_us=np.zeros(samples))
        buf = c_buf(512)
        for i in range(samples):
            s[i].t_us = self.t_us % 2**32
            self.lib.htp_batcher_push(self.mem, ctypes.byref(s[i]))
            n = self.lib.htp_batcher_poll(self.mem, self.t_us % 2**32, buf, 512)
            if n:
                packets.append(htp.HtpPacket.from_bytes(as_bytes(buf, n)))
            self.t_us += 10_000
        return packets


def test_get_caps_decodes_as_features(lib: ctypes.CDLL) -> None:
    _, resp = Device(lib, gyro_dps=500).control(hc.get_caps_request())
    assert resp.features() == hc.Features((125, 260, 520, 1040, 2080), (2, 4, 8, 16), (0x01, 0x32), 1, 1, 38, (500,))
    _, resp = Device(lib).control(hc.get_caps_request())
    assert resp.features().fmts == (0x01,) and resp.features().gyro_ranges_dps == ()


def test_start_snaps_and_packets_follow(lib: ctypes.CDLL) -> None:
    dev = Device(lib, ranges=(2, 4, 8))
    lib.htp_device_set_mtu(dev.mem, 247)
    action, resp = dev.control(hc.start_request(100, 16))
    assert action == ACTION_START and resp.start_result() == hc.StartResult(1040, 8, 0x01)
    packets = dev.stream(100)
    assert {(p.odr_dhz, p.range_g, p.fmt) for p in packets} == {(1040, 8, 1)}
    assert max(p.samples.shape[0] for p in packets) == 11  # 100 ms latency at a 10 ms sample spacing
    assert [p.seq for p in packets] == list(range(len(packets)))
    # a new START keeps counting seq
    action, resp = dev.control(hc.start_request(25, 2, max_batch=4, max_latency_ms=1000))
    assert resp.start_result() == hc.StartResult(260, 2, 0x01)
    more = dev.stream(40)
    assert more[0].seq == len(packets) and max(p.samples.shape[0] for p in more) == 4


def test_mtu_limits_the_batch(lib: ctypes.CDLL) -> None:
    dev = Device(lib)
    dev.control(hc.start_request(100, 8, max_latency_ms=1000))  # default MTU 23: one sample per packet
    assert {p.samples.shape[0] for p in dev.stream(30)} == {1}
    lib.htp_device_set_mtu(dev.mem, 247)
    assert max(p.samples.shape[0] for p in dev.stream(200)) == 38


def test_gyro_format(lib: ctypes.CDLL) -> None:
    _, resp = Device(lib).control(hc.start_request(100, 8, fmt=0x02))
    assert resp.status == Status.NOT_SUPPORTED and resp.params == b""
    dev = Device(lib, gyro_dps=1000)
    lib.htp_device_set_mtu(dev.mem, 247)
    _, resp = dev.control(hc.start_request(100, 8, fmt=0x02))
    assert resp.start_result() == hc.StartResult(1040, 8, 0x42)
    (first, *_) = dev.stream(20)
    assert first.gyro is not None and first.gyro_range_dps == 1000


def test_stop_time_sync_status_and_errors(lib: ctypes.CDLL) -> None:
    dev = Device(lib)
    assert dev.control(hc.stop_request())[1].status == Status.ALREADY_IN_STATE
    dev.control(hc.start_request(100, 8))
    dev.stream(25)
    action, resp = dev.control(hc.get_status_request())
    status = resp.device_status()
    assert action == ACTION_NONE and status.streaming and status.fifo_overflow_samples == 0
    assert status.seq_next == 25  # MTU 23: one packet per sample
    action, resp = dev.control(hc.stop_request())
    assert action == ACTION_STOP and resp.ok and resp.opcode == hc.OP_STOP
    assert not dev.control(hc.get_status_request())[1].device_status().streaming
    assert dev.control(hc.time_sync_request(1_700_000_000_000_000), now_us=2**32 - 1)[1].device_time_us() == 2**32 - 1
    _, resp = dev.control(b"\x09")
    assert (resp.opcode, resp.status) == (9, Status.INVALID_OP_CODE)
    _, resp = dev.control(bytes.fromhex("02 E803 03 00 6400"))
    assert resp.status == Status.INVALID_RANGE


def test_subscription_starts_and_stops(lib: ctypes.CDLL) -> None:
    dev = Device(lib)
    assert lib.htp_device_subscribe(dev.mem, 1) == ACTION_START
    assert lib.htp_device_subscribe(dev.mem, 1) == ACTION_NONE
    assert dev.control(hc.get_status_request())[1].device_status().streaming
    packets = dev.stream(3)
    assert (packets[0].odr_dhz, packets[0].range_g) == (1040, 8)  # defaults: closest to 100 Hz, ±8 g
    assert lib.htp_device_subscribe(dev.mem, 0) == ACTION_STOP


@pytest.mark.parametrize("mtu, expected", [(23, 1), (100, 14), (247, 38), (512, 38)])
def test_batcher_set_mtu(lib: ctypes.CDLL, mtu: int, expected: int) -> None:
    b = ctypes.create_string_buffer(lib.htp_batcher_sizeof())
    lib.htp_batcher_init(b, 1000, 8, 0x01, 0, 10_000, 0)
    lib.htp_batcher_set_mtu(b, mtu)
    s = c_samples(np.zeros((60, 3)), t_us=np.arange(60))
    for i in range(60):
        lib.htp_batcher_push(b, ctypes.byref(s[i]))
    buf = c_buf(512)
    n = lib.htp_batcher_poll(b, 60, buf, 512)
    assert htp.HtpPacket.from_bytes(as_bytes(buf, n)).samples.shape[0] == expected
    assert expected == min(htp.max_samples(mtu), htp.max_samples(247))  # auto batch is sized for MTU 247
