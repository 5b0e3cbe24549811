"""Sea routes for the scenario simulator: waypoint polylines, densified along great circles.

A ``Route`` is a polyline of (lat, lon) points in degrees with the cumulative great-circle
distance from its first point (``cum_m``, haversine on the project's sphere). Routes are
immutable; their arrays are read-only, so memoised routes can be shared safely.

``sea_route`` joins the given points to the maritime network of the ``searoute`` package
(Apache-2.0, ``pip install searoute``): origin → origin approach points → the network route
between the last approach points → the destination approach points in reverse → the
destination. The network's own route starts and ends at its nodes, which can lie far from
the points asked for (tens of km in the Sea of Japan), so the joins are made here:

- the network route is cut where it passes nearest to the last origin approach point and
  nearest to the last destination approach point (so a ship does not sail on to a node and
  back); with ``trim=False`` it is kept whole, node to node;
- every join is a great-circle leg, so a join can cut across a headland: put approach
  points round it, and check every route with ``points_on_land`` / ``require_at_sea``.

**Densification.** Every leg longer than ``max_step_m`` is split into equal great-circle
steps (spherical linear interpolation of unit vectors), so the route's points lie exactly on
the great circles between the waypoints and no step exceeds ``max_step_m``. Between two
densified points the motion code interpolates linearly in latitude and longitude (by
time, so by distance along the route); that path leaves the great circle by about
``L**2 * tan|lat| / (8 R)`` for a step of length ``L`` (0.08 m for 2 km steps at 45°; at
most 0.15 m at |lat| <= 60°, measured), and a point's place along the step is off its distance-proportional place by less
than 0.06 m at |lat| <= 60° (0.09 m at 70°) — far below GNSS noise.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt

from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import EARTH_RADIUS_M, haversine_m
from vesselwatch.reference.land import LandMask, default_land_mask

__all__ = [
    "DEFAULT_LAND_MARGIN_M",
    "DEFAULT_MAX_STEP_M",
    "LandPoints",
    "Point",
    "Route",
    "bearing_deg",
    "points_on_land",
    "require_at_sea",
    "sea_route",
]

FloatArray = npt.NDArray[np.float64]
Point = tuple[float, float]
"""A position as (lat, lon) in degrees."""

DEFAULT_MAX_STEP_M: Final[float] = 2_000.0
"""Longest step between consecutive route points after densification, metres."""
DEFAULT_LAND_MARGIN_M: Final[float] = 2_000.0
"""Route points on land but no farther than this from the shore are tolerated, metres.

Same value as detection's ``[tracks] land_margin_m``: the 1 arc-minute land bitmap and the
Natural Earth 1:10m coast put berths, narrow straits and bay mouths on land."""
_DUPLICATE_M: Final[float] = 0.01  # consecutive points closer than this are merged


def _readonly(a: npt.ArrayLike) -> FloatArray:
    out = np.array(a, dtype=np.float64)  # a copy: the caller's array stays writable
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Route:
    """A polyline at sea: ``lat``, ``lon`` (degrees, float64) and ``cum_m``, the cumulative
    haversine distance from the first point (``cum_m[0] == 0``, non-decreasing).

    Build one with ``Route.from_points`` (densifies and measures) or ``sea_route``.
    ``name`` labels the leg in error messages ("Najin → Vostochnyy").
    """

    lat: FloatArray
    lon: FloatArray
    cum_m: FloatArray
    name: str = ""

    def __post_init__(self) -> None:
        for name in ("lat", "lon", "cum_m"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))
        n = self.lat.shape[0] if self.lat.ndim == 1 else -1
        if n < 2 or self.lon.shape != (n,) or self.cum_m.shape != (n,):
            raise ValueError(f"route {self.name!r}: lat, lon and cum_m must be 1-d arrays of one "
                             f"length >= 2 (got {self.lat.shape}, {self.lon.shape}, "
                             f"{self.cum_m.shape})")

    @property
    def length_m(self) -> float:
        """Total length along the route, metres."""
        return float(self.cum_m[-1])

    @property
    def start(self) -> Point:
        return float(self.lat[0]), float(self.lon[0])

    @property
    def end(self) -> Point:
        return float(self.lat[-1]), float(self.lon[-1])

    def __len__(self) -> int:
        return int(self.lat.shape[0])

    def __repr__(self) -> str:
        return (f"Route({self.name!r}, {len(self)} points, {self.length_m / 1000:.1f} km, "
                f"{_fmt(self.start)} → {_fmt(self.end)})")

    @classmethod
    def from_points(cls, points: Sequence[Point], *, max_step_m: float = DEFAULT_MAX_STEP_M,
                    name: str = "") -> Route:
        """A route through ``points`` ((lat, lon) pairs), densified along great circles.

        Consecutive duplicates are merged; at least two distinct points are needed.
        """
        arr = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        lat, lon = _densify(arr[:, 0], arr[:, 1], max_step_m, name)
        return cls(lat, lon, _cumulative_m(lat, lon), name)

    def reversed(self, name: str | None = None) -> Route:
        """The same path sailed the other way."""
        lat, lon = self.lat[::-1], self.lon[::-1]
        return Route(lat, lon, _cumulative_m(lat, lon),
                     name if name is not None else _reverse_name(self.name))

    def step_course_deg(self) -> FloatArray:
        """Initial great-circle bearing of each step (length ``len(self) - 1``), degrees 0..360."""
        return bearing_deg(self.lat[:-1], self.lon[:-1], self.lat[1:], self.lon[1:])


def bearing_deg(lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike,
                lon2: npt.ArrayLike) -> FloatArray:
    """Initial great-circle bearing from point 1 to point 2, degrees in [0, 360); broadcasts.

    0 for coincident points.
    """
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    out: FloatArray = np.mod(np.degrees(np.arctan2(y, x)), 360.0)
    return out


def sea_route(origin: Point, dest: Point, *, origin_approach: Sequence[Point] = (),
              dest_approach: Sequence[Point] = (), max_step_m: float = DEFAULT_MAX_STEP_M,
              trim: bool = True, name: str | None = None) -> Route:
    """The sea route origin → origin_approach… → network route → …reversed(dest_approach) → dest.

    Points are (lat, lon) in degrees. ``origin_approach`` runs outwards from the origin (the
    harbour channel, in sailing order); ``dest_approach`` runs outwards from the destination
    (so the same list serves a voyage from there and one to there). The ``searoute`` network
    route is found between the last origin approach point (or the origin) and the last
    destination approach point (or the destination) and joined as the module docstring
    says. Memoised: the same arguments give the same ``Route`` object.
    """
    key_o = _as_point(origin, "origin")
    key_d = _as_point(dest, "dest")
    o_app = tuple(_as_point(p, f"origin_approach[{i}]") for i, p in enumerate(origin_approach))
    d_app = tuple(_as_point(p, f"dest_approach[{i}]") for i, p in enumerate(dest_approach))
    if not max_step_m > 0:
        raise ValueError(f"max_step_m must be > 0, got {max_step_m}")
    label = name if name is not None else f"{_fmt(key_o)} → {_fmt(key_d)}"
    return _sea_route(key_o, key_d, o_app, d_app, float(max_step_m), trim, label)


@functools.lru_cache(maxsize=256)
def _sea_route(origin: Point, dest: Point, o_app: tuple[Point, ...], d_app: tuple[Point, ...],
               max_step_m: float, trim: bool, name: str) -> Route:
    a = o_app[-1] if o_app else origin
    b = d_app[-1] if d_app else dest
    found = _network_route(a, b)
    if found is None:
        raise InputError(f"route {name!r}: the searoute network has no sea path between "
                         f"{_fmt(a)} and {_fmt(b)}; check the approach points are at sea on "
                         "connected waters")
    network = list(found) if len(found) >= 2 else []  # a and b at one node: sail direct
    if trim and network:
        network = _trim(network, a, b)
    points = [origin, *o_app, *network, *reversed(d_app), dest]
    return Route.from_points(points, max_step_m=max_step_m, name=name)


@functools.lru_cache(maxsize=1024)
def _network_route(a: Point, b: Point) -> tuple[Point, ...] | None:
    """The ``searoute`` route between a and b as (lat, lon) points (node to node); memoised
    on its own, so routes from nearby origins sharing an approach reuse the search."""
    try:
        import searoute
    except ImportError as exc:
        raise ImportError("sea_route needs the searoute package (Apache-2.0): "
                          "pip install 'searoute>=1.6'") from exc
    feature: Any = searoute.searoute([a[1], a[0]], [b[1], b[0]], units="km")
    coords = feature["geometry"]["coordinates"]
    length = float(feature["properties"]["length"])
    if not math.isfinite(length):
        return None
    return tuple((float(lat), float(_wrap_lon(lon))) for lon, lat in coords)


def _trim(network: list[Point], a: Point, b: Point) -> list[Point]:
    """Cut the network route where it passes nearest to a and to b (see the module doc)."""
    arr = np.asarray(network, dtype=np.float64)
    ia, fa = _nearest_on_polyline(a, arr)
    ib, fb = _nearest_on_polyline(b, arr)
    if (ia, fa) >= (ib, fb):
        return network  # nearest points out of order: a joined route would double back
    def at(i: int, f: float) -> Point:
        p = arr[i] + f * (arr[i + 1] - arr[i])
        return float(p[0]), float(p[1])
    return [at(ia, fa), *network[ia + 1: ib + 1], at(ib, fb)]


def _nearest_on_polyline(p: Point, arr: FloatArray) -> tuple[int, float]:
    """(segment, fraction) of the polyline point nearest ``p``, in a local flat frame."""
    k = math.cos(math.radians(p[0]))
    y = arr[:, 0] - p[0]
    x = (np.mod(arr[:, 1] - p[1] + 180.0, 360.0) - 180.0) * k
    dx, dy = np.diff(x), np.diff(y)
    den = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.clip(np.where(den > 0, -(x[:-1] * dx + y[:-1] * dy) / den, 0.0), 0.0, 1.0)
    d2 = (x[:-1] + f * dx) ** 2 + (y[:-1] + f * dy) ** 2
    i = int(np.argmin(d2))
    return i, float(f[i])


class LandPoints(NamedTuple):
    """Route points on land: ``lat``, ``lon`` (degrees), ``point_index`` into the route's
    arrays and ``along_m``, the distance along the route. ``lat``/``lon`` come first, so
    ``lat, lon, *_ = points_on_land(route)`` works."""

    lat: FloatArray
    lon: FloatArray
    point_index: npt.NDArray[np.intp]
    along_m: FloatArray

    def __bool__(self) -> bool:
        return bool(self.point_index.size)


def points_on_land(route: Route, margin_m: float = DEFAULT_LAND_MARGIN_M,
                   land: LandMask | None = None) -> LandPoints:
    """The route's (densified) points that the land mask puts on land more than ``margin_m``
    from the shore; empty arrays (and a false value) when the route stays at sea."""
    mask = land if land is not None else default_land_mask()
    on_land = mask.is_land(route.lat, route.lon)
    on_land &= mask.distance_to_shore_m(route.lat, route.lon) > margin_m
    i = np.flatnonzero(on_land)
    return LandPoints(route.lat[i], route.lon[i], i, route.cum_m[i])


def require_at_sea(route: Route, margin_m: float = DEFAULT_LAND_MARGIN_M,
                   land: LandMask | None = None) -> Route:
    """``route`` itself, or ``InputError`` naming the leg and where it crosses land."""
    bad = points_on_land(route, margin_m, land).point_index
    if bad.size:
        i, j = int(bad[0]), int(bad[-1])
        raise InputError(
            f"route {route.name!r} crosses land: {bad.size} of its {len(route)} points are more "
            f"than {margin_m:.0f} m inland, from {_fmt((route.lat[i], route.lon[i]))} "
            f"(km {route.cum_m[i] / 1000:.1f}) to {_fmt((route.lat[j], route.lon[j]))} "
            f"(km {route.cum_m[j] / 1000:.1f} of {route.length_m / 1000:.1f}); add or move "
            "approach points so the route goes round it")
    return route


def _densify(lat: FloatArray, lon: FloatArray, max_step_m: float, name: str
             ) -> tuple[FloatArray, FloatArray]:
    if not max_step_m > 0:
        raise ValueError(f"max_step_m must be > 0, got {max_step_m}")
    if not (np.all(np.abs(lat) <= 90.0) and np.all(np.isfinite(lon))):
        raise InputError(f"route {name!r}: a waypoint has a latitude outside [-90, 90] or a "
                         "non-finite coordinate; give (lat, lon) pairs in degrees")
    d = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    keep = np.concatenate([[True], d >= _DUPLICATE_M])
    lat, lon = lat[keep], _wrap_lon(lon[keep])
    if lat.size < 2:
        raise InputError(f"route {name!r} needs at least two distinct points")
    d = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    omega = d / EARTH_RADIUS_M
    if np.any(omega > math.pi - 1e-6):
        raise InputError(f"route {name!r}: two consecutive waypoints are antipodal, so the "
                         "great circle between them is undefined; add a waypoint between them")
    n = np.maximum(1, np.ceil(d / max_step_m)).astype(np.int64)
    seg = np.repeat(np.arange(d.size), n)
    k = np.arange(seg.size, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    f = k / n[seg]
    a, b = _unit(lat[:-1], lon[:-1]), _unit(lat[1:], lon[1:])
    om = omega[seg]
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.sin(om)
        wa = np.where(s > 0, np.sin((1.0 - f) * om) / s, 1.0 - f)
        wb = np.where(s > 0, np.sin(f * om) / s, f)
    v = a[seg] * wa[:, None] + b[seg] * wb[:, None]
    out_lat = np.degrees(np.arctan2(v[:, 2], np.hypot(v[:, 0], v[:, 1])))
    out_lon = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
    out_lat = np.concatenate([out_lat, lat[-1:]])
    out_lon = np.concatenate([out_lon, lon[-1:]])
    out_lat[0], out_lon[0] = lat[0], lon[0]  # exact endpoints, no round trip through xyz
    return out_lat, out_lon


def _unit(lat: FloatArray, lon: FloatArray) -> FloatArray:
    p, lam = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)], axis=1)


def _cumulative_m(lat: FloatArray, lon: FloatArray) -> FloatArray:
    cum = np.zeros(lat.size, dtype=np.float64)
    np.cumsum(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]), out=cum[1:])
    return cum


def _wrap_lon(lon: Any) -> Any:
    """Longitudes into [-180, 180); values already there are kept exactly."""
    a = np.asarray(lon, dtype=np.float64)
    return np.where((a < -180.0) | (a >= 180.0), np.mod(a + 180.0, 360.0) - 180.0, a)


def _as_point(p: Sequence[float], what: str) -> Point:
    try:
        lat, lon = (float(v) for v in p)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what}: expected a (lat, lon) pair of numbers, got {p!r}") from exc
    if not (-90.0 <= lat <= 90.0 and math.isfinite(lon)):
        raise InputError(f"{what}: ({lat}, {lon}) is not a position; give (lat, lon) in degrees "
                         "with lat in [-90, 90]")
    return lat, float(_wrap_lon(lon))


def _fmt(p: tuple[Any, Any]) -> str:
    lat, lon = float(p[0]), float(p[1])
    return (f"{abs(lat):.4f}{'N' if lat >= 0 else 'S'} "
            f"{abs(lon):.4f}{'E' if lon >= 0 else 'W'}")


def _reverse_name(name: str) -> str:
    parts = name.split(" → ")
    return " → ".join(reversed(parts)) if len(parts) == 2 else (f"{name} (reversed)"
                                                                 if name else "")
