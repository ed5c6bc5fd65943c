"""recognise(): advertisement -> profile name."""

from __future__ import annotations

import pytest

from holdtrack.protocol import PROFILES
from holdtrack.protocol.recognise import normalise_uuid, recognise


@pytest.mark.parametrize(
    "name, services, mfr, expected",
    [
        ("Polar H10 A1B2C3D4", [], None, "polar-pmd"),
        ("Polar Sense 0A1B2C3D", [], None, "polar-pmd"),
        (None, ["0000180d-0000-1000-8000-00805f9b34fb"], {0x006B: b"\x33\x1c"}, "polar-pmd"),
        ("", ["FB005C80-02E7-F387-1CAD-8ACD2D8DF0C8"], None, "polar-pmd"),
        ("BBC micro:bit [zotuv]", [], None, "microbit"),
        (None, ["E95D0753-251D-470A-A062-FA1922DFA9A8"], None, "microbit"),
        ("WT901BLE68", [], None, "witmotion"),
        ("BWT901BLE5.0", [], None, "witmotion"),
        (None, ["0000FFE5-0000-1000-8000-00805F9A34FB"], None, "witmotion"),
        ("Thingy", [], None, "thingy52"),
        (None, ["ef680400-9b35-4933-9b10-52ffa9740042"], None, "thingy52"),
        ("HoldTrack-ESP32", [], None, "holdtrack"),
        ("anything", ["0f170001-34bd-42fe-a79a-2bbaadc70ace"], None, "holdtrack"),
        ("Galaxy Buds", ["180f"], {0x0075: b"\x01"}, None),
        (None, [], None, None),
        ("WTF phone", [], None, None),
        ("My Thingy", [], None, None),
    ],
)
def test_recognise(name: str | None, services: list[str], mfr: dict[int, bytes] | None,
                   expected: str | None) -> None:
    assert recognise(name, services, mfr) == expected


def test_service_beats_name() -> None:
    assert recognise("Polar H10 1", ["0f170001-34bd-42fe-a79a-2bbaadc70ace"]) == "holdtrack"


def test_every_profile_recognised_by_its_service() -> None:
    for p in PROFILES.values():
        assert recognise(None, [p.service_uuid.upper()]) == p.name


def test_normalise_uuid() -> None:
    assert normalise_uuid("0x180D") == "0000180d-0000-1000-8000-00805f9b34fb"
    assert normalise_uuid("0000180d") == "0000180d-0000-1000-8000-00805f9b34fb"
