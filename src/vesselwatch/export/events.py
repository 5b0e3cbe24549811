"""Events to CSV, JSON, GeoJSON (a point per event) or Parquet (the canonical schema).

In JSON and GeoJSON, ``params`` and ``details`` are nested objects, not JSON text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from vesselwatch.export.positions import _iso_times

EVENT_FORMATS = ("csv", "json", "geojson", "parquet")


def _records(table: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _iso_times(table).to_pylist()
    for r in rows:
        r["params"] = json.loads(r["params"])
        r["details"] = json.loads(r["details"])
    return rows


def _geojson(table: pa.Table) -> dict[str, Any]:
    features = []
    for r in _records(table):
        lat, lon = r.pop("lat"), r.pop("lon")
        geometry = None if lat is None or lon is None else {"type": "Point",
                                                             "coordinates": [lon, lat]}
        features.append({"type": "Feature", "id": r["event_id"], "geometry": geometry,
                         "properties": r})
    return {"type": "FeatureCollection", "features": features}


def write_events(table: pa.Table, fmt: str, dest: str | Path | IO[bytes]) -> None:
    """Write ``table`` (EVENTS schema) as one of :data:`EVENT_FORMATS`."""
    if fmt == "parquet":
        pq.write_table(table, dest, compression="zstd")
        return
    if fmt == "csv":
        pacsv.write_csv(_iso_times(table), dest)
        return
    if fmt == "json":
        body = json.dumps(_records(table), separators=(",", ":")).encode() + b"\n"
    elif fmt == "geojson":
        body = json.dumps(_geojson(table), separators=(",", ":")).encode() + b"\n"
    else:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EVENT_FORMATS)}")
    if isinstance(dest, str | Path):
        Path(dest).write_bytes(body)
    else:
        dest.write(body)
