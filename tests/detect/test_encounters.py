"""Encounters: hand-worked answers on tiny synthetic tracks, the cell join, and invariants."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from track_builders import (
    HOUR_US,
    MIN_US,
    east_deg,
    make_tracks,
    north_m,
    port_at,
    positions_table,
    us,
    vessel,
)

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.encounters import (
    M_PER_DEG,
    _cell_rows,
    _join_chunk,
    detect_encounters,
)
from vesselwatch.model.events import EVENTS, params_json
from vesselwatch.reference.geodesy import haversine_m

LAT, LON = 40.0, 5.0
A, B = 211000001, 211000002


def pair(start: str, end: str, apart_m: float = 300.0, *, speed_kn: float = 0.5,
         sog: float | str | None = "same", every_s: float = 180.0, offset_s: int = 90,
         lag_s: int = 20, lat: float = LAT, lon: float = LON) -> list[tuple[int, int, float, float, float | None]]:
    """Two vessels sailing east side by side ``apart_m`` apart, positions off the grid."""
    t0, t1 = us(start) + offset_s * 1_000_000, us(end) + offset_s * 1_000_000
    return (vessel(A, t0, t1, every_s, lat, lon, speed_kn, sog=sog)
            + vessel(B, t0 + lag_s * 1_000_000, t1 + lag_s * 1_000_000, every_s,
                     north_m(lat, apart_m), lon, speed_kn, sog=sog))


def encounters(rows: list, **kw: object) -> pa.Table:
    return detect_encounters(make_tracks(rows, **kw), DetectConfig())  # type: ignore[arg-type]


def ts_us(table: pa.Table, name: str) -> list[int | None]:
    return table[name].cast(pa.int64()).to_pylist()


def test_three_hours_300_m_apart_is_one_encounter_of_two_events() -> None:
    ev = encounters(pair("2024-03-01T06:00:00", "2024-03-01T09:00:00"))
    assert ev.schema == EVENTS
    assert ev.num_rows == 2
    assert ev["mmsi"].to_pylist() == [A, B]
    assert ev["other_mmsi"].to_pylist() == [B, A]
    # positions from 06:01:30 (B from 06:01:50) to 09:01:30: grid slots 06:10 .. 09:00
    assert ts_us(ev, "start_ts") == [us("2024-03-01T06:10:00")] * 2
    assert ts_us(ev, "end_ts") == [us("2024-03-01T09:00:00")] * 2
    assert ev["duration_s"].to_pylist() == [2 * 3600 + 50 * 60] * 2
    assert ev["event_type"].to_pylist() == ["encounter"] * 2
    assert ev["confidence"].to_pylist() == [4, 4]
    assert ev["params"][0].as_py() == params_json(DetectConfig().params_for("encounters"))
    assert len(set(ev["event_id"].to_pylist())) == 2
    d = json.loads(ev["details"][0].as_py())
    assert d["close_slots"] == 18
    assert d["median_distance_m"] == pytest.approx(300.0, abs=1.0)
    assert d["median_sog_kn"] == pytest.approx(0.5)
    assert d["observed_share"] == 1.0
    assert d["speed_source"] == "reported"
    # the position: the midpoint of the pair halfway through
    # median slot 07:35: A has sailed 93.5 min since 06:01:30, B 93 min 10 s
    mid_lon = LON + east_deg(LAT, 0.5 * 1852 * (93.5 + 93.5 - 1 / 3) / 2 / 60)
    assert ev["lat"][0].as_py() == pytest.approx(north_m(LAT, 150.0), abs=1e-6)
    assert ev["lon"][0].as_py() == pytest.approx(mid_lon, abs=1e-6)


def test_700_m_apart_is_no_encounter() -> None:
    assert encounters(pair("2024-03-01T06:00:00", "2024-03-01T09:00:00", 700.0)).num_rows == 0


def test_490_m_apart_is_an_encounter() -> None:
    assert encounters(pair("2024-03-01T06:00:00", "2024-03-01T09:00:00", 490.0)).num_rows == 2


def test_1h50_is_too_short_and_2h_is_enough() -> None:
    short = pair("2024-03-01T06:00:00", "2024-03-01T07:50:00", offset_s=0, lag_s=0)
    assert encounters(short).num_rows == 0
    exact = pair("2024-03-01T06:00:00", "2024-03-01T08:00:00", offset_s=0, lag_s=0)
    ev = encounters(exact)
    assert ts_us(ev, "start_ts") == [us("2024-03-01T06:00:00")] * 2
    assert ev["duration_s"].to_pylist() == [7200.0, 7200.0]


def test_encounter_across_midnight_is_one_event_per_vessel() -> None:
    ev = encounters(pair("2024-03-01T22:30:00", "2024-03-02T01:30:00"))
    assert ev.num_rows == 2
    assert ts_us(ev, "start_ts") == [us("2024-03-01T22:40:00")] * 2
    assert ts_us(ev, "end_ts") == [us("2024-03-02T01:30:00")] * 2
    assert json.loads(ev["details"][0].as_py())["close_slots"] == 18


def _two_runs(gap_h: float) -> list:
    """Close 00:00-02:00, 5 km apart in between, close again for 2 h after ``gap_h``."""
    t0 = us("2024-03-01T00:00:00")
    end = t0 + int((4 + gap_h) * HOUR_US)
    knots_h = [0.0, 2.0, 2.5, 2.0 + gap_h - 0.5, 2.0 + gap_h, 4.0 + gap_h]
    offsets = [300.0, 300.0, 5000.0, 5000.0, 300.0, 300.0]

    def offset(h: np.ndarray) -> np.ndarray:
        return np.interp(h, knots_h, offsets)

    return (vessel(A, t0, end, 120, LAT, LON, 0.5)
            + vessel(B, t0, end, 120, LAT, LON, 0.5, north_offset_m=offset))


def test_runs_3_h_apart_merge() -> None:
    ev = encounters(_two_runs(3.0))
    assert ev.num_rows == 2
    assert ts_us(ev, "start_ts") == [us("2024-03-01T00:00:00")] * 2
    assert ts_us(ev, "end_ts") == [us("2024-03-01T07:00:00")] * 2
    assert json.loads(ev["details"][0].as_py())["close_slots"] == 26


def test_runs_5_h_apart_are_two_encounters() -> None:
    ev = encounters(_two_runs(5.0))
    assert ev.num_rows == 4
    assert sorted(set(ts_us(ev, "start_ts"))) == [us("2024-03-01T00:00:00"),
                                                  us("2024-03-01T07:00:00")]
    assert sorted(set(ts_us(ev, "end_ts"))) == [us("2024-03-01T02:00:00"),
                                                us("2024-03-01T09:00:00")]


def test_runs_exactly_4_h_apart_do_not_merge() -> None:
    assert encounters(_two_runs(4.0)).num_rows == 4


def test_near_a_port_is_no_encounter() -> None:
    rows = pair("2024-03-01T06:00:00", "2024-03-01T09:00:00")
    mid_lon = LON + east_deg(LAT, 0.5 * 1852 * 1.5)
    near = port_at(north_m(LAT, 8000.0), mid_lon)
    far = port_at(north_m(LAT, 12000.0), mid_lon)
    assert encounters(rows, ports=[near]).num_rows == 0
    assert encounters(rows, ports=[far]).num_rows == 2


def test_median_speed_3_kn_is_no_encounter() -> None:
    assert encounters(pair("2024-03-01T06:00:00", "2024-03-01T09:00:00", sog=3.0)).num_rows == 0
    # one vessel fast is enough to rule it out
    rows = pair("2024-03-01T06:00:00", "2024-03-01T09:00:00")
    rows = [(m, t, la, lo, 3.0 if m == B else s) for m, t, la, lo, s in rows]
    assert encounters(rows).num_rows == 0


def test_vessels_without_sog_use_implied_speed() -> None:
    slow = encounters(pair("2024-03-01T06:00:00", "2024-03-01T09:00:00", sog=None))
    assert slow.num_rows == 2
    d = json.loads(slow["details"][0].as_py())
    assert d["speed_source"] == "implied"
    assert d["median_sog_kn"] == pytest.approx(0.5, rel=0.01)
    fast = pair("2024-03-01T06:00:00", "2024-03-01T09:00:00", speed_kn=3.0, sog=None)
    assert encounters(fast).num_rows == 0


def test_sparse_positions_lower_the_confidence() -> None:
    # a position every 40 min: interpolated slots, most without a position within 10 min
    rows = pair("2024-03-01T06:00:00", "2024-03-01T10:00:00", every_s=2400, offset_s=300)
    ev = encounters(rows)
    assert ev.num_rows == 2
    d = json.loads(ev["details"][0].as_py())
    assert d["observed_share"] < 0.75
    assert ev["confidence"][0].as_py() == 1 + sum(d["observed_share"] >= x
                                                  for x in (0.25, 0.5, 0.75))


def test_gap_over_an_hour_is_not_interpolated() -> None:
    rows = pair("2024-03-01T06:00:00", "2024-03-01T09:00:00", every_s=4200, offset_s=300)
    assert encounters(rows).num_rows == 0


# --- the cell join ------------------------------------------------------------------------


def _brute(lat: np.ndarray, lon: np.ndarray, slot: np.ndarray, dist: float) -> set:
    d = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    i, j = np.nonzero((d <= dist) & (slot[:, None] == slot[None, :]))
    return {(a, b) for a, b in zip(i.tolist(), j.tolist()) if a < b}


def _found(lat: np.ndarray, lon: np.ndarray, slot: np.ndarray, dist: float) -> set:
    i, j, _ = _join_chunk(slot.astype(np.int64), lat, lon, dist)
    pairs = [(min(a, b), max(a, b)) for a, b in zip(i.tolist(), j.tolist())]
    assert len(pairs) == len(set(pairs)), "a pair was found twice"
    return set(pairs)


def test_pair_straddling_a_row_edge_and_a_column_edge_is_found() -> None:
    cell_m = 500.0 * 1.001
    row, _, width = _cell_rows(np.array([LAT]), cell_m)
    edge_lat = float(row[0] + 1) * cell_m / M_PER_DEG - 90.0  # the row's northern edge
    edge_lon = (math.floor((LON + 180.0) / width[0]) + 1) * width[0] - 180.0
    lat = np.array([edge_lat - 1e-5, edge_lat + 1e-5, LAT, LAT])
    lon = np.array([LON, LON, edge_lon - 1e-5, edge_lon + 1e-5])
    r, _, _ = _cell_rows(lat, cell_m)
    assert r[0] != r[1]  # really on two sides of an edge
    assert _found(lat, lon, np.array([0, 0, 1, 1]), 500.0) == {(0, 1), (2, 3)}


def test_pair_across_the_antimeridian_is_found() -> None:
    lat = np.array([10.0, 10.0, 10.0])
    lon = np.array([179.999, -179.999, 0.0])
    assert _found(lat, lon, np.zeros(3, dtype=np.int64), 500.0) == {(0, 1)}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), lat0=st.sampled_from([0.0, 40.0, -62.0, 75.0, 89.99]),
       dist=st.sampled_from([30.0, 500.0, 2000.0]))
def test_join_finds_exactly_the_pairs_brute_force_finds(seed: int, lat0: float,
                                                        dist: float) -> None:
    rng = np.random.default_rng(seed)
    n = 150
    span = dist * 8 / M_PER_DEG
    lat = np.clip(lat0 + rng.uniform(-span, span, n), -90, 90)
    lon = rng.uniform(-span, span, n) / max(math.cos(math.radians(lat0)), 0.01) + 179.9
    lon = (lon + 180.0) % 360.0 - 180.0
    slot = rng.integers(0, 3, n)
    assert _found(lat, lon, slot, dist) == _brute(lat, lon, slot, dist)


# --- invariants -------------------------------------------------------------------------


def _scenario(seed: int) -> list:
    """Three or four vessels drifting east along one line for hours, some without SOG."""
    rng = np.random.default_rng(seed)
    t0 = us("2024-03-01T20:00:00") + int(rng.integers(0, 600)) * 1_000_000
    drift = float(rng.choice([0.3, 0.8, 1.5, 2.5]))
    rows = []
    for k in range(int(rng.integers(3, 5))):
        start = t0 + int(rng.integers(0, 120)) * MIN_US
        end = start + int(rng.integers(2, 10)) * HOUR_US
        sog = None if rng.random() < 0.3 else "same"
        speed = drift * float(rng.uniform(0.9, 1.1))
        lon = LON + east_deg(LAT, speed * 1852 * (start - t0) / HOUR_US)
        rows += vessel(300000000 + k, start, end, float(rng.choice([60, 180, 400, 900])),
                       north_m(LAT, float(rng.uniform(0, 700))), lon, speed, sog=sog)
    # drop some positions to make holes
    keep = rng.random(len(rows)) > 0.1
    return [r for r, k in zip(rows, keep) if k]


def _key(table: pa.Table) -> list[tuple]:
    cols = ["mmsi", "other_mmsi", "start_ts", "end_ts", "lat", "lon", "confidence", "details"]
    return sorted(zip(*(table[c].to_pylist() for c in cols)))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), shuffle=st.integers(0, 2**32 - 1))
def test_row_order_does_not_change_the_events(seed: int, shuffle: int) -> None:
    rows = _scenario(seed)
    perm = np.random.default_rng(shuffle).permutation(len(rows))
    a = encounters(rows)
    b = encounters([rows[i] for i in perm])
    assert a.equals(b)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_swapping_mmsis_swaps_mmsi_and_other_mmsi(seed: int) -> None:
    rows = _scenario(seed)
    swap = {300000000: 300000001, 300000001: 300000000}
    swapped = [(swap.get(m, m), t, la, lo, s) for m, t, la, lo, s in rows]
    a = encounters(rows)
    b = encounters(swapped)
    relabelled = b.set_column(2, "mmsi", pa.array([swap.get(m, m) for m in b["mmsi"].to_pylist()],
                                                  pa.uint32()))
    relabelled = relabelled.set_column(
        3, "other_mmsi", pa.array([swap.get(m, m) for m in b["other_mmsi"].to_pylist()],
                                  pa.uint32()))
    assert _key(a) == _key(relabelled)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_no_event_outside_the_data(seed: int) -> None:
    rows = _scenario(seed)
    ev = encounters(rows)
    t = [r[1] for r in rows]
    for col in ("start_ts", "end_ts"):
        for v in ts_us(ev, col):
            assert v is not None and min(t) <= v <= max(t)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_two_halves_with_a_halo_give_the_same_events(seed: int) -> None:
    rows = _scenario(seed) + [
        (m + 10, t + 4 * HOUR_US, la, lo, s) for m, t, la, lo, s in _scenario(seed + 1)]
    tracks = make_tracks(rows)
    config = DetectConfig()
    whole = detect_encounters(tracks, config)
    lo, hi = int(tracks.ts.min()), int(tracks.ts.max()) + 1
    mid = (lo + hi) // 2
    halo = 14 * HOUR_US  # longer than any encounter of the scenario plus merge_gap_h
    parts = []
    for a, b in ((lo, mid), (mid, hi)):
        part = tracks.take((tracks.ts >= a - halo) & (tracks.ts < b + halo))
        ev = detect_encounters(part, config)
        start = np.asarray(ev["start_ts"].cast(pa.int64()).to_numpy())
        parts.append(ev.filter(pa.array((start >= a) & (start < b))))
    assert _key(pa.concat_tables(parts)) == _key(whole)


def test_time_chunks_do_not_change_the_events() -> None:
    rows = _scenario(7) + pair("2024-03-01T22:30:00", "2024-03-02T01:30:00")
    tracks = make_tracks(rows)
    whole = detect_encounters(tracks, DetectConfig())
    assert whole.num_rows >= 2
    assert detect_encounters(tracks, DetectConfig(), chunk_points=5).equals(whole)


def test_empty_input_gives_an_empty_table() -> None:
    ev = detect_encounters(make_tracks(positions_table([])), DetectConfig())
    assert ev.num_rows == 0 and ev.schema == EVENTS
