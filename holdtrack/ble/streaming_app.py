"""Base of the simulated wearables: a device clock, a sampling schedule, loss injection, a send log.

A subclass provides the GATT objects, the packet encoding (:meth:`StreamingDevice.encode`) and the
settings (:attr:`rate_hz`, :meth:`batch_size`); this class samples the signal on an absolute schedule
on the device clock, sends one notification per batch on :attr:`data` while it is subscribed, and logs
every packet (delivered or dropped) in :attr:`sent` so tests can compare with what arrived.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.typing import NDArray

from holdtrack.ble.gatt_app import GattCharacteristic, PeripheralApp
from holdtrack.model import G0

SignalFn = Callable[[NDArray[np.float64]], NDArray[np.float64]]


def steady_signal(t_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """A steady hold: gravity on +z, 8 Hz tremor and a slow sway; (n,) times in s -> (n, 3) m/s²."""
    t = np.asarray(t_s, dtype=np.float64)
    acc = np.zeros((t.size, 3))
    acc[:, 0] = 0.06 * np.sin(2 * np.pi * 8.0 * t) + 0.04 * np.sin(2 * np.pi * 0.3 * t)
    acc[:, 1] = 0.05 * np.sin(2 * np.pi * 5.0 * t + 1.0)
    acc[:, 2] = G0
    return acc


@dataclass(frozen=True)
class SentPacket:
    """One notification the device produced.

    Attributes
    ----------
    seq : running packet number on the device (the profile may send it modulo something, or not at all)
    t_us : (n,) device clock of each sample, µs, not wrapped
    samples : (n, 3) the values as encoded (profile units: counts, mG, ...; integer or float)
    payload : the bytes
    delivered : False when dropped by injected loss
    sent_monotonic_s : host monotonic time of sending, s
    """

    seq: int
    t_us: NDArray[np.int64]
    samples: np.ndarray
    payload: bytes
    delivered: bool
    sent_monotonic_s: float

    @property
    def t0_us(self) -> int:
        """First sample's device time, µs, modulo 2**32 (as HTP sends it)."""
        return int(self.t_us[0]) % (1 << 32)


class StreamingDevice(PeripheralApp):
    """A simulated sensor; subclasses set :attr:`data` and implement :meth:`encode`.

    Parameters
    ----------
    adapter, root : see :class:`~holdtrack.ble.gatt_app.PeripheralApp`
    signal : maps device times (s) to acceleration (m/s²), (n,) -> (n, 3)
    loss : probability of dropping each packet
    seed : seeds loss injection
    clock_offset_us : device clock at start, µs
    monotonic : the time source, s
    """

    data: GattCharacteristic

    def __init__(self, adapter: str, root: str, signal: SignalFn = steady_signal, loss: float = 0.0,
                 seed: int = 0, clock_offset_us: int = 0, monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__(adapter, root=root)
        self.signal = signal
        self.loss = loss
        self._rng = random.Random(seed)
        self._monotonic = monotonic
        self._boot_s = monotonic()
        self.clock_offset_us = clock_offset_us
        self.seq = 0
        self.streaming = False
        self.sent: list[SentPacket] = []
        self.commands: list[bytes] = []
        self._task: asyncio.Task[None] | None = None

    # -- to implement ----------------------------------------------------------------------------
    @property
    def rate_hz(self) -> float:
        raise NotImplementedError

    def batch_size(self) -> int:
        """Samples per notification."""
        return 1

    def encode(self, t_us: NDArray[np.int64], acc_mps2: NDArray[np.float64]) -> tuple[bytes, NDArray[np.int64]]:
        """One notification for samples at device times ``t_us``: (payload, values as encoded)."""
        raise NotImplementedError

    # -- clock and schedule ----------------------------------------------------------------------
    def device_time_us(self) -> int:
        """Free-running device clock, µs (not wrapped)."""
        return int(round((self._monotonic() - self._boot_s) * 1e6)) + self.clock_offset_us

    def set_streaming(self, on: bool) -> None:
        """Start (or restart, with the current settings) or stop the sampling schedule."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if on:
            self._task = asyncio.get_running_loop().create_task(self._stream())
        self.streaming = on

    async def _stream(self) -> None:
        """Emit one batch per ``n / rate`` s on an absolute schedule while :attr:`data` is subscribed."""
        await self.data.subscribed.wait()
        rate, n = self.rate_hz, self.batch_size()
        start_s = self._monotonic()
        first_us = self.device_time_us()
        k = 0
        while self.data.notifying:
            t_us = first_us + np.round(np.arange(k * n, (k + 1) * n) / rate * 1e6).astype(np.int64)
            due = start_s + (k + 1) * n / rate  # when the batch's last sample has been taken
            await asyncio.sleep(max(0.0, due - self._monotonic()))  # always yield to the loop
            self.emit(t_us, self.signal(t_us * 1e-6))
            k += 1

    def emit(self, t_us: NDArray[np.int64], acc_mps2: NDArray[np.float64]) -> SentPacket:
        """Encode and send one notification (unless injected loss drops it); log it."""
        payload, values = self.encode(t_us, acc_mps2)
        delivered = not (self.loss > 0 and self._rng.random() < self.loss)
        if delivered:
            self.send_raw(payload)
        record = SentPacket(self.seq, t_us, values, payload, delivered, self._monotonic())
        self.sent.append(record)
        self.seq += 1
        return record

    def send_raw(self, payload: bytes) -> None:
        """Send bytes as they are on the data characteristic (also for malformed-packet tests)."""
        self.data.notify(payload)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        await super().stop()
