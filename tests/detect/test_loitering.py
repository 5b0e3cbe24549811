"""Loitering: hand-worked answers on tiny synthetic tracks, and invariants."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from track_builders import (
    HOUR_US,
    MIN_US,
    StubLand,
    east_deg,
    make_tracks,
    positions_table,
    us,
    vessel,
)

from vesselwatch.detect.config import NM_M, DetectConfig
from vesselwatch.detect.loitering import detect_loitering
from vesselwatch.model.events import EVENTS, params_json, sort_events

LAT, LON = 40.0, 5.0
V = 412000001
OFFSHORE = StubLand(30 * NM_M)


def loitering(rows: list, land: StubLand = OFFSHORE) -> pa.Table:
    return detect_loitering(make_tracks(rows, land=land), DetectConfig())


def ts_us(table: pa.Table, name: str) -> list[int | None]:
    return table[name].cast(pa.int64()).to_pylist()


def slow_then_fast(slow_h: float, every_s: float = 300, sog: float | str | None = "same"
                   ) -> list:
    """``slow_h`` hours at 1 kn, then an hour at 10 kn (so the run is closed)."""
    t0 = us("2024-03-01T22:00:00")
    t1 = t0 + int(slow_h * HOUR_US)
    slow = vessel(V, t0, t1, every_s, LAT, LON, 1.0, sog=sog)
    first_fast_lon = slow[-1][3] + east_deg(LAT, 10.0 * NM_M * every_s / 3600)
    fast = vessel(V, t1 + int(every_s * 1e6), t1 + HOUR_US, every_s, LAT, first_fast_lon, 10.0,
                  sog=10.0 if sog is not None else None)
    return slow + fast


def test_three_hours_at_1_kn_30_nm_offshore_is_one_event() -> None:
    ev = loitering(slow_then_fast(3.0))
    assert ev.schema == EVENTS
    assert ev.num_rows == 1
    assert ev["mmsi"].to_pylist() == [V]
    assert ev["other_mmsi"].to_pylist() == [None]
    assert ts_us(ev, "start_ts") == [us("2024-03-01T22:00:00")]
    assert ts_us(ev, "end_ts") == [us("2024-03-02T01:00:00")]
    assert ev["duration_s"].to_pylist() == [3 * 3600.0]
    assert ev["params"][0].as_py() == params_json(DetectConfig().params_for("loitering"))
    d = json.loads(ev["details"][0].as_py())
    assert d["positions"] == 37
    assert d["avg_implied_sog_kn"] == pytest.approx(1.0, rel=1e-3)
    assert d["mean_sog_kn"] == pytest.approx(1.0)
    assert d["speed_source"] == "reported"
    assert d["min_shore_m"] == pytest.approx(30 * NM_M)
    # 1 + slow by implied speed + speeds reported; 3 h is less than twice 2 h
    assert ev["confidence"].to_pylist() == [3]
    assert ev["lat"][0].as_py() == pytest.approx(LAT)
    assert ev["lon"][0].as_py() > LON


def test_four_hours_earns_the_duration_point() -> None:
    assert loitering(slow_then_fast(4.0))["confidence"].to_pylist() == [4]


def test_implied_speeds_lose_the_reported_point() -> None:
    ev = loitering(slow_then_fast(3.0, sog=None))
    assert ev["confidence"].to_pylist() == [2]
    assert json.loads(ev["details"][0].as_py())["speed_source"] == "implied"


def test_15_nm_offshore_is_no_event() -> None:
    assert loitering(slow_then_fast(3.0), StubLand(15 * NM_M)).num_rows == 0


def test_too_short_is_no_event_but_exactly_min_duration_is() -> None:
    assert loitering(slow_then_fast(1.9, every_s=360)).num_rows == 0
    assert loitering(slow_then_fast(2.0)).num_rows == 1


def test_a_fast_position_ends_the_run() -> None:
    rows = slow_then_fast(5.0)
    # 2 h 30 min in, one position at 5 kn: two runs of 2 h 25 min and 2 h 25 min
    rows = [(m, t, la, lo, 5.0 if t == us("2024-03-02T00:30:00") else s)
            for m, t, la, lo, s in rows]
    ev = loitering(rows)
    assert ts_us(ev, "start_ts") == [us("2024-03-01T22:00:00"), us("2024-03-02T00:35:00")]
    assert ts_us(ev, "end_ts") == [us("2024-03-02T00:25:00"), us("2024-03-02T03:00:00")]


def test_a_3_h_silence_splits_the_run() -> None:
    rows = slow_then_fast(8.0)
    silent = (us("2024-03-02T00:30:00"), us("2024-03-02T03:30:00"))
    rows = [r for r in rows if not silent[0] < r[1] < silent[1]]
    ev = loitering(rows)
    assert ts_us(ev, "start_ts") == [us("2024-03-01T22:00:00"), us("2024-03-02T03:30:00")]
    assert ts_us(ev, "end_ts") == [us("2024-03-02T00:30:00"), us("2024-03-02T06:00:00")]


def test_a_2_h_silence_does_not() -> None:
    rows = slow_then_fast(8.0)
    silent = (us("2024-03-02T00:30:00"), us("2024-03-02T02:30:00"))
    rows = [r for r in rows if not silent[0] < r[1] < silent[1]]
    assert loitering(rows).num_rows == 1


def test_open_at_the_end_of_the_track() -> None:
    t0 = us("2024-03-01T22:00:00")
    ev = loitering(vessel(V, t0, t0 + 3 * HOUR_US, 300, LAT, LON, 1.0))
    assert ev.num_rows == 1
    assert ts_us(ev, "start_ts") == [t0]
    assert ev["end_ts"].to_pylist() == [None]
    assert ev["duration_s"].to_pylist() == [None]


def test_position_near_shore_ends_the_run() -> None:
    def shore(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        return np.where(lon > LON + 0.02, 10 * NM_M, 30 * NM_M)

    # at 1 kn east, lon passes LON + 0.02 (1.7 km) after about 55 min: no 2 h run before
    assert loitering(slow_then_fast(3.0), StubLand(shore)).num_rows == 0


def test_empty_input_gives_an_empty_table() -> None:
    ev = detect_loitering(make_tracks(positions_table([])), DetectConfig())
    assert ev.num_rows == 0 and ev.schema == EVENTS


# --- invariants -------------------------------------------------------------------------


def _scenario(seed: int) -> list:
    rng = np.random.default_rng(seed)
    rows = []
    t0 = us("2024-03-01T20:00:00")
    for k in range(int(rng.integers(1, 5))):
        start = t0 + int(rng.integers(0, 240)) * MIN_US
        for leg in range(int(rng.integers(1, 4))):
            end = start + int(rng.integers(1, 5)) * HOUR_US
            speed = float(rng.choice([0.5, 1.5, 2.5, 8.0]))
            sog = None if rng.random() < 0.3 else "same"
            rows += vessel(500000000 + k, start, end, float(rng.choice([120, 600, 1800])),
                           LAT + k * 0.1, LON + leg * 0.2, speed, sog=sog)
            start = end + int(rng.integers(1, 240)) * MIN_US
    keep = rng.random(len(rows)) > 0.1
    return [r for r, k in zip(rows, keep) if k]


def _shore(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return np.where(np.round(lon * 10) % 3 == 0, 10 * NM_M, 25 * NM_M)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), shuffle=st.integers(0, 2**32 - 1))
def test_row_order_does_not_change_the_events(seed: int, shuffle: int) -> None:
    rows = _scenario(seed)
    perm = np.random.default_rng(shuffle).permutation(len(rows))
    land = StubLand(_shore)
    assert loitering(rows, land).equals(loitering([rows[i] for i in perm], land))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_per_mmsi_partitions_give_the_same_events(seed: int) -> None:
    rows = _scenario(seed)
    land = StubLand(_shore)
    tracks = make_tracks(rows, land=land)
    whole = detect_loitering(tracks, DetectConfig())
    parts = [detect_loitering(tracks.take(tracks.mmsi == m), DetectConfig())
             for m in np.unique(tracks.mmsi)]
    assert sort_events(pa.concat_tables(parts)).equals(whole)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_no_event_outside_the_data(seed: int) -> None:
    rows = _scenario(seed)
    ev = loitering(rows, StubLand(_shore))
    t = [r[1] for r in rows]
    for v in ts_us(ev, "start_ts"):
        assert v is not None and min(t) <= v <= max(t)
    for v in ts_us(ev, "end_ts"):
        assert v is None or min(t) <= v <= max(t)
