"""Turn parsed rows of a table-shaped input (CSV, Parquet) into the canonical tables.

The one validation path of the tabular readers: AIS "not available" values to nulls, range
checks, quarantine with reason and detail, MMSI flags, the duplicate key, and vessel reports
(one per vessel and static tuple, at its first time and again whenever it changes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.errors import StrictModeError
from vesselwatch.ingest.batch import quarantine_table
from vesselwatch.ingest.columns import to_numpy_bool
from vesselwatch.ingest.csv_profile import STATIC_COLUMNS
from vesselwatch.ingest.hashing import fnv1a64_rows
from vesselwatch.ingest.validate import flag_mmsi, map_not_available, position_problems
from vesselwatch.model.schema import (
    POSITIONS,
    QUARANTINE,
    TS_MAX_US,
    TS_MIN_US,
    VESSEL_REPORTS,
    RejectReason,
    TsSource,
)

__all__ = ["Assembled", "Parsed", "assemble", "hash_text", "position_key"]

# Counted skip for rows whose latitude or longitude is the AIS "not available" value.

_MOTION = ("sog_kn", "cog_deg", "heading_deg", "rot_deg_min", "nav_status")
# The duplicate key of a position: FNV-1a over these canonical values packed little-endian
# in this order (nulls as 0), then one byte of null flags: bit 0 sog_kn, 1 cog_deg,
# 2 heading_deg, 3 rot_deg_min, 4 nav_status.
# Changing it changes every msg_hash: the store would no longer see re-ingests as duplicates.
_KEY_LAYOUT = np.dtype(
    [
        ("mmsi", "<u4"),
        ("ts", "<i8"),
        ("lat", "<f8"),
        ("lon", "<f8"),
        ("sog_kn", "<f4"),
        ("cog_deg", "<f4"),
        ("heading_deg", "<u2"),
        ("rot_deg_min", "<f4"),
        ("nav_status", "u1"),
        ("nulls", "u1"),
    ]
)
_HASH_BUDGET = 1 << 22  # bytes of the padded matrix handed to fnv1a64_rows at a time
# Static numbers: valid range; 0 means "not available" where the lower bound is 1.
_STATIC_RANGE: dict[str, tuple[float, float]] = {
    "imo": (1, 999_999_999),
    "ship_type": (1, 255),
    "to_bow_m": (0, 65_535),
    "to_stern_m": (0, 65_535),
    "to_port_m": (0, 65_535),
    "to_starboard_m": (0, 65_535),
    "length_m": (1e-9, 1e5),
    "width_m": (1e-9, 1e5),
    "draught_m": (1e-9, 1e3),
}


@dataclass
class Parsed:
    """Rows read from one slice of an input, before validation.

    ``columns`` holds canonical columns in wide types (mmsi int64, times timestamp[us, UTC],
    numbers float64, text string); ``reasons`` is ``""`` or a reject reason per row, with
    ``details``; ``raw(idx)`` gives the original text of rows ``idx`` for the quarantine.
    """

    columns: dict[str, pa.Array]
    lines: npt.NDArray[np.int64]
    reasons: npt.NDArray[np.object_]
    details: npt.NDArray[np.object_]
    raw: Callable[[npt.NDArray[np.int64]], list[str]]
    source_names: Mapping[str, str]


@dataclass
class Assembled:
    positions: pa.Table
    vessel_reports: pa.Table
    rejects: pa.Table
    skipped: Counter[str]


def hash_text(arr: pa.Array) -> npt.NDArray[np.uint64]:
    """FNV-1a 64 of each string's UTF-8 bytes (nulls hash as empty), in bounded memory.

    Rows go to :func:`fnv1a64_rows` longest first, in blocks padded to the block's longest
    row, so one long outlier costs one small wide block, not a wide matrix for every row.
    """
    s = pc.fill_null(arr, "")
    if isinstance(s, pa.ChunkedArray):
        s = s.combine_chunks()
    n = len(s)
    out = np.empty(n, dtype=np.uint64)
    if n == 0:
        return out
    lengths = np.asarray(pc.binary_length(s).to_numpy(zero_copy_only=False), dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")
    i = 0
    while i < n:
        width = max(int(lengths[order[i]]), 1)
        sel = order[i : i + max(1, _HASH_BUDGET // width)]
        out[sel] = fnv1a64_rows(_padded(s.take(pa.array(sel)), width), lengths[sel])
        i += len(sel)
    return out


def _padded(s: pa.Array, width: int) -> npt.NDArray[np.uint8]:
    """The bytes of ``s`` as a ``(len(s), width)`` matrix, each row zero-padded."""
    n = len(s)
    padded = pc.utf8_rpad(s, width=width, padding="\x00")
    data = padded.buffers()[2]
    if data is not None and data.size == n * width and padded.offset == 0:  # ASCII: no copy
        return np.frombuffer(data, dtype=np.uint8).reshape(n, width)
    # Some text is not ASCII: gather the bytes through the offsets instead.
    flat = pc.cast(s, pa.large_string())
    offsets = np.frombuffer(flat.buffers()[1], dtype=np.int64, count=n + 1, offset=flat.offset * 8)
    raw = flat.buffers()[2]
    buf = (
        np.frombuffer(raw, dtype=np.uint8)
        if raw is not None and raw.size
        else np.zeros(1, np.uint8)
    )
    cols = np.arange(width)
    idx = np.minimum(offsets[:-1, None] + cols, len(buf) - 1)
    return np.where(cols < np.diff(offsets)[:, None], buf[idx], 0).astype(np.uint8)


def _text(arr: pa.Array) -> pa.Array:
    return pc.cast(arr, pa.string())


def _canonical_text(t: pa.Table, names: tuple[str, ...]) -> pa.Array:
    """The values of ``names`` as one text per row, nulls empty (vessel report keys)."""
    parts = []
    for n in names:
        col = t.column(n) if n in t.column_names else pa.nulls(t.num_rows, pa.string())
        if pa.types.is_timestamp(col.type):
            col = pc.cast(col, pa.int64())
        parts.append(_text(col))
    return pc.binary_join_element_wise(*parts, "|", null_handling="replace", null_replacement="")


def _where_bad(t: pa.Table, col: str) -> npt.NDArray[np.bool_]:
    """Rows whose ``col`` alone fails :func:`position_problems`."""
    zeros = pa.array(np.zeros(t.num_rows))
    probe = pa.table({"lat": zeros, "lon": zeros, col: t.column(col)})
    return np.asarray(position_problems(probe) != "", dtype=bool)


def _check_times(p: Parsed) -> None:
    """Times before AIS existed or after 2099 are ``bad_time`` rejects."""
    ts = p.columns.get("ts")
    if ts is None:
        return
    us = pc.fill_null(pc.cast(ts, pa.int64()), TS_MIN_US).to_numpy(zero_copy_only=False)
    bad = ((us < TS_MIN_US) | (us >= TS_MAX_US)) & (p.reasons == "")
    if bad.any():
        p.reasons[bad] = RejectReason.BAD_TIME.value
        p.details[bad] = "time before 1980 or after 2099"


def _validate(p: Parsed, kin: pa.Table) -> None:
    """Apply the range checks to rows not yet rejected, wording a detail for each reject."""
    found = position_problems(kin)
    fresh = (found != "") & (p.reasons == "")
    if not fresh.any():
        return
    idx = np.flatnonzero(fresh)
    sub = kin.take(pa.array(idx))
    detail = np.full(len(idx), None, dtype=object)
    worded = np.zeros(len(idx), dtype=bool)
    lat, lon = sub.column("lat").to_pylist(), sub.column("lon").to_pylist()
    name = p.source_names
    for col in ("mmsi", *_MOTION):  # the first column out of range names the reject
        if col not in sub.column_names:
            continue
        bad = _where_bad(sub, col) & ~worded
        values = sub.column(col).to_pylist()
        for j in np.flatnonzero(bad):
            detail[j] = f"{name.get(col, col)}={values[j]!r}: out of range"
        worded |= bad
    lat_name, lon_name = name.get("lat", "lat"), name.get("lon", "lon")
    for j in np.flatnonzero(~worded):
        detail[j] = f"{lat_name}={lat[j]!r}, {lon_name}={lon[j]!r}: outside the earth"
    p.reasons[idx] = found[idx]
    p.details[idx] = detail


def _ais_class(a: pa.Array) -> pa.Array:
    cls = pc.utf8_upper(pc.utf8_trim_whitespace(pc.cast(a, pa.string())))
    return pc.if_else(
        pc.is_in(cls, value_set=pa.array(["A", "B"])), cls, pa.scalar(None, pa.string())
    )


def _conform(t: pa.Table, schema: pa.Schema) -> dict[str, pa.Array]:
    """The columns of ``schema`` from ``t``: cast (integers rounded), absent ones null."""
    cols: dict[str, pa.Array] = {}
    for f in schema:
        if f.name not in t.column_names:
            cols[f.name] = pa.nulls(t.num_rows, f.type)
            continue
        a = t.column(f.name)
        if f.name == "ais_class":
            a = _ais_class(a)
        elif pa.types.is_integer(f.type) and pa.types.is_floating(a.type):
            a = pc.round(a)
        cols[f.name] = pc.cast(a, f.type)
    return cols


def _statics(t: pa.Table) -> dict[str, pa.Array]:
    """Static columns present, with "not available" values and impossible numbers nulled."""
    out: dict[str, pa.Array] = {}
    for col in STATIC_COLUMNS:
        if col not in t.column_names:
            continue
        a = t.column(col)
        if col in _STATIC_RANGE:
            lo, hi = _STATIC_RANGE[col]
            x = pc.cast(a, pa.float64())
            ok = pc.and_(pc.greater_equal(x, lo), pc.less_equal(x, hi))
            a = pc.if_else(ok, x, pa.scalar(None, pa.float64()))
            if pa.types.is_integer(VESSEL_REPORTS.field(col).type):
                a = pc.round(a)
        out[col] = pc.cast(a, VESSEL_REPORTS.field(col).type)
    return out


def _vessel_reports(t: pa.Table) -> pa.Table:
    """One row per (mmsi, static tuple): its first time in the slice and each change."""
    statics = _statics(t)
    if not statics or t.num_rows == 0:
        return VESSEL_REPORTS.empty_table()
    stat = pa.table(statics)
    some = np.zeros(t.num_rows, dtype=bool)
    for col in stat.columns:
        some |= to_numpy_bool(pc.is_valid(col))
    key = hash_text(_canonical_text(stat, tuple(stat.column_names)))
    frame = pa.table(
        {
            "mmsi": t.column("mmsi"),
            "ts": t.column("ts"),
            "source_line": t.column("source_line"),
            "i": pa.array(np.arange(t.num_rows)),
        }
    ).filter(pa.array(some))
    order = frame.sort_by(
        [("mmsi", "ascending"), ("ts", "ascending"), ("source_line", "ascending")]
    )
    rows = np.asarray(order.column("i").to_numpy(), dtype=np.int64)
    mmsi = np.asarray(order.column("mmsi").to_numpy())
    k = key[rows]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (mmsi[1:] != mmsi[:-1]) | (k[1:] != k[:-1])
    pick = pa.array(rows[first])
    cols = _conform(t.take(pick), VESSEL_REPORTS)
    cols.update({c: a.take(pick) for c, a in statics.items()})
    text = _canonical_text(pa.table(cols), ("mmsi", "ts", *stat.column_names))
    cols["msg_hash"] = pa.array(hash_text(text), pa.uint64())
    return flag_mmsi(pa.table(cols, schema=VESSEL_REPORTS))


def position_key(cols: Mapping[str, pa.Array]) -> npt.NDArray[np.uint64]:
    """The duplicate key of positions in canonical types (see :data:`_KEY_LAYOUT`)."""
    n = len(cols["mmsi"])
    packed = np.zeros(n, dtype=_KEY_LAYOUT)
    nulls = np.zeros(n, dtype=np.uint8)
    assert _KEY_LAYOUT.names is not None
    for bit, name in enumerate(_KEY_LAYOUT.names[:-1]):
        a = cols[name]
        if pa.types.is_timestamp(a.type):
            a = pc.cast(a, pa.int64())
        filled = pc.fill_null(a, 0).to_numpy(zero_copy_only=False)
        packed[name] = filled
        if name in _MOTION:
            nulls |= (~to_numpy_bool(pc.is_valid(a))).astype(np.uint8) << (bit - 4)
    packed["nulls"] = nulls
    chars = packed.view(np.uint8).reshape(n, _KEY_LAYOUT.itemsize)
    return fnv1a64_rows(chars, np.full(n, _KEY_LAYOUT.itemsize, dtype=np.int64))


def _positions(t: pa.Table, given_hash: pa.Array | None) -> pa.Table:
    cols = _conform(t, POSITIONS)
    hashes = pa.array(position_key(cols), pa.uint64())
    if given_hash is not None:
        hashes = pc.coalesce(pc.cast(given_hash, pa.uint64()), hashes)
    cols["msg_hash"] = hashes
    return flag_mmsi(pa.table(cols, schema=POSITIONS))


def _rejects(p: Parsed, source_id: str, extra: pa.Table | None) -> pa.Table:
    idx = np.flatnonzero(p.reasons != "")
    rejects = quarantine_table(
        source_id, p.lines[idx], p.reasons[idx], p.raw(idx), list(p.details[idx])
    )
    if extra is not None and extra.num_rows:
        rejects = pa.concat_tables([rejects, extra.cast(QUARANTINE)])
    return rejects.sort_by("source_line") if rejects.num_rows else rejects


def assemble(
    p: Parsed,
    *,
    source_id: str,
    path: str | Path,
    ts_source: str | pa.Array,
    strict: bool = False,
    extra_rejects: pa.Table | None = None,
    given_hash: pa.Array | None = None,
) -> Assembled:
    """Validate ``p`` and split it into positions, vessel reports, rejects and skips.

    ``extra_rejects`` (rows the reader rejected before parsing, e.g. ragged CSV rows) join
    the quarantine; under ``strict`` the first reject in line order raises
    :class:`StrictModeError`. ``given_hash`` is a ``msg_hash`` column the input already has.
    """
    n = len(p.lines)
    kin = map_not_available(
        pa.table(
            {
                c: p.columns[c] if c == "mmsi" else pc.cast(p.columns[c], pa.float64())
                for c in ("mmsi", "lat", "lon", *_MOTION)
                if c in p.columns
            }
        )
    )
    _validate(p, kin)
    _check_times(p)
    rejects = _rejects(p, source_id, extra_rejects)
    if strict and rejects.num_rows:
        first = rejects.slice(0, 1).to_pylist()[0]
        raise StrictModeError(
            path, first["source_line"], first["reason"], first["raw"] or "", first["detail"] or ""
        )
    keep = p.reasons == ""
    # a report whose position is "not available" stays a position row with null lat/lon,
    # as in NMEA: it still shows the transponder on, with speed, course and status
    skipped: Counter[str] = Counter()
    if isinstance(ts_source, str):
        ts_col = pa.array(np.full(n, ts_source, dtype=object), pa.string())
    else:
        ts_col = pc.fill_null(pc.cast(ts_source, pa.string()), TsSource.PARQUET.value)
    base = pa.table(
        {
            **p.columns,
            **dict(zip(kin.column_names, kin.columns)),
            "ts_source": ts_col,
            "source_id": pa.array(np.full(n, source_id, dtype=object), pa.string()),
            "source_line": pa.array(p.lines, pa.int64()),
        }
    )
    on_map = pa.array(keep)
    positions = _positions(
        base.filter(on_map), given_hash.filter(on_map) if given_hash is not None else None
    )
    reports = _vessel_reports(base.filter(pa.array(keep)))
    return Assembled(positions, reports, rejects, skipped)
