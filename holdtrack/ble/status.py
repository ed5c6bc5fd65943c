"""Human-readable one-line live status and end-of-recording summary (pure formatting, no I/O)."""

from __future__ import annotations

from typing import Any

from holdtrack.ble.recorder import Summary


def status_line(name: str, status: Any, packets: int) -> str:
    """One line: elapsed, sample rate, packet loss, state, current hold time, provisional score.

    ``status`` is a ``LiveStatus`` from ``StreamProcessor.status()`` (or None: packet count only).
    """
    if status is None:
        return f"{name}: {packets} packets"
    if hasattr(status, "line"):
        return f"{name}: {status.line()}"
    score = getattr(status, "provisional_score", None)
    hold = getattr(status, "hold_time_s", None)
    loss = getattr(status, "packet_loss", None) or 0.0
    rate = getattr(status, "rate_hz", None)
    return (f"{name}: {status.elapsed_s:7.1f} s  {rate or 0:6.1f} Hz  loss {loss:5.1%}  "
            f"{status.state:<7}  hold {hold or 0:5.1f} s  score {'--' if score is None else f'{score:3.0f}'}")


def summary_lines(summary: Summary, output: str | None) -> list[str]:
    """A few lines describing one finished recording (and its holds, when analysed)."""
    rate = summary.settings.get("rate_hz")
    lines = [
        f"{summary.device} ({summary.address}, " + (f"profile {summary.profile}" if summary.profile else "samples")
        + (f", {rate:g} Hz" if rate else "") + ")",
        f"  {summary.packets} packets, {summary.payload_bytes} bytes in {summary.elapsed_s:.1f} s; "
        f"link lost {summary.link_losses}x, reconnected {summary.reconnects}x",
    ]
    if output:
        lines.append(f"  recorded to {output}")
    result = summary.result
    holds = getattr(result, "holds", None)
    if holds is not None:
        lines.append(f"  {len(holds)} hold(s)")
        for i, h in enumerate(holds, 1):
            score = "--" if h.score is None else f"{h.score:.0f}"
            lines.append(f"    #{i}: {h.start_s:7.1f}-{h.end_s:7.1f} s  {h.duration_s:6.1f} s  "
                         f"score {score}  ended by {h.ended_by}")
    return lines
