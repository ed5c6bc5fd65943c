"""Write the SYNTHETIC importer fixtures in this folder (deterministic; run from anywhere).

No permissively licensed real export of these apps was found (see README.md), so these files
reproduce the documented layouts (docs/notes: formats.md §3–§6) with made-up numbers: a phone or
sensor lying still, tilted and moved for about a second, then still again, with the quirks real
exports have (jittered and repeated timestamps, dropouts, packet loss, counter/clock wrap).

    /work/venv/bin/python tests/data/make_synthetic.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

G0 = 9.80665
HERE = Path(__file__).resolve().parent


def scenario(n: int, rate: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t_s (n,), gravity (n, 3) m/s², user acceleration (n, 3) m/s²), sensor z up when flat."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    tilt = np.clip((t - 1.0) / 1.0, 0, 1) * 0.6  # rad, ramps during the second second
    grav = G0 * np.column_stack([np.sin(tilt), np.zeros(n), np.cos(tilt)])
    moving = (t > 1.0) & (t < 2.0)
    user = rng.normal(0, 0.01, (n, 3)) + moving[:, None] * rng.normal(0, 1.5, (n, 3))
    return t, grav, user


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _rows(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------- Sensor Logger
def sensor_logger(platform: str, seed: int) -> None:
    n, rate = 320, 100.0
    t, grav, user = scenario(n, rate, seed)
    rng = np.random.default_rng(seed + 1)
    t0 = 1760565906248623000
    step = np.full(n, 10_028_000) + rng.integers(-900, 900, n)  # ≈ 99.7 Hz with jitter
    step[150] = 210_000_000  # a 0.21 s hole (screen off)
    step[0] = 0
    t_ns = t0 + np.cumsum(step)
    t_ns[200] = t_ns[199]  # a repeated timestamp
    elapsed = (t_ns - t0 + 103_623_046) / 1e9
    gyro = np.column_stack([np.gradient(np.clip((t - 1.0), 0, 1) * 0.6, t), np.zeros(n), np.zeros(n)])
    sign = -1.0 if platform == "ios" else 1.0  # iOS (not standardised) reports the opposite sign
    folder = HERE / "sensor-logger" / platform

    def sensor_csv(name: str, xyz: np.ndarray) -> None:
        rows = [["time", "seconds_elapsed", "z", "y", "x"]]
        rows += [[int(a), repr(float(b)), repr(float(z)), repr(float(y)), repr(float(x))]
                 for a, b, (x, y, z) in zip(t_ns, elapsed, xyz)]
        _write(folder / name, _rows(rows))

    sensor_csv("Accelerometer.csv", sign * user)
    sensor_csv("Gravity.csv", sign * grav)
    sensor_csv("Gyroscope.csv", gyro)
    if platform == "android":
        sensor_csv("TotalAcceleration.csv", user + grav)
    meta = [["version", "device name", "recording epoch time", "recording time", "recording timezone",
             "platform", "appVersion", "device id", "sensors", "sampleRateMs", "standardisation",
             "platform version"],
            ["3", "Synthetic Phone, test", str(t0 // 1_000_000), "2025-10-15_22-05-06", "Europe/Zurich",
             platform, "1.45.0", "synthetic", "Accelerometer|Gravity|Gyroscope", "10|10|10", "false",
             "17.4" if platform == "ios" else "14"]]
    _write(folder / "Metadata.csv", _rows(meta))


# ---------------------------------------------------------------------------------------------- phyphox
def _java_e(v: float, digits: int = 9) -> str:
    mant, exp = f"{v:.{digits}E}".split("E")
    return f"{mant}E{int(exp)}"


def phyphox() -> None:
    n, rate = 300, 100.0
    t, grav, user = scenario(n, rate, 7)
    rng = np.random.default_rng(8)
    exp_t = 5.834833311e-3 + t + rng.normal(0, 2e-6, n)  # experiment time, pause excluded
    acc = user + grav
    header = ['"Time (s)"', '"Acceleration x (m/s^2)"', '"Acceleration y (m/s^2)"',
              '"Acceleration z (m/s^2)"', '"Absolute acceleration (m/s^2)"']
    rows = [[_java_e(a), *(_java_e(v) for v in xyz), _java_e(float(np.linalg.norm(xyz)))]
            for a, xyz in zip(exp_t, acc)]
    base = HERE / "phyphox"
    _write(base / "with-g" / "Raw Data.csv", ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
    # the experiment was paused 1.5 s after the start for 12.25 s (wall clock)
    pause_at = float(exp_t[150] + 0.004)
    e = lambda v: _java_e(v, 15)  # noqa: E731 - meta/time.csv has 15 decimals
    start = 1710697732.324872
    time_rows = [
        '"event","experiment time","system time","system time text"',
        f'"START",{e(0.0)},{e(start)},"2024-03-17 19:48:52.325 UTC+02:00"',
        f'"PAUSE",{e(pause_at)},{e(start + pause_at)},"2024-03-17 19:48:53.834 UTC+02:00"',
        f'"START",{e(pause_at)},{e(start + pause_at + 12.25)},"2024-03-17 19:49:06.084 UTC+02:00"',
        f'"PAUSE",{e(float(exp_t[-1]) + 0.005)},{e(start + float(exp_t[-1]) + 12.255)},'
        '"2024-03-17 19:49:07.594 UTC+02:00"',
    ]
    _write(base / "with-g" / "meta" / "time.csv", "\n".join(time_rows) + "\n")
    device = [("version", "1.1.13"), ("build", "11183"), ("fileFormat", "1.17"), ("deviceModel", "Synthetic1,1"),
              ("deviceBrand", "Synthetic"), ("deviceRelease", "17.4")]
    _write(base / "with-g" / "meta" / "device.csv",
           '"property","value"\n' + "".join(f'"{k}","{v}"\n' for k, v in device))
    # the same samples in the "CSV (Semicolon, decimal comma)" dialect, no meta folder
    semi = [r.replace(",", ";") for r in (",".join(header),)]
    semi += [";".join(c.replace(".", ",") for c in r) for r in rows]
    _write(base / "semicolon-decimal-comma" / "Raw Data.csv", "\n".join(semi) + "\n")
    # "Acceleration without g" (linear acceleration) export
    lin = ['"Time (s)","Linear Acceleration x (m/s^2)","Linear Acceleration y (m/s^2)",'
           '"Linear Acceleration z (m/s^2)","Absolute acceleration (m/s^2)"']
    lin += [",".join([_java_e(a), *(_java_e(v) for v in xyz), _java_e(float(np.linalg.norm(xyz)))])
            for a, xyz in zip(exp_t, user)]
    _write(base / "without-g" / "Raw Data.csv", "\n".join(lin) + "\n")


# ---------------------------------------------------------------------------------------------- Movella DOT
def movella() -> None:
    n, rate = 240, 60.0
    t, grav, user = scenario(n, rate, 11)
    acc = user + grav
    gyr = np.random.default_rng(12).normal(0, 0.3, (n, 3))
    counter = np.arange(n) + 65500  # u16 packet counter wraps after 36 samples
    lost = np.zeros(n, bool)
    lost[[100, 101, 102, 170]] = True  # 4 packets lost: counter and clock jump
    stf = (np.uint64(4294967296 - 500_000) + np.round(t * 1e6).astype(np.uint64)) % np.uint64(2**32)
    pre = ["sep=,", "DeviceTag:,synthetic", "FirmwareVersion:,2.4.0", "AppVersion:,2022.0.0",
           "SyncStatus:,Synced", "OutputRate:,60Hz", "FilterProfile:,General",
           "Measurement Mode:,Custom modes - custom mode5", "StartTime: ,2023-06-22_10:04:46_985 CEST",
           "\u00a9 Xsens Technologies B. V. 2005-2023", "",
           "PacketCounter,SampleTimeFine,Acc_X,Acc_Y,Acc_Z,Gyr_X,Gyr_Y,Gyr_Z,Quat_W,Quat_X,Quat_Y,Quat_Z"]
    rows = []
    for i in np.flatnonzero(~lost):
        q = (1.0, 0.0, 0.0, 0.0)
        vals = [*acc[i], *gyr[i], *q]
        rows.append(f"{counter[i] % 65536},{int(stf[i])}," + ",".join(f"{v:.6f}" for v in vals) + ",")
    _write(HERE / "movella" / "synthetic_dot_60Hz.csv", "\n".join(pre + rows) + "\n")


# ---------------------------------------------------------------------------------------------- Polar Sensor Logger
def polar() -> None:
    n, rate = 400, 200.0
    t, grav, user = scenario(n, rate, 21)
    mg = np.round((user + grav) / G0 * 1000).astype(int)
    sensor_ns = 599616065136175104 + np.round(t * 1e9).astype(np.int64)
    sensor_ns[300:] += 150_000_000  # 30 samples lost (0.15 s)
    phone_ms = 1777039820058 + (np.arange(n) // 36) * 180  # back-timed per packet of 36 samples
    import datetime as dt

    def phone(ms: int) -> str:
        d = dt.datetime(2026, 4, 24, 14, 10, 20) + dt.timedelta(milliseconds=int(ms - 1777039820000))
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}"

    lines = ["Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]"]
    lines += [f"{phone(p)};{s};{x};{y};{z}" for p, s, (x, y, z) in zip(phone_ms, sensor_ns, mg)]
    _write(HERE / "polar-logger" / "Polar_H10_ABCD1234_20260424_141020_ACC.txt", "\n".join(lines) + "\n")
    # Verity Sense: ACC at 52 Hz plus a GYRO file at 52 Hz on the same sensor clock, offset by 3 ms
    n2, rate2 = 156, 52.0
    t2, grav2, user2 = scenario(n2, rate2, 22)
    mg2 = np.round((user2 + grav2) / G0 * 1000).astype(int)
    ns2 = 700000000000000000 + np.round(t2 * 1e9).astype(np.int64)
    dps = np.round(np.random.default_rng(23).normal(0, 2.0, (n2, 3)), 2)
    stem = HERE / "polar-logger" / "Polar_Sense_B5A7C3D2_20260425_090000_"
    acc_lines = ["Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]"]
    acc_lines += [f"2026-04-25T09:00:00.000;{s};{x};{y};{z}" for s, (x, y, z) in zip(ns2, mg2)]
    gyr_lines = ["Phone timestamp;sensor timestamp [ns];X [dps];Y [dps];Z [dps]"]
    gyr_lines += [f"2026-04-25T09:00:00.000;{s + 3_000_000};{x};{y};{z}" for s, (x, y, z) in zip(ns2, dps)]
    _write(Path(str(stem) + "ACC.txt"), "\n".join(acc_lines) + "\n")
    _write(Path(str(stem) + "GYRO.txt"), "\n".join(gyr_lines) + "\n")


if __name__ == "__main__":
    sensor_logger("android", 1)
    sensor_logger("ios", 3)
    phyphox()
    movella()
    polar()
