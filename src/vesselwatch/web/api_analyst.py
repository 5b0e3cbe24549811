"""The analyst's screening hits and observations, and the two writes: marking a hit as a
false positive, adding an observation. Writes go through the same engine calls as the CLI
(``mark-false-positive``, ``observe add``), so they are checked the same way and refused
with the same message."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel
from starlette.responses import Response

from vesselwatch.errors import InputError
from vesselwatch.web.errors import not_found
from vesselwatch.web.jsonable import decode_json, json_response, listing
from vesselwatch.web.params import DashboardDep

__all__ = ["router"]

router = APIRouter(tags=["analyst"])


class FalsePositive(BaseModel):
    """Why the hit is a false positive; ``undo`` removes the mark."""

    note: str = ""
    undo: bool = False


@router.get("/api/hits")
def hits(
    board: DashboardDep,
    tier: Annotated[list[str] | None, Query(description="sanctioned, risk or lead "
                                            "(repeatable).")] = None,
    false_positives: Annotated[bool, Query(description="Include the hits marked as false "
                                           "positives.")] = True,
) -> Response:
    """The hits of the latest screening run, strongest first, ``matched`` decoded."""
    board.require_screening()
    table = board.engine.hits(tier or None, false_positives=false_positives)
    return listing([decode_json(h, ["matched"]) for h in table.to_pylist()])


@router.post("/api/hits/{hit_id}/false-positive")
def mark_false_positive(board: DashboardDep, hit_id: str,
                        body: FalsePositive | None = None) -> Response:
    """Mark a hit as a false positive (``undo``: unmark it); the mark stays on every
    re-run. Answers how many hits are marked."""
    board.require_screening()
    form = body or FalsePositive()
    known = set(board.engine.hits()["hit_id"].to_pylist())
    if hit_id not in known and not form.undo:
        raise not_found(f"no hit {hit_id!r} in the latest screening; /api/hits lists them")
    try:
        marked = board.engine.mark_false_positive(hit_id, form.note, undo=form.undo)
    finally:
        board.cache.clear()
    return json_response({"marked": marked})


@router.get("/api/observations")
def observations(board: DashboardDep) -> Response:
    """Every observation in the store, in the order added."""
    return listing(board.engine.observations().to_pylist())


_EXAMPLE = {"kind": "satellite_image", "ts": "2023-09-07T11:00:00Z", "source": "Planet",
            "reliability": "B", "credibility": 2, "claim": "containers on the pier",
            "place": "KPRJN"}


@router.post("/api/observations")
def add_observation(
    board: DashboardDep,
    fields: Annotated[dict[str, Any], Body(
        description="The fields of vesselwatch observe add: kind, ts, source, reliability, "
        "credibility, claim, and place or lat/lon, mmsi, imo, vessel_name, party, "
        "interested, url (docs/observations.md).", examples=[_EXAMPLE])],
) -> Response:
    """Add one observation, checked as ``vesselwatch observe add`` checks it; a refused
    one changes nothing. Answers how many were new (0: it was already there)."""
    given = {k: v for k, v in fields.items() if v is not None}
    if not given:
        raise InputError("observation: no fields; give at least kind, ts, source, "
                         "reliability, credibility, claim and a place or a vessel")
    try:
        added = board.engine.observe(**given)
    finally:
        board.cache.clear()
    return json_response({"added": added})
