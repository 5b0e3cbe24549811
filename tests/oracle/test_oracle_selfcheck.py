"""Hand-worked answers for the naive oracle itself (docs/events.md, worked by hand).

Every track is built here; the expected values are computed in the comments. Geometry:
on the equator one degree (of latitude or longitude) is R·π/180 = 111,195.08 m.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest
from oracle_all import oracle_events
from oracle_common import OracleConfig, track_groups
from oracle_encounters import encounters_naive
from oracle_gaps import gaps_naive
from oracle_identity import identity_changes_naive, imo_check_digit_ok, mid_of
from oracle_loitering import loitering_naive
from oracle_port_visits import port_visits_naive
from oracle_spoofing import spoofing_naive
from oracle_tracks import prepare_tracks_naive
from oracle_voyages import voyages_naive

S = 1_000_000
MIN = 60 * S
H = 3600 * S
T0 = 1_704_067_200 * S  # 2024-01-01T00:00:00Z, a midnight (and a 10-minute grid time)
DEG_M = 6_371_008.8 * math.pi / 180  # 111,195.08 m
NAN = math.nan


def deg(m: float) -> float:
    """Metres along the equator or a meridian, in degrees."""
    return m / DEG_M


def P(mmsi: int, t: int, lat: float, lon: float, sog: float = NAN) -> dict:
    return {"mmsi": mmsi, "ts": t, "lat": lat, "lon": lon, "sog_kn": sog}


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["mmsi", "ts", "lat", "lon", "sog_kn"])


def no_land(lat: float, lon: float) -> bool:
    return False


def shore(nm: float):
    return lambda lat, lon: nm * 1852.0


def tracks_of(rows: list[dict], ports=(), shore_nm: float = 10.0, land=no_land,
              config=None) -> pd.DataFrame:
    return prepare_tracks_naive(frame(rows), list(ports), land, shore(shore_nm), config)


PORT_A = {"id": "A", "name": "Alpha", "lat": 0.0, "lon": 0.0, "entry_radius_m": 3000.0,
          "exit_radius_m": 4000.0, "watched": True}
PORT_B = {"id": "B", "name": "Bravo", "lat": 0.0, "lon": 1.0, "entry_radius_m": 3000.0,
          "exit_radius_m": 4000.0, "watched": True}


# --- gaps -----------------------------------------------------------------------------------


def test_gap_of_exactly_6_h_is_a_gap_and_5_h_59_min_is_not():
    # vessel 1: 0 h, 1 h, 7 h: the step 1 h -> 7 h is exactly min_gap_h (6 h) -> a gap.
    # vessel 2: 0 h, 1 h, 6 h 59: the step is 5 h 59 min -> no gap.
    # until = 7 h (latest ts given): vessel 2 ends 1 min before it -> no open gap either.
    rows = [P(1, T0, 10, 10), P(1, T0 + H, 10, 10), P(1, T0 + 7 * H, 10, 10),
            P(2, T0, 20, 20), P(2, T0 + H, 20, 20), P(2, T0 + 6 * H + 59 * MIN, 20, 20)]
    gaps = gaps_naive(tracks_of(rows), [], until=T0 + 7 * H)
    assert len(gaps) == 1
    g = gaps[0]
    assert (g["mmsi"], g["start_ts"], g["end_ts"], g["duration_s"]) == (
        1, T0 + H, T0 + 7 * H, 21600.0)
    # confidence 1: 6 h < 12 h; 10 nm < 50 nm from shore; 2 positions in [1h-12h, 1h] < 14
    assert g["details"]["positions_before"] == 2
    assert g["confidence"] == 1
    assert g["details"]["distance_m"] == 0.0


def test_open_gap_at_the_end_of_the_data():
    # vessel 1 stops at 1 h; vessel 2 goes on to 8 h, so until = 8 h: 8 - 1 = 7 h >= 6 h.
    rows = [P(1, T0, 10, 10), P(1, T0 + H, 10, 10)] + [P(2, T0 + k * H, 20, 20)
                                                        for k in range(9)]
    ev = oracle_events(frame(rows), None, [], no_land, shore(10.0))
    gaps = ev[ev["event_type"] == "gap"]
    assert len(gaps) == 1
    g = gaps.iloc[0]
    assert g["mmsi"] == 1 and g["start_ts"] == T0 + H
    assert pd.isna(g["end_ts"]) and pd.isna(g["duration_s"])
    assert g["details"]["on_lat"] is None and g["details"]["on_lon"] is None
    assert g["confidence"] == 1  # open duration until - start = 7 h < 12 h
    # A later `until` (13 h after the OFF position) earns the duration point: 1 + 1 = 2.
    later = gaps_naive(tracks_of(rows), [], until=T0 + 14 * H)
    mine = [e for e in later if e["mmsi"] == 1]
    assert len(mine) == 1 and mine[0]["confidence"] == 2
    # vessel 2's last position (8 h) is 6 h before 14 h: it opens a gap too.
    assert [e["start_ts"] for e in later if e["mmsi"] == 2] == [T0 + 8 * H]


@pytest.mark.parametrize(("n_before", "expected"), [(14, 4), (13, 3)])
def test_gap_confidence_4_is_gfws_rule(n_before, expected):
    # n positions every 30 min ending at OFF = 6.5 h, all in [OFF - 12 h, OFF]; the ON
    # position 13 h later (>= 12 h); 60 nm from shore (>= 50 nm). 14 positions -> 1+3 = 4;
    # 13 positions -> 1+2 = 3.
    off = T0 + 6 * H + 30 * MIN
    rows = [P(1, off - k * 30 * MIN, 0, 0) for k in range(n_before)] + [P(1, off + 13 * H, 0, 0)]
    gaps = gaps_naive(tracks_of(rows, shore_nm=60.0), [])
    assert len(gaps) == 1
    assert gaps[0]["start_ts"] == off
    assert gaps[0]["details"]["positions_before"] == n_before
    assert gaps[0]["confidence"] == expected


# --- port visits ----------------------------------------------------------------------------


def test_port_visit_with_entry_but_no_exit_is_open():
    # Port A at (0, 0), entry 3 km, exit 4 km. Positions hourly at 20, 10, 2, 1, 1 km north
    # with SOG 10, 10, 0.1, 0.1, 0.1. States: sea, sea, A, A, A -> one visit from 2 h, its
    # last position is the last of the track -> open. entry yes, exit no, stop yes (0.1 <
    # 0.2 at 2 h, never above 0.5 after: stopped until the visit's last position 4 h ->
    # stop_s = 2 h = 7200 s). Confidence: (entry or exit) and stop -> 3.
    km = [20_000, 10_000, 2_000, 1_000, 1_000]
    sog = [10, 10, 0.1, 0.1, 0.1]
    rows = [P(1, T0 + k * H, deg(m), 0.0, s) for k, (m, s) in enumerate(zip(km, sog))]
    visits = port_visits_naive(tracks_of(rows, [PORT_A]), [PORT_A])
    assert len(visits) == 1
    v = visits[0]
    assert v["start_ts"] == T0 + 2 * H and v["end_ts"] is None and v["duration_s"] is None
    assert v["details"]["entry"] is True and v["details"]["exit"] is False
    assert v["details"]["stop"] is True and v["details"]["stop_s"] == 7200.0
    assert v["details"]["max_gap_s"] == 3600.0  # 1 h <= 4 h: no port gap
    assert v["details"]["positions"] == 3 and v["details"]["last_seen_ts"] == T0 + 4 * H
    assert v["details"]["speed_source"] == "reported"
    assert (v["port_id"], v["port_name"], v["lat"], v["lon"]) == ("A", "Alpha", 0.0, 0.0)
    assert v["confidence"] == 3


def test_port_visit_hysteresis_ring_keeps_the_previous_state():
    # Hourly at 10, 3.5, 2, 3.5, 10 km from port A, SOG 5 (never a stop), steps of 1 h
    # (never a port gap). 3.5 km is in the ring (3 < 3.5 <= 4): position 1 keeps "at sea"
    # from position 0, position 3 keeps "in port A" from position 2. One visit: positions
    # 2..3, from 2 h to 3 h; entry and exit, no stop or gap -> confidence 1.
    km = [10_000, 3_500, 2_000, 3_500, 10_000]
    rows = [P(1, T0 + k * H, deg(m), 0.0, 5.0) for k, m in enumerate(km)]
    visits = port_visits_naive(tracks_of(rows, [PORT_A]), [PORT_A])
    assert [(v["start_ts"], v["end_ts"]) for v in visits] == [(T0 + 2 * H, T0 + 3 * H)]
    v = visits[0]
    assert v["details"]["entry"] and v["details"]["exit"] and not v["details"]["stop"]
    assert v["confidence"] == 1


# --- speeds ---------------------------------------------------------------------------------


def test_vessel_without_sog_takes_implied_speed():
    # One position per hour, 1 nm (1852 m) north each time: every implied speed is 1 kn;
    # the first position takes the speed to the next one (also 1 kn).
    rows = [P(1, T0 + k * H, deg(1852.0 * k), 0.0) for k in range(4)]
    t = tracks_of(rows)
    assert t["speed_kn"].tolist() == pytest.approx([1.0, 1.0, 1.0, 1.0])
    assert not t["speed_reported"].any()
    # a reported SOG wins where there is one (position 2: 7 kn) and the others stay implied
    rows[2]["sog_kn"] = 7.0
    t = tracks_of(rows)
    assert t["speed_kn"].tolist() == pytest.approx([1.0, 1.0, 7.0, 1.0])
    assert t["speed_reported"].tolist() == [False, False, True, False]


# --- encounters -----------------------------------------------------------------------------


def _pair(times_a, times_b, lat=10.0, lon=10.0, apart_m=200.0, sog=0.5):
    return ([P(1, t, lat, lon, sog) for t in times_a]
            + [P(2, t, lat + deg(apart_m), lon, sog) for t in times_b])


def test_encounter_across_midnight_utc():
    # Vessel 1 reports on the grid every 10 min from 23:00 to 01:30; vessel 2 reports 5 min
    # off the grid from 22:55 to 01:35, 200 m north: interpolated to every grid time from
    # 23:00 to 01:30 (steps of 10 min <= 1 h). 16 close slots (23:00, ..., 01:30), 2 h 30
    # >= 2 h, median SOG 0.5 < 2 kn, no port -> one encounter, two events, straddling
    # midnight. Every slot has a real position of both within 10 min -> share 1 -> 4.
    start = T0 - H
    a = [start + k * 10 * MIN for k in range(16)]
    b = [start - 5 * MIN + k * 10 * MIN for k in range(17)]
    ev = encounters_naive(tracks_of(_pair(a, b), shore_nm=30.0), [])
    assert sorted((e["mmsi"], e["other_mmsi"]) for e in ev) == [(1, 2), (2, 1)]
    for e in ev:
        assert (e["start_ts"], e["end_ts"]) == (T0 - H, T0 + 90 * MIN)
        assert e["details"]["close_slots"] == 16
        assert e["details"]["median_distance_m"] == pytest.approx(200.0, abs=0.01)
        assert e["details"]["median_sog_kn"] == pytest.approx(0.5)
        assert e["details"]["observed_share"] == 1.0
        assert e["details"]["speed_source"] == "reported"
        assert e["confidence"] == 4
        assert e["lat"] == pytest.approx(10.0 + deg(100.0)) and e["lon"] == pytest.approx(10.0)


@pytest.mark.parametrize(("pause_h", "expected_slots"), [(3, 14), (4, None)])
def test_two_encounters_3_h_apart_merge(pause_h, expected_slots):
    # Both vessels report every 10 min over [0 h, 1 h] and again over [1 h + pause, 2 h +
    # pause], 200 m apart, silent in between (a silence > 1 h is not interpolated). Runs:
    # 7 slots each. pause 3 h: from 01:00 to 04:00 is 3 h < 4 h -> merged, 14 slots, 5 h
    # >= 2 h -> one encounter 00:00-05:00. pause 4 h: 01:00 -> 05:00 is not < 4 h: two runs
    # of 1 h each, both shorter than 2 h -> no encounter.
    times = [T0 + k * 10 * MIN for k in range(7)]
    times += [T0 + (1 + pause_h) * H + k * 10 * MIN for k in range(7)]
    ev = encounters_naive(tracks_of(_pair(times, times), shore_nm=30.0), [])
    if expected_slots is None:
        assert ev == []
        return
    assert len(ev) == 2
    e = ev[0]
    assert (e["start_ts"], e["end_ts"]) == (T0, T0 + 5 * H)
    assert e["details"]["close_slots"] == expected_slots
    # a port within 10 km of the position kills it
    port = dict(PORT_A, lat=10.0, lon=10.0 + deg(9_000.0))
    assert encounters_naive(tracks_of(_pair(times, times), [port]), [port]) == []


# --- loitering ------------------------------------------------------------------------------


@pytest.mark.parametrize(("shore_nm", "found"), [(30.0, True), (10.0, False)])
def test_loitering_run(shore_nm, found):
    # 11 positions every 30 min (0 .. 5 h), 100 m north each step, SOG 0.5; then two at
    # 10 kn (5.5 h, 6 h). Run = the first 11 (5 h >= 2 h), closed (positions follow).
    # avg_implied = 1000 m / 5 h = 0.1080 kn < 2 (+1); all reported (+1); 5 h >= 4 h (+1)
    # -> confidence 4. Median position: the 6th one (500 m north). At 10 nm from shore
    # (< 20 nm) nothing.
    rows = [P(1, T0 + k * 30 * MIN, deg(100.0 * k), 0.0, 0.5) for k in range(11)]
    rows += [P(1, T0 + 330 * MIN, deg(1_100.0), 0.0, 10.0), P(1, T0 + 6 * H, deg(3_000.0), 0.0, 10.0)]
    ev = loitering_naive(tracks_of(rows, shore_nm=shore_nm))
    if not found:
        assert ev == []
        return
    assert len(ev) == 1
    e = ev[0]
    assert (e["start_ts"], e["end_ts"]) == (T0, T0 + 5 * H)
    assert e["details"]["positions"] == 11
    assert e["details"]["avg_implied_sog_kn"] == pytest.approx(1000.0 / 1852.0 / 5.0)
    assert e["details"]["mean_sog_kn"] == pytest.approx(0.5)
    assert e["details"]["speed_source"] == "reported"
    assert e["details"]["min_shore_m"] == pytest.approx(30.0 * 1852.0)
    assert e["lat"] == pytest.approx(deg(500.0))
    assert e["confidence"] == 4


# --- spoofing -------------------------------------------------------------------------------


def test_jump_and_outlier_segment():
    # Vessel 1: at (0, 0) every 10 min, 0 .. 2 h (13 positions), plus one position at
    # (1, 0) at 1 h 05 (111 km in 5 min: reachable from no segment) -> its own segment;
    # no track ended before 1 h 05 -> track 1, 1 position < 3, overlapping track 0 ->
    # outlier. Spoofing: outlier, 1 h 05 .. 1 h 05 at (1, 0), confidence 2.
    # Vessel 2: at (0, 0) every 10 min 0 .. 1 h, silent, then at (5, 0) from 3 h to 4 h:
    # 556 km in 2 h = 300 kn > 50 -> a second segment; track 0 ended at 1 h < 3 h ->
    # chained into track 0, and the step is flagged jump. Spoofing: jump 1 h .. 3 h at
    # (5, 0), 555,975 m > 100 km -> confidence 4.
    rows = [P(1, T0 + k * 10 * MIN, 0.0, 0.0) for k in range(13)]
    rows.append(P(1, T0 + 65 * MIN, 1.0, 0.0))
    rows += [P(2, T0 + k * 10 * MIN, 0.0, 0.0) for k in range(7)]
    rows += [P(2, T0 + 3 * H + k * 10 * MIN, 5.0, 0.0) for k in range(7)]
    t = tracks_of(rows)
    v1 = t[t["mmsi"] == 1]
    assert sorted(set(v1["seg"])) == [0, 1]
    assert v1[v1["outlier"]]["ts"].tolist() == [T0 + 65 * MIN]
    v2 = t[t["mmsi"] == 2]
    assert set(v2["seg"]) == {0} and v2["jump"].sum() == 1
    assert v2[v2["jump"]]["ts"].tolist() == [T0 + 3 * H]

    ev = spoofing_naive(t)
    kinds = sorted((e["mmsi"], e["details"]["kind"]) for e in ev)
    assert kinds == [(1, "outlier"), (2, "jump")]
    out = next(e for e in ev if e["details"]["kind"] == "outlier")
    assert (out["start_ts"], out["end_ts"], out["lat"], out["confidence"]) == (
        T0 + 65 * MIN, T0 + 65 * MIN, 1.0, 2)
    jump = next(e for e in ev if e["details"]["kind"] == "jump")
    assert (jump["start_ts"], jump["end_ts"], jump["lat"]) == (T0 + H, T0 + 3 * H, 5.0)
    assert jump["details"]["distance_m"] == pytest.approx(5 * DEG_M)
    assert jump["details"]["implied_sog_kn"] == pytest.approx(5 * DEG_M / 1852.0 / 2.0)
    assert jump["confidence"] == 4
    # the outlier is left out of the other detectors' tracks (28 positions, 27 kept)
    kept = [r for tr in track_groups(t) for r in tr]
    assert len(t) == 28 and len(kept) == 27 and not any(r["outlier"] for r in kept)


def test_two_transmitters_sharing_an_mmsi():
    # Transmitter A at (0, 0) every 10 min from 0 to 2 h (13 positions); transmitter B at
    # (1, 0) every 10 min from 0 h 05 to 2 h 05 (13 positions), 111 km away: never
    # reachable from each other -> two segments, two tracks (seg 0 = A, seg 1 = B), none an
    # outlier (13 >= 3). two_places: start = later start 0 h 05, end = earlier end 2 h;
    # position = B's first (1, 0); nearest in time to 0 h 05: A's 0 h and 0 h 10 tie ->
    # either is at (0, 0); distance 111,195 m >= 10 km. In [0h05, 2h]: A has 12 positions
    # (0h10 .. 2h), B has 12 (0h05 .. 1h55) -> both >= 10 -> confidence 4.
    rows = [P(7, T0 + k * 10 * MIN, 0.0, 0.0) for k in range(13)]
    rows += [P(7, T0 + 5 * MIN + k * 10 * MIN, 1.0, 0.0) for k in range(13)]
    t = tracks_of(rows)
    assert t.groupby("seg")["lat"].first().tolist() == [0.0, 1.0]
    assert not t["outlier"].any() and not t["jump"].any()
    ev = spoofing_naive(t)
    assert [e["details"]["kind"] for e in ev] == ["two_places"]
    e = ev[0]
    assert (e["start_ts"], e["end_ts"], e["lat"], e["lon"]) == (T0 + 5 * MIN, T0 + 2 * H, 1.0, 0.0)
    assert e["details"]["distance_m"] == pytest.approx(DEG_M)
    assert (e["details"]["seg"], e["details"]["other_seg"]) == (1, 0)
    assert e["confidence"] == 4
    # the gap detector sees no gap on either track
    assert gaps_naive(t, []) == []


# --- identity -------------------------------------------------------------------------------


def _reports(rows):
    return pd.DataFrame(rows, columns=["mmsi", "ts", "imo", "name", "callsign", "ship_type",
                                       "mmsi_issue"])


@pytest.mark.parametrize(("new_reports", "expected_conf"), [(2, 4), (1, 2)])
def test_name_change(new_reports, expected_conf):
    # "OLD NAME@@" and " old name" are the same name once normalised (2 reports); then
    # "NEW NAME" (1 or 2 reports). One change at the first NEW NAME (2 h), old last seen at
    # 1 h; confidence 4 when both names have two reports, else 2. The empty name at 1 h 30
    # is ignored.
    r = [(1, T0, 0, "OLD NAME@@", None, 70, None), (1, T0 + H, 0, " old name", None, 70, None),
         (1, T0 + 90 * MIN, 0, None, "ABCD", 0, None)]
    r += [(1, T0 + (2 + k) * H, 0, "NEW NAME", None, 70, None) for k in range(new_reports)]
    ev = identity_changes_naive(_reports(r))
    assert [e["details"]["kind"] for e in ev] == ["name"]
    e = ev[0]
    assert e["start_ts"] == e["end_ts"] == T0 + 2 * H
    assert (e["details"]["old"], e["details"]["new"]) == ("OLD NAME", "NEW NAME")
    assert e["details"]["old_last_seen_ts"] == T0 + H
    assert e["confidence"] == expected_conf


def test_imo_check_digit():
    # 9074729: 9*7 + 0*6 + 7*5 + 4*4 + 7*3 + 2*2 = 63 + 0 + 35 + 16 + 21 + 4 = 139 -> 9
    assert imo_check_digit_ok(9074729)
    assert not imo_check_digit_ok(9074728)
    assert mid_of(273_000_001) == 273 and mid_of(2_190_047) == 219 and mid_of(970_123_456) is None


def test_invalid_imo_multiple_mmsi_and_flag_change():
    # MMSI 100 (MID none: 000000100 has '0' in its MID place) reports 9074728 twice
    # (wrong check digit) -> invalid_imo 0 h .. 1 h, confidence 4.
    # MMSIs 273000001 (Russia) from 2 h and 613000002 (Cameroon) from 5 h report the valid
    # 9074729 -> imo_multiple_mmsi for each (3), and a flag change 273 -> 613 at 5 h (4).
    r = [(100, T0, 9074728, None, None, None, None), (100, T0 + H, 9074728, None, None, None, None),
         (273000001, T0 + 2 * H, 9074729, None, None, None, None),
         (273000001, T0 + 3 * H, 9074729, None, None, None, None),
         (613000002, T0 + 5 * H, 9074729, None, None, None, None)]
    ev = identity_changes_naive(_reports(r))
    got = sorted((e["mmsi"], e["details"]["kind"], e["start_ts"], e["end_ts"], e["confidence"])
                 for e in ev)
    assert got == [
        (100, "invalid_imo", T0, T0 + H, 4),
        (273000001, "imo_multiple_mmsi", T0 + 2 * H, T0 + 3 * H, 3),
        (613000002, "flag_change", T0 + 5 * H, T0 + 5 * H, 4),
        (613000002, "imo_multiple_mmsi", T0 + 5 * H, T0 + 5 * H, 3),
    ]
    flag = next(e for e in ev if e["details"]["kind"] == "flag_change")
    assert flag["details"] == {"kind": "flag_change", "imo": 9074729, "old_mmsi": 273000001,
                               "old_mid": 273, "new_mid": 613}


# --- voyages --------------------------------------------------------------------------------


def test_voyage_between_two_watched_ports():
    # Ports A (0, 0) and B (0, 1), 111.2 km apart. Vessel 1: in A (at its centre, SOG 0)
    # 0 .. 3 h; at sea at lon 0.2, 0.4, 0.6, 0.8 (4 .. 7 h, SOG 12); in B 8 .. 11 h (SOG
    # 0); out at lon 1.2 at 12 h. Visit A: first position of the track in port -> no
    # entry, exit, stop -> 3. Visit B: entry, exit, stop -> 4. Voyage: 3 h -> 8 h, port B,
    # position A's, confidence min(3, 4) = 3, no gap inside -> dark_s 0.
    rows = [P(1, T0 + k * H, 0.0, 0.0, 0.0) for k in range(4)]
    rows += [P(1, T0 + (4 + k) * H, 0.0, 0.2 * (k + 1), 12.0) for k in range(4)]
    rows += [P(1, T0 + (8 + k) * H, 0.0, 1.0, 0.0) for k in range(4)]
    rows.append(P(1, T0 + 12 * H, 0.0, 1.2, 12.0))
    ports = [PORT_A, PORT_B]
    t = tracks_of(rows, ports)
    visits = port_visits_naive(t, ports)
    assert [(v["port_id"], v["confidence"]) for v in visits] == [("A", 3), ("B", 4)]
    voy = voyages_naive(visits, gaps_naive(t, ports), ports)
    assert len(voy) == 1
    v = voy[0]
    assert (v["event_type"], v["start_ts"], v["end_ts"]) == ("voyage", T0 + 3 * H, T0 + 8 * H)
    assert (v["port_id"], v["port_name"], v["lat"], v["lon"]) == ("B", "Bravo", 0.0, 0.0)
    assert v["details"]["origin_port_id"] == "A" and v["details"]["dest_port_id"] == "B"
    assert v["details"]["dark_s"] == 0.0
    assert v["details"]["origin_visit_id"] == visits[0]["event_id"]
    assert v["confidence"] == 3


@pytest.mark.parametrize(("max_sog_kn", "found"), [(20.0, True), (5.0, False)])
def test_dark_voyage_between_two_watched_ports(max_sog_kn, found):
    # Vessel 2 off A at lon 0.05 (5,560 m: outside A's exit radius, within 20 nm) 0 .. 2 h,
    # dark, then at lon 0.97 (3,336 m from B: inside B's exit radius) at 10 h and 11 h. Gap
    # 2 h -> 10 h = 8 h. A-B = 111,195 m; at 20 kn that is 111195 / (20*1852/3600) =
    # 10,807 s <= 28,800 s -> a dark voyage to B; one position inside an exit radius -> 3.
    # At 5 kn the crossing needs 43,229 s > 8 h -> none.
    rows = [P(2, T0 + k * H, 0.0, 0.05, 10.0) for k in range(3)]
    rows += [P(2, T0 + 10 * H, 0.0, 0.97, 10.0), P(2, T0 + 11 * H, 0.0, 0.97, 10.0)]
    ports = [PORT_A, PORT_B]
    cfg = dataclasses.replace(OracleConfig(), voyages=dataclasses.replace(
        OracleConfig().voyages, max_sog_kn=max_sog_kn))
    t = tracks_of(rows, ports, config=cfg)
    assert port_visits_naive(t, ports, cfg) == []  # never within an entry radius
    gaps = gaps_naive(t, ports, cfg)
    assert [(g["start_ts"], g["end_ts"]) for g in gaps] == [(T0 + 2 * H, T0 + 10 * H)]
    dark = voyages_naive([], gaps, ports, cfg)
    if not found:
        assert dark == []
        return
    assert len(dark) == 1
    d = dark[0]
    assert (d["event_type"], d["start_ts"], d["end_ts"], d["port_id"]) == (
        "dark_voyage", T0 + 2 * H, T0 + 10 * H, "B")
    assert (d["lat"], d["lon"]) == (0.0, 0.05)
    assert d["details"]["min_sailing_s"] == pytest.approx(DEG_M / (20 * 1852 / 3600))
    assert d["details"]["gap_event_id"] == gaps[0]["event_id"]
    assert d["details"]["inferred"] is True
    assert d["confidence"] == 3


# --- everything together --------------------------------------------------------------------


def test_oracle_events_is_one_sorted_table():
    rows = [P(1, T0 + k * H, 0.0, 0.0, 0.0) for k in range(4)] + [P(1, T0 + 11 * H, 0.0, 0.0, 0.0)]
    rows += [P(2, T0 + k * H, 0.0, 0.05, 10.0) for k in range(3)]
    reps = _reports([(2, T0, 9074728, "X", None, None, "unallocated_mid")])
    ev = oracle_events(frame(rows), reps, [PORT_A, PORT_B], no_land, shore(10.0))
    assert list(ev[["mmsi", "start_ts", "event_type"]].itertuples(index=False, name=None)) == \
        sorted(ev[["mmsi", "start_ts", "event_type"]].itertuples(index=False, name=None))
    types = set(ev["event_type"])
    assert {"port_visit", "gap", "identity_change"} <= types
    issue = ev[(ev["event_type"] == "identity_change") & (ev["mmsi"] == 2)]
    assert sorted(d["kind"] for d in issue["details"]) == ["invalid_imo", "mmsi_issue"]


def test_event_id_restatement_matches_the_package():
    # The oracle restates the id hash in plain Python; it must equal the package's.
    from oracle_common import event_id

    try:
        import numpy as np

        from vesselwatch.model.events import event_ids
    except ImportError as exc:  # the package (its compiled parts) may not be built here
        pytest.skip(f"vesselwatch does not import: {exc}")
    mmsi = np.array([273000001, 1], dtype=np.uint64)
    ts = np.array([T0, -5], dtype=np.int64)
    assert event_ids("gap", mmsi, ts) == [event_id("gap", 273000001, T0), event_id("gap", 1, -5)]
    assert event_ids("encounter", mmsi, ts, np.array([2, 3], dtype=np.uint64), ["A", "B"]) == [
        event_id("encounter", 273000001, T0, 2, "A"), event_id("encounter", 1, -5, 3, "B")]
    # (a key list holding None hashes a 0 part, unlike no key at all: the oracle's
    # key=None means "no key"; see AMBIGUITIES.md on ids)


def test_on_land_run_and_shared_position():
    # Vessel 1 every 10 min at lat 4.90, 4.95, 5.02, 5.07, 5.02, 4.97 (lon 0; steps of at
    # most 7.8 km = 25 kn: one segment, one track). Land says "lat > 5", the shore is 5 km
    # away (> 2 km margin), no port: positions 2..4 are on_land -> one run of 3, from 0 h 20
    # to 0 h 40 at (5.02, 0), confidence min(4, 3) = 3.
    lats = [4.90, 4.95, 5.02, 5.07, 5.02, 4.97]
    rows = [P(1, T0 + k * 10 * MIN, lat, 0.0) for k, lat in enumerate(lats)]
    for m in (2, 3, 4):
        rows += [P(m, T0 + m * MIN, 3.0000001, 3.0), P(m, T0 + H + m * MIN, 2.9999999, 3.0)]
    t = prepare_tracks_naive(frame(rows), [], lambda lat, lon: lat > 5, shore(5000 / 1852))
    ev = spoofing_naive(t)
    land = [e for e in ev if e["details"]["kind"] == "on_land"]
    assert [(e["mmsi"], e["start_ts"], e["end_ts"], e["lat"], e["confidence"]) for e in land] == [
        (1, T0 + 20 * MIN, T0 + 40 * MIN, 5.02, 3)]
    shared = sorted((e["mmsi"], e["start_ts"], e["end_ts"], e["confidence"],
                     e["details"]["vessels"], tuple(e["details"]["other_mmsi"]))
                    for e in ev if e["details"]["kind"] == "shared_position")
    # vessels 2, 3 and 4 are at the spot at 0 h 02-0 h 04 and again an hour later: two
    # bursts (the silence between is over 15 min), each shared by 3 vessels
    assert shared == sorted((m, t + m * MIN, t + m * MIN, 2, 3,
                             tuple(o for o in (2, 3, 4) if o != m))
                            for m in (2, 3, 4) for t in (T0, T0 + H))
    assert sorted(e["details"]["kind"] for e in ev if e["mmsi"] == 1) == ["on_land"]


def test_timestamps_as_pandas_timestamps_and_empty_input():
    rows = [P(1, T0, 10, 10), P(1, T0 + H, 10, 10), P(1, T0 + 7 * H, 10, 10)]
    as_int = oracle_events(frame(rows), None, [], no_land, shore(10.0))
    df = frame(rows)
    df["ts"] = pd.to_datetime(df["ts"], unit="us", utc=True)
    as_ts = oracle_events(df, None, [], no_land, shore(10.0))
    assert as_int.drop(columns="details").equals(as_ts.drop(columns="details"))
    assert len(as_int) == 1
    empty = oracle_events(frame([]), None, [], no_land, shore(10.0))
    assert len(empty) == 0


# --- rules settled by the revised doc (git diff 25fe6e2 HEAD -- docs/events.md) -------------


def test_ring_of_another_port_is_at_sea():
    # "otherwise in port P if position i − 1 was in port P and this position lies within P's
    # exit radius (the hysteresis ring); otherwise at sea." Port Q 8 km east of A. Hourly at
    # 0, 2, 4.5, 6, 20 km east of A: states A, A, sea (4.5 km from A is beyond A's exit
    # radius; 3.5 km from Q is only Q's ring), Q (2 km from Q), sea. Two visits: A 0 h..1 h
    # (closed: the 4.5 km position follows), Q 3 h..3 h. (The old rule kept "in port A" at
    # 4.5 km, giving A 0 h..2 h.)
    q = dict(PORT_B, id="Q", name="Quebec", lon=deg(8000.0))
    ports = [PORT_A, q]
    rows = [P(1, T0 + k * H, 0.0, deg(m), 5.0) for k, m in enumerate(
        [0.0, 2000.0, 4500.0, 6000.0, 20_000.0])]
    visits = port_visits_naive(tracks_of(rows, ports), ports)
    assert [(v["port_id"], v["start_ts"], v["end_ts"]) for v in visits] == [
        ("A", T0, T0 + H), ("Q", T0 + 3 * H, T0 + 3 * H)]
    # a first position in the ring of A is at sea: "in port only inside an entry radius"
    rows = [P(2, T0 + k * H, 0.0, deg(m), 5.0) for k, m in enumerate([3500.0, 2000.0, 3500.0])]
    visits = port_visits_naive(tracks_of(rows, [PORT_A]), [PORT_A])
    assert [(v["start_ts"], v["end_ts"]) for v in visits] == [(T0 + H, None)]


def test_stop_time_counts_steps_starting_on_stopped_positions():
    # In A's centre at 0, 1, 2, 3, 5 h with SOG 0.1, 0.3, 0.6, 0.1, 0.1, then 20 km away at
    # 6 h (SOG 10). A stop begins at 0 h (0.1 < 0.2), 0.3 is not above 0.5 (still stopped),
    # 0.6 ends it at 2 h; a new stop begins at 3 h and lasts to the end of the visit (5 h).
    # Stopped positions 0 h, 1 h, 3 h (5 h is the last of the visit: no step starts on it
    # within the visit): 1 h + 1 h + 2 h = 14,400 s. Longest step 2 h, no port gap. First
    # position of the track: no entry; exit; stop -> 3.
    rows = [P(1, T0 + k * H, 0.0, 0.0, s) for k, s in
            [(0, 0.1), (1, 0.3), (2, 0.6), (3, 0.1), (5, 0.1)]]
    rows.append(P(1, T0 + 6 * H, deg(20_000.0), 0.0, 10.0))
    visits = port_visits_naive(tracks_of(rows, [PORT_A]), [PORT_A])
    assert len(visits) == 1
    d = visits[0]["details"]
    assert (d["stop"], d["stop_s"], d["max_gap_s"], d["entry"], d["exit"], d["positions"]) == (
        True, 14400.0, 7200.0, False, True, 5)
    assert visits[0]["confidence"] == 3 and visits[0]["end_ts"] == T0 + 5 * H


def test_two_short_tracks_overlapping_only_each_other_are_not_outliers():
    # Two transmitters 111 km apart, 2 positions each, overlapping in time: neither
    # overlaps a track of at least 3 positions -> no outlier (the old literal rule made both
    # outliers). A third transmitter of 3 positions overlapping them makes both outliers.
    rows = [P(5, T0, 0.0, 0.0), P(5, T0 + 20 * MIN, 0.0, 0.0),
            P(5, T0 + 10 * MIN, 1.0, 0.0), P(5, T0 + 30 * MIN, 1.0, 0.0)]
    t = tracks_of(rows)
    assert sorted(set(t["seg"])) == [0, 1] and not t["outlier"].any()
    assert spoofing_naive(t) == []
    rows += [P(5, T0 + k * 10 * MIN, 2.0, 0.0) for k in range(3)]
    t = tracks_of(rows)
    assert t.groupby("seg")["outlier"].first().tolist() == [True, False, True]
    assert sorted(e["details"]["kind"] for e in spoofing_naive(t)) == ["outlier", "outlier"]


def test_no_open_gap_while_a_second_transmitter_sends():
    # Transmitter A at (0, 0) every 10 min 0 .. 1 h, B at (1, 0) every 10 min 0 .. 8 h:
    # tracks 0 and 1. until = 8 h: A ended 7 h before but B has later positions -> no open
    # gap for A (the old literal rule gave one); B ends at until. With until = 20 h, B's last
    # position (8 h) is 12 h before it and nothing later -> one open gap, B's; confidence
    # 1 + 1 (12 h >= 12 h) + 1 (49 positions in [8 h - 12 h, 8 h] >= 14) = 3.
    rows = [P(3, T0 + k * 10 * MIN, 0.0, 0.0) for k in range(7)]
    rows += [P(3, T0 + k * 10 * MIN, 1.0, 0.0) for k in range(49)]
    t = tracks_of(rows)
    assert gaps_naive(t, [], until=T0 + 8 * H) == []
    g = gaps_naive(t, [], until=T0 + 20 * H)
    assert [(e["start_ts"], e["end_ts"], e["details"]["seg"], e["confidence"]) for e in g] == [
        (T0 + 8 * H, None, 1, 3)]
    assert g[0]["details"]["distance_m"] is None and g[0]["details"]["implied_sog_kn"] is None


def test_voyage_into_an_open_visit_and_none_across_transmitters():
    # As test_voyage_between_two_watched_ports without the last position: the visit to B
    # is open (the vessel is still in port at the end) and still ends a voyage A -> B.
    rows = [P(1, T0 + k * H, 0.0, 0.0, 0.0) for k in range(4)]
    rows += [P(1, T0 + (4 + k) * H, 0.0, 0.2 * (k + 1), 12.0) for k in range(4)]
    rows += [P(1, T0 + (8 + k) * H, 0.0, 1.0, 0.0) for k in range(4)]
    ports = [PORT_A, PORT_B]
    t = tracks_of(rows, ports)
    visits = port_visits_naive(t, ports)
    assert [(v["port_id"], v["end_ts"], v["confidence"]) for v in visits] == [
        ("A", T0 + 3 * H, 3), ("B", None, 3)]
    voy = voyages_naive(visits, gaps_naive(t, ports), ports)
    assert [(v["start_ts"], v["end_ts"], v["port_id"], v["confidence"]) for v in voy] == [
        (T0 + 3 * H, T0 + 8 * H, "B", 3)]
    # Two transmitters: track 0 in A 0 .. 5 h then away; track 1 in B 2 .. 8 h then away.
    # B's visit starts (2 h) before A's ends (5 h): no voyage.
    rows = [P(2, T0 + k * H, 0.0, 0.0, 0.0) for k in range(6)] + [P(2, T0 + 6 * H, 0.2, 0.0, 9.0)]
    rows += [P(2, T0 + k * H, 0.0, 1.0, 0.0) for k in range(2, 9)] + [
        P(2, T0 + 9 * H, 0.2, 1.0, 9.0)]
    t = tracks_of(rows, ports)
    visits = port_visits_naive(t, ports)
    assert sorted((v["port_id"], v["start_ts"], v["end_ts"]) for v in visits) == [
        ("A", T0, T0 + 5 * H), ("B", T0 + 2 * H, T0 + 8 * H)]
    assert voyages_naive(visits, [], ports) == []


def test_duplicate_rows_keep_the_lowest_sog():
    # Three rows at one (mmsi, ts, lat, lon) with SOG 5, missing, 3 -> one position, SOG 3;
    # two rows with SOG missing only -> one position without SOG (implied speed).
    rows = [P(1, T0, 0.0, 0.0, 5.0), P(1, T0, 0.0, 0.0), P(1, T0, 0.0, 0.0, 3.0),
            P(1, T0 + H, 0.0, 0.0), P(1, T0 + H, 0.0, 0.0)]
    t = tracks_of(rows)
    assert len(t) == 2
    assert t["sog_kn"].iloc[0] == 3.0 and pd.isna(t["sog_kn"].iloc[1])
    assert t["speed_kn"].tolist() == [3.0, 0.0]


def test_speed_of_positions_at_one_time():
    # "two positions at the same time: 0 kn at the same place, else infinite". Two
    # positions at T0, 100 m apart (one segment: within jump_noise_m), then one at 1 h
    # 1852 m north of the second. No SOG: the second is infinite (100 m in 0 s), the first
    # takes the speed to the next (the same step, infinite), the third 1 kn. A track of one
    # position without SOG has no speed.
    rows = [P(1, T0, 0.0, 0.0), P(1, T0, deg(100.0), 0.0), P(1, T0 + H, deg(1952.0), 0.0),
            P(2, T0, 5.0, 5.0)]
    t = tracks_of(rows)
    v1 = t[t["mmsi"] == 1]
    assert set(v1["seg"]) == {0} and not v1["jump"].any()  # 100 m is not longer than 500 m
    assert v1["speed_kn"].tolist()[:2] == [math.inf, math.inf]
    assert v1["speed_kn"].tolist()[2] == pytest.approx(1.0)
    assert math.isnan(t[t["mmsi"] == 2]["speed_kn"].iloc[0])


def test_until_counts_rows_without_a_place():
    # Vessel 1 at 0 h and 1 h; vessel 2 has one row at 8 h without latitude/longitude. The
    # end of the data is 8 h ("rows without a place included"): vessel 1 opens a gap (7 h).
    rows = [P(1, T0, 10, 10), P(1, T0 + H, 10, 10), P(2, T0 + 8 * H, NAN, NAN)]
    ev = oracle_events(frame(rows), None, [], no_land, shore(10.0))
    assert list(ev[["event_type", "mmsi", "start_ts"]].itertuples(index=False, name=None)) == [
        ("gap", 1, T0 + H)]
    assert pd.isna(ev["end_ts"].iloc[0])
