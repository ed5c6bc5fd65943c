"""phyphox's remote-access HTTP API (Wi-Fi) as a blocking client: check, start/stop, poll new samples.

The phone runs phyphox with "Allow remote access" on; the experiment must have the acceleration
buffers ``accX``, ``accY``, ``accZ`` and ``acc_time`` (the built-in "Acceleration (with g)" and simple
accelerometer experiments do; units m/s², time = experiment time in s). Endpoints used: ``/config``
(buffer names, title), ``/control?cmd=start|stop``, ``/get?accX=<t>|acc_time&...&acc_time=<t>`` (only
values after experiment time ``t``; ``full`` the first time). See formats.md §4.5.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any, Callable

import numpy as np

from holdtrack.errors import ConfigError, DeviceError
from holdtrack.model import SampleBlock

ACC_BUFFERS = ("accX", "accY", "accZ")
TIME_BUFFER = "acc_time"
_HINT = "is the phone on the same network, phyphox running and 'Allow remote access' on?"
_SPEC = re.compile(r"^phyphox://(?P<host>[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(?P<port>\d{1,5}))?/?$")


def is_phyphox(spec: str) -> bool:
    return spec.startswith("phyphox://")


def base_url(spec: str) -> str:
    """``phyphox://HOST[:PORT]`` -> ``http://HOST:PORT`` (default port 8080)."""
    m = _SPEC.match(spec)
    if m is None:
        raise ConfigError(f"not a phyphox address: {spec!r} (expected phyphox://HOST:PORT)")
    return f"http://{m['host']}:{m['port'] or 8080}"


def _fetch(url: str, timeout_s: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout_s) as r:  # noqa: S310 (user-given phone address)
        return r.read()


class PhyphoxRemote:
    """One phone. Every network or protocol problem raises :class:`DeviceError` with a hint.

    Parameters
    ----------
    url : ``http://HOST:PORT`` (see :func:`base_url`)
    timeout_s : per-request timeout
    fetch : ``fetch(url, timeout_s) -> bytes`` (injectable; default urllib)
    """

    def __init__(self, url: str, timeout_s: float = 3.0,
                 fetch: Callable[[str, float], bytes] = _fetch) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self._fetch = fetch
        self.last_t: float | None = None

    def _json(self, path: str) -> Any:
        try:
            raw = self._fetch(self.url + path, self.timeout_s)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise DeviceError(f"phyphox at {self.url}: {getattr(exc, 'reason', exc)}", hint=_HINT) from None
        try:
            return json.loads(raw)
        except ValueError:
            raise DeviceError(f"phyphox at {self.url}{path.split('?')[0]}: answer is not JSON",
                              hint="is that address really phyphox's remote access?") from None

    def check(self) -> str:
        """The experiment's title; raises unless it has the acceleration buffers."""
        config = self._json("/config")
        names = {b.get("name") for b in config.get("buffers", []) if isinstance(b, dict)}
        missing = [n for n in (*ACC_BUFFERS, TIME_BUFFER) if n not in names]
        if missing:
            raise DeviceError(f"phyphox experiment {config.get('title', '?')!r} has no buffer {', '.join(missing)}",
                              hint="open 'Acceleration (with g)' in phyphox")
        return str(config.get("title", "phyphox"))

    def control(self, cmd: str) -> None:
        """``start``, ``stop`` or ``clear`` the experiment."""
        answer = self._json(f"/control?cmd={cmd}")
        if not answer.get("result", False):
            raise DeviceError(f"phyphox refused {cmd!r}", hint=_HINT)

    def poll(self) -> SampleBlock | None:
        """Samples newer than the last poll (None if there are none yet)."""
        after = "full" if self.last_t is None else repr(self.last_t)
        query = "&".join([f"{b}={after}%7C{TIME_BUFFER}" for b in ACC_BUFFERS] + [f"{TIME_BUFFER}={after}"])
        buffers = self._json(f"/get?{query}").get("buffer", {})
        try:
            cols = [np.asarray(buffers[b]["buffer"], dtype=np.float64).reshape(-1) for b in (TIME_BUFFER, *ACC_BUFFERS)]
        except (KeyError, TypeError, ValueError) as exc:
            raise DeviceError(f"phyphox /get answer without usable acceleration buffers ({exc})",
                              hint="open 'Acceleration (with g)' in phyphox") from None
        n = min(c.size for c in cols)  # buffers may differ by a sample while the phone writes them
        t, acc = cols[0], np.column_stack([c[:n] for c in cols[1:]])
        keep = np.isfinite(t[:n]) & np.all(np.isfinite(acc[:n]), axis=1)
        if self.last_t is not None:
            keep &= t[:n] > self.last_t  # the API answers "after t"; never repeat a sample
        t, acc = t[:n][keep], acc[:n][keep]
        if t.size == 0:
            return None
        self.last_t = float(t[-1])
        return SampleBlock(t, acc)
