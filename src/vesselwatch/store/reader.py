"""Reading rows back: prune partitions through the manifest, then scan only what is left.

A query names vessels (``mmsi``) and a half-open time window ``[start, end)``. Files are
pruned by UTC day, by bucket (``mmsi % n_buckets``), and by the mmsi and ts ranges recorded
for each file in the manifest; the remaining files are scanned with the same filter (plus a
``bbox`` on lat/lon, if given), reading only the ``columns`` asked for, and the rows are
returned sorted by ``(mmsi, ts)``.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.errors import StoreError
from vesselwatch.model.schema import QUARANTINE, TABLES, TS
from vesselwatch.store.layout import QUARANTINE_TABLE, as_utc, day_of
from vesselwatch.store.manifest import DataFile, Manifest

if TYPE_CHECKING:  # pyarrow.dataset loads on the first read: an ingest never needs it
    import pyarrow.dataset as ds

_US = timedelta(microseconds=1)
_UINT32_MAX = 2**32 - 1
_SORT_KEYS = ("mmsi", "ts", "msg_hash")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(when: datetime) -> int:
    return (as_utc(when) - _EPOCH) // _US


def select_files(
    snapshot: Manifest,
    table_name: str,
    mmsi: Sequence[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[DataFile]:
    """The committed files of ``table_name`` that may hold rows matching the query."""
    files = snapshot.files_of(table_name)
    if start is not None:
        first_day, start_us = day_of(start), _micros(start)
        files = [
            f
            for f in files
            if (f.day is None or f.day >= first_day)
            and (f.ts_max_us is None or f.ts_max_us >= start_us)
        ]
    if end is not None:
        last_day, end_us = day_of(as_utc(end) - _US), _micros(end)
        files = [
            f
            for f in files
            if (f.day is None or f.day <= last_day)
            and (f.ts_min_us is None or f.ts_min_us < end_us)
        ]
    if mmsi is not None:
        wanted = _valid(mmsi)
        buckets = {m % snapshot.n_buckets for m in wanted}
        files = [f for f in files if f.bucket in buckets and _any_between(wanted, f)]
    return files


def _valid(mmsi: Sequence[int]) -> list[int]:
    """The distinct values that can be an mmsi column value (uint32), ascending."""
    return sorted({int(m) for m in mmsi if 0 <= int(m) <= _UINT32_MAX})


def _any_between(wanted: list[int], f: DataFile) -> bool:
    if f.mmsi_min is None or f.mmsi_max is None:
        return True
    i = bisect.bisect_left(wanted, f.mmsi_min)
    return i < len(wanted) and wanted[i] <= f.mmsi_max


def read_rows(
    root: Path,
    snapshot: Manifest,
    table_name: str,
    mmsi: Sequence[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    columns: Sequence[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> pa.Table:
    """Rows of ``table_name`` for ``mmsi`` in ``[start, end)``, sorted by ``(mmsi, ts)``.

    ``columns``: only these (default: all, in schema order). ``bbox``: (min_lon, min_lat,
    max_lon, max_lat) in degrees, edges included, for tables with ``lat``/``lon``; rows
    without a position are left out; ``min_lon > max_lon`` crosses the antimeridian.
    """
    schema = TABLES[table_name]
    names = list(schema.names if columns is None else columns)
    unknown = [n for n in names if n not in schema.names]
    if unknown:
        raise StoreError(f"{table_name} has no column {unknown[0]!r}; its columns are "
                         f"{', '.join(schema.names)}")
    if start is not None and end is not None and as_utc(end) <= as_utc(start):
        return _empty(schema, names)
    files = select_files(snapshot, table_name, mmsi, start, end)
    if not files:
        return _empty(schema, names)
    condition: ds.Expression | None = None
    for clause in [*_clauses(mmsi, start, end), *_bbox_clauses(bbox)]:
        condition = clause if condition is None else condition & clause
    read = list(dict.fromkeys([*names, *_SORT_KEYS]))
    rows = _scan(root, files, schema, condition, read)
    if rows.num_rows > 1:
        order = pc.sort_indices(rows, [(k, "ascending") for k in _SORT_KEYS])
        rows = rows.take(order)
    return rows.select(names).combine_chunks()


def _empty(schema: pa.Schema, names: list[str]) -> pa.Table:
    return schema.empty_table().select(names)


def _bbox_clauses(bbox: tuple[float, float, float, float] | None) -> list[ds.Expression]:
    if bbox is None:
        return []
    import pyarrow.dataset as ds

    min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
    lat, lon = ds.field("lat"), ds.field("lon")
    in_lon = ((lon >= min_lon) & (lon <= max_lon)) if min_lon <= max_lon else \
        ((lon >= min_lon) | (lon <= max_lon))
    return [(lat >= min_lat) & (lat <= max_lat), in_lon]


def _clauses(
    mmsi: Sequence[int] | None, start: datetime | None, end: datetime | None
) -> list[ds.Expression]:
    import pyarrow.dataset as ds

    clauses: list[ds.Expression] = []
    if mmsi is not None:
        clauses.append(ds.field("mmsi").isin(pa.array(_valid(mmsi), pa.uint32())))
    if start is not None:
        clauses.append(ds.field("ts") >= pa.scalar(as_utc(start), TS))
    if end is not None:
        clauses.append(ds.field("ts") < pa.scalar(as_utc(end), TS))
    return clauses


def _scan(
    root: Path, files: list[DataFile], schema: pa.Schema, condition: ds.Expression | None,
    columns: list[str] | None = None,
) -> pa.Table:
    import pyarrow.dataset as ds

    paths = [str(root / f.path) for f in files]
    try:
        dataset = ds.dataset(paths, schema=schema, format="parquet")
        return dataset.to_table(columns=columns, filter=condition)
    except (OSError, pa.ArrowInvalid) as e:
        raise StoreError(
            f"cannot read committed files of {root} ({e}); the store is damaged: restore the "
            "missing files from a backup"
        ) from None


def read_quarantine(root: Path, snapshot: Manifest) -> pa.Table:
    """Every quarantined row, sorted by ``(source_id, source_line)``."""
    files = snapshot.files_of(QUARANTINE_TABLE)
    if not files:
        return QUARANTINE.empty_table()
    rows = _scan(root, files, QUARANTINE, None)
    order = pc.sort_indices(rows, [("source_id", "ascending"), ("source_line", "ascending")])
    return rows.take(order).combine_chunks()
