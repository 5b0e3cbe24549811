"""Port visits: GFW's state machine, worked by hand (docs/events.md, "port_visit")."""

from __future__ import annotations

import json

import numpy as np
from track_builders import HOUR_US, MIN_US, make_tracks, north_m, port_at, us

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.port_visits import detect_port_visits

T0 = us("2024-03-01T00:00:00")
CFG = DetectConfig()
PORT = port_at(42.0, 131.0, "KPXXX")


def _at(km: list[float], every_min: float = 10.0, sog: float | None = 0.0, mmsi: int = 1,
        start: int = T0) -> list[tuple[int, int, float, float, float | None]]:
    """Positions ``km`` north of the port, one every ``every_min`` minutes."""
    return [(mmsi, start + int(i * every_min * MIN_US), north_m(PORT.lat, k * 1000.0), PORT.lon,
             sog) for i, k in enumerate(km)]


def _visits(rows: list, **kw: object) -> list[dict]:
    t = make_tracks(rows, ports=[PORT], **kw)  # type: ignore[arg-type]
    return detect_port_visits(t, CFG).to_pylist()


def test_entry_stop_exit_is_confidence_four() -> None:
    rows = _at([10, 6, 2.5, 1, 1, 1, 1, 2, 5, 10], sog=0.0)
    (v,) = _visits(rows)
    assert v["port_id"] == "KPXXX" and v["confidence"] == 4
    d = json.loads(v["details"])
    assert d["entry"] and d["exit"] and d["stop"]
    # in port from the 3rd (2.5 km) to the 8th position (2 km); 3.5 km would still count
    assert v["start_ts"].timestamp() * 1e6 == T0 + 2 * 10 * MIN_US
    assert v["end_ts"].timestamp() * 1e6 == T0 + 7 * 10 * MIN_US
    assert d["stop_s"] == 5 * 600.0  # stopped from the 3rd to the 8th position


def test_hysteresis_a_position_at_3_5_km_keeps_the_previous_state() -> None:
    inside_then_ring = _at([10, 2, 3.5, 3.5, 2, 10], sog=0.0)
    (v,) = _visits(inside_then_ring)
    assert json.loads(v["details"])["positions"] == 4
    ring_from_sea = _at([10, 3.5, 3.5, 10], sog=0.0)
    assert _visits(ring_from_sea) == []


def test_visit_with_entry_but_no_exit_is_open() -> None:
    rows = _at([10, 6, 2, 1, 1], sog=0.0)
    (v,) = _visits(rows)
    assert v["end_ts"] is None and v["duration_s"] is None
    d = json.loads(v["details"])
    assert d["entry"] and not d["exit"] and d["last_seen_ts"].startswith("2024-03-01T00:40")
    assert v["confidence"] == 3


def test_first_seen_in_port_after_a_dark_approach_is_confidence_two() -> None:
    rows = _at([1, 1, 1], sog=0.0)
    (v,) = _visits(rows)
    assert v["confidence"] == 2 and v["end_ts"] is None


def test_passing_through_without_stopping_is_confidence_one() -> None:
    rows = _at([10, 5, 2, -2, -5, -10], sog=12.0)
    (v,) = _visits(rows)
    assert v["confidence"] == 1


def test_a_long_silence_in_port_is_a_port_gap() -> None:
    rows = _at([10, 2], sog=8.0) + _at([2, 10], sog=8.0, start=T0 + 6 * HOUR_US)
    (v,) = _visits(rows)
    d = json.loads(v["details"])
    assert d["port_gap"] and not d["stop"] and v["confidence"] == 4
    assert np.isclose(d["max_gap_s"], 6 * 3600.0 - 600.0)


def test_a_vessel_without_sog_stops_by_implied_speed() -> None:
    rows = _at([10, 6, 2.5, 1, 1.001, 1.002, 1.002, 2, 5, 10], sog=None)
    (v,) = _visits(rows)
    d = json.loads(v["details"])
    assert d["stop"] and d["speed_source"] == "implied" and v["confidence"] == 4


def test_the_nearest_of_overlapping_ports_wins() -> None:
    other = port_at(north_m(PORT.lat, 4000.0), PORT.lon, "KPYYY")
    rows = _at([10, 3.1, 3.1, 10], sog=0.0)  # 3.1 km from PORT, 0.9 km from the other
    visits = detect_port_visits(make_tracks(rows, ports=[PORT, other]), CFG).to_pylist()
    assert [v["port_id"] for v in visits] == ["KPYYY"]


def test_leaving_a_port_into_the_ring_of_another_ends_the_visit() -> None:
    # Q's entry circle 3 km, exit 4 km; P at 7.5 km south of Q: a position 4.2 km from P
    # and 3.3 km from Q is beyond P's exit radius, in Q's ring: at sea, not still in P
    q = port_at(north_m(PORT.lat, 7500.0), PORT.lon, "KPQQQ")
    rows = _at([-10, 1, 1, 4.2, 4.2, 1, -10], sog=0.0)
    visits = detect_port_visits(make_tracks(rows, ports=[PORT, q]), CFG).to_pylist()
    assert [(v["port_id"], json.loads(v["details"])["positions"]) for v in visits] == [
        ("KPXXX", 2), ("KPXXX", 1)]
