"""Ground-truth event files: read them strictly, write them for the simulator.

A truth file lists the events a scenario really holds, in JSON Lines or Parquet; the
format is defined in ``docs/evaluate.md``. Reading validates every row and raises
:class:`~vesselwatch.errors.InputError` naming the file, the line (JSON) or row (Parquet),
the field and the fix. Truth files are small (one row per planted event), so rows are
checked one by one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from vesselwatch.errors import InputError
from vesselwatch.jsonlines import json_objects
from vesselwatch.model.events import EventType
from vesselwatch.model.schema import TS, TS_MAX_US, TS_MIN_US
from vesselwatch.model.times import EPOCH, to_us, utc_iso

__all__ = ["CAUSES", "KINDS", "TRUTH", "UNTIL_KEY", "VESSELS_KEY", "Truth", "load_truth", "truth_table", "write_truth"]

TRUTH = pa.schema(
    [
        pa.field("event_type", pa.string(), nullable=False),
        pa.field("mmsi", pa.uint32(), nullable=False),
        pa.field("other_mmsi", pa.uint32()),  # the other vessel of an encounter
        pa.field("start_ts", TS, nullable=False),
        pa.field("end_ts", TS),  # null: still going on at the end of the data
        pa.field("port_id", pa.string()),
        pa.field("kind", pa.string()),  # the spoofing / identity_change sub-kind
        pa.field("label", pa.string()),  # free text, e.g. "planted 7 h gap"
        pa.field("cause", pa.string()),  # gaps: why the vessel was not heard (CAUSES)
    ]
)
REQUIRED = ("event_type", "mmsi", "start_ts", "end_ts")
UNTIL_KEY = "truth_until"  # JSON header line key and Parquet schema metadata key
VESSELS_KEY = "truth_vessels"  # the vessels the truth covers (header key / metadata key)
# why a true gap happened: the transponder was off, the vessel was out of every receiver's
# reach, or some of each
CAUSES = frozenset({"transponder_off", "coverage", "transponder_off+coverage"})

# details.kind of each type that has sub-kinds (docs/events.md)
KINDS: dict[str, frozenset[str]] = {
    EventType.SPOOFING: frozenset({"jump", "outlier", "two_places", "on_land",
                                   "shared_position"}),
    EventType.IDENTITY_CHANGE: frozenset({"name", "imo", "callsign", "ship_type",
                                          "imo_multiple_mmsi", "flag_change", "invalid_imo",
                                          "mmsi_issue"}),
}
_TYPES = tuple(t.value for t in EventType)
_PARQUET_SUFFIXES = (".parquet", ".pq")
_JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")


@dataclass(frozen=True)
class Truth:
    """The true events of a scenario (columns of :data:`TRUTH`) and the end of its data."""

    events: pa.Table
    until: datetime | None = None
    path: str | None = None
    vessels: frozenset[int] | None = None  # None: the truth covers every vessel

    @property
    def until_us(self) -> int | None:
        return None if self.until is None else to_us(self.until)


# -- reading -----------------------------------------------------------------------------

def load_truth(path: str | Path) -> Truth:
    """Read a truth file (JSON Lines or Parquet, by its suffix or its first bytes)."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            magic = f.read(4)
    except FileNotFoundError:
        raise InputError(f"{p}: no such truth file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a folder; pass the truth file itself") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror}); check its permissions") from None
    if p.suffix.lower() in _PARQUET_SUFFIXES or magic == b"PAR1":
        return _load_parquet(p)
    return _load_jsonl(p)


def _load_jsonl(path: Path) -> Truth:
    rows: list[tuple[Any, ...]] = []
    until: datetime | None = None
    vessels: frozenset[int] | None = None
    seen_row = False
    seen_header = False
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; a truth file is JSON Lines (UTF-8) or "
                         "Parquet (.parquet)") from None
    for number, obj in json_objects(text, path):
        where = f"{path}, line {number}"
        if UNTIL_KEY in obj or VESSELS_KEY in obj:
            if seen_row or seen_header or not set(obj) <= {UNTIL_KEY, VESSELS_KEY}:
                raise InputError(f"{where}: fields {UNTIL_KEY!r} and {VESSELS_KEY!r} go on "
                                 f'the first line, alone, e.g. {{"{UNTIL_KEY}": '
                                 f'"2023-09-08T00:00:00Z", "{VESSELS_KEY}": [273000001]}}')
            seen_header = True
            if UNTIL_KEY in obj:
                until = _parse_time(obj[UNTIL_KEY], where, UNTIL_KEY, json_text=True)
                if until is None:
                    raise InputError(f"{where}: field {UNTIL_KEY!r} is null; give the end of "
                                     "the simulated data or leave it out")
            if VESSELS_KEY in obj:
                vessels = _vessels(obj[VESSELS_KEY], where)
            continue
        seen_row = True
        rows.append(_check_row(obj, where, json_text=True))
    return Truth(_build(rows), until, str(path), vessels)


def _load_parquet(path: Path) -> Truth:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc}); write the truth as "
                         "Parquet or JSON Lines (.jsonl)") from None
    names = set(table.column_names)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputError(f"{path}: no column {missing[0]!r}; a truth file needs the columns "
                         f"{', '.join(REQUIRED)}")
    unknown = sorted(names - set(TRUTH.names))
    if unknown:
        raise InputError(f"{path}: unknown column {unknown[0]!r}; the columns are "
                         f"{', '.join(TRUTH.names)}")
    for name in ("start_ts", "end_ts"):
        if not pa.types.is_timestamp(table.schema.field(name).type):
            raise InputError(f"{path}: column {name!r} is {table.schema.field(name).type}, "
                             "not a timestamp; store times as timestamp (UTC)")
    until: datetime | None = None
    meta = table.schema.metadata or {}
    if UNTIL_KEY.encode() in meta:
        until = _parse_time(meta[UNTIL_KEY.encode()].decode(), f"{path}, schema metadata",
                            UNTIL_KEY, json_text=True)
    vessels: frozenset[int] | None = None
    if VESSELS_KEY.encode() in meta:
        where = f"{path}, schema metadata"
        try:
            listed = json.loads(meta[VESSELS_KEY.encode()])
        except json.JSONDecodeError:
            raise InputError(f"{where}: {VESSELS_KEY!r} is not a JSON array of MMSIs") from None
        vessels = _vessels(listed, where)
    rows = [_check_row(obj, f"{path}, row {i}", json_text=False)
            for i, obj in enumerate(table.to_pylist(), start=1)]
    return Truth(_build(rows), until, str(path), vessels)


def _vessels(value: Any, where: str) -> frozenset[int]:
    if not isinstance(value, list):
        raise InputError(f"{where}: field {VESSELS_KEY!r} must be an array of MMSIs")
    out = set()
    for v in value:
        m = _mmsi(v, where, VESSELS_KEY)
        if m is None:
            raise InputError(f"{where}: field {VESSELS_KEY!r} holds null; list MMSIs only")
        out.add(m)
    return frozenset(out)


def _check_row(obj: Mapping[str, Any], where: str, *, json_text: bool) -> tuple[Any, ...]:
    """One validated row in :data:`TRUTH` order; raises :class:`InputError`."""
    unknown = sorted(set(obj) - set(TRUTH.names))
    if unknown:
        raise InputError(f"{where}: unknown field {unknown[0]!r}; the fields are "
                         f"{', '.join(TRUTH.names)}")
    for name in REQUIRED:
        if name not in obj:
            hint = "; write null for an event still going on" if name == "end_ts" else ""
            raise InputError(f"{where}: field {name!r} is missing{hint}")
    kind_of = obj["event_type"]
    if kind_of not in _TYPES:
        raise InputError(f"{where}: field 'event_type' is {kind_of!r}; the types are "
                         f"{', '.join(_TYPES)}")
    mmsi = _mmsi(obj["mmsi"], where, "mmsi")
    if mmsi is None:
        raise InputError(f"{where}: field 'mmsi' is null; give the vessel's MMSI")
    other = _mmsi(obj.get("other_mmsi"), where, "other_mmsi")
    if kind_of == EventType.ENCOUNTER:
        if other is None:
            raise InputError(f"{where}: field 'other_mmsi' is missing; an encounter needs "
                             "the other vessel's MMSI")
        if other == mmsi:
            raise InputError(f"{where}: field 'other_mmsi' equals 'mmsi' ({mmsi}); an "
                             "encounter is between two vessels")
    elif other is not None:
        raise InputError(f"{where}: field 'other_mmsi' is set on a {kind_of}; only "
                         "encounters have another vessel: write null")
    start = _parse_time(obj["start_ts"], where, "start_ts", json_text=json_text)
    if start is None:
        raise InputError(f"{where}: field 'start_ts' is null; give when the event began")
    end = _parse_time(obj["end_ts"], where, "end_ts", json_text=json_text)
    if end is not None and end < start:
        raise InputError(f"{where}: field 'end_ts' ({utc_iso(end)}) is before 'start_ts' "
                         f"({utc_iso(start)}); swap them or fix the times")
    kind = _text(obj.get("kind"), where, "kind")
    if kind is not None:
        allowed = KINDS.get(kind_of)
        if allowed is None:
            raise InputError(f"{where}: field 'kind' is set on a {kind_of}; only spoofing "
                             "and identity_change have kinds: write null")
        if kind not in allowed:
            raise InputError(f"{where}: field 'kind' is {kind!r}; the kinds of {kind_of} "
                             f"are {', '.join(sorted(allowed))}")
    cause = _text(obj.get("cause"), where, "cause")
    if cause is not None:
        if kind_of != EventType.GAP:
            raise InputError(f"{where}: field 'cause' is set on a {kind_of}; only gaps have "
                             "a cause: write null")
        if cause not in CAUSES:
            raise InputError(f"{where}: field 'cause' is {cause!r}; the causes are "
                             f"{', '.join(sorted(CAUSES))}")
    return (kind_of, mmsi, other, start, end, _text(obj.get("port_id"), where, "port_id"),
            kind, _text(obj.get("label"), where, "label"), cause)


def _mmsi(value: Any, where: str, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 999_999_999:
        raise InputError(f"{where}: field {name!r} is {value!r}; an MMSI is a whole number "
                         "of at most 9 digits")
    return value


def _text(value: Any, where: str, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InputError(f"{where}: field {name!r} is {value!r}; write it as text or null")


def _parse_time(value: Any, where: str, name: str, *, json_text: bool) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime) and not json_text:
        when = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    elif isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"{where}: field {name!r} is {value!r}, not an ISO 8601 time; "
                             "write e.g. 2023-09-01T12:00:00Z") from None
        if when.tzinfo is None:
            raise InputError(f"{where}: field {name!r} ({value!r}) has no UTC offset; end "
                             "it with Z or an offset such as +00:00")
    else:
        raise InputError(f"{where}: field {name!r} is {value!r}; write an ISO 8601 time "
                         "such as 2023-09-01T12:00:00Z, or null")
    when = when.astimezone(UTC)
    if not TS_MIN_US <= to_us(when) < TS_MAX_US:
        raise InputError(f"{where}: field {name!r} ({utc_iso(when)}) is outside 1980-2100; "
                         "check the time")
    return when


def _build(rows: list[tuple[Any, ...]]) -> pa.Table:
    columns = list(zip(*rows)) if rows else [() for _ in TRUTH]
    return pa.Table.from_arrays(
        [pa.array(list(col), type=f.type) for col, f in zip(columns, TRUTH)], schema=TRUTH)


def truth_table(columns: Mapping[str, Any]) -> pa.Table:
    """A validated :data:`TRUTH` table from column name -> values (optional ones may be left
    out). Times are datetimes (UTC) or µs since the epoch. Raises :class:`InputError`."""
    n = len(columns["mmsi"])
    values = {name: (col.to_pylist() if isinstance(col, pa.Array | pa.ChunkedArray)
                     else list(col)) for name, col in columns.items()}
    rows = []
    for i in range(n):
        obj = {name: col[i] for name, col in values.items()}
        for name in ("start_ts", "end_ts"):
            if isinstance(obj.get(name), int):
                obj[name] = EPOCH + timedelta(microseconds=obj[name])
        for name in ("port_id", "kind", "label", "other_mmsi", "cause"):
            obj.setdefault(name, None)
        rows.append(_check_row(obj, f"truth table, row {i + 1}", json_text=False))
    return _build(rows)


# -- writing -----------------------------------------------------------------------------

def write_truth(table: pa.Table, path: str | Path, *, until: datetime | None = None,
                vessels: Iterable[int] | None = None) -> Path:
    """Write true events as JSON Lines (``.jsonl``, ``.ndjson``, ``.json``) or Parquet
    (``.parquet``, ``.pq``); ``until`` is the end of the simulated data, ``vessels`` the
    vessels the truth covers (None: all). The rows are validated first, so a file this
    writes always reads back."""
    import pyarrow.parquet as pq

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in _PARQUET_SUFFIXES + _JSON_SUFFIXES:
        raise InputError(f"{p}: unknown truth file suffix {p.suffix!r}; use .jsonl or .parquet")
    checked = truth_table({name: table.column(name) for name in table.column_names})
    header: dict[str, Any] = {}
    if until is not None:
        until = _parse_time(until, "until", UNTIL_KEY, json_text=False)
        header[UNTIL_KEY] = utc_iso(until) if until is not None else None
    if vessels is not None:
        header[VESSELS_KEY] = sorted(_vessels(list(vessels), "vessels"))
    if suffix in _PARQUET_SUFFIXES:
        if header:
            checked = checked.replace_schema_metadata(
                {k: v if isinstance(v, str) else json.dumps(v) for k, v in header.items()})
        pq.write_table(checked, p)
        return p
    lines = [json.dumps(header)] if header else []
    for row in checked.to_pylist():
        lines.append(json.dumps({k: (utc_iso(v) if isinstance(v, datetime) else v)
                                 for k, v in row.items()}))
    p.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return p
