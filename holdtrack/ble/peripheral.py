"""A simulated HTP wearable: a BlueZ GATT peripheral application streaming a simulated session.

Used by ``holdtrack simulate-device`` (on a real ``bluetoothd``) and by the BLE tests (on bluezoo). It
implements HTP v1 as a firmware would: a data characteristic (notify) carrying batched packets with a
sequence number and a µs device clock, a control point (write + indicate) with START/STOP, and a
features characteristic. Packet loss can be injected (the sequence number still advances), and raw bytes
can be sent to exercise the client's bad-packet handling. Every packet is logged in :attr:`sent`.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.typing import NDArray

from holdtrack.ble.gatt_app import Advertisement, GattCharacteristic, GattService, PeripheralApp
from holdtrack.model import G0
from holdtrack.protocol import htp
from holdtrack.protocol import htp_control as cp
from holdtrack.protocol.cp import Status

SignalFn = Callable[[NDArray[np.float64]], NDArray[np.float64]]
MAX_BATCH = 38  # (MTU 247 - 3 - 12) // 6
SUPPORTED_RANGES = (2, 4, 8, 16)


def steady_signal(t_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """A steady hold: gravity on +z, 8 Hz tremor and a slow sway; (n,) times in s -> (n, 3) m/s²."""
    t = np.asarray(t_s, dtype=np.float64)
    acc = np.zeros((t.size, 3))
    acc[:, 0] = 0.06 * np.sin(2 * np.pi * 8.0 * t) + 0.04 * np.sin(2 * np.pi * 0.3 * t)
    acc[:, 1] = 0.05 * np.sin(2 * np.pi * 5.0 * t + 1.0)
    acc[:, 2] = G0
    return acc


def scenario_signal(scenario: str = "plank", seed: int = 0, rate_hz: float = 200.0) -> SignalFn:
    """A simulated session (:func:`holdtrack.sim.simulate_session`) played in a loop.

    Returns a function mapping device times (s) to the session's acceleration (m/s², nearest sample at
    ``rate_hz``), so any rate a client asks for can be served.
    """
    from holdtrack.sim import simulate_session

    sim = simulate_session(scenario, seed=seed, rate_hz=rate_hz, packets=False)
    acc = sim.signal.acc_mps2

    def signal(t_s: NDArray[np.float64]) -> NDArray[np.float64]:
        idx = np.rint(np.asarray(t_s) * rate_hz).astype(np.int64) % acc.shape[0]
        return acc[idx]

    return signal


@dataclass(frozen=True)
class SentPacket:
    """What the simulated device produced for one packet (``delivered`` False = injected loss)."""

    seq: int
    t0_us: int
    odr_dhz: int
    range_g: int
    samples: NDArray[np.int16]
    delivered: bool
    sent_monotonic_s: float


class HtpPeripheral(PeripheralApp):
    """Simulated HTP device.

    Parameters
    ----------
    adapter : BlueZ adapter to serve on (``hci0`` or an object path)
    name : advertised local name
    rate_hz, range_g : settings used until a START request changes them
    loss : probability of dropping each packet (sequence number still advances)
    signal : maps sample times (s, device clock) to acceleration (m/s²), e.g. :func:`scenario_signal`
    seed : random seed for loss injection
    clock_offset_us : initial device clock reading, µs (to exercise the u32 wrap)
    monotonic : the time source (s), injectable for tests
    """

    def __init__(
        self,
        adapter: str = "hci0",
        name: str = "HoldTrack-Sim",
        rate_hz: float = 100.0,
        range_g: int = 8,
        loss: float = 0.0,
        signal: SignalFn = steady_signal,
        seed: int = 0,
        clock_offset_us: int = 0,
        max_latency_ms: int = 100,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(adapter, root="/org/holdtrack/htp")
        self.odr_dhz = int(round(rate_hz * 10))
        self.range_g = range_g
        self.max_batch = 0
        self.max_latency_ms = max_latency_ms
        self.loss = loss
        self.signal = signal
        self._rng = random.Random(seed)
        self._monotonic = monotonic
        self._boot_s = monotonic()
        self.clock_offset_us = clock_offset_us
        self.seq = 0
        self.streaming = False
        self.sent: list[SentPacket] = []
        self.commands: list[bytes] = []
        self._task: asyncio.Task[None] | None = None
        svc = GattService(f"{self.root}/service0", htp.SERVICE_UUID)
        self.data = GattCharacteristic(f"{svc.path}/char0", htp.DATA_UUID, svc, ["notify"],
                                       on_subscribe=self._on_data_subscribe)
        self.control = GattCharacteristic(f"{svc.path}/char1", htp.CONTROL_UUID, svc,
                                          ["write", "indicate"], on_write=self._on_control)
        features = bytes(cp.Features(odr_dhz=(125, 250, 500, 1000, 2000), ranges_g=SUPPORTED_RANGES,
                                     max_batch=MAX_BATCH))
        self.features = GattCharacteristic(f"{svc.path}/char2", htp.FEATURES_UUID, svc, ["read"],
                                           value=features)
        self.objects = [svc, self.data, self.control, self.features]
        self.advertisement = Advertisement("/org/holdtrack/adv0", name, [htp.SERVICE_UUID], tx_power=-8)

    # -- device clock ------------------------------------------------------------------------
    def device_time_us(self) -> int:
        """Free-running device clock, µs (not wrapped; packets carry it modulo 2**32)."""
        return int(round((self._monotonic() - self._boot_s) * 1e6)) + self.clock_offset_us

    @property
    def rate_hz(self) -> float:
        return self.odr_dhz / 10.0

    def batch_size(self) -> int:
        """Samples per notification: the START batch limit, else the latency budget (≤ 38)."""
        if self.max_batch:
            return min(self.max_batch, MAX_BATCH)
        return max(1, min(MAX_BATCH, int(self.rate_hz * self.max_latency_ms / 1000)))

    # -- GATT callbacks ------------------------------------------------------------------------
    def _on_control(self, data: bytes) -> None:
        self.commands.append(data)
        try:
            req = cp.Request.from_bytes(data)
        except cp.RequestError as exc:
            return self._respond(bytes(cp.Response(data[0] if data else 0, exc.status)))
        if req.opcode is cp.Op.START:
            p = req.start
            assert p is not None
            if p.range_g not in SUPPORTED_RANGES or p.fmt != htp.FMT_ACC:
                return self._respond(bytes(cp.Response(req.opcode, Status.INVALID_RANGE
                                                       if p.range_g not in SUPPORTED_RANGES
                                                       else Status.NOT_SUPPORTED)))
            if not 10 <= p.odr_dhz <= 16000:
                return self._respond(bytes(cp.Response(req.opcode, Status.INVALID_SAMPLE_RATE)))
            self.odr_dhz, self.range_g = p.odr_dhz, p.range_g
            self.max_batch, self.max_latency_ms = p.max_batch, p.max_latency_ms or 100
            self._respond(cp.start_response(cp.StartResult(self.odr_dhz, self.range_g)))
            self._set_streaming(True)
        elif req.opcode is cp.Op.STOP:
            self._respond(bytes(cp.Response(req.opcode)))
            self._set_streaming(False)
        elif req.opcode is cp.Op.GET_STATUS:
            self._respond(cp.status_response(cp.DeviceStatus(self.streaming, 0, self.seq % htp.SEQ_MODULUS)))
        elif req.opcode is cp.Op.GET_CAPS:
            self._respond(bytes(cp.Response(req.opcode, Status.SUCCESS, self.features.value)))
        else:  # TIME_SYNC
            self._respond(cp.time_sync_response(self.device_time_us()))

    def _respond(self, response: bytes) -> None:
        if self.control.notifying:
            self.control.notify(response)

    def _on_data_subscribe(self, on: bool) -> None:
        # Like minimal firmware: enabling notifications starts streaming with the current settings.
        self._set_streaming(on)

    def _set_streaming(self, on: bool) -> None:
        if self._task is not None:
            self._task.cancel()  # (re)start the schedule with the current settings
            self._task = None
        if on:
            self._task = asyncio.get_running_loop().create_task(self._stream())
        self.streaming = on

    # -- streaming -----------------------------------------------------------------------------
    async def _stream(self) -> None:
        """Emit packets on an absolute schedule, one batch per ``n / rate`` seconds, while subscribed."""
        await self.data.subscribed.wait()
        rate, n = self.rate_hz, self.batch_size()
        start_s = self._monotonic()
        first_us = self.device_time_us()
        k = 0
        while self.data.notifying:
            t_us = first_us + np.round(np.arange(k * n, (k + 1) * n) / rate * 1e6).astype(np.int64)
            due = start_s + (k + 1) * n / rate  # when the batch's last sample has been taken
            await asyncio.sleep(max(0.0, due - self._monotonic()))  # always yield to the loop
            self.emit_samples(int(t_us[0]), self.signal(t_us * 1e-6))
            k += 1

    def emit_samples(self, t0_us: int, acc_mps2: NDArray[np.float64]) -> SentPacket:
        """Quantise ``acc_mps2`` (n, 3) into one packet stamped ``t0_us``; send it unless lost."""
        counts = htp.counts_from_mps2(acc_mps2, self.range_g)
        pkt = htp.HtpPacket(self.seq, t0_us, self.odr_dhz, self.range_g, counts)
        delivered = not (self.loss > 0 and self._rng.random() < self.loss)
        if delivered:
            self.data.notify(bytes(pkt))
        record = SentPacket(self.seq % htp.SEQ_MODULUS, t0_us % (1 << 32), self.odr_dhz, self.range_g,
                            counts, delivered, self._monotonic())
        self.sent.append(record)
        self.seq += 1
        return record

    def send_raw(self, payload: bytes) -> None:
        """Send arbitrary bytes on the data characteristic (malformed-packet tests)."""
        self.data.notify(payload)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        await super().stop()
