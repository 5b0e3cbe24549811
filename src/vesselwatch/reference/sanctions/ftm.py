"""FollowTheMoney entities as JSON lines, as OpenSanctions and ``followthemoney`` export
them: one ``{"id", "schema", "properties", ...}`` per line.

Legal entities, vehicles and assets become listings; ``Sanction`` entities give their
target its programme (``program``), ``listed_on`` (``listingDate``, else ``startDate``, else
the target's ``createdAt``), ``delisted_on`` (``endDate``, once every sanction has ended)
and reason; ``Ownership`` entities and a vessel's ``owner``/``operator`` give
``owner_ids``. Other schemata (addresses, identifications...) are counted and skipped.
``designated`` is OpenSanctions' ``target`` flag, or the ``sanction`` topic when the line
has none. Ids get the prefix ``os-`` (OpenSanctions' own ids, e.g. ``ofac-15036``, would
clash with the OFAC reader's); references are prefixed alike and the original id is the
``record_id``. The export carries no list date: ``as_of`` is the caller's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any, Final

from followthemoney import model
from followthemoney.exc import FollowTheMoneyException
from followthemoney.proxy import EntityProxy
from followthemoney.schema import Schema
from followthemoney.types import registry

from vesselwatch.errors import InputError
from vesselwatch.reference.sanctions.flatten import (
    Listing,
    SourceRead,
    date_problem,
    parse_date,
)

__all__ = ["ID_PREFIX", "looks_like_ftm", "read_ftm"]

SOURCE: Final = "opensanctions"
ID_PREFIX: Final = "os-"
ROW_SCHEMATA: Final = ("LegalEntity", "Vehicle", "Asset")


def looks_like_ftm(first_line: str) -> bool:
    return first_line.lstrip().startswith("{")


def _prefixed(data: dict[str, Any], schema: Schema) -> dict[str, Any]:
    """The entity dict with ``os-`` before its id and every entity reference."""
    props = data.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError("properties is not an object")
    out: dict[str, list[str]] = {}
    for name, values in props.items():
        prop = schema.properties.get(name)
        texts = [v["id"] if isinstance(v, dict) else str(v)
                 for v in (values if isinstance(values, list) else [values])]
        if prop is not None and prop.type == registry.entity:
            texts = [ID_PREFIX + t for t in texts]
        out[name] = texts
    return {"id": ID_PREFIX + str(data["id"]), "schema": schema.name, "properties": out}


def read_ftm(path: Path, *, as_of: date | None = None) -> SourceRead:
    """Read FtM JSON lines."""
    read = SourceRead(path, SOURCE)
    things: list[tuple[int, EntityProxy, dict[str, Any]]] = []
    sanctions: dict[str, list[EntityProxy]] = defaultdict(list)  # by target id
    owners: dict[str, list[str]] = defaultdict(list)  # by asset id
    try:
        with path.open(encoding="utf-8") as f:
            for line, text in enumerate(f, 1):
                if text.strip():
                    read.counts["records_read"] += 1
                    _line(read, path, line, text, things, sanctions, owners)
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 ({e.reason} at byte {e.start}); FtM JSON lines "
                         "are UTF-8: export the file again") from e
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); check the path") from e
    for line, entity, data in things:
        _listing(read, line, entity, data, sanctions.get(str(entity.id), []),
                 owners.get(str(entity.id), []), as_of)
    return read


def _line(read: SourceRead, path: Path, line: int, text: str,
          things: list[tuple[int, EntityProxy, dict[str, Any]]],
          sanctions: dict[str, list[EntityProxy]], owners: dict[str, list[str]]) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}, line {line}: not JSON ({e.msg}, column {e.colno}); each "
                         "line must be one FtM entity as `ftm export` or OpenSanctions "
                         "writes it") from e
    record = f"line {line}"
    if not isinstance(data, dict) or not data.get("id"):
        read.problem(record, "id", "no_id", text.strip()[:200], dropped=True)
        return
    record = f"line {line} ({data['id']})"
    schema = model.get(str(data.get("schema") or ""))
    if schema is None:
        read.problem(record, "schema", "schema_unknown", str(data.get("schema")), dropped=True)
        return
    try:
        entity = model.get_proxy(_prefixed(data, schema), cleaned=True)
    except (FollowTheMoneyException, ValueError, TypeError) as e:
        read.problem(record, "properties", "entity_invalid", str(e), dropped=True)
        return
    if schema.is_a("Sanction"):
        for target in entity.get("entity"):
            sanctions[target].append(entity)
    elif schema.is_a("Ownership"):
        for asset in entity.get("asset"):
            owners[asset].extend(entity.get("owner"))
    elif any(schema.is_a(s) for s in ROW_SCHEMATA):
        things.append((line, entity, data))
    else:
        read.counts[f"skipped_{schema.name}"] += 1


def _date(read: SourceRead, record: str, field: str, values: list[str], *,
          latest: bool = False) -> date | None:
    """The earliest (or latest) full date among ``values``; a partial one is a problem."""
    days = []
    for value in values:
        day = parse_date(value)
        if day is None:
            read.problem(record, field, date_problem(value), value, dropped=False)
        else:
            days.append(day)
    return (max if latest else min)(days, default=None)


def _listing(read: SourceRead, line: int, entity: EntityProxy, data: dict[str, Any],
             sanctions: list[EntityProxy], owners: list[str], as_of: date | None) -> None:
    record = f"line {line} ({data['id']})"
    names = entity.get("name")
    if not names and not (entity.schema.name == "Vessel" and entity.get("imoNumber")):
        reason = "no_name_or_imo" if entity.schema.name == "Vessel" else "no_name"
        read.problem(record, "name", reason, "", dropped=True)
        return
    programmes = list(dict.fromkeys(p for s in sanctions for p in s.get("program")))
    listed_on = (_date(read, record, "Sanction.listingDate",
                       [v for s in sanctions for v in s.get("listingDate")])
                 or _date(read, record, "Sanction.startDate",
                          [v for s in sanctions for v in s.get("startDate")])
                 or _date(read, record, "createdAt", entity.get("createdAt", quiet=True)))
    ends = [s.get("endDate") for s in sanctions]
    delisted_on = (_date(read, record, "Sanction.endDate", [v for e in ends for v in e],
                         latest=True) if ends and all(ends) else None)
    target = data.get("target")
    datasets = [str(d) for d in data.get("datasets") or []]
    listing = Listing(
        entity, names[0] if names else "", SOURCE,
        "OpenSanctions" + (f": {', '.join(datasets)}" if datasets else ""),
        programme="; ".join(programmes or entity.get("program", quiet=True)) or None,
        listed_on=listed_on, delisted_on=delisted_on, as_of=as_of,
        record_id=str(data["id"]),
        designated=target if isinstance(target, bool) else "sanction" in entity.get("topics"),
        reason="; ".join(dict.fromkeys(r for s in sanctions for r in s.get("reason"))) or None)
    listing.caption = listing.caption or listing.imo_caption
    for owner in [*entity.get("owner", quiet=True), *entity.get("operator", quiet=True),
                  *owners]:
        listing.add_owner(owner)
    read.listings.append(listing)
