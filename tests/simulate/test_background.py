"""Background traffic: real positions read from a MarineCadastre-style CSV or a Parquet file,
cut to the scenario's window, bad rows left out and counted."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from vesselwatch.errors import InputError
from vesselwatch.simulate.background import BackgroundRows, read_background

NY_WEEK = ("ais_tracks_marinecadastre_tracktable", "NYHarbor_2020_12_first_week.csv")
# PROVENANCE.md of that folder: 172,679 points, 140 MMSIs, 2020-12-01 04:49 to 12-07 23:29 UTC
NY_ROWS, NY_VESSELS = 172_679, 140


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def ny_week(data_dir: Path) -> Path:
    path = data_dir.joinpath(*NY_WEEK)
    if not path.is_file():
        pytest.skip(f"{path} not found in the real data folder")
    return path


@pytest.fixture(scope="module")
def ny_rows(ny_week: Path) -> list[dict[str, str]]:
    """The file read with the csv module: an independent count."""
    with ny_week.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# -- the real NY Harbor week ------------------------------------------------------------------

@pytest.mark.realdata
def test_a_window_over_the_whole_week_keeps_every_row(ny_week: Path) -> None:
    got = read_background(ny_week, start_s=epoch("2020-12-01T00:00:00"),
                          end_s=epoch("2020-12-08T00:00:00"), shift_to_start=False)
    table = got.positions
    assert (table.num_rows, got.vessels, got.dropped) == (NY_ROWS, NY_VESSELS, 0)
    assert len(pc.unique(table["mmsi"])) == NY_VESSELS
    first, last = pc.min(table["ts"]).as_py(), pc.max(table["ts"]).as_py()
    assert first.strftime("%Y-%m-%d %H:%M") == "2020-12-01 04:49"
    assert last.strftime("%Y-%m-%d %H:%M") == "2020-12-07 23:29"
    # NY Harbor's box, to the hundredth as PROVENANCE.md gives it
    box = [round(pc.min_max(table[c])[k].as_py(), 2) for c in ("lat", "lon")
           for k in ("min", "max")]
    assert box == [40.38, 40.88, -74.33, -73.64]
    # the file has no SOG, so none is invented
    assert np.isnan(table["sog_kn"].to_numpy()).all()
    assert table.schema.field("mmsi").type == pa.uint32()
    assert table.schema.field("ts").type == pa.timestamp("us", tz="UTC")


@pytest.mark.realdata
@pytest.mark.parametrize(("start", "end"), [
    ("2020-12-03T00:00:00", "2020-12-05T12:00:00"),
    ("2020-12-01T04:49:45", "2020-12-01T12:00:00"),  # from the first row on, that row kept
    ("2020-12-07T23:00:00", "2020-12-07T23:29:51"),  # up to the last row, that row left out
])
def test_a_narrower_window_drops_exactly_the_rows_outside_it(
        ny_week: Path, ny_rows: list[dict[str, str]], start: str, end: str) -> None:
    inside = [r for r in ny_rows if start <= r["BaseDateTime"] < end]  # ISO text sorts as time
    got = read_background(ny_week, start_s=epoch(start), end_s=epoch(end),
                          shift_to_start=False)
    assert got.positions.num_rows == len(inside) > 0
    assert got.dropped == len(ny_rows) - len(inside)
    assert got.vessels == len({r["MMSI"] for r in inside})
    assert sorted(got.positions["mmsi"].to_pylist()) == sorted(int(r["MMSI"]) for r in inside)
    ts = got.positions["ts"]
    assert pc.min(ts).as_py() >= utc(start) and pc.max(ts).as_py() < utc(end)


@pytest.mark.realdata
def test_shift_to_start_moves_the_first_position_to_the_start(
        ny_week: Path, ny_rows: list[dict[str, str]]) -> None:
    start = epoch("2023-09-07T00:00:00")
    whole = read_background(ny_week, start_s=epoch("2020-12-01T00:00:00"),
                            end_s=epoch("2020-12-08T00:00:00"), shift_to_start=False)
    moved = read_background(ny_week, start_s=start, end_s=start + 7 * 86400,
                            shift_to_start=True)
    assert moved.positions.num_rows == NY_ROWS and moved.dropped == 0
    assert pc.min(moved.positions["ts"]).as_py() == utc("2023-09-07T00:00:00")
    # every row moved by one offset: the first row's time to the start
    offset_us = (start - epoch("2020-12-01T04:49:45")) * 1_000_000
    before = whole.positions["ts"].cast(pa.int64()).to_numpy()
    after = moved.positions["ts"].cast(pa.int64()).to_numpy()
    assert (after - before == offset_us).all()
    # a 3-day scenario keeps the first 3 days after the first row
    short = read_background(ny_week, start_s=start, end_s=start + 3 * 86400,
                            shift_to_start=True)
    assert short.positions.num_rows == sum(r["BaseDateTime"] < "2020-12-04T04:49:45"
                                           for r in ny_rows)


@pytest.mark.realdata
def test_parquet_with_canonical_columns_reads_the_same_as_the_csv(
        ny_week: Path, tmp_path: Path) -> None:
    raw = pacsv.read_csv(ny_week)
    parquet = tmp_path / "ny.parquet"
    pq.write_table(pa.table({
        "mmsi": raw["MMSI"], "lat": raw["LAT"], "lon": raw["LON"],
        "ts": raw["BaseDateTime"].cast(pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC")),
    }), parquet)
    def read(path: Path) -> BackgroundRows:
        return read_background(path, start_s=epoch("2020-12-02T00:00:00"),
                               end_s=epoch("2020-12-06T00:00:00"), shift_to_start=False)

    from_csv, from_parquet = read(ny_week), read(parquet)
    assert (from_parquet.dropped, from_parquet.vessels) == (from_csv.dropped, from_csv.vessels)
    a, b = from_csv.positions, from_parquet.positions
    assert a.num_rows == b.num_rows > 100_000
    for name in ("mmsi", "ts", "lat", "lon"):
        assert a[name].equals(b[name]), name


# -- small hand-written files ------------------------------------------------------------------

GOOD = """\
MMSI,BaseDateTime,LAT,LON,SOG
366000001,2020-12-01T00:00:00,40.5,-74.0,5.5
366000002,2020-12-01T00:30:00,40.6,-74.1,102.3
366000001,2020-12-01T01:00:00,40.51,-74.01,
"""
BAD_ROWS = """\
0,2020-12-01T00:10:00,40.5,-74.0,5.0
1234567890,2020-12-01T00:11:00,40.5,-74.0,5.0
366000003,2020-12-01T00:12:00,95.0,-74.0,5.0
366000003,2020-12-01T00:13:00,,-74.0,5.0
366000003,2020-12-01T00:14:00,40.5,-181.0,5.0
366000003,not a time,40.5,-74.0,5.0
366000003,,40.5,-74.0,5.0
"""


def read_day(path: Path) -> BackgroundRows:
    """The positions of 2020-12-01, unshifted."""
    return read_background(path, start_s=epoch("2020-12-01T00:00:00"),
                           end_s=epoch("2020-12-02T00:00:00"), shift_to_start=False)


def write(tmp_path: Path, text: str, name: str = "traffic.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_rows_are_read_as_written(tmp_path: Path) -> None:
    got = read_day(write(tmp_path, GOOD))
    assert (got.positions.num_rows, got.dropped, got.vessels) == (3, 0, 2)
    rows = got.positions.to_pylist()
    assert [(r["mmsi"], r["ts"], r["lat"], r["lon"]) for r in rows] == [
        (366000001, utc("2020-12-01T00:00:00"), 40.5, -74.0),
        (366000002, utc("2020-12-01T00:30:00"), 40.6, -74.1),
        (366000001, utc("2020-12-01T01:00:00"), 40.51, -74.01),
    ]
    sog = got.positions["sog_kn"].to_numpy()
    assert sog[0] == 5.5 and np.isnan(sog[1:]).all()  # 102.3 kn means "not available"


def test_bad_rows_are_dropped_and_counted(tmp_path: Path) -> None:
    lines = GOOD.splitlines(keepends=True)
    text = lines[0] + lines[1] + BAD_ROWS + "".join(lines[2:])
    got = read_day(write(tmp_path, text))
    assert got.dropped == len(BAD_ROWS.splitlines()) == 7
    assert got.vessels == 2
    good = read_day(write(tmp_path, GOOD, "good.csv")).positions
    for name in ("mmsi", "ts", "lat", "lon"):
        assert got.positions[name].equals(good[name]), name
    np.testing.assert_array_equal(got.positions["sog_kn"], good["sog_kn"])  # NaN as NaN


def test_rows_outside_the_window_are_counted_as_dropped(tmp_path: Path) -> None:
    got = read_background(write(tmp_path, GOOD), start_s=epoch("2020-12-01T00:00:01"),
                          end_s=epoch("2020-12-01T01:00:00"), shift_to_start=False)
    assert got.positions["mmsi"].to_pylist() == [366000002]
    assert (got.dropped, got.vessels) == (2, 1)


def test_a_csv_without_a_lat_column_is_refused_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("LAT", "LATITUDE"))
    with pytest.raises(InputError) as err:
        read_day(path)
    assert str(err.value).startswith(f"{path}: no lat column (looked for lat)")
    assert "MMSI, time, LAT and LON" in str(err.value)


def test_a_file_that_is_not_there_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read background traffic"):
        read_day(tmp_path / "missing.csv")


@pytest.mark.parametrize("ts_type", [
    pa.timestamp("s"), pa.timestamp("ms"), pa.timestamp("us", tz="UTC"), pa.timestamp("ns"),
    pa.string(),
], ids=str)
def test_parquet_reads_the_same_as_the_csv_whatever_its_time_type(
        tmp_path: Path, ts_type: pa.DataType) -> None:
    stamps = ["2020-12-01T00:00:00", "2020-12-01T00:30:00", "2020-12-01T01:00:00"]
    ts = pa.array(stamps) if ts_type == pa.string() else pa.array(
        [utc(s) for s in stamps], pa.timestamp("us", tz="UTC")).cast(ts_type)
    path = tmp_path / "traffic.parquet"
    pq.write_table(pa.table({"mmsi": pa.array([366000001, 366000002, 366000001], pa.int64()),
                             "ts": ts, "lat": [40.5, 40.6, 40.51],
                             "lon": [-74.0, -74.1, -74.01]}), path)
    from_parquet = read_day(path)
    from_csv = read_day(write(tmp_path, GOOD))
    assert (from_parquet.dropped, from_parquet.vessels) == (0, 2)
    for name in ("mmsi", "ts", "lat", "lon"):
        assert from_parquet.positions[name].equals(from_csv.positions[name]), name
    assert np.isnan(from_parquet.positions["sog_kn"].to_numpy()).all()  # no SOG column


def test_a_text_mmsi_is_dropped_and_counted(tmp_path: Path) -> None:
    lines = GOOD.splitlines(keepends=True)
    text = lines[0] + "ABC,2020-12-01T00:10:00,40.5,-74.0,5.0\n" + "".join(lines[1:])
    got = read_day(write(tmp_path, text))
    assert (got.positions.num_rows, got.dropped) == (3, 1)


def test_a_time_with_a_utc_offset_is_converted_to_utc(tmp_path: Path) -> None:
    text = GOOD.replace("2020-12-01T01:00:00", "2020-12-01T06:00:00+05:00")
    got = read_day(write(tmp_path, text))
    assert got.positions["ts"].to_pylist()[2] == utc("2020-12-01T01:00:00")
