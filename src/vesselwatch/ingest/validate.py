"""Shared rules every reader applies: AIS "not available" values to nulls, range checks,
MMSI checks. Pure functions over Arrow tables; no I/O.

The rules are written down in ``docs/schema.md``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.model.mmsi import mmsi_issue
from vesselwatch.model.schema import RejectReason

# AIS "not available" values in canonical units (ITU-R M.1371-5).
LAT_NA = 91.0
LON_NA = 181.0
SOG_NA_KN = 102.3
COG_NA_DEG = 360.0
HEADING_NA_DEG = 511
MMSI_MAX = 999_999_999


def _null_where(arr: pa.Array | pa.ChunkedArray, mask: np.ndarray) -> pa.Array:
    a = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if not mask.any():
        return a
    return pc.if_else(pa.array(mask), pa.nulls(len(a), a.type), a)


def _np(arr: pa.Array | pa.ChunkedArray, fill: float) -> np.ndarray:
    a = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return np.asarray(pc.fill_null(pc.cast(a, pa.float64()), fill).to_numpy(zero_copy_only=False))


def _near(x: np.ndarray, value: float) -> np.ndarray:
    return np.abs(x - value) < 1e-3  # float32 columns hold 102.3 as 102.300003


def map_not_available(t: pa.Table) -> pa.Table:
    """Turn the AIS "not available" sentinels into nulls (columns that are present)."""
    rules: dict[str, float] = {
        "lat": LAT_NA,
        "lon": LON_NA,
        "sog_kn": SOG_NA_KN,
        "cog_deg": COG_NA_DEG,
        "heading_deg": HEADING_NA_DEG,
    }
    for name, sentinel in rules.items():
        if name not in t.column_names:
            continue
        col = t.column(name)
        x = _np(col, np.nan)
        mask = _near(x, sentinel)
        if mask.any():
            t = t.set_column(t.schema.get_field_index(name), name, _null_where(col, mask))
    return t


def position_problems(t: pa.Table) -> np.ndarray:
    """One reject reason per row of a positions table, or ``""`` where the row is fine.

    Call after :func:`map_not_available`: nulls are allowed, values out of range are not.
    """
    n = t.num_rows
    reason = np.full(n, "", dtype=object)

    def mark(mask: np.ndarray, why: RejectReason) -> None:
        reason[mask & (reason == "")] = why.value

    if "mmsi" in t.column_names:
        m = _np(t.column("mmsi"), -1.0)
        mark((m < 0) | (m > MMSI_MAX), RejectReason.BAD_MMSI)
    lat = _np(t.column("lat"), 0.0)
    lon = _np(t.column("lon"), 0.0)
    mark(~np.isfinite(lat) | ~np.isfinite(lon), RejectReason.BAD_POSITION)
    mark((np.abs(lat) > 90.0) | (np.abs(lon) > 180.0), RejectReason.BAD_POSITION)
    if "sog_kn" in t.column_names:
        sog = _np(t.column("sog_kn"), 0.0)
        mark(~np.isfinite(sog) | (sog < 0) | (sog > 102.2 + 1e-6), RejectReason.BAD_VALUE)
    if "cog_deg" in t.column_names:
        cog = _np(t.column("cog_deg"), 0.0)
        mark(~np.isfinite(cog) | (cog < 0) | (cog >= 360.0), RejectReason.BAD_VALUE)
    if "heading_deg" in t.column_names:
        hdg = _np(t.column("heading_deg"), 0.0)
        mark((hdg < 0) | (hdg > 359), RejectReason.BAD_VALUE)
    if "nav_status" in t.column_names:
        ns = _np(t.column("nav_status"), 0.0)
        mark((ns < 0) | (ns > 15), RejectReason.BAD_VALUE)
    return reason


def flag_mmsi(t: pa.Table) -> pa.Table:
    """Fill ``mmsi_issue`` from ``mmsi`` and ``msg_type`` (kept rows, flagged, never dropped)."""
    mmsi = np.asarray(pc.fill_null(t.column("mmsi"), 0).to_numpy(), dtype=np.int64)
    if "msg_type" in t.column_names:
        msg_type = np.asarray(pc.fill_null(t.column("msg_type"), 0).to_numpy(), dtype=np.int64)
    else:
        msg_type = np.zeros(len(mmsi), dtype=np.int64)
    issues = mmsi_issue(mmsi, msg_type)
    idx = t.schema.get_field_index("mmsi_issue")
    return t.set_column(idx, "mmsi_issue", pa.array(issues, pa.string()))
