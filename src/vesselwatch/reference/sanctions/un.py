"""The UN Security Council consolidated list (XML, ``sc-sanctions.xsd``).

``<CONSOLIDATED_LIST dateGenerated=...>`` holds INDIVIDUAL records (FtM ``Person``) and
ENTITY records (``Company`` when the name carries a legal form, else ``Organization``),
each with REFERENCE_NUMBER (the id: ``un-KPe.022``), UN_LIST_TYPE (the programme, e.g.
``DPRK``), LISTED_ON, names and aliases.

The list has no vessels of its own, but DPRK shipping companies name theirs in COMMENTS1:
"Registered owner of the DPRK tanker NAM SAN 8 ... and owner of vessel HAP JANG GANG 6",
"Ship manager of ... YU SON", "through its vessel, the Chong Chon Gang". Each named vessel
becomes a derived ``Vessel`` (``designated=False``, the company in ``owner_ids`` and as FtM
``owner`` or ``operator``), id ``<company id>-vessel-<name>``. The ``IMO number: 5342883``
printed in those comments is the *company's* IMO number (IMO Unique Company and
Registered Owner Identification Number, no ship check digit), so it goes onto the company
entity (FtM ``imoNumber``), never onto a vessel. A comment that mentions a vessel or
tanker and yields none is counted as ``vessel_mention_not_parsed``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Final

from vesselwatch.errors import InputError
from vesselwatch.model.sanctions import normalise_name
from vesselwatch.reference.sanctions.flatten import (
    Listing,
    SourceRead,
    date_problem,
    legal_entity_schema,
    new_entity,
    parse_date,
    slug,
)

__all__ = ["company_imo_numbers", "read_un", "vessels_in_comments"]

SOURCE: Final = "un_sc"
LIST_NAME: Final = "UN Security Council Consolidated List"
LIST_URL: Final = "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list"
ROOT: Final = "CONSOLIDATED_LIST"
_ALIAS_PROP: Final = {"low": "weakAlias", "f.k.a.": "previousName"}  # else alias

# Vessel names in COMMENTS1: upper-case words ("HAP JANG GANG 6"), or capitalised words
# right after "vessel" ("the vessel Chong Chon Gang"); lists joined by ", " or " and ".
_UP: Final = r"[A-Z0-9][A-Z0-9'\-]*\b(?: [A-Z0-9][A-Z0-9'\-]*\b)*"
_TITLE: Final = r"[A-Z][a-z]+(?: [A-Z][a-z]+)*"
_NAMES: Final = (rf"(?P<names>{_UP}(?:(?:, | and ){_UP})*"
                 rf"|(?<=vessel ){_TITLE}|(?<=vessel, the ){_TITLE})")
_NOT_NAMES: Final = {"DPRK", "UN", "IMO"}
_QUALIFIERS: Final = r"(?:(?:the|DPRK|[A-Z][\w-]*-flagged|oil|products|motor|cargo) )*"
_KIND: Final = r"(?:(?:tanker|vessel|ship)s? )?"
_OF: Final = re.compile(rf"\b(?:[Oo]wner|[Mm]anager|[Oo]perator(?:/manager)?) of "
                        rf"{_QUALIFIERS}{_KIND}{_NAMES}")
_OWNS: Final = re.compile(rf"\b(?:owns|through its) (?:vessel|tanker)s?,? (?:the )?{_NAMES}")
_OWNED_BY: Final = re.compile(rf"\b(?:tanker|vessel),? {_NAMES} owned by\b")
_MENTION: Final = re.compile(r"\b(?:vessel|tanker)s?\b", re.IGNORECASE)
_COMPANY_IMO: Final = re.compile(r"\bIMO\)?(?: [Nn]umber)?:? ?(\d+)")


def vessels_in_comments(text: str) -> list[tuple[str, str]]:
    """(vessel name, ``owner`` or ``operator``) named in a UN entity's comments, in order,
    each name once. A manager or operator is an ``operator``; a registered owner, an owner
    and a company acting "through its vessel" an ``owner``."""
    text = " ".join(text.split())
    found: dict[str, tuple[str, str]] = {}
    for pattern in (_OF, _OWNS, _OWNED_BY):
        for m in pattern.finditer(text):
            start = max(text.rfind(". ", 0, m.start()), 0)
            role = "owner" if (pattern is not _OF
                               or "owner" in text[start:m.start("names")].lower()) else "operator"
            for name in re.split(r", | and ", m["names"]):
                key = normalise_name(name)
                if key and key not in _NOT_NAMES and key not in found:
                    found[key] = (name, role)
    return list(found.values())


def company_imo_numbers(text: str) -> list[str]:
    """The numbers printed after "IMO" in a comment (``IMO number: 5571322``,
    ``Company Number IMO 5434358``, ``(IMO) Number: 1790183``), as printed."""
    return [m[1] for m in _COMPANY_IMO.finditer(text)]


def _parse(path: Path) -> ET.Element:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        line = e.position[0]
        raise InputError(f"{path}, line {line}: not well-formed XML ({e}); download the "
                         "UN consolidated list XML again") from e
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); check the path") from e
    if root.tag != ROOT:
        raise InputError(f"{path}: root element <{root.tag}>, expected <{ROOT}> of the UN "
                         "Security Council consolidated list (sc-sanctions.xsd); give the "
                         "file from https://scsanctions.un.org/resources/xml/en/consolidated.xml")
    return root


def read_un(path: Path, *, as_of: date | None = None) -> SourceRead:
    """Read the UN consolidated list. ``as_of`` is the list's ``dateGenerated``; the
    caller's ``as_of`` is used only when the file has none."""
    root = _parse(path)
    read = SourceRead(path, SOURCE)
    generated = parse_date(root.get("dateGenerated", ""))
    if generated is None:
        read.problem("CONSOLIDATED_LIST", "dateGenerated", "date_invalid",
                     root.get("dateGenerated", ""), dropped=False)
    list_as_of = generated or as_of
    for kind in ("INDIVIDUAL", "ENTITY"):
        for n, record in enumerate(root.iter(kind), 1):
            read.counts["records_read"] += 1
            read.counts[f"{kind.lower()}_records"] += 1
            _record(read, kind, n, record, list_as_of)
    return read


def _text(record: ET.Element, tag: str) -> str:
    return " ".join((record.findtext(tag) or "").split())


def _record(read: SourceRead, kind: str, n: int, record: ET.Element,
            as_of: date | None) -> None:
    ref = _text(record, "REFERENCE_NUMBER")
    where = ref or f"{kind} {n} (DATAID {_text(record, 'DATAID')})"
    tags = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
    name = " ".join(t for t in (_text(record, tag) for tag in tags) if t)
    if not ref or not name:
        read.problem(where, "REFERENCE_NUMBER" if not ref else "FIRST_NAME",
                     "no_record_id" if not ref else "no_name", name, dropped=True)
        return
    schema = "Person" if kind == "INDIVIDUAL" else legal_entity_schema(name)
    programme = _text(record, "UN_LIST_TYPE") or None
    listed = _text(record, "LISTED_ON")
    listed_on = parse_date(listed) if listed else None
    if listed and listed_on is None:
        read.problem(ref, "LISTED_ON", date_problem(listed), listed, dropped=False)
    listing = Listing(new_entity(schema, f"un-{ref}"), name, SOURCE, LIST_NAME,
                      programme=programme, listed_on=listed_on, as_of=as_of, record_id=ref)
    listing.add("name", name)
    for alias in record.iter(f"{kind}_ALIAS"):
        quality = _text(alias, "QUALITY").lower()
        listing.add(_ALIAS_PROP.get(quality, "alias"), _text(alias, "ALIAS_NAME"))
    listing.add("alias", _text(record, "NAME_ORIGINAL_SCRIPT"))
    listing.add("program", programme)
    listing.entity.add("sourceUrl", LIST_URL, cleaned=True)
    comments = (record.findtext("COMMENTS1") or "").strip()
    listing.add("notes", comments)
    for nationality in record.findall("NATIONALITY/VALUE"):
        listing.add("nationality", nationality.text)
    read.listings.append(listing)
    if kind == "ENTITY":
        _comments(read, listing, comments)


def _comments(read: SourceRead, company: Listing, comments: str) -> None:
    """The company's IMO number and the vessels it owns or operates, from COMMENTS1."""
    ref = str(company.record_id)
    for number in company_imo_numbers(comments):
        if company.add_imo(number) is None:
            read.problem(ref, "COMMENTS1: IMO", "imo_invalid", number, dropped=False)
        else:
            read.counts["company_imo_numbers"] += 1
    vessels = vessels_in_comments(comments)
    if not vessels and _MENTION.search(comments):
        read.problem(ref, "COMMENTS1", "vessel_mention_not_parsed", comments[:200],
                     dropped=False)
    for name, role in vessels:
        entity = new_entity("Vessel", f"{company.id}-vessel-{slug(name)}",
                            topic="sanction.linked")
        vessel = Listing(entity, name, SOURCE, LIST_NAME, programme=company.programme,
                         as_of=company.as_of, record_id=ref, designated=False,
                         owner_ids=[company.id],
                         reason=f"{company.caption} ({ref}) is its {role}, per the UN listing")
        vessel.add("name", name)
        vessel.add("program", company.programme)
        entity.add(role, company.id, cleaned=True)
        entity.add("sourceUrl", LIST_URL, cleaned=True)
        vessel.add("notes", f"Named in the UN listing of {company.caption} ({ref}): "
                            f"{comments}")
        read.listings.append(vessel)
