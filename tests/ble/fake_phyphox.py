"""A local stand-in for phyphox's remote-access server that replays a phyphox CSV export in real time.

Serves ``/config``, ``/control?cmd=start|stop``, ``/get`` (the ``<t>|acc_time`` threshold form) on
127.0.0.1; a sample becomes visible once its experiment time has elapsed since ``start``. Setting
:attr:`FakePhyphox.down` makes every request fail (HTTP 503), like a phone that left the Wi-Fi.
"""

from __future__ import annotations

import csv
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np

HEADER = ["Time (s)", "Acceleration x (m/s^2)", "Acceleration y (m/s^2)", "Acceleration z (m/s^2)",
          "Absolute acceleration (m/s^2)"]
BUFFERS = {"acc_time": 0, "accX": 1, "accY": 2, "accZ": 3}


def write_export(path: Path, t: np.ndarray, acc: np.ndarray) -> None:
    """A phyphox-style "Raw Data.csv" (comma, decimal point, quoted header, scientific notation)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_NONNUMERIC)
        w.writerow(HEADER)
        for ti, a in zip(t, acc):
            w.writerow([f"{v:.9E}" for v in (ti, *a, float(np.linalg.norm(a)))])


def read_export(path: Path) -> np.ndarray:
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return np.array([[float(v) for v in r[:4]] for r in rows[1:]])


class FakePhyphox:
    """Replays ``export`` (a CSV written by :func:`write_export`); ``url`` is ``phyphox://127.0.0.1:PORT``."""

    def __init__(self, export: Path) -> None:
        self.data = read_export(export)  # (n, 4): t, x, y, z
        self.down = False
        self.started_at: float | None = None
        self.commands: list[str] = []
        self.gets = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                if fake.down:
                    self.send_error(503)
                    return
                body = fake.answer(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"phyphox://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakePhyphox":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def visible(self) -> np.ndarray:
        if self.started_at is None:
            return self.data[:0]
        return self.data[self.data[:, 0] <= time.monotonic() - self.started_at]

    def answer(self, path: str) -> bytes:
        url = urlparse(path)
        q = parse_qs(url.query)
        if url.path == "/config":
            return json.dumps({"title": "Acceleration (with g)",
                               "buffers": [{"name": n, "size": 0} for n in BUFFERS]}).encode()
        if url.path == "/control":
            cmd = q.get("cmd", [""])[0]
            self.commands.append(cmd)
            if cmd == "start" and self.started_at is None:
                self.started_at = time.monotonic()
            return json.dumps({"result": cmd in ("start", "stop", "clear")}).encode()
        if url.path == "/get":
            self.gets += 1
            rows = self.visible()
            out = {}
            for name, value in ((k, v[0]) for k, v in q.items()):
                threshold = value.split("|")[0]
                sel = rows if threshold == "full" else rows[rows[:, 0] > float(threshold)]
                out[name] = {"size": 0, "updateMode": "partial", "buffer": sel[:, BUFFERS[name]].tolist()}
            return json.dumps({"buffer": out, "status": {"measuring": self.started_at is not None}}).encode()
        return b"{}"
