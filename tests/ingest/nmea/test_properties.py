"""Properties of the NMEA reader, checked with hypothesis.

(a) What pyais's encoder writes, vesselwatch reads back: every field of types 1, 2, 3, 5, 18,
    19, 24 and 27, for any valid values.
(b) Any bytes at all: no crash, and every line accounted for as ``Batch`` promises.
(c) Reading in small chunks gives the same rows as reading in one chunk.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyais
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nmeakit import REFERENCE_US, Result, checksum, checksum_of, pghp, read, tag_block
from pyais.constants import ShipType

from vesselwatch.errors import StrictModeError
from vesselwatch.model.schema import RejectReason, Skip

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# ---- (a) pyais's encoder, vesselwatch's decoder --------------------------------------------

SIX_BIT = "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?"  # '@' is padding
mmsis = st.integers(0, 999_999_999)
lat_raw = st.one_of(st.integers(-90 * 600_000, 90 * 600_000), st.just(91 * 600_000))
lon_raw = st.one_of(st.integers(-180 * 600_000, 180 * 600_000), st.just(181 * 600_000))
sog_raw = st.integers(0, 1023)  # 1023: not available
cog_raw = st.integers(0, 3600)  # 3600: not available
headings = st.one_of(st.integers(0, 359), st.just(511))
rot_raw = st.integers(-128, 127)
# pyais's encoder folds ship types 5 and 19 through its ShipType enum (1 -> 0, 86 -> 85):
# draw the codes it keeps
ship_types = st.sampled_from(sorted({int(code) for code in ShipType}))


def text(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=SIX_BIT, max_size=n)


def _na(value: Any, sentinel: Any, scale: float = 1) -> Any:
    """``value / scale`` in canonical units, or None for the "not available" ``sentinel``."""
    return None if value == sentinel else value / scale if scale != 1 else value


def _turn(raw: int) -> float:
    """The pyais ``turn`` (deg/min) that it encodes as ``raw``."""
    if raw == 0 or abs(raw) >= 127:
        return float(raw)
    return math.copysign((raw / 4.733) ** 2, raw)


def _rot(raw: int) -> float | None:
    if abs(raw) >= 127:
        return None
    return round(math.copysign((raw / 4.733) ** 2, raw), 1)


def _text_value(s: str) -> str | None:
    return s.strip() or None


def _dims(bow: int, stern: int, port: int, starboard: int) -> dict[str, Any]:
    return {"to_bow_m": bow or None, "to_stern_m": stern or None, "to_port_m": port or None,
            "to_starboard_m": starboard or None,
            "length_m": float(bow + stern) if bow and stern else None,
            "width_m": float(port + starboard) if port and starboard else None}


@st.composite
def class_a(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    t = draw(st.sampled_from([1, 2, 3]))
    m = {"mmsi": draw(mmsis), "status": draw(st.integers(0, 15)), "rot": draw(rot_raw),
         "sog": draw(sog_raw), "acc": draw(st.booleans()), "lat": draw(lat_raw),
         "lon": draw(lon_raw), "cog": draw(cog_raw), "hdg": draw(headings)}
    # "msg_type" too: pyais's MessageType2 and 3 inherit type 1's default for it
    data = {"type": t, "msg_type": t, "mmsi": m["mmsi"], "status": m["status"],
            "turn": _turn(m["rot"]),
            "speed": m["sog"] / 10, "accuracy": m["acc"], "lat": m["lat"] / 600_000,
            "lon": m["lon"] / 600_000, "course": m["cog"] / 10, "heading": m["hdg"]}
    position = {"msg_type": t, "mmsi": m["mmsi"], "nav_status": m["status"],
                "rot_deg_min": _rot(m["rot"]), "sog_kn": _na(m["sog"], 1023, 10),
                "position_accuracy": m["acc"], "lat": _na(m["lat"], 91 * 600_000, 600_000),
                "lon": _na(m["lon"], 181 * 600_000, 600_000), "cog_deg": _na(m["cog"], 3600, 10),
                "heading_deg": _na(m["hdg"], 511)}
    return data, position, {}


@st.composite
def class_b(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    t = draw(st.sampled_from([18, 19]))
    m = {"mmsi": draw(mmsis), "sog": draw(sog_raw), "acc": draw(st.booleans()),
         "lat": draw(lat_raw), "lon": draw(lon_raw), "cog": draw(cog_raw), "hdg": draw(headings)}
    data = {"type": t, "mmsi": m["mmsi"], "speed": m["sog"] / 10, "accuracy": m["acc"],
            "lat": m["lat"] / 600_000, "lon": m["lon"] / 600_000, "course": m["cog"] / 10,
            "heading": m["hdg"]}
    position = {"msg_type": t, "mmsi": m["mmsi"], "sog_kn": _na(m["sog"], 1023, 10),
                "position_accuracy": m["acc"], "lat": _na(m["lat"], 91 * 600_000, 600_000),
                "lon": _na(m["lon"], 181 * 600_000, 600_000), "cog_deg": _na(m["cog"], 3600, 10),
                "heading_deg": _na(m["hdg"], 511), "nav_status": None, "rot_deg_min": None}
    report: dict[str, Any] = {}
    if t == 19:
        name, ship_type = draw(text(20)), draw(ship_types)
        dims = draw(st.tuples(st.integers(0, 511), st.integers(0, 511), st.integers(0, 63),
                              st.integers(0, 63)))
        data |= {"shipname": name, "ship_type": ship_type, "to_bow": dims[0],
                 "to_stern": dims[1], "to_port": dims[2], "to_starboard": dims[3]}
        report = {"msg_type": 19, "mmsi": m["mmsi"], "name": _text_value(name),
                  "ship_type": ship_type or None, **_dims(*dims)}
    return data, position, report


@st.composite
def static_voyage(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    mmsi, imo = draw(mmsis), draw(st.integers(0, 2**30 - 1))
    callsign, name, destination = draw(text(7)), draw(text(20)), draw(text(20))
    ship_type, draught = draw(ship_types), draw(st.integers(0, 255))
    dims = draw(st.tuples(st.integers(0, 511), st.integers(0, 511), st.integers(0, 63),
                          st.integers(0, 63)))
    eta = draw(st.tuples(st.integers(0, 15), st.integers(0, 31), st.integers(0, 24),
                         st.integers(0, 60)))
    data = {"type": 5, "mmsi": mmsi, "imo": imo, "callsign": callsign, "shipname": name,
            "ship_type": ship_type, "to_bow": dims[0], "to_stern": dims[1], "to_port": dims[2],
            "to_starboard": dims[3], "month": eta[0], "day": eta[1], "hour": eta[2],
            "minute": eta[3], "draught": draught / 10, "destination": destination}
    report = {"msg_type": 5, "mmsi": mmsi, "imo": imo or None, "callsign": _text_value(callsign),
              "name": _text_value(name), "ship_type": ship_type or None,
              "draught_m": draught / 10 if draught else None,
              "destination": _text_value(destination), "eta_parts": eta, **_dims(*dims)}
    return data, {}, report


@st.composite
def static_class_b(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    mmsi = draw(st.one_of(mmsis, st.integers(980_000_000, 989_999_999)))  # incl. auxiliary craft
    if draw(st.booleans()):
        name = draw(text(20))
        return ({"type": 24, "mmsi": mmsi, "partno": 0, "shipname": name}, {},
                {"msg_type": 24, "mmsi": mmsi, "part": 0, "name": _text_value(name)})
    ship_type, callsign = draw(st.integers(0, 255)), draw(text(7))
    dims = draw(st.tuples(st.integers(0, 511), st.integers(0, 511), st.integers(0, 63),
                          st.integers(0, 63)))
    data = {"type": 24, "mmsi": mmsi, "partno": 1, "ship_type": ship_type, "callsign": callsign,
            "to_bow": dims[0], "to_stern": dims[1], "to_port": dims[2], "to_starboard": dims[3],
            "mothership_mmsi": draw(mmsis)}
    auxiliary = mmsi // 10_000_000 == 98
    report = {"msg_type": 24, "mmsi": mmsi, "part": 1, "callsign": _text_value(callsign),
              "ship_type": ship_type or None, **_dims(*((0, 0, 0, 0) if auxiliary else dims))}
    return data, {}, report


@st.composite
def long_range(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    mmsi, status, acc = draw(mmsis), draw(st.integers(0, 15)), draw(st.booleans())
    lat = draw(st.one_of(st.integers(-90 * 600, 90 * 600), st.just(91 * 600)))
    lon = draw(st.one_of(st.integers(-180 * 600, 180 * 600), st.just(181 * 600)))
    sog = draw(st.integers(0, 63))  # 63: not available
    cog = draw(st.one_of(st.integers(0, 359), st.just(511)))  # 511: not available
    data = {"type": 27, "mmsi": mmsi, "status": status, "accuracy": acc, "lat": lat / 600,
            "lon": lon / 600, "speed": sog, "course": cog}
    position = {"msg_type": 27, "mmsi": mmsi, "nav_status": status, "position_accuracy": acc,
                "lat": _na(lat, 91 * 600, 600), "lon": _na(lon, 181 * 600, 600),
                "sog_kn": _na(sog, 63, 1.0), "cog_deg": _na(cog, 511, 1.0), "heading_deg": None,
                "rot_deg_min": None}
    return data, position, {}


clocks = st.one_of(st.none(), st.integers(946_684_800, 1_893_456_000),  # 2000..2030, seconds
                   st.integers(946_684_800_000, 1_893_456_000_000))  # and milliseconds
messages = st.lists(st.tuples(
    st.one_of(class_a(), class_b(), static_voyage(), static_class_b(), long_range()),
    clocks, st.sampled_from(["AI", "AB", "BS", "SA"]), st.sampled_from(["VDM", "VDO"]),
    st.sampled_from(["A", "B"]), st.integers(0, 9)), min_size=1, max_size=8)


TOLERANCE = {"lat": 1e-6, "lon": 1e-6, "rot_deg_min": 0.051}  # others: float32 columns


def _check(expected: dict[str, Any], row: dict[str, Any]) -> None:
    for key, value in expected.items():
        if key == "eta_parts":  # no year in an ETA: compare what was sent
            month, day, hour, minute = value
            if month == 0 or day == 0 or month > 12:
                assert row["eta"] is None
            elif day <= 28 and hour < 24 and minute < 60:
                eta = row["eta"]
                assert (eta.month, eta.day, eta.hour, eta.minute) == value
        elif isinstance(value, float):
            assert row[key] is not None and abs(row[key] - value) <= TOLERANCE.get(key, 1e-4), (
                key, value, row[key])
        else:
            assert row[key] == value, (key, value, row[key])


@SETTINGS
@given(messages)
def test_what_pyais_encodes_vesselwatch_decodes(msgs: list[Any]) -> None:
    lines: list[str] = []
    expected: list[tuple[int, dict[str, Any], dict[str, Any], int]] = []
    for (data, position, report), clock, talker, kind, channel, seq in msgs:
        sentences = pyais.encode_dict(data, talker_id=talker, sentence_type=kind,
                                      radio_channel=channel, seq_id=seq)
        if clock is not None:
            sentences[0] = tag_block(c=str(clock)) + sentences[0]
        ts = REFERENCE_US if clock is None else clock * (1000 if clock > 10**11 else 1_000_000)
        expected.append((len(lines) + 1, position, report, ts))
        lines.extend(sentences)
    r = read(("\n".join(lines) + "\n").encode())
    assert r.rejects.num_rows == 0, r.rejects.to_pylist()
    positions = {row["source_line"]: row for row in r.positions.to_pylist()}
    reports = {row["source_line"]: row for row in r.vessel_reports.to_pylist()}
    assert len(positions) + len(reports) == sum(bool(p) + bool(v) for _, p, v, _ in expected)
    for line, position, report, ts in expected:
        for want, table in ((position, positions), (report, reports)):
            if want:
                row = table[line]
                _check(want, row)
                assert (row["ts"] - EPOCH) // timedelta(microseconds=1) == ts


# ---- (b) any bytes ------------------------------------------------------------------------

REAL_LINES = [
    "!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C",
    "$PGHP,1,2010,6,11,11,46,11,929,244,0,,1,72*21",
    "!AIVDM,2,1,1,,53cMa3@000010WSW?V105=<45B2222222222220t388151:9e2UiDm851DTh,0*65",
    "!AIVDM,2,2,1,,j1C32CQp888,2*17",
    "!AIVDM,1,1,,B,,0*25",
    "!AIVDM,1,1,,A,Dbf4W3FHSUW:vm6H`FnifjRB<PE4=RG5W0n>22l,2*52,1327992440913",
    "$BSALR,,006,V,V,general failure*62",
    "\\s:rORBCOMM000,c:1276256771*2F\\!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C",
    "!ABVDM,1,1,6,B,1G7lQJ001PbomTie:ms2sR@40000,0*34",
    "!AIVDM,1,1,,B,B39H9GP0;@H136UI3ijEowU5oP06,0*14",
]


PAYLOAD_CHARS = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw"


@st.composite
def fragment(draw: st.DrawFn) -> str:
    """An ``!AIVDM`` sentence with arbitrary fields and a right or wrong checksum."""
    total, num = draw(st.integers(0, 9)), draw(st.integers(0, 9))
    seq = draw(st.sampled_from(["", "0", "5", "9", "x"]))
    payload = draw(st.text(alphabet=PAYLOAD_CHARS + "Xx", max_size=80))  # X, x: not payload
    body = (f"{draw(st.sampled_from(['AI', 'BS', 'AB']))}VDM,{total},{num},{seq},"
            f"{draw(st.sampled_from(['', 'A', 'B', '1']))},{payload},{draw(st.integers(0, 7))}")
    cs = checksum(body) if draw(st.booleans()) else draw(st.sampled_from(["00", "FF", "zz", ""]))
    return f"!{body}*{cs}"


line_bytes = st.one_of(
    st.binary(max_size=120),
    st.sampled_from(REAL_LINES).map(str.encode),
    st.tuples(st.sampled_from(REAL_LINES), st.integers(0, 90)).map(lambda t: t[0][: t[1]].encode()),
    fragment().map(str.encode),
    st.builds(lambda ms, t: pghp(2010, 6, 11, 11, 46, 11, ms, t).encode(),
              st.integers(0, 999), st.sampled_from(["00", "5C", "72", "65"])),
    st.sampled_from([b"\x00", b"\r", b"\\", b"!", b"$", b"*", b"A" * 3000, b"\xff" * 5]),
)
byte_streams = st.tuples(st.lists(line_bytes, max_size=40),
                         st.sampled_from([b"\n", b"\r\n", b"\n\n"]), st.booleans()).map(
    lambda t: t[1].join(t[0]) + (t[1] if t[2] else b""))


def _expected_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


@SETTINGS
@given(byte_streams, st.sampled_from([64, 200, 1 << 20]), st.booleans())
def test_any_bytes_are_read_and_every_line_is_accounted_for(data: bytes, chunk: int,
                                                            with_reference: bool) -> None:
    r = read(data, chunk_bytes=chunk, reference_us=REFERENCE_US if with_reference else None)
    assert r.lines == _expected_lines(data)
    assert r.accounted() == r.lines
    assert set(r.rejects.column("reason").to_pylist()) <= {x.value for x in RejectReason}
    assert set(r.skipped) <= {x.value for x in Skip}
    numbers = (r.rejects.column("source_line").to_pylist()
               + r.positions.column("source_line").to_pylist())
    assert all(1 <= n <= r.lines for n in numbers)
    assert len(set(r.positions.column("source_line").to_pylist())) == r.positions.num_rows


MULTI_PART = re.compile(r"VD[MO],[2-9],")


@SETTINGS
@given(byte_streams)
def test_strict_mode_raises_nothing_but_strict_mode_error(data: bytes) -> None:
    lenient = read(data, chunk_bytes=200)
    rejects = {(row["source_line"], row["reason"]) for row in lenient.rejects.to_pylist()}
    try:
        read(data, chunk_bytes=200, strict=True)
    except StrictModeError as err:
        assert (err.line, err.reason) in rejects
        # the first bad line, unless an earlier one is a fragment whose fate a later chunk decides
        earlier = [row for row in lenient.rejects.to_pylist() if row["source_line"] < err.line]
        assert all(MULTI_PART.search(row["raw"]) for row in earlier), earlier
    else:
        assert not rejects


# ---- (c) chunking ------------------------------------------------------------------------

POSITIONS = ["15M67FC000G?ufbE`FepT@3n00Sa", "B39H9GP0;@H136UI3ijEowU5oP06",
             "1G7lQJ001PbomTie:ms2sR@40000"]
STATICS = [("53cMa3@000010WSW?V105=<45B2222222222220t388151:9e2UiDm851DTh", "j1C32CQp888"),
           ("53m@6j01AIR4hAAV221<tE8h4p@EB2222222220T6P<445Uj0;DjhAiC`888", "88888888880")]


def _sentence(payload: str, total: int = 1, num: int = 1, seq: str = "", channel: str = "A",
              fill: int = 0, kind: str = "VDM") -> str:
    body = f"AI{kind},{total},{num},{seq},{channel},{payload},{fill}"
    return f"!{body}*{checksum(body)}"


@st.composite
def feed(draw: st.DrawFn) -> bytes:
    """A feed with multi-part messages, $PGHP times, trailing times and garbage, in any order."""
    out: list[str] = []
    pending: list[tuple[int, str]] = []  # part 2s waiting, with how many items to wait

    def time(target: str) -> str:
        return pghp(2010, 6, 11, 11, 46, draw(st.integers(0, 59)), draw(st.integers(0, 999)),
                    target)

    for _ in range(draw(st.integers(1, 40))):
        choice = draw(st.integers(0, 9))
        if choice <= 3:
            line = _sentence(draw(st.sampled_from(POSITIONS)), channel=draw(st.sampled_from("AB")),
                             kind=draw(st.sampled_from(["VDM", "VDM", "VDO"])))
            if draw(st.booleans()):
                out.append(time(draw(st.sampled_from([checksum_of(line), "00"]))))
            trailing = draw(st.integers(1_300_000_000, 1_400_000_000))
            out.append(line + (f",{trailing}" if draw(st.booleans()) else ""))
        elif choice <= 5:
            a, b = draw(st.sampled_from(STATICS))
            seq, channel = str(draw(st.integers(0, 2))), draw(st.sampled_from("AB"))
            p1 = _sentence(a, 2, 1, seq, channel)
            p2 = _sentence(b, 2, 2, seq, channel, fill=2)
            if draw(st.booleans()):
                out.append(time(format(int(checksum_of(p1), 16) ^ int(checksum_of(p2), 16),
                                       "02X")))
            out.append(p1)
            if draw(st.integers(0, 4)):  # now and then the part 2 never comes
                pending.append((draw(st.integers(0, 6)), p2))
        elif choice == 6:
            out.append(time(draw(st.sampled_from(["00", "5C", "5F"]))))
        elif choice == 7:
            out.append(draw(st.sampled_from(["", "$GPZDA,114702.51,27,01,2012,,*66", "junk",
                                             "!AIVDM,1,1,,B,,0*25", "A" * 1500])))
        else:
            out.append(draw(st.sampled_from(REAL_LINES)))
        due = [p for n, p in pending if n <= 0]
        pending = [(n - 1, p) for n, p in pending if n > 0]
        out.extend(due)
    out.extend(p for _, p in pending)
    return ("\n".join(out) + "\n").encode()


def _rows(r: Result) -> tuple[Any, ...]:
    def by_line(t: Any) -> list[dict[str, Any]]:
        return sorted(t.to_pylist(), key=lambda row: (row["source_line"], row.get("reason", "")))

    return (by_line(r.positions), by_line(r.vessel_reports), by_line(r.rejects),
            dict(r.skipped), r.lines, r.parts_joined)


@SETTINGS
@given(feed(), st.sampled_from([60, 200, 1000]), st.sampled_from([3, 200]),
       st.booleans())
def test_small_chunks_give_the_same_rows_as_one_chunk(data: bytes, chunk: int, window: int,
                                                      with_reference: bool) -> None:
    ref = REFERENCE_US if with_reference else None
    whole = read(data, reference_us=ref, window_lines=window)
    pieces = read(data, reference_us=ref, window_lines=window, chunk_bytes=chunk)
    assert _rows(pieces) == _rows(whole)


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["ais_nmea_dma_aislib/stream_example.txt",
                                  "ais_nmea_amsa_risky/exact-earth-augmented-2.txt"])
def test_real_capture_in_4_kb_chunks_gives_the_same_rows(data_dir: Path, name: str) -> None:
    data = (data_dir / name).read_bytes()
    pieces = read(data, reference_us=None, chunk_bytes=4096)
    assert pieces.batches > 30
    assert _rows(pieces) == _rows(read(data, reference_us=None))


def test_one_chunk_per_line_still_joins_and_times_a_dma_message() -> None:
    data = (b"$PGHP,1,2010,6,11,11,46,11,929,244,0,,1,72*21\n"
            b"!AIVDM,2,1,1,,53cMa3@000010WSW?V105=<45B2222222222220t388151:9e2UiDm851DTh,0*65\n"
            b"!AIVDM,2,2,1,,j1C32CQp888,2*17\n")
    r = read(data, reference_us=None, chunk_bytes=1)
    assert r.vessel_reports.column("ts").to_pylist() == [datetime(2010, 6, 11, 11, 46, 11, 929000,
                                                                  tzinfo=UTC)]
    assert (r.lines, r.parts_joined, r.rejects.num_rows) == (3, 1, 0)
    assert r.batches >= 3
