"""``/api/ports`` and ``/api/zones``: the watchlist's ports and zones, and the World Port
Index ports near the data."""

from __future__ import annotations

import math

from fastapi.testclient import TestClient

from vesselwatch.reference.geodesy import haversine_m
from vesselwatch.reference.ports import load_wpi
from vesselwatch.reference.watchlist import WatchZone, load_watchlist
from vesselwatch.web.api_reference import PORT_PAD_DEG, zone_feature


def test_ports_are_the_watched_ones_then_the_wpi_near_the_data(client: TestClient) -> None:
    items = client.get("/api/ports").json()["items"]
    watched = load_watchlist("dprk-russia").port_index(load_wpi())
    n = len(watched)
    assert [p["port_id"] for p in items[:n]] == list(watched.port_id)
    assert all(p["watched"] for p in items[:n]) and not any(p["watched"] for p in items[n:])
    najin = next(p for p in items if p["port_id"] == "KPRJN")
    assert (najin["name"], najin["entry_radius_m"]) == ("Najin", 3000.0)
    assert set(najin) == {"port_id", "name", "lat", "lon", "entry_radius_m", "exit_radius_m",
                          "watched", "country"}
    min_lon, min_lat, max_lon, max_lat = client.get("/api/info").json()["bbox"]
    wpi = load_wpi()
    inside = {wpi.port_id[i] for i in range(len(wpi))
              if min_lat - PORT_PAD_DEG <= wpi.lat[i] <= max_lat + PORT_PAD_DEG
              and min_lon - PORT_PAD_DEG <= wpi.lon[i] <= max_lon + PORT_PAD_DEG}
    assert {p["port_id"] for p in items[n:]} == inside - set(watched.port_id)
    assert "KRPUS" in inside  # Busan, where the demo's container ships call


def test_the_demo_watchlist_has_no_zones(client: TestClient) -> None:
    assert client.get("/api/zones").json() == {"type": "FeatureCollection", "features": []}


def test_zones_become_closed_polygons() -> None:
    circle = zone_feature(WatchZone("anchorage", "why", ("src",), lat=42.0, lon=130.0,
                                    radius_m=5000.0))
    ring = circle["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 65
    for lon, lat in ring:
        assert math.isclose(float(haversine_m(42.0, 130.0, lat, lon)), 5000.0, rel_tol=1e-3)
    assert circle["properties"]["shape"] == "circle"
    square = zone_feature(WatchZone("box", "why", ("src",),
                                    polygon=((1.0, 1.0), (2.0, 1.0), (2.0, 2.0))))
    assert square["geometry"]["coordinates"][0] == [[1.0, 1.0], [2.0, 1.0], [2.0, 2.0],
                                                    [1.0, 1.0]]
