"""Ground truth of the ``thresholds`` scenario: every planted event, on both sides of its
line, is in the truth (or absent) as worked out by hand from the scenario file; the truth
agrees with the world it came from; the same seed gives the same bytes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from vesselwatch.evaluate import load_truth
from vesselwatch.simulate.run import simulate

T0 = datetime(2023, 9, 7, tzinfo=UTC)
GAP_SEVEN, GAP_FIVE, OUT_OF_REACH, OFF_AND_OUT = 538000101, 538000102, 538000103, 538000104
ALPHA, BRAVO, CHARLIE, DELTA, ECHO, FOXTROT = range(538000201, 538000207)
LOITER_LONG, LOITER_SHORT, LOITER_FAST = 538000301, 538000302, 538000303
FALSE_FIX = 538000401
RENAMED, BAD_CHECK, NEW_FLAG, NEW_FLAG_AFTER = 538000501, 538000502, 538000503, 613000503
LONG_DARK, SHORT_DARK = 538000601, 538000602


def hours(h: float) -> datetime:
    return T0 + timedelta(hours=h)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("thresholds")
    simulate("thresholds", out, seed=1)
    truth = load_truth(out / "truth" / "events.jsonl")
    return out, truth.events.to_pylist()


def of(events: list[dict[str, Any]], kind: str, mmsi: int) -> list[dict[str, Any]]:
    return [e for e in events if e["event_type"] == kind and mmsi in (e["mmsi"], e["other_mmsi"])]


def near(when: datetime, expected: datetime, seconds: float) -> bool:
    return abs((when - expected).total_seconds()) <= seconds


def test_transponder_off_for_7_h_is_a_gap_and_for_5_h_is_not(sim: Any) -> None:
    _, events = sim
    (gap,) = of(events, "gap", GAP_SEVEN)
    # off from hour 3 to hour 10; class A at 6 kn reports every 10 s
    assert near(gap["start_ts"], hours(3), 10) and near(gap["end_ts"], hours(10), 10)
    assert gap["cause"] == "transponder_off"
    assert gap["label"] == "planted 7 h gap (transponder off)"
    assert not of(events, "gap", GAP_FIVE)


def test_a_coverage_hole_is_a_gap_with_cause_coverage(sim: Any) -> None:
    _, events = sim
    (gap,) = of(events, "gap", OUT_OF_REACH)
    assert gap["cause"] == "coverage"
    # 10 kn east from 136.5 E, back after 10 h; NET-1 reaches 150 nm from 134.5 E: the
    # vessel is out of reach from about hour 5.9 to hour 14.1
    assert near(gap["start_ts"], hours(5.9), 600) and near(gap["end_ts"], hours(14.1), 600)
    (both,) = of(events, "gap", OFF_AND_OUT)
    assert both["cause"] == "transponder_off+coverage"
    assert near(both["start_ts"], hours(2), 10)


def test_only_the_close_long_meeting_is_an_encounter(sim: Any) -> None:
    _, events = sim
    encounters = [e for e in events if e["event_type"] == "encounter"]
    assert [(e["mmsi"], e["other_mmsi"]) for e in encounters] == [(ALPHA, BRAVO)]
    (enc,) = encounters
    # on the 10-minute grid: 06:00 to 09:00
    assert (enc["start_ts"], enc["end_ts"]) == (hours(6), hours(9))


def test_loitering_needs_2_h_below_2_kn(sim: Any) -> None:
    _, events = sim
    (long_,) = of(events, "loitering", LOITER_LONG)
    assert near(long_["start_ts"], hours(4), 10) and near(long_["end_ts"], hours(6.5), 10)
    assert not of(events, "loitering", LOITER_SHORT)
    assert not of(events, "loitering", LOITER_FAST)
    # the 3 h meetings drift at 0.5 kn far from shore: loitering, whatever the distance
    for mmsi in (ALPHA, BRAVO, CHARLIE, DELTA):
        assert len(of(events, "loitering", mmsi)) == 1
    assert not of(events, "loitering", ECHO) and not of(events, "loitering", FOXTROT)


def test_the_spoofed_fix_is_one_spoofing_event(sim: Any) -> None:
    _, events = sim
    (spoof,) = of(events, "spoofing", FALSE_FIX)
    assert spoof["kind"] == "two_places"
    assert near(spoof["start_ts"], hours(4), 10) and near(spoof["end_ts"], hours(7), 10)
    assert [e["mmsi"] for e in events if e["event_type"] == "spoofing"] == [FALSE_FIX]


def test_identity_changes(sim: Any) -> None:
    _, events = sim
    (renamed,) = of(events, "identity_change", RENAMED)
    assert renamed["kind"] == "name"
    # renamed at hour 10; static reports go out every 6 minutes
    assert hours(10) <= renamed["start_ts"] <= hours(10.1)
    assert [e["kind"] for e in of(events, "identity_change", BAD_CHECK)] == ["invalid_imo"]
    kinds = sorted(e["kind"] for e in events if e["event_type"] == "identity_change"
                   and e["mmsi"] in (NEW_FLAG, NEW_FLAG_AFTER))
    assert kinds == ["flag_change", "imo_multiple_mmsi", "imo_multiple_mmsi"]


def test_a_long_dark_leg_is_a_dark_voyage_and_a_short_one_is_not(sim: Any) -> None:
    _, events = sim
    assert len(of(events, "dark_voyage", LONG_DARK)) == 1
    assert [e["cause"] for e in of(events, "gap", LONG_DARK)] == ["transponder_off"]
    assert len(of(events, "voyage", LONG_DARK)) == 1
    assert not of(events, "gap", SHORT_DARK) and not of(events, "dark_voyage", SHORT_DARK)
    assert len(of(events, "voyage", SHORT_DARK)) == 1
    assert len(of(events, "port_visit", SHORT_DARK)) == 2


def test_no_slot_inside_a_true_gap_was_observable(sim: Any) -> None:
    out, events = sim
    slots = pq.read_table(out / "truth" / "slots.parquet")
    observable = pc.and_(pc.not_equal(slots["transponder"], "off"), slots["covered"])
    heard = slots.filter(observable)
    mmsi = heard["mmsi"].to_numpy()
    ts = heard["ts"].to_pylist()
    gaps = [e for e in events if e["event_type"] == "gap"]
    assert gaps
    for gap in gaps:
        end = gap["end_ts"] or hours(36)
        inside = [t for m, t in zip(mmsi, ts) if m == gap["mmsi"] and gap["start_ts"] < t < end]
        assert not inside, gap


def test_every_file_is_written_and_consistent(sim: Any) -> None:
    out, events = sim
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["true_events"] == {k: sum(e["event_type"] == k for e in events)
                                       for k in manifest["true_events"]}
    truth = load_truth(out / "truth" / "events.jsonl")
    assert truth.until == hours(36)
    assert truth.vessels is not None and NEW_FLAG_AFTER in truth.vessels
    corrupt = [json.loads(x) for x in (out / "truth" / "corrupt.jsonl").read_text().splitlines()]
    assert len(corrupt) == manifest["corrupt"] > 0
    steps = [json.loads(x) for x in (out / "truth" / "steps.jsonl").read_text().splitlines()]
    assert any(s["label"] == "planted 7 h gap (transponder off)" and s["ais"] == "off"
               for s in steps)
    vessels = [json.loads(x) for x in (out / "truth" / "vessels.jsonl").read_text().splitlines()]
    (flagged,) = [v for v in vessels if v["mmsi"] == NEW_FLAG]
    assert [i["mmsi"] for i in flagged["identities"]] == [NEW_FLAG, NEW_FLAG_AFTER]


def test_same_seed_same_bytes_other_seed_same_planted_truth(tmp_path: Path) -> None:
    a = simulate("thresholds", tmp_path / "a", seed=3, days=0.5)
    b = simulate("thresholds", tmp_path / "b", seed=3, days=0.5)
    c = simulate("thresholds", tmp_path / "c", seed=4, days=0.5)
    for name in ("thresholds.nmea", "truth/events.jsonl", "truth/corrupt.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "thresholds.nmea").read_bytes() != \
        (tmp_path / "c" / "thresholds.nmea").read_bytes()
    assert a.true_events == b.true_events

    def planted(path: Path) -> set[tuple[str, int]]:
        rows = load_truth(path / "truth" / "events.jsonl").events.to_pylist()
        return {(r["event_type"], r["mmsi"]) for r in rows}

    assert planted(tmp_path / "a") == planted(tmp_path / "c")
    assert c.lines != a.lines or c.corrupt != a.corrupt or c.duplicates != a.duplicates


def test_the_observable_stream_drives_the_truth_not_the_received_one(sim: Any) -> None:
    out, _ = sim
    slots = pq.read_table(out / "truth" / "slots.parquet")
    received = slots["received"].to_numpy(zero_copy_only=False)
    sent = pc.not_equal(slots["transponder"], "off").to_numpy(zero_copy_only=False)
    covered = slots["covered"].to_numpy(zero_copy_only=False)
    # what arrives is a thinned subset of what was observable (one a minute at most)
    assert not np.any(received & ~(sent & covered))
    assert received.sum() < (sent & covered).sum() / 3
