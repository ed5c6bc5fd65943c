"""Per-profile device configuration: what to write before subscribing, and how to stop streaming.

Each configurator drives the pure command builders of :mod:`holdtrack.protocol` over a connected
:class:`bleak.BleakClient`. ``start`` returns the settings the device actually applied (these go into
the session header and the decoder); ``stop`` asks the device to stop streaming before disconnecting.
"""

from __future__ import annotations

import asyncio
from typing import Any, Mapping, Protocol

from bleak import BleakClient

from holdtrack.errors import DeviceError, PacketDecodeError
from holdtrack.protocol import Profile, htp, htp_control

RESPONSE_TIMEOUT_S = 5.0


class Configurator(Protocol):
    """Start/stop streaming on one connected device."""

    async def start(self, client: BleakClient, settings: Mapping[str, Any]) -> dict[str, Any]: ...

    async def stop(self, client: BleakClient) -> None: ...


class NoConfiguration:
    """Profiles that stream as soon as notifications are enabled."""

    async def start(self, client: BleakClient, settings: Mapping[str, Any]) -> dict[str, Any]:
        return dict(settings)

    async def stop(self, client: BleakClient) -> None:
        return None


class HtpConfigurator:
    """HTP v1: START (rate, range) on the control point, wait for the indicated response; STOP at the end.

    A device without a control point (minimal firmware) streams on subscription with its defaults.
    """

    def __init__(self) -> None:
        self._responses: asyncio.Queue[bytes] = asyncio.Queue()
        self._has_control = False

    async def _request(self, client: BleakClient, request: bytes, opcode: int) -> htp_control.Response:
        await client.write_gatt_char(htp.CONTROL_UUID, request, response=True)
        deadline = asyncio.get_running_loop().time() + RESPONSE_TIMEOUT_S
        while True:
            left = deadline - asyncio.get_running_loop().time()
            try:
                raw = await asyncio.wait_for(self._responses.get(), max(left, 0.0))
            except asyncio.TimeoutError:
                raise DeviceError(f"no HTP control-point response to opcode 0x{opcode:02x} "
                                  f"within {RESPONSE_TIMEOUT_S:g} s", hint="check the device firmware") from None
            try:
                response = htp_control.Response.from_bytes(raw)
            except PacketDecodeError:
                continue  # not a response frame; keep waiting
            if response.opcode == opcode:
                return response

    async def start(self, client: BleakClient, settings: Mapping[str, Any]) -> dict[str, Any]:
        out = {**htp.PROFILE.default_settings, **settings}
        self._has_control = client.services.get_characteristic(htp.CONTROL_UUID) is not None
        if not self._has_control:
            return out
        await client.start_notify(htp.CONTROL_UUID, lambda _c, data: self._responses.put_nowait(bytes(data)))
        request = htp_control.start_request(float(out["rate_hz"]), int(out["range_g"]))
        response = await self._request(client, request, htp_control.Op.START)
        applied = response.start_result()  # raises DeviceError if the device refused
        out["rate_hz"], out["range_g"] = applied.rate_hz, applied.range_g
        return out

    async def stop(self, client: BleakClient) -> None:
        if not self._has_control or not client.is_connected:
            return
        try:
            await self._request(client, htp_control.stop_request(), htp_control.Op.STOP)
        except DeviceError:
            pass  # the device may have stopped already; we disconnect next anyway


def configurator_for(profile: Profile) -> Configurator:
    """A fresh configurator for ``profile`` (profiles without one stream on subscription)."""
    factories = {htp.PROFILE.name: HtpConfigurator}
    return factories.get(profile.name, NoConfiguration)()
