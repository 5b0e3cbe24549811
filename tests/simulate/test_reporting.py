"""Transmission times at the ITU-R M.1371-5 Table 1 rates, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.detect.config import KN_MS
from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import EARTH_RADIUS_M
from vesselwatch.simulate.motion import Itinerary, ItineraryBuilder
from vesselwatch.simulate.reporting import (
    position_report_times,
    report_interval_s,
    static_report_times,
)
from vesselwatch.simulate.routes import Route

T0 = 1_700_000_000.0
HOUR = 3600.0


def sail_for(hours: float, speed_kn: float) -> Itinerary:
    """A sail of exactly ``hours`` at ``speed_kn`` (due north from 40 N 131 E)."""
    metres = speed_kn * KN_MS * hours * HOUR
    route = Route.from_points([(40.0, 131.0), (40.0 + math.degrees(metres / EARTH_RADIUS_M),
                                               131.0)])
    return ItineraryBuilder(T0, 40.0, 131.0).sail(route, arrive_at=T0 + hours * HOUR).build()


@pytest.mark.parametrize(("ais_class", "speed", "expected"), [
    ("A", 10.0, 360),  # 0-14 kn: 10 s
    ("A", 14.0, 360),  # the band edge belongs to the slower band
    ("A", 15.0, 600),  # 14-23 kn: 6 s
    ("A", 23.0, 600),
    ("A", 25.0, 1800),  # > 23 kn: 2 s
    ("A", 2.0, 360),  # slow, but under way: 10 s
    ("B", 10.0, 120),  # class B "CS" > 2 kn: 30 s
    ("B", 2.5, 120),
    ("B", 25.0, 120),
])
def test_one_hour_sail(ais_class: str, speed: float, expected: int) -> None:
    it = sail_for(1.0, speed)
    assert it.pieces[0].speed_kn == pytest.approx(speed)
    t = position_report_times(it, ais_class, T0, T0 + HOUR, seed=1)
    assert t.size == expected  # half-open hour, whole intervals: exact
    assert t.dtype == np.int64 and np.all(np.diff(t) > 0)
    assert t[0] >= T0 and t[-1] < T0 + HOUR


@pytest.mark.parametrize(("ais_class", "expected"), [("A", 20), ("B", 20)])
def test_one_hour_at_anchor_is_every_three_minutes(ais_class: str, expected: int) -> None:
    it = ItineraryBuilder(T0, 40.0, 131.0).hold(HOUR).build()
    t = position_report_times(it, ais_class, T0, T0 + HOUR, seed=2)
    assert t.size == expected and np.all(np.diff(t) == 180)


def test_class_b_drifting_slowly_reports_like_at_anchor_class_a_does_not() -> None:
    it = ItineraryBuilder(T0, 40.0, 131.0).drift(HOUR, 1.0, 90.0).build()
    assert position_report_times(it, "B", T0, T0 + HOUR, seed=3).size == 20  # <= 2 kn
    assert position_report_times(it, "A", T0, T0 + HOUR, seed=3).size == 360  # under way


def test_rate_changes_with_the_piece_in_force() -> None:
    # 1 h at anchor, then 1 h at 10 kn, then 1 h at 20 kn
    r1 = Route.from_points([(40.0, 131.0), (40.0 + 10 * 1852.0 / 111_195.0, 131.0)])
    r2 = Route.from_points([r1.end, (r1.end[0] + 20 * 1852.0 / 111_195.0, 131.0)])
    it = (ItineraryBuilder(T0, 40.0, 131.0, seed=5).hold(HOUR, swing_m=0.0)
          .sail(r1, 10.0).sail(r2, 20.0).build())
    assert it.end_s == pytest.approx(T0 + 3 * HOUR)
    t = position_report_times(it, "A", T0, T0 + 3 * HOUR, seed=9)
    gaps = np.diff(t)
    at_anchor, sailing, fast = t < T0 + HOUR, (t >= T0 + HOUR) & (t < T0 + 2 * HOUR), \
        t >= T0 + 2 * HOUR
    assert at_anchor.sum() == 20 and sailing.sum() in (359, 360, 361)
    assert fast.sum() in (599, 600, 601)
    assert set(gaps[np.flatnonzero(at_anchor)[:-1]]) == {180}
    assert set(gaps[np.flatnonzero(sailing)[1:-1]]) == {10}
    assert set(gaps[np.flatnonzero(fast)[1:-1]]) == {6}
    # weighing anchor: the first report under way comes within one 10 s interval
    assert T0 + HOUR <= t[sailing][0] <= T0 + HOUR + 10


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 3000.0), st.floats(1.0, 7200.0))
def test_reports_are_whole_increasing_seconds_in_the_window(seed: int, start: float,
                                                           length: float) -> None:
    it = sail_for(3.0, 12.0)
    t0, t1 = T0 + start, min(T0 + start + length, it.end_s)
    t = position_report_times(it, "A", t0, t1, seed=seed)
    assert t.dtype == np.int64 and np.all(np.diff(t) == 10)
    assert np.all((t >= t0) & (t < t1))
    assert abs(t.size - (t1 - t0) / 10.0) <= 1.0
    assert t.size == 0 or t[0] < math.ceil(t0) + 10  # the phase is within one interval


def test_phase_comes_from_the_seed() -> None:
    it = sail_for(1.0, 10.0)
    firsts = {int(position_report_times(it, "A", T0, T0 + HOUR, seed=s)[0]) for s in range(40)}
    assert len(firsts) > 5 and all(T0 <= f < T0 + 10 for f in firsts)
    a = position_report_times(it, "A", T0, T0 + HOUR, seed=7)
    b = position_report_times(it, "A", T0, T0 + HOUR, seed=7)
    assert np.array_equal(a, b)


def test_static_reports_every_six_minutes() -> None:
    t = static_report_times(T0, T0 + HOUR, seed=4)
    assert t.size == 10 and np.all(np.diff(t) == 360) and T0 <= t[0] < T0 + 360
    assert static_report_times(T0, T0, seed=4).size == 0


def test_interval_table() -> None:
    assert report_interval_s("A", 0.0, anchored=True) == 180
    assert report_interval_s("A", 3.0, anchored=True) == 180
    assert report_interval_s("A", 3.5, anchored=True) == 10  # moving faster than 3 kn
    assert report_interval_s("B", 2.0, anchored=False) == 180
    assert report_interval_s("b-cs", 2.01, anchored=False) == 30


def test_bad_class_and_window_say_what_to_do() -> None:
    it = sail_for(1.0, 10.0)
    with pytest.raises(InputError, match="give 'A' or 'B'"):
        position_report_times(it, "C", T0, T0 + HOUR, seed=1)
    with pytest.raises(ValueError, match="clip the window"):
        position_report_times(it, "A", T0 - 10, T0 + HOUR, seed=1)
