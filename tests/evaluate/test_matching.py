"""Matching detected events against ground truth: hand-worked cases and properties."""

from __future__ import annotations

import inspect
import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.errors import InputError
from vesselwatch.evaluate import assign, evaluate, truth_table
from vesselwatch.model.events import event_ids, events_table

T0 = datetime(2023, 9, 1, tzinfo=UTC)
H = 3600
A, B, C = 273_000_001, 273_000_002, 273_000_003


def t(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def detected(*rows: dict[str, Any]) -> pa.Table:
    """An EVENTS table; each row: type, mmsi, start/end (hours), other, confidence, kind."""
    cols: dict[str, list[Any]] = {k: [] for k in (
        "event_id", "event_type", "mmsi", "other_mmsi", "start_ts", "end_ts", "confidence",
        "params", "details")}
    for n, r in enumerate(rows):
        cols["event_id"].append(r.get("event_id", f"{n:016x}"))
        cols["event_type"].append(r.get("type", "gap"))
        cols["mmsi"].append(r.get("mmsi", A))
        cols["other_mmsi"].append(r.get("other"))
        cols["start_ts"].append(t(r["start"]))
        cols["end_ts"].append(None if r.get("end") is None else t(r["end"]))
        cols["confidence"].append(r.get("confidence", 4))
        cols["params"].append("{}")
        cols["details"].append(json.dumps({"kind": r["kind"]} if "kind" in r else {}))
    return events_table(cols)


def truth(*rows: dict[str, Any]) -> pa.Table:
    return truth_table({
        "event_type": [r.get("type", "gap") for r in rows],
        "mmsi": [r.get("mmsi", A) for r in rows],
        "other_mmsi": [r.get("other") for r in rows],
        "start_ts": [t(r["start"]) for r in rows],
        "end_ts": [None if r.get("end") is None else t(r["end"]) for r in rows],
        "kind": [r.get("kind") for r in rows],
        "label": [r.get("label") for r in rows],
        "cause": [r.get("cause") for r in rows],
    })


# -- hand-worked cases -----------------------------------------------------------------------

def test_a_gap_matched_exactly() -> None:
    ev = evaluate(detected({"start": 1, "end": 8}), truth({"start": 1, "end": 8}))
    s = ev.score("gap")
    assert (s.tp, s.fp, s.fn, s.precision, s.recall) == (1, 0, 0, 1.0, 1.0)
    assert (s.start_error_mean_s, s.start_error_max_s, s.end_error_max_s) == (0.0, 0.0, 0.0)
    assert ev.misses.num_rows == 0 and ev.pairs.num_rows == 1


def test_a_gap_starting_ten_minutes_late_still_matches() -> None:
    ev = evaluate(detected({"start": 1 + 10 / 60, "end": 8}), truth({"start": 1, "end": 8}))
    s = ev.score("gap")
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)
    assert s.start_error_mean_s == pytest.approx(600.0)
    assert s.start_error_max_s == pytest.approx(600.0)
    assert s.end_error_mean_s == 0.0


def test_one_detection_spanning_two_true_gaps_matches_one() -> None:
    ev = evaluate(detected({"start": 1, "end": 20}),
                  truth({"start": 2, "end": 8, "label": "first"},
                        {"start": 10, "end": 19, "label": "second"}))
    s = ev.score("gap")
    assert (s.tp, s.fp, s.fn) == (1, 0, 1)
    assert s.recall == 0.5 and s.precision == 1.0
    # ties in count are broken by the larger overlap: 9 h against 6 h
    assert ev.pairs.column("label").to_pylist() == ["second"]
    assert ev.misses.column("label").to_pylist() == ["first"]
    assert ev.misses.column("outcome").to_pylist() == ["false_negative"]


def test_an_encounter_detected_as_two_rows_counts_once() -> None:
    det = detected({"type": "encounter", "mmsi": A, "other": B, "start": 1, "end": 4},
                   {"type": "encounter", "mmsi": B, "other": A, "start": 1, "end": 4})
    ev = evaluate(det, truth({"type": "encounter", "mmsi": A, "other": B, "start": 1, "end": 4}))
    s = ev.score("encounter")
    assert (s.detected, s.tp, s.fp, s.fn) == (1, 1, 0, 0)


def test_the_swapped_pair_order_matches() -> None:
    det = detected({"type": "encounter", "mmsi": B, "other": A, "start": 1, "end": 4})
    ev = evaluate(det, truth({"type": "encounter", "mmsi": A, "other": B, "start": 1, "end": 4}))
    assert ev.score("encounter").tp == 1


def test_an_encounter_with_a_third_vessel_does_not_match() -> None:
    det = detected({"type": "encounter", "mmsi": A, "other": C, "start": 1, "end": 4})
    ev = evaluate(det, truth({"type": "encounter", "mmsi": A, "other": B, "start": 1, "end": 4}))
    s = ev.score("encounter")
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)


def test_no_overlap_is_a_false_positive_and_a_false_negative() -> None:
    ev = evaluate(detected({"start": 10, "end": 17}), truth({"start": 1, "end": 8}))
    s = ev.score("gap")
    assert (s.tp, s.fp, s.fn, s.precision, s.recall) == (0, 1, 1, 0.0, 0.0)
    assert s.start_error_mean_s is None and s.end_error_mean_s is None
    assert sorted(ev.misses.column("outcome").to_pylist()) == ["false_negative",
                                                               "false_positive"]


def test_detections_of_vessels_the_truth_does_not_cover_are_left_out() -> None:
    # a scenario mixed into real traffic: the truth speaks for A only; B is background,
    # and an encounter of B with A is A's business
    det = detected({"start": 1, "end": 8}, {"start": 1, "end": 8, "mmsi": B},
                   {"type": "encounter", "mmsi": B, "other": A, "start": 2, "end": 5},
                   {"type": "encounter", "mmsi": B, "other": C, "start": 2, "end": 5})
    ev = evaluate(det, truth({"start": 1, "end": 8}), vessels=[A])
    assert (ev.score("gap").tp, ev.score("gap").fp) == (1, 0)
    assert (ev.score("encounter").detected, ev.score("encounter").fp) == (1, 1)
    assert ev.params["vessels"] == 1
    everyone = evaluate(det, truth({"start": 1, "end": 8}))
    assert everyone.score("gap").fp == 1 and everyone.score("encounter").fp == 2


def test_recall_is_split_by_the_cause_of_true_gaps() -> None:
    tru = truth({"start": 1, "end": 8, "cause": "transponder_off"},
                {"start": 20, "end": 28, "cause": "coverage"},
                {"start": 40, "end": 48, "cause": "coverage"})
    ev = evaluate(detected({"start": 1, "end": 8}, {"start": 40, "end": 48}), tru)
    assert ev.score("gap").by_cause == {"coverage": {"truth": 2, "tp": 1},
                                        "transponder_off": {"truth": 1, "tp": 1}}
    missed = ev.misses.to_pylist()
    assert [(m["outcome"], m["cause"]) for m in missed] == [("false_negative", "coverage")]


def test_intervals_touching_at_one_instant_overlap() -> None:
    ev = evaluate(detected({"start": 8, "end": 12}), truth({"start": 1, "end": 8}))
    assert ev.score("gap").tp == 1


def test_other_vessel_or_type_does_not_match() -> None:
    ev = evaluate(detected({"start": 1, "end": 8, "mmsi": B},
                           {"start": 1, "end": 8, "type": "loitering"}),
                  truth({"start": 1, "end": 8}))
    assert ev.score("gap").tp == 0 and ev.score("gap").fn == 1
    assert ev.score("loitering").fp == 1


def test_an_open_detection_matches_a_true_event_that_ends_before_the_data_end() -> None:
    until = int((t(30) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) * 1_000_000
    ev = evaluate(detected({"start": 20, "end": None}), truth({"start": 20, "end": 25}),
                  until_us=until)
    s = ev.score("gap")
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)
    assert s.end_pairs == 0 and s.end_error_mean_s is None  # open ends carry no end error
    # an open event reaches the end of the data, not further
    early = evaluate(detected({"start": 20, "end": None}), truth({"start": 31, "end": 33}),
                     until_us=until)
    assert early.score("gap").tp == 0


def test_empty_detections_and_empty_truth() -> None:
    none = evaluate(detected(), truth({"start": 1, "end": 8}))
    s = none.score("gap")
    assert (s.tp, s.fp, s.fn, s.precision, s.recall) == (0, 0, 1, None, 0.0)
    nothing_true = evaluate(detected({"start": 1, "end": 8}), truth())
    s = nothing_true.score("gap")
    assert (s.tp, s.fp, s.fn, s.precision, s.recall) == (0, 1, 0, 0.0, None)
    both = evaluate(detected(), truth(), types=["gap"])
    s = both.score("gap")
    assert (s.precision, s.recall, s.f1) == (None, None, None)
    assert evaluate(detected(), truth()).scores == []


def test_min_confidence_leaves_weak_detections_out() -> None:
    det = detected({"start": 1, "end": 8, "confidence": 2}, {"start": 30, "end": 40,
                                                              "confidence": 1})
    tru = truth({"start": 1, "end": 8})
    assert evaluate(det, tru).score("gap").fp == 1
    s = evaluate(det, tru, min_confidence=2).score("gap")
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)
    s = evaluate(det, tru, min_confidence=3).score("gap")
    assert (s.tp, s.fp, s.fn, s.precision) == (0, 0, 1, None)


def test_tolerance_widens_the_detected_interval() -> None:
    det = detected({"start": 9, "end": 15})
    tru = truth({"start": 1, "end": 8})  # one hour apart
    assert evaluate(det, tru).score("gap").tp == 0
    assert evaluate(det, tru, tolerance_s=3599).score("gap").tp == 0
    s = evaluate(det, tru, tolerance_s=3600).score("gap")
    assert s.tp == 1 and s.start_error_mean_s == 8 * H and s.end_error_mean_s == 7 * H


def test_kind_must_agree_where_the_truth_gives_one() -> None:
    det = detected({"type": "spoofing", "kind": "jump", "start": 1, "end": 1})
    assert evaluate(det, truth({"type": "spoofing", "kind": "on_land", "start": 1,
                                "end": 1})).score("spoofing").tp == 0
    assert evaluate(det, truth({"type": "spoofing", "kind": "jump", "start": 1,
                                "end": 1})).score("spoofing").tp == 1
    assert evaluate(det, truth({"type": "spoofing", "start": 1,
                                "end": 1})).score("spoofing").tp == 1


def test_types_restricts_and_unknown_types_are_refused() -> None:
    ev = evaluate(detected({"start": 1, "end": 8}, {"type": "loitering", "start": 1, "end": 3}),
                  truth({"start": 1, "end": 8}), types=["loitering"])
    assert [s.event_type for s in ev.scores] == ["loitering"]
    with pytest.raises(InputError, match="unknown event type gaps"):
        evaluate(detected(), truth(), types=["gaps"])


def test_to_dict_is_json() -> None:
    ev = evaluate(detected({"start": 1, "end": 8}, {"start": 30, "end": None}),
                  truth({"start": 1, "end": 8, "label": "planted 7 h gap"}))
    data = json.loads(json.dumps(ev.to_dict()))
    assert data["scores"][0]["tp"] == 1 and data["totals"]["fp"] == 1
    assert data["misses"][0]["start_ts"] == "2023-09-02T06:00:00.000000Z"
    assert data["misses"][0]["end_ts"] is None
    assert data["pairs"][0]["label"] == "planted 7 h gap"


def test_real_detector_ids_flow_through() -> None:
    det = detected({"start": 1, "end": 8, "event_id": event_ids("gap", [A], [0])[0]})
    ev = evaluate(det, truth({"start": 1, "end": 8}))
    assert ev.pairs.column("event_id").to_pylist() == [det.column("event_id")[0].as_py()]


# -- the assignment -------------------------------------------------------------------------

def brute_force(n_left: int, n_right: int, edges: list[tuple[int, int, int]]
                ) -> tuple[int, int]:
    """(most pairs, largest total weight with that many) over every subset of edges."""
    best = (0, 0)
    for k in range(len(edges) + 1):
        for subset in itertools.combinations(edges, k):
            lefts = [i for i, _, _ in subset]
            rights = [j for _, j, _ in subset]
            if len(set(lefts)) == k and len(set(rights)) == k:
                best = max(best, (k, sum(w for _, _, w in subset)))
    return best


edge_sets = st.integers(1, 4).flatmap(lambda n: st.integers(1, 4).flatmap(
    lambda m: st.tuples(st.just(n), st.just(m), st.lists(
        st.tuples(st.integers(0, n - 1), st.integers(0, m - 1), st.integers(-5, 20)),
        max_size=8, unique_by=lambda e: (e[0], e[1])))))


@settings(max_examples=200, deadline=None)
@given(edge_sets)
def test_assign_is_a_maximum_matching_of_largest_weight(case: Any) -> None:
    n, m, edges = case
    got = assign(n, m, edges)
    weight = {(i, j): w for i, j, w in edges}
    assert len({i for i, _ in got}) == len(got) == len({j for _, j in got})
    assert all(p in weight for p in got)
    assert (len(got), sum(weight[p] for p in got)) == brute_force(n, m, edges)


def test_the_most_pairs_win_over_the_largest_overlap() -> None:
    # detected [5, 15] overlaps true [0, 14] by 9 h and true [14, 30] by 1 h; detected
    # [0, 1] overlaps only true [0, 14]. Greedy by overlap takes the 9 h pair and leaves
    # one of each unmatched; the maximum is two pairs.
    ev = evaluate(detected({"start": 5, "end": 15}, {"start": 0, "end": 1}),
                  truth({"start": 0, "end": 14}, {"start": 14, "end": 30}))
    s = ev.score("gap")
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)


# -- properties -----------------------------------------------------------------------------

event_rows = st.lists(st.fixed_dictionaries({
    "type": st.sampled_from(["gap", "encounter", "spoofing"]),
    "mmsi": st.sampled_from([A, B]),
    "start": st.integers(0, 40),
    "length": st.one_of(st.none(), st.integers(0, 12)),
    "kind": st.sampled_from(["jump", "on_land"]),
}), max_size=8)


def rows_of(draw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in draw:
        row: dict[str, Any] = {"type": r["type"], "mmsi": r["mmsi"], "start": r["start"],
                               "end": None if r["length"] is None else r["start"] + r["length"]}
        if r["type"] == "encounter":
            row["other"] = C
            row["end"] = r["start"] + (r["length"] or 0)  # encounters are always closed
        if r["type"] == "spoofing":
            row["kind"] = r["kind"]
            row["end"] = r["start"] + (r["length"] or 0)
        out.append(row)
    return out


UNTIL = int((t(60) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) * 1_000_000


def summary(ev: Any) -> list[tuple[Any, ...]]:
    return [(s.event_type, s.tp, s.fp, s.fn, s.start_error_max_s, s.end_error_max_s)
            for s in ev.scores]


@settings(max_examples=100, deadline=None)
@given(event_rows, event_rows, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(det_draw: Any, tru_draw: Any, rnd: Any) -> None:
    det_rows, tru_rows = rows_of(det_draw), rows_of(tru_draw)
    ev = evaluate(detected(*det_rows), truth(*tru_rows), until_us=UNTIL)
    rnd.shuffle(det_rows)
    rnd.shuffle(tru_rows)
    shuffled = evaluate(detected(*det_rows), truth(*tru_rows), until_us=UNTIL)
    assert summary(ev) == summary(shuffled)


@settings(max_examples=100, deadline=None)
@given(event_rows, event_rows)
def test_true_positives_are_bounded(det_draw: Any, tru_draw: Any) -> None:
    ev = evaluate(detected(*rows_of(det_draw)), truth(*rows_of(tru_draw)), until_us=UNTIL)
    for s in ev.scores:
        assert s.tp <= min(s.truth, s.detected)
        assert s.tp + s.fp == s.detected and s.tp + s.fn == s.truth


@settings(max_examples=100, deadline=None)
@given(event_rows)
def test_the_truth_against_itself_is_perfect(draw: Any) -> None:
    rows = rows_of(draw)
    ev = evaluate(detected(*rows), truth(*rows), until_us=UNTIL)
    for s in ev.scores:
        assert s.precision == 1.0 and s.recall == 1.0
        assert s.start_error_max_s == 0.0
        assert s.end_error_max_s in (0.0, None)


@settings(max_examples=100, deadline=None)
@given(event_rows, event_rows, event_rows)
def test_an_extra_detection_never_lowers_recall(det_draw: Any, tru_draw: Any,
                                                extra_draw: Any) -> None:
    det_rows, tru_rows = rows_of(det_draw), rows_of(tru_draw)
    before = evaluate(detected(*det_rows), truth(*tru_rows), until_us=UNTIL)
    after = evaluate(detected(*det_rows, *rows_of(extra_draw)), truth(*tru_rows),
                     until_us=UNTIL)
    recall = {s.event_type: s.tp for s in before.scores}
    for s in after.scores:
        assert s.tp >= recall.get(s.event_type, 0)


# -- the doc and the code agree --------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "evaluate.md"


def test_the_python_example_of_the_doc_runs() -> None:
    block = re.findall(r"```python\n(.*?)\n```", DOC.read_text(), flags=re.S)[0]
    exec(compile(block, str(DOC), "exec"), {})


def test_the_documented_defaults_are_the_code_defaults() -> None:
    text = DOC.read_text().split("## Options", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", text, flags=re.M))
    defaults = inspect.signature(evaluate).parameters
    assert float(rows["tolerance_s"]) == defaults["tolerance_s"].default
    assert int(rows["min_confidence"]) == defaults["min_confidence"].default
    assert defaults["types"].default is None and rows["types"] == "every type present"
