"""The DuckDB catalogue: an in-memory DuckDB whose views read exactly the committed files.

Views ``positions``, ``vessel_reports``, ``quarantine`` and ``events`` read the Parquet files of one
manifest snapshot (an empty table of the canonical schema when there are none); views
``ingests`` and ``sources`` are the manifest's records as tables. Nothing is copied.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from vesselwatch.model.events import EVENTS
from vesselwatch.model.schema import TABLES
from vesselwatch.store.manifest import Manifest

INGESTS = pa.schema(
    [
        pa.field("ingest_id", pa.string(), nullable=False),
        pa.field("started", pa.string()),
        pa.field("committed", pa.string()),
        pa.field("positions", pa.int64()),
        pa.field("vessel_reports", pa.int64()),
        pa.field("duplicates", pa.int64()),
        pa.field("rejects", pa.int64()),
        pa.field("skipped", pa.int64()),
        pa.field("lines", pa.int64()),
        pa.field("vessels", pa.int64()),
        pa.field("ts_min", pa.string()),
        pa.field("ts_max", pa.string()),
        pa.field("sources", pa.int64()),
    ]
)

SOURCES = pa.schema(
    [
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("path", pa.string()),
        pa.field("sha256", pa.string()),
        pa.field("size_bytes", pa.int64()),
        pa.field("format", pa.string()),
        pa.field("ingest_id", pa.string()),
        pa.field("positions", pa.int64()),
        pa.field("vessel_reports", pa.int64()),
        pa.field("rejects", pa.int64()),
    ]
)


def _total(value: object) -> int:
    if isinstance(value, dict):
        return sum(int(v) for v in value.values())
    return int(value) if isinstance(value, int) else 0


def ingests_table(snapshot: Manifest) -> pa.Table:
    """One row per committed ingest."""
    rows = []
    for i in snapshot.ingests:
        r = i.result
        rows.append(
            {
                "ingest_id": i.ingest_id,
                "started": i.started,
                "committed": i.committed,
                "positions": _total(r.get("positions")),
                "vessel_reports": _total(r.get("vessel_reports")),
                "duplicates": _total(r.get("duplicates")),
                "rejects": _total(r.get("rejects")),
                "skipped": _total(r.get("skipped")),
                "lines": _total(r.get("lines")),
                "vessels": _total(r.get("vessels")),
                "ts_min": r.get("ts_min"),
                "ts_max": r.get("ts_max"),
                "sources": len(r.get("sources", [])),
            }
        )
    return pa.Table.from_pylist(rows, schema=INGESTS)


def sources_table(snapshot: Manifest) -> pa.Table:
    """One row per committed source."""
    rows = [
        {
            "source_id": s.source_id,
            "path": s.path,
            "sha256": s.sha256,
            "size_bytes": s.size,
            "format": s.fmt,
            "ingest_id": s.ingest_id,
            "positions": s.positions,
            "vessel_reports": s.vessel_reports,
            "rejects": s.rejects,
        }
        for s in snapshot.sources
    ]
    return pa.Table.from_pylist(rows, schema=SOURCES)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def connect(root: Path, snapshot: Manifest) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB with the store's views over ``snapshot``."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
    except duckdb.Error:  # pragma: no cover - a DuckDB built without ICU has no time zones
        pass
    for table_name, schema in TABLES.items():
        paths = [str(root / f.path) for f in snapshot.files_of(table_name)]
        if not paths:
            con.register(table_name, schema.empty_table())
            continue
        columns = ", ".join(f'"{name}"' for name in schema.names)
        files = "[" + ", ".join(_sql_text(p) for p in paths) + "]"
        con.execute(
            f"CREATE VIEW {table_name} AS SELECT {columns} "
            f"FROM read_parquet({files}, hive_partitioning = false)"
        )
    events = [str(root / f.path) for f in snapshot.files_of("events")]
    if events:
        files = "[" + ", ".join(_sql_text(p) for p in events) + "]"
        con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet({files})")
    else:
        con.register("events", EVENTS.empty_table())
    con.register("ingests", ingests_table(snapshot))
    con.register("sources", sources_table(snapshot))
    return con
