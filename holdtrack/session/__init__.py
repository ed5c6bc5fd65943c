"""Session files (.htrec): crash-safe recording of a stream and its exact replay.

>>> from holdtrack.session import SessionWriter, read_session   # doctest: +SKIP
>>> with SessionWriter("plank.htrec", info) as w:               # doctest: +SKIP
...     for item in source: w.write(item)
>>> src = read_session("plank.htrec")                           # doctest: +SKIP
>>> src.info.profile, src.ended_cleanly, src.problems           # doctest: +SKIP

The format is described in ``docs/session-format.md``; :mod:`holdtrack.session.format` implements it.
"""

from __future__ import annotations

from holdtrack.session.format import FORMAT_VERSION, MAX_LINE_BYTES, SUFFIX
from holdtrack.session.reader import SessionSource, read_session
from holdtrack.session.recorder import format_utc, host_time_s, parse_utc, recording
from holdtrack.session.writer import SessionWriteError, SessionWriter

__all__ = ["SessionWriter", "SessionWriteError", "SessionSource", "read_session", "recording", "parse_utc",
           "format_utc", "host_time_s", "FORMAT_VERSION", "MAX_LINE_BYTES", "SUFFIX"]
