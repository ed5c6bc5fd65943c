"""HTP control point and features: builders, device-side parser, responses, capability TLV."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from holdtrack.errors import DeviceError, PacketDecodeError
from holdtrack.protocol import htp_control as hc
from holdtrack.protocol.cp import Status


def test_ble_layer_names() -> None:
    assert (hc.OP_START, hc.OP_STOP, hc.RESPONSE, hc.SUCCESS, hc.INVALID_RANGE) == (2, 3, 0xF0, 0, 9)
    start = hc.StartRequest.from_bytes(hc.start_request(50, 4))
    assert (start.odr_dhz, start.range_g, start.max_batch, start.max_latency_ms) == (500, 4, 0, 100)
    assert bytes(hc.ControlResponse(hc.OP_START, hc.INVALID_LENGTH)) == b"\xf0\x02\x04"


def test_command_builders_golden_bytes() -> None:
    assert hc.get_caps_request() == b"\x01"
    # START 100 Hz (1000 dHz), ±8 g, auto batch, 100 ms latency
    assert hc.start_request(100, 8) == bytes.fromhex("02 E803 08 00 6400")
    assert hc.start_request(12.5, 2, 10, 50, fmt=0x02) == bytes.fromhex("02 7D00 02 0A 3200 02")
    assert hc.stop_request() == b"\x03"
    assert hc.time_sync_request(-1) == bytes.fromhex("04 FFFFFFFFFFFFFFFF")
    assert hc.get_status_request() == b"\x05"


def test_start_request_refuses_unencodable_values() -> None:
    for kwargs in ({"rate_hz": 0}, {"rate_hz": 7000}, {"range_g": 3}, {"max_batch": 256}):
        with pytest.raises(ValueError):
            hc.start_request(**{"rate_hz": 100, **kwargs})


@given(st.integers(1, 65535), st.sampled_from((0, 2, 4, 8, 16)), st.integers(0, 255), st.integers(0, 65535),
       st.sampled_from((0x01, 0x02, 0x32)))
def test_start_request_round_trip(odr: int, rng: int, batch: int, lat: int, fmt: int) -> None:
    data = hc.start_request(odr / 10, rng, batch, lat, fmt)
    req = hc.Request.from_bytes(data)
    assert req.opcode is hc.Op.START and req.start == hc.StartRequest(odr, rng, batch, lat, fmt)
    assert bytes(req) == data and hc.StartRequest.from_bytes(data) == req.start


@given(st.integers(-(2**63), 2**63 - 1))
def test_time_sync_round_trip(us: int) -> None:
    assert hc.Request.from_bytes(hc.time_sync_request(us)).host_unix_us == us


@pytest.mark.parametrize(
    "data, status",
    [
        (b"", Status.INVALID_LENGTH),
        (b"\x09", Status.INVALID_OP_CODE),
        (b"\x01\x00", Status.INVALID_LENGTH),
        (bytes.fromhex("02 E803 08 00"), Status.INVALID_LENGTH),
        (bytes.fromhex("02 0000 08 00 6400"), Status.INVALID_SAMPLE_RATE),
        (bytes.fromhex("02 E803 05 00 6400"), Status.INVALID_RANGE),
        (bytes.fromhex("04 0000"), Status.INVALID_LENGTH),
        (bytes.fromhex("02 E803 08 00 6400 03"), Status.INVALID_PARAMETER),
    ],
)
def test_device_side_parser_gives_the_status_to_answer(data: bytes, status: Status) -> None:
    with pytest.raises(hc.RequestError) as err:
        hc.Request.from_bytes(data)
    assert err.value.status == status
    assert isinstance(err.value, PacketDecodeError)


def test_responses_round_trip_and_typed_params() -> None:
    raw = bytes(hc.start_response(1040, 8))
    assert raw == bytes.fromhex("F0 02 00 1004 08")
    assert hc.Response.from_bytes(raw).start_result() == hc.StartResult(1040, 8, 1)
    assert hc.ControlResponse.from_bytes(raw).start_settings() == (104.0, 8)
    raw2 = bytes(hc.start_response(500, 4, 0x32))
    assert raw2 == bytes.fromhex("F0 02 00 F401 04 32")
    assert hc.Response.from_bytes(raw2).start_result() == hc.StartResult(500, 4, 0x32)
    st_raw = bytes(hc.status_response(hc.DeviceStatus(True, 12, 65535)))
    assert st_raw == bytes.fromhex("F0 05 00 01 0C000000 FFFF")
    assert hc.Response.from_bytes(st_raw).device_status() == hc.DeviceStatus(True, 12, 65535)
    ts = bytes(hc.time_sync_response(2**32 + 5))
    assert hc.Response.from_bytes(ts).device_time_us() == 5


def test_refusal_raises_device_error_and_mismatch_is_a_decode_error() -> None:
    refused = hc.Response.from_bytes(bytes((0xF0, 0x02, Status.INVALID_SAMPLE_RATE)))
    assert not refused.ok
    with pytest.raises(DeviceError, match="INVALID_SAMPLE_RATE"):
        refused.start_result()
    with pytest.raises(PacketDecodeError):
        hc.Response.from_bytes(bytes(hc.time_sync_response(1))).start_result()
    with pytest.raises(PacketDecodeError):
        hc.Response.from_bytes(bytes.fromhex("F0 02 00 1004")).start_result()  # params cut short
    with pytest.raises(PacketDecodeError):
        hc.StartRequest.from_bytes(bytes.fromhex("03 E803 08 00 6400"))  # not a START
    with pytest.raises(PacketDecodeError):
        hc.Response.from_bytes(bytes.fromhex("01 02 00"))
    with pytest.raises(PacketDecodeError):
        hc.Response.from_bytes(b"\xf0\x02")


def test_features_golden_and_via_get_caps() -> None:
    f = hc.Features(odr_dhz=(500, 1000, 2000), ranges_g=(2, 4, 8, 16), fmts=(1, 2), version=1, clock_res_us=1,
                    max_batch=38, gyro_ranges_dps=(250, 2000))
    golden = bytes.fromhex("0003 F401 E803 D007 0104 02040810 0202 0102 0301 01 0401 0100 0501 26 0602 FA00 D007")
    assert bytes(f) == golden
    assert hc.Features.from_bytes(golden) == f
    assert f.rates_hz == (50.0, 100.0, 200.0)
    resp = hc.Response.from_bytes(bytes(hc.caps_response(f)))
    assert resp.features() == f


@given(st.lists(st.integers(1, 65535), max_size=6), st.lists(st.sampled_from((0, 2, 4, 8, 16)), max_size=5),
       st.integers(0, 255), st.integers(0, 65535))
def test_features_round_trip(odr: list[int], rng: list[int], batch: int, res: int) -> None:
    f = hc.Features(odr_dhz=tuple(odr), ranges_g=tuple(rng), max_batch=batch, clock_res_us=res)
    assert hc.Features.from_bytes(bytes(f)) == f


def test_features_bad_input() -> None:
    with pytest.raises(PacketDecodeError):
        hc.Features.from_bytes(bytes.fromhex("0302 0101"))  # two protocol versions
    with pytest.raises(PacketDecodeError):
        hc.Features.from_bytes(bytes.fromhex("0003 F401"))  # three rates, one given
    # a newer device's unknown type ends the list; the entries before it are kept
    assert hc.Features.from_bytes(bytes.fromhex("0101 04 7F03 000000 0101 08")) == hc.Features(ranges_g=(4,))
