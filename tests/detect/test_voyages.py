"""Voyages between port visits and dark voyages between watched ports, by hand."""

from __future__ import annotations

import json

from track_builders import HOUR_US, MIN_US, StubLand, make_tracks, north_m, us

from vesselwatch.detect.config import NM_M, DetectConfig
from vesselwatch.detect.gaps import detect_gaps
from vesselwatch.detect.port_visits import detect_port_visits
from vesselwatch.detect.voyages import detect_dark_voyages, detect_voyages
from vesselwatch.reference.ports import Port, PortIndex

T0 = us("2023-09-01T00:00:00")
CFG = DetectConfig()
RAJIN = Port("KPRJN", "Najin", 42.2333, 130.3, 3000.0, 4000.0, watched=True)
VOSTOCHNYY = Port("RUVYP", "Vostochnyy", 42.75, 133.0833, 3000.0, 4000.0, watched=True)
BUSAN = Port("KRPUS", "Busan", 35.1, 129.04, 3000.0, 4000.0)


def _stay(mmsi: int, port: Port, start: int, hours: float, every_min: int = 30) -> list:
    n = int(hours * 60 / every_min) + 1
    return [(mmsi, start + i * every_min * MIN_US, north_m(port.lat, 500.0), port.lon, 0.0)
            for i in range(n)]


def _sea(mmsi: int, lat: float, lon: float, start: int) -> list:
    return [(mmsi, start, lat, lon, 11.0)]


def test_shuttle_with_ais_on_gives_voyages_with_their_dark_time() -> None:
    m = 273000001
    rows = (_stay(m, RAJIN, T0, 12) + _sea(m, 42.3, 130.6, T0 + 13 * HOUR_US)
            + _sea(m, 42.7, 132.9, T0 + 20 * HOUR_US)  # 7 h dark between these two
            + _stay(m, VOSTOCHNYY, T0 + 22 * HOUR_US, 24))
    t = make_tracks(rows, ports=[RAJIN, VOSTOCHNYY])
    visits = detect_port_visits(t, CFG)
    gaps = detect_gaps(t, CFG)
    (v,) = detect_voyages(visits, gaps, CFG, until_us=t.until_us).to_pylist()
    d = json.loads(v["details"])
    assert (d["origin_port_id"], v["port_id"]) == ("KPRJN", "RUVYP")
    assert v["start_ts"].timestamp() * 1e6 == T0 + 12 * HOUR_US  # last position in Rajin
    assert v["end_ts"].timestamp() * 1e6 == T0 + 22 * HOUR_US  # first in Vostochnyy
    assert d["dark_s"] == 7 * 3600.0
    assert v["confidence"] == min(r["confidence"] for r in visits.to_pylist())


def test_dark_voyage_is_inferred_between_two_watched_ports() -> None:
    m = 273000002
    # last seen 5 nm off Rajin, next seen 3 nm off Vostochnyy 12 h later: ~120 nm in 12 h
    rows = (_sea(m, north_m(RAJIN.lat, 5 * NM_M), RAJIN.lon, T0)
            + _sea(m, north_m(RAJIN.lat, 5 * NM_M), RAJIN.lon, T0 + 10 * MIN_US)
            + _sea(m, north_m(VOSTOCHNYY.lat, -3 * NM_M), VOSTOCHNYY.lon, T0 + 12 * HOUR_US))
    ports = [RAJIN, VOSTOCHNYY, BUSAN]
    t = make_tracks(rows, ports=ports, land=StubLand(2 * NM_M))
    gaps = detect_gaps(t, CFG)
    watched = PortIndex.from_ports([RAJIN, VOSTOCHNYY])
    (dv,) = detect_dark_voyages(gaps, watched, CFG).to_pylist()
    d = json.loads(dv["details"])
    assert d["inferred"] and d["origin_port_id"] == "KPRJN" and dv["port_id"] == "RUVYP"
    assert d["gap_event_id"] == gaps["event_id"][0].as_py()
    assert dv["confidence"] == 2  # neither end inside a port's exit radius
    # the ports are 236 km (127 nm) apart: 6.4 h at 20 kn, 12.7 h at 10 kn; dark for 8 h
    fast = rows[:2] + [(m, T0 + 10 * MIN_US + 8 * HOUR_US, rows[2][2], rows[2][3], 11.0)]
    g2 = detect_gaps(make_tracks(fast, ports=ports), DetectConfig())
    assert g2.num_rows == 1
    slow = DetectConfig(voyages=type(CFG.voyages)(max_sog_kn=10.0))
    assert detect_dark_voyages(g2, watched, slow).num_rows == 0
    assert detect_dark_voyages(g2, watched, CFG).num_rows == 1


def test_no_dark_voyage_back_to_the_same_port_or_from_an_unwatched_one() -> None:
    m = 1
    same = (_sea(m, north_m(RAJIN.lat, 2 * NM_M), RAJIN.lon, T0)
            + _sea(m, north_m(RAJIN.lat, 3 * NM_M), RAJIN.lon, T0 + 20 * HOUR_US))
    watched = PortIndex.from_ports([RAJIN, VOSTOCHNYY])
    gaps = detect_gaps(make_tracks(same, ports=[RAJIN]), CFG)
    assert gaps.num_rows == 1 and detect_dark_voyages(gaps, watched, CFG).num_rows == 0
    busan = (_sea(m, BUSAN.lat, BUSAN.lon, T0)
             + _sea(m, north_m(RAJIN.lat, 3 * NM_M), RAJIN.lon, T0 + 40 * HOUR_US))
    gaps = detect_gaps(make_tracks(busan, ports=[BUSAN, RAJIN]), CFG)
    assert detect_dark_voyages(gaps, watched, CFG).num_rows == 0


def test_a_voyage_into_a_port_the_vessel_is_still_in() -> None:
    m = 273000003
    rows = (_stay(m, RAJIN, T0, 6) + _sea(m, 42.5, 131.7, T0 + 12 * HOUR_US)
            + _stay(m, VOSTOCHNYY, T0 + 20 * HOUR_US, 3))
    t = make_tracks(rows, ports=[RAJIN, VOSTOCHNYY])
    visits = detect_port_visits(t, CFG)
    assert visits["end_ts"].null_count == 1
    (v,) = detect_voyages(visits, detect_gaps(t, CFG), CFG, until_us=t.until_us).to_pylist()
    assert v["port_id"] == "RUVYP"
    # dark from 6 h to 12 h and from 12 h to 20 h: 14 h of the 14 h voyage
    assert json.loads(v["details"])["dark_s"] == 14 * 3600.0


def test_a_voyage_id_is_keyed_by_its_destination() -> None:
    from vesselwatch.model.events import event_ids

    m = 273000004
    rows = _stay(m, RAJIN, T0, 6) + _stay(m, VOSTOCHNYY, T0 + 20 * HOUR_US, 3)
    t = make_tracks(rows, ports=[RAJIN, VOSTOCHNYY])
    (v,) = detect_voyages(detect_port_visits(t, CFG), detect_gaps(t, CFG), CFG,
                          until_us=t.until_us).to_pylist()
    start = int(v["start_ts"].timestamp() * 1_000_000)
    assert v["event_id"] == event_ids("voyage", [m], [start], key=["RUVYP"])[0]
