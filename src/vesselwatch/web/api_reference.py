"""The reference layers the map draws: ports (the watchlist's, and the World Port Index's
near the data) and the watchlist's zones as GeoJSON."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from fastapi import APIRouter
from starlette.responses import Response

from vesselwatch.web.jsonable import json_response, listing
from vesselwatch.web.params import DashboardDep
from vesselwatch.web.state import Dashboard

__all__ = ["data_bbox", "router", "zone_feature"]

router = APIRouter(tags=["reference"])
PORT_PAD_DEG = 1.0  # World Port Index ports within this much of the data's bbox
CIRCLE_VERTICES = 64
EARTH_RADIUS_M = 6_371_008.8


def data_bbox(board: Dashboard) -> list[float] | None:
    """[min_lon, min_lat, max_lon, max_lat] of the store's positions, or None."""
    def build() -> list[float] | None:
        con = board.engine.store.connect()
        try:
            row = con.execute("select min(lon), min(lat), max(lon), max(lat) from positions "
                          "where lat is not null and lon is not null").fetchone()
        finally:
            con.close()
        if row is None or row[0] is None:
            return None
        return [float(v) for v in row]

    return board.cached("data_bbox", build)


@router.get("/api/ports")
def ports(board: DashboardDep) -> Response:
    """The watchlist's ports (``watched``), then the World Port Index ports inside the
    data's bounding box padded by 1 degree."""
    from vesselwatch.reference.ports import load_wpi
    from vesselwatch.reference.watchlist import load_watchlist

    index = load_watchlist(board.watchlist).merged_ports(load_wpi())
    keep = index.watched.copy()
    box = data_bbox(board)
    if box is not None:
        min_lon, min_lat, max_lon, max_lat = box
        keep |= ((index.lat >= min_lat - PORT_PAD_DEG) & (index.lat <= max_lat + PORT_PAD_DEG)
                 & (index.lon >= min_lon - PORT_PAD_DEG) & (index.lon <= max_lon + PORT_PAD_DEG))
    rows = np.flatnonzero(keep)
    rows = np.concatenate([rows[index.watched[rows]], rows[~index.watched[rows]]])
    items = [{"port_id": index.port_id[i], "name": index.name[i], "lat": float(index.lat[i]),
              "lon": float(index.lon[i]), "entry_radius_m": float(index.entry_radius_m[i]),
              "exit_radius_m": float(index.exit_radius_m[i]),
              "watched": bool(index.watched[i]), "country": index.country[i] or None}
             for i in rows.tolist()]
    return listing(items)


def _circle(lat: float, lon: float, radius_m: float) -> list[list[float]]:
    """A closed ring of ``CIRCLE_VERTICES`` points ``radius_m`` from (lat, lon)."""
    phi1, lam1, delta = math.radians(lat), math.radians(lon), radius_m / EARTH_RADIUS_M
    ring = []
    for k in range(CIRCLE_VERTICES + 1):
        theta = 2 * math.pi * (k % CIRCLE_VERTICES) / CIRCLE_VERTICES
        phi2 = math.asin(math.sin(phi1) * math.cos(delta)
                         + math.cos(phi1) * math.sin(delta) * math.cos(theta))
        lam2 = lam1 + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi1),
                                 math.cos(delta) - math.sin(phi1) * math.sin(phi2))
        ring.append([round((math.degrees(lam2) + 540) % 360 - 180, 6),
                     round(math.degrees(phi2), 6)])
    return ring


def zone_feature(zone: Any) -> dict[str, Any]:
    """A watch zone as a GeoJSON polygon feature (a circle as a 64-gon); the properties say
    its name, reason, sources and, for a circle, its centre and radius."""
    props: dict[str, Any] = {"name": zone.name, "reason": zone.reason,
                             "sources": list(zone.sources)}
    if zone.polygon:
        ring = [[lon, lat] for lon, lat in zone.polygon]
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        props["shape"] = "polygon"
    else:
        ring = _circle(zone.lat, zone.lon, zone.radius_m)
        props.update(shape="circle", lat=zone.lat, lon=zone.lon, radius_m=zone.radius_m)
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": props}


@router.get("/api/zones")
def zones(board: DashboardDep) -> Response:
    """The watchlist's zones as a GeoJSON FeatureCollection (empty when it has none)."""
    from vesselwatch.reference.watchlist import load_watchlist

    listed = load_watchlist(board.watchlist)
    return json_response({"type": "FeatureCollection",
                          "features": [zone_feature(z) for z in listed.zones]})
