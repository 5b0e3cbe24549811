"""The Parquet reader: canonical position columns in, the same validation path as CSV."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from vesselwatch.errors import InputError, StrictModeError
from vesselwatch.ingest.csv_reader import read_csv
from vesselwatch.ingest.parquet_reader import read_parquet
from vesselwatch.model.schema import POSITIONS, QUARANTINE, VESSEL_REPORTS

DATA = Path(__file__).parent / "data"
T0 = datetime(2024, 5, 1, 12, 0, 0)


def read_all(path: Path, **kw: object) -> tuple[pa.Table, pa.Table, pa.Table, Counter[str], int]:
    batches = list(read_parquet(path, "pq", **kw))  # type: ignore[arg-type]
    for b in batches:
        assert b.positions.schema.equals(POSITIONS, check_metadata=False)
        assert b.vessel_reports.schema.equals(VESSEL_REPORTS, check_metadata=False)
        assert b.rejects.schema.equals(QUARANTINE, check_metadata=False)
        assert b.positions.num_rows + b.rejects.num_rows + sum(b.skipped.values()) == b.lines
    return (
        pa.concat_tables([b.positions for b in batches]),
        pa.concat_tables([b.vessel_reports for b in batches]),
        pa.concat_tables([b.rejects for b in batches]),
        sum((b.skipped for b in batches), Counter()),
        len(batches),
    )


def write(tmp_path: Path, table: pa.Table, name: str = "p.parquet") -> Path:
    p = tmp_path / name
    pq.write_table(table, p)
    return p


def minimal(tmp_path: Path) -> Path:
    """Six rows, naive timestamps (read as UTC), plain int64 MMSIs, and four bad rows."""
    return write(
        tmp_path,
        pa.table(
            {
                "mmsi": pa.array([219000873, 219000873, None, 1234567890, 219000874, 219000875]),
                "ts": pa.array([T0, T0.replace(minute=1), T0, T0, None, T0], pa.timestamp("ms")),
                "lat": [56.0, 95.0, 56.0, 56.0, 56.0, 91.0],
                "lon": [10.0, 10.0, 10.0, 10.0, 10.0, 181.0],
                "unrelated": ["a", "b", "c", "d", "e", "f"],
            }
        ),
    )


def test_minimal_file_and_its_bad_rows(tmp_path: Path) -> None:
    pos, reports, rejects, skipped, _ = read_all(minimal(tmp_path))
    assert pos.num_rows == 2 and reports.num_rows == 0
    row, no_fix = pos.to_pylist()
    assert (no_fix["source_line"], no_fix["lat"], no_fix["lon"]) == (6, None, None)
    assert (row["mmsi"], row["ts"], row["lat"], row["lon"]) == (
        219000873,
        T0.replace(tzinfo=UTC),
        56.0,
        10.0,
    )
    assert (row["ts_source"], row["source_line"], row["source_id"]) == ("parquet", 1, "pq")
    assert row["sog_kn"] is None and row["msg_type"] is None
    got = [(r["source_line"], r["reason"]) for r in rejects.to_pylist()]
    assert got == [(2, "bad_position"), (3, "bad_mmsi"), (4, "bad_mmsi"), (5, "bad_time")]
    assert rejects.column("detail").to_pylist()[0] == "lat=95.0, lon=10.0: outside the earth"
    assert '"mmsi": null' in rejects.column("raw").to_pylist()[1]
    assert not skipped  # row 6 (91/181) is a position with null lat/lon


def test_strict_and_small_batches(tmp_path: Path) -> None:
    p = minimal(tmp_path)
    with pytest.raises(StrictModeError) as err:
        read_all(p, strict=True)
    assert (err.value.line, err.value.reason) == (2, "bad_position")
    pos, _, rejects, _, n = read_all(p, batch_rows=2)
    assert n == 3
    assert rejects.column("source_line").to_pylist() == [2, 3, 4, 5]
    assert pos.column("source_line").to_pylist() == [1, 6]


def test_missing_required_columns_are_named(tmp_path: Path) -> None:
    p = write(tmp_path, pa.table({"mmsi": [1], "ts": pa.array([T0], pa.timestamp("s"))}))
    with pytest.raises(InputError) as err:
        read_all(p)
    msg = str(err.value)
    assert "['lat', 'lon']" in msg and str(p) in msg and "\n" not in msg


def test_not_parquet_and_wrong_types(tmp_path: Path) -> None:
    csv = tmp_path / "x.parquet"
    csv.write_text("mmsi,ts\n")
    with pytest.raises(InputError, match="not a Parquet file"):
        read_all(csv)
    with pytest.raises(InputError, match="no such file"):
        read_all(tmp_path / "missing.parquet")
    bad = write(
        tmp_path,
        pa.table({"mmsi": [1], "ts": pa.array([T0], pa.timestamp("s")), "lat": [T0], "lon": [1.0]}),
    )
    with pytest.raises(InputError, match="column 'lat' has type timestamp"):
        read_all(bad)


def test_text_columns_are_read_like_csv(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        pa.table(
            {
                "mmsi": ["219000873", "x"],
                "ts": ["2024-05-01T12:00:00+02:00", "2024-05-01T12:00:00"],
                "lat": ["56.5", "56.5"],
                "lon": ["10.5", "10.5"],
                "ais_class": ["b", "A"],
                "name": ["  RIKKE HAV ", None],
            }
        ),
    )
    pos, reports, rejects, _, _ = read_all(p)
    assert pos.to_pylist()[0]["ts"] == datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)
    assert pos.column("ais_class").to_pylist() == ["B"]
    assert rejects.select(["source_line", "reason"]).to_pylist() == [
        {"source_line": 2, "reason": "bad_mmsi"}
    ]
    assert reports.column("name").to_pylist() == ["RIKKE HAV"]


@pytest.mark.realdata
def test_round_trip_of_csv_positions(tmp_path: Path, data_dir: Path) -> None:
    """Positions read from a NOAA CSV, written as Parquet and read back, are the same rows."""
    csv = data_dir / "ais_csv_noaa_aisdb" / "test_data_noaa_20230101.csv"
    (batch,) = list(read_csv(csv, "csv-src", "noaa"))
    kept = batch.positions.drop_columns(["source_id", "source_line"])
    p = write(tmp_path, kept)
    pos, _, rejects, skipped, _ = read_all(p)
    assert rejects.num_rows == 0 and not skipped
    assert pos.drop_columns(["source_id", "source_line"]).equals(kept)
    assert set(pos.column("ts_source").to_pylist()) == {"csv"}  # carried over from the file
    assert pos.column("source_line").to_pylist()[:3] == [1, 2, 3]
    # without ts_source and msg_hash columns, the reader fills them in
    p2 = write(tmp_path, kept.drop_columns(["ts_source", "msg_hash"]), "p2.parquet")
    pos2 = read_all(p2)[0]
    assert set(pos2.column("ts_source").to_pylist()) == {"parquet"}
    assert pos2.column("msg_hash").equals(pos.column("msg_hash"))  # same values, same key
    assert pc.all(pc.equal(pos2.column("mmsi"), pos.column("mmsi"))).as_py()


def test_empty_file_yields_one_empty_batch(tmp_path: Path) -> None:
    empty = {
        "mmsi": pa.array([], pa.int64()),
        "ts": pa.array([], pa.timestamp("us")),
        "lat": pa.array([], pa.float64()),
        "lon": pa.array([], pa.float64()),
    }
    pos, _, rejects, _, n = read_all(write(tmp_path, pa.table(empty)))
    assert (pos.num_rows, rejects.num_rows, n) == (0, 0, 1)


def test_nan_coordinates_and_speeds_become_nulls_and_infinities_are_rejected(
        tmp_path: Path) -> None:
    nan, inf = float("nan"), float("inf")
    path = write(tmp_path, pa.table({
        "mmsi": pa.array([219000873] * 4),
        "ts": pa.array([T0.replace(minute=m) for m in range(4)], pa.timestamp("ms")),
        "lat": [56.0, nan, 56.0, inf],
        "lon": [10.0, nan, 10.0, 10.0],
        "sog_kn": [nan, 3.0, 4.0, 5.0],
    }))
    pos, _, rejects, _, _ = read_all(path)
    got = [(r["source_line"], r["lat"], r["lon"], r["sog_kn"]) for r in pos.to_pylist()]
    assert got == [(1, 56.0, 10.0, None), (2, None, None, 3.0), (3, 56.0, 10.0, 4.0)]
    assert [(r["source_line"], r["reason"]) for r in rejects.to_pylist()] == [
        (4, "bad_position")]
