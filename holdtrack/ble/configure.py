"""Per-profile device configuration: what to write before subscribing, and how to stop streaming.

Each configurator drives the pure command builders of :mod:`holdtrack.protocol` over a connected
:class:`bleak.BleakClient`. ``start`` returns the settings the device actually applied (these go into
the session header and the decoder); ``stop`` asks the device to stop streaming before disconnecting.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol

from bleak import BleakClient

from holdtrack.ble.control_point import ControlPoint
from holdtrack.errors import ConfigError, DeviceError
from holdtrack.protocol import Profile, htp, htp_control, microbit, polar_pmd, thingy52, witmotion


class Configurator(Protocol):
    """Start/stop streaming on one connected device."""

    async def start(self, client: BleakClient, settings: Mapping[str, Any]) -> dict[str, Any]: ...

    async def stop(self, client: BleakClient) -> None: ...


def _has(client: BleakClient, uuid: str) -> bool:
    return client.services.get_characteristic(uuid) is not None


class HtpConfigurator:
    """HTP v1: START (rate, range, ``max_latency_ms`` batching budget) on the control point; STOP at the end.

    A device without a control point (minimal firmware) streams on subscription with its defaults.
    """

    def __init__(self) -> None:
        self._cp: ControlPoint[htp_control.Response] = ControlPoint(htp.CONTROL_UUID, htp_control.Response.from_bytes)
        self._active = False

    async def start(self, client: BleakClient, settings: Mapping[str, Any]) -> dict[str, Any]:
        out = {**htp.PROFILE.default_settings, **settings}
        if not _has(client, htp.CONTROL_UUID):
            return out
        await self._cp.subscribe(client)
        self._active = True
        try:
            request = htp_control.start_request(float(out["rate_hz"]), int(out["range_g"]),
                                                max_latency_ms=int(out.get("max_latency_ms", 100)))
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        answer = await self._cp.request(client, request, lambda r: r.opcode == htp_control.Op.START, "START")
        applied = answer.start_result()  # raises DeviceError if the device refused
        out["rate_hz"], out["range_g"] = applied.rate_hz, applied.range_g
        return out

    async def stop(self, client: BleakClient) -> None:
        if self._active and client.is_connected:
            await self._cp.request(client, htp_control.stop_request(), lambda r: r.opcode == htp_control.Op.STOP,
                                   "STOP")


class PolarConfigurator:
    """Polar PMD ACC: feature read, settings query, START with the chosen rate/range, STOP at the end.

    The device needs an ATT MTU of at least 232 (it answers INVALID_MTU otherwise); BlueZ negotiates the
    MTU itself on connect, and bleak cannot report it (``mtu_size`` is always 23 there). The START answer
    may carry FACTOR (Verity Sense compressed frames); it is returned in the settings for the decoder.
    """

    ACC = polar_pmd.MeasurementType.ACC

    def __init__(self) -> None:
        self._assembler = polar_pmd.ResponseAssembler()
        self._cp: ControlPoint[polar_pmd.PmdResponse] = ControlPoint(polar_pmd.CONTROL_UUID, self._assembler.feed)
        self._active = False

    def _for(self, op: int) -> Any:
        return lambda r: r.opcode == op and r.mtype & 0x3F == self.ACC

    async def start(self, client: BleakClient, settings: Mapping[str, Any]) -> dict[str, Any]:
        out = {**polar_pmd.PROFILE.default_settings, **settings}
        await self._cp.subscribe(client)
        self._active = True
        features = polar_pmd.parse_features(bytes(await client.read_gatt_char(polar_pmd.CONTROL_UUID)))
        if self.ACC not in features:
            raise DeviceError("this Polar device offers no accelerometer stream",
                              hint="H10, Verity Sense and OH1 do; update the firmware")
        answer = await self._cp.request(client, polar_pmd.get_settings_request(self.ACC),
                                        self._for(polar_pmd.PmdOp.GET_MEASUREMENT_SETTINGS), "GET_SETTINGS")
        answer.raise_for_status()
        offered = answer.settings()
        rate, rng = int(round(float(out["rate_hz"]))), int(out["range_g"])
        for key, value, name in ((polar_pmd.Setting.SAMPLE_RATE, rate, "rate"),
                                 (polar_pmd.Setting.RANGE, rng, "range")):
            if key in offered and value not in offered[key]:
                raise ConfigError(f"Polar ACC {name} {value} not offered; choose one of {list(offered[key])}")
        channels = 3 if polar_pmd.Setting.CHANNELS in offered else None
        request = polar_pmd.start_request(self.ACC, rate, int(out["resolution"]), rng, channels)
        answer = await self._cp.request(client, request, self._for(polar_pmd.PmdOp.REQUEST_MEASUREMENT_START),
                                        "START")
        answer.raise_for_status()
        out.update(rate_hz=float(rate), range_g=rng, factor=polar_pmd.factor_of(answer.settings()))
        return out

    async def stop(self, client: BleakClient) -> None:
        if self._active and client.is_connected:
            await self._cp.request(client, polar_pmd.stop_request(self.ACC),
                                   self._for(polar_pmd.PmdOp.STOP_MEASUREMENT), "STOP")


class MicrobitConfigurator:
    """micro:bit: write the period closest to the rate, read back the one the device chose."""

    async def start(self, client: BleakClient, settings: Mapping[str, Any]) -> dict[str, Any]:
        out = {**microbit.PROFILE.default_settings, **settings}
        period = microbit.period_for_rate(float(out["rate_hz"]))
        await client.write_gatt_char(microbit.PERIOD_UUID, microbit.period_request(period), response=True)
        actual = microbit.parse_period(bytes(await client.read_gatt_char(microbit.PERIOD_UUID)))
        out.update(period_ms=actual, rate_hz=1000.0 / actual)
        return out

    async def stop(self, client: BleakClient) -> None:
        return None


class WitmotionConfigurator:
    """WitMotion: set the return-rate register (no read-back; the frames carry no rate)."""

    async def start(self, client: BleakClient, settings: Mapping[str, Any]) -> dict[str, Any]:
        out = {**witmotion.PROFILE.default_settings, **settings}
        request = witmotion.rate_request(float(out["rate_hz"]))
        char = client.services.get_characteristic(witmotion.WRITE_UUID)
        if char is None:
            raise DeviceError("WitMotion write characteristic ffe9 missing", hint="some firmwares swap ffe4/ffe9")
        await client.write_gatt_char(char, request, response="write" in char.properties)
        return out

    async def stop(self, client: BleakClient) -> None:
        return None


class ThingyConfigurator:
    """Thingy:52: rewrite the motion config with the new rate (other fields kept), read it back."""

    async def start(self, client: BleakClient, settings: Mapping[str, Any]) -> dict[str, Any]:
        out = {**thingy52.PROFILE.default_settings, **settings}
        current = bytes(await client.read_gatt_char(thingy52.CONFIG_UUID))
        await client.write_gatt_char(thingy52.CONFIG_UUID, thingy52.config_request(float(out["rate_hz"]), current),
                                     response=True)
        applied = thingy52.MotionConfig.from_bytes(bytes(await client.read_gatt_char(thingy52.CONFIG_UUID)))
        out["rate_hz"] = float(applied.motion_freq_hz)
        return out

    async def stop(self, client: BleakClient) -> None:
        return None


class NoConfiguration:
    """Profiles that stream as soon as notifications are enabled."""

    async def start(self, client: BleakClient, settings: Mapping[str, Any]) -> dict[str, Any]:
        return dict(settings)

    async def stop(self, client: BleakClient) -> None:
        return None


_CONFIGURATORS: dict[str, type] = {
    htp.PROFILE.name: HtpConfigurator,
    polar_pmd.PROFILE.name: PolarConfigurator,
    microbit.PROFILE.name: MicrobitConfigurator,
    witmotion.PROFILE.name: WitmotionConfigurator,
    thingy52.PROFILE.name: ThingyConfigurator,
}


def configurator_for(profile: Profile) -> Configurator:
    """A fresh configurator for ``profile`` (profiles without one stream on subscription)."""
    return _CONFIGURATORS.get(profile.name, NoConfiguration)()
