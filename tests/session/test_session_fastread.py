"""The reader's fast paths give exactly what the plain paths give: orjson parsing (fmt.loads_fast), the few-pass
check of a packet line (fmt._usual) and block-wise line splitting (reader._lines), against the stdlib parser and
a readline-based oracle, on valid, damaged and hand-made lines."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from session_helpers import ble_info, htp_packets, record, sample_block

from holdtrack.errors import SessionFormatError
from holdtrack.model import LinkEvent, PacketBatch, SampleBlock
from holdtrack.session import SessionWriter, read_session
from holdtrack.session import format as fmt
from holdtrack.session import reader

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))

# pieces of JSON-like lines, chosen where parsers differ: numbers beyond 64 bits or a double, lone
# surrogates, NaN / Infinity, control characters, invalid UTF-8, BOM, whitespace JSON does not allow
TOKENS = [b'{', b'}', b'[', b']', b',', b':', b'"', b'\\', b'u', b'0', b'1', b'9', b'-', b'+', b'.', b'e', b'E',
          b' ', b'\t', b'\n', b'\r', b'\x0c', b'\x00', b'\x1f', b'\x7f', b'\xc3\xa9', b'\xff', b'\xed\xa0\x80',
          b'\xef\xbb\xbf', b'true', b'false', b'null', b'NaN', b'Infinity', b'"k"', b'"p"', b'\\ud800', b'\\udc00',
          b'1e400', b'18446744073709551616', b'-9223372036854775809', b'12345678901234567890123', b'[' * 1100]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=3), c, max_size=4), max_leaves=12)
lines = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=30).map(b"".join),
    json_values.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    st.from_regex(rb"\A\[-?(0|[1-9][0-9]{0,400})(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?\]\Z"),
    st.binary(max_size=40),
)


def _same_value(std, fast) -> bool:
    """Equal and of the same types (floats by repr); an int outside 64 bits may come as its nearest float."""
    if type(std) is not type(fast):
        return (type(std) is int and type(fast) is float and not -2**63 <= std < 2**64
                and float(std) == fast)
    if type(std) is float:
        return repr(std) == repr(fast)
    if type(std) is list:
        return len(std) == len(fast) and all(map(_same_value, std, fast))
    if type(std) is dict:
        return list(std) == list(fast) and all(_same_value(std[k], fast[k]) for k in std)
    return std == fast


def _outcome(fn, *args):
    try:
        return "ok", fn(*args)
    except Exception as exc:  # noqa: BLE001 - comparing whatever happens
        return type(exc).__name__, str(exc)


@FUZZ
@given(line=lines)
def test_loads_fast_is_loads_except_for_integers_beyond_64_bits(line):
    std, fast = _outcome(fmt.loads, line), _outcome(fmt.loads_fast, line)
    if std[0] != "ok" or fast[0] != "ok":
        assert fast == std
    else:
        assert _same_value(std[1], fast[1]), (line, std, fast)


def test_loads_fast_sends_what_orjson_refuses_through_loads():
    assert fmt.loads_fast(b"[1e400]") == [float("inf")]  # the stdlib reading: caught as non-finite later
    assert fmt.loads_fast(b'"\\ud800"') == "\ud800"
    with pytest.raises(fmt.RecordError, match=r"NaN is not valid JSON"):
        fmt.loads_fast(b'{"t":[NaN]}')
    with pytest.raises(fmt.RecordError, match=r"not UTF-8 text \(byte 2 of the line\)"):
        fmt.loads_fast(b'"a\xff"')


elements = st.one_of(st.floats(), st.integers(-3, 3), st.integers(), st.booleans(), st.none(), st.text(max_size=2),
                     st.just(10**400), st.just(1e308), st.lists(st.integers(0, 3), max_size=2))


@st.composite
def times_and_sizes(draw):
    t = draw(st.one_of(st.lists(st.floats(), max_size=6), st.lists(st.floats(-1.7e308, 1.7e308), max_size=4),
                       st.lists(elements, max_size=5), elements))
    if isinstance(t, list) and draw(st.booleans()):
        return t, draw(st.lists(st.one_of(st.integers(-1, 300), elements), min_size=len(t), max_size=len(t)))
    return t, draw(st.one_of(st.lists(st.integers(-1, 300), max_size=6), elements))


@FUZZ
@given(tn=times_and_sizes())
def test_usual_packet_line_is_one_the_full_check_passes_unchanged(tn):
    t, n = tn
    if fmt._usual(t, n):
        assert fmt._times(t, n) is t
    elif (isinstance(t, list) and isinstance(n, list) and len(t) == len(n) and all(type(x) is float for x in t)
          and all(type(x) is int and x >= 0 for x in n)):
        assert not np.isfinite(sum(t))  # valid floats go the slow way only when their sum overflows


# --------------------------------------------------------------------------------------------------
# Whole files: fast reader (orjson, small blocks) against the plain one (stdlib json, readline)


def _readline_lines(f, start_line):
    """The oracle: the reader's line splitting before it read in blocks."""
    line_no, pos = start_line, f.tell()
    while True:
        raw = f.readline(fmt.MAX_LINE_BYTES + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > fmt.MAX_LINE_BYTES and not raw.endswith(b"\n"):
            reader._too_long(f, line_no)
        pos += len(raw)
        yield line_no, pos, raw, raw.endswith(b"\n")


def _value(v):
    if isinstance(v, PacketBatch):
        return v.characteristic, [repr(x) for x in v.host_time_s], [repr(x) for x in v.sizes], v.data
    if isinstance(v, SampleBlock):
        return tuple(None if a is None else (a.dtype.str, a.shape, a.tobytes()) for a in (v.t_s, v.acc_mps2, v.gyro_dps))
    if isinstance(v, LinkEvent):
        return v.kind, repr(v.host_time_s)
    return repr(v)


def _snapshot(path, salvage, m, limit):
    """Everything a read gives (records with line numbers and offsets, counters, notes) or its error; lines
    longer than ``limit`` bytes after the header are refused."""
    out: list = []
    try:
        src = read_session(path, salvage=salvage)
        m.setattr(fmt, "MAX_LINE_BYTES", limit)
        out += [(r.line, r.end_offset, r.kind, _value(r.value)) for r in src.records()]
        out += [src.problems, src.info.notes, src.ended_cleanly, src.packets, src.samples, src.skipped_lines,
                src.unknown_records, src.footer]
    except Exception as exc:  # noqa: BLE001 - the same error (or crash) is part of "the same"
        out.append((type(exc).__name__, str(exc), getattr(exc, "line", None)))
    return out


@pytest.fixture(scope="module")
def good_lines(tmp_path_factory) -> list[bytes]:
    path = tmp_path_factory.mktemp("fr") / "good.htrec"
    with SessionWriter(path, ble_info(), clock=lambda: 0.0) as w:
        for i, p in enumerate(htp_packets(40)):
            w.write(p)
            if i == 20:
                w.write(LinkEvent("link_lost", p.host_time_s))
        w.write_block(sample_block(7, t0_s=5.0, gyro=True))
    return path.read_bytes().split(b"\n")


ODD_LINES = [b'{"k":"p","c":"x","t":[1.0],"n":[18446744073709551616],"d":""}',
             b'{"k":"s","n":18446744073709551617,"t":"","acc":""}',
             b'{"k":"end","t":1,"packets":99999999999999999999,"samples":0,"reason":"clean"}',
             b'{"k":"p","c":"x","t":[1e400],"n":[0],"d":""}', b'{"k":"p","c":"\\ud800","t":[1],"n":[0],"d":""}',
             b'{"k":"e","t":12345678901234567890123,"event":"link_lost"}', b'{"k":"p","c":"x","t":[NaN],"n":[0]}',
             b'{"k":"zz","v":18446744073709551616}', b"", b"  \r", b"\x00" * 30, b'{"k":"p",' + b'[' * 1100]


@FUZZ
@given(data=st.data(), salvage=st.booleans(), block=st.integers(1, 300))
def test_fast_reader_reads_exactly_what_the_plain_reader_reads(tmp_path_factory, monkeypatch, good_lines, data,
                                                                salvage, block):
    body = list(good_lines)
    for _ in range(data.draw(st.integers(0, 4))):
        i = data.draw(st.integers(1, len(body) - 1))
        op = data.draw(st.sampled_from(["odd", "line", "cut", "dup", "drop"]))
        if op == "odd":
            body.insert(i, data.draw(st.sampled_from(ODD_LINES)))
        elif op == "line":
            body.insert(i, data.draw(lines))
        elif op == "cut":
            body[i] = body[i][: data.draw(st.integers(0, len(body[i])))]
        elif op == "dup":
            body.insert(i, body[i])
        else:
            del body[i]
    if data.draw(st.booleans()):
        body = body[:-1 - data.draw(st.integers(0, 1))]  # no newline after the last line; or no footer either
    # lines longer than the limit are refused: try limits right at the length of a data line
    limit = data.draw(st.sampled_from([10**6, max(1, len(body[data.draw(st.integers(1, len(body) - 1))])
                                                  + data.draw(st.integers(-2, 1)))])) if len(body) > 1 else 10**6
    path = tmp_path_factory.mktemp("fr") / "x.htrec"
    path.write_bytes(b"\n".join(body))
    with monkeypatch.context() as m:
        m.setattr(fmt, "_orjson", None)
        m.setattr(reader, "_lines", _readline_lines)
        plain = _snapshot(path, salvage, m, limit)
    with monkeypatch.context() as m:
        m.setattr(reader, "_BLOCK", block)
        fast = _snapshot(path, salvage, m, limit)
    assert fast == plain


def test_orjson_is_used_when_installed():
    pytest.importorskip("orjson")
    assert fmt._orjson is not None


def test_a_64_bit_overflowing_size_gets_the_stdlib_message(tmp_path):
    path = tmp_path / "big.htrec"
    record(path, htp_packets(3))
    body = path.read_bytes().split(b"\n")
    body.insert(2, b'{"k":"p","c":"x","t":[1.0],"n":[18446744073709551616],"d":""}')
    path.write_bytes(b"\n".join(body))
    with pytest.raises(SessionFormatError, match="'d' holds 0 bytes but 'n' adds up to 18446744073709551616") as err:
        read_session(path).read_all()
    assert err.value.line == 3
