"""Reception: station ranges, satellite passes, random loss, coverage, downsampling."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vesselwatch.detect.config import NM_M
from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import EARTH_RADIUS_M, haversine_m
from vesselwatch.simulate.reception import (
    NO_STATION,
    SatellitePasses,
    Station,
    coverage,
    covered_intervals,
    receive,
    thin,
)

T0 = 1_700_000_000.0
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0
NAKHODKA = Station("nakhodka", 42.80, 132.88, range_nm=40.0)
POSYET = Station("posyet", 42.65, 130.80, range_nm=30.0)


def north_of(s: Station, metres: float) -> tuple[float, float]:
    return s.lat + metres / M_PER_DEG, s.lon


def test_range_boundary_is_inclusive() -> None:
    # a range equal to the measured distance: in; a millimetre beyond: out
    for metres in np.arange(30_000.0, 30_100.0, 1.0):  # find a distance that round-trips
        lat, lon = north_of(NAKHODKA, metres)
        d = float(haversine_m(NAKHODKA.lat, NAKHODKA.lon, lat, lon))
        exact = Station("exact", NAKHODKA.lat, NAKHODKA.lon, range_nm=d / NM_M)
        if exact.range_nm * NM_M == d:
            break
    else:
        pytest.fail("no distance round-trips through nautical miles exactly")
    lat_out, lon_out = north_of(NAKHODKA, d + 1e-3)
    cov = coverage([lat, lat_out], [lon, lon_out], T0, [exact])
    assert cov.terrestrial.tolist() == [True, False]
    assert cov.station.tolist() == [0, NO_STATION]


@settings(max_examples=200, deadline=None)
@given(st.floats(1_000.0, 70_000.0), st.floats(0.0, 360.0))
def test_range_boundary_property(dist: float, bearing: float) -> None:
    p = math.radians(bearing)
    lat = NAKHODKA.lat + dist * math.cos(p) / M_PER_DEG
    lon = NAKHODKA.lon + dist * math.sin(p) / (M_PER_DEG * math.cos(math.radians(NAKHODKA.lat)))
    d = float(haversine_m(NAKHODKA.lat, NAKHODKA.lon, lat, lon))
    station = Station("s", NAKHODKA.lat, NAKHODKA.lon, range_nm=d / NM_M)
    assume(station.range_nm * NM_M == d)
    assert coverage([lat], [lon], T0, [station]).terrestrial.tolist() == [True]
    smaller = Station("s", NAKHODKA.lat, NAKHODKA.lon, range_nm=(d - 0.01) / NM_M)
    assert coverage([lat], [lon], T0, [smaller]).terrestrial.tolist() == [False]


def test_nearest_station_in_range_gets_the_message() -> None:
    near = Station("near", 42.0, 131.0, range_nm=40.0)
    far = Station("far", 42.3, 131.0, range_nm=40.0)  # 33 km north of near
    lat = np.array([42.05, 42.25, 41.0, 42.15])
    lon = np.full(4, 131.0)
    r = receive(lat, lon, T0, 1, [far, near], p_loss_terrestrial=0.0, seed=0)
    assert r.names == ("far", "near")
    assert r.station.tolist() == [1, 0, NO_STATION, 0]  # 42.15: equal distances, first listed
    assert r.received.tolist() == [True, True, False, True]
    assert r.covered.tolist() == [True, True, False, True]
    ids = r.station_ids()
    assert isinstance(ids, pa.DictionaryArray)
    assert ids.to_pylist() == ["near", "far", None, "far"]
    assert r.station_names().tolist() == ["near", "far", None, "far"]


def test_random_loss_is_counted_and_covered_stays_true() -> None:
    n = 200_000
    lat, lon = north_of(NAKHODKA, 10_000.0)
    t = T0 + np.arange(n, dtype=np.float64) * 10.0
    r = receive(np.full(n, lat), np.full(n, lon), t, 273_000_001, [NAKHODKA],
                p_loss_terrestrial=0.3, seed=11)
    assert r.covered.all()
    assert r.received.mean() == pytest.approx(0.7, abs=0.005)  # 4.5 sigma
    assert np.all(r.station[r.received] == 0) and np.all(r.station[~r.received] == NO_STATION)


def test_satellite_covers_only_during_passes_and_detects_with_p_detect() -> None:
    sat = SatellitePasses("sat-1", revisit_s=6000.0, pass_s=600.0, phase_s=T0 + 100.0,
                          p_detect=0.6)
    assert sat.in_pass([T0 + 99.0, T0 + 100.0, T0 + 699.0, T0 + 700.0, T0 + 6100.0]).tolist() \
        == [False, True, True, False, True]
    t = T0 + np.arange(0, 600_000, 2, dtype=np.float64)
    r = receive(np.full(t.size, 10.0), np.full(t.size, -30.0), t, 1, [POSYET], [sat],
                p_loss_terrestrial=0.0, seed=3)
    in_pass = sat.in_pass(t)
    assert np.array_equal(r.covered, in_pass)  # mid-Atlantic: no station
    assert not r.received[~in_pass].any()
    assert r.received[in_pass].mean() == pytest.approx(0.6, abs=0.01)
    assert set(r.station[r.received].tolist()) == {1}  # after the one station
    starts, ends = sat.windows(T0, T0 + 13_000.0)
    assert starts.tolist() == [T0 + 100.0, T0 + 6100.0, T0 + 12_100.0]
    assert ends.tolist() == [T0 + 700.0, T0 + 6700.0, T0 + 12_700.0]


def test_results_do_not_depend_on_how_messages_are_batched() -> None:
    rng = np.random.default_rng(0)
    n = 5000
    lat = rng.uniform(42.0, 43.0, n)
    lon = rng.uniform(130.5, 133.0, n)
    t = T0 + rng.uniform(0, 86_400, n)
    mmsi = rng.integers(273_000_000, 273_000_050, n)
    sat = SatellitePasses("sat", 5400.0, 900.0, T0, 0.5)
    args = ([NAKHODKA, POSYET], [sat])
    whole = receive(lat, lon, t, mmsi, *args, p_loss_terrestrial=0.2, seed=5)
    order = rng.permutation(n)
    parts = [receive(lat[i], lon[i], t[i], mmsi[i], *args, p_loss_terrestrial=0.2, seed=5)
             for i in np.array_split(order, 7)]
    got = np.concatenate([p.received for p in parts])
    assert np.array_equal(got, whole.received[order])
    other_seed = receive(lat, lon, t, mmsi, *args, p_loss_terrestrial=0.2, seed=6)
    assert not np.array_equal(other_seed.received, whole.received)


def test_covered_intervals_of_a_track_sailing_out_of_range() -> None:
    # due north from the station at 1 m/s, sampled every 10 s: out of range after 40 nm
    t = T0 + np.arange(0, 100_000, 10, dtype=np.float64)
    lat = NAKHODKA.lat + (t - T0) / M_PER_DEG
    lon = np.full(t.size, NAKHODKA.lon)
    starts, ends = covered_intervals(lat, lon, t, [NAKHODKA])
    assert starts.tolist() == [T0]
    edge = T0 + 40 * NM_M  # 74,080 s
    assert edge - 10 <= ends[0] <= edge  # the last sample in range
    sat = SatellitePasses("sat", 20_000.0, 1000.0, T0 + 5000.0, 1.0)
    starts, ends = covered_intervals(lat, lon, t, [NAKHODKA], [sat])
    # passes at 5,000 + 20,000 k s; those up to 65,000 s fall inside the station's range
    assert starts.tolist() == [T0, T0 + 85_000.0]
    assert ends[1] == T0 + 85_990.0  # the last sample before the pass ends at 86,000 s
    with pytest.raises(ValueError, match="increasing order"):
        covered_intervals(lat[::-1], lon, t[::-1], [NAKHODKA])


ids_st = st.integers(1, 4)
times_st = st.floats(0.0, 2000.0)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(ids_st, times_st), max_size=60), st.sampled_from([0.0, 60.0, 300.0]))
def test_thin_keeps_the_first_message_of_each_bucket(rows: list[tuple[int, float]],
                                                     keep: float) -> None:
    mmsi = np.array([r[0] for r in rows], dtype=np.int64)
    t = np.array([r[1] for r in rows], dtype=np.float64)
    mask = thin(mmsi, t, keep)
    if keep == 0.0:
        assert mask.all()
        return
    expected: dict[tuple[int, float], int] = {}
    for i, (m, ti) in enumerate(rows):  # brute force: earliest, then first in input order
        key = (m, math.floor(ti / keep))
        if key not in expected or ti < rows[expected[key]][1]:
            expected[key] = i
    assert sorted(np.flatnonzero(mask).tolist()) == sorted(expected.values())


def test_thin_on_sorted_input_and_hand_worked_buckets() -> None:
    mmsi = np.array([1, 1, 1, 1, 2, 2])
    t = np.array([0.0, 59.0, 60.0, 61.0, 30.0, 30.0])
    assert thin(mmsi, t, 60.0).tolist() == [True, False, True, False, True, False]


def test_receivers_are_checked() -> None:
    with pytest.raises(InputError, match="used more than once"):
        receive([42.0], [131.0], T0, 1, [NAKHODKA, NAKHODKA], p_loss_terrestrial=0.0, seed=0)
    with pytest.raises(InputError, match="range_nm=0"):
        Station("x", 42.0, 131.0, range_nm=0.0)
    with pytest.raises(InputError, match=r"p_detect=1\.5"):
        SatellitePasses("x", 100.0, 10.0, 0.0, 1.5)
    with pytest.raises(InputError, match="pass_s between 0 and revisit_s"):
        SatellitePasses("x", 100.0, 200.0)
    with pytest.raises(InputError, match="p_loss_terrestrial"):
        receive([42.0], [131.0], T0, 1, [NAKHODKA], p_loss_terrestrial=2.0, seed=0)


def test_ranges_across_the_antimeridian_and_round_a_pole() -> None:
    dateline = Station("dateline", 50.0, 179.9, range_nm=40.0)
    polar = Station("polar", 89.9, 0.0, range_nm=40.0)  # the cap holds the pole
    lat = np.array([50.0, 50.0, 50.0, 89.8, 89.0])
    lon = np.array([-179.8, 178.0, 539.8, 180.0, 0.0])  # 539.8 is -180.2 + 720
    cov = coverage(lat, lon, T0, [dateline, polar])
    d = haversine_m(lat[:3], lon[:3], dateline.lat, dateline.lon)
    assert d[0] < 25_000 and d[1] > 74_080 and d[2] < 74_080  # the hand-worked expectation
    assert cov.station.tolist() == [0, NO_STATION, 0, 1, NO_STATION]  # 89.0 N: 100 km away
