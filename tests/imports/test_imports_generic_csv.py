"""Generic CSV reader: layouts, units, dialects, timestamps, errors."""

from __future__ import annotations

import numpy as np
import pytest

from holdtrack.errors import ConfigError, InputError, UnknownFormatError
from holdtrack.model import G0, SampleBlock
from holdtrack.sources.imports import FORMATS, detect_format, open_import
from holdtrack.sources.imports.filesource import BLOCK_SAMPLES


def _rows(t, acc, fmt="{:.6f}", sep=","):
    return "".join(sep.join(fmt.format(v) for v in (ti, *a)) + "\n" for ti, a in zip(t, acc))


def _still(n, unit_scale, rng, rate=50.0):
    t = np.arange(n) / rate
    acc = np.tile([0.1, -0.2, 0.97], (n, 1)) + rng.normal(0, 0.005, (n, 3))
    return t, acc * unit_scale


@pytest.mark.parametrize("unit,scale", [("g", 1.0), ("mg", 1000.0), ("m/s2", G0)])
def test_units_detected_from_median_magnitude(write, unit, scale):
    rng = np.random.default_rng(1)
    t, acc = _still(300, scale, rng)
    p = write("a.csv", "t,ax,ay,az\n" + _rows(t, acc))
    assert detect_format(p) == "csv"
    src = open_import(p)
    b = src.read_all()
    assert src.info.format == "csv"
    assert any(n.startswith(f"units detected: {unit} ") for n in src.info.notes), src.info.notes
    np.testing.assert_allclose(b.acc_mps2, np.round(acc, 6) / scale * G0, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(b.t_s, t, atol=1e-9)
    assert src.info.rate_hz == pytest.approx(50.0)
    assert b.gyro_dps is None


def test_units_from_header_suffix_and_argument(write):
    rng = np.random.default_rng(2)
    t, acc = _still(100, 1000.0, rng)
    p = write("a.csv", "time [s],X [mg],Y [mg],Z [mg]\n" + _rows(t, acc))
    src = open_import(p)
    assert "units from the file: mg" in src.info.notes
    np.testing.assert_allclose(src.read_all().acc_mps2, np.round(acc, 6) * G0 / 1000, atol=1e-9)
    # an explicit --units wins over the header
    src = open_import(p, units="g")
    assert "units given: g" in src.info.notes
    np.testing.assert_allclose(src.read_all().acc_mps2, np.round(acc, 6) * G0, atol=1e-6)


def test_ambiguous_units_ask_for_units(write):
    t = np.arange(50) / 50
    acc = np.tile([0.0, 0.0, 3.5], (50, 1))  # |a| = 3.5: between the g (0.4-3) and m/s² (4-30) windows
    p = write("amb.csv", "t,x,y,z\n" + _rows(t, acc))
    with pytest.raises(InputError, match="--units") as ei:
        open_import(p)
    assert str(p) in str(ei.value)
    assert open_import(p, units="m/s2").read_all().acc_mps2[0, 2] == pytest.approx(3.5)


def test_no_time_column_needs_rate(write):
    p = write("n.csv", "ax,ay,az\n" + "0,0,1\n" * 10)
    with pytest.raises(InputError, match="--rate") as ei:
        open_import(p)
    assert str(ei.value).startswith(f"{p}:1: ")
    b = open_import(p, rate=25).read_all()
    np.testing.assert_allclose(b.t_s, np.arange(10) / 25)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_with_decimal_comma(write, sep):
    rng = np.random.default_rng(3)
    t, acc = _still(60, G0, rng)
    body = _rows(t, acc, sep=sep).replace(".", ",")
    p = write("dc.txt", sep.join(["time", "acc_x", "acc_y", "acc_z"]) + "\n" + body)
    b = open_import(p).read_all()
    np.testing.assert_allclose(b.acc_mps2, np.round(acc, 6), atol=1e-9)
    np.testing.assert_allclose(b.t_s, t, atol=1e-9)


def test_whitespace_headerless_three_columns(write):
    p = write("h.txt", "".join(f"  {i % 3 - 1}   {i % 2}   1000\n" for i in range(40)))
    with pytest.raises(InputError, match="--rate"):
        open_import(p)
    src = open_import(p, rate=26)
    b = src.read_all()
    assert len(b) == 40 and src.info.rate_hz == 26
    assert "units detected: mg" in " ".join(src.info.notes)
    np.testing.assert_allclose(b.acc_mps2[1], np.array([0, 1, 1000]) * G0 / 1000)


def test_headerless_four_columns_is_ambiguous(write):
    p = write("h4.csv", "0,0,0,1\n0.02,0,0,1\n")
    with pytest.raises(InputError, match="ambiguous"):
        open_import(p, rate=50)


def test_duplicates_and_backward_jitter_are_dropped_and_noted(write):
    t = [0.00, 0.01, 0.01, 0.02, 0.03, 0.025, 0.04, 0.05]
    rows = "".join(f"{ti},0,0,{1 + i / 100}\n" for i, ti in enumerate(t))
    src = open_import(write("d.csv", "t,ax,ay,az\n" + rows))
    b = src.read_all()
    np.testing.assert_allclose(b.t_s, [0, 0.01, 0.02, 0.03, 0.04, 0.05])
    np.testing.assert_allclose(b.acc_mps2[:, 2] / G0, [1.00, 1.01, 1.03, 1.04, 1.06, 1.07])
    assert "1 duplicated timestamps dropped" in src.info.notes
    assert "1 samples with times jittering backwards dropped" in src.info.notes


def test_time_running_backwards_is_an_error_at_its_line(write):
    rows = "".join(f"{t},0,0,1\n" for t in (10.0, 10.02, 10.04, 5.0, 5.02))
    p = write("b.csv", "t,ax,ay,az\n" + rows)
    with pytest.raises(InputError, match="backwards") as ei:
        open_import(p).read_all()
    assert ei.value.line == 5 and ei.value.path == str(p)


def test_dropouts_are_kept_and_reported(write):
    t = np.concatenate([np.arange(100) / 100, 3 + np.arange(100) / 100])
    rows = "".join(f"{ti:.2f},0,0,1\n" for ti in t)
    src = open_import(write("g.csv", "t,ax,ay,az\n" + rows))
    b = src.read_all()
    np.testing.assert_allclose(b.t_s, t, atol=1e-9)
    assert any(n.startswith("1 dropouts longer than 3 sample periods (longest 2.010 s at 0.990 s)")
               for n in src.info.notes), src.info.notes


@pytest.mark.parametrize(
    "body,line,match",
    [
        ("0.2,0,abc,1\n", 12, "'abc' is not a number"),
        ("0.2,0,,1\n", 12, "empty cell"),
        ("0.2,0,1\n", 12, "expected 4 fields, found 3"),
        ("0.2,0,1,1,7,8\n", 12, "expected 4 fields, found 6"),
        ("0.2,0,nan,1\n", 12, "not a finite number"),
    ],
)
def test_bad_cells_name_file_and_line(write, body, line, match):
    good = "".join(f"{i / 100},0,0,1\n" for i in range(10))
    p = write("bad.csv", "t,ax,ay,az\n" + good + body + good.replace("0,0,1", "0,0,1.0"))
    with pytest.raises(InputError, match=match) as ei:
        open_import(p).read_all()
    assert str(ei.value).startswith(f"{p}:{line}: ")


def test_error_far_into_the_file_names_its_line(write):
    n = BLOCK_SAMPLES + 500
    rows = [f"{i / 100:.2f},0,0,1" for i in range(n)]
    rows[n - 7] = rows[n - 7].replace(",0,0,", ",0,zz,")
    p = write("late.csv", "t,ax,ay,az\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError) as ei:
        list(open_import(p))
    assert ei.value.line == n - 7 + 2


def test_missing_axes_is_a_clear_error(write):
    p = write("m.csv", "t,ax,ay,temp\n0,0,0,20\n")
    with pytest.raises(InputError, match="no acceleration columns") as ei:
        open_import(p, format="csv")
    assert ei.value.line == 1


def test_empty_and_binary_files(write):
    empty = write("e.csv", "")
    with pytest.raises(UnknownFormatError, match="empty"):
        detect_format(empty)
    with pytest.raises(InputError, match="empty"):
        open_import(empty, format="csv")
    header_only = write("ho.csv", "t,ax,ay,az\n")
    with pytest.raises(InputError, match="no data rows"):
        open_import(header_only)
    binary = write("bin.csv", bytes(range(256)) * 4)
    with pytest.raises(UnknownFormatError) as ei:
        open_import(binary)
    assert str(binary) in str(ei.value)
    with pytest.raises(UnknownFormatError, match="binary"):
        open_import(binary, format="csv")


def test_missing_file_and_bad_arguments(write, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        open_import(tmp_path / "nope.csv")
    p = write("ok.csv", "t,ax,ay,az\n0,0,0,1\n0.01,0,0,1\n")
    with pytest.raises(ConfigError):
        open_import(p, units="furlongs")
    for bad in (0, -5, float("nan"), "fast"):
        with pytest.raises(ConfigError):
            open_import(p, rate=bad)
    with pytest.raises(UnknownFormatError, match="unknown format"):
        open_import(p, format="xlsx")
    assert "csv" in FORMATS


def test_blocks_are_bounded_and_chunk_invariant(write):
    rng = np.random.default_rng(4)
    n = 2 * BLOCK_SAMPLES + 123
    t = np.arange(n) / 100.0
    t[BLOCK_SAMPLES] = t[BLOCK_SAMPLES - 1]  # a duplicate exactly on a chunk boundary
    acc = rng.normal(0, 0.1, (n, 3)) + [0, 0, 1]
    p = write("big.csv", "t,ax,ay,az\n" + _rows(t, acc))
    src = open_import(p)
    blocks = list(src)
    assert all(len(b) <= BLOCK_SAMPLES for b in blocks) and len(blocks) >= 3
    whole = np.concatenate([b.t_s for b in blocks])
    keep = np.ones(n, bool)
    keep[BLOCK_SAMPLES] = False
    np.testing.assert_allclose(whole, np.round(t[keep], 6) - np.round(t[0], 6), atol=1e-9)
    assert src.info.notes.count("1 duplicated timestamps dropped") == 1
    list(src)  # iterating again gives the same notes, not twice as many
    assert src.info.notes.count("1 duplicated timestamps dropped") == 1


def test_epoch_millisecond_timestamps_give_start_utc(write):
    t0 = 1657533977813
    rows = "".join(f"0,0,9.8,{t0 + 10 * i}\n" for i in range(20))
    src = open_import(write("e.csv", "x_acc,y_acc,z_acc,timestamp\n" + rows))
    b = src.read_all()
    np.testing.assert_allclose(b.t_s, np.arange(20) * 0.01, atol=1e-9)
    assert src.info.start_utc == "2022-07-11T10:06:17.813Z"
    assert src.info.rate_hz == pytest.approx(100.0)


@pytest.mark.parametrize("unit,factor", [("deg/s", 1.0), ("rad/s", 180 / np.pi)])
def test_gyroscope_used_only_with_units(write, unit, factor):
    rows = "".join(f"{i / 50},0,0,1,0.5,-0.25,2\n" for i in range(10))
    src = open_import(write("g.csv", f"t,ax,ay,az,gx [{unit}],gy [{unit}],gz [{unit}]\n" + rows))
    np.testing.assert_allclose(src.read_all().gyro_dps[3], np.array([0.5, -0.25, 2]) * factor)
    src = open_import(write("g2.csv", "t,ax,ay,az,gx,gy,gz\n" + rows))
    assert src.read_all().gyro_dps is None
    assert any("gyroscope columns ignored" in n for n in src.info.notes)


def test_two_row_header_uses_first_sensor(write):
    text = (
        "sensor,left,right,left,right,left,right\n"
        "axis,acc_x,acc_x,acc_y,acc_y,acc_z,acc_z\n"
        + "".join(f"{i},0.1,0.2,0.3,0.4,9.7,9.9\n" for i in range(30))
    )
    src = open_import(write("two.csv", text), rate=100)
    b = src.read_all()
    np.testing.assert_allclose(b.acc_mps2[0], [0.1, 0.3, 9.7])
    assert "file holds 2 sensors (left, right); using left" in src.info.notes


def test_utf8_bom_crlf_quotes_and_comment_lines(write):
    text = '\ufeff# exported by a test\r\n"t","ax","ay","az"\r\n' + "".join(
        f"{i / 10},0,0,1\r\n" for i in range(5))
    b = open_import(write("q.csv", text)).read_all()
    assert len(b) == 5 and b.t_s[-1] == pytest.approx(0.4)


def test_time_in_unnamed_milliseconds_is_caught(write):
    rows = "".join(f"{10 * i},0,0,1\n" for i in range(20))  # ms, but no unit in the header
    with pytest.raises(InputError, match=r"time \[ms\]"):
        open_import(write("ms.csv", "time,ax,ay,az\n" + rows))
    b = open_import(write("ms2.csv", "time [ms],ax,ay,az\n" + rows)).read_all()
    assert b.t_s[-1] == pytest.approx(0.19)


def test_prose_is_not_a_table(write):
    p = write("notes.txt", "This is a README.\nIt has sentences, of different lengths; and words.\n\nThe end\n")
    with pytest.raises(UnknownFormatError, match="unrecognised file format") as ei:
        open_import(p)
    assert str(p) in str(ei.value)


def test_stray_carriage_returns(write):
    for text in ("\r0", "t,ax,ay,az\r0,0,0,1\r0.01,0,0,1\r", '"t\r",ax\n1,2\n'):
        p = write("cr.csv", text)
        try:
            open_import(p, rate=50).read_all()
        except InputError:
            pass
    b = open_import(write("mac.csv", "t,ax,ay,az\r0,0,0,1\r0.01,0,0,1\r")).read_all()
    assert len(b) == 2


@pytest.mark.parametrize("case,message", [
    ("one", "only 1 sample"), ("repeated", "does not advance"), ("backwards", "does not advance")])
def test_time_columns_that_give_no_rate_say_why(write, case, message):
    """Without --rate, a time column that cannot give a rate is an error naming the file and the reason;
    with --rate the same file is analysed (one sample: a documented empty result)."""
    from holdtrack.analysis import analyze

    rng = np.random.default_rng(3)
    t, acc = _still(200, 1.0, rng)
    t = {"one": t[:1], "repeated": np.zeros_like(t), "backwards": t[::-1]}[case]
    p = write(f"{case}.csv", "t,ax,ay,az\n" + _rows(t, acc[: t.shape[0]]))
    with pytest.raises(InputError, match=message) as ei:
        open_import(p)
    assert str(p) in str(ei.value)
    if case == "one":
        r = analyze(p, rate=50.0)
        assert r.samples == 1 and r.holds == [] and r.still_periods == []


@pytest.mark.parametrize("rate", [0.1, 1e5])
def test_absurd_rates_are_clear_errors(write, rate):
    """An absurd --rate is refused as an argument; a file declaring one is an error naming the file."""
    from holdtrack.analysis import analyze
    from holdtrack.session import format as fmt
    from holdtrack.sources.base import StreamInfo

    rng = np.random.default_rng(4)
    t, acc = _still(100, 1.0, rng)
    p = write("r.csv", "ax,ay,az\n" + "".join(",".join(f"{v:.5f}" for v in a) + "\n" for a in acc))
    with pytest.raises(ConfigError, match="outside 1..5000 Hz"):
        analyze(p, rate=rate)
    header = fmt.build_header(StreamInfo(format="csv", rate_hz=rate))
    block = fmt.samples_record(SampleBlock(t, acc * G0))
    s = write("r.htrec", (fmt.dumps(header) + fmt.dumps(block)).decode())
    with pytest.raises(InputError, match="outside 1..5000 Hz") as ei:
        analyze(s)
    assert str(s) in str(ei.value)
