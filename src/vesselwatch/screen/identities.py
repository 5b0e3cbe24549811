"""Every identity a vessel used, as one long table of features to screen.

Input: what the store saw, already aggregated (no I/O here): one row per distinct
(mmsi, imo, name, callsign) of the vessel reports with when it was first and last seen,
and one row per MMSI of the positions with its time span. Output
(:data:`IDENTITY_FEATURES`): one row per (mmsi, feature, value): every IMO, name and call
sign the MMSI broadcast, the MMSI itself and its flag (the country of its MID), each
normalised as the sanctions features are (``vesselwatch.model.sanctions``), with when it
was first and last seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pyarrow as pa

from vesselwatch.model.mmsi import mmsi_country
from vesselwatch.model.sanctions import normalise_callsign, normalise_imo, normalise_name

__all__ = ["IDENTITY_FEATURES", "REPORT_COMBOS", "identity_features"]

_TS = pa.timestamp("us", tz="UTC")

REPORT_COMBOS = pa.schema([  # what the store gives: distinct identities of the reports
    ("mmsi", pa.uint32()), ("imo", pa.uint32()), ("name", pa.string()),
    ("callsign", pa.string()), ("first_ts", _TS), ("last_ts", _TS), ("reports", pa.int64()),
])

IDENTITY_FEATURES = pa.schema([
    pa.field("mmsi", pa.uint32(), nullable=False),
    pa.field("feature", pa.string(), nullable=False),  # imo, mmsi, name, callsign, flag
    pa.field("value", pa.string(), nullable=False),  # normalised
    pa.field("raw", pa.string(), nullable=False),  # as broadcast
    pa.field("first_ts", _TS),
    pa.field("last_ts", _TS),
])


def identity_features(reports: pa.Table, spans: pa.Table) -> pa.Table:
    """The long table of identities (see the module docstring).

    ``reports``: columns of :data:`REPORT_COMBOS` (extra columns ignored); ``spans``:
    ``mmsi``, ``first_ts``, ``last_ts`` of the positions (and of the reports: an MMSI seen
    only in reports counts too).
    """
    rows: dict[tuple[int, str, str], dict[str, Any]] = {}

    def add(mmsi: int, feature: str, value: str | None, raw: str, first: datetime | None,
            last: datetime | None) -> None:
        if not value:
            return
        key = (mmsi, feature, value)
        row = rows.get(key)
        if row is None:
            rows[key] = {"mmsi": mmsi, "feature": feature, "value": value, "raw": raw,
                         "first_ts": first, "last_ts": last}
            return
        row["first_ts"] = _earliest(row["first_ts"], first)
        row["last_ts"] = _latest(row["last_ts"], last)

    seen: dict[int, tuple[datetime | None, datetime | None]] = {}
    for r in _rows(spans, ["mmsi", "first_ts", "last_ts"]):
        seen[r["mmsi"]] = (r["first_ts"], r["last_ts"])
    for r in _rows(reports, ["mmsi", "imo", "name", "callsign", "first_ts", "last_ts"]):
        m = r["mmsi"]
        first, last = seen.get(m, (None, None))
        seen[m] = (_earliest(first, r["first_ts"]), _latest(last, r["last_ts"]))
        if r["imo"]:
            add(m, "imo", normalise_imo(r["imo"]), str(r["imo"]), r["first_ts"], r["last_ts"])
        if r["name"]:
            add(m, "name", normalise_name(r["name"]), r["name"].strip(" @"), r["first_ts"],
                r["last_ts"])
        if r["callsign"]:
            add(m, "callsign", normalise_callsign(r["callsign"]), r["callsign"].strip(" @"),
                r["first_ts"], r["last_ts"])
    mmsis = sorted(seen)
    flags: list[Any] = list(mmsi_country(mmsis)) if mmsis else []
    for m, flag in zip(mmsis, flags):
        first, last = seen[m]
        add(m, "mmsi", f"{m:09d}", str(m), first, last)
        if flag:
            add(m, "flag", str(flag).lower(), str(flag), first, last)
    ordered = sorted(rows.values(), key=lambda r: (r["mmsi"], r["feature"], r["value"]))
    return pa.Table.from_pylist(ordered, schema=IDENTITY_FEATURES)


def _rows(table: pa.Table, names: Iterable[str]) -> list[dict[str, Any]]:
    cols = [n for n in names if n in table.column_names]
    rows: list[dict[str, Any]] = table.select(cols).to_pylist()
    return rows


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)
