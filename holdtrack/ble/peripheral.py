"""A simulated HTP wearable: a BlueZ GATT peripheral application streaming a simulated session.

Used by ``holdtrack simulate-device`` (on a real ``bluetoothd``) and by the BLE tests (on bluezoo). It
implements HTP v1 as a firmware would: a data characteristic (notify) carrying batched packets with a
sequence number and a µs device clock, a control point (write + indicate) with START/STOP, and a
features characteristic. Packet loss can be injected (the sequence number still advances), and raw bytes
can be sent to exercise the client's bad-packet handling. Every packet is logged in :attr:`sent`.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
from numpy.typing import NDArray

from holdtrack.ble.gatt_app import Advertisement, GattCharacteristic, GattService
from holdtrack.ble.streaming_app import SignalFn, StreamingDevice, steady_signal
from holdtrack.protocol import htp
from holdtrack.protocol import htp_control as cp
from holdtrack.protocol.cp import Status

MAX_BATCH = 38  # (MTU 247 - 3 - 12) // 6
SUPPORTED_RANGES = (2, 4, 8, 16)


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


class HtpPeripheral(StreamingDevice):
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
        super().__init__(adapter, "/org/holdtrack/htp", signal, loss, seed, clock_offset_us, monotonic)
        self.odr_dhz = int(round(rate_hz * 10))
        self.range_g = range_g
        self.max_batch = 0
        self.max_latency_ms = max_latency_ms
        svc = GattService(f"{self.root}/service0", htp.SERVICE_UUID)
        self.data = GattCharacteristic(f"{svc.path}/char0", htp.DATA_UUID, svc, ["notify"],
                                       on_subscribe=self._on_data_subscribe)
        self.control = GattCharacteristic(f"{svc.path}/char1", htp.CONTROL_UUID, svc,
                                          ["write", "indicate"], on_write=self._on_control)
        self.capabilities = cp.Features(odr_dhz=(125, 250, 500, 1000, 2000), ranges_g=SUPPORTED_RANGES,
                                        max_batch=MAX_BATCH)
        self.features = GattCharacteristic(f"{svc.path}/char2", htp.FEATURES_UUID, svc, ["read"],
                                           value=bytes(self.capabilities))
        self.objects = [svc, self.data, self.control, self.features]
        self.advertisement = Advertisement("/org/holdtrack/adv0", name, [htp.SERVICE_UUID], tx_power=-8)

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
            return self._respond(cp.Response(data[0] if data else 0, exc.status))
        if req.opcode is cp.Op.START:
            p = req.start
            assert p is not None
            refusal = (Status.NOT_SUPPORTED if p.fmt != htp.FMT_ACC else
                       Status.INVALID_RANGE if p.range_g not in SUPPORTED_RANGES else
                       Status.INVALID_SAMPLE_RATE if not 10 <= p.odr_dhz <= 16000 else None)
            if refusal is not None:
                return self._respond(cp.Response(req.opcode, refusal))
            self.odr_dhz, self.range_g = p.odr_dhz, p.range_g
            self.max_batch, self.max_latency_ms = p.max_batch, p.max_latency_ms or 100
            self._respond(cp.start_response(self.odr_dhz, self.range_g))
            self.set_streaming(True)
        elif req.opcode is cp.Op.STOP:
            self._respond(cp.Response(req.opcode))
            self.set_streaming(False)
        elif req.opcode is cp.Op.GET_STATUS:
            self._respond(cp.status_response(cp.DeviceStatus(self.streaming, 0, self.seq % htp.SEQ_MODULUS)))
        elif req.opcode is cp.Op.GET_CAPS:
            self._respond(cp.caps_response(self.capabilities))
        else:  # TIME_SYNC
            self._respond(cp.time_sync_response(self.device_time_us()))

    def _respond(self, response: cp.Response) -> None:
        if self.control.notifying:
            self.control.notify(bytes(response))

    def _on_data_subscribe(self, on: bool) -> None:
        # Like minimal firmware: enabling notifications starts streaming with the current settings.
        self.set_streaming(on)

    def encode(self, t_us: NDArray[np.int64], acc_mps2: NDArray[np.float64]) -> tuple[bytes, NDArray[np.int64]]:
        """One HTP packet: counts at the current range, first-sample time modulo 2**32."""
        counts = htp.counts_from_mps2(acc_mps2, self.range_g)
        pkt = htp.HtpPacket(self.seq % htp.SEQ_MODULUS, int(t_us[0]) % (1 << 32), self.odr_dhz, self.range_g, counts)
        return bytes(pkt), counts.astype(np.int64)
