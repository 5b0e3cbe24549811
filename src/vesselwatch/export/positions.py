"""Positions to CSV (ISO 8601 times), Parquet (canonical schema) or GeoJSON points."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ISO_FORMAT = "%Y-%m-%dT%H:%M:%S"


def _iso_times(table: pa.Table) -> pa.Table:
    """Timestamp columns as ISO 8601 text in UTC (``2023-09-01T00:00:10.000000Z``)."""
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type):
            # %S carries the fraction of a second for microsecond timestamps
            text = pc.binary_join_element_wise(pc.strftime(table.column(i), format=ISO_FORMAT), "Z", "")
            table = table.set_column(i, f.name, text)
    return table


def _features(table: pa.Table) -> Any:
    plain = _iso_times(table)
    names = [n for n in plain.column_names if n not in ("lat", "lon")]
    lat = table.column("lat").to_pylist()
    lon = table.column("lon").to_pylist()
    props = plain.select(names).to_pylist()
    for la, lo, p in zip(lat, lon, props):
        geometry = None if la is None or lo is None else {"type": "Point", "coordinates": [lo, la]}
        yield {"type": "Feature", "geometry": geometry, "properties": p}


def write_positions(table: pa.Table, fmt: str, dest: str | Path | IO[bytes]) -> None:
    """Write ``table`` as ``csv``, ``parquet`` or ``geojson`` to a path or a binary stream."""
    if fmt == "parquet":
        pq.write_table(table, dest, compression="zstd")
    elif fmt == "csv":
        pacsv.write_csv(_iso_times(table), dest)
    elif fmt == "geojson":
        if isinstance(dest, (str, Path)):
            with open(dest, "wb") as f:
                _write_geojson(table, f)
        else:
            _write_geojson(table, dest)
    else:
        raise ValueError(f"unknown export format {fmt!r}")


def _write_geojson(table: pa.Table, f: IO[bytes]) -> None:
    f.write(b'{"type":"FeatureCollection","features":[')
    for i, feature in enumerate(_features(table)):
        if i:
            f.write(b",")
        f.write(json.dumps(feature, separators=(",", ":")).encode())
    f.write(b"]}\n")
