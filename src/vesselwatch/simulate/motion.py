"""A vessel's true movement: an itinerary of contiguous pieces, evaluated at any times at once.

Build one fluently from a start time and position; each call appends a piece that starts
where and when the previous one ended::

    it = (ItineraryBuilder(t0, 42.2333, 130.3, seed=7, name="Angara")
          .hold(6 * 3600)                      # at the berth, swinging a little
          .sail(route, speed_kn=11.0)          # along a Route, to its end
          .drift(3 * 3600, 0.4, 45.0)          # slow straight drift (loitering, STS pair)
          .goto(42.70, 133.05, 6.0)            # a short straight move
          .hold(until=t_leave)
          .build())
    kin = it.at(times)                         # lat, lon, sog_kn, cog_deg, heading_deg, ...

Pieces:

- **sail**: along a ``Route`` at a constant speed (above 0, at most ``MAX_SPEED_KN``), or
  at the speed that arrives at a given time (more than ``MAX_ARRIVE_KN``, 30 kn, is
  refused, as is an arrival not after the current time). The vessel must be within
  ``MAX_JOIN_M`` of the route's first point; the gap, if any, is sailed as a first short
  step, so positions stay continuous. Position: linear in lat/lon between the route's
  points, by distance along the route (see ``routes`` for the error bound); ``cog_deg`` is
  the great-circle bearing of the current step; ``heading_deg = cog_deg``.
- **goto**: the same along a great circle to a point (for short moves); a point less
  than 1 m away is a no-op.
- **drift**: a great circle from the current position on an initial course, at a slow
  speed; heading is the course unless given (a ship drifting beam-on, a pair alongside).
- **hold**: at anchor or at a berth. The vessel swings on a circle of radius ``swing_m``
  round an anchor point: its bearing from the anchor oscillates,
  ``theta(t) = theta_c + A sin(omega (t - t0) + phase)``, with ``A`` and the period drawn
  from the seed so the swinging speed stays at or below ``MAX_SWING_KN`` (0.25 kn).
  ``sog_kn`` is the swinging speed, ``cog_deg`` its direction, ``heading_deg`` points the
  bow at the anchor. The anchor is placed so the hold starts where the vessel is; it ends
  up to ``2 * swing_m`` away, where the next piece starts. ``swing_m=0``: still.

Times are epoch seconds (float64). ``Itinerary.at`` raises ``ValueError`` for a time outside
``[start_s, end_s]`` (or NaN) rather than returning NaN, so a caller never carries invented
positions; clip the times to the itinerary first. A piece is in force on ``[its start, its
end)``; the last piece also at ``end_s``. Randomness (the swing) comes only from the
builder's ``seed``: the same calls with the same seed give the same itinerary. A hold or
drift of 0 s adds nothing.

Speed: ``at`` on 5 million sorted times takes about 0.25-0.4 s on one core (13-20 million
a second; holds cost most, for their swing); unsorted times about four times as long.
Mistakes in the plan (unreachable arrival, a route that starts elsewhere, a negative
duration) raise ``InputError`` naming the vessel and saying what to change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from vesselwatch.detect.config import KN_MS
from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import EARTH_RADIUS_M, haversine_m
from vesselwatch.simulate.routes import DEFAULT_MAX_STEP_M, Point, Route, bearing_deg

__all__ = [
    "MAX_ARRIVE_KN",
    "MAX_JOIN_M",
    "MAX_SPEED_KN",
    "MAX_SWING_KN",
    "Itinerary",
    "ItineraryBuilder",
    "Kinematics",
    "Piece",
    "PieceKind",
    "destination",
]

FloatArray = npt.NDArray[np.float64]
PieceKind = Literal["sail", "goto", "drift", "hold"]

MAX_ARRIVE_KN: Final[float] = 30.0
"""``sail``/``goto`` with ``arrive_at`` refuse a schedule that needs more than this, knots."""
MAX_SPEED_KN: Final[float] = 60.0
"""A given speed above this is refused as a typo, knots."""
MAX_JOIN_M: Final[float] = 500.0
"""``sail`` starts the route only if the vessel is within this of its first point, metres."""
MAX_SWING_KN: Final[float] = 0.25
"""Fastest swinging speed at anchor, knots."""
_M_PER_DEG: Final[float] = EARTH_RADIUS_M * math.pi / 180.0
_SAME_M: Final[float] = 1.0  # a goto or drift shorter than this stays put
_JOIN_MIN_M: Final[float] = 1e-3  # a sail join shorter than this is not sailed


@dataclass(frozen=True)
class Piece:
    """One contiguous part of an itinerary, in force on ``[start_s, end_s)``.

    ``speed_kn`` is the planned speed over ground (0 for a hold; a hold's swinging adds at
    most ``MAX_SWING_KN``). ``start``/``end`` are (lat, lon). ``label`` is the route's name
    for a sail.
    """

    kind: PieceKind
    start_s: float
    end_s: float
    speed_kn: float
    start: Point
    end: Point
    label: str = ""

    @property
    def moving(self) -> bool:
        """True for sail, goto and drift; False at anchor or berth (hold)."""
        return self.kind != "hold"


@dataclass(frozen=True)
class Kinematics:
    """True state at each asked time: float64 arrays, ``piece`` (int32 index into
    ``Itinerary.pieces``) and ``moving`` (bool, False during a hold)."""

    lat: FloatArray
    lon: FloatArray
    sog_kn: FloatArray
    cog_deg: FloatArray
    heading_deg: FloatArray
    piece: npt.NDArray[np.int32]
    moving: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.lat.shape[0])


@dataclass(frozen=True)
class _Swing:
    """Swinging at anchor during one hold (see the module doc)."""

    t0: float
    lat0: float
    swing_m: float
    theta_c: float  # radians, mean bearing of the vessel from the anchor
    amp: float  # radians
    omega: float  # radians per second
    phase: float  # radians

    def offset_m(self, t: float) -> tuple[float, float]:
        """(north, east) metres from where the hold started, at time ``t``."""
        th = self.theta_c + self.amp * math.sin(self.omega * (t - self.t0) + self.phase)
        th0 = self.theta_c + self.amp * math.sin(self.phase)
        return (self.swing_m * (math.cos(th) - math.cos(th0)),
                self.swing_m * (math.sin(th) - math.sin(th0)))

    def apply(self, t: FloatArray, lat: FloatArray, lon: FloatArray, sog: FloatArray,
              cog: FloatArray, heading: FloatArray) -> None:
        """Add the swing to still positions at times ``t`` (the arrays are updated)."""
        arg = t - self.t0
        arg *= self.omega
        arg += self.phase
        th = np.sin(arg)
        th *= self.amp
        th += self.theta_c
        rate = np.cos(arg)  # the tangential speed is swing_m * amp * omega * rate (m/s)
        th0 = self.theta_c + self.amp * math.sin(self.phase)
        lat += (np.cos(th) - math.cos(th0)) * (self.swing_m / _M_PER_DEG)
        lon += (np.sin(th) - math.sin(th0)) * (
            self.swing_m / (_M_PER_DEG * math.cos(math.radians(self.lat0))))
        np.abs(rate, out=sog)
        sog *= self.swing_m * self.amp * self.omega / KN_MS
        np.degrees(th, out=th)
        np.add(th, 180.0, out=heading)
        np.mod(heading, 360.0, out=heading)
        np.add(th, 90.0, out=cog)
        cog[rate < 0.0] += 180.0  # theta decreasing: the other way along the circle
        np.mod(cog, 360.0, out=cog)


class Itinerary:
    """Contiguous pieces from ``start_s`` to ``end_s``; ``at(t)`` evaluates them (vectorised).

    Internally one table of linear segments covers every piece: on segment ``j``,
    ``lat = a_lat[j] + t * v_lat[j]`` (likewise lon), with constant sog, cog and heading;
    a hold is one still segment plus its swing. Sorted times take a fast path (segment
    runs found by searching the few segment starts in the times, values spread with
    ``np.repeat``); unsorted times are searched one by one.
    """

    def __init__(self, pieces: tuple[Piece, ...], seg: dict[str, FloatArray],
                 swings: dict[int, _Swing], name: str = "") -> None:
        if not pieces:
            raise InputError(f"vessel {name!r}: the itinerary is empty; add a step that takes "
                             "time (a hold, a sail, a drift or a goto)")
        self.pieces = pieces
        self.name = name
        self.start_s = pieces[0].start_s
        self.end_s = pieces[-1].end_s
        t0 = seg["t0"]
        with np.errstate(invalid="ignore"):  # a zero-length segment is never in force
            v_lat = np.nan_to_num(seg["dlat"] * seg["inv_dt"], posinf=0.0, neginf=0.0)
            v_lon = np.nan_to_num(seg["dlon"] * seg["inv_dt"], posinf=0.0, neginf=0.0)
        # a + t*v: |t*v| < 6e5 deg (60 kn, epoch ~2e9 s), so rounding stays < 1e-10 deg
        # (~10 µm), the same order as float64 epoch seconds' own resolution (~0.2 µs)
        self._t0 = t0
        self._lat = np.stack([seg["lat0"] - t0 * v_lat, v_lat])
        self._lon = np.stack([seg["lon0"] - t0 * v_lon, v_lon])
        self._sog, self._cog, self._heading = seg["sog"], seg["cog"], seg["heading"]
        self._piece = seg["piece"].astype(np.int32)
        self._moving = np.array([p.moving for p in pieces], dtype=bool)
        self._swings = {k: sw for k, sw in swings.items() if sw.swing_m > 0}
        self._swinging = np.zeros(len(pieces), dtype=bool)
        self._swinging[list(self._swings)] = True

    def __repr__(self) -> str:
        kinds = ", ".join(p.kind for p in self.pieces[:8])
        more = ", ..." if len(self.pieces) > 8 else ""
        return (f"Itinerary({self.name!r}, {len(self.pieces)} pieces [{kinds}{more}], "
                f"{self.start_s:.0f}..{self.end_s:.0f})")

    def piece_at(self, t: npt.ArrayLike) -> npt.NDArray[np.int32]:
        """Index of the piece in force at each time (same rules and errors as ``at``)."""
        ts = self._check(t)
        return self._piece[self._segment(ts)]

    def at(self, t: npt.ArrayLike) -> Kinematics:
        """The true state at each time in ``t`` (epoch seconds, any shape is flattened)."""
        ts = self._check(t)
        n = ts.size
        if n > 1 and bool(np.all(ts[1:] >= ts[:-1])):
            first = np.searchsorted(ts, self._t0, side="left")
            first[0] = 0
            counts = np.diff(first, append=n)
            def spread(values: npt.NDArray[np.generic]) -> npt.NDArray[Any]:
                return np.repeat(values, counts)
            runs: npt.NDArray[np.intp] | None = first
        else:
            j = self._segment(ts)
            def spread(values: npt.NDArray[np.generic]) -> npt.NDArray[Any]:
                return values.take(j)
            runs = None
        lat = spread(self._lat[1])
        lat *= ts
        lat += spread(self._lat[0])
        lon = spread(self._lon[1])
        lon *= ts
        lon += spread(self._lon[0])
        sog, cog = spread(self._sog), spread(self._cog)
        heading, piece = spread(self._heading), spread(self._piece)
        if self._swings and runs is not None:  # sorted: each hold is one slice
            for k, sw in self._swings.items():  # one pass per hold, never per position
                seg = int(np.searchsorted(self._piece, k))  # a hold is one segment
                sl = slice(int(runs[seg]), int(runs[seg + 1]) if seg + 1 < runs.size else n)
                sw.apply(ts[sl], lat[sl], lon[sl], sog[sl], cog[sl], heading[sl])
        elif self._swings:  # unsorted: gather each hold's positions, apply, scatter back
            idx = np.flatnonzero(self._swinging[piece])
            idx = idx[np.argsort(piece[idx], kind="stable")]
            bounds = np.searchsorted(piece[idx], np.arange(len(self.pieces) + 1))
            for k, sw in self._swings.items():
                part = idx[bounds[k]:bounds[k + 1]]
                if part.size:
                    cols = [lat[part], lon[part], sog[part], cog[part], heading[part]]
                    sw.apply(ts[part], *cols)
                    for whole, col in zip((lat, lon, sog, cog, heading), cols):
                        whole[part] = col
        if n and (lon.min() < -180.0 or lon.max() >= 180.0):
            lon = np.mod(lon + 180.0, 360.0) - 180.0
        return Kinematics(lat, lon, sog, cog, heading, piece, self._moving[piece])

    def _check(self, t: npt.ArrayLike) -> FloatArray:
        ts = np.asarray(t, dtype=np.float64).ravel()
        if ts.size and not (ts.min() >= self.start_s and ts.max() <= self.end_s):
            bad = ts[~((ts >= self.start_s) & (ts <= self.end_s))]
            raise ValueError(f"itinerary {self.name!r} runs from {self.start_s:.0f} to "
                             f"{self.end_s:.0f} s; {bad.size} asked times are outside it or "
                             f"NaN (first {bad[0]!r}); clip the times to "
                             "[itinerary.start_s, itinerary.end_s]")
        return ts

    def _segment(self, ts: FloatArray) -> npt.NDArray[np.intp]:
        j = np.searchsorted(self._t0, ts, side="right") - 1
        np.maximum(j, 0, out=j)
        return j


class ItineraryBuilder:
    """Appends pieces from ``(t0_s, lat, lon)``; ``build()`` gives the ``Itinerary``.

    ``seed`` drives the only randomness (swinging at anchor); ``name`` labels errors.
    Current state: ``t``, ``lat``, ``lon``. Every method returns the builder.
    """

    def __init__(self, t0_s: float, lat: float, lon: float, *, seed: int = 0,
                 name: str = "", max_step_m: float = DEFAULT_MAX_STEP_M) -> None:
        if not (math.isfinite(t0_s) and -90.0 <= lat <= 90.0 and math.isfinite(lon)):
            raise InputError(f"vessel {name!r}: start ({t0_s}, {lat}, {lon}) is not a time and "
                             "a position; give epoch seconds and (lat, lon) in degrees")
        self.t = float(t0_s)
        self.lat = float(lat)
        self.lon = float(lon)
        self.name = name
        self._max_step_m = max_step_m
        self._rng = np.random.default_rng(seed)
        self._pieces: list[Piece] = []
        self._segs: list[dict[str, FloatArray]] = []
        self._swings: dict[int, _Swing] = {}

    # -- moving -----------------------------------------------------------------------

    def sail(self, route: Route, speed_kn: float | None = None, *,
             arrive_at: float | None = None) -> ItineraryBuilder:
        """Sail ``route`` to its end at ``speed_kn``, or at the speed that arrives at
        ``arrive_at`` (epoch seconds); give exactly one."""
        lat, lon, cum = route.lat, route.lon, route.cum_m
        gap = float(haversine_m(self.lat, self.lon, lat[0], lon[0]))
        if gap > MAX_JOIN_M:
            raise InputError(
                f"vessel {self.name!r}: sail on route {route.name!r}: the route starts "
                f"{gap / 1000:.2f} km from where the vessel is ({self.lat:.4f}, {self.lon:.4f}) "
                f"at t={self.t:.0f}, more than {MAX_JOIN_M:.0f} m; start the route at the "
                "vessel's position, or goto the route's first point first")
        if gap >= _JOIN_MIN_M:
            lat = np.concatenate([[self.lat], lat])
            lon = np.concatenate([[self.lon], lon])
            cum = np.concatenate([[0.0], cum + gap])
        return self._polyline("sail", lat, lon, cum, speed_kn, arrive_at, route.name)

    def goto(self, lat: float, lon: float, speed_kn: float | None = None, *,
             arrive_at: float | None = None) -> ItineraryBuilder:
        """Sail a great circle to (lat, lon) at ``speed_kn`` or arriving at ``arrive_at``."""
        if float(haversine_m(self.lat, self.lon, lat, lon)) < _SAME_M:
            return self  # already there
        r = Route.from_points([(self.lat, self.lon), (lat, lon)], max_step_m=self._max_step_m,
                              name=f"goto ({lat:.4f}, {lon:.4f})")
        return self._polyline("goto", r.lat, r.lon, r.cum_m, speed_kn, arrive_at, r.name)

    def drift(self, duration_s: float, speed_kn: float, course_deg: float,
              heading_deg: float | None = None) -> ItineraryBuilder:
        """Drift for ``duration_s`` at ``speed_kn`` on initial course ``course_deg``
        (a great circle); ``heading_deg`` defaults to the course."""
        self._check_duration(duration_s, "drift")
        if not 0.0 <= speed_kn <= MAX_SPEED_KN or not math.isfinite(course_deg):
            raise InputError(f"vessel {self.name!r}: drift at {speed_kn} kn on course "
                             f"{course_deg}; give a speed in [0, {MAX_SPEED_KN:.0f}] kn and a "
                             "course in degrees")
        if duration_s == 0:
            return self
        dist = speed_kn * KN_MS * duration_s
        if dist < _SAME_M:  # stopped in the water: a still piece, not a hold
            head = course_deg if heading_deg is None else heading_deg
            return self._still("drift", duration_s, speed_kn, course_deg % 360.0, head % 360.0)
        end = destination(self.lat, self.lon, course_deg, dist)
        r = Route.from_points([(self.lat, self.lon), end], max_step_m=self._max_step_m,
                              name="drift")
        self._polyline("drift", r.lat, r.lon, r.cum_m, None, self.t + duration_s, "",
                       max_kn=MAX_SPEED_KN)
        if heading_deg is not None:
            self._segs[-1]["heading"][:] = heading_deg % 360.0
        return self

    # -- holding ----------------------------------------------------------------------

    def hold(self, duration_s: float | None = None, *, until: float | None = None,
             swing_m: float = 30.0) -> ItineraryBuilder:
        """At anchor or berth for ``duration_s`` or ``until`` a time, swinging ``swing_m``."""
        if (duration_s is None) == (until is None):
            raise InputError(f"vessel {self.name!r}: hold needs a duration or until=, not "
                             f"{'both' if duration_s is not None else 'neither'}")
        if until is not None:
            if until < self.t:
                raise InputError(f"vessel {self.name!r}: hold until t={until:.0f}, but the "
                                 f"vessel is already at t={self.t:.0f}; give a later time or "
                                 "a duration")
            duration_s = until - self.t
        assert duration_s is not None
        self._check_duration(duration_s, "hold")
        if not 0.0 <= swing_m <= 1000.0:
            raise InputError(f"vessel {self.name!r}: hold with swing_m={swing_m}; give a "
                             "radius in [0, 1000] m (30 m suits a ship at anchor, 0 a berth)")
        theta_c = float(self._rng.uniform(0.0, 2 * math.pi))
        amp = math.radians(float(self._rng.uniform(30.0, 90.0)))
        period = float(self._rng.uniform(1800.0, 3600.0))
        if swing_m > 0:  # keep the fastest swing at or below MAX_SWING_KN
            period = max(period, 2 * math.pi * swing_m * amp / (MAX_SWING_KN * KN_MS))
        phase = float(self._rng.uniform(0.0, 2 * math.pi))
        if duration_s == 0:
            return self
        swing = _Swing(self.t, self.lat, float(swing_m), theta_c, amp, 2 * math.pi / period,
                       phase)
        k = len(self._pieces)
        self._still("hold", duration_s, 0.0, 0.0, 0.0)
        self._swings[k] = swing
        seg = self._segs[-1]
        seg["heading"][:] = math.degrees(theta_c + math.pi) % 360.0  # swing_m = 0: still
        seg["cog"][:] = seg["heading"]
        north, east = swing.offset_m(self.t)
        self.lat = self._pieces[-1].start[0] + north / _M_PER_DEG
        self.lon = self._pieces[-1].start[1] + east / (
            _M_PER_DEG * math.cos(math.radians(swing.lat0)))
        self._pieces[-1] = _with_end(self._pieces[-1], (self.lat, self.lon))
        return self

    def build(self) -> Itinerary:
        """The itinerary so far (the builder can go on and build again)."""
        if self._segs:
            seg = {key: np.concatenate([s[key] for s in self._segs]) for key in self._segs[0]}
        else:
            seg = {}
        return Itinerary(tuple(self._pieces), seg, dict(self._swings), self.name)

    # -- internals --------------------------------------------------------------------

    def _polyline(self, kind: PieceKind, lat: FloatArray, lon: FloatArray, cum: FloatArray,
                  speed_kn: float | None, arrive_at: float | None, label: str,
                  max_kn: float = MAX_ARRIVE_KN) -> ItineraryBuilder:
        length = float(cum[-1])
        what = f"vessel {self.name!r}: {kind}" + (f" {label!r}" if label else "")
        if (speed_kn is None) == (arrive_at is None):
            raise InputError(f"{what}: give a speed or arrive_at=, not "
                             f"{'both' if speed_kn is not None else 'neither'}")
        if speed_kn is not None:
            if not 0.0 < speed_kn <= MAX_SPEED_KN:
                raise InputError(f"{what}: speed {speed_kn} kn; give a speed above 0 and at "
                                 f"most {MAX_SPEED_KN:.0f} kn")
            duration = length / (speed_kn * KN_MS)
            speed = float(speed_kn)
        else:
            assert arrive_at is not None
            duration = float(arrive_at) - self.t
            if not duration > 0:
                raise InputError(f"{what}: arrive at t={arrive_at:.0f}, but the vessel is "
                                 f"already at t={self.t:.0f}; give a later arrival")
            speed = length / duration / KN_MS
            if speed > max_kn:
                need = self.t + length / (max_kn * KN_MS)
                raise InputError(f"{what}: {length / 1000:.1f} km by t={arrive_at:.0f} needs "
                                 f"{speed:.1f} kn, more than {max_kn:.0f}; arrive at "
                                 f"t={need:.0f} or later, or give a shorter route")
        t0 = self.t
        frac = cum / length
        tv = t0 + frac * duration
        tv[-1] = t0 + duration
        dt = np.diff(tv)
        with np.errstate(divide="ignore"):
            inv_dt = 1.0 / dt  # inf for a step too short for float64 epoch seconds: never used
        cog = bearing_deg(lat[:-1], lon[:-1], lat[1:], lon[1:])
        k = len(self._pieces)
        n = dt.size
        self._segs.append({
            "t0": tv[:-1], "inv_dt": inv_dt, "lat0": lat[:-1].copy(), "lon0": lon[:-1].copy(),
            "dlat": np.diff(lat), "dlon": np.mod(np.diff(lon) + 180.0, 360.0) - 180.0,
            "sog": np.full(n, speed), "cog": cog, "heading": cog.copy(),
            "piece": np.full(n, k, dtype=np.float64),
        })
        end = (float(lat[-1]), float(lon[-1]))
        self._pieces.append(Piece(kind, t0, t0 + duration, speed, (self.lat, self.lon), end,
                                  label))
        self.t = t0 + duration
        self.lat, self.lon = end
        return self

    def _still(self, kind: PieceKind, duration_s: float, speed_kn: float, cog: float,
               heading: float) -> ItineraryBuilder:
        k = len(self._pieces)
        self._segs.append({
            "t0": np.array([self.t]), "inv_dt": np.array([1.0 / duration_s]),
            "lat0": np.array([self.lat]), "lon0": np.array([self.lon]),
            "dlat": np.zeros(1), "dlon": np.zeros(1), "sog": np.array([speed_kn]),
            "cog": np.array([cog]), "heading": np.array([heading]),
            "piece": np.array([float(k)]),
        })
        here = (self.lat, self.lon)
        self._pieces.append(Piece(kind, self.t, self.t + duration_s, speed_kn, here, here))
        self.t += duration_s
        return self

    def _check_duration(self, duration_s: float, what: str) -> None:
        if not (math.isfinite(duration_s) and duration_s >= 0):
            raise InputError(f"vessel {self.name!r}: {what} for {duration_s} s; give a "
                             "duration of 0 s or more")


def _with_end(p: Piece, end: Point) -> Piece:
    return Piece(p.kind, p.start_s, p.end_s, p.speed_kn, p.start, end, p.label)


def destination(lat: float, lon: float, course_deg: float, dist_m: float) -> Point:
    """The point ``dist_m`` from (lat, lon) on initial great-circle course ``course_deg``."""
    d = dist_m / EARTH_RADIUS_M
    p1, l1, c = math.radians(lat), math.radians(lon), math.radians(course_deg)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(c))
    l2 = l1 + math.atan2(math.sin(c) * math.sin(d) * math.cos(p1),
                         math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 180.0) % 360.0 - 180.0
