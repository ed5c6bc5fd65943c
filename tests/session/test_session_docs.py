"""The stand-alone reader printed in docs/session-format.md really reads what SessionWriter writes."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from session_helpers import ble_info, htp_packets, sample_block

from holdtrack.model import LinkEvent
from holdtrack.session import SessionWriter

DOC = Path(__file__).resolve().parents[2] / "docs" / "session-format.md"


def test_doc_reader_matches_the_writer(tmp_path):
    code = re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), re.S)[0]
    assert len(code.strip().splitlines()) <= 20
    ns: dict = {}
    exec(compile(code, str(DOC), "exec"), ns)  # the documentation's own code, not user input
    path = tmp_path / "doc.htrec"
    packets, block = htp_packets(25), sample_block(6, t0_s=3.0, gyro=True)
    with SessionWriter(path, ble_info()) as w:
        for p in packets:
            w.write(p)
        w.write(LinkEvent("link_lost", 2.0))
        w.write(block)
    out = list(ns["read_htrec"](path))
    assert [(t, c, d) for kind, t, c, d in out[:25]] == [(p.host_time_s, p.characteristic, p.payload) for p in packets]
    assert out[25] == ("event", 2.0, "link_lost")
    assert out[26][0] == "samples" and np.array_equal(out[26][1], block.t_s)
    assert np.array_equal(np.reshape(out[26][2], (-1, 3)), block.acc_mps2)
