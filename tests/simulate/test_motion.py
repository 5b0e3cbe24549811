"""Itineraries: pieces join up, sail at the asked speed, swing gently at anchor."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.detect.config import KN_MS, NM_M
from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import haversine_m
from vesselwatch.simulate.motion import MAX_SWING_KN, Itinerary, ItineraryBuilder
from vesselwatch.simulate.routes import Route, bearing_deg

T0 = 1_700_000_000.0
HOUR = 3600.0


def east_route(lat: float = 42.0, lon: float = 131.0, km: float = 50.0) -> Route:
    """A straight route due east along a parallel (a rhumb line; near a great circle)."""
    dlon = km * 1000.0 / (111_195.0 * math.cos(math.radians(lat)))
    return Route.from_points([(lat, lon), (lat, lon + dlon / 2), (lat, lon + dlon)],
                             name="east")


def voyage(seed: int = 1, speed: float = 10.0) -> Itinerary:
    r = east_route()
    return (ItineraryBuilder(T0, *r.start, seed=seed, name="test")
            .hold(2 * HOUR)
            .sail(r, speed)
            .drift(HOUR, 0.5, 200.0)
            .goto(42.0, 131.2, 6.0)
            .hold(HOUR, swing_m=0.0)
            .build())


def test_sail_takes_length_over_speed_and_ends_at_the_route_end() -> None:
    r = east_route(km=50.0)
    it = ItineraryBuilder(T0, *r.start).sail(r, 10.0).build()
    assert it.end_s - T0 == pytest.approx(r.length_m / (10.0 * KN_MS))  # 2.7 h for 50 km
    k = it.at(np.array([it.end_s]))
    assert haversine_m(k.lat[0], k.lon[0], *r.end) < 1e-6
    mid = it.at(np.array([T0 + 1800.0]))
    assert mid.sog_kn[0] == 10.0 and mid.moving[0] and mid.piece[0] == 0
    assert mid.heading_deg[0] == mid.cog_deg[0]
    # the route's first step heads a little north of east (great circle along a parallel)
    assert mid.cog_deg[0] == pytest.approx(float(bearing_deg(*r.start, r.lat[1], r.lon[1])),
                                           abs=0.5)


def test_sail_along_the_equator_heads_due_east_at_the_asked_speed() -> None:
    r = Route.from_points([(0.0, 10.0), (0.0, 11.0)])
    it = ItineraryBuilder(T0, 0.0, 10.0).sail(r, 12.0).build()
    t = np.linspace(T0, it.end_s, 1001)
    k = it.at(t)
    assert np.allclose(k.cog_deg, 90.0) and np.allclose(k.lat, 0.0)
    d = haversine_m(k.lat[0], k.lon[0], k.lat[-1], k.lon[-1])
    assert d == pytest.approx(12.0 * KN_MS * (t[-1] - t[0]), rel=1e-9)


def test_arrive_at_sets_the_speed_and_refuses_impossible_schedules() -> None:
    r = east_route(km=50.0)
    it = ItineraryBuilder(T0, *r.start).sail(r, arrive_at=T0 + 5 * HOUR).build()
    assert it.end_s == T0 + 5 * HOUR
    assert it.pieces[0].speed_kn == pytest.approx(50_000.0 / NM_M / 5.0)  # 5.40 kn
    with pytest.raises(InputError, match=r"needs 54\.0 kn, more than 30; arrive at t="):
        ItineraryBuilder(T0, *r.start, name="x").sail(r, arrive_at=T0 + 1800.0)
    with pytest.raises(InputError, match="already at"):
        ItineraryBuilder(T0, *r.start).sail(r, arrive_at=T0 - 1.0)
    with pytest.raises(InputError, match="not both"):
        ItineraryBuilder(T0, *r.start).sail(r, 10.0, arrive_at=T0 + HOUR)


def test_sail_must_start_near_the_vessel_and_joins_a_small_gap() -> None:
    r = east_route()
    with pytest.raises(InputError, match=r"route 'east': the route starts .* km from where the vessel is"
                                         r".*goto the route's first point"):
        ItineraryBuilder(T0, r.start[0] + 0.01, r.start[1], name="v").sail(r, 10.0)
    near = (r.start[0] + 200.0 / 111_195.0, r.start[1])  # 200 m north of the start
    it = ItineraryBuilder(T0, *near).sail(r, 10.0).build()
    k = it.at(np.array([T0]))
    assert haversine_m(k.lat[0], k.lon[0], *near) < 1e-6  # starts where the vessel is
    assert it.end_s - T0 == pytest.approx((r.length_m + 200.0) / (10.0 * KN_MS), rel=1e-4)


def test_hold_swings_slowly_near_its_point_and_is_not_moving() -> None:
    lat, lon = 42.2, 130.4
    it = ItineraryBuilder(T0, lat, lon, seed=3).hold(24 * HOUR, swing_m=30.0).build()
    k = it.at(np.arange(T0, it.end_s + 1, 10.0))
    assert not k.moving.any()
    assert k.sog_kn.max() <= MAX_SWING_KN + 1e-9 and k.sog_kn.min() >= 0.0
    assert k.sog_kn.max() > 0.05  # it does swing
    away = haversine_m(k.lat, k.lon, lat, lon)
    assert away[0] < 1e-6 and away.max() <= 60.0 + 1e-6  # within the circle's diameter
    # cog is along the circle: the position changes in that direction
    step = bearing_deg(k.lat[:-1], k.lon[:-1], k.lat[1:], k.lon[1:])
    moving = k.sog_kn[:-1] > 0.05
    diff = (step[moving] - k.cog_deg[:-1][moving] + 180.0) % 360.0 - 180.0
    assert np.abs(diff).max() < 5.0


def test_swing_comes_from_the_seed() -> None:
    t = np.linspace(T0, T0 + 2 * HOUR, 50)
    a, b, c = (ItineraryBuilder(T0, 42.0, 131.0, seed=s).hold(2 * HOUR).build().at(t)
               for s in (1, 1, 2))
    assert np.array_equal(a.lat, b.lat) and np.array_equal(a.heading_deg, b.heading_deg)
    assert not np.array_equal(a.lat, c.lat)


def test_drift_goes_its_course_at_its_speed() -> None:
    it = ItineraryBuilder(T0, 42.0, 131.0).drift(4 * HOUR, 0.5, 45.0, heading_deg=300.0).build()
    k = it.at(np.array([T0, it.end_s]))
    dist = haversine_m(k.lat[0], k.lon[0], k.lat[1], k.lon[1])
    assert dist == pytest.approx(0.5 * KN_MS * 4 * HOUR, rel=1e-6)  # 3.7 km
    assert float(bearing_deg(k.lat[0], k.lon[0], k.lat[1], k.lon[1])) == pytest.approx(45.0,
                                                                                      abs=0.01)
    assert np.all(k.heading_deg == 300.0) and k.moving.all()


def test_times_outside_the_itinerary_are_refused() -> None:
    it = voyage()
    with pytest.raises(ValueError, match="clip the times"):
        it.at(np.array([T0 - 1.0]))
    with pytest.raises(ValueError, match="outside it or NaN"):
        it.at(np.array([T0, math.nan]))
    assert len(it.at(np.array([it.start_s, it.end_s]))) == 2
    assert len(it.at(np.zeros(0))) == 0


def test_pieces_and_their_flags() -> None:
    it = voyage()
    assert [p.kind for p in it.pieces] == ["hold", "sail", "drift", "goto", "hold"]
    mids = np.array([(p.start_s + p.end_s) / 2 for p in it.pieces])
    k = it.at(mids)
    assert k.piece.tolist() == [0, 1, 2, 3, 4]
    assert k.moving.tolist() == [False, True, True, True, False]
    assert it.piece_at(np.array([it.pieces[1].start_s])).tolist() == [1]  # [start, end)
    assert it.piece_at(np.array([it.end_s])).tolist() == [4]
    for a, b in zip(it.pieces[:-1], it.pieces[1:]):
        assert a.end_s == b.start_s and a.end == b.start


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(1.0, 30.0))
def test_positions_are_continuous_at_piece_boundaries(seed: int, speed: float) -> None:
    it = voyage(seed, speed)
    eps = 1e-3
    for before, p in zip(it.pieces[:-1], it.pieces[1:]):
        k = it.at(np.array([p.start_s - eps, p.start_s]))
        jump = float(haversine_m(k.lat[0], k.lon[0], k.lat[1], k.lon[1]))
        fastest = max(before.speed_kn, p.speed_kn, MAX_SWING_KN) * KN_MS
        assert jump <= fastest * eps + 1e-4  # float64 epoch seconds: ~0.2 µs resolution


@settings(max_examples=100, deadline=None)
@given(st.floats(1.0, 30.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_distance_between_two_times_is_speed_times_time_on_a_sail(speed: float, f1: float,
                                                                  f2: float) -> None:
    r = Route.from_points([(42.0, 131.0), (42.3, 131.6)])  # one great circle, 60 km
    it = ItineraryBuilder(T0, *r.start).sail(r, speed).build()
    t1, t2 = sorted((T0 + f1 * (it.end_s - T0), T0 + f2 * (it.end_s - T0)))
    k = it.at(np.array([t1, t2]))
    d = float(haversine_m(k.lat[0], k.lon[0], k.lat[1], k.lon[1]))
    # linear lat/lon within a 2 km step: < 0.06 m off (routes module doc)
    assert d == pytest.approx(speed * KN_MS * (t2 - t1), rel=1e-9, abs=0.06)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.floats(0.0, 1.0), min_size=2, max_size=200))
def test_sorted_and_unsorted_times_give_the_same_answer(seed: int, fs: list[float]) -> None:
    it = voyage(seed)
    t = it.start_s + np.array(fs) * (it.end_s - it.start_s)
    order = np.argsort(t, kind="stable")
    shuffled = it.at(t)  # unsorted path (usually)
    ordered = it.at(t[order])  # sorted path
    for name in ("lat", "lon", "sog_kn", "cog_deg", "heading_deg", "piece", "moving"):
        assert np.allclose(getattr(shuffled, name)[order], getattr(ordered, name),
                           rtol=0, atol=1e-9), name


def test_antimeridian_positions_wrap() -> None:
    r = Route.from_points([(50.0, 179.9), (50.0, -179.9)])
    it = ItineraryBuilder(T0, *r.start).sail(r, 10.0).build()
    k = it.at(np.linspace(T0, it.end_s, 101))
    assert np.all((k.lon >= -180.0) & (k.lon < 180.0))
    steps = haversine_m(k.lat[:-1], k.lon[:-1], k.lat[1:], k.lon[1:])
    assert steps.max() < 200.0  # ~143 m per sample, no jump round the world


def test_bad_inputs_say_what_to_do() -> None:
    b = ItineraryBuilder(T0, 42.0, 131.0, name="Angara")
    with pytest.raises(InputError, match="'Angara': hold needs a duration or until="):
        b.hold()
    with pytest.raises(InputError, match="already at"):
        b.hold(until=T0 - 10)
    with pytest.raises(InputError, match=r"speed 0\.0 kn"):
        b.goto(42.1, 131.0, 0.0)
    with pytest.raises(InputError, match="itinerary is empty"):
        ItineraryBuilder(T0, 42.0, 131.0).hold(0.0).build()
