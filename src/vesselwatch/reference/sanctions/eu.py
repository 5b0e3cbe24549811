"""EU regulation annexes as OpenSanctions transcribes them (``journal_sanctions`` CSV).

UTF-8 CSV with one exact header (:data:`CONSOLIDATED_HEADER` or, for files of one amending
act, :data:`AMENDMENT_HEADER`); one row per designated entity in one legal context. Entity
columns are FtM property names; every one but ``name`` is multi-valued, ``; ``-separated.

The recordId is the entry number printed in its annex, so it repeats across annexes (the
Russia file has a record 1 in twelve of them): the id is ``eu-<celex>-<annex>-<recordId>``
(``eu-32014R0833-XLII-1`` is Angara). When the annex prints no number, a vessel's IMO
number (``eu-32017R1509-XIII.B-imo8606173``) or else the name stands in for it.

A vessel name with parentheses, ``Chong Bong (Greenlight) (Blue Nouvelle)``, is the name
followed by former names. ``startDate`` (``25.6.2024``) is ``listed_on``; ``programKey``
(``EU-RUS``) the programme. The files carry no list date: ``as_of`` is the caller's.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Final

from vesselwatch.errors import InputError
from vesselwatch.model.sanctions import normalise_imo
from vesselwatch.reference.sanctions.flatten import (
    Listing,
    SourceRead,
    date_problem,
    new_entity,
    parse_date,
    slug,
)

__all__ = ["AMENDMENT_HEADER", "CONSOLIDATED_HEADER", "looks_like_eu", "read_eu"]

SOURCE: Final = "eu"
_SANCTIONS: Final = ("recordId", "programKey", "annex", "measure", "startDate", "reason")
ENTITY_COLUMNS: Final = (
    "schema", "name", "alias", "weakAlias", "previousName", "country", "nationality",
    "jurisdiction", "birthDate", "birthPlace", "position", "passportNumber", "gender",
    "appearance", "ethnicity", "fatherName", "motherName", "incorporationDate", "legalForm",
    "sector", "registrationNumber", "taxNumber", "idNumber", "innCode", "ogrnCode",
    "kppCode", "okpoCode", "leiCode", "swiftBic", "ticker", "imoNumber", "mmsi", "flag",
    "address", "phone", "email", "website", "notes")
CONSOLIDATED_HEADER: Final = ("celex", *_SANCTIONS, *ENTITY_COLUMNS)
AMENDMENT_HEADER: Final = ("amendedCelex", "amendmentCelex", *_SANCTIONS, *ENTITY_COLUMNS)
SCHEMATA: Final = {"Person", "LegalEntity", "Organization", "Company", "Vessel", "Asset"}
LIST_NAMES: Final = {"32014R0833": "EU Regulation 833/2014 (Russia)",
                     "32017R1509": "EU Regulation 2017/1509 (DPRK)"}
EURLEX: Final = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{}"
_FORMER: Final = re.compile(r"^(?P<name>[^()]+?)\s*(?P<former>(?:\([^()]+\)\s*)+)$")


def looks_like_eu(first_line: str) -> bool:
    """True when a CSV's first line is meant as a journal_sanctions header."""
    return first_line.startswith(("celex,", "amendedCelex,"))


def _split(cell: str) -> list[str]:
    """A multi-valued cell: ``Foo; Bar`` and ``"Foo; Bar"; Baz`` (FORMAT.md)."""
    if not cell:
        return []
    if '"' not in cell:
        return [v.strip() for v in cell.split(";") if v.strip()]
    return [v.strip() for v in next(csv.reader([cell], delimiter=";", skipinitialspace=True))
            if v.strip()]


def _header(path: Path, header: list[str]) -> tuple[str, ...]:
    for expected in (CONSOLIDATED_HEADER, AMENDMENT_HEADER):
        if tuple(header) == expected:
            return expected
    expected = AMENDMENT_HEADER if header[:1] == ["amendedCelex"] else CONSOLIDATED_HEADER
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    detail = (f"missing {', '.join(missing) or 'none'}; unknown {', '.join(extra) or 'none'}"
              if missing or extra else "the columns are in another order")
    raise InputError(f"{path}, line 1 (header): not the EU journal_sanctions header "
                     f"({detail}); expected {','.join(expected[:8])},... as in FORMAT.md: "
                     "give the file as OpenSanctions publishes it")


def read_eu(path: Path, *, as_of: date | None = None) -> SourceRead:
    """Read one EU journal_sanctions CSV (consolidated or amendment)."""
    read = SourceRead(path, SOURCE)
    ids: set[str] = set()
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            columns = _header(path, next(reader, []))
            for cells in reader:
                if not any(cells):
                    continue
                if len(cells) != len(columns):
                    raise InputError(
                        f"{path}, line {reader.line_num}: {len(cells)} cells, expected "
                        f"{len(columns)} as in the header; a value with a comma must be "
                        "quoted: fix the line or download the file again")
                read.counts["records_read"] += 1
                _row(read, reader.line_num, dict(zip(columns, cells)), ids, as_of)
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 ({e.reason} at byte {e.start}); the EU CSV "
                         "is UTF-8: download it again") from e
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); check the path") from e
    return read


def _row(read: SourceRead, line: int, row: dict[str, str], ids: set[str],
         as_of: date | None) -> None:
    row = {k: " ".join(v.split()) for k, v in row.items()}
    celex = row.get("celex") or row["amendedCelex"]
    schema, printed = row["schema"], row["name"]
    record = f"line {line}" + (f" ({row['annex']} {row['recordId']})" if row["recordId"] else "")
    if schema not in SCHEMATA:
        read.problem(record, "schema", "schema_unknown", schema, dropped=True)
        return
    name, former = printed, []
    if schema == "Vessel" and (m := _FORMER.match(printed)):
        name, former = m["name"], re.findall(r"\(([^()]+)\)", m["former"])
    imo = normalise_imo(row["imoNumber"]) if schema == "Vessel" else None
    key = row["recordId"] or (f"imo{imo}" if imo else slug(name)) or f"line{line}"
    entity_id = f"eu-{celex}-{row['annex'] or 'none'}-{key}"
    if entity_id in ids:
        read.problem(record, "recordId", "duplicate_record", entity_id, dropped=True)
        return
    listed_on = parse_date(row["startDate"]) if row["startDate"] else None
    if row["startDate"] and listed_on is None:
        read.problem(record, "startDate", date_problem(row["startDate"]), row["startDate"],
                     dropped=False)
    listing = Listing(new_entity(schema, entity_id), name, SOURCE,
                      LIST_NAMES.get(celex, f"EU CELEX {celex}"),
                      programme=row["programKey"] or None, listed_on=listed_on, as_of=as_of,
                      record_id=f"{row['annex']}/{row['recordId']}" if row["recordId"] else None,
                      reason=row["reason"] or None)
    listing.add("name", name)
    for value in former:
        listing.add("previousName", value)
    listing.add("program", row["programKey"])
    listing.entity.add("sourceUrl", EURLEX.format(celex), cleaned=True)
    _values(read, listing, record, row)
    if not name and not listing.entity.get("imoNumber"):
        read.problem(record, "name", "no_name_or_imo" if schema == "Vessel" else "no_name",
                     printed, dropped=True)
        return
    listing.caption = name or listing.imo_caption
    ids.add(entity_id)
    read.listings.append(listing)


def _values(read: SourceRead, listing: Listing, record: str, row: dict[str, str]) -> None:
    """The entity columns: identifiers and flags checked, the rest as FtM cleans them."""
    vessel = listing.is_vessel
    for column in ENTITY_COLUMNS[2:]:  # after schema and name
        for value in _split(row[column]):
            if column == "imoNumber" and vessel:
                if listing.add_imo(value) is None:
                    read.problem(record, column, "imo_invalid", value, dropped=False)
            elif column == "mmsi" and vessel:
                if listing.add_mmsi(value) is None:
                    read.problem(record, column, "mmsi_invalid", value, dropped=False)
            elif column == "flag" and vessel:
                if listing.add("flag", value) is None:
                    read.problem(record, column, "flag_unknown", value, dropped=False)
            elif listing.add(column, value) is None:
                read.counts[f"values_not_kept_{column}"] += 1
