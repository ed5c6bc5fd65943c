"""Shared control-point pieces: TLV lists, status names, float bits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from holdtrack.errors import PacketDecodeError
from holdtrack.protocol.cp import Status, bits_float, build_tlv, float_bits, parse_tlv, status_name

SIZES = {0: 2, 1: 1, 5: 4}


def test_tlv_golden_bytes() -> None:
    # type 0 (u16) x2 = 100, 520; type 1 (u8) x1 = 8
    data = bytes.fromhex("0002 6400 0802 0101 08")
    assert parse_tlv(data, SIZES) == {0: (100, 520), 1: (8,)}
    assert build_tlv({0: (100, 520), 1: (8,)}, SIZES) == data


@given(st.dictionaries(st.sampled_from(sorted(SIZES)), st.lists(st.integers(0, 255), max_size=5)))
def test_tlv_round_trip(entries: dict[int, list[int]]) -> None:
    data = build_tlv(entries, SIZES)
    assert parse_tlv(data, SIZES) == {k: tuple(v) for k, v in entries.items()}


@pytest.mark.parametrize(
    "data, offset",
    [(bytes.fromhex("00"), 0), (bytes.fromhex("0702 0000"), 0), (bytes.fromhex("0101 0800 03"), 4),
     (bytes.fromhex("0002 6400"), 1)],
)
def test_tlv_bad_input_names_the_offset(data: bytes, offset: int) -> None:
    with pytest.raises(PacketDecodeError) as err:
        parse_tlv(data, SIZES, base_offset=0)
    assert err.value.offset == offset


def test_stop_at_unknown_keeps_the_entries_before() -> None:
    assert parse_tlv(bytes.fromhex("0101 08 0701 00 0101 09"), SIZES, stop_at_unknown=True) == {1: (8,)}


def test_build_tlv_rejects_unknown_type() -> None:
    with pytest.raises(ValueError):
        build_tlv({9: (1,)}, SIZES)


def test_status_names_and_float_bits() -> None:
    assert status_name(9) == "INVALID_RANGE" == Status(9).name
    assert status_name(200) == "status 200"
    assert float_bits(1.0) == 0x3F800000
    assert bits_float(float_bits(2.44e-4)) == pytest.approx(2.44e-4, rel=1e-7)
