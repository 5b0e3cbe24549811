"""Spoofing events (docs/events.md, "spoofing"): known answers by hand, and invariants."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spoof_builders import (
    HOUR_US,
    M_PER_DEG,
    MIN_US,
    T0_US,
    line,
    positions,
    rows_of,
    tracks_of,
)

from vesselwatch.detect.config import DetectConfig, SpoofingParams
from vesselwatch.detect.spoofing import detect_spoofing, distinct_keys, position_key
from vesselwatch.model.events import EVENTS, event_ids
from vesselwatch.reference.geodesy import haversine_m

A, B, C, D = 211_000_001, 232_000_002, 244_000_003, 636_000_004


def spoofing(rows: list[tuple[float, ...]], config: DetectConfig | None = None) -> list[dict]:
    config = config or DetectConfig()
    events = detect_spoofing(tracks_of(positions(rows), config), config)
    assert events.schema == EVENTS
    return rows_of(events)


def of_kind(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if e["details"]["kind"] == kind]


# --- jump -----------------------------------------------------------------------------------


def test_jump_of_200_km_in_10_minutes_has_confidence_4() -> None:
    before = line(A, T0_US, 6, 55.0, 10.0)
    landed_lat = 55.05 + 200_000 / M_PER_DEG  # 200 km north of the last position
    after = line(A, T0_US + 60 * MIN_US, 6, landed_lat, 10.0)
    events = spoofing(before + after)
    assert [e["details"]["kind"] for e in events] == ["jump"]
    (jump,) = events
    assert jump["start_ts"] == T0_US + 50 * MIN_US  # the previous position
    assert jump["end_ts"] == T0_US + 60 * MIN_US
    assert jump["duration_s"] == 600.0
    assert (jump["lat"], jump["lon"]) == (pytest.approx(landed_lat), 10.0)
    assert jump["details"]["distance_m"] == pytest.approx(200_000, rel=1e-6)
    assert jump["details"]["implied_sog_kn"] == pytest.approx(200_000 / 1852 * 6, rel=1e-6)
    assert jump["confidence"] == 4
    assert jump["mmsi"] == A and jump["other_mmsi"] is None


def test_jump_of_30_km_has_confidence_3() -> None:
    before = line(A, T0_US, 4, 55.0, 10.0)
    after = line(A, T0_US + 40 * MIN_US, 4, 55.03 + 30_000 / M_PER_DEG, 10.0)
    (jump,) = spoofing(before + after)
    assert jump["details"]["kind"] == "jump"
    assert jump["details"]["distance_m"] == pytest.approx(30_000, rel=1e-6)
    assert jump["confidence"] == 3


def test_no_jump_at_plausible_speed() -> None:
    assert spoofing(line(A, T0_US, 20, 55.0, 10.0)) == []


# --- outlier --------------------------------------------------------------------------------


def test_single_outlier_mid_track_is_an_outlier_and_no_jump() -> None:
    rows = line(A, T0_US, 12, 55.0, 10.0)
    stray = (A, T0_US + 55 * MIN_US, 55.5, 10.0)  # 50 km off, between two reports
    events = spoofing([*rows, stray])
    assert [e["details"]["kind"] for e in events] == ["outlier"]
    (out,) = events
    assert out["start_ts"] == out["end_ts"] == stray[1]
    assert (out["lat"], out["lon"]) == (55.5, 10.0)
    assert out["confidence"] == 2
    assert out["duration_s"] == 0.0


# --- two_places -----------------------------------------------------------------------------


def two_transmitters(n: int, apart_deg: float, offset_min: float = 5.0) -> list[tuple]:
    """Two stationary transmitters sharing MMSI ``A``, every 10 minutes, offset in time."""
    first = [(A, T0_US + k * 10 * MIN_US, 55.0, 10.0) for k in range(n)]
    second = [(A, T0_US + int((k * 10 + offset_min) * MIN_US), 55.0 + apart_deg, 10.0)
              for k in range(n)]
    return first + second


def test_two_transmitters_300_km_apart_for_2_hours() -> None:
    apart = 300_000 / M_PER_DEG
    events = spoofing(two_transmitters(13, apart))  # 0..120 min and 5..125 min
    assert [e["details"]["kind"] for e in events] == ["two_places"]
    (ev,) = events
    assert ev["start_ts"] == T0_US + 5 * MIN_US  # the later start
    assert ev["end_ts"] == T0_US + 120 * MIN_US  # the earlier end
    assert (ev["lat"], ev["lon"]) == (pytest.approx(55.0 + apart), 10.0)
    assert ev["details"]["distance_m"] == pytest.approx(300_000, rel=1e-6)
    assert (ev["details"]["seg"], ev["details"]["other_seg"]) == (1, 0)
    assert ev["confidence"] == 4


def test_two_places_with_few_positions_in_the_overlap_has_confidence_3() -> None:
    events = spoofing(two_transmitters(5, 1.0))
    assert [(e["details"]["kind"], e["confidence"]) for e in events] == [("two_places", 3)]


@pytest.mark.parametrize(("n", "confidence"), [(11, 4), (10, 3)])
def test_two_places_confidence_counts_positions_in_the_overlap(n: int, confidence: int) -> None:
    # n = 11: overlap 5..100 min holds 10 positions of each track; n = 10: 9 of each
    events = spoofing(two_transmitters(n, 1.0))
    assert [(e["details"]["kind"], e["confidence"]) for e in events] == [
        ("two_places", confidence)]


def test_two_places_needs_the_minimum_distance() -> None:
    # 5 km apart, reports a minute apart: two tracks, but closer than 10 km
    rows = two_transmitters(13, 5_000 / M_PER_DEG, offset_min=1.0)
    tracks = tracks_of(positions(rows))
    assert set(tracks.seg.tolist()) == {0, 1}
    assert spoofing(rows) == []
    lenient = replace(DetectConfig(), spoofing=SpoofingParams(two_places_min_distance_m=4000.0))
    assert [e["details"]["kind"] for e in spoofing(rows, lenient)] == ["two_places"]


def test_two_places_distance_uses_positions_nearest_in_time() -> None:
    # the first transmitter moves north; the second appears at 62 min: nearest is the 60-min one
    first = line(A, T0_US, 13, 55.0, 10.0)  # 0.01° per 10 min
    second = [(A, T0_US + (62 + 10 * k) * MIN_US, 55.0, 12.0) for k in range(4)]
    (ev,) = spoofing(first + second)
    assert ev["details"]["kind"] == "two_places"
    assert ev["details"]["distance_m"] == pytest.approx(haversine_m(55.06, 10.0, 55.0, 12.0))
    assert ev["end_ts"] == T0_US + 92 * MIN_US
    # halfway between two reports (60 and 70 min): the earlier one counts
    second = [(A, T0_US + (65 + 10 * k) * MIN_US, 55.0, 12.0) for k in range(4)]
    (ev,) = spoofing(first + second)
    assert ev["details"]["distance_m"] == pytest.approx(haversine_m(55.06, 10.0, 55.0, 12.0))


# --- on_land --------------------------------------------------------------------------------


def test_three_positions_10_km_inland() -> None:
    inland = 60.0 + 10_000 / M_PER_DEG  # NorthLand: the coast runs along 60°N
    step = 30 * MIN_US
    rows = [(A, T0_US + k * step, lat, 10.0 + 0.001 * k)
            for k, lat in enumerate([59.95, 59.99, inland, inland, inland, 59.99])]
    events = spoofing(rows)
    assert [e["details"]["kind"] for e in events] == ["on_land"]
    (ev,) = events
    assert ev["start_ts"] == T0_US + 2 * step and ev["end_ts"] == T0_US + 4 * step
    assert (ev["lat"], ev["lon"]) == (inland, 10.002)
    assert ev["confidence"] == 3


def test_on_land_within_the_margin_is_not_an_event_and_one_position_is_confidence_1() -> None:
    near = 60.0 + 1_000 / M_PER_DEG  # 1 km inland: inside the 2 km land margin
    far = 60.0 + 5_000 / M_PER_DEG
    step = 30 * MIN_US
    rows = [(A, T0_US + k * step, lat, 10.0)
            for k, lat in enumerate([59.99, near, near, 59.99, far, 59.99])]
    events = spoofing(rows)
    assert [(e["details"]["kind"], e["confidence"], e["start_ts"]) for e in events] == [
        ("on_land", 1, T0_US + 4 * step)]


# --- shared_position ------------------------------------------------------------------------


def test_four_vessels_at_exactly_the_same_position() -> None:
    spot = (12.345678, 45.678901)
    rows = []
    for k, m in enumerate((A, B, C, D)):
        rows += line(m, T0_US + k * HOUR_US, 3, 10.0 + k, 40.0)  # elsewhere, apart
        rows.append((m, T0_US + 10 * HOUR_US + k * MIN_US, *spot))
    rows.append((B, T0_US + 10 * HOUR_US + 10 * MIN_US, *spot))  # B there twice, same burst
    rows.append((C, T0_US + 12 * HOUR_US, *spot))  # two hours later: a burst of one vessel
    events = spoofing(rows)
    shared = of_kind(events, "shared_position")
    assert len(events) == len(shared) == 4
    assert [e["mmsi"] for e in shared] == [A, B, C, D]
    for e in shared:
        assert e["details"]["vessels"] == 4
        assert e["details"]["other_mmsi"] == sorted({A, B, C, D} - {e["mmsi"]})
        assert e["confidence"] == 3
        assert (e["lat"], e["lon"]) == spot
    b = shared[1]
    assert (b["start_ts"], b["end_ts"]) == (T0_US + 10 * HOUR_US + MIN_US,
                                            T0_US + 10 * HOUR_US + 10 * MIN_US)
    c = shared[2]
    assert c["end_ts"] == T0_US + 10 * HOUR_US + 2 * MIN_US  # not the later, lone report


def test_vessels_at_one_spot_hours_apart_do_not_share_it() -> None:
    spot = (12.345678, 45.678901)
    rows = [(m, T0_US + k * HOUR_US, *spot) for k, m in enumerate((A, B, C, D))]
    assert of_kind(spoofing(rows), "shared_position") == []
    close = [(m, T0_US + k * 14 * MIN_US, *spot) for k, m in enumerate((A, B, C))]
    assert len(of_kind(spoofing(close), "shared_position")) == 3


def test_shared_position_rounds_to_a_micro_degree_and_needs_three_vessels() -> None:
    rows = [(A, T0_US, 12.0000001, 45.0), (B, T0_US + MIN_US, 11.9999999, 45.0000002),
            (C, T0_US + 2 * MIN_US, 12.0, 45.0)]
    assert [e["details"]["vessels"] for e in spoofing(rows)] == [3, 3, 3]
    assert spoofing(rows[:2] + [(C, T0_US, 12.000002, 45.0)]) == []
    strict = replace(DetectConfig(), spoofing=SpoofingParams(shared_position_min_vessels=4))
    assert spoofing(rows, strict) == []


def test_shared_position_lists_at_most_20_others() -> None:
    rows = [(200_000_000 + k, T0_US + k * MIN_US, 1.0, 2.0) for k in range(30)]
    events = spoofing(rows)
    assert len(events) == 30
    assert all(e["details"]["vessels"] == 30 and e["confidence"] == 4 for e in events)
    assert events[0]["details"]["other_mmsi"] == [200_000_000 + k for k in range(1, 21)]
    assert events[25]["details"]["other_mmsi"] == [200_000_000 + k for k in range(20)]


def test_position_key_is_exact_on_micro_degrees() -> None:
    key = position_key(np.array([-90.0, 90.0, 0.0, 0.0]), np.array([-180.0, 180.0, 1e-6, 0.0]))
    assert len(set(key.tolist())) == 4 and key.min() == 0


# --- ids ------------------------------------------------------------------------------------


def test_ids_use_the_kind_as_key_and_repeats_get_a_suffix() -> None:
    assert distinct_keys([1, 1, 1, 2], [5, 5, 5, 5], ["a", "b", "a", "a"]) == [
        "a", "b", "a#1", "a"]
    (jump,) = spoofing(line(A, T0_US, 3, 55.0, 10.0) + line(A, T0_US + 30 * MIN_US, 3, 57.0, 10.0))
    expected = event_ids("spoofing", np.array([A]), np.array([jump["start_ts"]]), None, ["jump"])
    assert jump["event_id"] == expected[0]


def test_empty_input_gives_an_empty_table() -> None:
    events = detect_spoofing(tracks_of(positions([])), DetectConfig())
    assert events.num_rows == 0 and events.schema == EVENTS


# --- invariants (hypothesis) ----------------------------------------------------------------

LATS = [55.0, 55.0005, 55.01, 55.3, 57.0, 60.1, 60.2]  # 60.1, 60.2: 11 and 22 km inland
LONS = [10.0, 10.0003, 10.2, 12.0]
MMSIS = [A, B, C, D]


@st.composite
def position_rows(draw: st.DrawFn) -> list[tuple]:
    n = draw(st.integers(0, 40))
    return [(draw(st.sampled_from(MMSIS)), T0_US + draw(st.integers(0, 48)) * 5 * MIN_US,
             draw(st.sampled_from(LATS)), draw(st.sampled_from(LONS))) for _ in range(n)]


def _canonical(events: pa.Table) -> list[dict]:
    return sorted(rows_of(events), key=lambda e: e["event_id"])


@settings(max_examples=150, deadline=None)
@given(position_rows(), st.randoms(use_true_random=False))
def test_row_order_does_not_change_events(rows: list[tuple], rnd) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    config = DetectConfig()
    first = detect_spoofing(tracks_of(positions(rows)), config)
    second = detect_spoofing(tracks_of(positions(shuffled)), config)
    assert first.equals(second)


@settings(max_examples=150, deadline=None)
@given(position_rows())
def test_events_per_mmsi_do_not_depend_on_other_vessels(rows: list[tuple]) -> None:
    config = DetectConfig()
    whole = [e for e in rows_of(detect_spoofing(tracks_of(positions(rows)), config))
             if e["details"]["kind"] != "shared_position"]
    parts = []
    for m in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == m]
        parts += [e for e in rows_of(detect_spoofing(tracks_of(positions(mine)), config))
                  if e["details"]["kind"] != "shared_position"]
    assert sorted(whole, key=lambda e: e["event_id"]) == sorted(parts, key=lambda e: e["event_id"])


@settings(max_examples=150, deadline=None)
@given(position_rows())
def test_events_lie_in_the_data_and_have_unique_ids(rows: list[tuple]) -> None:
    events = rows_of(detect_spoofing(tracks_of(positions(rows)), DetectConfig()))
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids))
    mmsi_ts: dict[int, list[int]] = {}
    for r in rows:
        mmsi_ts.setdefault(r[0], []).append(r[1])
    for e in events:
        ts = mmsi_ts[e["mmsi"]]
        assert min(ts) <= e["start_ts"] <= e["end_ts"] <= max(ts)
        assert e["duration_s"] == (e["end_ts"] - e["start_ts"]) / 1e6
        assert 1 <= e["confidence"] <= 4


@settings(max_examples=150, deadline=None)
@given(position_rows())
def test_shared_position_matches_a_naive_count_over_all_vessels(rows: list[tuple]) -> None:
    spots: dict[tuple[float, float], list[tuple[int, int]]] = {}
    for m, t, lat, lon in rows:
        spots.setdefault((round(lat, 6), round(lon, 6)), []).append((t, m))
    gap = DetectConfig().spoofing.shared_position_gap_min * MIN_US
    expected = []
    for spot, reports in spots.items():  # split each spot's reports into bursts, by hand
        reports.sort()
        bursts = [[reports[0]]]
        for prev, cur in itertools.pairwise(reports):
            if cur[0] - prev[0] > gap:
                bursts.append([])
            bursts[-1].append(cur)
        for burst in bursts:
            by_mmsi: dict[int, list[int]] = {}
            for t, m in burst:
                by_mmsi.setdefault(m, []).append(t)
            if len(by_mmsi) >= 3:
                expected += [(m, min(ts), max(ts), spot, len(by_mmsi))
                             for m, ts in by_mmsi.items()]
    expected.sort()
    events = of_kind(rows_of(detect_spoofing(tracks_of(positions(rows)), DetectConfig())),
                     "shared_position")
    got = sorted((e["mmsi"], e["start_ts"], e["end_ts"], (e["lat"], e["lon"]),
                  e["details"]["vessels"]) for e in events)
    assert got == expected
