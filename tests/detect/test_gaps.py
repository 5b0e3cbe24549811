"""Gaps: known answers worked out by hand, open gaps, GFW's grade, partition invariance."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from track_builders import HOUR_US, MIN_US, StubLand, make_tracks, us, vessel

from vesselwatch.detect.config import NM_M, DetectConfig
from vesselwatch.detect.gaps import detect_gaps

T0 = us("2024-03-01T00:00:00")
CFG = DetectConfig()


def _gaps(rows: list, **kw: object) -> list[dict]:
    return detect_gaps(make_tracks(rows, **kw), CFG).to_pylist()  # type: ignore[arg-type]


def test_six_hours_is_a_gap_and_one_second_less_is_not() -> None:
    a = vessel(1, T0, T0 + HOUR_US, 600, 40.0, 150.0)
    exact = [(1, a[-1][1] + 6 * HOUR_US, 40.0, 150.1, 0.5)]
    short = [(2, T0, 40.0, 150.0, 0.5), (2, T0 + 6 * HOUR_US - 1_000_000, 40.0, 150.1, 0.5)]
    events = _gaps(a + exact + short)
    assert [(e["mmsi"], e["duration_s"]) for e in events] == [(1, 6 * 3600.0)]
    d = json.loads(events[0]["details"])
    assert d["on_lat"] == 40.0 and d["on_lon"] == 150.1
    assert events[0]["end_ts"] is not None


def test_a_vessel_silent_at_the_end_of_the_data_has_an_open_gap() -> None:
    a = vessel(1, T0, T0 + HOUR_US, 600, 40.0, 150.0)
    b = vessel(2, T0, T0 + 8 * HOUR_US, 600, 41.0, 150.0)  # the data runs to T0 + 8 h
    events = _gaps(a + b)
    assert len(events) == 1
    e = events[0]
    assert e["mmsi"] == 1 and e["end_ts"] is None and e["duration_s"] is None
    assert e["start_ts"].timestamp() * 1e6 == a[-1][1]
    assert json.loads(e["details"])["on_lat"] is None


def test_open_gap_keeps_its_id_when_it_closes() -> None:
    a = vessel(1, T0, T0 + HOUR_US, 600, 40.0, 150.0)
    b = vessel(2, T0, T0 + 8 * HOUR_US, 600, 41.0, 150.0)
    open_id = _gaps(a + b)[0]["event_id"]
    closed = _gaps(a + b + [(1, T0 + 9 * HOUR_US, 40.0, 150.2, 0.5)])
    assert [e["event_id"] for e in closed if e["mmsi"] == 1] == [open_id]
    assert [e["end_ts"] is None for e in closed if e["mmsi"] == 1] == [False]


def test_confidence_four_is_exactly_gfws_rule() -> None:
    # 14 positions in the 12 h before (one every 50 min), 60 nm from shore, dark 12 h
    before = vessel(1, T0, T0 + 13 * 50 * MIN_US, 50 * 60, 40.0, 150.0, speed_kn=8.0)
    off_ts = before[-1][1]
    rows = before + [(1, off_ts + 12 * HOUR_US, 41.0, 151.0, 8.0)]
    assert len(before) == 14
    far = StubLand(60 * NM_M)
    near = StubLand(40 * NM_M)
    (e,) = _gaps(rows, land=far)
    assert e["confidence"] == 4
    assert json.loads(e["details"])["positions_before"] == 14
    assert _gaps(rows, land=near)[0]["confidence"] == 3
    # one position fewer before the gap: the window no longer holds 14
    assert _gaps(rows[1:], land=far)[0]["confidence"] == 3
    # eleven hours: not GFW's 12
    short = before + [(1, off_ts + 11 * HOUR_US, 41.0, 151.0, 8.0)]
    assert _gaps(short, land=far)[0]["confidence"] == 3


def test_coastal_shuttle_leg_shows_as_a_lower_grade_gap() -> None:
    # Rajin (42.2333 N 130.3 E) to Vostochnyy (42.75 N 133.0833 E), dark for 11 h, 10 nm off
    rows = [(273000001, T0, 42.2333, 130.3, 0.0), (273000001, T0 + 11 * HOUR_US, 42.75, 133.0833, 0.0)]
    (e,) = _gaps(rows, land=StubLand(10 * NM_M))
    assert e["confidence"] == 1
    d = json.loads(e["details"])
    assert 225_000 < d["distance_m"] < 240_000  # about 127 nm by sea, 123 nm great circle
    assert 10.5 < d["implied_sog_kn"] < 12.0


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=2, max_size=30), st.integers(0, 2))
def test_gaps_per_vessel_partition_equal_gaps_of_the_whole(steps_h: list[int], split: int) -> None:
    rows = []
    for m in (1, 2, 3):
        t = T0
        for k, h in enumerate(steps_h):
            t += h * HOUR_US // 4
            rows.append((m, t + m, 40.0 + 0.01 * k, 150.0 + m, None))
    until = max(r[1] for r in rows)
    whole = detect_gaps(make_tracks(rows, until_us=until), CFG)
    parts = [detect_gaps(make_tracks([r for r in rows if r[0] == m], until_us=until), CFG)
             for m in (1, 2, 3)]
    assert pa.concat_tables(parts).sort_by("event_id").equals(whole.sort_by("event_id"))
    starts = whole["start_ts"].cast(pa.int64()).to_numpy()
    assert (starts >= T0).all() and (starts <= until).all()
    assert split in (0, 1, 2)


def test_outliers_do_not_split_a_gap() -> None:
    a = vessel(1, T0, T0 + HOUR_US, 600, 40.0, 150.0)
    b = vessel(1, T0 + 8 * HOUR_US, T0 + 9 * HOUR_US, 600, 40.0, 150.1)
    spike = [(1, T0 + 4 * HOUR_US, 48.0, 150.0, 0.5)]  # one far position inside the silence
    events = _gaps(a + b + spike)
    assert [e["duration_s"] for e in events] == [7 * 3600.0]
    assert np.isclose(json.loads(events[0]["details"])["on_lon"], 150.1)


def test_a_second_transmitter_still_sending_leaves_no_open_gap() -> None:
    a = vessel(5, T0, T0 + HOUR_US, 60, 40.0, 150.0)  # stops after an hour
    b = vessel(5, T0 + 30_000_000, T0 + 9 * HOUR_US, 600, 43.0, 155.0)  # goes on, far away
    t = make_tracks(a + b)
    assert sorted(set(t.seg.tolist())) == [0, 1]
    assert detect_gaps(t, CFG).num_rows == 0


def test_two_transmitters_silent_at_the_same_second_get_two_ids() -> None:
    a = vessel(9, T0, T0 + HOUR_US, 60, 40.0, 150.0)
    b = vessel(9, T0, T0 + HOUR_US, 60, 41.0, 150.0)  # same clock, 111 km north
    other = vessel(10, T0, T0 + 8 * HOUR_US, 600, 30.0, 150.0)  # the data go on
    events = _gaps(a + b + other)
    assert len(events) == 2 and len({e["event_id"] for e in events}) == 2
