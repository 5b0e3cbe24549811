"""Encode many AIS messages at once as NMEA sentences: NumPy and Arrow, no object per message.

Types 1, 2, 3 and 18 (positions), 5 (static and voyage, two sentences) and 24 parts A and B
(class B static). Bit layouts: ITU-R M.1371-5 and the gpsd AIVDM notes, as the per-message
reference encoder ``vesselwatch.ingest.nmea.encode`` writes them (the tests check that the
two agree sentence for sentence, and that pyais decodes what this module writes).

The steps, each over whole arrays:

1. :func:`quantise_positions` / :func:`quantise_statics`: canonical units to the integers
   AIS sends ("not available": lat 91, lon 181, sog 1023, cog 3600, heading 511);
2. the ``*_payloads`` functions: fields packed into 64-bit lanes, cut into six-bit values
   (:class:`Payloads`);
3. :func:`nmea_lines`: six-bit armour, sentences of at most 60 payload characters, an
   IEC 61162-450 tag block (``s:`` station, ``c:`` time, ``g:`` group), NMEA checksums.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, reduce

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "MAX_PAYLOAD_CHARS",
    "Messages",
    "Payloads",
    "PositionInts",
    "StaticInts",
    "checksum",
    "class_b_static_payloads",
    "epoch_seconds",
    "join",
    "nmea_base_lines",
    "nmea_lines",
    "nmea_messages",
    "payload_hash",
    "position_payloads",
    "quantise_positions",
    "quantise_statics",
    "six_text",
    "static_payloads",
    "text_six",
    "xor_strings",
]

MAX_PAYLOAD_CHARS = 60  # per sentence, so a sentence stays within 82 characters

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]
Values = Mapping[str, I64 | int]

LAT_NA, LON_NA, SOG_NA, COG_NA, HEADING_NA = 91 * 600_000, 181 * 600_000, 1023, 3600, 511
SOG_MAX = 1022  # 102.2 knots or more
ETA_NA = (0, 0, 24, 60)  # month, day, hour, minute: "not available"

# (field, width in bits), in order. ``name0``..``name19`` are the characters of a text.
Layout = tuple[tuple[str, int], ...]


def _text_fields(name: str, nchars: int) -> Layout:
    return tuple((f"{name}{k}", 6) for k in range(nchars))


CLASS_A_POSITION: Layout = (
    ("msg_type", 6), ("repeat", 2), ("mmsi", 30), ("nav_status", 4), ("rot", 8), ("sog", 10),
    ("accuracy", 1), ("lon", 28), ("lat", 27), ("cog", 12), ("heading", 9), ("second", 6),
    ("maneuver", 2), ("spare", 3), ("raim", 1), ("radio", 19),
)
CLASS_B_POSITION: Layout = (
    ("msg_type", 6), ("repeat", 2), ("mmsi", 30), ("reserved", 8), ("sog", 10),
    ("accuracy", 1), ("lon", 28), ("lat", 27), ("cog", 12), ("heading", 9), ("second", 6),
    ("regional", 2), ("flags", 7), ("radio", 20),
)
STATIC_VOYAGE: Layout = (
    ("msg_type", 6), ("repeat", 2), ("mmsi", 30), ("ais_version", 2), ("imo", 30),
    *_text_fields("callsign", 7), *_text_fields("name", 20), ("ship_type", 8),
    ("to_bow", 9), ("to_stern", 9), ("to_port", 6), ("to_starboard", 6), ("epfd", 4),
    ("month", 4), ("day", 5), ("hour", 5), ("minute", 6), ("draught", 8),
    *_text_fields("destination", 20), ("dte", 1), ("spare", 1),
)
CLASS_B_STATIC_A: Layout = (
    ("msg_type", 6), ("repeat", 2), ("mmsi", 30), ("part", 2), *_text_fields("name", 20),
)
CLASS_B_STATIC_B: Layout = (
    ("msg_type", 6), ("repeat", 2), ("mmsi", 30), ("part", 2), ("ship_type", 8),
    ("vendor", 42), *_text_fields("callsign", 7), ("to_bow", 9), ("to_stern", 9),
    ("to_port", 6), ("to_starboard", 6), ("epfd", 4), ("spare", 2),
)

# six-bit value -> payload character (ITU-R M.1371-5 Table 47)
_ARMOUR = np.array([v + 48 if v < 40 else v + 56 for v in range(64)], dtype=np.uint8)
# Text is large_string (64-bit offsets) throughout: a file's lines may pass 2 GB
TEXT = pa.large_string()
_HEX = pa.array([f"{i:02X}" for i in range(256)], TEXT)
_U64 = np.uint64


@dataclass(frozen=True)
class Payloads:
    """Six-bit values of ``n`` messages of one layout: ``six`` is ``(n, nchars)``."""

    six: U8
    nbits: int

    @property
    def fill(self) -> int:
        """Fill bits after the last payload bit."""
        return int(self.six.shape[1] * 6 - self.nbits)

    @cached_property
    def chars(self) -> U8:
        """The armoured payload characters, ``(n, nchars)`` ASCII."""
        return np.asarray(_ARMOUR[self.six], dtype=np.uint8)

    def __len__(self) -> int:
        return int(self.six.shape[0])


def _pack(n: int, layout: Layout, values: Values) -> Payloads:
    """Fields of ``layout`` (absent ones 0) packed big-endian into six-bit values."""
    nbits = sum(w for _, w in layout)
    nchars = -(-nbits // 6)
    lanes = np.zeros((-(-nchars * 6 // 64), n), dtype=_U64)
    off = 0
    for name, width in layout:
        given = values.get(name, 0)
        end = off + width
        if not (isinstance(given, int) and given == 0):
            v = (np.asarray(given).astype(np.int64) & ((1 << width) - 1)).astype(_U64)
            j = off // 64
            over = end - 64 * (j + 1)  # bits that spill into the next lane
            if over <= 0:
                lanes[j] |= v << _U64(-over)
            else:
                lanes[j] |= v >> _U64(over)
                lanes[j + 1] |= (v & _U64((1 << over) - 1)) << _U64(64 - over)
        off = end
    six = np.empty((n, nchars), dtype=np.uint8)
    for k in range(nchars):
        a, e = 6 * k, 6 * k + 6
        j = a // 64
        over = e - 64 * (j + 1)
        if over <= 0:
            six[:, k] = (lanes[j] >> _U64(-over)) & _U64(63)
        else:
            six[:, k] = ((lanes[j] << _U64(over)) | (lanes[j + 1] >> _U64(64 - over))) & _U64(63)
    return Payloads(six, nbits)


def _text_values(name: str, six: U8) -> dict[str, I64]:
    return {f"{name}{k}": six[:, k].astype(np.int64) for k in range(six.shape[1])}


def text_six(text: pa.Array | pa.ChunkedArray, nchars: int) -> U8:
    """Texts as ``(n, nchars)`` six-bit values: upper case, cut to ``nchars``, ``@``-padded.

    Null is empty. A character outside the AIS alphabet (after upper-casing: anything but
    ASCII 32-95) becomes ``?``.
    """
    s = pc.fill_null(pc.cast(text, pa.string()), "")
    if isinstance(s, pa.ChunkedArray):
        s = s.combine_chunks()
    n = len(s)
    s = pc.replace_substring_regex(pc.utf8_upper(s), r"[^\x20-\x5f]", "?")
    s = pc.utf8_rpad(pc.utf8_slice_codeunits(s, 0, nchars), width=nchars, padding="@")
    data = s.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8, count=n * nchars, offset=s.offset * nchars) \
        if n else np.zeros(0, dtype=np.uint8)
    raw = raw.reshape(n, nchars)
    return np.asarray(np.where(raw >= 64, raw - 64, raw), dtype=np.uint8)


@dataclass(frozen=True)
class PositionInts:
    """Position fields as AIS sends them (int64 arrays)."""

    lat: I64  # 1/600000 degree; 91 degrees = not available
    lon: I64
    sog: I64  # 0.1 knot; 1023 = not available
    cog: I64  # 0.1 degree; 3600 = not available
    heading: I64  # degree; 511 = not available


def _rint(x: npt.NDArray[np.float64], na: int, scale: float) -> I64:
    nan = np.isnan(x)
    return np.where(nan, na, np.rint(np.where(nan, 0.0, x) * scale)).astype(np.int64)


def quantise_positions(lat: npt.ArrayLike, lon: npt.ArrayLike, sog_kn: npt.ArrayLike,
                       cog_deg: npt.ArrayLike, heading_deg: npt.ArrayLike) -> PositionInts:
    """Canonical units (NaN = not available) to AIS integers, rounded half to even.

    Speed is capped at 102.2 knots (AIS: "102.2 or more"); course and heading wrap into
    0-359.9 and 0-359 (359.96 degrees is 0.0). Latitude and longitude are not checked.
    """
    f = [np.asarray(v, dtype=np.float64) for v in (lat, lon, sog_kn, cog_deg, heading_deg)]

    def given(x: F64, na: int, scale: float, cap: Callable[[F64], F64]) -> I64:
        nan = np.isnan(x)
        return np.where(nan, na, cap(np.rint(np.where(nan, 0.0, x) * scale))).astype(np.int64)

    return PositionInts(
        lat=_rint(f[0], LAT_NA, 600_000.0),
        lon=_rint(f[1], LON_NA, 600_000.0),
        sog=given(f[2], SOG_NA, 10.0, lambda v: np.clip(v, 0, SOG_MAX)),
        cog=given(f[3], COG_NA, 10.0, lambda v: np.mod(v, 3600)),
        heading=given(f[4], HEADING_NA, 1.0, lambda v: np.mod(v, 360)),
    )


def position_payloads(msg_type: npt.ArrayLike, mmsi: npt.ArrayLike, nav_status: npt.ArrayLike,
                      second: npt.ArrayLike, q: PositionInts) -> Payloads:
    """Types 1, 2, 3 (class A) and 18 (class B) position reports, 168 bits each.

    ``second`` is the UTC second field (0-59, 60 = not available). Class A: rate of turn
    not available (-128), position accuracy high, no manoeuvre, no RAIM; class B: the
    same, every flag 0. ``nav_status`` is not sent by type 18.
    """
    t = np.asarray(msg_type, dtype=np.int64)
    n = len(t)
    values: dict[str, I64 | int] = {
        "msg_type": t, "mmsi": np.asarray(mmsi, dtype=np.int64),
        "nav_status": np.asarray(nav_status, dtype=np.int64), "rot": -128, "sog": q.sog,
        "accuracy": 1, "lon": q.lon, "lat": q.lat, "cog": q.cog, "heading": q.heading,
        "second": np.asarray(second, dtype=np.int64),
    }
    out = _pack(n, CLASS_A_POSITION, values)
    b = np.flatnonzero(t == 18)
    if len(b):
        sub = {k: (v[b] if isinstance(v, np.ndarray) else v) for k, v in values.items()}
        out.six[b] = _pack(len(b), CLASS_B_POSITION, sub).six
    return out


@dataclass(frozen=True)
class StaticInts:
    """Static fields as AIS sends them: dimensions capped to their widths (511, 63 m)."""

    to_bow: I64
    to_stern: I64
    to_port: I64
    to_starboard: I64
    draught: I64  # 0.1 m, 0 = not available, 255 = 25.5 m or more


def quantise_statics(to_bow: npt.ArrayLike, to_stern: npt.ArrayLike, to_port: npt.ArrayLike,
                     to_starboard: npt.ArrayLike, draught_m: npt.ArrayLike) -> StaticInts:
    """Dimensions in metres (AIS: "511 m or more", "63 m or more") and draught (NaN = 0)."""
    d = np.asarray(draught_m, dtype=np.float64)
    return StaticInts(
        to_bow=np.clip(np.asarray(to_bow, dtype=np.int64), 0, 511),
        to_stern=np.clip(np.asarray(to_stern, dtype=np.int64), 0, 511),
        to_port=np.clip(np.asarray(to_port, dtype=np.int64), 0, 63),
        to_starboard=np.clip(np.asarray(to_starboard, dtype=np.int64), 0, 63),
        draught=np.clip(_rint(d, 0, 10.0), 0, 255),
    )


def _dims(s: StaticInts) -> dict[str, I64 | int]:
    return {"to_bow": s.to_bow, "to_stern": s.to_stern, "to_port": s.to_port,
            "to_starboard": s.to_starboard, "epfd": 1}


def static_payloads(mmsi: npt.ArrayLike, imo: npt.ArrayLike, callsign: U8, name: U8,
                    ship_type: npt.ArrayLike, destination: U8, s: StaticInts) -> Payloads:
    """Type 5 static and voyage reports (424 bits: two sentences); ETA not available.

    ``callsign``, ``name`` and ``destination`` are six-bit texts from :func:`text_six`
    (7, 20 and 20 characters).
    """
    m = np.asarray(mmsi, dtype=np.int64)
    values: dict[str, I64 | int] = {
        "msg_type": 5, "mmsi": m, "imo": np.asarray(imo, dtype=np.int64),
        "ship_type": np.asarray(ship_type, dtype=np.int64), **_dims(s),
        "month": ETA_NA[0], "day": ETA_NA[1], "hour": ETA_NA[2], "minute": ETA_NA[3],
        "draught": s.draught, **_text_values("callsign", callsign),
        **_text_values("name", name), **_text_values("destination", destination),
    }
    return _pack(len(m), STATIC_VOYAGE, values)


def class_b_static_payloads(mmsi: npt.ArrayLike, name: U8, ship_type: npt.ArrayLike,
                            callsign: U8, s: StaticInts) -> tuple[Payloads, Payloads]:
    """Type 24 part A (name; 160 bits) and part B (ship type, call sign, dimensions; 168)."""
    m = np.asarray(mmsi, dtype=np.int64)
    a = _pack(len(m), CLASS_B_STATIC_A,
              {"msg_type": 24, "mmsi": m, "part": 0, **_text_values("name", name)})
    b = _pack(len(m), CLASS_B_STATIC_B, {
        "msg_type": 24, "mmsi": m, "part": 1, "ship_type": np.asarray(ship_type, np.int64),
        **_text_values("callsign", callsign), **_dims(s),
    })
    return a, b


def checksum(text: str) -> int:
    """NMEA checksum (XOR of the characters) of one text: for the few lines built by hand."""
    return reduce(lambda acc, ch: acc ^ ord(ch), text, 0)


def xor_strings(arr: pa.Array) -> U8:
    """The NMEA checksum (XOR of the bytes) of every string of ``arr``; 0 for empty ones."""
    a = pc.cast(arr, pa.large_string())
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(a.buffers()[1], dtype=np.int64, count=n + 1, offset=a.offset * 8)
    data = a.buffers()[2]
    buf = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    used = buf[offsets[0] : offsets[-1]]
    starts = offsets[:-1] - offsets[0]
    if len(used) == 0 or starts[-1] >= len(used):
        # the last string is empty: a zero byte after it keeps every start inside the
        # array (XOR with 0 changes nothing)
        used = np.append(used, np.uint8(0))
    xor = np.bitwise_xor.reduceat(used, starts)
    return np.where(offsets[1:] > offsets[:-1], xor, 0).astype(np.uint8)


def _strings(chars: U8) -> pa.Array:
    """Rows of an ``(n, k)`` ASCII matrix as a text array."""
    n, k = chars.shape
    data = np.ascontiguousarray(chars).tobytes()
    offsets = (np.arange(n + 1, dtype=np.int64) * k).tobytes()
    return pa.Array.from_buffers(TEXT, n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def join(*parts: pa.Array | pa.Scalar | str, sep: str = "") -> pa.Array:
    """Texts joined element-wise as ``large_string`` (plain ``str`` parts repeat)."""
    args = [pa.scalar(p, TEXT) if isinstance(p, str) else p.cast(TEXT) for p in parts]
    return pc.binary_join_element_wise(*args, pa.scalar(sep, TEXT))


def _digits(v: I64) -> pa.Array:
    return pc.cast(pa.array(v, pa.int64()), TEXT)


def _with_checksum(text: pa.Array) -> pa.Array:
    return join(text, "*", pc.take(_HEX, pa.array(xor_strings(text))))


def nmea_lines(payload: Payloads, channel: pa.Array, epoch_s: npt.ArrayLike, *,
               station: pa.Array | None = None, group_id: npt.ArrayLike | None = None,
               talker: str = "AI") -> list[pa.Array]:
    """The NMEA lines (no newline) of ``n`` messages: one text array per sentence part.

    Each line is ``\\<tags>*hh\\!<talker>VDM,<total>,<num>,<seq>,<channel>,<payload>,<fill>*hh``.
    Part 1 carries ``s:<station>`` (where the station is not null) and ``c:<epoch_s>``;
    a message of more than one sentence carries ``g:<num>-<total>-<group_id>`` in every part
    and the sequence id ``group_id % 10``, as the reference encoder does.
    """
    chars = payload.chars
    nchars = chars.shape[1]
    total = max(1, -(-nchars // MAX_PAYLOAD_CHARS))
    n = len(payload)
    if total > 1 and group_id is None:
        raise ValueError(f"messages of {total} sentences need a group_id for their tag blocks")
    epoch = _digits(np.asarray(epoch_s, dtype=np.int64))
    gid = _digits(np.asarray(group_id, dtype=np.int64)) if group_id is not None else None
    seq: pa.Array | str = _digits(np.asarray(group_id, np.int64) % 10) \
        if group_id is not None and total > 1 else ""
    st: pa.Array | str = ""
    if station is not None:
        st = pc.fill_null(join("s:", station, ","), pa.scalar("", TEXT))
    out: list[pa.Array] = []
    for num in range(1, total + 1):
        part = _strings(chars[:, (num - 1) * MAX_PAYLOAD_CHARS : num * MAX_PAYLOAD_CHARS])
        tags: list[pa.Array | str] = [st, "c:", epoch] if num == 1 else []
        if total > 1:
            assert gid is not None
            tags += ["," if num == 1 else "", f"g:{num}-{total}-", gid]
        fill = payload.fill if num == total else 0
        body = join(f"{talker}VDM,{total},{num},", seq, ",", channel, ",", part, f",{fill}")
        line = join("!", _with_checksum(body))
        if tags:
            line = join("\\", _with_checksum(join(*tags)), "\\", line)
        if len(line) != n:  # pragma: no cover - Arrow broadcasts scalars to n
            raise AssertionError("line count changed")
        out.append(line)
    return out


def epoch_seconds(ts: pa.Array | pa.ChunkedArray) -> I64:
    """``timestamp[us, UTC]`` values as whole seconds since the epoch."""
    us = np.asarray(pc.cast(ts, pa.int64()).to_numpy(), dtype=np.int64)
    return us // 1_000_000


def six_text(six: U8) -> pa.Array:
    """Six-bit texts back as strings, as a decoder gives them: trailing ``@`` padding cut,
    blanks trimmed at both ends, empty -> null."""
    ascii_ = np.where(six < 32, six + 64, six).astype(np.uint8)
    s = pc.utf8_trim_whitespace(pc.utf8_rtrim(_strings(ascii_), characters="@"))
    return pc.cast(pc.if_else(pc.equal(s, ""), pa.scalar(None, TEXT), s), pa.string())


# -- received tables as messages ---------------------------------------------------------


@dataclass(frozen=True)
class Messages:
    """Received messages in output order: by ``ts``, positions before statics, then table
    row, then type 24 part. A type 24 statics row is two messages (parts A and B)."""

    positions: pa.Table
    statics: pa.Table
    source: I64  # 0 positions, 1 statics
    row: I64  # row in its table
    part: I64  # type 24: 0 part A, 1 part B; else 0
    msg_type: I64
    mmsi: I64
    ts_s: I64
    nparts: I64  # sentences: 2 for type 5, else 1

    def __len__(self) -> int:
        return len(self.row)


def _np(table: pa.Table, name: str, fill: float = 0) -> npt.NDArray[np.generic]:
    """A column as NumPy, nulls as ``fill``."""
    col = table.column(name)
    return np.asarray((pc.fill_null(col, fill) if col.null_count else col).to_numpy())


def nmea_messages(positions: pa.Table, statics: pa.Table) -> Messages:
    """The messages of the received tables (conformed to ``simulate.received``) in order."""
    n_p, n_s = positions.num_rows, statics.num_rows
    s_type = _np(statics, "msg_type").astype(np.int64)
    s_rows = np.arange(n_s, dtype=np.int64)
    rows_s = np.concatenate([s_rows, s_rows[s_type == 24]])
    part = np.concatenate([np.zeros(n_p + n_s, np.int64), np.ones(len(rows_s) - n_s, np.int64)])
    source = np.concatenate([np.zeros(n_p, np.int64), np.ones(len(rows_s), np.int64)])
    row = np.concatenate([np.arange(n_p, dtype=np.int64), rows_s])
    ts_s = np.concatenate([epoch_seconds(positions.column("ts")),
                           epoch_seconds(statics.column("ts"))[rows_s]])
    mmsi = np.concatenate([_np(positions, "mmsi").astype(np.int64),
                           _np(statics, "mmsi").astype(np.int64)[rows_s]])
    msg_type = np.concatenate([_np(positions, "msg_type").astype(np.int64), s_type[rows_s]])
    order = np.lexsort((part, row, source, ts_s))
    msg_type = msg_type[order]
    return Messages(positions, statics, source[order], row[order], part[order], msg_type,
                    mmsi[order], ts_s[order], np.where(msg_type == 5, 2, 1).astype(np.int64))


def _channel(t: pa.Table) -> pa.Array:
    return pc.fill_null(t.column("channel"), "").combine_chunks()


def _station(t: pa.Table) -> pa.Array:
    s = t.column("station").combine_chunks()
    return pc.if_else(pc.equal(s, ""), pa.scalar(None, s.type), s)


def payload_hash(chars: U8) -> npt.NDArray[np.uint64]:
    """FNV-1a 64 of every row of an ``(n, k)`` payload matrix (the store hashes payloads
    with FNV-1a too, so equal hashes mean the store's duplicate key)."""
    h = np.full(chars.shape[0], 0xCBF29CE484222325, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(chars.shape[1]):
            h = (h ^ chars[:, k].astype(np.uint64)) * np.uint64(0x100000001B3)
    return h


def nmea_base_lines(msgs: Messages, lat_95: I64) -> tuple[pa.Array, npt.NDArray[np.uint64]]:
    """Every message's lines, message after message, part after part; and the hash of every
    message's whole payload (:func:`payload_hash`). Messages ``lat_95`` say latitude 95."""
    first = np.concatenate([[0], np.cumsum(msgs.nparts)[:-1]]).astype(np.int64)
    gid = np.cumsum(msgs.nparts > 1).astype(np.int64)  # group ids 1, 2, ... in order
    chunks: list[pa.Array] = []
    dest: list[I64] = []
    hashes = np.zeros(len(msgs), dtype=np.uint64)

    def add(sel: I64, payload: Payloads, table: pa.Table) -> None:
        group = gid[sel] if payload.six.shape[1] > MAX_PAYLOAD_CHARS else None
        parts = nmea_lines(payload, _channel(table), msgs.ts_s[sel], station=_station(table),
                           group_id=group)
        for k, lines in enumerate(parts):
            chunks.append(lines)
            dest.append(first[sel] + k)
        hashes[sel] = payload_hash(payload.chars)

    sel = np.flatnonzero(msgs.source == 0)
    if len(sel):
        p = msgs.positions.take(pa.array(msgs.row[sel]))
        q = quantise_positions(*(_np(p, c, np.nan) for c in
                                 ("lat", "lon", "sog_kn", "cog_deg", "heading_deg")))
        q.lat[np.isin(sel, lat_95)] = 95 * 600_000
        add(sel, position_payloads(msgs.msg_type[sel], msgs.mmsi[sel], _np(p, "nav_status", 15),
                                   msgs.ts_s[sel] % 60, q), p)
    for t, part in ((5, 0), (24, 0), (24, 1)):
        sel = np.flatnonzero((msgs.source == 1) & (msgs.msg_type == t) & (msgs.part == part))
        if not len(sel):
            continue
        s = msgs.statics.take(pa.array(msgs.row[sel]))
        dims = quantise_statics(_np(s, "to_bow"), _np(s, "to_stern"), _np(s, "to_port"),
                                _np(s, "to_starboard"), _np(s, "draught_m", np.nan))
        name, callsign = text_six(s.column("name"), 20), text_six(s.column("callsign"), 7)
        if t == 5:
            payload = static_payloads(msgs.mmsi[sel], _np(s, "imo"), callsign, name,
                                      _np(s, "ship_type"), text_six(s.column("destination"), 20),
                                      dims)
        else:
            payload = class_b_static_payloads(msgs.mmsi[sel], name, _np(s, "ship_type"),
                                              callsign, dims)[part]
        add(sel, payload, s)
    if not chunks:
        return pa.array([], TEXT), hashes
    inv = np.empty(int(msgs.nparts.sum()), dtype=np.int64)
    inv[np.concatenate(dest)] = np.arange(len(inv))
    return pa.concat_arrays(chunks).take(pa.array(inv)), hashes
