"""Shipment cases: the graded list, one case, and its dossier in every export format
(the files ``vesselwatch report`` writes)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from vesselwatch.export.dossier import DOSSIER_FORMATS
from vesselwatch.web.errors import not_found
from vesselwatch.web.jsonable import json_response, listing
from vesselwatch.web.params import DashboardDep
from vesselwatch.web.state import Dashboard

__all__ = ["DOSSIER_TYPES", "router"]

router = APIRouter(tags=["cases"])

# format -> (media type, file name suffix)
DOSSIER_TYPES: dict[str, tuple[str, str]] = {
    "html": ("text/html; charset=utf-8", ".html"),
    "kml": ("application/vnd.google-earth.kml+xml", ".kml"),
    "geojson": ("application/geo+json", ".geojson"),
    "ftm": ("application/x-ndjson", ".ftm.json"),
    "parquet": ("application/vnd.apache.parquet", ".parquet"),
}
assert set(DOSSIER_TYPES) == set(DOSSIER_FORMATS)


def _case(board: Dashboard, case_id: str) -> dict[str, Any]:
    """Case ``case_id`` decoded (``Engine.case``'s form) from the cached case table."""
    from vesselwatch.engine_cases import decoded_case

    board.require_detection()
    table = board.engine.cases(watchlist=board.watchlist)
    found = table.filter(pc.equal(table["case_id"], pa.scalar(case_id, pa.string())))
    if not found.num_rows:
        raise not_found(f"no case {case_id!r} in the store; /api/cases lists them")
    return decoded_case(found.to_pylist()[0])


@router.get("/api/cases")
def cases(
    board: DashboardDep,
    min_likelihood: Annotated[str | None, Query(
        description="Only cases at least this likely (an ICD 203 term, e.g. likely).")
    ] = None,
) -> Response:
    """Every shipment case, strongest first, reasons and evidence decoded."""
    from vesselwatch.engine_cases import decoded_case

    board.require_detection()
    table = board.engine.cases(watchlist=board.watchlist, min_likelihood=min_likelihood)
    return listing([decoded_case(r) for r in table.to_pylist()])


@router.get("/api/cases/{case_id}")
def case(board: DashboardDep, case_id: str, request: Request) -> Response:
    """One case and the URLs of its dossier in each format (``exports``)."""
    row = _case(board, case_id)
    prefix = request.scope.get("root_path", "").rstrip("/")
    row["exports"] = {fmt: f"{prefix}/api/cases/{quote(case_id, safe='')}/dossier.{fmt}"
                      for fmt in DOSSIER_FORMATS}
    return json_response(row)


@router.get("/api/cases/{case_id}/dossier.{fmt}", response_class=Response,
            responses={200: {"content": {t: {} for t, _ in DOSSIER_TYPES.values()},
                             "description": "The dossier file, as a download."}})
def dossier(board: DashboardDep, case_id: str, fmt: str) -> Response:
    """The case's dossier as a download: html, kml, geojson, ftm or parquet
    (``docs/dossier.md``)."""
    from vesselwatch.export.dossier import write_dossier

    if fmt not in DOSSIER_TYPES:
        raise not_found(f"no dossier format {fmt!r}; the formats are "
                        f"{', '.join(DOSSIER_FORMATS)}")
    row = _case(board, case_id)
    media_type, suffix = DOSSIER_TYPES[fmt]
    name = f"case-{case_id}{suffix}"
    with tempfile.TemporaryDirectory(prefix="vesselwatch-dossier-") as tmp:
        path = write_dossier(board.engine, case_id, fmt, Path(tmp) / name,
                             watchlist=board.watchlist, case=row)
        body = path.read_bytes()
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
