"""Positions for the map and the timeline: the Arrow stream, its JSON twin, and counts per
time bin of positions and events."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta
from typing import Annotated

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter, Query
from starlette.responses import Response

from vesselwatch.engine import ALL_EVENT_TYPES
from vesselwatch.model.times import EPOCH, to_us, utc_iso
from vesselwatch.web.jsonable import json_response, listing
from vesselwatch.web.params import (
    DashboardDep,
    EndQuery,
    MmsiQuery,
    StartQuery,
    parse_bbox,
    time_range,
    vessels,
)
from vesselwatch.web.positions_arrow import (
    MAP_COLUMNS,
    ipc_stream,
    map_batch,
    thin_per_vessel,
    with_position,
)
from vesselwatch.web.state import Dashboard

__all__ = ["ARROW_STREAM", "router"]

router = APIRouter(tags=["positions"])
log = logging.getLogger(__name__)

ARROW_STREAM = "application/vnd.apache.arrow.stream"
DEFAULT_MAP_LIMIT = 8_000_000
DEFAULT_JSON_LIMIT = 10_000
_ROUNDED = ("sog_kn", "cog_deg")  # float32 in the store: 3 decimals, not float32 noise
BBoxQuery = Annotated[str | None, Query(
    description="minlon,minlat,maxlon,maxlat in degrees (edges included; minlon > maxlon "
    "crosses the antimeridian).")]


def _positions(board: Dashboard, mmsi: list[int] | None, start: str | None, end: str | None,
               bbox: str | None) -> pa.Table:
    t0, t1 = time_range(start, end)
    return board.engine.positions(vessels(mmsi), t0, t1, columns=MAP_COLUMNS,
                                  bbox=parse_bbox(bbox))


@router.get("/api/positions.arrow", response_class=Response,
            responses={200: {"content": {ARROW_STREAM: {}},
                             "description": "An Arrow IPC stream of one record batch."}})
def positions_arrow(
    board: DashboardDep, start: StartQuery = None, end: EndQuery = None,
    mmsi: MmsiQuery = None, bbox: BBoxQuery = None,
    limit: Annotated[int, Query(ge=1, description="At most this many rows, thinned evenly "
                                "per vessel (every vessel keeps one row at least).")
                     ] = DEFAULT_MAP_LIMIT,
) -> Response:
    """Positions sorted by (mmsi, t) as one Arrow record batch: mmsi, t (epoch s),
    position [lon, lat] float32, sog, cog (NaN where unknown)."""
    if start is None and end is None and not mmsi and bbox is None:  # the map's first load
        body = board.cached(map_stream_key(limit), lambda: map_stream(board, limit))
    else:
        body = ipc_stream(map_batch(_positions(board, mmsi, start, end, bbox), limit))
    return Response(body, media_type=ARROW_STREAM, headers={"Cache-Control": "no-store"})


def map_stream_key(limit: int = DEFAULT_MAP_LIMIT) -> str:
    return f"positions.arrow?limit={limit}"


def map_stream(board: Dashboard, limit: int = DEFAULT_MAP_LIMIT) -> bytes:
    """Every position as the map loads it first (no filter): built once per store state,
    and at start-up (:func:`warm_map_stream`), so that a page's first request is answered
    from memory."""
    return ipc_stream(map_batch(_positions(board, None, None, None, None), limit))


def warm_map_stream(board: Dashboard) -> None:
    """Build the map's stream ahead of the first page (run in a thread at start-up)."""
    try:
        board.cached(map_stream_key(), lambda: map_stream(board))
    except Exception:  # the request that needs it will build it and report what failed
        log.debug("could not build the map's positions ahead of time", exc_info=True)


@router.get("/api/positions")
def positions_json(
    board: DashboardDep, start: StartQuery = None, end: EndQuery = None,
    mmsi: MmsiQuery = None, bbox: BBoxQuery = None,
    limit: Annotated[int, Query(ge=1, le=1_000_000)] = DEFAULT_JSON_LIMIT,
) -> Response:
    """The rows of positions.arrow as JSON items ``{mmsi, ts, lon, lat, sog, cog}``;
    ``total`` counts them before thinning."""
    table = with_position(_positions(board, mmsi, start, end, bbox))
    total = table.num_rows
    rows = thin_per_vessel(table["mmsi"].to_numpy(), limit) if total else None
    if rows is not None:
        table = table.take(pa.array(rows))
    cols = {name: (pc.round(table[name].cast(pa.float64()), 3) if name in _ROUNDED
                   else table[name]).to_pylist() for name in MAP_COLUMNS}
    items = [{"mmsi": m, "ts": ts, "lon": lon, "lat": lat, "sog": sog, "cog": cog}
             for m, ts, lon, lat, sog, cog in zip(*(cols[n] for n in MAP_COLUMNS))]
    return listing(items, total, thinned=rows is not None)


@router.get("/api/timeline")
def timeline(
    board: DashboardDep,
    bins: Annotated[int, Query(ge=1, le=10_000)] = 200,
    start: StartQuery = None, end: EndQuery = None, mmsi: MmsiQuery = None,
) -> Response:
    """Positions (with a position) and events (by the bin of their start) per time bin over
    [start, end) (default: the time span of the store's positions)."""
    t0, t1 = time_range(start, end)
    wanted = vessels(mmsi)
    span = _data_span(board)
    if t0 is None:
        t0 = span[0] if span else None
    if t1 is None:
        t1 = span[1] if span else None
    if t0 is None or t1 is None or t1 <= t0:
        return json_response({"start": utc_iso(t0) if t0 else None,
                              "end": utc_iso(t1) if t1 else None, "bin_s": None,
                              "positions": [0] * bins if t0 and t1 else [], "events": {}})
    bin_s = max(1, math.ceil((t1 - t0).total_seconds() / bins))
    return json_response({
        "start": utc_iso(t0), "end": utc_iso(t1), "bin_s": bin_s,
        "positions": _position_counts(board, t0, t1, bin_s, bins, wanted),
        "events": _event_counts(board, t0, t1, bin_s, bins, wanted),
    })


def _data_span(board: Dashboard) -> tuple[datetime, datetime] | None:
    """[first second, last second + 1 s) of the store's positions, from the manifest."""
    files = board.engine.store.snapshot().files_of("positions")
    lows = [f.ts_min_us for f in files if f.ts_min_us is not None]
    highs = [f.ts_max_us for f in files if f.ts_max_us is not None]
    if not lows or not highs:
        return None
    first = EPOCH + timedelta(seconds=min(lows) // 1_000_000)
    last = EPOCH + timedelta(seconds=max(highs) // 1_000_000 + 1)
    return first, last


def _position_counts(board: Dashboard, t0: datetime, t1: datetime, bin_s: int, bins: int,
                     mmsi: list[int] | None) -> list[int]:
    start_us, bin_us = to_us(t0), bin_s * 1_000_000
    only = f" and mmsi in ({', '.join(str(int(m)) for m in mmsi)})" if mmsi else ""
    con = board.engine.store.connect()
    try:
        found = con.execute(
            f"select (epoch_us(ts) - {start_us}) // {bin_us} as bin, count(*) as n "
            "from positions where ts >= ? and ts < ? and lat is not null and lon is not null"
            f"{only} group by bin", [t0.astimezone(UTC), t1.astimezone(UTC)]).fetchall()
    finally:
        con.close()
    counts = [0] * bins
    for b, n in found:
        counts[int(b)] = int(n)
    return counts


def _event_counts(board: Dashboard, t0: datetime, t1: datetime, bin_s: int, bins: int,
                  mmsi: list[int] | None) -> dict[str, list[int]]:
    if not board.detected:
        return {}
    events = board.engine.events(mmsi=mmsi, start=t0, end=t1)
    start_ts = events["start_ts"]
    inside = events.filter(pc.greater_equal(start_ts, pa.scalar(t0, start_ts.type)))
    offset_us = inside["start_ts"].cast(pa.int64()).to_numpy() - to_us(t0)
    idx = offset_us // (bin_s * 1_000_000)
    kinds = np.asarray(inside["event_type"].to_pylist(), dtype=object)
    out: dict[str, list[int]] = {}
    for kind in ALL_EVENT_TYPES:
        counts: list[int] = np.bincount(idx[kinds == kind], minlength=bins)[:bins].tolist()
        out[kind] = counts
    return out
