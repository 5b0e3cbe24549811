"""Shared rules every reader applies: AIS "not available" values to nulls, range checks,
MMSI checks. Pure functions over Arrow tables; no I/O.

The rules are written down in ``docs/schema.md``.
"""

from __future__ import annotations

from collections.abc import Mapping

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


SENTINELS: dict[str, float] = {
    "lat": LAT_NA,
    "lon": LON_NA,
    "sog_kn": SOG_NA_KN,
    "cog_deg": COG_NA_DEG,
    "heading_deg": HEADING_NA_DEG,
}


def not_available(name: str, x: np.ndarray) -> np.ndarray:
    """Where ``x`` (canonical units) holds the AIS "not available" value of column ``name``."""
    sentinel = SENTINELS.get(name)
    if sentinel is None:
        return np.zeros(len(x), dtype=bool)
    return np.abs(x - sentinel) < 1e-3  # float32 columns hold 102.3 as 102.300003


PROBLEMS = ("", RejectReason.BAD_MMSI.value, RejectReason.BAD_POSITION.value,
            RejectReason.BAD_VALUE.value)


def problem_codes(cols: Mapping[str, np.ndarray]) -> np.ndarray:
    """One code per row: an index into :data:`PROBLEMS` (0 where the row is fine).

    ``cols`` are float64 position columns in canonical units, NaN for null (allowed); call
    after the "not available" values became NaN. Absent columns are not checked.
    """
    n = len(next(iter(cols.values())))
    code = np.zeros(n, dtype=np.int8)

    def bad(name: str, lo: float, hi: float) -> np.ndarray:
        x = cols[name]
        with np.errstate(invalid="ignore"):
            return np.asarray(~np.isnan(x) & ~((x >= lo) & (x <= hi)), dtype=bool)

    def mark(mask: np.ndarray, value: int) -> None:
        code[mask & (code == 0)] = value

    if "mmsi" in cols:
        m = cols["mmsi"]
        mark(np.isnan(m) | (m < 0) | (m > MMSI_MAX), 1)
    mark(bad("lat", -90.0, 90.0) | bad("lon", -180.0, 180.0), 2)
    limits = {"sog_kn": (0.0, 102.2 + 1e-6), "cog_deg": (0.0, 360.0 - 1e-9),
              "heading_deg": (0.0, 359.0), "nav_status": (0.0, 15.0)}
    for name, (lo, hi) in limits.items():
        if name in cols:
            mark(bad(name, lo, hi), 3)
    return code


def problems(cols: Mapping[str, np.ndarray]) -> np.ndarray:
    """:func:`problem_codes` as reason strings (``""`` where the row is fine)."""
    reasons: np.ndarray = np.asarray(PROBLEMS, dtype=object)[problem_codes(cols)]
    return reasons


def _np_null(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Bool: the value is null."""
    return np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def map_not_available(t: pa.Table) -> pa.Table:
    """Turn the AIS "not available" sentinels, and NaN, into nulls (columns present).

    A NaN (a float column of a Parquet or CSV file) is no value, like the sentinels.
    """
    for name in SENTINELS:
        if name not in t.column_names:
            continue
        col = t.column(name)
        values = _np(col, np.nan)
        mask = not_available(name, values) | (np.isnan(values) & ~_np_null(col))
        if mask.any():
            t = t.set_column(t.schema.get_field_index(name), name, _null_where(col, mask))
    return t


def position_problems(t: pa.Table) -> np.ndarray:
    """One reject reason per row of a positions table, or ``""`` where the row is fine.

    Call after :func:`map_not_available`: nulls are allowed, values out of range are not.
    """
    names = ("mmsi", "lat", "lon", "sog_kn", "cog_deg", "heading_deg", "nav_status")
    return problems({n: _np(t.column(n), np.nan) for n in names if n in t.column_names})


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
