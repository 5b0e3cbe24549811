"""Observations from analysts: read them strictly, one at a time or from a file.

An observation is evidence AIS cannot give (a satellite image, a rail shipment, a statement,
a denial) with the Admiralty grading; the columns are :data:`OBSERVATIONS` and
``docs/observations.md`` defines them. Files are CSV (a header row of column names) or JSON
Lines (one object per line). Reading is strict: the first bad record raises
:class:`~vesselwatch.errors.InputError` naming the file, the line, the field and what to
write. Observation files are small (one row per piece of evidence), so records are checked
one by one. Nothing here writes; :mod:`vesselwatch.store.observations` keeps them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from vesselwatch.errors import InputError
from vesselwatch.jsonlines import json_objects
from vesselwatch.model.observations import (
    CONTENT_COLUMNS,
    CREDIBILITY,
    KINDS,
    OBSERVATIONS,
    RELIABILITY,
    REQUIRED_COLUMNS,
)
from vesselwatch.model.schema import TS_MAX_US, TS_MIN_US
from vesselwatch.model.times import to_us, utc_iso

__all__ = ["check_against", "content_id", "observation", "read_observations"]

_CSV_SUFFIXES = (".csv",)
_JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")
_DIGITS = re.compile(r"[0-9]+")
_IMO_PREFIX = re.compile(r"(?i)imo\s*")
_SPACED_LOCODE = re.compile(r"([A-Z]{2}) ([A-Z2-9]{3})")  # "KP RJN": the store's id is KPRJN
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_EMPTY_HINTS = {
    "kind": f"write one of {', '.join(KINDS)}",
    "ts": "write when it was seen or said, e.g. 2023-09-01T12:00:00Z",
    "source": "write who produced it, e.g. 'US Government'",
    "reliability": "grade the source A-F (F: reliability cannot be judged)",
    "credibility": "grade the information 1-6 (6: truth cannot be judged)",
    "claim": "write what it says, e.g. 'containers on Pier 1 at Najin'",
}


# -- reading -----------------------------------------------------------------------------

def read_observations(path: str | Path) -> pa.Table:
    """Read an observation file: CSV (``.csv``) or JSON Lines (``.jsonl``, ``.ndjson``,
    ``.json``); any other suffix is told by its first character (``{``: JSON Lines).
    Returns an :data:`OBSERVATIONS` table in file order, ``added_at`` null unless the file
    gives it. Raises :class:`InputError` on the first bad record."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{p}: no such observation file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a folder; pass the observation file itself") from None
    except UnicodeDecodeError:
        raise InputError(f"{p}: not UTF-8 text; save the observations as UTF-8 CSV or "
                         "JSON Lines") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror}); check its permissions") from None
    suffix = p.suffix.lower()
    is_json = (suffix in _JSON_SUFFIXES
               or (suffix not in _CSV_SUFFIXES and text.lstrip().startswith("{")))
    records = _jsonl_records(text, p) if is_json else _csv_records(text, p)
    rows: list[dict[str, Any]] = []
    first_line: dict[str, tuple[int, dict[str, Any]]] = {}
    for line, obj in records:
        where = f"{p}, line {line}"
        row = _check_record(obj, where)
        seen = first_line.get(row["observation_id"])
        if seen is not None and _content(seen[1]) != _content(row):
            raise InputError(f"{where}: observation_id {row['observation_id']!r} is also on "
                             f"line {seen[0]} with other content; give each observation "
                             "its own id")
        first_line.setdefault(row["observation_id"], (line, row))
        rows.append(row)
    return _table(rows)


def _jsonl_records(text: str, path: Path) -> list[tuple[int, Mapping[str, Any]]]:
    return list(json_objects(text, path, hint="; write one observation per line"))


def _csv_records(text: str, path: Path) -> list[tuple[int, Mapping[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[int, Mapping[str, Any]]] = []
    header: list[str] | None = None
    header_line = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"{path}, line {line}: not valid CSV ({exc}); quote text that "
                             "holds commas, quotes or line breaks") from None
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header, header_line = [c.strip() for c in cells], line
            _check_header(header, f"{path}, line {line}")
            continue
        if len(cells) != len(header):
            raise InputError(f"{path}, line {line}: {len(cells)} cells, but the header (line "
                             f"{header_line}) has {len(header)} columns; quote text that "
                             "holds commas, or add the missing cells")
        out.append((line, dict(zip(header, cells))))
    if header is None:
        raise InputError(f"{path}: empty; a CSV observation file starts with a header row "
                         f"such as {','.join(REQUIRED_COLUMNS)},place")
    return out


def _check_header(header: list[str], where: str) -> None:
    for i, name in enumerate(header):
        if name not in OBSERVATIONS.names:
            raise InputError(f"{where}: unknown column {name!r}; the columns are "
                             f"{', '.join(OBSERVATIONS.names)}")
        if name in header[:i]:
            raise InputError(f"{where}: column {name!r} appears twice; keep one")
    for name in REQUIRED_COLUMNS:
        if name not in header:
            raise InputError(f"{where}: no column {name!r}; an observation file needs the "
                             f"columns {', '.join(REQUIRED_COLUMNS)}")


def observation(**fields: object) -> pa.Table:
    """One observation as a one-row :data:`OBSERVATIONS` table, checked like a file record.

    Values are text (as in a CSV cell) or Python values: ``datetime`` with a zone, ``int``,
    ``float``, ``bool``. Raises :class:`InputError`."""
    return _table([_check_record(fields, "observation")])


def check_against(observations: pa.Table, known_mmsi: set[int], known_imo: set[int]) -> None:
    """Refuse an observation naming a vessel (MMSI or IMO) the store never saw."""
    cols = {n: observations.column(n).to_pylist()
            for n in ("observation_id", "kind", "ts", "mmsi", "imo", "claim")}
    for i, mmsi in enumerate(cols["mmsi"]):
        imo = cols["imo"][i]
        if mmsi is not None and mmsi not in known_mmsi:
            what = f"MMSI {mmsi}"
        elif imo is not None and imo not in known_imo:
            what = f"IMO {imo}"
        else:
            continue
        claim = cols["claim"][i]
        shown = claim if len(claim) <= 60 else claim[:57] + "..."
        raise InputError(
            f"observation {cols['observation_id'][i]!r} ({cols['kind'][i]}, "
            f"{utc_iso(cols['ts'][i])}, {shown!r}): unknown vessel: the store has never seen "
            f"{what}; check the number, ingest that vessel's AIS first, or name it by "
            "vessel_name only")


def content_id(row: Mapping[str, Any]) -> str:
    """16 hex digits of a hash of what an observation says (:data:`CONTENT_COLUMNS`): the
    id of an observation given without one, the same on every import of the same record."""
    values = [to_us(v) if isinstance(v, datetime) else v
              for v in (row.get(n) for n in CONTENT_COLUMNS)]
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


# -- one record --------------------------------------------------------------------------

def _check_record(obj: Mapping[str, Any], where: str) -> dict[str, Any]:
    """One validated record as column name -> value; raises :class:`InputError`."""
    unknown = [name for name in obj if name not in OBSERVATIONS.names]
    if unknown:
        raise InputError(f"{where}: unknown field {unknown[0]!r}; the fields are "
                         f"{', '.join(OBSERVATIONS.names)}")
    parsers: dict[str, Callable[[Any, str, str], Any]] = {
        "kind": _kind, "ts": _time, "end_ts": _time, "lat": _lat, "lon": _lon,
        "place": _place, "mmsi": _mmsi, "imo": _imo, "vessel_name": _text, "source": _text,
        "party": _text, "interested": _bool, "reliability": _reliability,
        "credibility": _credibility, "claim": _text, "url": _text, "added_at": _time,
        "observation_id": _id,
    }
    row: dict[str, Any] = {name: parsers[name](obj.get(name), where, name)
                           for name in OBSERVATIONS.names}
    for name in REQUIRED_COLUMNS:
        if row[name] is None:
            missing = "missing" if name not in obj else "empty"
            raise InputError(f"{where}: field {name!r} is {missing}; {_EMPTY_HINTS[name]}")
    if (row["lat"] is None) != (row["lon"] is None):
        given, other = ("lat", "lon") if row["lon"] is None else ("lon", "lat")
        raise InputError(f"{where}: field {given!r} is given but {other!r} is empty; give "
                         "both lat and lon (decimal degrees) or neither")
    if row["end_ts"] is not None and row["end_ts"] < row["ts"]:
        raise InputError(f"{where}: field 'end_ts' ({utc_iso(row['end_ts'])}) is before 'ts' "
                         f"({utc_iso(row['ts'])}); swap them or fix the times")
    if all(row[n] is None for n in ("lat", "place", "mmsi", "imo", "vessel_name")):
        raise InputError(f"{where}: no place and no vessel; give lat and lon, place (a port "
                         "id or a name such as 'Tikhoretsk depot'), mmsi, imo or vessel_name")
    row["interested"] = bool(row["interested"])
    if row["interested"] and row["party"] is None:
        raise InputError(f"{where}: field 'interested' is true but 'party' is empty; name "
                         "the party that states it, e.g. 'Russia'")
    if row["observation_id"] is None:
        row["observation_id"] = content_id(row)
    return row


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_arrays(
        [pa.array([r[f.name] for r in rows], type=f.type) for f in OBSERVATIONS],
        schema=OBSERVATIONS)


def _content(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[n] for n in CONTENT_COLUMNS)


# -- one field: text (a CSV cell) or a JSON / Python value; "" and None are empty ---------

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any, where: str, name: str) -> str | None:
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: field {name!r} is {value!r}; write it as text (in "
                         "quotes in JSON)")
    return value.strip()


def _place(value: Any, where: str, name: str) -> str | None:
    text = _text(value, where, name)
    spaced = _SPACED_LOCODE.fullmatch(text) if text is not None else None
    return spaced.expand(r"\1\2") if spaced is not None else text


def _id(value: Any, where: str, name: str) -> str | None:
    text = _text(value, where, name)
    if text is not None and not _ID.fullmatch(text):
        raise InputError(f"{where}: field {name!r} is {text!r}; an id is 1-64 letters, digits "
                         "and . _ : / - (starting with a letter or digit), or leave it empty "
                         "for one made from the content")
    return text


def _kind(value: Any, where: str, name: str) -> str | None:
    text = _text(value, where, name)
    if text is not None and text not in KINDS:
        raise InputError(f"{where}: field {name!r} is {text!r}; the kinds are "
                         f"{', '.join(KINDS)}")
    return text


def _time(value: Any, where: str, name: str) -> datetime | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"{where}: field {name!r} is {value!r}, not an ISO 8601 time; "
                             "write e.g. 2023-09-01T12:00:00Z") from None
    else:
        raise InputError(f"{where}: field {name!r} is {value!r}; write an ISO 8601 time "
                         "such as 2023-09-01T12:00:00Z (in quotes in JSON)")
    if when.tzinfo is None or when.utcoffset() is None:
        raise InputError(f"{where}: field {name!r} ({value!s}) has no zone; end it with Z "
                         "or an offset such as +03:00")
    when = when.astimezone(UTC)
    if not TS_MIN_US <= to_us(when) < TS_MAX_US:
        raise InputError(f"{where}: field {name!r} ({utc_iso(when)}) is outside 1980-2100; "
                         "check the time")
    return when


def _number(value: Any, where: str, name: str) -> float | None:
    if _blank(value):
        return None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = math.nan
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        number = math.nan
    if not math.isfinite(number):
        raise InputError(f"{where}: field {name!r} is {value!r}; write decimal degrees "
                         "such as 42.2417")
    return number


def _lat(value: Any, where: str, name: str) -> float | None:
    lat = _number(value, where, name)
    if lat is not None and not -90.0 <= lat <= 90.0:
        raise InputError(f"{where}: field {name!r} is {lat!r}, outside the earth; a "
                         "latitude is -90 to 90 (north positive)")
    return lat


def _lon(value: Any, where: str, name: str) -> float | None:
    lon = _number(value, where, name)
    if lon is not None and not -180.0 <= lon <= 180.0:
        raise InputError(f"{where}: field {name!r} is {lon!r}, outside the earth; a "
                         "longitude is -180 to 180 (east positive)")
    return lon


def _whole(value: Any) -> int | None:
    """A whole number from an int or a text of digits; None when it is not one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _mmsi(value: Any, where: str, name: str) -> int | None:
    if _blank(value):
        return None
    mmsi = _whole(value)
    if mmsi is None or not 1 <= mmsi <= 999_999_999:
        raise InputError(f"{where}: field {name!r} is {value!r}; an MMSI is nine digits "
                         "(leading zeros count), e.g. 273123456")
    return mmsi


def _imo(value: Any, where: str, name: str) -> int | None:
    if _blank(value):
        return None
    imo = _whole(_IMO_PREFIX.sub("", value, count=1) if isinstance(value, str) else value)
    if imo is None or not 1_000_000 <= imo <= 9_999_999:
        raise InputError(f"{where}: field {name!r} is {value!r}; an IMO number is seven "
                         "digits, e.g. 9074729")
    return imo


def _bool(value: Any, where: str, name: str) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InputError(f"{where}: field {name!r} is {value!r}; write true or false")


def _reliability(value: Any, where: str, name: str) -> str | None:
    text = _text(value, where, name)
    if text is not None and text.upper() not in RELIABILITY:
        scale = ", ".join(f"{k} {v}" for k, v in RELIABILITY.items())
        raise InputError(f"{where}: field {name!r} is {text!r}; grade the source with one "
                         f"letter: {scale}")
    return None if text is None else text.upper()


def _credibility(value: Any, where: str, name: str) -> int | None:
    if _blank(value):
        return None
    grade = _whole(value)
    if grade not in CREDIBILITY:
        scale = ", ".join(f"{k} {v}" for k, v in CREDIBILITY.items())
        raise InputError(f"{where}: field {name!r} is {value!r}; grade the information "
                         f"with one digit: {scale}")
    return grade
