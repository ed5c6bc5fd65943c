"""SampleBuffer against a plain dict model: appends (contiguous, gapped, with and without gyro), trims, slices."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from holdtrack.signal.buffer import SampleBuffer

OPS = st.lists(st.tuples(st.sampled_from(["append", "append", "append", "gap", "trim", "slice"]),
                         st.integers(0, 400), st.booleans()), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(OPS, st.integers(1, 900), st.integers(0, 10_000))
def test_buffer_equals_model(ops, max_samples: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    buf = SampleBuffer(max_samples)
    model: dict[int, tuple[np.ndarray, np.ndarray | None]] = {}
    k = 0
    for op, m, gyro in ops:
        if op in ("append", "gap"):
            if op == "gap":
                k += m + 1
            acc = rng.normal(size=(m, 3))
            g = rng.normal(size=(m, 3)) if gyro else None
            buf.append(k, acc, g)
            for i in range(m):
                model[k + i] = (acc[i], None if g is None else g[i])
            k += m
            held = sorted(model)  # the model keeps the newest max_samples... from the first held index on
            over = len(held) - max_samples
            if over > 0:
                cut = held[0] + over
                model = {j: v for j, v in model.items() if j >= cut}
        elif op == "trim":
            cut = max(0, k - m)
            buf.trim(cut)
            model = {j: v for j, v in model.items() if j >= cut}
        else:
            lo, hi = max(0, k - m - 50), k - m // 3
            acc, g = buf.slice(lo, hi)
            keys = [j for j in sorted(model) if lo <= j < hi]
            want = np.array([model[j][0] for j in keys]).reshape(-1, 3)
            assert acc.tobytes() == want.tobytes()
            if keys and all(model[j][1] is not None for j in keys):
                assert g is not None and g.tobytes() == np.array([model[j][1] for j in keys]).tobytes()
            elif keys:
                assert g is None
        assert len(buf) == len(model)
