"""Positions as the map reads them: one Arrow record batch, thinned evenly per vessel.

Columns (``docs/dashboard.md``): ``mmsi`` uint32, ``t`` uint32 epoch seconds,
``position`` fixed_size_list<float32>[2] ``[lon, lat]`` interleaved (deck.gl binary
attributes take it as it is), ``sog`` and ``cog`` float32 with NaN where unknown. No
nulls: rows without a position are left out. Pure functions over Arrow and numpy; no
Python loop per row.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["MAP_COLUMNS", "MAP_SCHEMA", "ipc_stream", "map_batch", "thin_per_vessel",
           "with_position"]

MAP_COLUMNS = ["mmsi", "ts", "lon", "lat", "sog_kn", "cog_deg"]  # read from the store
MAP_SCHEMA = pa.schema([
    pa.field("mmsi", pa.uint32(), nullable=False),
    pa.field("t", pa.uint32(), nullable=False),
    pa.field("position", pa.list_(pa.field("item", pa.float32(), nullable=False), 2),
             nullable=False),
    pa.field("sog", pa.float32(), nullable=False),
    pa.field("cog", pa.float32(), nullable=False),
])
_US_PER_S = 1_000_000


def with_position(table: pa.Table) -> pa.Table:
    """The rows that have both a latitude and a longitude."""
    if table["lat"].null_count == 0 and table["lon"].null_count == 0:
        return table
    return table.filter(pc.and_(pc.is_valid(table["lat"]), pc.is_valid(table["lon"])))


def thin_per_vessel(mmsi: npt.NDArray[np.uint32], limit: int) -> npt.NDArray[np.int64] | None:
    """Row numbers keeping at most ``limit`` rows of ``mmsi`` (sorted by vessel), or None
    when every row fits.

    Every vessel keeps at least one row (its last), so ``limit`` below the number of
    vessels gives one row per vessel. Otherwise vessel ``v`` with ``n_v`` rows keeps
    ``1 + floor((n_v - 1) * (limit - V) / (N - V))`` rows (``V`` vessels, ``N`` rows): a
    share in proportion to its rows, never more than ``limit`` in all. They are evenly
    spaced over its rows, its first and last included.
    """
    n = len(mmsi)
    if n <= limit:
        return None
    starts = np.concatenate([[0], np.flatnonzero(mmsi[1:] != mmsi[:-1]) + 1]).astype(np.int64)
    counts = np.diff(np.append(starts, n))
    vessels = len(starts)
    if limit <= vessels:
        return starts + counts - 1
    keep = 1 + ((counts - 1) * (limit - vessels)) // (n - vessels)
    first_out = np.cumsum(keep) - keep
    vessel = np.repeat(np.arange(vessels), keep)
    k = np.arange(int(keep.sum()), dtype=np.int64) - first_out[vessel]
    span, steps = counts[vessel] - 1, np.maximum(keep[vessel] - 1, 1)
    offset = np.where(keep[vessel] > 1, (k * span) // steps, span)
    rows: npt.NDArray[np.int64] = starts[vessel] + offset
    return rows


def _float32(column: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.float32]:
    """A float column as float32 with NaN for nulls."""
    filled = pc.fill_null(column.cast(pa.float32()), np.float32(np.nan))
    if isinstance(filled, pa.ChunkedArray):
        filled = filled.combine_chunks()
    out: npt.NDArray[np.float32] = filled.to_numpy(zero_copy_only=False)
    return out


def _uint32(column: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.uint32]:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    out: npt.NDArray[np.uint32] = column.to_numpy(zero_copy_only=False).astype(
        np.uint32, copy=False)
    return out


def map_batch(table: pa.Table, limit: int) -> pa.RecordBatch:
    """The map's record batch from store positions (``MAP_COLUMNS``, sorted by mmsi, ts),
    thinned to ``limit`` rows; the schema metadata says ``rows_total`` (with a position,
    before thinning), ``rows``, ``thinned``, ``t_min`` and ``t_max`` (epoch s; empty text
    when there are no rows)."""
    table = with_position(table)
    total = table.num_rows
    mmsi = _uint32(table["mmsi"])
    ts_us = table["ts"].cast(pa.int64())
    ts_us = ts_us.combine_chunks() if isinstance(ts_us, pa.ChunkedArray) else ts_us
    t_all = (ts_us.to_numpy(zero_copy_only=False) // _US_PER_S).astype(np.uint32)
    t_min = str(int(t_all.min())) if total else ""
    t_max = str(int(t_all.max())) if total else ""
    lon, lat = _float32(table["lon"]), _float32(table["lat"])
    sog, cog = _float32(table["sog_kn"]), _float32(table["cog_deg"])
    rows = thin_per_vessel(mmsi, limit)
    if rows is not None:
        mmsi, t_all = mmsi[rows], t_all[rows]
        lon, lat, sog, cog = lon[rows], lat[rows], sog[rows], cog[rows]
    xy = np.empty((len(mmsi), 2), dtype=np.float32)
    xy[:, 0], xy[:, 1] = lon, lat
    position = pa.FixedSizeListArray.from_arrays(pa.array(xy.reshape(-1)), 2)
    meta = {"rows_total": str(total), "rows": str(len(mmsi)),
            "thinned": "1" if rows is not None else "0", "t_min": t_min, "t_max": t_max}
    return pa.RecordBatch.from_arrays(
        [pa.array(mmsi), pa.array(t_all), position, pa.array(sog), pa.array(cog)],
        schema=MAP_SCHEMA.with_metadata(meta))


def ipc_stream(batch: pa.RecordBatch) -> bytes:
    """``batch`` as an Arrow IPC stream (schema, the one batch, end of stream)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    body: bytes = sink.getvalue().to_pybytes()
    return body
