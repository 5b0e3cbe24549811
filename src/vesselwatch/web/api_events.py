"""Events of the latest detection run: the filtered, sorted, paged list and one event."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter, Query
from starlette.responses import Response

from vesselwatch.model.times import utc_iso
from vesselwatch.web.errors import not_found
from vesselwatch.web.jsonable import json_response, listing
from vesselwatch.web.names import vessel_names
from vesselwatch.web.params import (
    DashboardDep,
    EndQuery,
    MmsiQuery,
    StartQuery,
    time_range,
    vessels,
)

__all__ = ["event_item", "router"]

router = APIRouter(tags=["events"])
_DARK_LEG = ("gap", "dark_voyage")


class EventSort(StrEnum):
    start_ts = "start_ts"
    start_ts_desc = "-start_ts"
    confidence = "confidence"
    confidence_desc = "-confidence"
    duration_s = "duration_s"
    duration_s_desc = "-duration_s"
    type = "type"


def _sort_keys(sort: EventSort) -> list[tuple[str, str]]:
    name = sort.value.lstrip("-")
    order = "descending" if sort.value.startswith("-") else "ascending"
    column = "event_type" if name == "type" else name
    keys = [(column, order)]
    if column != "start_ts":
        keys.append(("start_ts", "ascending"))
    return [*keys, ("event_id", "ascending")]


def event_item(row: dict[str, Any], names: dict[int, str], *,
               with_params: bool = False) -> dict[str, Any]:
    """One ``EVENTS`` row as the API item: names joined, ``details`` decoded; a gap's
    details also hold ``off_ts``/``on_ts`` (its start and end), so every dark leg has them."""
    details = json.loads(row["details"])
    if row["event_type"] in _DARK_LEG:
        details.setdefault("off_ts", utc_iso(row["start_ts"]))
        if row["event_type"] == "gap":
            details.setdefault("on_ts", utc_iso(row["end_ts"]) if row["end_ts"] else None)
    other = row["other_mmsi"]
    item = {
        "event_id": row["event_id"], "event_type": row["event_type"], "mmsi": row["mmsi"],
        "other_mmsi": other, "vessel_name": names.get(row["mmsi"]),
        "other_name": names.get(other) if other is not None else None,
        "start_ts": row["start_ts"], "end_ts": row["end_ts"], "duration_s": row["duration_s"],
        "lat": row["lat"], "lon": row["lon"], "port_id": row["port_id"],
        "port_name": row["port_name"], "confidence": row["confidence"], "details": details,
    }
    if with_params:
        item["params"] = json.loads(row["params"])
    return item


@router.get("/api/events")
def events(
    board: DashboardDep,
    type: Annotated[list[str] | None, Query(description="Only this event type (repeatable).")
                    ] = None,
    mmsi: MmsiQuery = None, start: StartQuery = None, end: EndQuery = None,
    min_confidence: Annotated[int | None, Query(ge=1, le=4)] = None,
    sort: EventSort = EventSort.start_ts,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Events that overlap [start, end) (open events reach the end of time), filtered,
    sorted and paged; ``total`` counts them before paging."""
    board.require_detection()
    t0, t1 = time_range(start, end)
    table = board.engine.events(type, vessels(mmsi), t0, t1, min_confidence)
    total = table.num_rows
    if total:
        table = table.sort_by(_sort_keys(sort)).slice(offset, limit)
    names = vessel_names(board)
    return listing([event_item(r, names) for r in table.to_pylist()], total)


@router.get("/api/events/{event_id}")
def event(board: DashboardDep, event_id: str) -> Response:
    """One event, with the detection parameters it was found with (``params``)."""
    board.require_detection()
    table = board.engine.events()
    found = table.filter(pc.equal(table["event_id"], pa.scalar(event_id, pa.string())))
    if not found.num_rows:
        raise not_found(f"no event {event_id!r} in the latest detection run; "
                        "/api/events lists them")
    return json_response(event_item(found.to_pylist()[0], vessel_names(board),
                                    with_params=True))
