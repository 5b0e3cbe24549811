"""Write what the simulated receivers received as NOAA CSV or Parquet position rows, each
carrying the vessel's latest static report at or before it (as NOAA's exports do), with
known damage. The shared rules (order, damage, duplicates, the report) are those of
:mod:`vesselwatch.simulate.output`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vesselwatch.model.schema import RejectReason
from vesselwatch.simulate import encode as enc
from vesselwatch.simulate.received import RECEIVED_POSITIONS, RECEIVED_STATICS, conform
from vesselwatch.simulate.writing import (
    IMPOSSIBLE_LAT,
    OutputReport,
    arrange,
    cannot_write,
    check_shares,
    choose,
    corrupt_table,
    duplicates,
    repeats,
    substitute,
    write_bytes,
)

__all__ = ["CSV_KINDS", "NOAA_HEADER", "PARQUET_KINDS", "write_noaa_csv", "write_parquet"]

I64 = npt.NDArray[np.int64]
R = RejectReason

CSV_KINDS: dict[str, RejectReason] = {
    "time_text": R.BAD_TIME, "impossible_position": R.BAD_POSITION, "mmsi_text": R.BAD_MMSI,
    "speed_out_of_range": R.BAD_VALUE, "cut_row": R.BAD_FORMAT,
}
PARQUET_KINDS: dict[str, RejectReason] = {
    "clock_reset": R.BAD_TIME, "impossible_position": R.BAD_POSITION,
    "mmsi_10_digits": R.BAD_MMSI, "speed_out_of_range": R.BAD_VALUE,
}
NOAA_HEADER = ("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,"
               "Status,Length,Width,Draft,Cargo,TransceiverClass")
BAD_SOG_KN = 150.0


# -- CSV and Parquet: position rows carrying the latest static report ----------------------


@dataclass(frozen=True)
class _Rows:
    """Received positions in output order, each with the latest static report of its vessel
    at or before it (``statics``: nulls before the first), quantised as a receiver decodes
    them."""

    pos: pa.Table
    ts_s: I64
    q: enc.PositionInts
    statics: pa.Table  # aligned with pos: one row per position, null where none
    dims: enc.StaticInts
    class_b: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.pos.num_rows)


def _rows(positions: pa.Table, statics: pa.Table) -> _Rows:
    pos = conform(positions, RECEIVED_POSITIONS, "positions")
    sta = conform(statics, RECEIVED_STATICS, "statics")
    p_ts = enc.epoch_seconds(pos.column("ts"))
    pos = pos.take(pa.array(np.lexsort((np.arange(pos.num_rows), p_ts))))
    p_ts = enc.epoch_seconds(pos.column("ts"))
    p_mmsi = np.asarray(pos.column("mmsi").to_numpy(), dtype=np.int64)
    s_ts = enc.epoch_seconds(sta.column("ts"))
    s_mmsi = np.asarray(sta.column("mmsi").to_numpy(), dtype=np.int64)
    s_order = np.lexsort((np.arange(len(s_ts)), s_ts, s_mmsi))
    s_key = (s_mmsi << 33 | s_ts)[s_order]  # ts >= 1980 and < 2100: 33 bits
    at = np.searchsorted(s_key, p_mmsi << 33 | p_ts, side="right") - 1
    ok = at >= 0
    ok[ok] = s_mmsi[s_order[at[ok]]] == p_mmsi[ok]
    if len(s_order):
        row = np.where(ok, s_order[np.maximum(at, 0)], -1)
        aligned = sta.take(pa.array(row, pa.int64(), mask=row < 0))
    else:
        aligned = pa.table({f.name: pa.nulls(pos.num_rows, f.type) for f in RECEIVED_STATICS})
    # type 24 sends no IMO, draught or destination
    is_24 = pc.fill_null(pc.equal(aligned.column("msg_type"), 24), False)
    for col, none in (("imo", 0), ("draught_m", 0.0), ("destination", "")):
        i = aligned.schema.get_field_index(col)
        blank = pa.scalar(none, aligned.schema.field(col).type)
        aligned = aligned.set_column(i, col, pc.if_else(is_24, blank, aligned.column(col)))

    def num(t: pa.Table, c: str, fill: float) -> npt.NDArray[np.float64]:
        return np.asarray(pc.fill_null(t.column(c).cast(pa.float64()), fill).to_numpy())

    q = enc.quantise_positions(*(num(pos, c, np.nan) for c in
                                 ("lat", "lon", "sog_kn", "cog_deg", "heading_deg")))
    bow, stern, port, starboard = (num(aligned, c, 0.0).astype(np.int64) for c in
                                   ("to_bow", "to_stern", "to_port", "to_starboard"))
    dims = enc.quantise_statics(bow, stern, port, starboard, num(aligned, "draught_m", np.nan))
    class_b = np.asarray(pos.column("msg_type").to_numpy()) == 18
    return _Rows(pos, p_ts, q, aligned, dims, class_b)


def _np_int(col: pa.ChunkedArray | pa.Array, fill: int) -> I64:
    return np.asarray(pc.fill_null(col, fill).to_numpy(), dtype=np.int64)


def _deg5(v: I64, na: int) -> I64:
    """1/600000 degree to 1e-5 degree (NOAA's 5 decimals); "not available" as 91 or 181."""
    return np.where(v == na, na // 6, np.rint(v / 6)).astype(np.int64)


def _times(ts_s: I64) -> pa.Array:
    """Epoch seconds as ``YYYY-MM-DDTHH:MM:SS`` (formatted once per distinct second)."""
    distinct, back = np.unique(ts_s, return_inverse=True)
    text = pc.strftime(pa.array(distinct, pa.int64()).cast(pa.timestamp("s", tz="UTC")),
                       format="%Y-%m-%dT%H:%M:%S")
    return text.take(pa.array(back.ravel()))


def _fixed(v: npt.ArrayLike, decimals: int) -> pa.Array:
    """Integers in units of 10**-decimals as exact decimal text (-12345, 2 -> "-123.45")."""
    x = np.asarray(v, dtype=np.int64)
    distinct, back = np.unique(x, return_inverse=True)
    if len(distinct) * 4 < len(x):  # speeds, courses, statuses: format each value once
        return _fixed(distinct, decimals).take(pa.array(back.ravel()))
    unit = 10**decimals
    whole = pc.cast(pa.array(np.abs(x) // unit), pa.string())
    sign = pc.if_else(pa.array(x < 0), "-", "")
    if decimals == 0:
        return pc.binary_join_element_wise(sign, whole, "")
    frac = pc.utf8_lpad(pc.cast(pa.array(np.abs(x) % unit), pa.string()), decimals, "0")
    return pc.binary_join_element_wise(sign, whole, ".", frac, "")


def _blank_unless(mask: npt.ArrayLike, text: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), text, "")


def _csv_text(a: pa.Array) -> pa.Array:
    """Text as a CSV field: empty for null, double-quoted where it holds ``,`` or ``"``."""
    s = pc.fill_null(a, "")
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(s, '"', '""'), '"', "")
    return pc.if_else(pc.match_substring_regex(s, '[,"]'), quoted, s)


def _text(aligned: pa.Table, col: str, nchars: int) -> pa.Array:
    return enc.six_text(enc.text_six(aligned.column(col), nchars))


def _noaa_columns(r: _Rows) -> dict[str, pa.Array]:
    q, d, s = r.q, r.dims, r.statics
    nav = _np_int(r.pos.column("nav_status"), 15)
    imo, ship = _np_int(s.column("imo"), 0), _np_int(s.column("ship_type"), 0)
    length, width = d.to_bow + d.to_stern, d.to_port + d.to_starboard
    return {
        "MMSI": pc.cast(r.pos.column("mmsi").combine_chunks(), pa.string()),
        "BaseDateTime": _times(r.ts_s),
        "LAT": _fixed(_deg5(q.lat, enc.LAT_NA), 5), "LON": _fixed(_deg5(q.lon, enc.LON_NA), 5),
        "SOG": _fixed(q.sog, 1), "COG": _fixed(q.cog, 1), "Heading": _fixed(q.heading * 10, 1),
        "VesselName": _csv_text(_text(s, "name", 20)),
        "IMO": _blank_unless(imo > 0, pc.binary_join_element_wise(
            "IMO", pc.utf8_lpad(pc.cast(pa.array(imo), pa.string()), 7, "0"), "")),
        "CallSign": _csv_text(_text(s, "callsign", 7)),
        "VesselType": _blank_unless(ship > 0, pc.cast(pa.array(ship), pa.string())),
        "Status": _blank_unless(~r.class_b, _fixed(nav * 10, 1)),
        "Length": _blank_unless((d.to_bow > 0) & (d.to_stern > 0), _fixed(length * 10, 1)),
        "Width": _blank_unless((d.to_port > 0) & (d.to_starboard > 0), _fixed(width * 10, 1)),
        "Draft": _blank_unless(d.draught > 0, _fixed(d.draught, 1)),
        "Cargo": pc.fill_null(pa.nulls(len(r), pa.string()), ""),
        "TransceiverClass": pc.if_else(pa.array(r.class_b), "B", "A"),
    }


def _spoil(cols: dict[str, pa.Array], name: str, rows: I64, value: pa.Array | str) -> None:
    mask = np.zeros(len(cols[name]), dtype=bool)
    mask[rows] = True
    if isinstance(value, str):
        value = pa.array([value] * len(rows), cols[name].type)
    cols[name] = pc.replace_with_mask(cols[name], pa.array(mask), value)


def _plan(positions: pa.Table, statics: pa.Table, seed: int, corrupt_share: float,
          duplicate_share: float, kinds: dict[str, RejectReason]
          ) -> tuple[_Rows, int, I64, I64, I64, I64, npt.NDArray[np.bool_], I64]:
    """What both row writers decide first: the rows, which to damage (and how), which to
    repeat (and how far on), which stay whole, and the navigation status in the store's
    duplicate key (-1 for class B, which has none)."""
    check_shares(corrupt_share, duplicate_share)
    r = _rows(positions, statics)
    n = len(r)
    rng = np.random.default_rng(seed)
    spoilt, kind = choose(rng, n, corrupt_share,
                          {k: np.arange(n, dtype=np.int64) for k in kinds})
    dup, offset = duplicates(rng, n, duplicate_share, spoilt)
    keep = np.ones(n, dtype=bool)
    keep[spoilt] = False
    nav = np.where(r.class_b, -1, _np_int(r.pos.column("nav_status"), 15))
    return r, n, spoilt, kind, dup, offset, keep, nav


def write_noaa_csv(positions: pa.Table, statics: pa.Table, path: str | os.PathLike[str], *,
                   seed: int, corrupt_share: float = 0.001,
                   duplicate_share: float = 0.005) -> OutputReport:
    """Write the received positions as a NOAA MarineCadastre CSV (its 2023 column order).

    Each row carries the vessel's latest static report at or before it (blank before any;
    a type 24 gives no IMO or draught). Values as a receiver decodes them: LAT/LON to 5
    decimals, SOG and COG to 0.1, "not available" as 91, 181, 102.3, 360.0, 511.0; Status
    blank for class B. The damage is listed in the module's documentation.
    """
    r, n, spoilt, kind, dup, offset, keep, nav = _plan(
        positions, statics, seed, corrupt_share, duplicate_share, CSV_KINDS)
    cols = _noaa_columns(r)
    # the row's position text, as integers: what the store's duplicate key sees
    identical = repeats([_np_int(r.pos.column("mmsi"), 0), r.ts_s, _deg5(r.q.lat, enc.LAT_NA),
                          _deg5(r.q.lon, enc.LON_NA), r.q.sog, r.q.cog, r.q.heading, nav], keep)
    kinds = list(CSV_KINDS)
    rows = {k: spoilt[kind == kinds.index(k)] for k in kinds}
    t = cols["BaseDateTime"].take(pa.array(rows["time_text"]))
    _spoil(cols, "BaseDateTime", rows["time_text"], pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(t, 0, 11), "25", pc.utf8_slice_codeunits(t, 13), ""))
    _spoil(cols, "LAT", rows["impossible_position"], "95.00000")
    m = cols["MMSI"].take(pa.array(rows["mmsi_text"]))
    _spoil(cols, "MMSI", rows["mmsi_text"], pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(m, 0, 2), "O", pc.utf8_slice_codeunits(m, 3), ""))
    _spoil(cols, "SOG", rows["speed_out_of_range"], f"{BAD_SOG_KN:.1f}")
    lines = enc.join(*cols.values(), sep=",")
    patched = {i: ",".join(str(lines[i].as_py()).split(",")[:5])
               for i in rows["cut_row"].tolist()}
    take, where, _ = arrange(np.ones(n, np.int64), dup, offset, np.zeros(0, np.int64))
    out = substitute(lines, take, patched)
    p = Path(path)
    write_bytes(p, (NOAA_HEADER + "\n").encode(), out)
    corrupt = corrupt_table(where[spoilt] + 2, kind, CSV_KINDS,
                             np.asarray(r.pos.column("mmsi").to_numpy())[spoilt], r.ts_s[spoilt])
    return OutputReport((p,), "noaa", len(out), n, len(dup), identical, corrupt)


def _parquet_table(r: _Rows) -> pa.Table:
    q, d, s = r.q, r.dims, r.statics

    def deg(v: I64, na: int) -> npt.NDArray[np.float64]:  # as the NMEA decoder rounds them
        return np.where(v == na, np.nan, np.floor_divide(10 * v + 3, 6) / 1e6)

    def tenths(v: I64, na: int) -> npt.NDArray[np.float64]:
        return np.where(v == na, np.nan, v / 10.0)

    def null0(v: I64, t: pa.DataType) -> pa.Array:
        return pa.array(v, t, mask=v <= 0)

    nav = r.pos.column("nav_status").combine_chunks()
    length, width = d.to_bow + d.to_stern, d.to_port + d.to_starboard
    return pa.table({
        "mmsi": r.pos.column("mmsi"), "ts": r.pos.column("ts"),
        "msg_type": r.pos.column("msg_type"),
        "lat": deg(q.lat, enc.LAT_NA), "lon": deg(q.lon, enc.LON_NA),
        "sog_kn": tenths(q.sog, enc.SOG_NA), "cog_deg": tenths(q.cog, enc.COG_NA),
        "heading_deg": pa.array(q.heading, pa.uint16(), mask=q.heading == enc.HEADING_NA),
        "nav_status": pc.if_else(pa.array(r.class_b), pa.scalar(None, pa.uint8()),
                                 pc.fill_null(nav, 15)),
        "ais_class": pc.if_else(pa.array(r.class_b), "B", "A"),
        "station": r.pos.column("station"), "channel": r.pos.column("channel"),
        "imo": null0(np.asarray(pc.fill_null(s.column("imo"), 0).to_numpy(), np.int64),
                     pa.uint32()),
        "name": _text(s, "name", 20), "callsign": _text(s, "callsign", 7),
        "ship_type": null0(np.asarray(pc.fill_null(s.column("ship_type"), 0).to_numpy(),
                                      np.int64), pa.uint8()),
        "to_bow_m": null0(d.to_bow, pa.uint16()), "to_stern_m": null0(d.to_stern, pa.uint16()),
        "to_port_m": null0(d.to_port, pa.uint16()),
        "to_starboard_m": null0(d.to_starboard, pa.uint16()),
        "length_m": pa.array(length.astype(np.float64), mask=(d.to_bow <= 0) | (d.to_stern <= 0)),
        "width_m": pa.array(width.astype(np.float64), mask=(d.to_port <= 0) | (d.to_starboard <= 0)),
        "draught_m": pa.array(d.draught / 10.0, mask=d.draught <= 0),
        "destination": _text(s, "destination", 20),
    })


def write_parquet(positions: pa.Table, statics: pa.Table, path: str | os.PathLike[str], *,
                  seed: int, corrupt_share: float = 0.001,
                  duplicate_share: float = 0.005) -> OutputReport:
    """Write the received positions as one Parquet file of canonical columns.

    The layout ``vesselwatch ingest`` reads as Parquet: one row per position with the
    vessel's latest static report at or before it in the static columns (``imo``, ``name``,
    ``to_bow_m``, ...), from which ingest makes vessel reports. Values are what the NMEA
    reader would decode (latitude to 1e-6 degree, speed and course to 0.1, heading whole
    degrees, "not available" as NaN or null). The damage is listed in the module's
    documentation.
    """
    r, n, spoilt, kind, dup, offset, keep, nav = _plan(
        positions, statics, seed, corrupt_share, duplicate_share, PARQUET_KINDS)
    table = _parquet_table(r)
    identical = repeats([_np_int(r.pos.column("mmsi"), 0), r.ts_s, r.q.lat, r.q.lon, r.q.sog,
                          r.q.cog, r.q.heading, nav], keep)
    kinds = list(PARQUET_KINDS)
    rows = {k: spoilt[kind == kinds.index(k)] for k in kinds}
    cols = {c: table.column(c).combine_chunks() for c in table.column_names}
    reset = (r.ts_s[rows["clock_reset"]] % 86_400) * 1_000_000
    _spoil(cols, "ts", rows["clock_reset"], pa.array(reset, pa.int64()).cast(cols["ts"].type))
    _spoil(cols, "lat", rows["impossible_position"],
           pa.array(np.full(len(rows["impossible_position"]), IMPOSSIBLE_LAT)))
    ten = np.asarray(cols["mmsi"].to_numpy(), np.int64)[rows["mmsi_10_digits"]] + 1_000_000_000
    _spoil(cols, "mmsi", rows["mmsi_10_digits"], pa.array(ten, pa.uint32()))
    _spoil(cols, "sog_kn", rows["speed_out_of_range"],
           pa.array(np.full(len(rows["speed_out_of_range"]), BAD_SOG_KN)))
    take, where, _ = arrange(np.ones(n, np.int64), dup, offset, np.zeros(0, np.int64))
    out = pa.table(cols).take(pa.array(take, pa.int64()))
    p = Path(path)
    try:
        pq.write_table(out, p)
    except OSError as exc:
        raise cannot_write(p, exc) from None
    corrupt = corrupt_table(where[spoilt] + 1, kind, PARQUET_KINDS,
                             np.asarray(r.pos.column("mmsi").to_numpy())[spoilt], r.ts_s[spoilt])
    return OutputReport((p,), "parquet", out.num_rows, n, len(dup), identical, corrupt)
