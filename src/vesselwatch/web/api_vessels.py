"""Vessels: the searchable list and one vessel's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from vesselwatch.errors import InputError
from vesselwatch.web.errors import not_found
from vesselwatch.web.jsonable import decode_json, json_response, listing
from vesselwatch.web.params import DashboardDep
from vesselwatch.web.vessel_list import vessel_rows

__all__ = ["router"]

router = APIRouter(tags=["vessels"])


@router.get("/api/vessels")
def vessels(
    board: DashboardDep,
    q: Annotated[str | None, Query(description="Part of an MMSI, an IMO or a name "
                                   "(case-insensitive).")] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Every vessel the store saw, riskiest first; ``total`` counts the matches."""
    rows = vessel_rows(board)
    text = (q or "").strip().lower()
    if text:
        rows = [r for r in rows if text in str(r["mmsi"])
                or (r["imo"] is not None and text in str(r["imo"]))
                or (r["name"] is not None and text in r["name"].lower())]
    return listing(rows[offset:offset + limit], len(rows))


@router.get("/api/vessels/{key}")
def vessel(board: DashboardDep, key: int) -> Response:
    """One vessel by MMSI (9 digits) or IMO (7 digits): identities over time, events by
    type, screening hits, risk profile and cases (``vesselwatch vessel --json``)."""
    try:
        profile = board.engine.vessel(key, watchlist=board.watchlist)
    except InputError as exc:  # the engine's only refusal here: a vessel it does not know
        raise not_found(str(exc)) from None
    profile["hits"] = [decode_json(h, ["matched"]) for h in profile["hits"]]
    return json_response(profile)
