"""Identity changes: names, IMO numbers, call signs, ship types, flags and suspect MMSIs.

The definitions are in ``docs/events.md`` ("``identity_change``"). Input is the vessel
reports (types 5, 19, 24 and CSV static columns) and the MMSI issue spans that
:func:`mmsi_issue_spans` makes from positions and reports; output is an ``EVENTS`` table,
``details.kind`` saying which change. Columnar: pyarrow sorts and groupings, numpy runs;
Python only writes the ``details`` of the events found.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.spoofing import distinct_keys
from vesselwatch.model.events import (
    EventType,
    details_json,
    event_ids,
    events_table,
    params_json,
    sort_events,
)
from vesselwatch.model.imo import imo_valid
from vesselwatch.model.mmsi import MmsiIssue, mmsi_mid
from vesselwatch.model.schema import TS

__all__ = ["FIELDS", "MMSI_ISSUE_SPANS", "detect_identity", "mmsi_issue_spans"]

FIELDS: Final = ("name", "imo", "callsign", "ship_type")
"""Report fields whose change is an event, in the order their events are listed."""
TEXT_FIELDS: Final = frozenset({"name", "callsign"})
PADDING: Final = " @\t\r\n"  # AIS pads six-bit text with '@'; CSV exports with blanks
STRONG_ISSUES: Final = frozenset({MmsiIssue.UNALLOCATED_MID.value})

MMSI_ISSUE_SPANS = pa.schema([
    pa.field("mmsi", pa.uint32(), nullable=False),
    pa.field("issue", pa.string(), nullable=False),
    pa.field("first_ts", TS, nullable=False),
    pa.field("last_ts", TS, nullable=False),
])

I64 = npt.NDArray[np.int64]


# --- MMSI issues ----------------------------------------------------------------------------


def _ts_us(column: pa.ChunkedArray | pa.Array) -> I64:
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_timestamp(arr.type) and arr.type.unit != "us":
        arr = arr.cast(pa.timestamp("us", tz=arr.type.tz))
    return np.asarray(arr.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _plain_strings(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    return arr.cast(pa.string())


def mmsi_issue_spans(table: pa.Table) -> pa.Table:
    """(mmsi, issue, first_ts, last_ts) per flagged MMSI and issue, sorted by (mmsi, issue).

    ``table`` is positions or vessel reports (columns ``mmsi``, ``ts``, ``mmsi_issue``), or
    spans already made by this function (columns ``mmsi``, ``issue``, ``first_ts``,
    ``last_ts``), e.g. the spans of positions and of reports concatenated: spans of one
    (mmsi, issue) merge into one, from the first time to the last.
    """
    names = set(table.column_names)
    if {"issue", "first_ts", "last_ts"} <= names:
        issue = _plain_strings(table.column("issue"))
        first = _ts_us(table.column("first_ts"))
        last = _ts_us(table.column("last_ts"))
    elif "mmsi_issue" in names:
        issue = _plain_strings(table.column("mmsi_issue"))
        first = last = _ts_us(table.column("ts"))
    else:
        raise ValueError("mmsi_issue_spans: the table has neither an mmsi_issue column nor "
                         "issue/first_ts/last_ts; pass positions, vessel reports or spans")
    flagged = pc.fill_null(pc.not_equal(issue, ""), False)
    mask = np.asarray(flagged.to_numpy(zero_copy_only=False), dtype=bool)
    rows = pa.table({
        "mmsi": pa.array(np.asarray(table.column("mmsi").to_numpy(), dtype=np.uint32)[mask]),
        "issue": issue.filter(pa.array(mask)),
        "first_ts": pa.array(first[mask], pa.int64()),
        "last_ts": pa.array(last[mask], pa.int64()),
    })
    spans = rows.group_by(["mmsi", "issue"], use_threads=False).aggregate(
        [("first_ts", "min"), ("last_ts", "max")])
    out = pa.table({
        "mmsi": spans["mmsi"].cast(pa.uint32()),
        "issue": spans["issue"],
        "first_ts": spans["first_ts_min"].cast(TS),
        "last_ts": spans["last_ts_max"].cast(TS),
    }, schema=MMSI_ISSUE_SPANS)
    return out.sort_by([("mmsi", "ascending"), ("issue", "ascending")])


# --- events as columns ----------------------------------------------------------------------


class _Events:
    """Identity events collected kind by kind, then written as one table."""

    def __init__(self) -> None:
        self.mmsi: list[I64] = []
        self.start: list[I64] = []
        self.end: list[I64] = []
        self.confidence: list[I64] = []
        self.keys: list[str] = []
        self.details: list[dict[str, Any]] = []

    def add(self, key: str | list[str], mmsi: npt.ArrayLike, start: npt.ArrayLike,
            end: npt.ArrayLike, confidence: npt.ArrayLike, details: list[dict[str, Any]]
            ) -> None:
        m = np.asarray(mmsi, dtype=np.int64)
        self.mmsi.append(m)
        self.start.append(np.asarray(start, dtype=np.int64))
        self.end.append(np.asarray(end, dtype=np.int64))
        self.confidence.append(np.broadcast_to(np.asarray(confidence, dtype=np.int64), m.shape))
        self.keys.extend([key] * len(m) if isinstance(key, str) else key)
        self.details.extend(details)

    def table(self, params: str) -> pa.Table:
        mmsi = np.concatenate(self.mmsi).astype(np.uint32)
        start = np.concatenate(self.start)
        end = np.concatenate(self.end)
        keys = distinct_keys(mmsi, start, self.keys)
        n = len(mmsi)
        table = events_table({
            "event_id": event_ids(EventType.IDENTITY_CHANGE, mmsi, start, None, keys),
            "event_type": [str(EventType.IDENTITY_CHANGE)] * n,
            "mmsi": mmsi,
            "start_ts": start,
            "end_ts": end,
            "duration_s": (end - start) / 1e6,
            "confidence": np.concatenate(self.confidence).astype(np.uint8),
            "params": [params] * n,
            "details": details_json(self.details),
        })
        return sort_events(table)


def _iso(ts_us: I64) -> list[str]:
    """Times as ISO 8601 UTC text with microseconds, e.g. ``2024-03-01T12:00:00.000000Z``."""
    text = np.datetime_as_string(ts_us.astype("datetime64[us]"), unit="us")
    return [f"{t}Z" for t in text.tolist()]


# --- field changes --------------------------------------------------------------------------


def _field_values(reports: pa.Table, field: str) -> pa.Array:
    """The field, normalised, with empty values as null (text cleaned, 0 meaning empty)."""
    n = reports.num_rows
    if field not in reports.column_names:
        return pa.nulls(n, pa.string() if field in TEXT_FIELDS else pa.int64())
    col = reports.column(field)
    if field in TEXT_FIELDS:
        text = pc.utf8_trim(pc.utf8_upper(_plain_strings(col)), characters=PADDING)
        return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    number = col.combine_chunks().cast(pa.int64())
    return pc.if_else(pc.equal(number, 0), pa.scalar(None, pa.int64()), number)


def _order_codes(values: pa.Array) -> I64:
    """Integers that sort, and compare equal, as the values do (strings by code point);
    nulls get some code (callers drop them)."""
    if not pa.types.is_string(values.type):
        return np.asarray(pc.fill_null(values, 0).to_numpy(zero_copy_only=False),
                          dtype=np.int64)
    encoded = pc.fill_null(values, "").dictionary_encode()
    rank = np.empty(len(encoded.dictionary), dtype=np.int64)
    rank[np.asarray(pc.array_sort_indices(encoded.dictionary).to_numpy(), dtype=np.int64)] = \
        np.arange(len(encoded.dictionary))
    codes: I64 = rank[np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
    return codes


def _field_changes(events: _Events, mmsi: I64, ts: I64, by_time: I64, values: pa.Array,
                   field: str) -> None:
    """Consecutive non-empty reports of one MMSI whose value differs (ties in time: by value).

    ``by_time`` orders the reports by (mmsi, ts).
    """
    valid = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)
    rows = by_time[valid[by_time]]
    m, t, code = mmsi[rows], ts[rows], _order_codes(values)[rows]
    n = len(rows)
    # order reports of one (mmsi, ts) by value: one stable sort of nearly sorted keys
    moment = np.ones(n, dtype=bool)
    moment[1:] = (m[1:] != m[:-1]) | (t[1:] != t[:-1])
    if n and not moment.all():
        tie_key = (np.cumsum(moment) - 1) * (int(code.max()) + 1) + code
        order = np.argsort(tie_key, kind="stable")
        rows, m, t, code = rows[order], m[order], t[order], code[order]
    new_vessel = np.ones(n, dtype=bool)
    new_vessel[1:] = m[1:] != m[:-1]
    new_run = new_vessel.copy()
    new_run[1:] |= code[1:] != code[:-1]
    run = np.cumsum(new_run) - 1
    run_len = np.bincount(run) if n else np.zeros(0, dtype=np.int64)
    change = np.flatnonzero(new_run & ~new_vessel)
    strong = (run_len[run[change - 1]] >= 2) & (run_len[run[change]] >= 2)
    old = values.take(pa.array(rows[change - 1])).to_pylist()
    new = values.take(pa.array(rows[change])).to_pylist()
    details = [{"kind": field, "old": o, "new": v, "old_last_seen_ts": s}
               for o, v, s in zip(old, new, _iso(t[change - 1]))]
    events.add(field, m[change], t[change], t[change], np.where(strong, 4, 2), details)


# --- IMO numbers across MMSIs ---------------------------------------------------------------


def _imo_spans(mmsi: I64, ts: I64, imo: I64) -> tuple[I64, I64, I64, I64]:
    """(imo, mmsi, first_ts, last_ts) per (imo, mmsi), sorted by (imo, mmsi)."""
    spans = pa.table({"imo": imo, "mmsi": mmsi, "ts": ts}).group_by(
        ["imo", "mmsi"], use_threads=False).aggregate([("ts", "min"), ("ts", "max")])
    i = np.asarray(spans["imo"].to_numpy(), dtype=np.int64)
    m = np.asarray(spans["mmsi"].to_numpy(), dtype=np.int64)
    first = np.asarray(spans["ts_min"].to_numpy(), dtype=np.int64)
    last = np.asarray(spans["ts_max"].to_numpy(), dtype=np.int64)
    order = np.lexsort((m, i))
    return i[order], m[order], first[order], last[order]


def _imo_events(events: _Events, mmsi: I64, ts: I64, imo_values: pa.Array) -> None:
    has = np.asarray(pc.is_valid(imo_values).to_numpy(zero_copy_only=False), dtype=bool)
    imo = np.asarray(pc.fill_null(imo_values, 0).to_numpy(), dtype=np.int64)
    valid = has & imo_valid(imo)

    # imo_multiple_mmsi: a valid IMO reported by two or more MMSIs
    i, m, first, last = _imo_spans(mmsi[valid], ts[valid], imo[valid])
    begin = np.flatnonzero(np.r_[True, i[1:] != i[:-1]]) if len(i) else np.zeros(0, np.int64)
    group = np.cumsum(np.r_[True, i[1:] != i[:-1]]) - 1 if len(i) else begin
    size = np.bincount(group)[group] if len(i) else begin
    shared = np.flatnonzero(size >= 2)
    lists: dict[int, list[int]] = {}
    details = []
    for e in shared.tolist():
        g = int(group[e])
        if g not in lists:
            lists[g] = m[begin[g]:begin[g] + size[e]].tolist()
        details.append({"kind": "imo_multiple_mmsi", "imo": int(i[e]), "mmsis": lists[g]})
    events.add("imo_multiple_mmsi", m[shared], first[shared], last[shared], 3, details)

    # flag_change: in order of first report, the next MMSI of an IMO under another MID
    i, m, first, last = _imo_spans(mmsi[has], ts[has], imo[has])
    order = np.lexsort((m, first, i))
    i, m, first = i[order], m[order], first[order]
    mid = mmsi_mid(m)
    step = np.flatnonzero((i[1:] == i[:-1]) & (mid[1:] != mid[:-1])) + 1
    details = [{"kind": "flag_change", "imo": int(v), "old_mmsi": int(om),
                "old_mid": None if omid < 0 else int(omid),
                "new_mid": None if nmid < 0 else int(nmid)}
               for v, om, omid, nmid in zip(i[step].tolist(), m[step - 1].tolist(),
                                            mid[step - 1].tolist(), mid[step].tolist())]
    events.add("flag_change", m[step], first[step], first[step], 4, details)

    # invalid_imo: per (MMSI, IMO) with a wrong check digit (or not seven digits)
    bad = has & ~valid
    i, m, first, last = _imo_spans(mmsi[bad], ts[bad], imo[bad])
    order = np.lexsort((i, m))
    i, m, first, last = i[order], m[order], first[order], last[order]
    details = [{"kind": "invalid_imo", "imo": int(v)} for v in i.tolist()]
    events.add("invalid_imo", m, first, last, 4, details)


# --- the detector ---------------------------------------------------------------------------


def detect_identity(vessel_reports: pa.Table, mmsi_issues: pa.Table,
                    config: DetectConfig) -> pa.Table:
    """Identity-change events (``docs/events.md``, "``identity_change``"), canonical order.

    ``mmsi_issues`` is what :func:`mmsi_issue_spans` gives for positions and reports
    (several such tables concatenated are fine: their spans merge). Every event is closed.
    """
    events = _Events()
    mmsi = np.asarray(vessel_reports.column("mmsi").to_numpy(), dtype=np.int64)
    ts = _ts_us(vessel_reports.column("ts"))
    values = {f: _field_values(vessel_reports, f) for f in FIELDS}
    by_time = np.lexsort((ts, mmsi))
    for field in FIELDS:
        _field_changes(events, mmsi, ts, by_time, values[field], field)
    _imo_events(events, mmsi, ts, values["imo"])

    spans = mmsi_issue_spans(mmsi_issues)
    issue = spans["issue"].to_pylist()
    first = _ts_us(spans["first_ts"])
    events.add([f"mmsi_issue:{v}" for v in issue], spans["mmsi"].to_numpy(), first,
               _ts_us(spans["last_ts"]), [4 if v in STRONG_ISSUES else 2 for v in issue],
               [{"kind": "mmsi_issue", "issue": v} for v in issue])
    # identity_change has no parameters (docs/events.md): params is the empty object
    return events.table(params_json({}))
