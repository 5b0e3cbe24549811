"""Query parameters the routes share, parsed as the CLI parses them: times by
``parse_time`` (ISO 8601, UTC where no zone), a half-open range ``[start, end)``, MMSIs of at
most nine digits, a bounding box of degrees. Bad values raise
:class:`~vesselwatch.errors.InputError` (400) with the parameter's name."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from vesselwatch.engine import parse_time
from vesselwatch.errors import InputError
from vesselwatch.web.state import Dashboard

__all__ = ["BBox", "DashboardDep", "EndQuery", "MmsiQuery", "StartQuery", "dashboard",
           "parse_bbox", "time_range", "vessels"]

BBox = tuple[float, float, float, float]


def dashboard(request: Request) -> Dashboard:
    """The app's :class:`Dashboard` (set by ``create_app``)."""
    state: Dashboard = request.app.state.dashboard
    return state


DashboardDep = Annotated[Dashboard, Depends(dashboard)]
StartQuery = Annotated[str | None, Query(
    description="From this time (ISO 8601, UTC where no zone is given), inclusive.")]
EndQuery = Annotated[str | None, Query(description="Until this time, exclusive.")]
MmsiQuery = Annotated[list[int] | None, Query(
    description="Only this vessel (repeatable: mmsi=1&mmsi=2).")]


def time_range(start: str | None, end: str | None) -> tuple[datetime | None, datetime | None]:
    """``start`` and ``end`` parsed; ``end`` must come after ``start``."""
    t0 = parse_time(start, "start") if start else None
    t1 = parse_time(end, "end") if end else None
    if t0 is not None and t1 is not None and t1 <= t0:
        raise InputError(f"end {end!r} is not after start {start!r}; the range is "
                         "[start, end): give an end later than the start")
    return t0, t1


def vessels(mmsi: list[int] | None) -> list[int] | None:
    """The MMSIs asked for, each checked to be a number of at most nine digits."""
    if not mmsi:
        return None
    bad = [m for m in mmsi if not 0 <= m <= 999_999_999]
    if bad:
        raise InputError(f"mmsi {bad[0]}: an MMSI is a number of at most 9 digits")
    return list(mmsi)


def parse_bbox(text: str | None) -> BBox | None:
    """``minlon,minlat,maxlon,maxlat`` in degrees; ``minlon > maxlon`` crosses the
    antimeridian."""
    if text is None or not text.strip():
        return None
    hint = ("; write bbox=minlon,minlat,maxlon,maxlat in degrees, e.g. "
            "bbox=129.5,41.5,133.5,43.5")
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise InputError(f"bbox {text!r} is not four numbers{hint}") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InputError(f"bbox {text!r} is not four numbers{hint}")
    min_lon, min_lat, max_lon, max_lat = values
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise InputError(f"bbox {text!r}: a longitude is outside -180..180{hint}")
    if not (-90 <= min_lat <= max_lat <= 90):
        raise InputError(f"bbox {text!r}: the latitudes must be -90 <= minlat <= maxlat <= 90"
                         f"{hint}")
    return min_lon, min_lat, max_lon, max_lat
