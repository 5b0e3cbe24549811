"""Rows in are rows out: sorted, in the canonical schema, in the documented layout."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from storekit import crash_dataset, ingest, make_batch, positions_table, source_id_of, table_files

from vesselwatch.errors import StoreError
from vesselwatch.model.schema import POSITIONS, QUARANTINE, SCHEMA_VERSION, VESSEL_REPORTS
from vesselwatch.store import Store


def _sorted(t: pa.Table) -> pa.Table:
    keys = [("mmsi", "ascending"), ("ts", "ascending"), ("msg_hash", "ascending")]
    return t.take(pc.sort_indices(t, keys)).combine_chunks()


def _first_of_each_key(tables: list[pa.Table]) -> pa.Table:
    """Reference dedupe in plain Python: tables in source order, rows by source_line."""
    seen: set[tuple[object, ...]] = set()
    keep: list[dict[str, object]] = []
    for t in tables:
        for row in sorted(t.to_pylist(), key=lambda r: r["source_line"]):
            key = (row["mmsi"], row["ts"], row["msg_hash"])
            if key not in seen:
                seen.add(key)
                keep.append(row)
    return pa.Table.from_pylist(keep, schema=tables[0].schema)


# 70 rows: parts are spilled and each day is sorted at the commit; a million: nothing is
# spilled and the commit sorts, deduplicates and gathers each table once (the presort)
@pytest.mark.parametrize("flush_rows", [70, 1_000_000])
def test_rows_in_equal_rows_out(store: Store, flush_rows: int) -> None:
    data = crash_dataset()
    result = ingest(store, data, flush_rows=flush_rows)
    for name, schema, read in (
        ("positions", POSITIONS, store.positions),
        ("vessel_reports", VESSEL_REPORTS, store.vessel_reports),
    ):
        per_source = [pa.concat_tables(getattr(b, name) for b in parts) for parts in data.values()]
        expected = _sorted(_first_of_each_key(per_source))
        got = read()
        assert got.schema.equals(schema)
        assert got.equals(expected), name
        sent = sum(t.num_rows for t in per_source)
        assert result.duplicates[name] == sent - expected.num_rows
    assert result.duplicates["positions"] > 0  # the data set does exercise the dedupe
    quarantine = store.quarantine()
    assert quarantine.schema.equals(QUARANTINE)
    assert quarantine.num_rows == sum(result.rejects.values()) > 0
    assert result.lines == sum(b.lines for parts in data.values() for b in parts)
    assert result.skipped == {"empty_line": 12}


def test_exact_round_trip_of_unique_rows(store: Store) -> None:
    rows = [(7, 5.0, 1, 1), (3, 2.0, 2, 2), (7, 1.0, 3, 3), (19, 86_400.0 + 1, 4, 4)]
    result = ingest(store, {"a.csv": [make_batch("a.csv", rows)]})
    assert result.positions == 4 and result.duplicates["positions"] == 0
    expected = _sorted(positions_table(rows, "a.csv"))
    assert store.positions().equals(expected)
    assert result.vessels == 3
    assert result.ts_min is not None and result.ts_max is not None
    assert (result.ts_max - result.ts_min).total_seconds() == 86_400.0


def test_layout_on_disk(store: Store) -> None:
    rows = [(7, 5.0, 1, 1), (3, 2.0, 2, 2), (4, 86_400.0 + 1, 4, 3)]
    result = ingest(store, {"a.csv": [make_batch("a.csv", rows, rejects=[(9, "bad_format")])]})
    i = result.ingest_id
    assert table_files(store.path) == {
        f"positions/day=2020-06-30/bucket=03/{i}-0.parquet",  # 7 % 4 and 3 % 4
        f"positions/day=2020-07-01/bucket=00/{i}-0.parquet",
        f"quarantine/ingest={i}/{i}-0.parquet",
    }
    one = pq.read_table(store.path / f"positions/day=2020-06-30/bucket=03/{i}-0.parquet")
    assert one.column("mmsi").to_pylist() == [3, 7]  # sorted by mmsi within the file
    assert one.schema.equals(POSITIONS)  # read back by plain pyarrow, no store code
    meta = json.loads((store.path / "manifest.json").read_text())
    assert meta["schema_version"] == SCHEMA_VERSION and meta["n_buckets"] == 4
    assert {f["path"] for f in meta["files"]} == table_files(store.path)
    assert not (store.path / ".staging").exists()


def test_empty_store_answers(store: Store) -> None:
    info = store.info()
    assert info.rows == {"positions": 0, "vessel_reports": 0, "quarantine": 0, "events": 0}
    assert info.vessels == 0 and info.sources == [] and info.ingests == 0
    assert info.ts_min is None and info.schema_version == SCHEMA_VERSION
    assert json.loads(json.dumps(info.to_dict()))["n_buckets"] == 4
    assert store.positions().schema.equals(POSITIONS) and store.positions().num_rows == 0
    assert store.vessel_reports().num_rows == 0 and store.quarantine().num_rows == 0
    con = store.connect()
    for name, schema in (("positions", POSITIONS), ("vessel_reports", VESSEL_REPORTS)):
        assert con.execute(f"SELECT count(*) FROM {name}").fetchone() == (0,)
        assert [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()] == schema.names
    assert con.execute("SELECT count(*) FROM ingests").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM sources").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)


def test_views_match_committed_types(store: Store) -> None:
    empty_types = store.connect().execute("DESCRIBE positions").fetchall()
    ingest(store, {"a.csv": [make_batch("a.csv", [(7, 5.0, 1, 1)])]})
    con = store.connect()
    assert con.execute("DESCRIBE positions").fetchall() == empty_types
    assert con.execute("SELECT mmsi, source_line FROM positions").fetchall() == [(7, 1)]
    row = con.execute("SELECT source_id, positions FROM sources").fetchone()
    assert row == (source_id_of("a.csv"), 1)


def test_info_after_ingest(store: Store) -> None:
    batch = make_batch(
        "a.csv",
        [(7, 5.0, 1, 1), (3, 2.0, 2, 2)],
        [(9, 1.0, 5, 3)],
        rejects=[(4, "bad_checksum"), (5, "bad_checksum"), (6, "bad_mmsi")],
    )
    ingest(store, {"a.csv": [batch]})
    info = store.info()
    assert info.rows == {"positions": 2, "vessel_reports": 1, "quarantine": 3, "events": 0}
    assert info.vessels == 3
    assert info.quarantine == {"bad_checksum": 2, "bad_mmsi": 1}
    assert [s.source_id for s in info.sources] == [source_id_of("a.csv")]
    assert info.sources[0].positions == 2 and info.sources[0].rejects == 3
    assert info.bytes_on_disk >= info.bytes_committed > 0
    data = json.loads(json.dumps(info.to_dict()))
    assert data["ts_min"] == "2020-06-30T00:00:01+00:00"


def test_open_refuses_what_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(StoreError, match="not a vesselwatch store"):
        Store.open(tmp_path)
    with pytest.raises(StoreError, match="is a file"):
        Store.open(tmp_path / "notes.txt")
    with pytest.raises(StoreError, match="no vesselwatch store"):
        Store.open(tmp_path / "missing", create=False)
    assert not (tmp_path / "missing").exists()


def test_open_existing_keeps_its_buckets(tmp_path: Path) -> None:
    Store.open(tmp_path / "s", n_buckets=8)
    assert Store.open(tmp_path / "s").n_buckets == 8
    with pytest.raises(StoreError, match="n_buckets=8"):
        Store.open(tmp_path / "s", n_buckets=16)
    assert Store.open(tmp_path / "default").n_buckets == 4


def test_damaged_manifest_is_a_store_error(store: Store) -> None:
    (store.path / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError, match="manifest"):
        Store.open(store.path)
