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

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.model.mmsi import mmsi_country
from vesselwatch.model.sanctions import (
    ais_ship_category,
    normalise_callsign,
    normalise_imo,
    normalise_name,
)

__all__ = ["IDENTITY_FEATURES", "REPORT_COMBOS", "identity_features"]

_TS = pa.timestamp("us", tz="UTC")

REPORT_COMBOS = pa.schema([  # what the store gives: distinct identities of the reports
    ("mmsi", pa.uint32()), ("imo", pa.uint32()), ("name", pa.string()),
    ("callsign", pa.string()), ("ship_type", pa.uint8()), ("first_ts", _TS), ("last_ts", _TS),
    ("reports", pa.int64()),
])

IDENTITY_FEATURES = pa.schema([
    pa.field("mmsi", pa.uint32(), nullable=False),
    # imo, mmsi, name, callsign, flag, and type (the AIS ship type's category: a qualifier)
    pa.field("feature", pa.string(), nullable=False),
    pa.field("value", pa.string(), nullable=False),  # normalised
    pa.field("raw", pa.string(), nullable=False),  # as broadcast
    pa.field("first_ts", _TS),
    pa.field("last_ts", _TS),
])


def identity_features(reports: pa.Table, spans: pa.Table) -> pa.Table:
    """The long table of identities (see the module docstring).

    ``reports``: columns of :data:`REPORT_COMBOS` (extra columns ignored); ``spans``:
    ``mmsi``, ``first_ts``, ``last_ts`` of the positions (an MMSI seen only in reports
    counts too). Columnar: each distinct raw value is normalised once.
    """
    reports = pa.table({f.name: reports[f.name].cast(f.type) for f in REPORT_COMBOS
                        if f.name in reports.column_names})
    parts = []
    normalisers: tuple[tuple[str, str, Callable[[str], str | None]], ...] = (
        ("imo", "imo", normalise_imo), ("name", "name", normalise_name),
        ("callsign", "callsign", normalise_callsign),
        ("type", "ship_type", lambda code: ais_ship_category(int(code))))
    for feature, column, normalise in normalisers:
        if column not in reports.column_names:
            continue
        raw = reports[column]
        if feature in ("imo", "type"):
            raw = pc.if_else(pc.greater(pc.fill_null(raw, 0), 0), raw.cast(pa.string()), None)
        raw = pc.utf8_trim(raw.cast(pa.string()), " @")
        uniques = pc.unique(raw.combine_chunks()).drop_null()
        values = pa.array([normalise(v) for v in uniques.to_pylist()], pa.string())
        index = pc.index_in(raw, value_set=uniques)
        value = pc.take(values, index)
        keep = pc.and_(pc.is_valid(value), pc.greater(pc.utf8_length(pc.fill_null(value, "")), 0))
        parts.append(pa.table({
            "mmsi": reports["mmsi"].cast(pa.uint32()),
            "feature": pa.array([feature] * len(raw), pa.string()),
            "value": value, "raw": raw, "first_ts": reports["first_ts"].cast(_TS),
            "last_ts": reports["last_ts"].cast(_TS)}).filter(keep))
    seen = pa.concat_tables([
        spans.select(["mmsi", "first_ts", "last_ts"]).cast(pa.schema(
            [("mmsi", pa.uint32()), ("first_ts", _TS), ("last_ts", _TS)])),
        reports.select(["mmsi", "first_ts", "last_ts"]).cast(pa.schema(
            [("mmsi", pa.uint32()), ("first_ts", _TS), ("last_ts", _TS)]))])
    per_mmsi = seen.group_by("mmsi").aggregate([("first_ts", "min"), ("last_ts", "max")])
    mmsi = per_mmsi["mmsi"].to_numpy()
    first, last = per_mmsi["first_ts_min"], per_mmsi["last_ts_max"]
    text = pa.array([f"{m:09d}" for m in mmsi.tolist()], pa.string())
    parts.append(pa.table({"mmsi": per_mmsi["mmsi"],
                           "feature": pa.array(["mmsi"] * len(mmsi), pa.string()),
                           "value": text, "raw": pc.cast(per_mmsi["mmsi"], pa.string()),
                           "first_ts": first, "last_ts": last}))
    flags = pa.array(list(mmsi_country(mmsi)) if len(mmsi) else [], pa.string())
    has = pc.is_valid(flags)
    parts.append(pa.table({"mmsi": per_mmsi["mmsi"],
                           "feature": pa.array(["flag"] * len(mmsi), pa.string()),
                           "value": pc.utf8_lower(flags), "raw": flags,
                           "first_ts": first, "last_ts": last}).filter(has))
    table = pa.concat_tables([t.cast(IDENTITY_FEATURES.remove_metadata(), safe=False)
                              if t.num_rows else IDENTITY_FEATURES.empty_table()
                              for t in parts])
    grouped = table.group_by(["mmsi", "feature", "value"]).aggregate(
        [("raw", "min"), ("first_ts", "min"), ("last_ts", "max")])
    out = pa.table({"mmsi": grouped["mmsi"], "feature": grouped["feature"],
                    "value": grouped["value"], "raw": grouped["raw_min"],
                    "first_ts": grouped["first_ts_min"], "last_ts": grouped["last_ts_max"]})
    out = out.sort_by([("mmsi", "ascending"), ("feature", "ascending"), ("value", "ascending")])
    return out.cast(IDENTITY_FEATURES)
