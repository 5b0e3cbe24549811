"""The vectorised encoder against two oracles: the per-message reference encoder
(``vesselwatch.ingest.nmea.encode``) sentence for sentence, and pyais's decoder field for field.
"""

from __future__ import annotations

import math
from functools import reduce
from typing import Any

import numpy as np
import pyais
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyais.constants import ShipType

from vesselwatch.ingest.nmea.encode import PositionReport, StaticReport, sentences
from vesselwatch.simulate import encode as enc

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

SIX_BIT = "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?"  # no '@' (padding)
STATION_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
SHIP_TYPES = sorted({int(s) for s in ShipType})

mmsis = st.integers(0, 999_999_999)
epochs = st.integers(315_532_800, 4_102_444_799)
stations = st.one_of(st.none(), st.text(STATION_CHARS, min_size=1, max_size=12))
channels = st.sampled_from(["A", "B"])
positions = st.fixed_dictionaries({
    "mmsi": mmsis,
    "msg_type": st.sampled_from([1, 2, 3, 18]),
    "lat": st.floats(-90, 90),
    "lon": st.floats(-180, 180),
    "sog_kn": st.one_of(st.none(), st.floats(0, 102.2)),
    "cog_deg": st.one_of(st.none(), st.floats(0, 359.94)),  # 359.95 and up wrap to 0
    "heading_deg": st.one_of(st.none(), st.integers(0, 359)),
    "nav_status": st.integers(0, 15),
    "second": st.integers(0, 60),
    "channel": channels, "station": stations, "epoch_s": epochs,
})
statics = st.fixed_dictionaries({
    "mmsi": mmsis,
    "imo": st.integers(0, 999_999_999),
    "name": st.text(SIX_BIT, max_size=20),
    "callsign": st.text(SIX_BIT, max_size=7),
    "destination": st.text(SIX_BIT, max_size=20),
    "ship_type": st.sampled_from(SHIP_TYPES),
    "to_bow": st.integers(0, 511), "to_stern": st.integers(0, 511),
    "to_port": st.integers(0, 63), "to_starboard": st.integers(0, 63),
    "draught_dm": st.integers(0, 255),
    "channel": channels, "station": stations, "epoch_s": epochs,
    "group_id": st.integers(0, 10**9),
})


def _nan(v: float | None) -> float:
    return math.nan if v is None else float(v)


def _column(rows: list[dict[str, Any]], key: str) -> list[Any]:
    return [r[key] for r in rows]


def _position_lines(rows: list[dict[str, Any]]) -> list[str]:
    q = enc.quantise_positions(*([_nan(r[k]) for r in rows] for k in
                                 ("lat", "lon", "sog_kn", "cog_deg", "heading_deg")))
    payload = enc.position_payloads(_column(rows, "msg_type"), _column(rows, "mmsi"),
                                    _column(rows, "nav_status"), _column(rows, "second"), q)
    (lines,) = enc.nmea_lines(payload, pa.array(_column(rows, "channel")),
                              _column(rows, "epoch_s"),
                              station=pa.array(_column(rows, "station"), pa.string()))
    return [str(x) for x in lines.to_pylist()]


@SETTINGS
@given(st.lists(positions, min_size=1, max_size=20))
def test_positions_equal_the_reference_encoder(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        r["second"] = 60  # the reference writes "not available"
    ours = _position_lines(rows)
    for r, line in zip(rows, ours, strict=True):
        msg = PositionReport(mmsi=r["mmsi"], lat=r["lat"], lon=r["lon"], sog_kn=r["sog_kn"],
                             cog_deg=r["cog_deg"], heading_deg=r["heading_deg"],
                             nav_status=r["nav_status"], msg_type=r["msg_type"])
        ref = sentences(msg, channel=r["channel"], epoch_s=r["epoch_s"], station=r["station"])
        assert [line] == ref


@SETTINGS
@given(st.lists(positions, min_size=1, max_size=20))
def test_pyais_decodes_positions_to_the_quantised_values(rows: list[dict[str, Any]]) -> None:
    for r, line in zip(rows, _position_lines(rows), strict=True):
        d = pyais.decode(line.encode())
        assert (d.msg_type, d.mmsi) == (r["msg_type"], r["mmsi"])
        assert d.lat == pytest.approx(round(r["lat"] * 600_000) / 600_000, abs=1e-6)
        assert d.lon == pytest.approx(round(r["lon"] * 600_000) / 600_000, abs=1e-6)
        sog, cog = r["sog_kn"], r["cog_deg"]
        assert d.speed == pytest.approx(102.3 if sog is None else round(sog * 10) / 10)
        assert d.course == pytest.approx(360.0 if cog is None else round(cog * 10) / 10)
        assert d.heading == (511 if r["heading_deg"] is None else r["heading_deg"])
        assert d.second == r["second"]
        if r["msg_type"] != 18:
            assert int(d.status) == r["nav_status"]


def _statics_arrays(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "dims": enc.quantise_statics(*(_column(rows, k) for k in
                                       ("to_bow", "to_stern", "to_port", "to_starboard")),
                                     [r["draught_dm"] / 10 for r in rows]),
        "name": enc.text_six(pa.array(_column(rows, "name")), 20),
        "callsign": enc.text_six(pa.array(_column(rows, "callsign")), 7),
        "destination": enc.text_six(pa.array(_column(rows, "destination")), 20),
    }


def _text(value: str) -> str:
    return value.upper().strip()


@SETTINGS
@given(st.lists(statics, min_size=1, max_size=12))
def test_type_5_equals_the_reference_and_pyais_reads_it(rows: list[dict[str, Any]]) -> None:
    a = _statics_arrays(rows)
    payload = enc.static_payloads(_column(rows, "mmsi"), _column(rows, "imo"), a["callsign"],
                                  a["name"], _column(rows, "ship_type"), a["destination"],
                                  a["dims"])
    parts = enc.nmea_lines(payload, pa.array(_column(rows, "channel")), _column(rows, "epoch_s"),
                           station=pa.array(_column(rows, "station"), pa.string()),
                           group_id=_column(rows, "group_id"))
    assert len(parts) == 2
    for i, r in enumerate(rows):
        ours = [str(p[i].as_py()) for p in parts]
        msg = StaticReport(mmsi=r["mmsi"], imo=r["imo"], callsign=r["callsign"], name=r["name"],
                           ship_type=r["ship_type"], to_bow_m=r["to_bow"],
                           to_stern_m=r["to_stern"], to_port_m=r["to_port"],
                           to_starboard_m=r["to_starboard"], draught_m=r["draught_dm"] / 10,
                           destination=r["destination"])
        assert ours == sentences(msg, channel=r["channel"], seq_id=r["group_id"],
                                 epoch_s=r["epoch_s"], station=r["station"])
        assert all(len(p.split(",")[5]) <= enc.MAX_PAYLOAD_CHARS for p in ours)
        d = pyais.decode(*(p.encode() for p in ours))
        assert (d.msg_type, d.mmsi, d.imo) == (5, r["mmsi"], r["imo"])
        assert (d.shipname, d.callsign, d.destination) == (
            _text(r["name"]), _text(r["callsign"]), _text(r["destination"]))
        assert int(d.ship_type) == r["ship_type"]
        assert (d.to_bow, d.to_stern, d.to_port, d.to_starboard) == (
            r["to_bow"], r["to_stern"], r["to_port"], r["to_starboard"])
        assert d.draught == pytest.approx(r["draught_dm"] / 10)
        assert (d.month, d.day, d.hour, d.minute) == enc.ETA_NA


@SETTINGS
@given(st.lists(statics, min_size=1, max_size=12))
def test_pyais_reads_type_24_parts_a_and_b(rows: list[dict[str, Any]]) -> None:
    a = _statics_arrays(rows)
    part_a, part_b = enc.class_b_static_payloads(_column(rows, "mmsi"), a["name"],
                                                 _column(rows, "ship_type"), a["callsign"],
                                                 a["dims"])
    assert (part_a.nbits, part_b.nbits) == (160, 168)
    channel = pa.array(_column(rows, "channel"))
    (lines_a,) = enc.nmea_lines(part_a, channel, _column(rows, "epoch_s"))
    (lines_b,) = enc.nmea_lines(part_b, channel, _column(rows, "epoch_s"))
    for r, la, lb in zip(rows, lines_a.to_pylist(), lines_b.to_pylist(), strict=True):
        da, db = pyais.decode(str(la).encode()), pyais.decode(str(lb).encode())
        assert (da.msg_type, da.mmsi, da.partno, da.shipname) == (
            24, r["mmsi"], 0, _text(r["name"]))
        assert (db.msg_type, db.mmsi, db.partno, db.callsign) == (
            24, r["mmsi"], 1, _text(r["callsign"]))
        assert int(db.ship_type) == r["ship_type"]
        if r["mmsi"] // 10_000_000 != 98:  # an auxiliary craft's dimensions are its mother's MMSI
            assert (db.to_bow, db.to_stern, db.to_port, db.to_starboard) == (
                r["to_bow"], r["to_stern"], r["to_port"], r["to_starboard"])


def test_quantisation_caps_wraps_and_marks_not_available() -> None:
    nan = math.nan
    q = enc.quantise_positions([nan, 45.0, -0.5 / 600_000], [nan, 181.0 - 1e-9, 0.0],
                               [nan, 150.0, 0.04], [nan, 359.96, -0.04], [nan, 359.6, -1.0])
    # 359.96 degrees rounds to 360.0, which is 0.0, not "not available"
    assert q.lat.tolist() == [91 * 600_000, 27_000_000, 0]  # half to even: -0.5 -> 0
    assert q.lon.tolist()[0] == 181 * 600_000
    assert q.sog.tolist() == [1023, 1022, 0]
    assert q.cog.tolist() == [3600, 0, 0]
    assert q.heading.tolist() == [511, 0, 359]
    assert enc.quantise_positions([0.0], [0.0], [0.0], [0.0], [511.0]).heading.tolist() == [151]
    s = enc.quantise_statics([600], [0], [70], [5], [30.0])
    assert (int(s.to_bow[0]), int(s.to_port[0]), int(s.draught[0])) == (511, 63, 255)


def test_text_outside_the_ais_alphabet_becomes_a_question_mark() -> None:
    six = enc.text_six(pa.array(["süd{x}", None, "ok"]), 7)
    assert enc.six_text(six).to_pylist() == ["S?D?X?", None, "OK"]


@given(st.lists(st.text("ABC,*!\\:019 ", min_size=0, max_size=30), max_size=20))
def test_xor_strings_is_the_nmea_checksum(texts: list[str]) -> None:
    got = enc.xor_strings(pa.array(texts, pa.string()))
    assert got.tolist() == [reduce(lambda a, c: a ^ ord(c), t, 0) for t in texts]


def test_a_two_sentence_message_needs_a_group_id() -> None:
    a = _statics_arrays([{"to_bow": 1, "to_stern": 1, "to_port": 1, "to_starboard": 1,
                          "draught_dm": 0, "name": "", "callsign": "", "destination": ""}])
    payload = enc.static_payloads([1], [0], a["callsign"], a["name"], [0], a["destination"],
                                  a["dims"])
    with pytest.raises(ValueError, match="group_id"):
        enc.nmea_lines(payload, pa.array(["A"]), [1_700_000_000])


def test_fields_that_straddle_64_bit_lanes_survive() -> None:
    # the longitude of a class A report spans bits 61..88, across the first lane boundary
    lat, lon = -53_999_999 / 600_000, -107_999_999 / 600_000
    q = enc.quantise_positions(np.array([lat]), np.array([lon]), [0.0], [0.0], [0.0])
    assert (int(q.lat[0]), int(q.lon[0])) == (-53_999_999, -107_999_999)
    p = enc.position_payloads([1], [999_999_999], [15], [59], q)
    (line,) = enc.nmea_lines(p, pa.array(["B"]), [1_700_000_000])
    d = pyais.decode(str(line[0].as_py()).encode())
    assert (d.mmsi, d.second) == (999_999_999, 59)
    assert (d.lat, d.lon) == (pytest.approx(lat, abs=1e-6), pytest.approx(lon, abs=1e-6))
