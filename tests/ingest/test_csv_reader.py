"""The CSV reader: NOAA, DMA and vendor layouts, every row accounted for, known answers."""

from __future__ import annotations

import gzip
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vesselwatch.errors import InputError, StrictModeError
from vesselwatch.ingest import csv_reader
from vesselwatch.ingest.columns import parse_times
from vesselwatch.ingest.csv_profile import CsvProfile, load_profile
from vesselwatch.ingest.csv_reader import read_csv
from vesselwatch.model.schema import POSITIONS, QUARANTINE, VESSEL_REPORTS

DATA = Path(__file__).parent / "data"
DMA = DATA / "dma_sample.csv"
NOAA_HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status"


@dataclass
class Read:
    positions: pa.Table
    reports: pa.Table
    rejects: pa.Table
    skipped: Counter[str]
    lines: int
    batches: int


def read_all(path: Path, profile: CsvProfile | str | Path = "noaa", **kw: object) -> Read:
    batches = list(read_csv(path, "src", profile, **kw))  # type: ignore[arg-type]
    for b in batches:
        assert b.positions.schema.equals(POSITIONS, check_metadata=False)
        assert b.vessel_reports.schema.equals(VESSEL_REPORTS, check_metadata=False)
        assert b.rejects.schema.equals(QUARANTINE, check_metadata=False)
        # every row lands in exactly one place
        accounted = b.positions.num_rows + b.rejects.num_rows + sum(b.skipped.values())
        assert accounted == b.lines
    return Read(
        pa.concat_tables([b.positions for b in batches]),
        pa.concat_tables([b.vessel_reports for b in batches]),
        pa.concat_tables([b.rejects for b in batches]),
        sum((b.skipped for b in batches), Counter()),
        sum(b.lines for b in batches),
        len(batches),
    )


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def write(tmp_path: Path, text: str, name: str = "f.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def row_of(t: pa.Table, **match: object) -> dict[str, object]:
    mask = None
    for col, value in match.items():
        m = pc.equal(t.column(col), value)
        mask = m if mask is None else pc.and_(mask, m)
    rows: list[dict[str, object]] = t.filter(mask).to_pylist()
    assert len(rows) == 1, rows
    return rows[0]


# -- DMA, hand-written sample in the real layout ------------------------------------------


def test_dma_sample_exact_counts() -> None:
    r = read_all(DMA, "dma")
    assert r.lines == 11  # lines 2..12
    # line 9 has lat/lon "not available" (91/181): a position row with null lat/lon
    assert r.positions.column("source_line").to_pylist() == [2, 3, 4, 5, 6, 9, 10]
    no_fix = row_of(r.positions, source_line=9)
    assert (no_fix["lat"], no_fix["lon"]) == (None, None)
    assert r.rejects.column("source_line").to_pylist() == [7, 8, 11]
    assert r.rejects.column("reason").to_pylist() == ["bad_time", "bad_format", "bad_value"]
    assert r.skipped == Counter({"empty_line": 1})  # line 12
    assert r.reports.num_rows == 4


def test_dma_sample_values() -> None:
    r = read_all(DMA, "dma")
    first = row_of(r.positions, source_line=2)
    assert first["mmsi"] == 219000873
    assert first["ts"] == utc(2023, 12, 31, 0, 0, 0)
    assert first["lat"] == 56.9909 and first["lon"] == 10.30465
    assert first["nav_status"] == 0 and first["ais_class"] == "A" and first["heading_deg"] == 31
    assert first["ts_source"] == "csv" and first["msg_type"] is None
    assert first["received_ts"] is None and first["source_id"] == "src"
    # day first: 01/12/2023 is the 1st of December
    tanker = row_of(r.positions, source_line=4)
    assert tanker["ts"] == utc(2023, 12, 1, 6, 0, 0) and tanker["nav_status"] == 1
    # "Unknown value" -> null status; Class B
    sailing = row_of(r.positions, source_line=5)
    assert sailing["nav_status"] is None and sailing["ais_class"] == "B"
    # a base station keeps its position, with no class
    base = row_of(r.positions, source_line=6)
    assert base["mmsi"] == 2190068 and base["ais_class"] is None
    moored = row_of(r.positions, source_line=10)
    assert moored["nav_status"] == 5


def test_dma_sample_rejects_say_why() -> None:
    rej = read_all(DMA, "dma").rejects.to_pylist()
    assert (
        rej[0]["detail"]
        == "# Timestamp='32/12/2023 00:04:00': not a time in the profile's time_format"
    )
    assert rej[0]["raw"].startswith("32/12/2023 00:04:00,Class A,219000874,")
    assert rej[1]["detail"] == "expected 26 fields, found 5"
    assert rej[1]["raw"] == "31/12/2023 00:05:00,Class A,219000875,56.000000,10.000000"
    assert rej[1]["raw_len"] == 57
    assert rej[2]["detail"] == "SOG=150.0: out of range"


def test_dma_vessel_reports_once_per_static_tuple() -> None:
    reports = read_all(DMA, "dma").reports.sort_by([("mmsi", "ascending"), ("ts", "ascending")])
    rows = reports.to_pylist()
    assert [(r["mmsi"], r["source_line"]) for r in rows] == [
        (219000873, 2),  # first sight; line 3 repeats the same tuple: no report
        (219000873, 10),  # destination changed to SKAGEN
        (219012345, 5),
        (636017000, 4),
    ]
    rikke = rows[0]
    assert rikke["imo"] is None  # "Unknown"
    assert (rikke["name"], rikke["callsign"], rikke["ship_type"]) == ("RIKKE HAV", "OXIJ2", 30)
    assert (
        rikke["to_bow_m"],
        rikke["to_stern_m"],
        rikke["to_port_m"],
        rikke["to_starboard_m"],
    ) == (
        8,
        12,
        3,
        3,
    )
    assert (rikke["length_m"], rikke["width_m"], rikke["draught_m"]) == (20.0, 6.0, 2.5)
    assert rikke["eta"] == utc(2024, 1, 1, 8, 0, 0) and rikke["destination"] == "HVIDE SANDE"
    assert rows[1]["destination"] == "SKAGEN"
    assert rows[2]["ship_type"] == 36  # Sailing
    tanker = rows[3]
    assert (tanker["imo"], tanker["ship_type"], tanker["name"]) == (9321483, 80, "NORDIC TANKER")
    assert tanker["msg_hash"] != rikke["msg_hash"]


def test_dma_strict_raises_at_first_bad_row() -> None:
    with pytest.raises(StrictModeError) as err:
        read_all(DMA, "dma", strict=True)
    e = err.value
    assert (e.line, e.reason) == (7, "bad_time")
    assert e.raw.startswith("32/12/2023 00:04:00") and e.path == str(DMA)


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 5, 100])
def test_slices_give_the_same_rows(batch_rows: int) -> None:
    whole = read_all(DMA, "dma")
    sliced = read_all(DMA, "dma", batch_rows=batch_rows)
    assert sliced.positions.equals(whole.positions)
    assert sliced.rejects.equals(whole.rejects)
    assert sliced.skipped == whole.skipped and sliced.lines == whole.lines
    assert sliced.batches >= min(11 // batch_rows, 2)
    with pytest.raises(StrictModeError, match="line 7"):
        read_all(DMA, "dma", batch_rows=batch_rows, strict=True)


def test_gz_and_zip_give_the_same_tables_as_plain(tmp_path: Path) -> None:
    gz = tmp_path / "dma.csv.gz"
    gz.write_bytes(gzip.compress(DMA.read_bytes()))
    zp = tmp_path / "dma.zip"
    with zipfile.ZipFile(zp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(DMA, "aisdk-2023-12-31.csv")
    plain = read_all(DMA, "dma")
    for p in (gz, zp):
        other = read_all(p, "dma")
        assert other.positions.equals(plain.positions)
        assert other.reports.equals(plain.reports)
        assert other.rejects.equals(plain.rejects)
        assert other.skipped == plain.skipped


# -- a vendor profile ----------------------------------------------------------------------


def test_vendor_profile() -> None:
    r = read_all(DATA / "vendor_sample.csv", DATA / "vendor_profile.toml")
    assert r.lines == 5
    pos = r.positions.to_pylist()
    assert [p["source_line"] for p in pos] == [2, 3, 4]
    # Europe/Copenhagen local time: CET in March, CEST in July; epoch seconds as fallback
    assert [p["ts"] for p in pos] == [utc(2024, 3, 1, 12, 0, 0), utc(2024, 7, 1, 12, 0, 0)] + [
        utc(2024, 3, 1, 12, 0, 0)
    ]
    assert pos[0]["sog_kn"] == pytest.approx(5.0 * 1.943844, abs=1e-5)  # m/s -> kn
    assert [p["ais_class"] for p in pos] == ["A", "A", "B"]  # CS -> B
    assert [(x["source_line"], x["reason"]) for x in r.rejects.to_pylist()] == [
        (5, "bad_mmsi"),
        (6, "bad_value"),
    ]
    assert r.rejects.column("detail").to_pylist() == [
        "mmsi_number='abc': not an MMSI (1-9 digits)",
        "speed_mps='fast': not a number",
    ]
    # a quoted name holding the delimiter; "n/a" and 0 are no values
    assert r.reports.select(["mmsi", "name", "imo", "source_line"]).to_pylist() == [
        {"mmsi": 219000873, "name": "NORDIC; STAR", "imo": 9321483, "source_line": 2}
    ]


# -- small hand-made NOAA files ------------------------------------------------------------


# One bad value per row; the comment gives the line number.
BAD_ROWS = [
    "367000001,2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,A,,,70,0",  # 2 ok
    "3670000010,2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,A,,,70,0",  # 3 10 digits
    ",2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,A,,,70,0",  # 4 empty mmsi
    "367000001,,40.1,-74.1,1.0,10.0,10,A,,,70,0",  # 5 empty time
    "367000001,2023-02-30T00:00:00,40.1,-74.1,1.0,10.0,10,A,,,70,0",  # 6 30 Feb
    "367000001,2023-01-11T00:00:00,north,-74.1,1.0,10.0,10,A,,,70,0",  # 7 lat text
    "367000001,2023-01-11T00:00:00,95.0,-74.1,1.0,10.0,10,A,,,70,0",  # 8 lat range
    "367000001,2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,400,A,,,70,0",  # 9 heading
    "367000001,2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,A,,,70,99",  # 10 status
    "367000001,2023-01-11T00:00:00,40.1,-74.1,fast,10.0,10,A,,,70,0",  # 11 sog text
    "367000001,2023-01-11T00:00:00,91,181,1.0,10.0,10,A,,,70,0",  # 12 n/a
    "367000001,2023-01-11 00:00:01.5Z,40.1,-74.1,102.3,360,511,A,,,70,0",  # 13 ok
]


def test_bad_values_are_quarantined_with_column_and_value(tmp_path: Path) -> None:
    p = write(tmp_path, "\n".join([NOAA_HEADER, *BAD_ROWS]) + "\n")
    r = read_all(p)
    assert r.positions.column("source_line").to_pylist() == [2, 12, 13]  # 12: lat/lon n/a
    got = {x["source_line"]: (x["reason"], x["detail"]) for x in r.rejects.to_pylist()}
    assert got == {
        3: ("bad_mmsi", "MMSI='3670000010': not an MMSI (1-9 digits)"),
        4: ("bad_mmsi", "MMSI is empty"),
        5: ("bad_time", "BaseDateTime is empty"),
        6: (
            "bad_time",
            "BaseDateTime='2023-02-30T00:00:00': not a time in the profile's time_format",
        ),
        7: ("bad_position", "LAT='north': not a number"),
        8: ("bad_position", "LAT=95.0, LON=-74.1: outside the earth"),
        9: ("bad_value", "Heading=400.0: out of range"),
        10: ("bad_value", "Status=99.0: out of range"),
        11: ("bad_value", "SOG='fast': not a number"),
    }
    assert not r.skipped
    last = row_of(r.positions, source_line=13)
    assert last["ts"] == datetime(2023, 1, 11, 0, 0, 1, 500_000, tzinfo=UTC)
    assert (last["sog_kn"], last["cog_deg"], last["heading_deg"]) == (None, None, None)


def test_quotes_crlf_bad_bytes_and_blank_lines(tmp_path: Path) -> None:
    p = tmp_path / "q.csv"
    p.write_bytes(
        (NOAA_HEADER + "\r\n").encode()
        + b'367000001,2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,"SEA, WIND",IMO9307839,,70,0\r\n'
        + b"\r\n"
        + b",,,,,,,,,,,\r\n"
        + b'367000002,2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,"QUOTED",,,70,0\r\n'
        + b"367000003,2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,BAD\xff NAME,,,70,0\r\n"
        + b'367000004,2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,"UNCLOSED,,,70,0\r\n'
    )
    p2 = tmp_path / "ragged_quote.csv"  # a quoted delimiter that still leaves too many fields
    p2.write_bytes(
        (NOAA_HEADER + "\n").encode()
        + b'367000005,2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,"A, B",X,,,70,0\n'
    )
    r = read_all(p)
    assert r.lines == 6
    assert r.positions.column("source_line").to_pylist() == [2, 5, 6, 7]
    assert r.skipped == Counter({"empty_line": 2})
    names = dict(zip(r.reports.column("mmsi").to_pylist(), r.reports.column("name").to_pylist()))
    assert names == {
        367000001: "SEA, WIND",
        367000002: "QUOTED",
        367000003: "BAD\ufffd NAME",
        367000004: '"UNCLOSED',  # a stray quote stays in the text; it never eats later lines
    }
    r2 = read_all(p2)
    assert r2.rejects.select(["source_line", "reason", "detail"]).to_pylist() == [
        {"source_line": 2, "reason": "bad_format", "detail": "expected 12 fields, found 14"}
    ]


def test_duplicate_rows_share_a_hash(tmp_path: Path) -> None:
    row = "367000001,2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,A,,,70,0"
    other = "367000001,2023-01-11T00:00:00,40.1,-74.1,1.1,10.0,10,A,,,70,0"
    p = write(tmp_path, "\n".join([NOAA_HEADER, row, other, row, " " + row.replace(",", " ,")]))
    h = read_all(p).positions.column("msg_hash").to_pylist()
    assert h[0] == h[2] == h[3] and h[0] != h[1]
    assert h == read_all(p).positions.column("msg_hash").to_pylist()  # stable


def test_header_only_and_missing_columns(tmp_path: Path) -> None:
    r = read_all(write(tmp_path, NOAA_HEADER + "\n"))
    assert (r.lines, r.positions.num_rows, r.batches) == (0, 0, 1)
    with pytest.raises(InputError) as err:
        read_all(write(tmp_path, "MMSI,BaseDateTime,Latitude,LON\n1,2,3,4\n"))
    msg = str(err.value)
    assert "lat as one of ['lat']" in msg and "'MMSI,BaseDateTime,Latitude,LON'" in msg
    assert "noaa" in msg and "\n" not in msg
    with pytest.raises(InputError, match="first line is empty"):
        read_all(write(tmp_path, "\n" + NOAA_HEADER + "\n"))
    with pytest.raises(InputError, match="no such file"):
        read_all(tmp_path / "missing.csv")


def test_ragged_rows_keep_their_line_numbers_across_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_reader, "_BLOCK_BYTES", 1 << 12)  # many small pyarrow blocks
    lines = [NOAA_HEADER]
    ragged, blank = set(), set()
    for i in range(2, 3002):
        if i % 97 == 0:
            lines.append(f"{i},oops")
            ragged.add(i)
        elif i % 89 == 0:
            lines.append("")
            blank.add(i)
        else:  # the MMSI holds the line number, so each row says where it was
            lines.append(f"{367000000 + i},2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,N,,,70,0")
    p = write(tmp_path, "\n".join(lines) + "\n")
    r = read_all(p, batch_rows=250)
    assert r.batches > 5
    assert r.lines == 3000
    assert set(r.rejects.column("source_line").to_pylist()) == ragged
    assert r.skipped == Counter({"empty_line": len(blank)})
    got = np.array(r.positions.column("source_line").to_pylist())
    assert np.array_equal(got, np.array(r.positions.column("mmsi").to_pylist()) - 367000000)
    assert len(got) == 3000 - len(ragged) - len(blank)


_TEXT = st.text(st.characters(exclude_characters="\r\n", exclude_categories=["Cs"]), max_size=60)
_BYTES = st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
_FIELDS = st.lists(
    st.sampled_from(["367000001", "2023-01-11T00:00:00", "40.1", "-74.1", "", '"', "1e9", ","]),
    min_size=0,
    max_size=14,
).map(lambda xs: ",".join(xs).encode())


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(extra=st.lists(st.one_of(_TEXT.map(str.encode), _BYTES, _FIELDS), max_size=12))
def test_arbitrary_rows_never_crash_and_are_all_accounted(
    tmp_path: Path, extra: list[bytes]
) -> None:
    good = b"367000001,2023-01-11T00:00:00,40.1,-74.1,1.0,10.0,10,A,,,70,0"
    p = tmp_path / "fuzz.csv"
    p.write_bytes((NOAA_HEADER + "\n").encode() + b"\n".join([good, *extra]) + b"\n")
    r = read_all(p, batch_rows=4)
    expected_rows = 1 + len(extra)
    assert r.lines == expected_rows
    assert r.positions.num_rows + r.rejects.num_rows + sum(r.skipped.values()) == expected_rows
    placed = (
        r.positions.column("source_line").to_pylist() + r.rejects.column("source_line").to_pylist()
    )
    assert len(set(placed)) == len(placed)
    assert set(placed) <= set(range(2, expected_rows + 2))
    assert 2 in r.positions.column("source_line").to_pylist()


# -- real NOAA MarineCadastre files --------------------------------------------------------


@pytest.mark.realdata
def test_noaa_aisdb_sample(data_dir: Path) -> None:
    r = read_all(data_dir / "ais_csv_noaa_aisdb" / "test_data_noaa_20230101.csv")
    pos = r.positions
    assert (r.lines, pos.num_rows, r.rejects.num_rows) == (1000, 1000, 0)
    assert len(set(pos.column("mmsi").to_pylist())) == 1000
    assert pc.min(pos.column("ts")).as_py() == utc(2023, 1, 11, 0, 0, 0)
    assert pc.max(pos.column("ts")).as_py() == utc(2023, 1, 11, 23, 59, 1)
    # "not available" values: SOG 102.3 (4 rows), COG 360.0 (90), Heading 511 (426)
    assert pos.column("sog_kn").null_count == 4
    assert pos.column("cog_deg").null_count == 90
    assert pos.column("heading_deg").null_count == 426
    assert Counter(pos.column("ais_class").to_pylist()) == Counter({"A": 954, "B": 46})
    # one report per vessel except two whose static columns are all empty or zero
    assert r.reports.num_rows == 998
    msc = row_of(r.reports, mmsi=636021061)
    assert (msc["imo"], msc["name"], msc["callsign"]) == (9307839, "MSC NAISHA III", "5LCB4")
    assert (msc["ship_type"], msc["length_m"], msc["width_m"], msc["draught_m"]) == (
        70,
        208.0,
        30.0,
        8.0,
    )
    # null IMO: empty in 558 rows, IMO0000000 in 22, ten digits (IMO1050000000...) in 4;
    # the two rows without a report are among them
    assert r.reports.column("imo").null_count == 558 + 22 + 4 - 2
    msc_pos = row_of(pos, mmsi=636021061)
    assert (msc_pos["sog_kn"], msc_pos["heading_deg"], msc_pos["nav_status"]) == (
        pytest.approx(8.8),
        270,
        8,
    )


@pytest.mark.realdata
def test_noaa_ny_harbour_signed_cog(data_dir: Path) -> None:
    r = read_all(
        data_dir / "ais_tracks_marinecadastre_tracktable" / "NYHarbor_2020_06_30_first_hour.csv"
    )
    pos = r.positions
    assert (pos.num_rows, r.rejects.num_rows) == (8689, 0)
    assert len(set(pos.column("mmsi").to_pylist())) == 295
    first, second = pos.slice(0, 2).to_pylist()
    assert first["mmsi"] == 367000140 and first["cog_deg"] == pytest.approx(349.0)  # -60.6
    assert second["cog_deg"] == pytest.approx(347.8, abs=1e-4)  # -61.8
    assert pos.column("cog_deg").null_count == 777  # -49.6 -> 360.0 = not available
    assert pc.min(pos.column("cog_deg")).as_py() >= 0.0
    assert Counter(pos.column("ais_class").to_pylist()) == Counter({"A": 2058, "B": 6631})
    sam = r.reports.filter(pc.equal(r.reports.column("mmsi"), 367000140))
    assert set(sam.column("name").to_pylist()) == {"SAMUEL I NEWHOUSE"}
    assert set(sam.column("imo").to_pylist()) == {7702774}
    # 4,989 rows carry an IMO, 664 of them IMO0000000
    with_imo = pc.is_valid(r.reports.column("imo"))
    assert r.reports.filter(with_imo).num_rows < r.reports.num_rows


@pytest.mark.realdata
def test_noaa_us_coastal_tracks(data_dir: Path) -> None:
    r = read_all(data_dir / "ais_tracks_marinecadastre_tracktable" / "US_coastal_2020_06_30.csv")
    pos = r.positions
    assert (pos.num_rows, r.rejects.num_rows, r.reports.num_rows) == (235_967, 0, 0)
    assert len(set(pos.column("mmsi").to_pylist())) == 1185
    assert pc.min(pos.column("lat")).as_py() == pytest.approx(18.2, abs=0.05)
    assert pc.max(pos.column("lat")).as_py() == pytest.approx(60.3, abs=0.05)
    assert pc.min(pos.column("ts")).as_py().strftime("%H:%M") == "00:22"
    assert pc.max(pos.column("ts")).as_py().strftime("%H:%M") == "23:38"
    assert pos.column("source_line").to_pylist()[:3] == [2, 3, 4]


@pytest.mark.realdata
def test_noaa_ny_harbour_week_in_small_batches(data_dir: Path) -> None:
    path = data_dir / "ais_tracks_marinecadastre_tracktable" / "NYHarbor_2020_12_first_week.csv"
    r = read_all(path, batch_rows=50_000)
    assert r.batches == 4
    assert (r.positions.num_rows, len(set(r.positions.column("mmsi").to_pylist()))) == (
        172_679,
        140,
    )
    lines = np.array(r.positions.column("source_line").to_pylist())
    assert np.array_equal(lines, np.arange(2, 172_681))


def test_builtin_profiles_load() -> None:
    noaa, dma = load_profile("noaa"), load_profile("dma")
    assert noaa.cog_signed_12bit and not dma.cog_signed_12bit
    assert dma.values["nav_status"]["power-driven vessel pushing ahead or towing alongside"] == 12
    assert dma.values["ship_type"]["cargo"] == 70 and "undefined" not in dma.values["ship_type"]
    assert noaa.columns["ais_class"] == ("transceiverclass", "transcieverclass")


def test_bad_profile_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown keys"):
        load_profile(write(tmp_path, 'nmae = "x"\n', "p.toml"))
    with pytest.raises(InputError, match="not valid TOML"):
        load_profile(write(tmp_path, "name = \n", "p.toml"))
    with pytest.raises(InputError, match="required columns"):
        load_profile(write(tmp_path, '[columns]\nmmsi = ["id"]\n', "p.toml"))
    with pytest.raises(InputError, match="unknown columns"):
        load_profile(write(tmp_path, '[columns]\nspeed = ["x"]\n', "p.toml"))
    cols = '[columns]\nmmsi = "m"\nts = "t"\nlat = "y"\nlon = "x"\n'
    assert load_profile(write(tmp_path, cols, "p.toml")).columns["lat"] == ("y",)
    with pytest.raises(InputError, match="time_zone"):
        load_profile(write(tmp_path, 'time_zone = "Mars/Olympus"\n' + cols, "p.toml"))
    with pytest.raises(InputError, match="cannot read the CSV profile"):
        load_profile(tmp_path / "nope.toml")
    assert re.search("built-in", str(pytest.raises(InputError, load_profile, "nope").value))


def test_huge_field_is_a_reject_with_its_length(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        'MMSI,BaseDateTime,LAT,LON\n1,"'
        + "x" * 200_000
        + ",3\n367000001,2023-01-01T00:00:00,1,2\n",
    )
    r = read_all(p)
    assert (r.lines, r.positions.num_rows) == (2, 1)
    (rej,) = r.rejects.to_pylist()
    assert (rej["source_line"], rej["reason"], rej["raw_len"]) == (2, "bad_format", 200_005)
    assert len(rej["raw"]) == 4096  # RAW_KEEP_CHARS


@pytest.mark.parametrize(
    ("text", "formats", "dayfirst", "tz", "expected"),
    [
        ("2023-01-11T00:00:00", ["iso"], False, "UTC", utc(2023, 1, 11)),
        ("2023-01-11 00:00", ["iso"], False, "UTC", utc(2023, 1, 11)),
        (
            "2023-01-11T00:00:00.25Z",
            ["iso"],
            False,
            "UTC",
            datetime(2023, 1, 11, 0, 0, 0, 250_000, UTC),
        ),
        ("2023-01-11T02:00:00+02:00", ["iso"], False, "UTC", utc(2023, 1, 11)),
        ("2023-01-11T02:00:00-0130", ["iso"], False, "UTC", utc(2023, 1, 11, 3, 30)),
        ("2023-01-11T01:00:00", ["iso"], False, "Europe/Copenhagen", utc(2023, 1, 11)),
        ("2023-02-29T00:00:00", ["iso"], False, "UTC", None),  # not a leap year
        ("2024-02-29T00:00:00", ["iso"], False, "UTC", utc(2024, 2, 29)),
        ("2023-01-11T24:00:00", ["iso"], False, "UTC", None),
        ("11/01/2023 00:00:00", ["auto"], True, "UTC", utc(2023, 1, 11)),
        ("01/11/2023 00:00:00", ["auto"], False, "UTC", utc(2023, 1, 11)),
        ("31/04/2023 00:00:00", ["%d/%m/%Y %H:%M:%S"], True, "UTC", None),  # 30 days in April
        ("1/2/2023 3:04:05", ["%d/%m/%Y %H:%M:%S"], True, "UTC", utc(2023, 2, 1, 3, 4, 5)),
        ("1673395200", ["epoch_s"], False, "UTC", utc(2023, 1, 11)),
        ("1673395200000", ["epoch_ms"], False, "UTC", utc(2023, 1, 11)),
        ("yesterday", ["iso", "epoch_s"], False, "UTC", None),
    ],
)
def test_time_formats(
    text: str, formats: list[str], dayfirst: bool, tz: str, expected: datetime | None
) -> None:
    (got,) = parse_times(pa.array([text]), formats, dayfirst, tz).to_pylist()
    assert got == expected
