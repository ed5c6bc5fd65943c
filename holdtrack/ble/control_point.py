"""Request/response over a control-point characteristic (write, then wait for the indicated answer)."""

from __future__ import annotations

import asyncio
from typing import Callable, Generic, TypeVar

from bleak import BleakClient

from holdtrack.errors import DeviceError, PacketDecodeError

R = TypeVar("R")
RESPONSE_TIMEOUT_S = 5.0


class ControlPoint(Generic[R]):
    """Subscribe to ``uuid``'s indications and pair each written request with its response.

    Parameters
    ----------
    uuid : the control-point characteristic
    parse : turns one indication into a response, or None while a multi-part answer is incomplete;
        :class:`PacketDecodeError` (not a response) is ignored
    timeout_s : how long to wait for an answer
    """

    def __init__(self, uuid: str, parse: Callable[[bytes], R | None], timeout_s: float = RESPONSE_TIMEOUT_S) -> None:
        self.uuid = uuid
        self._parse = parse
        self._timeout_s = timeout_s
        self._answers: asyncio.Queue[bytes] = asyncio.Queue()

    async def subscribe(self, client: BleakClient) -> None:
        await client.start_notify(self.uuid, lambda _c, data: self._answers.put_nowait(bytes(data)))

    async def request(self, client: BleakClient, payload: bytes, matches: Callable[[R], bool], what: str) -> R:
        """Write ``payload`` (with response) and return the first parsed answer that ``matches``."""
        await client.write_gatt_char(self.uuid, payload, response=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout_s
        while True:
            try:
                raw = await asyncio.wait_for(self._answers.get(), max(deadline - loop.time(), 0.0))
            except asyncio.TimeoutError:
                raise DeviceError(f"no control-point answer to {what} within {self._timeout_s:g} s",
                                  hint="check the device firmware and that nothing else is connected") from None
            try:
                answer = self._parse(raw)
            except PacketDecodeError:
                continue  # not an answer (e.g. an unsolicited push); keep waiting
            if answer is not None and matches(answer):
                return answer
