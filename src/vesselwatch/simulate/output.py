"""Write what the simulated receivers received as NMEA, NOAA CSV or Parquet, with known damage.

Every writer orders its output by (``ts``, positions before statics, input row), spoils a
``corrupt_share`` of the messages (rows) in ways whose quarantine reason in ``vesselwatch
ingest`` is known, repeats a ``duplicate_share`` of the others exactly a few lines later (as
merged feeds do), and reports precisely what it did (:class:`OutputReport`). The same input
and ``seed`` give the same bytes.

Damage, by format (kind -> the reject reason ``vesselwatch ingest`` gives):

NMEA (one kind per message; the line is the message's first line)
    ``checksum`` -> bad_checksum, ``tag_checksum`` -> bad_tag_block, ``tag_time`` (a letter
    in the tag block's ``c:``) -> bad_time, ``cut_line`` (the sentence cut in half) ->
    bad_format, ``missing_part`` (part 2 of a two-sentence message dropped) ->
    orphan_fragment, ``truncated_payload`` (checksum recomputed) -> truncated_payload,
    ``bad_character`` (``X`` in the payload, checksum recomputed) -> bad_payload,
    ``impossible_position`` (latitude 95 encoded) -> bad_position.
NOAA CSV (line numbers count the header as line 1)
    ``time_text`` (hour 25) -> bad_time, ``impossible_position`` (LAT 95) -> bad_position,
    ``mmsi_text`` (a digit written as the letter O) -> bad_mmsi, ``speed_out_of_range``
    (SOG 150) -> bad_value, ``cut_row`` (only the first five fields) -> bad_format.
Parquet (line = 1-based row number)
    ``clock_reset`` (the time of day on 1970-01-01) -> bad_time, ``impossible_position`` ->
    bad_position, ``mmsi_10_digits`` (MMSI + 1,000,000,000) -> bad_mmsi,
    ``speed_out_of_range`` -> bad_value.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vesselwatch.errors import InputError
from vesselwatch.model.schema import RejectReason
from vesselwatch.simulate import encode as enc
from vesselwatch.simulate.received import RECEIVED_POSITIONS, RECEIVED_STATICS, conform

__all__ = [
    "CORRUPT_SCHEMA",
    "CSV_KINDS",
    "NMEA_KINDS",
    "PARQUET_KINDS",
    "OutputReport",
    "write_corrupt",
    "write_nmea",
    "write_noaa_csv",
    "write_parquet",
]

I64 = npt.NDArray[np.int64]
R = RejectReason

NMEA_KINDS: dict[str, RejectReason] = {
    "checksum": R.BAD_CHECKSUM, "tag_checksum": R.BAD_TAG_BLOCK, "tag_time": R.BAD_TIME,
    "cut_line": R.BAD_FORMAT, "missing_part": R.ORPHAN_FRAGMENT,
    "truncated_payload": R.TRUNCATED_PAYLOAD, "bad_character": R.BAD_PAYLOAD,
    "impossible_position": R.BAD_POSITION,
}
CSV_KINDS: dict[str, RejectReason] = {
    "time_text": R.BAD_TIME, "impossible_position": R.BAD_POSITION, "mmsi_text": R.BAD_MMSI,
    "speed_out_of_range": R.BAD_VALUE, "cut_row": R.BAD_FORMAT,
}
PARQUET_KINDS: dict[str, RejectReason] = {
    "clock_reset": R.BAD_TIME, "impossible_position": R.BAD_POSITION,
    "mmsi_10_digits": R.BAD_MMSI, "speed_out_of_range": R.BAD_VALUE,
}

CORRUPT_SCHEMA = pa.schema([
    pa.field("line", pa.int64(), nullable=False),  # as the reader's quarantine source_line
    pa.field("kind", pa.string(), nullable=False),
    pa.field("reason", pa.string(), nullable=False),  # a RejectReason value
    pa.field("mmsi", pa.uint32()),  # of the original message
    pa.field("ts", pa.timestamp("us", tz="UTC")),
])

NOAA_HEADER = ("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,"
               "Status,Length,Width,Draft,Cargo,TransceiverClass")
IMPOSSIBLE_LAT = 95.0
BAD_SOG_KN = 150.0
MAX_DUPLICATE_OFFSET = 5  # a duplicate stands 1..5 lines after its original


@dataclass(frozen=True)
class OutputReport:
    """What a writer wrote.

    ``lines``: lines (NMEA) or data rows (CSV without its header, Parquet) written, damaged
    and duplicate ones included. ``messages``: distinct messages (NMEA: a type 24 row is two,
    parts A and B) or rows before duplicates. ``duplicates``: extra exact copies written
    (each one message). ``identical``: undamaged messages equal in the store's duplicate key
    (mmsi, ts, payload or row values) to an earlier one, e.g. one message heard by two
    stations: the store keeps one of them, so ingest counts ``duplicates + identical``
    duplicates. ``corrupt``: one row per damaged message (:data:`CORRUPT_SCHEMA`), by line.
    """

    paths: tuple[Path, ...]
    format: str
    lines: int
    messages: int
    duplicates: int
    identical: int
    corrupt: pa.Table


# -- shared -------------------------------------------------------------------------------


def _shares(corrupt_share: float, duplicate_share: float) -> None:
    for name, v in (("corrupt_share", corrupt_share), ("duplicate_share", duplicate_share)):
        if not 0.0 <= v <= 1.0:
            raise InputError(f"output {name}={v!r} is not a share of the messages; give a "
                             "number from 0 to 1, e.g. 0.001")


def _choose(rng: np.random.Generator, n: int, share: float,
            pools: dict[str, I64]) -> tuple[I64, I64]:
    """``round(share * n)`` messages spread evenly over the kinds, each from its pool.

    Returns (message index, kind index into ``pools``), no message twice. A kind whose pool
    runs short leaves its quota to the kinds after it (then before it).
    """
    want = round(share * n)
    names = list(pools)
    taken = np.zeros(n, dtype=bool)
    picked: list[I64] = []
    kinds: list[I64] = []
    left = want
    for rnd in range(2):
        for k, name in enumerate(names):
            quota = left // (len(names) - k) if rnd == 0 else left
            pool = pools[name][~taken[pools[name]]]
            got = rng.choice(pool, size=min(quota, len(pool)), replace=False) if quota else pool[:0]
            taken[got] = True
            picked.append(np.sort(got).astype(np.int64))
            kinds.append(np.full(len(got), k, dtype=np.int64))
            left -= len(got)
    return np.concatenate(picked), np.concatenate(kinds)


def _duplicates(rng: np.random.Generator, n: int, share: float, spoilt: I64) -> tuple[I64, I64]:
    """Messages to repeat (never a damaged one) and how many lines after them."""
    ok = np.ones(n, dtype=bool)
    ok[spoilt] = False
    pool = np.flatnonzero(ok)
    want = min(round(share * n), len(pool))
    dup = np.sort(rng.choice(pool, size=want, replace=False)).astype(np.int64)
    return dup, rng.integers(1, MAX_DUPLICATE_OFFSET + 1, size=want).astype(np.int64)


def _arrange(nparts: I64, dup: I64, offset: I64, removed: I64) -> tuple[I64, I64, I64]:
    """The order of the output lines.

    Base lines are every message's parts, message after message. Each duplicate message
    (all its parts) goes ``offset`` lines after its last line, never between the parts of
    another message; the ``removed`` base lines are left out. Returns (the base line each
    output line copies, each base line's 0-based output line or -1, each message's first
    base line).
    """
    n_base = int(nparts.sum())
    first = (np.cumsum(nparts) - nparts).astype(np.int64)
    last_of = np.repeat(first + nparts - 1, nparts)
    anchor = last_of[np.minimum(first[dup] + nparts[dup] - 1 + offset, n_base - 1)] \
        if len(dup) else np.zeros(0, np.int64)
    dn = nparts[dup]
    copies = np.repeat(first[dup], dn) + _ramp(dn)
    key = np.concatenate([np.arange(n_base), np.repeat(anchor, dn)])
    rank = np.concatenate([np.zeros(n_base, np.int64), 1 + np.repeat(np.arange(len(dup)), dn)])
    part = np.concatenate([np.zeros(n_base, np.int64), _ramp(dn)])
    order = np.lexsort((part, rank, key))
    take = np.concatenate([np.arange(n_base), copies])[order]
    original = (order < n_base) & ~np.isin(np.concatenate([np.arange(n_base), copies]),
                                           removed)[order]
    keep = original | (order >= n_base)
    take, original = take[keep], original[keep]
    where = np.full(n_base, -1, dtype=np.int64)
    where[take[original]] = np.flatnonzero(original)
    return take.astype(np.int64), where, first


def _ramp(counts: I64) -> I64:
    """0..c-1 for every count c, concatenated."""
    total = int(counts.sum())
    return (np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)).astype(np.int64)


def _corrupt_table(lines: I64, kinds: I64, names: dict[str, RejectReason],
                   mmsi: npt.ArrayLike, ts_s: I64) -> pa.Table:
    keys = list(names)
    t = pa.table({
        "line": pa.array(lines, pa.int64()),
        "kind": pa.array([keys[k] for k in kinds.tolist()], pa.string()),
        "reason": pa.array([names[keys[k]].value for k in kinds.tolist()], pa.string()),
        "mmsi": pa.array(np.asarray(mmsi, dtype=np.int64), pa.uint32()),
        "ts": pa.array(ts_s * 1_000_000, pa.int64()).cast(CORRUPT_SCHEMA.field("ts").type),
    }, schema=CORRUPT_SCHEMA)
    return t.sort_by("line")


def _repeats(keys: list[npt.NDArray[Any]], keep: npt.NDArray[np.bool_]) -> int:
    """How many of the ``keep`` rows equal an earlier one in every key column.

    Rows are sorted by a 64-bit hash of their keys, then neighbours compared column by
    column: exact unless two different keys share a hash and interleave (odds ~n²/2⁶⁴).
    """
    cols = [np.asarray(k)[keep].astype(np.uint64) for k in keys]
    if not len(cols[0]):
        return 0
    h = np.zeros(len(cols[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in cols:  # splitmix64-style mixing of each column into the hash
            h = (h ^ c) * np.uint64(0x9E3779B97F4A7C15)
            h ^= h >> np.uint64(31)
    order = np.argsort(h, kind="stable")
    same = h[order][1:] == h[order][:-1]
    for c in cols:
        s = c[order]
        same &= s[1:] == s[:-1]
    return int(same.sum())


def _cannot_write(path: Path, exc: OSError) -> InputError:
    why = exc.strerror or str(exc)
    return InputError(f"{path}: cannot be written ({why}); check that its folder exists and "
                      "is writable")


def _write_bytes(path: Path, head: bytes, lines: pa.Array) -> None:
    """``head`` then the strings of ``lines`` (each ending with a newline), in one write."""
    lines = pc.cast(lines, enc.TEXT)
    offsets = np.frombuffer(lines.buffers()[1], np.int64, len(lines) + 1, lines.offset * 8)
    data = lines.buffers()[2]
    try:
        with path.open("wb") as f:
            f.write(head)
            if len(lines) and data is not None:
                f.write(memoryview(data)[int(offsets[0]) : int(offsets[-1])])
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def write_corrupt(corrupt: pa.Table, path: str | os.PathLike[str]) -> Path:
    """``corrupt`` (:data:`CORRUPT_SCHEMA`) as JSON Lines, times as ISO 8601 UTC."""
    p = Path(path)
    rows = corrupt.to_pylist()
    for row in rows:
        ts = row["ts"]
        row["ts"] = None if ts is None else ts.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = "".join(json.dumps(row) + "\n" for row in rows)
    try:
        p.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _cannot_write(p, exc) from None
    return p


# -- NMEA ---------------------------------------------------------------------------------


def write_nmea(positions: pa.Table, statics: pa.Table, path: str | os.PathLike[str], *,
               seed: int, corrupt_share: float = 0.001,
               duplicate_share: float = 0.005) -> OutputReport:
    """Write every received message as NMEA sentences behind IEC 61162-450 tag blocks.

    ``\\s:<station>,c:<epoch s>*hh\\!AIVDM,...``; two-sentence messages (type 5) carry
    ``g:<n>-2-<group id>`` (ids count from 1 in file order) and the sequence id
    ``group id % 10``. A type 24 row becomes part A and part B, at the same time. The damage
    is listed in the module's documentation.
    """
    _shares(corrupt_share, duplicate_share)
    msgs = enc.nmea_messages(conform(positions, RECEIVED_POSITIONS, "positions"),
                             conform(statics, RECEIVED_STATICS, "statics"))
    n = len(msgs)
    rng = np.random.default_rng(seed)
    single = np.flatnonzero(msgs.nparts == 1)
    pools = {k: single for k in ("checksum", "tag_checksum", "tag_time", "cut_line")}
    pools["missing_part"] = np.flatnonzero(msgs.nparts > 1)
    pools["truncated_payload"] = pools["bad_character"] = np.arange(n, dtype=np.int64)
    pools["impossible_position"] = np.flatnonzero(np.isin(msgs.msg_type, (1, 2, 3, 18)))
    spoilt, kind = _choose(rng, n, corrupt_share, pools)
    dup, offset = _duplicates(rng, n, duplicate_share, spoilt)
    kinds = list(NMEA_KINDS)
    lines, payload = enc.nmea_base_lines(msgs, spoilt[kind == kinds.index("impossible_position")])
    first = (np.cumsum(msgs.nparts) - msgs.nparts).astype(np.int64)
    patched, removed = _patch_nmea(lines, first, spoilt, kind, kinds)
    take, where, _ = _arrange(msgs.nparts, dup, offset, np.array(removed, dtype=np.int64))
    out = _substitute(lines, take, patched)
    p = Path(path)
    _write_bytes(p, b"", out)
    keep = np.ones(n, dtype=bool)
    keep[spoilt] = False
    identical = _repeats([msgs.mmsi, msgs.ts_s, payload], keep)
    corrupt = _corrupt_table(where[first[spoilt]] + 1, kind, NMEA_KINDS,
                             msgs.mmsi[spoilt], msgs.ts_s[spoilt])
    return OutputReport((p,), "nmea", len(out), n, len(dup), identical, corrupt)


def _substitute(lines: pa.Array, take: I64, patched: dict[int, str]) -> pa.Array:
    """``lines`` taken at ``take``, with the ``patched`` ones replaced; each ends in ``\\n``."""
    at = np.array(sorted(patched), dtype=np.int64)
    slot = np.full(len(lines), -1, dtype=np.int64)
    slot[at] = np.arange(len(at))
    pool = pa.concat_arrays([pc.cast(lines, enc.TEXT),
                             pa.array([patched[i] for i in at.tolist()], enc.TEXT)])
    idx = np.where(slot[take] >= 0, len(lines) + slot[take], take) if len(take) else take
    return enc.join(pool.take(pa.array(idx, pa.int64())), "\n")


def _split(line: str) -> tuple[str, str]:
    """(tag block text, sentence body) of a line ``\\tag*hh\\!body*hh``."""
    star = line.index("*")
    return line[1:star], line[star + 5 : -3]


def _line(tag: str, body: str, *, bad_tag: bool = False, bad_body: bool = False) -> str:
    tag_cs = (enc.checksum(tag) + bad_tag) % 256
    body_cs = (enc.checksum(body) + bad_body) % 256
    return f"\\{tag}*{tag_cs:02X}\\!{body}*{body_cs:02X}"


def _with_payload(body: str, keep: int | None = None, bad_at: int | None = None) -> str:
    fields = body.split(",")
    payload = fields[5]
    if keep is not None:
        payload, fields[6] = payload[:keep], "0"
    if bad_at is not None:
        payload = payload[:bad_at] + "X" + payload[bad_at + 1 :]
    fields[5] = payload
    return ",".join(fields)


def _patch_nmea(lines: pa.Array, first: I64, spoilt: I64, kind: I64,
                kinds: list[str]) -> tuple[dict[int, str], list[int]]:
    """New text of the damaged base lines, and the base lines dropped (cold path)."""
    patched: dict[int, str] = {}
    removed: list[int] = []
    for m, k in zip(spoilt.tolist(), kind.tolist()):
        name = kinds[k]
        i = int(first[m])
        line = str(lines[i].as_py())
        tag, body = _split(line)
        if name == "checksum":
            patched[i] = _line(tag, body, bad_body=True)
        elif name == "tag_checksum":
            patched[i] = _line(tag, body, bad_tag=True)
        elif name == "tag_time":  # c:1700000000 -> c:1700O00000
            at = (0 if tag.startswith("c:") else tag.index(",c:") + 1) + 6
            patched[i] = _line(tag[:at] + "O" + tag[at + 1 :], body)
        elif name == "cut_line":  # the tag block whole, the sentence cut before its '*'
            start = line.index("\\", 1) + 1
            patched[i] = line[: start + (len(line) - start) // 2]
        elif name == "missing_part":
            removed.append(i + 1)
        elif name == "truncated_payload":  # the last part keeps 20 (or 2) characters
            total = int(body.split(",")[1])
            j = i + total - 1
            tag_j, body_j = _split(str(lines[j].as_py()))
            patched[j] = _line(tag_j, _with_payload(body_j, keep=20 if total == 1 else 2))
        elif name == "bad_character":
            patched[i] = _line(tag, _with_payload(body, bad_at=7))
    return patched, removed


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


def write_noaa_csv(positions: pa.Table, statics: pa.Table, path: str | os.PathLike[str], *,
                   seed: int, corrupt_share: float = 0.001,
                   duplicate_share: float = 0.005) -> OutputReport:
    """Write the received positions as a NOAA MarineCadastre CSV (its 2023 column order).

    Each row carries the vessel's latest static report at or before it (blank before any;
    a type 24 gives no IMO or draught). Values as a receiver decodes them: LAT/LON to 5
    decimals, SOG and COG to 0.1, "not available" as 91, 181, 102.3, 360.0, 511.0; Status
    blank for class B. The damage is listed in the module's documentation.
    """
    _shares(corrupt_share, duplicate_share)
    r = _rows(positions, statics)
    n = len(r)
    rng = np.random.default_rng(seed)
    spoilt, kind = _choose(rng, n, corrupt_share,
                           {k: np.arange(n, dtype=np.int64) for k in CSV_KINDS})
    dup, offset = _duplicates(rng, n, duplicate_share, spoilt)
    cols = _noaa_columns(r)
    keep = np.ones(n, dtype=bool)
    keep[spoilt] = False
    # the row's position text, as integers: what the store's duplicate key sees
    nav = np.where(r.class_b, -1, _np_int(r.pos.column("nav_status"), 15))
    identical = _repeats([_np_int(r.pos.column("mmsi"), 0), r.ts_s, _deg5(r.q.lat, enc.LAT_NA),
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
    take, where, _ = _arrange(np.ones(n, np.int64), dup, offset, np.zeros(0, np.int64))
    out = _substitute(lines, take, patched)
    p = Path(path)
    _write_bytes(p, (NOAA_HEADER + "\n").encode(), out)
    corrupt = _corrupt_table(where[spoilt] + 2, kind, CSV_KINDS,
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
    _shares(corrupt_share, duplicate_share)
    r = _rows(positions, statics)
    n = len(r)
    rng = np.random.default_rng(seed)
    spoilt, kind = _choose(rng, n, corrupt_share,
                           {k: np.arange(n, dtype=np.int64) for k in PARQUET_KINDS})
    dup, offset = _duplicates(rng, n, duplicate_share, spoilt)
    table = _parquet_table(r)
    keep = np.ones(n, dtype=bool)
    keep[spoilt] = False
    nav = np.where(r.class_b, -1, _np_int(r.pos.column("nav_status"), 15))
    identical = _repeats([_np_int(r.pos.column("mmsi"), 0), r.ts_s, r.q.lat, r.q.lon, r.q.sog,
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
    take, where, _ = _arrange(np.ones(n, np.int64), dup, offset, np.zeros(0, np.int64))
    out = pa.table(cols).take(pa.array(take, pa.int64()))
    p = Path(path)
    try:
        pq.write_table(out, p)
    except OSError as exc:
        raise _cannot_write(p, exc) from None
    corrupt = _corrupt_table(where[spoilt] + 1, kind, PARQUET_KINDS,
                             np.asarray(r.pos.column("mmsi").to_numpy())[spoilt], r.ts_s[spoilt])
    return OutputReport((p,), "parquet", out.num_rows, n, len(dup), identical, corrupt)
