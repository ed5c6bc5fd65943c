"""The vectorised inner loops give bit-identical results to the straightforward code they replaced."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal as sps

from holdtrack.signal import filters
from holdtrack.signal.features import FrameFeatures, _ordered_sum
from holdtrack.signal.filters import StreamingSos, butter_sos
from holdtrack.signal.grid import GridPiece


def _loop_sum(x: np.ndarray) -> np.ndarray:
    """The original per-frame loop: x[:, 0] + x[:, 1] + ... in order."""
    s = x[:, 0, :].copy()
    for j in range(1, x.shape[1]):
        s += x[:, j, :]
    return s


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 30), st.integers(0, 2**32 - 1))
def test_ordered_sum_equals_loop(n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (n, m, 3)) * 10.0 ** rng.integers(-8, 8, (n, m, 3))  # wide dynamic range: order matters
    assert np.array_equal(_ordered_sum(np.moveaxis(x, 1, -1)), _loop_sum(x))  # summed over the last axis


def _public_sosfilt(sos: np.ndarray, blocks: list[np.ndarray]) -> np.ndarray:
    zi = sps.sosfilt_zi(sos)[:, :, None] * blocks[0][0][None, None, :]
    out = []
    for b in blocks:
        y, zi = sps.sosfilt(sos, b, axis=0, zi=zi)
        out.append(y)
    return np.concatenate(out)


@pytest.mark.parametrize("kernel", ["private", "public"])
@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=12), st.integers(0, 2**32 - 1),
       st.sampled_from([25.0, 100.0, 200.0]))
def test_streaming_sos_equals_scipy(kernel: str, sizes: list[int], seed: int, fs: float) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (sum(sizes) + 1, 3)) + [0.0, 0.0, 9.8]
    cuts = np.cumsum([1] + sizes)
    blocks = np.split(x, cuts[:-1])
    sos = butter_sos(4, 10.0, fs)
    saved = filters.SOS_KERNEL
    try:
        if kernel == "public":
            filters.SOS_KERNEL = None
        else:
            assert saved is not None, "scipy's SOS kernel was not found: the fast path is off"
        f = StreamingSos(sos, 3)
        got = np.concatenate([f.push(b) for b in blocks])
    finally:
        filters.SOS_KERNEL = saved
    assert np.array_equal(got, _public_sosfilt(sos, [b for b in blocks if len(b)]))


@pytest.mark.parametrize("chunk", [1000, 370, 7, 1])
def test_frame_features_equal_reference_loops(chunk: int) -> None:
    """Window sigma / gravity from the vectorised sums equal a direct loop over frames and windows."""
    fs, rng = 100.0, np.random.default_rng(7)
    ff = FrameFeatures(fs, lowpass_hz=100.0)  # no low-pass: compare the statistics alone
    acc = rng.normal(0, 0.3, (1000, 3)) + [0.0, 0.0, 9.8]
    batches = [ff.push(GridPiece(k, acc[k:k + chunk], None, k == 0)) for k in range(0, 1000, chunk)]
    sigma = np.concatenate([b.sigma_mps2 for b in batches if b is not None])
    x = acc - acc[0]
    D, K = ff.D, ff.K
    nf = x.shape[0] // D
    fr = x[: nf * D].reshape(nf, D, 3)
    s1, s2 = _loop_sum(fr), _loop_sum(fr**2)
    for f in range(K - 1, nf):
        w1, w2 = s1[f].copy(), s2[f].copy()
        for j in range(1, K):
            w1 += s1[f - j]
            w2 += s2[f - j]
        mean = w1 / (K * D)
        var = np.maximum(w2 / (K * D) - mean**2, 0.0)
        assert sigma[f] == np.sqrt(var[0] + var[1] + var[2])


def _frame_fields(f) -> tuple:
    return (f.acc_mps2.tobytes(), f.acc_mps2.shape, f.gyro_dps, f.host_time_s, f.seq, f.seq_modulus,
            f.device_time_s, f.device_time_index, f.device_time_wrap_s, f.rate_hz)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 30), st.sampled_from([0, 2, 4, 8, 16]), st.integers(1, 65535),
       st.integers(0, 2**32 - 1), st.data())
def test_htp_batch_decode_equals_one_by_one(m: int, n: int, rng_g: int, odr: int, seed: int, data) -> None:
    from holdtrack.protocol import htp

    rng = np.random.default_rng(seed)
    payloads = [bytes(htp.HtpPacket(seq=int(rng.integers(0, 65536)), t0_us=int(rng.integers(0, 2**32)), odr_dhz=odr,
                                    range_g=rng_g, samples=rng.integers(-32768, 32768, (n, 3)).astype(np.int16)))
                for _ in range(m)]
    hosts = [float(h) for h in rng.uniform(0, 1e5, m)]
    damage = data.draw(st.sampled_from(["none", "version", "size", "fmt", "range"]))
    if damage != "none":
        i = data.draw(st.integers(0, m - 1))
        b = bytearray(payloads[i])
        if damage == "version":
            b[0] = 2
        elif damage == "size":
            b = b[:-6] if n > 1 else b + bytes(6)
        elif damage == "fmt":
            b[1] = 0x02  # valid HTP, but acc + gyro: not the batch path's business
        else:
            b[10] = 3
        payloads[i] = bytes(b)
    got = htp.decode_packets(payloads, hosts)
    if damage != "none":
        assert got is None  # the caller decodes one by one and reports the bad packet
        return
    assert got is not None
    want = [htp.decode_packet(p, h) for p, h in zip(payloads, hosts)]
    assert [_frame_fields(f) for f in got] == [_frame_fields(f) for f in want]
