"""Naive identity changes: docs/events.md, section ``identity_change``."""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd
from oracle_common import is_nan, make_event, ts_column_to_us


def normalise(field: str, value: Any) -> Any:
    """A report's value, or None when empty.

    "ignoring reports where the field is empty; names and call signs upper-cased, trimmed,
    @ padding removed; IMO 0 and ship type 0 are empty"
    """
    if is_nan(value):
        return None
    if field in ("name", "callsign"):
        s = str(value).upper().strip().rstrip("@").strip()
        return s or None
    n = int(value)
    return None if n == 0 else n


def imo_check_digit_ok(imo: int) -> bool:
    """"the seventh digit is the last digit of the sum of the first six weighted 7, 6, 5, 4,
    3, 2" (numbers other than seven digits are invalid, see AMBIGUITIES.md)."""
    s = str(int(imo))
    if len(s) != 7:
        return False
    total = sum(int(d) * w for d, w in zip(s[:6], (7, 6, 5, 4, 3, 2)))
    return total % 10 == int(s[6])


def mid_of(mmsi: int) -> int | None:
    """The MID (country prefix) of an MMSI, by the formats of ITU-R M.585, or None."""
    s = f"{int(mmsi):09d}"
    if len(s) != 9:
        return None
    if s[:3] in ("970", "972", "974"):
        return None
    if s[0] in "234567":
        mid = s[0:3]
    elif s.startswith("00"):
        mid = s[2:5]
    elif s.startswith("0"):
        mid = s[1:4]
    elif s.startswith("111"):
        mid = s[3:6]
    elif s.startswith("98") or s.startswith("99"):
        mid = s[2:5]
    elif s.startswith("8"):
        mid = s[1:4]
    else:
        return None
    return int(mid) if mid[0] in "234567" else None


def identity_changes_naive(reports: pd.DataFrame, positions: pd.DataFrame | None = None,
                           config: Any = None) -> list[dict]:
    rep = reports.copy()
    if len(rep):
        rep["ts"] = ts_column_to_us(rep["ts"])
    # "in time order" (ties: the order given)
    rep = rep.sort_values(["mmsi", "ts"], kind="stable")
    events: list[dict] = []
    for field in ("name", "imo", "callsign", "ship_type"):
        if field in rep.columns:
            events += _field_changes(rep, field)
    if "imo" in rep.columns:
        events += _imo_multiple_mmsi(rep)
        events += _flag_changes(rep)
        events += _invalid_imo(rep)
    events += _mmsi_issues(rep, positions)
    return events


def _field_changes(rep: pd.DataFrame, field: str) -> list[dict]:
    # "name, imo, callsign, ship_type: consecutive reports of one MMSI (in time order,
    # ignoring reports where the field is empty ...) whose value differs. An instant event
    # (start_ts = end_ts = the first report with the new value); details: old, new,
    # old_last_seen_ts. Confidence 4 when both values were reported at least twice, else 2."
    # ("reported at least twice": in the runs on either side of the change, see
    # AMBIGUITIES.md.)
    out = []
    for mmsi, g in rep.groupby("mmsi", sort=True):
        seq = [(ts, normalise(field, v)) for ts, v in zip(g["ts"], g[field])]
        seq = [(ts, v) for ts, v in seq if v is not None]
        for k in range(1, len(seq)):
            (old_ts, old), (ts, new) = seq[k - 1], seq[k]
            if old == new:
                continue
            old_run = 0
            j = k - 1
            while j >= 0 and seq[j][1] == old:
                old_run += 1
                j -= 1
            new_run = 0
            j = k
            while j < len(seq) and seq[j][1] == new:
                new_run += 1
                j += 1
            details = {"kind": field, "old": old, "new": new, "old_last_seen_ts": int(old_ts)}
            out.append(make_event("identity_change", int(mmsi), int(ts), int(ts), None, None,
                                  4 if old_run >= 2 and new_run >= 2 else 2, details, key=field))
    return out


def _imo_reports(rep: pd.DataFrame) -> dict[int, dict[int, list[int]]]:
    """imo -> mmsi -> report times, for every non-empty IMO."""
    out: dict[int, dict[int, list[int]]] = {}
    for mmsi, ts, imo in zip(rep["mmsi"], rep["ts"], rep["imo"]):
        v = normalise("imo", imo)
        if v is not None:
            out.setdefault(v, {}).setdefault(int(mmsi), []).append(int(ts))
    return out


def _imo_multiple_mmsi(rep: pd.DataFrame) -> list[dict]:
    # "imo_multiple_mmsi: one IMO (with a valid check digit) reported by several MMSIs: one
    # event per MMSI, from its first to its last report of that IMO; details: imo, mmsis.
    # Confidence 3."
    out = []
    for imo, by_mmsi in sorted(_imo_reports(rep).items()):
        if not imo_check_digit_ok(imo) or len(by_mmsi) < 2:
            continue
        for mmsi, times in sorted(by_mmsi.items()):
            details = {"kind": "imo_multiple_mmsi", "imo": imo, "mmsis": sorted(by_mmsi)}
            out.append(make_event("identity_change", mmsi, min(times), max(times), None, None,
                                  3, details, key="imo_multiple_mmsi"))
    return out


def _flag_changes(rep: pd.DataFrame) -> list[dict]:
    # "flag_change: in time order of first report, a MMSI reporting an IMO that the
    # previous MMSI of that IMO reported, with a different country prefix (MID): an instant
    # event at the new MMSI's first report; details: imo, old_mmsi, old_mid, new_mid.
    # Confidence 4."
    out = []
    for imo, by_mmsi in sorted(_imo_reports(rep).items()):
        order = sorted(by_mmsi, key=lambda m: (min(by_mmsi[m]), m))
        for old, new in itertools.pairwise(order):
            old_mid, new_mid = mid_of(old), mid_of(new)
            if old_mid is None or new_mid is None or old_mid == new_mid:
                continue
            ts = min(by_mmsi[new])
            details = {"kind": "flag_change", "imo": imo, "old_mmsi": old, "old_mid": old_mid,
                       "new_mid": new_mid}
            out.append(make_event("identity_change", new, ts, ts, None, None, 4, details,
                                  key="flag_change"))
    return out


def _invalid_imo(rep: pd.DataFrame) -> list[dict]:
    # "invalid_imo: an IMO whose check digit is wrong ...: one event per (MMSI, IMO), first
    # to last report. Confidence 4."
    out = []
    for imo, by_mmsi in sorted(_imo_reports(rep).items()):
        if imo_check_digit_ok(imo):
            continue
        for mmsi, times in sorted(by_mmsi.items()):
            details = {"kind": "invalid_imo", "imo": imo}
            out.append(make_event("identity_change", mmsi, min(times), max(times), None, None,
                                  4, details, key="invalid_imo"))
    return out


def _mmsi_issues(rep: pd.DataFrame, positions: pd.DataFrame | None) -> list[dict]:
    # "mmsi_issue: an MMSI flagged at ingest (unallocated_mid, wrong_kind, placeholder ...),
    # one event per MMSI and issue, first to last position or report; details.issue.
    # Confidence 4 for unallocated_mid, else 2."  (first to last row carrying that issue)
    seen: dict[tuple[int, str], list[int]] = {}
    for df in (rep, positions):
        if df is None or "mmsi_issue" not in df.columns or not len(df):
            continue
        for mmsi, ts, issue in zip(df["mmsi"], ts_column_to_us(df["ts"]), df["mmsi_issue"]):
            if is_nan(issue) or not issue:
                continue
            seen.setdefault((int(mmsi), str(issue)), []).append(int(ts))
    out = []
    for (mmsi, issue), times in sorted(seen.items()):
        details = {"kind": "mmsi_issue", "issue": issue}
        out.append(make_event("identity_change", mmsi, min(times), max(times), None, None,
                              4 if issue == "unallocated_mid" else 2, details,
                              key=f"mmsi_issue:{issue}"))
    return out
