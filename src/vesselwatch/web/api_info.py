"""What the store holds, in one answer: the dashboard's header and first request."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from vesselwatch.engine import ALL_EVENT_TYPES
from vesselwatch.web.api_reference import data_bbox
from vesselwatch.web.jsonable import json_response
from vesselwatch.web.params import DashboardDep
from vesselwatch.web.state import Dashboard

__all__ = ["router", "store_summary"]

router = APIRouter(tags=["store"])


def store_summary(board: Dashboard) -> dict[str, Any]:
    """The ``/api/info`` answer; counts are null where the store has no such run yet."""
    def build() -> dict[str, Any]:
        engine = board.engine
        info = engine.info()
        detected, screened = board.detected, board.screened
        return {
            "store": info.path, "vessels": info.vessels, "positions": info.rows["positions"],
            "events": info.rows["events"] if detected else None,
            "cases": engine.cases(watchlist=board.watchlist).num_rows if detected else None,
            "hits": engine.hits().num_rows if screened else None,
            "observations": engine.observations().num_rows,
            "ts_min": info.ts_min, "ts_max": info.ts_max, "bbox": data_bbox(board),
            "detected": detected, "screened": screened, "generation": info.generation,
            "event_types": list(ALL_EVENT_TYPES),
        }

    return board.cached("info", build)


@router.get("/api/info")
def info(board: DashboardDep) -> Response:
    """Store path, counts (vessels, positions, events, cases, hits, observations), time
    span, bounding box, whether detection and screening ran, the generation, and the
    event types."""
    return json_response(store_summary(board))
