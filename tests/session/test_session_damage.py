"""Damaged, foreign and hand-edited files: tolerated where safe, else one clear error with file:line."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from session_helpers import ble_info, htp_packets, record, same_items, sample_block, sample_info

from holdtrack.errors import InputError, SessionFormatError
from holdtrack.session import SessionWriter, read_session
from holdtrack.session import format as fmt

N_PACKETS = 60  # 3 s: 6 batch lines


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.htrec"
    record(path, htp_packets(N_PACKETS))
    return path


def split(path):
    return path.read_bytes().splitlines(keepends=True)


def test_truncated_at_every_byte_of_the_last_record_reads_the_rest(good, tmp_path):
    data = good.read_bytes()
    body = split(good)
    keep = b"".join(body[:-2])  # header + all batches but the last; the footer is cut as well
    last = body[-2]
    expected = [p for p in htp_packets(N_PACKETS) if p.host_time_s < json.loads(last)["t"][0]]
    for cut in range(0, len(last)):
        cut_path = tmp_path / "cut.htrec"
        cut_path.write_bytes(keep + last[:cut])
        src = read_session(cut_path)
        assert not src.ended_cleanly
        whole = cut == len(last) - 1  # only the newline is missing: the record itself is complete
        assert same_items(src.read_all(), htp_packets(N_PACKETS) if whole else expected), cut
        assert any("ended abruptly" in p for p in src.problems)
        assert any("ended abruptly" in n for n in src.info.notes)
        if 0 < cut < len(last) - 1:
            assert any(f"last line ({len(body) - 1}) truncated" in p for p in src.problems)
    assert data.endswith(b"\n")


def test_missing_footer_is_reported_not_fatal(tmp_path):
    path = tmp_path / "nofooter.htrec"
    record(path, htp_packets(10), end="abort")
    src = read_session(path)
    assert not src.ended_cleanly
    assert same_items(src.read_all(), htp_packets(10))
    assert src.problems == ["session ended abruptly (no footer): the recording was interrupted"]


@pytest.mark.parametrize("garbage", [
    b'{"k":"p","c":"x","t":[1.0],"n":[3],"d":"AAAA"}\n',      # 3 bytes declared, base64 of 3 bytes ok
    b"this is not json\n",
    b'{"k":"p","c":"x","t":[1.0,2.0],"n":[1],"d":"AA=="}\n',
    b'{"k":"s","n":2,"t":"AAAA","acc":"AAAA"}\n',
    b'{"k":"p","c":"x","t":[NaN],"n":[1],"d":"AA=="}\n',
    b'{"k":"p","c":"x","t":[1],"n":[1],"d":"!!"}\n',
    b'{"k":"e","t":"soon","event":"link_lost"}\n',
    b"[1, 2, 3]\n",
    b'{"t": 1}\n',
    b"\xff\xfe\x00garbage\n",
    b'{"k":"p","c":"x","t":[1' + b"0" * 400 + b'],"n":[1],"d":"AA=="}\n',  # an int too large for a float
    b'{"k":"e","t":1' + b"0" * 400 + b',"event":"link_lost"}\n',
    b'{"k":"e","t":1' + b"0" * 5000 + b',"event":"link_lost"}\n',  # more digits than int() accepts
])
def test_corrupted_middle_line_names_its_line_and_salvage_recovers_the_rest(good, tmp_path, garbage):
    body = split(good)
    bad = 4  # 1-based line number of the damaged line
    if garbage.startswith(b'{"k":"p","c":"x","t":[1.0],"n":[3]'):
        garbage = garbage.replace(b'"n":[3]', b'"n":[2]')  # lengths disagree with the data
    damaged = body[: bad - 1] + [garbage] + body[bad:]
    path = tmp_path / "damaged.htrec"
    path.write_bytes(b"".join(damaged))
    with pytest.raises(SessionFormatError) as err:
        read_session(path).read_all()
    assert err.value.line == bad and str(err.value).startswith(f"{path}:{bad}: ")
    src = read_session(path, salvage=True)
    dropped = set(json.loads(body[bad - 1])["t"])
    expected = [p for p in htp_packets(N_PACKETS) if p.host_time_s not in dropped]
    assert len(expected) < N_PACKETS and same_items(src.read_all(), expected)
    assert src.ended_cleanly and src.skipped_lines == 1
    assert any(p.startswith(f"line {bad}:") and p.endswith("(skipped)") for p in src.problems)


def test_corrupted_last_complete_line_is_an_abrupt_end(good, tmp_path):
    body = split(good)
    path = tmp_path / "zeros.htrec"
    path.write_bytes(b"".join(body[:-1]) + b"\x00" * 300 + b"\n\n")  # power loss: zeros after the data
    src = read_session(path)
    assert len(src.read_all()) == N_PACKETS and not src.ended_cleanly
    assert any("unreadable" in p for p in src.problems)


def header_with(good, **changes):
    body = split(good)
    head = json.loads(body[0])
    head.update(changes)
    return [json.dumps(head).encode() + b"\n", *body[1:]]


@pytest.mark.parametrize("changes, message", [
    ({"rate_hz": "200"}, "'rate_hz' must be a number"),
    ({"rate_hz": -5}, "'rate_hz' must be a positive number"),
    ({"rate_hz": 10**400}, "'rate_hz' must be a positive number"),
    ({"settings": [1]}, "'settings' must be an object"),
    ({"holdtrack_session": 2, "format_version": "2.0"}, "unsupported session format version 2"),
    ({"holdtrack_session": "1"}, "must be an integer"),
    ({"format_version": "1"}, "'format_version' must be '1.<minor>'"),
    ({"format_version": "2.0"}, "'format_version' must be '1.<minor>'"),
])
def test_bad_header_fields_fail_on_line_1(good, tmp_path, changes, message):
    path = tmp_path / "h.htrec"
    path.write_bytes(b"".join(header_with(good, **changes)))
    with pytest.raises(SessionFormatError, match=message) as err:
        read_session(path)
    assert err.value.line == 1


def test_hand_edited_header_that_stays_valid_is_read(good, tmp_path):
    path = tmp_path / "edited.htrec"
    body = header_with(good, device={"name": "my sensor"}, notes=["left wrist"], rate_hz=104)
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(body).replace(b"\n", b"\r\n"))  # editor BOM + CRLF
    src = read_session(path)
    assert src.info.device == {"name": "my sensor"} and src.info.rate_hz == 104.0
    assert src.info.notes == ["left wrist"]
    assert len(src.read_all()) == N_PACKETS and src.ended_cleanly


@pytest.mark.parametrize("content, message", [
    (b"", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a holdtrack session file"),
    (b"time,x,y,z\n0,0,0,1\n", "not a holdtrack session file"),
    (b'{"format": "something else"}\n', "not a holdtrack session file"),
    (b'{"holdtrack_session": 1, "format_ver', "file ends inside the header"),
])
def test_wrong_file_types_are_rejected_on_line_1(tmp_path, content, message):
    path = tmp_path / "x.htrec"
    path.write_bytes(content)
    with pytest.raises(SessionFormatError, match=message) as err:
        read_session(path)
    assert err.value.line == 1 and str(err.value).startswith(f"{path}:1: ")


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_session(tmp_path / "nope.htrec")


def test_over_long_line_is_refused_clearly(good, tmp_path, monkeypatch):
    monkeypatch.setattr(fmt, "MAX_LINE_BYTES", 200)
    path = tmp_path / "long.htrec"
    with SessionWriter(path, sample_info()) as w:
        w.write_block(sample_block(200))
    with pytest.raises(SessionFormatError, match="line longer than") as err:
        monkeypatch.setattr(fmt, "MAX_LINE_BYTES", 1000)
        read_session(path).read_all()
    assert err.value.line == 2


def test_footer_in_the_middle_is_tolerated_and_noted(good, tmp_path):
    body = split(good)
    path = tmp_path / "mid.htrec"
    path.write_bytes(b"".join([body[0], body[-1], *body[1:-1]]))
    src = read_session(path)
    assert len(src.read_all()) == N_PACKETS and not src.ended_cleanly
    assert any("footer before the end" in p for p in src.problems)


# --------------------------------------------------------------------------------------------------
# Fuzz: whatever the bytes, the reader returns data or raises SessionFormatError, nothing else.

def _read(path, salvage):
    try:
        src = read_session(path, salvage=salvage)
        src.read_all()
        assert isinstance(src.problems, list)
    except SessionFormatError as exc:
        assert exc.line is not None and str(exc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), salvage=st.booleans())
def test_fuzz_arbitrary_bytes(tmp_path, data, salvage):
    path = tmp_path / "fuzz.htrec"
    path.write_bytes(data)
    _read(path, salvage)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tail=st.lists(st.one_of(
    st.binary(max_size=80),
    st.text(max_size=80).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.fixed_dictionaries({"k": st.sampled_from(["p", "s", "e", "end", "zz"])},
                          optional={"t": st.one_of(st.floats(), st.lists(st.floats(), max_size=3), st.text()),
                                    "n": st.one_of(st.integers(-2, 5), st.lists(st.integers(-1, 4), max_size=3)),
                                    "c": st.text(max_size=5), "d": st.text(max_size=8), "acc": st.text(max_size=8),
                                    "event": st.text(max_size=5), "packets": st.integers(-1, 3),
                                    "samples": st.integers(-1, 3)})
    .map(lambda d: json.dumps(d).encode())), max_size=6), salvage=st.booleans())
def test_fuzz_records_after_a_valid_header(tmp_path, tail, salvage):
    path = tmp_path / "fuzz2.htrec"
    head = json.dumps(fmt.build_header(ble_info())).encode()
    path.write_bytes(b"\n".join([head, *tail]))
    _read(path, salvage)
