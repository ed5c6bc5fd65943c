"""Compile firmware_notes/common/htp_packet.c into a shared library and describe it to ctypes (test helper)."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

SRC = Path(__file__).resolve().parents[2] / "firmware_notes" / "common" / "htp_packet.c"
RING = 128  # HTP_RING_CAPACITY default


class Sample(ctypes.Structure):
    _fields_ = [("acc", ctypes.c_int16 * 3), ("gyro", ctypes.c_int16 * 3), ("t_us", ctypes.c_uint32)]


class Caps(ctypes.Structure):
    _fields_ = [("odr_dhz", ctypes.POINTER(ctypes.c_uint16)), ("n_odr", ctypes.c_size_t),
                ("ranges_g", ctypes.POINTER(ctypes.c_uint8)), ("n_ranges", ctypes.c_size_t),
                ("gyro_dps", ctypes.c_uint16), ("clock_res_us", ctypes.c_uint16)]


class Request(ctypes.Structure):
    _fields_ = [("opcode", ctypes.c_uint8), ("odr_dhz", ctypes.c_uint16), ("range_g", ctypes.c_uint8),
                ("max_batch", ctypes.c_uint8), ("max_latency_ms", ctypes.c_uint16), ("fmt", ctypes.c_uint8),
                ("host_unix_us", ctypes.c_int64)]


def build(tmp_dir: Path) -> ctypes.CDLL:
    """Compile with the system compiler (skips the calling test if there is none) and load."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler (cc/gcc/clang) on PATH: cannot check the firmware encoder")
    out = tmp_dir / "libhtp.so"
    cmd = [cc, "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-Wconversion", "-O1", "-shared",
           "-fPIC", str(SRC), "-o", str(out)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, f"compiling {SRC.name} failed:\n{res.stderr}"
    lib = ctypes.CDLL(str(out))
    sz, u8p = ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint8)
    lib.htp_encode_packet.argtypes = [u8p, sz, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint16, ctypes.c_uint8,
                                      ctypes.c_uint8, ctypes.POINTER(Sample), sz]
    lib.htp_encode_packet.restype = sz
    lib.htp_max_samples.argtypes = [ctypes.c_uint16, ctypes.c_uint8]
    lib.htp_max_samples.restype = sz
    lib.htp_batcher_sizeof.restype = sz
    lib.htp_batcher_init.argtypes = [ctypes.c_void_p, ctypes.c_uint16, ctypes.c_uint8, ctypes.c_uint8, ctypes.c_uint8,
                                     ctypes.c_uint16, ctypes.c_uint16]
    lib.htp_batcher_push.argtypes = [ctypes.c_void_p, ctypes.POINTER(Sample)]
    lib.htp_batcher_poll.argtypes = [ctypes.c_void_p, ctypes.c_uint32, u8p, sz]
    lib.htp_batcher_poll.restype = sz
    lib.htp_batcher_flush.argtypes = [ctypes.c_void_p, u8p, sz]
    lib.htp_batcher_flush.restype = sz
    lib.htp_batcher_unpoll.argtypes = [ctypes.c_void_p, sz]
    lib.htp_parse_request.argtypes = [u8p, sz, ctypes.POINTER(Request)]
    lib.htp_parse_request.restype = ctypes.c_uint8
    lib.htp_build_features.argtypes = [u8p, sz, ctypes.POINTER(ctypes.c_uint16), sz, u8p, sz, u8p, sz,
                                       ctypes.c_uint16, ctypes.c_uint8, ctypes.POINTER(ctypes.c_uint16), sz]
    lib.htp_build_features.restype = sz
    lib.htp_build_start_params.argtypes = [u8p, sz, ctypes.c_uint16, ctypes.c_uint8, ctypes.c_uint8]
    lib.htp_build_start_params.restype = sz
    lib.htp_build_status_params.argtypes = [u8p, sz, ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint16]
    lib.htp_build_status_params.restype = sz
    lib.htp_build_response.argtypes = [u8p, sz, ctypes.c_uint8, ctypes.c_uint8, u8p, sz]
    lib.htp_build_response.restype = sz
    lib.htp_batcher_set_mtu.argtypes = [ctypes.c_void_p, ctypes.c_uint16]
    lib.htp_device_sizeof.restype = sz
    lib.htp_device_init.argtypes = [ctypes.c_void_p, ctypes.POINTER(Caps)]
    lib.htp_device_control.argtypes = [ctypes.c_void_p, u8p, sz, ctypes.c_uint32, u8p, sz, ctypes.POINTER(sz)]
    lib.htp_device_control.restype = ctypes.c_int
    lib.htp_device_subscribe.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.htp_device_subscribe.restype = ctypes.c_int
    lib.htp_device_set_mtu.argtypes = [ctypes.c_void_p, ctypes.c_uint16]
    return lib


def c_buf(n: int = 512) -> ctypes.Array[ctypes.c_uint8]:
    return (ctypes.c_uint8 * n)()


def as_bytes(buf: ctypes.Array[ctypes.c_uint8], n: int) -> bytes:
    return bytes(buf[:n])


SAMPLE_DTYPE = np.dtype([("acc", "<i2", 3), ("gyro", "<i2", 3), ("t_us", "<u4")])


def c_samples(acc: np.ndarray, gyro: np.ndarray | None = None, t_us: np.ndarray | None = None) -> ctypes.Array[Sample]:
    """An array of C ``htp_sample_t`` holding the given counts and times."""
    assert ctypes.sizeof(Sample) == SAMPLE_DTYPE.itemsize
    rec = np.zeros(len(acc), dtype=SAMPLE_DTYPE)
    rec["acc"] = acc
    if gyro is not None:
        rec["gyro"] = gyro
    if t_us is not None:
        rec["t_us"] = np.asarray(t_us, dtype=np.int64) % 2**32
    return (Sample * len(acc)).from_buffer_copy(rec.tobytes())


