"""A case's geometry as GeoParquet 1.0: the positions of the leg (points), its dark legs
(a line from each gap's OFF to its ON position) and its two ports (points), one row each,
the geometry as WKB in the ``geometry`` column with the ``geo`` file metadata (CRS: WGS 84
longitude/latitude, the GeoParquet default). Opens in QGIS, GeoPandas, DuckDB spatial."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vesselwatch.export.dossier import DossierData

__all__ = ["GEOPARQUET_SCHEMA", "geoparquet_table", "write_geoparquet"]

_TS = pa.timestamp("us", tz="UTC")
GEOPARQUET_SCHEMA = pa.schema([
    pa.field("case_id", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),  # position, dark_leg, origin, destination
    pa.field("ts", _TS),
    pa.field("end_ts", _TS),
    pa.field("name", pa.string()),
    pa.field("sog_kn", pa.float64()),
    pa.field("geometry", pa.binary(), nullable=False),  # WKB
])


def _point(lon: float, lat: float) -> bytes:
    return struct.pack("<BIdd", 1, 1, lon, lat)


def _line(points: list[tuple[float, float]]) -> bytes:
    return struct.pack("<BII", 1, 2, len(points)) + b"".join(
        struct.pack("<dd", lon, lat) for lon, lat in points)


def geoparquet_table(data: DossierData) -> pa.Table:
    """The rows of one case (see the module docstring), with the ``geo`` metadata."""
    cid = data.case["case_id"]
    rows: list[dict[str, Any]] = [
        {"case_id": cid, "kind": "position", "ts": p["ts"], "end_ts": None, "name": None,
         "sog_kn": p.get("sog_kn"), "geometry": _point(p["lon"], p["lat"])}
        for p in data.track]
    for g in data.gaps:
        d = g["details"]
        if None in (d.get("off_lat"), d.get("off_lon"), d.get("on_lat"), d.get("on_lon")):
            continue
        rows.append({"case_id": cid, "kind": "dark_leg", "ts": g["start_ts"],
                     "end_ts": g["end_ts"], "name": g.get("event_id"), "sog_kn": None,
                     "geometry": _line([(d["off_lon"], d["off_lat"]),
                                        (d["on_lon"], d["on_lat"])])})
    for port in data.ports:
        if port.get("lat") is None or port.get("lon") is None:
            continue
        role = "origin" if port["role"] == "origin" else "destination"
        rows.append({"case_id": cid, "kind": role, "ts": None, "end_ts": None,
                     "name": port["name"], "sog_kn": None,
                     "geometry": _point(port["lon"], port["lat"])})
    table = pa.Table.from_pylist(rows, schema=GEOPARQUET_SCHEMA)
    kinds = sorted({"Point" if r["kind"] != "dark_leg" else "LineString" for r in rows})
    geo = {"version": "1.0.0", "primary_column": "geometry",
           "columns": {"geometry": {"encoding": "WKB", "geometry_types": kinds}}}
    return table.replace_schema_metadata({"geo": json.dumps(geo)})


def write_geoparquet(data: DossierData, dest: Path) -> Path:
    pq.write_table(geoparquet_table(data), dest, compression="zstd")
    return dest
