"""The firmware notes say what the code does: UUIDs in the sketches, byte examples in profile.md."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import numpy as np
import pytest

from holdtrack.protocol import htp, microbit
from holdtrack.protocol import htp_control as hc

NOTES = Path(__file__).resolve().parents[2] / "firmware_notes"


def text(rel: str) -> str:
    return (NOTES / rel).read_text(encoding="utf-8")


def spaced(data: bytes) -> str:
    return " ".join(f"{b:02X}" for b in data)


@pytest.fixture(scope="module")
def profile_md() -> str:
    return re.sub(r"\s+\|\s+", " ", text("profile.md"))  # "01 01 | 00 ..." -> "01 01 00 ..."


def test_esp32_sketch_uuids() -> None:
    ino = text("esp32_nimble/esp32_nimble.ino")
    for name, expected in [("SERVICE_UUID", htp.SERVICE_UUID), ("DATA_UUID", htp.DATA_UUID),
                           ("CONTROL_UUID", htp.CONTROL_UUID), ("FEATURES_UUID", htp.FEATURES_UUID)]:
        assert re.search(rf'{name} = "{expected}"', ino), name


def test_nrf_sketch_uuids() -> None:
    ino = text("nrf52840/nrf52840.ino")
    macro = re.search(r"#define HTP_UUID\(slot\) \{([^}]*)\}", ino)
    assert macro is not None
    parts = [p.strip() for p in macro.group(1).split(",")]
    for name, expected in [("SERVICE_UUID", htp.SERVICE_UUID), ("DATA_UUID", htp.DATA_UUID),
                           ("CONTROL_UUID", htp.CONTROL_UUID), ("FEATURES_UUID", htp.FEATURES_UUID)]:
        slot = re.search(rf"{name}\[16\] = HTP_UUID\((0x[0-9A-F]+)\)", ino)
        assert slot is not None, name
        lsb = bytes(int(slot.group(1) if p == "slot" else p, 16) for p in parts)
        assert str(uuid.UUID(bytes=lsb[::-1])) == expected


def test_microbit_readme_uuids() -> None:
    md = text("microbit/README.md").lower()
    for u in (microbit.SERVICE_UUID, microbit.DATA_UUID, microbit.PERIOD_UUID):
        assert u in md


def test_profile_data_examples(profile_md: str) -> None:
    acc = htp.HtpPacket(7, 1_000_000, 1000, 8, np.array([[0, 0, 4096], [10, -10, 4100]], dtype=np.int16))
    assert spaced(bytes(acc)) in profile_md
    gyro = htp.HtpPacket(65535, 2**32 - 1, 2000, 8, np.array([[0, 0, 4096]], dtype=np.int16),
                         gyro=np.array([[64, -64, 0]], dtype=np.int16), gyro_range_dps=500)
    assert spaced(bytes(gyro)) in profile_md
    assert all(u in profile_md for u in (htp.SERVICE_UUID, htp.DATA_UUID, htp.CONTROL_UUID, htp.FEATURES_UUID))


def test_profile_control_examples(profile_md: str) -> None:
    for data in (hc.start_request(100, 8), bytes(hc.start_response(1040, 8)), hc.start_request(50, 4, fmt=0x32),
                 bytes(hc.start_response(500, 4, 0x32)), bytes(hc.ControlResponse(hc.OP_START, hc.INVALID_RANGE)),
                 bytes(hc.ControlResponse(hc.OP_STOP)),
                 bytes(hc.status_response(hc.DeviceStatus(True, 12, 65535)))):
        assert f"`{spaced(data)}`" in profile_md, spaced(data)
    features = hc.Features((500, 1000, 2000), (2, 4, 8, 16), (1, 2), 1, 1, 38, (250, 2000))
    assert spaced(bytes(features)) in profile_md


def test_profile_n_max_numbers(profile_md: str) -> None:
    assert f"**{htp.max_samples(247)}** (acc) / **{htp.max_samples(247, htp.FMT_ACC_GYRO)}** (acc + gyro) at MTU 247" \
        in profile_md
    assert f"{htp.max_samples(185)} at MTU 185" in profile_md
