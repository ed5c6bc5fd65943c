"""One stream, end to end: packets or samples in, an :class:`~holdtrack.analysis.AnalysisResult` out.

:class:`StreamProcessor` is the single path every source goes through — live BLE, replay, imported files
and the simulator::

    RawPacket --profile decoder--> DecodedFrame --ClockModel--> SampleBlock --Pipeline--> events
    SampleBlock -------------------------------------------------^
    LinkEvent --> the pipeline treats it as signal loss

It is pure (no clock, no I/O): host times travel inside the items.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from typing import Any, Iterable

from holdtrack.errors import ConfigError
from holdtrack.model import LinkEvent, PacketBatch, RawPacket, SampleBlock
from holdtrack.protocol import CountingDecoder, get_profile
from holdtrack.signal.clock import ClockModel
from holdtrack.signal.pipeline import Event, Pipeline, PipelineConfig
from holdtrack.sources.base import Item, StreamInfo


_RUN_PACKETS = 2048  # packets decoded and timed at once by push_all
_HELD_PACKETS = 64  # most packets a deferring processor holds back, whatever their times

#: how far behind the input live paths let the pipeline run (s of host time): packets received within this
#: span are decoded, timed and analysed together (see ``StreamProcessor(defer_s=...)``)
LIVE_DEFER_S = 0.5


@dataclass(frozen=True)
class LiveStatus:
    """One line's worth of live state. Times in s since the first sample."""

    elapsed_s: float
    rate_hz: float | None  # measured sample rate over the stream so far
    packets: int
    lost_packets: int
    bad_packets: int
    state: str  # "waiting", "moving", "still" or "holding"
    hold_time_s: float
    provisional_score: float | None
    holds: int

    @property
    def packet_loss(self) -> float:
        total = self.packets + self.lost_packets
        return self.lost_packets / total if total else 0.0

    def line(self) -> str:
        """A one-line human summary (the terminal status line)."""
        rate = f"{self.rate_hz:5.1f} Hz" if self.rate_hz else "  -- Hz"
        score = f"{self.provisional_score:4.0f} (provisional)" if self.provisional_score is not None else "   --"
        return (f"{self.elapsed_s:7.1f} s | {rate} | loss {100 * self.packet_loss:4.1f} % | {self.state:<8} | "
                f"hold {self.hold_time_s:5.1f} s | score {score} | holds {self.holds}")


class StreamProcessor:
    """Decode, time and analyse one stream incrementally.

    Parameters
    ----------
    info : what is known about the stream (profile for packet streams, nominal rate)
    config : pipeline configuration (defaults if None)
    trace : record what the detector saw (:class:`~holdtrack.signal.pipeline.Trace`) for plots
    batch_samples : hold samples back and push them to the pipeline in batches of at least this many (files:
        much less per-call overhead, identical results); 0 = push at once
    defer_s : hold packets back until they span this many seconds of host time (or 64 packets), then decode,
        time and analyse them together, as columns (live: a fraction of the per-notification cost; identical
        results). :meth:`status`, :meth:`catch_up`, link events and :meth:`finish` process held packets
        first, so what a display shows is never behind; only the events returned by :meth:`push` come up
        to ``defer_s`` later. 0 = process each packet as it comes.
    """

    def __init__(self, info: StreamInfo, config: PipelineConfig | None = None, *, trace: bool = False,
                 batch_samples: int = 0, defer_s: float = 0.0) -> None:
        self.info = info
        self.config = config or PipelineConfig()
        self.decoder: CountingDecoder | None = None
        rate = info.rate_hz
        if info.profile:
            profile = get_profile(info.profile)
            settings = {**profile.default_settings, **info.settings}
            self.decoder = CountingDecoder(profile.make_decoder(settings))
            rate = rate or settings.get("rate_hz")
        if not rate:
            raise ConfigError("the sample rate is unknown: give it (e.g. --rate HZ)")
        self.rate_hz = float(rate)
        self.clock = ClockModel(self.rate_hz)
        self.pipeline = Pipeline(self.config, rate_hz=self.rate_hz, trace=trace)
        self.link_events: list[LinkEvent] = []
        self.batch_samples = int(batch_samples)
        self._pending: list[SampleBlock] = []
        self._pending_n = 0
        self._live: tuple[int, int, Any] | None = None  # (open period's start frame, samples pushed, ProvisionalScorer)
        self._live_at = -1.0
        self.defer_s = float(defer_s)
        self._held: list[RawPacket] = []
        self._unreported: list[Event] = []  # events processed by status(): returned by the next push / catch_up

    # ------------------------------------------------------------------ input
    def push(self, item: Item) -> list[Event]:
        """Feed one packet, sample block or link event; returns the events it finalised."""
        if isinstance(item, RawPacket):
            if self.decoder is None:
                raise ConfigError("this stream has no device profile, so it cannot decode packets")
            if self.defer_s > 0.0:
                held = self._held
                held.append(item)
                if len(held) >= _HELD_PACKETS or item.host_time_s - held[0].host_time_s >= self.defer_s:
                    return self.catch_up()
                return self.catch_up() if self._unreported else []
            return self._feed_one(item)
        out = self.catch_up() if self._held or self._unreported else []
        if isinstance(item, SampleBlock):
            return out + self._feed(item)
        if isinstance(item, LinkEvent):
            self.link_events.append(item)
            out += self._drain()
            if item.kind == "link_lost":
                self.pipeline.mark_signal_loss()
            return out
        raise TypeError(f"cannot process {type(item).__name__}")

    def catch_up(self) -> list[Event]:
        """Process the packets held back by ``defer_s`` now; returns the events they finalised."""
        out, self._unreported = self._unreported, []
        held, self._held = self._held, []
        if len(held) == 1:  # e.g. a display asking after every notification: the scalar path is cheaper
            out += self._feed_one(held[0])
        elif held:
            n = len(self.pipeline.events)
            self.push_all(_as_batches(held))
            out += self.pipeline.events[n:]
        return out

    def _feed_one(self, packet: RawPacket) -> list[Event]:
        assert self.decoder is not None
        out: list[Event] = []
        for frame in self.decoder.feed(packet):
            out.extend(self._feed(self.clock.push(frame)))
        return out

    def _feed(self, block: SampleBlock) -> list[Event]:
        if self.batch_samples <= 0:
            return self.pipeline.push(block)
        out: list[Event] = []
        if self._pending and (block.gyro_dps is None) != (self._pending[-1].gyro_dps is None):
            out = self._drain()  # never join blocks with and without gyro (the join would drop it)
        self._pending.append(block)
        self._pending_n += len(block)
        return out + self._drain() if self._pending_n >= self.batch_samples else out

    def _drain(self) -> list[Event]:
        """Push the samples held back for batching (the pipeline is chunk-invariant: same result)."""
        if not self._pending:
            return []
        block = self._pending[0] if len(self._pending) == 1 else SampleBlock.concatenate(self._pending)
        self._pending, self._pending_n = [], 0
        return self.pipeline.push(block)

    def push_all(self, items: Iterable[Item | PacketBatch]) -> None:
        """Feed many items: the same as :meth:`push` of each in turn (a :class:`PacketBatch` counts as its
        packets), with packets decoded many at a time and timed by :meth:`ClockModel.push_columns` when the
        profile's decoder can (``tests/robustness/test_fast_paths.py`` proves it equal)."""
        packets: list[RawPacket] = []
        run: list[PacketBatch] = []
        run_n = 0
        for item in items:
            if isinstance(item, PacketBatch) and self.decoder is not None:
                self._feed_packets(packets)
                if run and run[-1].characteristic != item.characteristic:
                    self._feed_batches(run)
                    run_n = 0
                run.append(item)
                run_n += len(item)
                if run_n >= _RUN_PACKETS:
                    self._feed_batches(run)
                    run_n = 0
                continue
            self._feed_batches(run)
            run_n = 0
            if isinstance(item, RawPacket) and self.decoder is not None:
                packets.append(item)
                if len(packets) >= 64:
                    self._feed_packets(packets)
            elif isinstance(item, PacketBatch):
                raise ConfigError("this stream has no device profile, so it cannot decode packets")
            else:
                self._feed_packets(packets)
                self.push(item)
        self._feed_batches(run)
        self._feed_packets(packets)

    def _feed_packets(self, packets: list[RawPacket]) -> None:
        if packets:
            assert self.decoder is not None
            for frame in self.decoder.feed_many(packets):
                self._feed(self.clock.push(frame))
            packets.clear()

    def _feed_batches(self, run: list[PacketBatch]) -> None:
        """Packets of one characteristic: decoded and timed as columns, else one by one."""
        if not run:
            return
        assert self.decoder is not None
        if len(run) == 1:
            data, sizes, host = run[0].data, run[0].sizes, run[0].host_time_s
        else:
            data = b"".join(b.data for b in run)
            sizes = [n for b in run for n in b.sizes]
            host = [t for b in run for t in b.host_time_s]
        cols = self.decoder.feed_columns(run[0].characteristic, data, sizes, host)
        if cols is not None:
            self._feed(self.clock.push_columns(cols))
        else:
            for batch in run:
                self._feed_packets(batch.packets())
        run.clear()

    # ------------------------------------------------------------------ output
    def status(self) -> LiveStatus:
        """Live state for a status line or a live plot (outside the chunk-invariance guarantee)."""
        if self._held:
            self._unreported = self.catch_up()
        st = self.pipeline.state()
        g = self.pipeline.grid
        rate = (g.samples - 1) / st.t_s if st.t_s > 0 and g.samples > 1 else None
        holds = sum(1 for e in self.pipeline.events if type(e).__name__ == "Hold")
        score = None
        if st.state == "holding":
            score = self._provisional_score(st.t_s)
        state = "waiting" if g.t_first is None else st.state
        return LiveStatus(st.t_s, rate, self.clock.packets if self.decoder else 0, self.clock.lost_packets,
                          self.decoder.bad_packets if self.decoder else 0, state,
                          st.period_s if st.state != "moving" else 0.0, score, holds)

    def _provisional_score(self, t_s: float) -> float | None:
        """Score of the open hold so far (marked provisional by callers), refreshed at most once a second: a
        ProvisionalScorer fed only the samples added since the last refresh, so a refresh costs O(new samples)."""
        from holdtrack.signal.score import ProvisionalScorer
        from holdtrack.signal.swayband import noise_floor_from_sigma

        info = self.pipeline.segmenter.open_info()
        if info is None:
            self._live = None
            return None
        if self._live is not None and self._live[0] == info[0] and t_s - self._live_at < 1.0:
            return self._live[2].score  # refreshed at most once a second
        samples = self.pipeline.open_hold_samples()
        if samples is None:
            return None
        self._live_at = t_s
        acc, gyro = samples
        guard = int(self.config.score_guard_s * self.rate_hz)  # as the final score: skip the way in
        if self._live is None or self._live[0] != info[0] or acc.shape[0] < self._live[1]:
            self._live = (info[0], guard, ProvisionalScorer(self.rate_hz, gyro is not None))
        start_f, done, live = self._live
        live.noise_floor_mps2 = noise_floor_from_sigma(
            min(self.pipeline.noise_floor_mps2 or 0.0, self.config.noise_cap_mps2), self.rate_hz, self.config.lowpass_hz)
        live.wobble_count = info[1]
        if acc.shape[0] > done:
            live.push(acc[done:], None if gyro is None else gyro[done:])
            self._live = (start_f, acc.shape[0], live)
        return live.score

    def finish(self):  # -> AnalysisResult (import kept local: analysis imports this module)
        """Flush the pipeline and build the result."""
        from holdtrack.analysis import AnalysisResult

        self.catch_up()
        self._drain()
        self.pipeline.flush()
        return AnalysisResult.from_processor(self)


def _as_batches(packets: list[RawPacket]) -> list[PacketBatch]:
    """Consecutive packets of one characteristic joined into :class:`PacketBatch` runs (arrival order kept)."""
    return [PacketBatch(char, [p.host_time_s for p in run], [len(p.payload) for p in run],
                        b"".join(p.payload for p in run))
            for char, group in groupby(packets, key=attrgetter("characteristic")) for run in [list(group)]]
