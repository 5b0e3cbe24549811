"""``read_nmea`` end to end: decoded fields with known answers, what is kept, skipped or
quarantined, strict mode, and bulk input that is half garbage.

Payloads marked "by hand" are built bit by bit here from the ITU-R M.1371-5 layouts, so
the expected values are the ones written into them.
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from nmeakit import (
    REFERENCE_US,
    Result,
    armour,
    checksum,
    read,
    sentence,
    six_bit_text,
    tag_block,
    u,
)

from vesselwatch.errors import StrictModeError
from vesselwatch.ingest.nmea import read_nmea
from vesselwatch.model.schema import plain

TYPE1 = "15M67FC000G?ufbE`FepT@3n00Sa"  # gpsd / pyais README example


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def run(*lines: str, **kwargs: object) -> Result:
    return read("\n".join(lines).encode() + b"\n", **kwargs)  # type: ignore[arg-type]


def type1(*, mmsi: int = 244_123_456, status: int = 0, rot: int = 0, sog: int = 123,
          accuracy: int = 1, lon: int = 2_520_000, lat: int = 31_800_000, cog: int = 2_705,
          heading: int = 270, msg_type: int = 1) -> str:
    """A class A position report by hand; units are the raw ones (1/10 kn, 1/10000 min...)."""
    bits = (u(msg_type, 6) + u(0, 2) + u(mmsi, 30) + u(status, 4) + u(rot, 8) + u(sog, 10)
            + u(accuracy, 1) + u(lon, 28) + u(lat, 27) + u(cog, 12) + u(heading, 9) + u(30, 6)
            + u(0, 2) + u(0, 3) + u(0, 1) + u(0, 19))
    payload, fill = armour(bits)
    return sentence(payload, fill=fill)


def one_position(line: str) -> dict[str, object]:
    r = run(line)
    assert r.rejects.num_rows == 0, r.rejects.to_pylist()
    assert r.positions.num_rows == 1
    return r.positions.to_pylist()[0]


def one_reject(line: str, **kwargs: object) -> dict[str, object]:
    r = run(line, **kwargs)
    assert r.positions.num_rows == r.vessel_reports.num_rows == 0
    assert r.rejects.num_rows == 1
    return r.rejects.to_pylist()[0]


# ---- known answers ---------------------------------------------------------------------


def test_published_type_1() -> None:
    row = one_position(sentence(TYPE1, channel="B"))
    expected = {
        "mmsi": 366053209, "msg_type": 1, "ais_class": "A", "nav_status": 3,
        "lat": 37.802118, "lon": -122.341618, "sog_kn": 0.0, "cog_deg": pytest.approx(219.3),
        "heading_deg": 1, "rot_deg_min": 0.0, "position_accuracy": False, "channel": "B",
        "ts": datetime.fromtimestamp(REFERENCE_US / 1e6, UTC), "ts_source": "reference",
    }
    assert {k: row[k] for k in expected} == expected


def test_type_1_by_hand() -> None:
    # 53 N (31,800,000 / 600,000), 4.2 E, 12.3 kn, 270.5 deg, heading 270, moored
    row = one_position(type1(status=5))
    assert (row["lat"], row["lon"]) == (53.0, 4.2)
    assert (row["sog_kn"], row["cog_deg"], row["heading_deg"]) == (
        pytest.approx(12.3), pytest.approx(270.5), 270)
    assert (row["nav_status"], row["position_accuracy"], row["mmsi"]) == (5, True, 244_123_456)


@pytest.mark.parametrize("msg_type", [2, 3])
def test_types_2_and_3_share_the_layout(msg_type: int) -> None:
    row = one_position(type1(msg_type=msg_type))
    assert (row["msg_type"], row["lat"], row["ais_class"]) == (msg_type, 53.0, "A")


@pytest.mark.parametrize("raw,deg_min", [
    (0, 0.0),
    (10, 4.5),  # (10 / 4.733)^2 = 4.464
    (-10, -4.5),
    (126, 708.7),  # (126 / 4.733)^2 = 708.69
    (127, None),  # turning right, more than 5 deg / 30 s, no turn indicator
    (-127, None),
    (-128, None),  # not available
])
def test_rate_of_turn(raw: int, deg_min: float | None) -> None:
    got = one_position(type1(rot=raw))["rot_deg_min"]
    assert got == (None if deg_min is None else pytest.approx(deg_min, abs=1e-4))


def test_southern_and_western_coordinates() -> None:
    # -33.856 = -20,313,600 / 600,000 ; -151.215 = -90,729,000 / 600,000
    row = one_position(type1(lat=-20_313_600, lon=-90_729_000))
    assert (row["lat"], row["lon"]) == (-33.856, -151.215)


def test_not_available_values_become_nulls() -> None:
    row = one_position(type1(lat=91 * 600_000, lon=181 * 600_000, sog=1023, cog=3600,
                             heading=511, rot=-128))
    assert [row[k] for k in ("lat", "lon", "sog_kn", "cog_deg", "heading_deg", "rot_deg_min")] \
        == [None] * 6


@pytest.mark.parametrize("fields,reason", [
    ({"lat": 95 * 600_000}, "bad_position"),
    ({"lat": -91 * 600_000}, "bad_position"),
    ({"lon": -190 * 600_000}, "bad_position"),
    ({"cog": 3601}, "bad_value"),
    ({"heading": 360}, "bad_value"),
    ({"heading": 510}, "bad_value"),
    ({"mmsi": 1_000_000_000}, "bad_mmsi"),
])
def test_out_of_range_values_are_rejects(fields: dict[str, int], reason: str) -> None:
    assert one_reject(type1(**fields))["reason"] == reason


def test_highest_valid_values_are_kept() -> None:
    row = one_position(type1(sog=1022, cog=3599, heading=359, lat=90 * 600_000,
                             lon=-180 * 600_000))
    assert (row["sog_kn"], row["cog_deg"], row["heading_deg"], row["lat"], row["lon"]) == (
        pytest.approx(102.2), pytest.approx(359.9), 359, 90.0, -180.0)


def test_type_27_long_range_by_hand() -> None:
    # 1/10 minute units: 59.5 N = 35,700 ; 10.25 E = 6,150 ; 14 kn ; 90 deg ; under way
    bits = (u(27, 6) + u(0, 2) + u(257_000_111, 30) + u(1, 1) + u(0, 1) + u(0, 4)
            + u(6_150, 18) + u(35_700, 17) + u(14, 6) + u(90, 9) + u(0, 1) + u(0, 1))
    payload, fill = armour(bits)
    row = one_position(sentence(payload, fill=fill))
    assert (row["msg_type"], row["lat"], row["lon"], row["sog_kn"], row["cog_deg"]) == (
        27, 59.5, 10.25, 14.0, 90.0)
    assert (row["nav_status"], row["position_accuracy"], row["heading_deg"]) == (0, True, None)


def test_type_27_not_available() -> None:
    bits = (u(27, 6) + u(0, 2) + u(257_000_111, 30) + u(0, 1) + u(0, 1) + u(15, 4)
            + u(181 * 600, 18) + u(91 * 600, 17) + u(63, 6) + u(511, 9) + u(0, 1) + u(0, 1))
    payload, fill = armour(bits)
    row = one_position(sentence(payload, fill=fill))
    assert [row[k] for k in ("lat", "lon", "sog_kn", "cog_deg")] == [None] * 4


def test_type_24_parts_by_hand() -> None:
    a, fa = armour(u(24, 6) + u(0, 2) + u(338_123_456, 30) + u(0, 2)
                   + six_bit_text("SEA BREEZE", 20) + u(0, 8))
    b, fb = armour(u(24, 6) + u(0, 2) + u(338_123_456, 30) + u(1, 2) + u(37, 8) + u(0, 18)
                   + u(0, 4) + u(0, 20) + six_bit_text("WDA1234", 7) + u(8, 9) + u(4, 9)
                   + u(2, 6) + u(1, 6) + u(0, 6))
    r = run(sentence(a, fill=fa), sentence(b, fill=fb))
    rows = r.vessel_reports.to_pylist()
    assert [(x["part"], x["name"], x["callsign"], x["ship_type"]) for x in rows] == [
        (0, "SEA BREEZE", None, None), (1, None, "WDA1234", 37)]
    assert (rows[1]["length_m"], rows[1]["width_m"], rows[1]["ais_class"]) == (12.0, 3.0, "B")


def test_type_24_of_an_auxiliary_craft_has_no_dimensions() -> None:
    # 98MIDxxxx craft send their mother ship's MMSI where others send dimensions
    b, fb = armour(u(24, 6) + u(0, 2) + u(983_381_234, 30) + u(1, 2) + u(37, 8) + u(0, 42)
                   + six_bit_text("WDA1234", 7) + u(338_123_456, 30) + u(0, 6))
    row = run(sentence(b, fill=fb)).vessel_reports.to_pylist()[0]
    assert [row[k] for k in ("to_bow_m", "to_stern_m", "length_m")] == [None, None, None]


@pytest.mark.parametrize("part", [2, 3])
def test_type_24_parts_other_than_a_and_b_are_bad_value(part: int) -> None:
    b, fb = armour(u(24, 6) + u(0, 2) + u(338_123_456, 30) + u(part, 2) + u(0, 128))
    assert one_reject(sentence(b, fill=fb))["reason"] == "bad_value"


# ---- skipped and quarantined messages -----------------------------------------------------


def test_truncated_payload_keeps_its_text() -> None:
    line = sentence(TYPE1[:20])
    row = one_reject(line)
    assert (row["reason"], row["raw"]) == ("truncated_payload", line)


@pytest.mark.parametrize("first_char", ["0", "w", "L"])  # types 0, 63 and 28
def test_unknown_message_type(first_char: str) -> None:
    assert one_reject(sentence(first_char + TYPE1[1:]))["reason"] == "unknown_msg_type"


@pytest.mark.parametrize("payload", [
    "85Mwp`1Kf3aCnsNvBWLi=wQuNhA5t43N`5nCuI=p<IBfVqnMgPGs",  # type 8 (pyais docs)
    "E>jHC=c6:W2h22R`@1:WdP00000Opa@H?KTcP10888e?N0",  # type 21 aid to navigation
])
def test_types_not_stored_are_counted_as_skipped(payload: str) -> None:
    r = run(sentence(payload))
    assert r.rejects.num_rows == r.positions.num_rows == 0
    assert r.skipped == {"other_msg_type": 1}


def test_empty_payload_is_counted_as_skipped() -> None:
    r = run("!AIVDM,1,1,,B,,0*25")
    assert r.rejects.num_rows == 0
    assert r.skipped == {"empty_payload": 1}


def test_payload_character_outside_the_alphabet_is_bad_payload() -> None:
    assert one_reject(sentence(TYPE1[:10] + "X" + TYPE1[11:]))["reason"] == "bad_payload"


def test_no_clock_and_no_reference_time_is_no_timestamp_with_a_hint() -> None:
    row = one_reject(sentence(TYPE1), reference_us=None)
    assert row["reason"] == "no_timestamp"
    assert "--reference-time" in str(row["detail"])


def test_clock_before_1980_is_bad_time() -> None:
    assert one_reject(tag_block(c="315532799") + sentence(TYPE1))["reason"] == "bad_time"


# ---- strict mode ------------------------------------------------------------------------


def test_strict_mode_raises_on_the_first_bad_line_with_its_number() -> None:
    lines = [sentence(TYPE1), "$GPZDA,114702.51,27,01,2012,,*66", sentence(TYPE1)[:-1] + "D",
             "garbage"]
    with pytest.raises(StrictModeError) as err:
        run(*lines, strict=True)
    assert (err.value.line, err.value.reason, err.value.raw) == (3, "bad_checksum", lines[2])
    assert "line 3" in str(err.value) and "--strict" in str(err.value)


def test_strict_mode_counts_lines_across_chunks() -> None:
    good = sentence(TYPE1)
    lines = [good] * 500 + ["!AIVDM,1,1,,B,,0*26"] + [good] * 10
    with pytest.raises(StrictModeError) as err:
        run(*lines, strict=True, chunk_bytes=1_000)
    assert err.value.line == 501


def test_strict_mode_names_a_message_reject_by_the_line_of_part_1() -> None:
    with pytest.raises(StrictModeError) as err:
        run("", sentence(TYPE1), strict=True, reference_us=None)
    assert (err.value.line, err.value.reason) == (2, "no_timestamp")


def test_strict_mode_passes_clean_input() -> None:
    assert run(sentence(TYPE1), "", "$GPZDA,114702.51,27,01,2012,,*66", strict=True).lines == 3


# ---- streams ----------------------------------------------------------------------------


def test_empty_stream_yields_nothing() -> None:
    assert list(read_nmea(io.BytesIO(b""), "test")) == []


def test_last_line_without_newline_is_read() -> None:
    r = read(sentence(TYPE1).encode())
    assert (r.lines, r.positions.num_rows) == (1, 1)


def test_source_id_and_lines_on_every_row() -> None:
    r = run("", sentence(TYPE1), "junk")
    assert r.positions.column("source_id").to_pylist() == ["test"]
    assert r.positions.column("source_line").to_pylist() == [2]
    assert r.rejects.column("source_line").to_pylist() == [3]


# ---- real captures ----------------------------------------------------------------------

REAL = [
    "ais_nmea_amsa_risky/ais.nmea",
    "ais_nmea_amsa_risky/exact-earth-augmented.txt",
    "ais_nmea_amsa_risky/exact-earth-augmented-2.txt",
    "ais_nmea_dma_aislib/stream_example.txt",
    "ais_nmea_pyais/nmea_data_sample.txt",
]


@pytest.mark.realdata
@pytest.mark.parametrize("name", REAL)
def test_every_line_of_a_real_capture_is_accounted_for(data_dir: Path, name: str) -> None:
    data = (data_dir / name).read_bytes()
    r = read(data, reference_us=None)
    assert r.lines == data.count(b"\n") + (not data.endswith(b"\n"))
    assert r.accounted() == r.lines


@pytest.mark.realdata
def test_real_captures_have_the_documented_decodes(data_dir: Path) -> None:
    # counts from the data folder's PROVENANCE.md (pyais 3.3.1): 4,033 messages, no errors,
    # of which positions 2511 + 369 + 129 + 101 (types 1, 3, 4, 18) and more (2, 9)
    dma = read((data_dir / "ais_nmea_dma_aislib/stream_example.txt").read_bytes(),
               reference_us=None)
    types = pc.value_counts(dma.positions.column("msg_type")).to_pylist()
    counts = {d["values"]: d["counts"] for d in types}
    assert {t: counts[t] for t in (1, 3, 4, 18)} == {1: 2511, 3: 369, 4: 129, 18: 101}
    assert dma.rejects.num_rows == 0
    assert set(dma.positions.column("ts_source").to_pylist()) == {"pghp"}
    # pyais's sample: 100 empty payloads, 778 messages
    sample = read((data_dir / "ais_nmea_pyais/nmea_data_sample.txt").read_bytes())
    assert sample.skipped["empty_payload"] == 100


def _comparable(t: pa.Table) -> pa.Table:
    t = plain(t).drop_columns(["source_line"])  # dictionary-encoded text as strings
    keys = [(c, "ascending") for c in t.column_names if c not in ("station", "channel",
                                                                  "mmsi_issue", "ais_class")]
    return t.take(pc.sort_indices(t, keys)).combine_chunks()


def _damage(rng: random.Random, line: bytes) -> bytes:
    """A broken copy of a real line, or noise; never a line that still decodes."""
    kind = rng.randrange(8)
    star = line.rfind(b"*")
    body_end = star + 3 if star >= 0 else len(line)  # never touch a trailing receive time
    if kind == 0 and body_end > 1:  # one character changed: checksum or format breaks
        i = rng.randrange(body_end)
        # (not a change of case: "*7a" is the same checksum as "*7A")
        new = rng.choice([c for c in b"!$,*0AZaz09?`\\" if chr(c).upper() != chr(line[i]).upper()])
        return line[:i] + bytes([new]) + line[i + 1:]
    if kind == 1 and body_end > 2:  # cut short
        return line[: rng.randrange(1, body_end - 1)]
    if kind == 2:  # binary noise, NULs and stray carriage returns included
        alphabet = b"\x00\r\t !AIVDM,*\x7f\xff\xc3"
        return bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 120)))
    if kind == 3:  # a fragment of a message nobody sends the rest of
        body = f"AIVDM,{rng.randrange(3, 10)},2,{rng.randrange(10)},A,{TYPE1},0"
        return f"!{body}*{checksum(body)}".encode()
    if kind == 4:  # two lines run together
        return line[: max(body_end // 2, 1)] + line
    if kind == 5:
        return b""
    if kind == 6 and rng.random() < 0.002:  # now and then a line of 100 kB
        return b"!AIVDM,1,1,,A," + rng.randbytes(100_000).replace(b"\n", b"x")
    return line[::-1]  # reversed


@pytest.mark.realdata
def test_200k_lines_half_garbage_keep_every_position_of_the_intact_half(data_dir: Path) -> None:
    real = (data_dir / "ais_nmea_amsa_risky/ais.nmea").read_bytes().splitlines()
    rng = random.Random(20240611)
    # the intact half: the capture in order, then again, 100k lines; a $PGHP line stays
    # right before the sentence it times (units are never split by garbage)
    intact = (real * 3)[:100_000]
    units: list[list[bytes]] = []
    for line in intact:
        if units and units[-1][-1].startswith(b"$PGHP"):
            units[-1].append(line)
        else:
            units.append([line])
    garbage = [_damage(rng, rng.choice(real)) for _ in range(100_000)]
    slots = sorted(rng.sample(range(len(units) + len(garbage)), len(garbage)))
    mixed: list[bytes] = []
    g = u_i = 0
    for k in range(len(units) + len(garbage)):
        if g < len(slots) and slots[g] == k:
            mixed.append(garbage[g])
            g += 1
        else:
            mixed.extend(units[u_i])
            u_i += 1
    assert len(mixed) == 200_000

    alone = read(b"\n".join(intact) + b"\n", chunk_bytes=1 << 20)
    both = read(b"\n".join(mixed) + b"\n", chunk_bytes=1 << 20)
    assert both.lines == 200_000
    assert both.accounted() == both.lines
    assert alone.positions.num_rows > 60_000
    assert _comparable(both.positions).equals(_comparable(alone.positions))
    assert _comparable(both.vessel_reports).equals(_comparable(alone.vessel_reports))
    # every garbage line is a reject or a skip
    extra = (both.rejects.num_rows - alone.rejects.num_rows
             + sum(both.skipped.values()) - sum(alone.skipped.values()))
    assert extra == 100_000

