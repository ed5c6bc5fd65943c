"""What every device profile provides, and the stateful wrapper that turns packets into frames.

A profile module (``htp``, ``polar_pmd``, ``microbit``, ``witmotion``, ``thingy52``) is pure: it turns
bytes into :class:`~holdtrack.model.DecodedFrame` and settings into command bytes. It never imports bleak;
the BLE layer drives the commands (``holdtrack.sources.ble``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

from holdtrack.errors import PacketDecodeError
from holdtrack.model import DecodedFrame, FrameColumns, RawPacket


class StreamDecoder(Protocol):
    """Turns the packets of one device connection into frames.

    ``feed`` raises :class:`PacketDecodeError` for a packet it cannot decode; the caller counts it and
    goes on (see :class:`CountingDecoder`). Stateful decoders (frames that straddle notifications,
    Polar's previous-timestamp bookkeeping) keep their state here, never in module globals.
    """

    def feed(self, packet: RawPacket) -> list[DecodedFrame]: ...


@dataclass(frozen=True)
class Profile:
    """A device protocol holdtrack can read.

    Attributes
    ----------
    name : short identifier used on the command line and in session files (``"holdtrack"``, ``"polar-pmd"``)
    title : human-readable device family
    service_uuid : primary service to scan for / connect to (lower case)
    data_uuid : characteristic carrying samples (notify)
    name_patterns : regular expressions matched against advertised names, for recognition
    has_gyro : whether frames can carry angular rate
    default_settings : settings used when none are given (rate_hz, range_g, ...)
    make_decoder : builds a fresh :class:`StreamDecoder` from the session's settings
    """

    name: str
    title: str
    service_uuid: str
    data_uuid: str
    make_decoder: Callable[[Mapping[str, Any]], StreamDecoder]
    name_patterns: tuple[str, ...] = ()
    has_gyro: bool = False
    default_settings: Mapping[str, Any] = field(default_factory=dict)
    extra_uuids: Mapping[str, str] = field(default_factory=dict)


class FunctionDecoder:
    """A :class:`StreamDecoder` for stateless profiles: applies ``decode(payload, host_time_s)``."""

    def __init__(
        self,
        decode: Callable[[bytes, float | None], DecodedFrame | list[DecodedFrame]],
        data_uuid: str,
        decode_many: Callable[[list[bytes], list[float]], list[DecodedFrame] | None] | None = None,
        decode_columns: Callable[[bytes, Sequence[int], Sequence[float]], FrameColumns | None] | None = None,
    ) -> None:
        self._decode = decode
        self._data_uuid = data_uuid.lower()
        self._decode_many = decode_many  # optional vectorised form: one frame per packet, or None = not here
        self._decode_columns = decode_columns  # the same, for packets end to end, as columns

    def feed_columns(self, characteristic: str, data: bytes, sizes: Sequence[int],
                     host_times_s: Sequence[float]) -> FrameColumns | None:
        """Frames of many packets of one characteristic given end to end, as columns (exactly what
        :meth:`feed` of each gives), or None if not possible here."""
        if self._decode_columns is None or characteristic.lower() != self._data_uuid:
            return None
        return self._decode_columns(data, sizes, host_times_s)

    def feed_many(self, packets: list[RawPacket]) -> list[DecodedFrame] | None:
        """Frames of many data packets at once (exactly as :meth:`feed` of each), or None if not possible."""
        if self._decode_many is None or any(p.characteristic.lower() != self._data_uuid for p in packets):
            return None
        return self._decode_many([p.payload for p in packets], [p.host_time_s for p in packets])

    def feed(self, packet: RawPacket) -> list[DecodedFrame]:
        if packet.characteristic.lower() != self._data_uuid:
            return []  # control-point responses etc. carry no samples
        out = self._decode(packet.payload, packet.host_time_s)
        return out if isinstance(out, list) else [out]


@dataclass
class DecodeErrorRecord:
    """Where a bad packet was (packet index in the stream, host time) and why."""

    index: int
    host_time_s: float
    message: str


class CountingDecoder:
    """Wraps a :class:`StreamDecoder`: bad packets are counted and remembered, never fatal."""

    def __init__(self, inner: StreamDecoder, keep: int = 100) -> None:
        self.inner = inner
        self.packets = 0
        self.bad_packets = 0
        self.errors: list[DecodeErrorRecord] = []
        self._keep = keep

    def feed_many(self, packets: list[RawPacket]) -> list[DecodedFrame]:
        """All frames of ``packets`` in order: :meth:`feed` of each, vectorised when the decoder can."""
        many = getattr(self.inner, "feed_many", None)
        frames = many(packets) if many is not None and len(packets) > 1 else None
        if frames is not None:
            self.packets += len(packets)
            return frames
        return [f for p in packets for f in self.feed(p)]

    def feed_columns(self, characteristic: str, data: bytes, sizes: Sequence[int],
                     host_times_s: Sequence[float]) -> FrameColumns | None:
        """Many packets given end to end, decoded as columns when the decoder can (all valid); None means
        nothing was consumed: feed the packets one by one instead."""
        many = getattr(self.inner, "feed_columns", None)
        cols = many(characteristic, data, sizes, host_times_s) if many is not None else None
        if cols is not None:
            self.packets += len(sizes)
        return cols

    def feed(self, packet: RawPacket) -> list[DecodedFrame]:
        index = self.packets
        self.packets += 1
        try:
            return self.inner.feed(packet)
        except PacketDecodeError as exc:
            self.bad_packets += 1
            if len(self.errors) < self._keep:
                self.errors.append(DecodeErrorRecord(index, packet.host_time_s, str(exc)))
            return []
