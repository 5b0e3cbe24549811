"""Day by day with open events carried over equals one run over all the data.

Windows of 12 h, each padded with the 24 h before it: every generated event that crosses a
window edge began less than 24 h before it, so the merged windows must give exactly the
events of one run (per-vessel types and encounters; identity changes are not windowed).
"""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc
from compare_helpers import positions_table, scenario_references
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle_scenarios import scenario

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.suite import References, detect_all
from vesselwatch.detect.windows import detect_windows, merge_window
from vesselwatch.model.events import EVENTS
from vesselwatch.reference.geodesy import haversine_m

HOUR_US = 3_600_000_000
TYPES = ("gap", "port_visit", "loitering", "encounter")


def _refs() -> References:
    return scenario_references()  # type: ignore[no-any-return]


def _clean(rows: list[tuple]) -> list[tuple]:
    """Rows with a place, without the scenario's second transmitters and spikes, so that
    cutting the data at a window edge cannot change how tracks are segmented."""
    by_vessel: dict[int, list[tuple]] = {}
    for r in rows:
        if r[2] is not None and r[3] is not None:
            by_vessel.setdefault(r[0], []).append(r)
    out = []
    for vessel in by_vessel.values():
        vessel.sort(key=lambda r: r[1])
        kept = [vessel[0]]
        for r in vessel[1:]:  # one transmitter: every step possible at 40 kn
            prev = kept[-1]
            metres = haversine_m(prev[2], prev[3], r[2], r[3])
            hours = (r[1] - prev[1]) / HOUR_US
            if hours > 0 and metres <= 40 * 1852 * hours:
                kept.append(r)
        out += kept
    return out


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000))
def test_windows_with_padding_equal_one_run(seed: int) -> None:
    rows = _clean(scenario(random.Random(seed), 6)["positions"])
    positions = positions_table(rows)
    ts = positions["ts"].cast(pa.int64())
    first, last = pc.min(ts).as_py(), pc.max(ts).as_py()
    refs, cfg = _refs(), DetectConfig()
    whole = detect_all(positions, cfg, refs, types=TYPES)
    edges = list(range(first, last + 12 * HOUR_US, 12 * HOUR_US))
    edges[-1] = last + 1
    windowed = detect_windows(positions, cfg, refs, edges, 24 * HOUR_US, types=TYPES)
    long = pc.greater(pc.fill_null(whole["duration_s"], 0), 24 * 3600 - 1)
    if pc.any(long).as_py():  # an event longer than the padding may be cut: not this test
        return
    keep = ["event_id", "event_type", "mmsi", "other_mmsi", "start_ts", "end_ts", "confidence"]
    assert windowed.select(keep).to_pylist() == whole.select(keep).to_pylist()


def test_a_later_window_closes_an_open_event_and_drops_cut_remnants() -> None:
    def event(event_id: str, start_h: int, end_h: int | None) -> dict:
        return {"event_id": event_id, "event_type": "gap", "mmsi": 1,
                "start_ts": start_h * HOUR_US, "end_ts": None if end_h is None else end_h * HOUR_US,
                "confidence": 2, "params": "{}", "details": "{}"}

    carried = pa.Table.from_pylist([event("a", 1, None), event("b", 2, 3)], schema=EVENTS)
    later = pa.Table.from_pylist([event("a", 1, 20), event("c", 5, 6), event("d", 13, 14)],
                                 schema=EVENTS)
    # the window's data of vessel 1 begin at 5 h: "c" starts there, a remnant of a cut event
    seen = pa.table({"mmsi": pa.array([1], pa.uint32()), "first_us": [5 * HOUR_US]})
    merged = merge_window(carried, later, 12 * HOUR_US, seen).to_pylist()
    assert [(e["event_id"], e["end_ts"] is None) for e in merged] == [
        ("a", False), ("b", False), ("d", False)]
    # data from 4 h: "c" began an hour in and only became an event now: it is kept
    seen = pa.table({"mmsi": pa.array([1], pa.uint32()), "first_us": [4 * HOUR_US]})
    merged = merge_window(carried, later, 12 * HOUR_US, seen).to_pylist()
    assert [e["event_id"] for e in merged] == ["a", "b", "c", "d"]
    # a closed event is not replaced by a later window's (partial) view of it
    again = pa.Table.from_pylist([event("b", 2, 4)], schema=EVENTS)
    merged = merge_window(carried, again, 12 * HOUR_US).to_pylist()
    assert [(e["event_id"], e["end_ts"].hour if e["end_ts"] else None) for e in merged] == [
        ("a", None), ("b", 3)]
