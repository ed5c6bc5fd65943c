"""The portable C encoder (firmware_notes/common/htp_packet.c) against the Python HTP codec.

The C file is compiled with the system compiler into a shared library in a temporary directory and
driven through ctypes: its packets must decode with holdtrack.protocol.htp to the same samples,
times and sequence numbers (across the seq wrap at 65536 and the t0 wrap at 2**32), and its
control-point parser must agree with the Python one on every input.
"""

from __future__ import annotations

import ctypes

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from holdtrack.errors import PacketDecodeError
from holdtrack.model import RawPacket
from holdtrack.protocol import htp
from holdtrack.protocol import htp_control as hc
from holdtrack.protocol.base import CountingDecoder

from c_harness import RING, Request, as_bytes, c_buf, c_samples

def encode(lib: ctypes.CDLL, seq: int, t0: int, odr: int, rng: int, fmt: int, s: ctypes.Array[Sample],
           n: int, cap: int = 4096) -> bytes:
    buf = c_buf(cap)
    size = lib.htp_encode_packet(buf, cap, seq, t0, odr, rng, fmt, s, n)
    return as_bytes(buf, size)



@settings(max_examples=150, deadline=None)
@given(st.integers(1, 255).flatmap(lambda n: hnp.arrays(np.int16, (n, 3))),
       st.integers(0, 65535), st.integers(0, 2**32 - 1), st.integers(1, 65535), st.sampled_from(htp.RANGES_G))
def test_c_packet_equals_python_packet(lib: ctypes.CDLL, a: np.ndarray, seq: int, t0: int, odr: int, rng: int) -> None:
    data = encode(lib, seq, t0, odr, rng, htp.FMT_ACC, c_samples(a), len(a))
    assert data == bytes(htp.HtpPacket(seq, t0, odr, rng, a))
    f = htp.decode_packet(data)
    assert (f.seq, f.device_time_s, f.rate_hz) == (seq, pytest.approx(t0 * 1e-6), odr / 10)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: hnp.arrays(np.int16, (n, 6))), st.sampled_from((0x02, 0x12, 0x22, 0x32, 0x42)))
def test_c_acc_gyro_packet_decodes(lib: ctypes.CDLL, m: np.ndarray, fmt: int) -> None:
    data = encode(lib, 9, 123, 1040, 4, fmt, c_samples(m[:, :3], m[:, 3:]), len(m))
    p = htp.HtpPacket.from_bytes(data)
    np.testing.assert_array_equal(p.samples, m[:, :3])
    np.testing.assert_array_equal(p.gyro, m[:, 3:])
    assert p.gyro_range_dps == htp.GYRO_RANGES_DPS[fmt >> 4]


def test_c_encoder_refuses_impossible_packets(lib: ctypes.CDLL) -> None:
    s = c_samples(np.zeros((256, 3)))
    assert encode(lib, 0, 0, 1000, 8, 0x01, s, 0) == b""  # no samples
    assert encode(lib, 0, 0, 1000, 8, 0x01, s, 256) == b""  # count does not fit u8
    assert encode(lib, 0, 0, 1000, 8, 0x03, s, 1) == b""  # unknown format
    assert encode(lib, 0, 0, 1000, 8, 0x52, s, 1) == b""  # unknown gyro range code
    assert encode(lib, 0, 0, 1000, 8, 0x01, s, 2, cap=23) == b""  # 24 bytes do not fit 23
    assert [lib.htp_max_samples(m, 0x01) for m in (23, 185, 247, 2000)] == [htp.max_samples(m) for m in
                                                                            (23, 185, 247, 2000)]
    assert lib.htp_max_samples(247, 0x02) == htp.max_samples(247, htp.FMT_ACC_GYRO)


def run_batcher(lib: ctypes.CDLL, acc: np.ndarray, t_us: np.ndarray, first_seq: int, n_max: int,
                latency_ms: int) -> tuple[list[bytes], int]:
    """Push samples one by one, polling after each at the sample's own time; flush at the end."""
    b = ctypes.create_string_buffer(lib.htp_batcher_sizeof())
    lib.htp_batcher_init(b, 1000, 8, 0x01, n_max, latency_ms, first_seq)
    s = c_samples(acc, t_us=t_us)
    buf = c_buf()
    packets = []
    for i in range(len(acc)):
        lib.htp_batcher_push(b, ctypes.byref(s[i]))
        n = lib.htp_batcher_poll(b, int(t_us[i]) % 2**32, buf, len(buf))
        if n:
            packets.append(as_bytes(buf, n))
    while n := lib.htp_batcher_flush(b, buf, len(buf)):
        packets.append(as_bytes(buf, n))
    return packets, len(acc)


@pytest.mark.parametrize("n_max, latency_ms, max_n", [(0, 1000, 38), (38, 100, 11), (5, 1000, 5)])
def test_batcher_across_seq_and_clock_wrap(lib: ctypes.CDLL, n_max: int, latency_ms: int, max_n: int) -> None:
    rng = np.random.default_rng(7)
    n = 1500
    acc = rng.integers(-32768, 32767, size=(n, 3)).astype(np.int16)
    t_us = 2**32 - 3_000_000 + np.arange(n) * 10_000  # 100 Hz, the µs clock wraps after 300 samples
    first_seq = 65530
    packets, _ = run_batcher(lib, acc, t_us, first_seq, n_max, latency_ms)
    dec = CountingDecoder(htp.PROFILE.make_decoder({}))
    frames = [f for i, p in enumerate(packets) for f in dec.feed(RawPacket(p, i * 0.01, htp.DATA_UUID))]
    assert dec.bad_packets == 0
    np.testing.assert_array_equal(np.vstack([htp.HtpPacket.from_bytes(p).samples for p in packets]), acc)
    assert [f.seq for f in frames] == [(first_seq + k) % 65536 for k in range(len(frames))]
    assert any(f.seq == 0 for f in frames)  # crossed the seq wrap
    starts = np.cumsum([0] + [len(f) for f in frames[:-1]])
    np.testing.assert_allclose([f.device_time_s for f in frames], (t_us[starts] % 2**32) * 1e-6)
    assert any(f.device_time_s < frames[0].device_time_s for f in frames)  # crossed the clock wrap
    assert max(len(f) for f in frames) == max_n


def test_batcher_overflow_and_unpoll(lib: ctypes.CDLL) -> None:
    b = ctypes.create_string_buffer(lib.htp_batcher_sizeof())
    lib.htp_batcher_init(b, 1000, 8, 0x01, 38, 100, 0)
    s = c_samples(np.ones((RING + 3, 3)), t_us=np.arange(RING + 3))
    accepted = [lib.htp_batcher_push(b, ctypes.byref(s[i])) for i in range(RING + 3)]
    assert accepted == [1] * RING + [0] * 3
    buf = c_buf()
    first = as_bytes(buf, lib.htp_batcher_poll(b, RING, buf, len(buf)))
    lib.htp_batcher_unpoll(b, htp.HtpPacket.from_bytes(first).samples.shape[0])  # the radio refused it
    again = as_bytes(buf, lib.htp_batcher_poll(b, RING, buf, len(buf)))
    assert again == first and htp.HtpPacket.from_bytes(again).seq == 0


def c_parse(lib: ctypes.CDLL, data: bytes) -> tuple[int, Request]:
    req = Request()
    arr = (ctypes.c_uint8 * max(1, len(data))).from_buffer_copy(data or b"\0")
    return lib.htp_parse_request(arr, len(data), ctypes.byref(req)), req


EDGE_REQUESTS = ["", "09", "0100", "02E8030800", "020000080064 00", "02E80305006400", "02E803080064000332",
                 "02E80308006400 03", "02E8031000FFFF 42", "04FFFFFFFFFFFFFFFF", "040000000000000080", "0400"]


@settings(max_examples=300, deadline=None)
@example(b"\x02\x00\x00\x08\x00\x64\x00")
@given(st.one_of(st.binary(max_size=12),
                 st.tuples(st.sampled_from([1, 2, 3, 4, 5, 9]), st.binary(max_size=9)).map(lambda t: bytes([t[0]]) + t[1])))
def test_c_and_python_request_parsers_agree(lib: ctypes.CDLL, data: bytes) -> None:
    check_parsers_agree(lib, data)


@pytest.mark.parametrize("hexdata", EDGE_REQUESTS)
def test_c_and_python_request_parsers_agree_on_edges(lib: ctypes.CDLL, hexdata: str) -> None:
    check_parsers_agree(lib, bytes.fromhex(hexdata))


def check_parsers_agree(lib: ctypes.CDLL, data: bytes) -> None:
    status, req = c_parse(lib, data)
    try:
        py = hc.Request.from_bytes(data)
    except hc.RequestError as err:
        assert status == err.status
        return
    assert status == 0 and req.opcode == py.opcode
    if py.start is not None:
        assert hc.StartRequest(req.odr_dhz, req.range_g, req.max_batch, req.max_latency_ms, req.fmt) == py.start
    if py.host_unix_us is not None:
        assert req.host_unix_us == py.host_unix_us


def test_c_features_decode_in_python(lib: ctypes.CDLL) -> None:
    odr = (ctypes.c_uint16 * 3)(500, 1000, 2000)
    ranges = (ctypes.c_uint8 * 4)(2, 4, 8, 16)
    fmts = (ctypes.c_uint8 * 2)(1, 2)
    gyro = (ctypes.c_uint16 * 2)(250, 2000)
    buf = c_buf(64)
    n = lib.htp_build_features(buf, 64, odr, 3, ranges, 4, fmts, 2, 1, 38, gyro, 2)
    assert hc.Features.from_bytes(as_bytes(buf, n)) == hc.Features((500, 1000, 2000), (2, 4, 8, 16), (1, 2), 1, 1, 38,
                                                                   (250, 2000))
    assert lib.htp_build_features(buf, 10, odr, 3, ranges, 4, fmts, 2, 1, 38, gyro, 2) == 0  # does not fit


def c_response(lib: ctypes.CDLL, opcode: int, status: int, params: bytes) -> bytes:
    buf = c_buf(64)
    p = (ctypes.c_uint8 * max(1, len(params))).from_buffer_copy(params or b"\0")
    return as_bytes(buf, lib.htp_build_response(buf, 64, opcode, status, p, len(params)))


@pytest.mark.parametrize("fmt", [0x01, 0x32])
def test_c_responses_equal_python_responses(lib: ctypes.CDLL, fmt: int) -> None:
    buf = c_buf(16)
    start = as_bytes(buf, lib.htp_build_start_params(buf, 16, 1040, 8, fmt))
    assert c_response(lib, 2, 0, start) == bytes(hc.start_response(1040, 8, fmt))
    status = as_bytes(buf, lib.htp_build_status_params(buf, 16, 1, 70000, 65535))
    assert c_response(lib, 5, 0, status) == bytes(hc.status_response(hc.DeviceStatus(True, 70000, 65535)))
    assert c_response(lib, 2, 9, b"") == bytes(hc.ControlResponse(hc.OP_START, hc.INVALID_RANGE))
    assert lib.htp_build_response(buf, 2, 2, 0, buf, 0) == 0  # does not fit


def test_malformed_c_packets_are_counted_and_the_stream_goes_on(lib: ctypes.CDLL) -> None:
    good = encode(lib, 1, 1000, 1000, 8, 0x01, c_samples(np.arange(12).reshape(4, 3)), 4)
    bad = [b"\x02" + good[1:], good[:11] + b"\x09" + good[12:], good[:-3], good[:7], good[:11] + b"\x00"]
    dec = CountingDecoder(htp.PROFILE.make_decoder({}))
    frames = []
    for i, p in enumerate([good, *bad, good]):
        frames += dec.feed(RawPacket(p, float(i), htp.DATA_UUID))
    assert len(frames) == 2 and dec.bad_packets == len(bad)
    with pytest.raises(PacketDecodeError, match="version"):
        htp.decode_packet(bad[0])
