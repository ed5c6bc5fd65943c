"""Simulated Polar PMD, micro:bit, WitMotion and Thingy:52 sensors as BlueZ GATT applications.

Each encodes with the pure encoders of :mod:`holdtrack.protocol` and behaves like the real firmware
where the client can notice: Polar streams only after START and answers the control point (with a
two-part settings answer and FACTOR in the START answer); the micro:bit snaps the period and writes back
the one it uses; WitMotion takes a rate register write and can split frames across notifications;
the Thingy keeps its motion config. Every notification is logged in ``sent`` (see
:class:`holdtrack.ble.streaming_app.SentPacket`), every control write in ``commands``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from holdtrack.ble.gatt_app import Advertisement, GattCharacteristic, GattService
from holdtrack.ble.streaming_app import StreamingDevice
from holdtrack.model import G0
from holdtrack.protocol import microbit, polar_pmd, thingy52, witmotion
from holdtrack.protocol.cp import Status

PMD = polar_pmd
ACC = PMD.MeasurementType.ACC
PMD_BASE_NS = 599_616_000_000_000_000  # an H10 that reset its clock to 2019-01-01


class _Fake(StreamingDevice):
    """Common set-up: one service, a data characteristic, an advertisement."""

    def __init__(self, adapter: str, name: str, service_uuid: str, data_uuid: str, data_flags: list[str],
                 rate_hz: float, stream_on_subscribe: bool = True, manufacturer_data: dict[int, bytes] | None = None,
                 **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(adapter, "/org/holdtrack/fake", **kwargs)
        self._rate_hz = float(rate_hz)
        self.service = GattService(f"{self.root}/service0", service_uuid)
        self.data = GattCharacteristic(f"{self.service.path}/char0", data_uuid, self.service, data_flags,
                                       on_subscribe=self._on_subscribe if stream_on_subscribe else None)
        self.objects = [self.service, self.data]
        self.advertisement = Advertisement("/org/holdtrack/fakeadv", name, [service_uuid], manufacturer_data)

    def add_char(self, uuid: str, flags: list[str], **kwargs) -> GattCharacteristic:  # type: ignore[no-untyped-def]
        char = GattCharacteristic(f"{self.service.path}/char{len(self.objects) - 1}", uuid, self.service, flags,
                                  **kwargs)
        self.objects.append(char)
        return char

    def _on_subscribe(self, on: bool) -> None:
        self.set_streaming(on)

    @property
    def rate_hz(self) -> float:
        return self._rate_hz


class FakePolar(_Fake):
    """Polar PMD ACC: raw int16 mG frames (``0x01``, H10) or delta-compressed ones (``0x81``, Verity)."""

    SETTINGS = {PMD.Setting.SAMPLE_RATE: (25, 50, 100, 200), PMD.Setting.RESOLUTION: (16,),
                PMD.Setting.RANGE: (2, 4, 8)}

    def __init__(self, adapter: str = "hci1", name: str = "Polar H10 1A2B3C4D", frame_type: int = 0x01,
                 factor: float = 1.0, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(adapter, name, PMD.SERVICE_UUID, PMD.DATA_UUID, ["notify"], 200.0,
                         stream_on_subscribe=False, manufacturer_data={PMD.POLAR_COMPANY_ID: b"\x00"}, **kwargs)
        self.frame_type, self.factor, self.range_g = frame_type, factor, 8
        self.control = self.add_char(PMD.CONTROL_UUID, ["read", "write", "indicate"], on_write=self._on_control,
                                     on_read=lambda: PMD.features_bytes([ACC]))

    def batch_size(self) -> int:
        return max(1, min(36, int(self.rate_hz / 10)))  # (MTU 232 - 3 - 10) // 6 samples fit

    def _answer(self, payload: bytes) -> None:
        if self.control.notifying:
            self.control.notify(payload)

    def _on_control(self, data: bytes) -> None:
        self.commands.append(data)
        op, mtype = data[0], data[1] & 0x3F if len(data) > 1 else 0
        if mtype != ACC:
            return self._answer(bytes(PMD.PmdResponse(op, mtype, Status.INVALID_MEASUREMENT_TYPE)))
        if op == PMD.PmdOp.GET_MEASUREMENT_SETTINGS:  # answered in two parts ("more" flag)
            tlv = PMD.encode_settings(self.SETTINGS)
            cut = len(tlv) // 2
            self._answer(bytes(PMD.PmdResponse(op, ACC, Status.SUCCESS, True, tlv[:cut])))
            self._answer(bytes(PMD.PmdResponse(op, ACC, Status.SUCCESS, False, tlv[cut:])))
        elif op == PMD.PmdOp.REQUEST_MEASUREMENT_START:
            asked = PMD.parse_settings(data[2:])
            rate = asked.get(PMD.Setting.SAMPLE_RATE, (0,))[0]
            rng = asked.get(PMD.Setting.RANGE, (8,))[0]
            if rate not in self.SETTINGS[PMD.Setting.SAMPLE_RATE]:
                return self._answer(PMD.start_response(ACC, status=Status.INVALID_SAMPLE_RATE))
            if rng not in self.SETTINGS[PMD.Setting.RANGE]:
                return self._answer(PMD.start_response(ACC, status=Status.INVALID_RANGE))
            self._rate_hz, self.range_g = float(rate), rng
            self._answer(PMD.start_response(ACC, factor=self.factor if self.frame_type & 0x80 else None))
            self.set_streaming(True)
        elif op == PMD.PmdOp.STOP_MEASUREMENT:
            self._answer(bytes(PMD.PmdResponse(op, ACC)))
            self.set_streaming(False)
        else:
            self._answer(bytes(PMD.PmdResponse(op, ACC, Status.INVALID_OP_CODE)))

    def encode(self, t_us: NDArray[np.int64], acc_mps2: NDArray[np.float64]) -> tuple[bytes, NDArray[np.int64]]:
        lim = self.range_g * 1000
        mg = np.clip(np.rint(acc_mps2 / G0 * 1000), -lim, lim)
        if self.frame_type & 0x80:
            mg = np.rint(mg / self.factor) * self.factor  # what the compressed counts can represent
        ts = PMD_BASE_NS + int(t_us[-1]) * 1000  # the frame stamps its LAST sample
        return PMD.acc_frame(mg, ts, self.frame_type, self.factor), mg


class FakeMicrobit(_Fake):
    """micro:bit accelerometer service: one <hhh mG sample per notification, no timestamp."""

    def __init__(self, adapter: str = "hci1", name: str = "BBC micro:bit [zitip]", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(adapter, name, microbit.SERVICE_UUID, microbit.DATA_UUID, ["read", "notify"], 50.0,
                         **kwargs)
        self.period = self.add_char(microbit.PERIOD_UUID, ["read", "write"], on_write=self._on_period,
                                    value=microbit.period_request(20))

    def _on_period(self, data: bytes) -> None:
        self.commands.append(data)
        snapped = microbit.snap_period(microbit.parse_period(data))
        self.period.value = microbit.period_request(snapped)  # the device writes back what it uses
        self._rate_hz = 1000.0 / snapped

    def encode(self, t_us: NDArray[np.int64], acc_mps2: NDArray[np.float64]) -> tuple[bytes, NDArray[np.int64]]:
        mg = np.rint(acc_mps2[0] / G0 * 1000).astype(np.int64)
        return microbit.encode_sample(*map(int, mg)), mg.reshape(1, 3)


class FakeWitmotion(_Fake):
    """WT901BLE: 20-byte ``55 61`` frames; ``chunk`` splits each frame over several notifications."""

    def __init__(self, adapter: str = "hci1", name: str = "WT901BLE68", chunk: int = 20, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(adapter, name, witmotion.SERVICE_UUID, witmotion.NOTIFY_UUID, ["notify"], 10.0, **kwargs)
        self.chunk = chunk
        self.write = self.add_char(witmotion.WRITE_UUID, ["write-without-response", "write"],
                                   on_write=self._on_write)
        self._codes = {v: k for k, v in witmotion.RATE_CODES.items()}

    def _on_write(self, data: bytes) -> None:
        self.commands.append(data)
        if len(data) == 5 and data[:3] == bytes((0xFF, 0xAA, witmotion.REG_RATE)) and data[3] in self._codes:
            self._rate_hz = float(self._codes[data[3]])
            if self.streaming:
                self.set_streaming(True)  # new rate from the next sample on

    def encode(self, t_us: NDArray[np.int64], acc_mps2: NDArray[np.float64]) -> tuple[bytes, NDArray[np.int64]]:
        frame = witmotion.WitFrame.from_units(acc_mps2[0] / G0, np.zeros(3))
        return bytes(frame), np.array(frame.acc, dtype=np.int64).reshape(1, 3)

    def send_raw(self, payload: bytes) -> None:
        for i in range(0, len(payload), self.chunk):
            self.data.notify(payload[i:i + self.chunk])


class FakeThingy(_Fake):
    """Thingy:52 motion service: raw 18-byte acc/gyro/compass notifications at ``motion_freq_hz``."""

    def __init__(self, adapter: str = "hci1", name: str = "Thingy", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(adapter, name, thingy52.SERVICE_UUID, thingy52.RAW_UUID, ["notify"], 10.0, **kwargs)
        self.config = self.add_char(thingy52.CONFIG_UUID, ["read", "write"], on_write=self._on_config,
                                    value=bytes(thingy52.MotionConfig()))

    def _on_config(self, data: bytes) -> None:
        self.commands.append(data)
        cfg = thingy52.MotionConfig.from_bytes(data)
        self.config.value = bytes(cfg)
        self._rate_hz = float(cfg.motion_freq_hz)

    def encode(self, t_us: NDArray[np.int64], acc_mps2: NDArray[np.float64]) -> tuple[bytes, NDArray[np.int64]]:
        raw = thingy52.RawSample.from_units(acc_mps2[0] / G0, np.zeros(3))
        return bytes(raw), np.array(raw.acc, dtype=np.int64).reshape(1, 3)
