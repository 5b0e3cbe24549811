"""The OFAC SDN list in its legacy CSV set: sdn.csv, alt.csv, sdn_comments.csv.

No header, latin-1, ``-0-`` for null. sdn.csv has twelve columns (:data:`SDN_COLUMNS`);
vessels are the rows of SDN_Type ``vessel``, with call sign, type, tonnages, flag and owner
in columns and the rest in Remarks, ``;``-separated: ``Vessel Registration Identification
IMO 9187629``, ``MMSI 572469210``, ``Former Vessel Flag Malta``, ``f.k.a. 'ALPHA'``,
``Linked To: NATIONAL IRANIAN TANKER COMPANY.`` (``docs/sanctions.md``). alt.csv adds
aliases (``aka``, ``fka``, ``nka``); sdn_comments.csv continues Remarks cut at 1,000
characters. The set carries no dates: ``as_of`` is the caller's, ``listed_on`` null.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Final

from vesselwatch.errors import InputError
from vesselwatch.reference.sanctions.flatten import (
    Listing,
    SourceRead,
    legal_entity_schema,
    new_entity,
)

__all__ = ["ALT_COLUMNS", "SDN_COLUMNS", "read_ofac"]

SOURCE: Final = "ofac_sdn"
LIST_NAME: Final = "OFAC SDN List"
DETAILS_URL: Final = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={}"
SDN_COLUMNS: Final = ("ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign",
                      "Vess_type", "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks")
ALT_COLUMNS: Final = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
COMMENT_COLUMNS: Final = ("ent_num", "Remarks_extended")
_SCHEMA: Final = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
_ALT_PROP: Final = {"aka": "alias", "fka": "previousName", "nka": "alias"}
_NO_FLAG: Final = {"none identified"}

# Remarks clauses of a vessel (each matched against one ";"-separated clause)
_IMO = re.compile(r"Vessel Registration Identification (.+?)\.?$")
_MMSI = re.compile(r"MMSI (.+?)\.?$")
_FORMER_FLAG = re.compile(r"(?:alt\. )?Former Vessel Flag (.+?)\.?$")
_OTHER = re.compile(r"(?:alt\. )?Other Vessel (Flag|Call Sign|Type) (.+?)\.?$")
_ALIAS = re.compile(r"(?:alt\. )?([afn])\.k\.a\. '(.+)'\.?$")
_LINKED = re.compile(r"Linked To: (.+)$")
_OTHER_PROP: Final = {"Flag": "flag", "Call Sign": "callSign", "Type": "type"}


def _cell(text: str) -> str:
    """The cell without OFAC's null marker ``-0-`` and surrounding blanks."""
    text = text.strip()
    return "" if text == "-0-" else text


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of an OFAC CSV; a row with another number of cells is an error.
    The DOS end-of-file mark (a last line ``\\x1a``) and blank lines are skipped."""
    try:
        with path.open(encoding="latin-1", newline="") as f:
            reader = csv.reader(f)
            for cells in reader:
                if not cells or cells in (["\x1a"], [""]):
                    continue
                if len(cells) != len(columns):
                    raise InputError(
                        f"{path}, line {reader.line_num}: {len(cells)} columns, expected "
                        f"{len(columns)} ({', '.join(columns)}); this is not an OFAC legacy "
                        f"{path.name} or it is cut short: download the file again")
                if not cells[0].strip().isdigit():
                    raise InputError(
                        f"{path}, line {reader.line_num}, field ent_num: {cells[0]!r} is not "
                        "a number; the OFAC legacy CSV has no header line: remove it")
                yield reader.line_num, cells
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); check the path") from e


def read_ofac(path: Path, *, as_of: date | None = None) -> SourceRead:
    """Read an OFAC legacy CSV set: ``path`` is its folder or its sdn.csv; alt.csv and
    sdn_comments.csv beside it are read when present."""
    sdn = path / "sdn.csv" if path.is_dir() else path
    read = SourceRead(sdn, SOURCE)
    comments: dict[str, str] = defaultdict(str)
    if (sdn.parent / "sdn_comments.csv").is_file():
        for _, (ent, text) in _rows(sdn.parent / "sdn_comments.csv", COMMENT_COLUMNS):
            comments[ent.strip()] += text
            read.counts["comments_read"] += 1
    aliases: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if (sdn.parent / "alt.csv").is_file():
        for line, (ent, _, kind, name, _) in _rows(sdn.parent / "alt.csv", ALT_COLUMNS):
            prop = _ALT_PROP.get(_cell(kind).lower())
            if prop is None or not _cell(name):
                read.problem(f"alt.csv line {line}", "alt_type", "alias_unusable",
                             f"{kind}|{name}", dropped=True)
                continue
            aliases[ent.strip()].append((prop, _cell(name)))
            read.counts["aliases_read"] += 1
    else:
        read.counts["alt_csv_missing"] = 1
    rows = list(_rows(sdn, SDN_COLUMNS))
    read.counts["records_read"] = len(rows)
    index = _name_index(rows, aliases)
    for line, cells in rows:
        _read_row(read, line, [_cell(c) for c in cells], comments, aliases, index, as_of)
    return read


def _name_index(rows: list[tuple[int, list[str]]],
                aliases: dict[str, list[tuple[str, str]]]) -> dict[str, list[str]]:
    """Upper-cased names to entity ids, to resolve vessel owners: a primary name wins over
    an alias (``NATIONAL IRANIAN TANKER COMPANY`` is ent_num 15117's name and an alias of
    15119, its representative office)."""
    primary: dict[str, list[str]] = defaultdict(list)
    for _, cells in rows:
        primary[_cell(cells[1]).upper()].append(f"ofac-{cells[0].strip()}")
    index: dict[str, list[str]] = defaultdict(list)
    for ent, names in aliases.items():
        for _, name in names:
            if f"ofac-{ent}" not in index[name.upper()]:
                index[name.upper()].append(f"ofac-{ent}")
    index.update(primary)
    return dict(index)


def _read_row(read: SourceRead, line: int, cells: list[str], comments: dict[str, str],
              aliases: dict[str, list[tuple[str, str]]], index: dict[str, list[str]],
              as_of: date | None) -> None:
    ent, name, kind, program = cells[0], cells[1], cells[2].lower(), cells[3]
    remarks = cells[11] + comments.get(ent, "")
    schema = _SCHEMA.get(kind) or legal_entity_schema(name)
    programmes = [p.strip() for p in program.strip("[] ").split("] [") if p.strip()]
    entity = new_entity(schema, f"ofac-{ent}")
    listing = Listing(entity, name, SOURCE, LIST_NAME, programme="; ".join(programmes) or None,
                      as_of=as_of, record_id=ent)
    listing.add("name", name)
    for prop, alias in aliases.get(ent, []):
        listing.add(prop, alias)
    for p in programmes:
        listing.add("program", p)
    entity.add("sourceUrl", DETAILS_URL.format(ent), cleaned=True)
    listing.add("notes", remarks)
    if schema == "Vessel":
        _vessel(read, listing, line, cells, remarks, index)
        if not name and not entity.get("imoNumber"):
            read.problem(f"line {line} (ent_num {ent})", "SDN_Name", "no_name_or_imo", "",
                         dropped=True)
            return
        listing.caption = name or listing.imo_caption
    elif not name:
        read.problem(f"line {line} (ent_num {ent})", "SDN_Name", "no_name", "", dropped=True)
        return
    read.listings.append(listing)


def _vessel(read: SourceRead, listing: Listing, line: int, cells: list[str], remarks: str,
            index: dict[str, list[str]]) -> None:
    """Columns and Remarks clauses of a vessel row into the FtM Vessel."""
    record = f"line {line} (ent_num {cells[0]})"
    listing.add("callSign", cells[5])
    listing.add("type", cells[6])
    listing.add("deadweightTonnage", cells[7].replace(",", ""))
    listing.add("grossRegisteredTonnage", cells[8].replace(",", ""))
    _flag(read, listing, record, "Vess_flag", "flag", cells[9])
    if cells[10]:
        _owner(read, listing, cells[10], index)
    for clause in (c.strip() for c in remarks.split(";")):
        if m := _IMO.match(clause):
            if listing.add_imo(m[1]) is None:
                read.problem(record, "Remarks: IMO", "imo_invalid", m[1], dropped=False)
        elif m := _MMSI.match(clause):
            if listing.add_mmsi(m[1]) is None:
                read.problem(record, "Remarks: MMSI", "mmsi_invalid", m[1], dropped=False)
        elif m := _FORMER_FLAG.match(clause):
            _flag(read, listing, record, "Remarks: Former Vessel Flag", "pastFlags", m[1])
        elif m := _OTHER.match(clause):
            if m[1] == "Flag":
                _flag(read, listing, record, "Remarks: Other Vessel Flag", "flag", m[2])
            else:
                listing.add(_OTHER_PROP[m[1]], m[2])
        elif m := _ALIAS.match(clause):
            listing.add("previousName" if m[1] == "f" else "alias", m[2])
        elif m := _LINKED.match(clause):
            _owner(read, listing, m[1], index)


def _flag(read: SourceRead, listing: Listing, record: str, column: str, prop: str,
          text: str) -> None:
    if text and text.lower() not in _NO_FLAG and listing.add(prop, text) is None:
        read.problem(record, column, "flag_unknown", text, dropped=False)


def _owner(read: SourceRead, listing: Listing, name: str, index: dict[str, list[str]]) -> None:
    """An owner named in Vess_owner or ``Linked To:``: the listed SDN of that name or alias
    (tried as printed, then without a closing full stop: ``PETROLEOS DE VENEZUELA, S.A.``
    ends a Remarks); a name no SDN has stays in the notes and is counted."""
    key = name.strip().upper()
    ids = index.get(key) or index.get(key.rstrip(".")) or []
    for owner_id in ids:
        if owner_id != listing.id:
            listing.add_owner(owner_id)
            listing.entity.add("owner", owner_id, cleaned=True)
    if not ids:
        read.counts["owners_not_listed"] += 1
        listing.add("notes", f"Owner or link as listed, no SDN of that name: {name}")
