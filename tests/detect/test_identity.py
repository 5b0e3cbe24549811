"""Identity changes (docs/events.md, "identity_change"): known answers, and invariants."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from spoof_builders import HOUR_US, T0_US, reports, rows_of

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.identity import MMSI_ISSUE_SPANS, detect_identity, mmsi_issue_spans
from vesselwatch.model.events import EVENTS, event_ids
from vesselwatch.model.mmsi import mmsi_issue

DE, DE2, GB, UNALLOCATED = 211_000_001, 211_000_099, 232_000_002, 200_000_003
H = HOUR_US


def identity(rows: list[dict], issues: pa.Table | None = None) -> list[dict]:
    table = reports(rows)
    spans = mmsi_issue_spans(table) if issues is None else issues
    events = detect_identity(table, spans, DetectConfig())
    assert events.schema == EVENTS
    return rows_of(events)


def names(mmsi: int, *values: str | None, start: int = 0) -> list[dict]:
    return [{"mmsi": mmsi, "ts": T0_US + (start + k) * H, "name": v}
            for k, v in enumerate(values)]


def brief(events: list[dict]) -> list[tuple]:
    """(kind, mmsi, start, end, confidence), in canonical order but by kind within a moment
    (the canonical order there is by event id)."""
    rows = [(e["details"]["kind"], e["mmsi"], e["start_ts"], e["end_ts"], e["confidence"])
            for e in events]
    return sorted(rows, key=lambda r: (r[1], r[2], r[0]))


# --- field changes --------------------------------------------------------------------------


def test_name_change_seen_twice_each_side_has_confidence_4() -> None:
    (ev,) = identity(names(DE, "ALPHA", "ALPHA", "BRAVO", "BRAVO"))
    assert brief([ev]) == [("name", DE, T0_US + 2 * H, T0_US + 2 * H, 4)]
    assert ev["details"] == {"kind": "name", "old": "ALPHA", "new": "BRAVO",
                             "old_last_seen_ts": "2024-03-01T01:00:00.000000Z"}
    assert ev["duration_s"] == 0.0 and ev["lat"] is None


def test_name_flapping_once_has_confidence_2() -> None:
    events = identity(names(DE, "ALPHA", "ALPHA", "BRAVO", "ALPHA", "ALPHA"))
    assert brief(events) == [("name", DE, T0_US + 2 * H, T0_US + 2 * H, 2),
                             ("name", DE, T0_US + 3 * H, T0_US + 3 * H, 2)]
    assert [(e["details"]["old"], e["details"]["new"]) for e in events] == [
        ("ALPHA", "BRAVO"), ("BRAVO", "ALPHA")]


def test_padding_case_and_empty_values_are_ignored() -> None:
    rows = names(DE, "ALPHA@@@@@@", " alpha ", None, "", "@@@@@@@@", "ALPHA   @@@", "Alpha")
    rows += [{"mmsi": DE, "ts": T0_US + 10 * H, "callsign": c, "imo": i, "ship_type": s}
             for c, i, s in [("ab12@@@", 9074729, 70), ("AB12", 0, 0), (" ab12", None, 70)]]
    assert identity(rows) == []


def test_callsign_imo_and_ship_type_changes() -> None:
    rows = [{"mmsi": DE, "ts": T0_US + k * H, "callsign": c, "imo": i, "ship_type": s}
            for k, (c, i, s) in enumerate([("AB12", 9074729, 70), ("AB12", 0, 80),
                                           ("CD34@", 9176187, 0)])]
    events = identity(rows)
    assert brief(events) == [
        ("ship_type", DE, T0_US + H, T0_US + H, 2),
        ("callsign", DE, T0_US + 2 * H, T0_US + 2 * H, 2),
        ("imo", DE, T0_US + 2 * H, T0_US + 2 * H, 2)]
    details = {e["details"]["kind"]: e["details"] for e in events}
    assert (details["imo"]["old"], details["imo"]["new"]) == (9074729, 9176187)
    assert (details["ship_type"]["old"], details["ship_type"]["new"]) == (70, 80)
    assert details["callsign"]["new"] == "CD34"
    assert details["callsign"]["old_last_seen_ts"] == "2024-03-01T01:00:00.000000Z"


def test_two_fields_changing_at_once_get_distinct_ids() -> None:
    rows = [{"mmsi": DE, "ts": T0_US + k * H, "name": n, "callsign": c}
            for k, (n, c) in enumerate([("ALPHA", "AB12"), ("BRAVO", "CD34")])]
    events = identity(rows)
    assert len({e["event_id"] for e in events}) == 2
    by_kind = {e["details"]["kind"]: e["event_id"] for e in events}
    assert by_kind["name"] == event_ids("identity_change", np.array([DE]),
                                        np.array([T0_US + H]), None, ["name"])[0]


# --- IMO across MMSIs -----------------------------------------------------------------------


def imo_reports(imo: int, *spans: tuple[int, int, int]) -> list[dict]:
    """Reports of ``imo`` by (mmsi, first hour, last hour)."""
    return [{"mmsi": m, "ts": T0_US + h * H, "imo": imo} for m, a, b in spans for h in (a, b)]


def test_imo_under_two_mmsis_with_different_mids() -> None:
    events = identity(imo_reports(9074729, (DE, 0, 5), (GB, 10, 20)))
    assert brief(events) == [
        ("imo_multiple_mmsi", DE, T0_US, T0_US + 5 * H, 3),
        ("flag_change", GB, T0_US + 10 * H, T0_US + 10 * H, 4),
        ("imo_multiple_mmsi", GB, T0_US + 10 * H, T0_US + 20 * H, 3),
    ]
    multiple = [e["details"] for e in events if e["details"]["kind"] == "imo_multiple_mmsi"]
    assert multiple == [{"kind": "imo_multiple_mmsi", "imo": 9074729, "mmsis": [DE, GB]}] * 2
    flag = next(e["details"] for e in events if e["details"]["kind"] == "flag_change")
    assert flag == {"kind": "flag_change", "imo": 9074729, "old_mmsi": DE, "old_mid": 211,
                    "new_mid": 232}


def test_flag_change_follows_the_order_of_first_reports() -> None:
    # DE first, then DE2 (same MID: no flag change), then GB (from DE2's MID 211)
    events = identity(imo_reports(9176187, (GB, 30, 31), (DE2, 10, 11), (DE, 0, 1)))
    flags = [e for e in events if e["details"]["kind"] == "flag_change"]
    assert [(e["mmsi"], e["details"]["old_mmsi"]) for e in flags] == [(GB, DE2)]
    assert sum(e["details"]["kind"] == "imo_multiple_mmsi" for e in events) == 3


def test_invalid_imo() -> None:
    events = identity(imo_reports(9074728, (DE, 2, 7)))
    assert brief(events) == [("invalid_imo", DE, T0_US + 2 * H, T0_US + 7 * H, 4)]
    assert events[0]["details"] == {"kind": "invalid_imo", "imo": 9074728}
    # an invalid IMO shared by two MMSIs is no imo_multiple_mmsi
    shared = identity(imo_reports(9074728, (DE, 2, 7), (DE2, 8, 9)))
    assert sorted(e["details"]["kind"] for e in shared) == ["invalid_imo", "invalid_imo"]


# --- MMSI issues ----------------------------------------------------------------------------


def test_unallocated_mid_spans_positions_and_reports() -> None:
    mmsi = np.array([UNALLOCATED, UNALLOCATED, DE, 123_456_789], dtype=np.uint32)
    positions = pa.table({
        "mmsi": pa.array(mmsi),
        "ts": pa.array([T0_US + H, T0_US + 9 * H, T0_US, T0_US + 3 * H],
                       pa.timestamp("us", tz="UTC")),
        "mmsi_issue": pa.array(mmsi_issue(mmsi, 1).tolist(), pa.string()).dictionary_encode(),
    })
    rows = [{"mmsi": UNALLOCATED, "ts": T0_US + 12 * H, "name": "GHOST",
             "mmsi_issue": "unallocated_mid"}]
    spans = pa.concat_tables([mmsi_issue_spans(positions), mmsi_issue_spans(reports(rows))])
    assert spans.num_rows == 3
    merged = mmsi_issue_spans(spans)
    assert merged.schema == MMSI_ISSUE_SPANS
    assert merged.to_pydict()["issue"] == ["placeholder", "unallocated_mid"]  # by mmsi
    events = identity(rows, spans)
    assert brief(events) == [("mmsi_issue", 123_456_789, T0_US + 3 * H, T0_US + 3 * H, 2),
                             ("mmsi_issue", UNALLOCATED, T0_US + H, T0_US + 12 * H, 4)]
    assert events[1]["details"] == {"kind": "mmsi_issue", "issue": "unallocated_mid"}


def test_empty_input_gives_an_empty_table() -> None:
    events = detect_identity(reports([]), mmsi_issue_spans(reports([])), DetectConfig())
    assert events.num_rows == 0 and events.schema == EVENTS


# --- invariants (hypothesis) ----------------------------------------------------------------

MMSIS = [DE, DE2, GB, UNALLOCATED]
PER_MMSI_KINDS = {"name", "imo", "callsign", "ship_type", "invalid_imo", "mmsi_issue"}


@st.composite
def report_rows(draw: st.DrawFn) -> list[dict]:
    n = draw(st.integers(0, 30))
    rows = []
    for _ in range(n):
        m = draw(st.sampled_from(MMSIS))
        rows.append({
            "mmsi": m,
            "ts": T0_US + draw(st.integers(0, 20)) * H,
            "name": draw(st.sampled_from([None, "", "ALPHA", "alpha@@", "BRAVO", "@@@"])),
            "callsign": draw(st.sampled_from([None, "AB12", "CD34 "])),
            "imo": draw(st.sampled_from([None, 0, 9074729, 9176187, 9074728])),
            "ship_type": draw(st.sampled_from([None, 0, 70, 80])),
            "mmsi_issue": "unallocated_mid" if m == UNALLOCATED else None,
        })
    return rows


@settings(max_examples=150, deadline=None)
@given(report_rows(), st.randoms(use_true_random=False))
def test_row_order_does_not_change_events(rows: list[dict], rnd) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    first = detect_identity(reports(rows), mmsi_issue_spans(reports(rows)), DetectConfig())
    second = detect_identity(reports(shuffled), mmsi_issue_spans(reports(shuffled)),
                             DetectConfig())
    assert first.equals(second)


@settings(max_examples=150, deadline=None)
@given(report_rows())
def test_per_mmsi_events_do_not_depend_on_other_vessels(rows: list[dict]) -> None:
    def per_mmsi(rs: list[dict]) -> list[dict]:
        return [e for e in identity(rs) if e["details"]["kind"] in PER_MMSI_KINDS]

    parts = [e for m in MMSIS for e in per_mmsi([r for r in rows if r["mmsi"] == m])]
    key = lambda e: e["event_id"]  # noqa: E731
    assert sorted(per_mmsi(rows), key=key) == sorted(parts, key=key)


@settings(max_examples=150, deadline=None)
@given(report_rows())
def test_events_lie_in_the_data_and_have_unique_ids(rows: list[dict]) -> None:
    events = identity(rows)
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids))
    for e in events:
        ts = [r["ts"] for r in rows if r["mmsi"] == e["mmsi"]]
        assert min(ts) <= e["start_ts"] <= e["end_ts"] <= max(ts)
        assert 1 <= e["confidence"] <= 4
    # cross-vessel kinds come in whole: every MMSI of a shared IMO has its event
    multiple = [e for e in events if e["details"]["kind"] == "imo_multiple_mmsi"]
    for e in multiple:
        assert e["mmsi"] in e["details"]["mmsis"] and len(e["details"]["mmsis"]) >= 2
        assert sum(f["details"]["imo"] == e["details"]["imo"] for f in multiple) == len(
            e["details"]["mmsis"])
