"""Listings (FtM entities plus where and when they were listed) and the one place they
become tables.

Each reader (``ofac``, ``un``, ``eu``, ``ftm``) returns a :class:`SourceRead`: one
:class:`Listing` per entity it could use, one :class:`Problem` per record or value it could
not, and its own counts. :func:`entities_table` and :func:`features_table` turn listings
into ``SANCTION_ENTITIES`` and ``SANCTION_FEATURES`` (``vesselwatch.model.sanctions``);
:func:`problems_table` turns problems into :data:`SANCTION_PROBLEMS`.

A feature's ``value`` is always the output of the model's normaliser, so screening is an
equality join; its ``raw`` is the value as the list printed it (the FtM entity holds the
FtM-cleaned form, e.g. ``IMO9179842`` or ``pa``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

import pyarrow as pa
from followthemoney import model
from followthemoney.proxy import EntityProxy

from vesselwatch.model.imo import is_valid_imo
from vesselwatch.model.sanctions import (
    SANCTION_ENTITIES,
    SANCTION_FEATURES,
    normalise_callsign,
    normalise_imo,
    normalise_mmsi,
    normalise_name,
)

__all__ = [
    "PROBLEM_REASONS",
    "SANCTION_PROBLEMS",
    "Listing",
    "Problem",
    "SourceRead",
    "date_problem",
    "entities_table",
    "features_table",
    "legal_entity_schema",
    "new_entity",
    "parse_date",
    "problems_table",
    "slug",
]

SANCTION_PROBLEMS: Final = pa.schema([
    pa.field("source", pa.string(), nullable=False),  # ofac_sdn, un_sc, eu, opensanctions
    pa.field("file", pa.string(), nullable=False),  # the file read
    pa.field("record", pa.string(), nullable=False),  # "line 12", "ent_num 23424", "KPe.022"
    pa.field("field", pa.string(), nullable=False),  # the column, element or property
    pa.field("reason", pa.string(), nullable=False),  # a reason code, e.g. "imo_invalid"
    pa.field("raw", pa.string(), nullable=False),  # the value as printed ("" when missing)
    pa.field("dropped", pa.bool_(), nullable=False),  # True: no entity made from the record
])

PROBLEM_REASONS: Final = {
    # the record is dropped (no entity made from it)
    "no_name": "an entity without a name",
    "no_name_or_imo": "a vessel with neither a name nor an IMO number",
    "no_record_id": "a UN record without REFERENCE_NUMBER (its id)",
    "no_id": "an FtM line without an id",
    "schema_unknown": "a schema the reader does not know (EU schema column, FtM schema)",
    "entity_invalid": "an FtM line FollowTheMoney cannot read",
    "duplicate_record": "an EU row whose annex and recordId were already read in the file",
    "alias_unusable": "an OFAC alt.csv row with an unknown alias type or no name",
    # the record is kept, the value is not
    "imo_invalid": "an IMO number that is not seven digits (\"IMO 15411\", \"Does not exist\")",
    "mmsi_invalid": "an MMSI that is not nine digits",
    "flag_unknown": "a flag that is no country FollowTheMoney knows",
    "date_partial": "a listing date without a day (\"2011\", \"2022-03\"): listed_on null",
    "date_invalid": "a listing date that cannot be read: listed_on null",
    "vessel_mention_not_parsed": "UN comments speak of a vessel or tanker but name none "
                                 "the reader could find",
}
"""Reason codes of :data:`SANCTION_PROBLEMS`, as in ``docs/sanctions.md``."""


@dataclass(frozen=True)
class Problem:
    """A record that could not be used (``dropped``) or a value of a kept record that could
    not (an IMO that is not seven digits, a flag that is no country...)."""

    source: str
    file: str
    record: str
    field: str
    reason: str
    raw: str
    dropped: bool


@dataclass
class Listing:
    """One FtM entity and the facts about its listing that FtM entities do not carry."""

    entity: EntityProxy
    caption: str
    source: str
    list_name: str
    programme: str | None = None
    listed_on: date | None = None
    delisted_on: date | None = None
    as_of: date | None = None
    record_id: str | None = None
    designated: bool = True
    owner_ids: list[str] = field(default_factory=list)
    reason: str | None = None
    raw: dict[tuple[str, str], str] = field(default_factory=dict)  # (prop, FtM value) -> printed

    @property
    def id(self) -> str:
        return str(self.entity.id)

    @property
    def is_vessel(self) -> bool:
        return self.entity.schema.name == "Vessel"

    @property
    def imo_caption(self) -> str:
        """``"IMO 9179842"``: the caption of a vessel listed without a name."""
        return f"IMO {normalise_imo(self.entity.first('imoNumber'))}"

    def add(self, prop: str, printed: str | None) -> str | None:
        """Add a printed value; FtM cleans it. The FtM value, or None when the value is
        empty, FtM rejects it or the schema has no such property."""
        text = " ".join((printed or "").split())
        schema_prop = self.entity.schema.properties.get(prop)
        if not text or schema_prop is None or schema_prop.stub:
            return None
        value = self.entity.unsafe_add(schema_prop, text)
        if value is not None:
            self.raw.setdefault((prop, value), text)
        return value

    def add_imo(self, printed: str) -> str | None:
        """Add an IMO number (``"IMO 9179842"``, ``"9179842"``): its seven digits, or None
        when it is not seven digits. A wrong check digit is kept (FtM itself would drop it):
        screening decides what a bad check digit means."""
        digits = normalise_imo(printed)
        if digits is None:
            return None
        value = f"IMO{digits}"  # FtM's own form of an IMO number
        self.entity.add("imoNumber", value, cleaned=True)
        self.raw.setdefault(("imoNumber", value), printed.strip())
        return digits

    def add_mmsi(self, printed: str) -> str | None:
        digits = normalise_mmsi(printed.strip())
        if digits is not None:
            self.entity.add("mmsi", digits, cleaned=True)
            self.raw.setdefault(("mmsi", digits), printed.strip())
        return digits

    def add_owner(self, owner_id: str) -> None:
        if owner_id not in self.owner_ids:
            self.owner_ids.append(owner_id)


@dataclass
class SourceRead:
    """What a reader made of one file."""

    path: Path
    source: str
    listings: list[Listing] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def problem(self, record: str, field: str, reason: str, raw: str = "", *,
                dropped: bool) -> None:
        if reason not in PROBLEM_REASONS:
            raise ValueError(f"unknown problem reason {reason!r}")
        self.problems.append(Problem(self.source, str(self.path), record, field, reason,
                                     raw, dropped))

    def summary(self) -> dict[str, int]:
        """Counts for the loader's report: the reader's own, then what was made."""
        out = dict(self.counts)
        vessels = [x for x in self.listings if x.is_vessel]
        imos = [normalise_imo(v) for x in vessels for v in x.entity.get("imoNumber")]
        out["entities"] = len(self.listings)
        out["vessels"] = len(vessels)
        out["vessels_designated"] = sum(x.designated for x in vessels)
        out["vessels_derived"] = sum(not x.designated for x in vessels)
        out["vessels_with_imo"] = sum(bool(x.entity.get("imoNumber")) for x in vessels)
        out["vessels_with_mmsi"] = sum(bool(x.entity.get("mmsi")) for x in vessels)
        out["imo_bad_check_digit"] = sum(i is not None and not is_valid_imo(int(i))
                                         for i in imos)
        out["records_dropped"] = sum(p.dropped for p in self.problems)
        for reason, n in sorted(Counter(p.reason for p in self.problems).items()):
            out[f"problem_{reason}"] = n
        return out


def new_entity(schema: str, entity_id: str, *, topic: str = "sanction") -> EntityProxy:
    """An empty FtM entity with its id and topic."""
    entity = model.make_entity(schema)
    entity.id = entity_id
    entity.add("topics", topic)
    return entity


_LEGAL_FORM = re.compile(
    r"\b(CO|COMPANY|CORP|CORPORATION|LTD|LIMITED|LLC|LLP|INC|JV|GMBH|PLC|SA|S A|JSC|PJSC|"
    r"OJSC|OOO|BV|AG|FZE|FZCO|PTE|SHIPPING|TRADING|BANK)\b")


def legal_entity_schema(name: str) -> str:
    """``Company`` when the name carries a legal form or a business word, else
    ``Organization`` (the lists do not say which)."""
    return "Company" if _LEGAL_FORM.search(normalise_name(name)) else "Organization"


def slug(text: str, limit: int = 60) -> str:
    """``"Chong Chon Gang"`` -> ``"chong-chon-gang"``: for ids made from names."""
    return normalise_name(text).lower().replace(" ", "-")[:limit].strip("-")


_MONTHS: Final = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|[T\s+-])")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_WORDED = re.compile(r"(\d{1,2}) ([A-Za-z]{3})[a-z]*\.? (\d{4})$")
_PARTIAL = re.compile(r"\d{4}(-\d{2})?$")


def parse_date(text: str) -> date | None:
    """A full date as the lists print one: ``2016-03-02`` (a time or zone after it is
    ignored), ``25.6.2024``, ``14 June 2022``, ``26 Feb. 2011``; None otherwise (see
    :func:`date_problem`)."""
    text = text.strip()
    try:
        if m := _ISO.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DOTTED.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if (m := _WORDED.match(text)) and m[2].lower() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    except ValueError:  # 31.2.2020
        return None
    return None


def date_problem(text: str) -> str:
    """The reason code for a date :func:`parse_date` could not read."""
    return "date_partial" if _PARTIAL.match(text.strip()) else "date_invalid"


def _flag(value: str) -> str | None:
    return value if re.fullmatch(r"[a-z]{2}", value) else None


def _name(value: str) -> str | None:
    return normalise_name(value) or None  # a name in a non-Latin script only folds to ""


def _callsign(value: str) -> str | None:
    return normalise_callsign(value) or None


# (FtM property, feature, former, normaliser, vessels only)
_FEATURE_PROPS: Final[tuple[tuple[str, str, bool, Callable[[str], str | None], bool], ...]] = (
    ("name", "name", False, _name, False),
    ("alias", "name", False, _name, False),
    ("previousName", "name", True, _name, False),
    ("imoNumber", "imo", False, normalise_imo, True),  # a company's IMO number is no ship's
    ("mmsi", "mmsi", False, normalise_mmsi, True),
    ("callSign", "callsign", False, _callsign, True),
    ("flag", "flag", False, _flag, True),
    ("pastFlags", "flag", True, _flag, True),
)


def features_table(listings: Iterable[Listing]) -> pa.Table:
    """One row per distinct (entity, feature, value, former); weak aliases are left out
    (``Low quality a.k.a.``: too short or common to screen on)."""
    cols: dict[str, list[object]] = {n: [] for n in SANCTION_FEATURES.names}
    for listing in listings:
        seen: set[tuple[str, str, bool]] = set()
        for prop, feature, former, normalise, vessel_only in _FEATURE_PROPS:
            if vessel_only and not listing.is_vessel:
                continue
            for ftm_value in listing.entity.get(prop, quiet=True):
                value = normalise(ftm_value)
                if value is None or (feature, value, former) in seen:
                    continue
                seen.add((feature, value, former))
                cols["entity_id"].append(listing.id)
                cols["feature"].append(feature)
                cols["value"].append(value)
                cols["raw"].append(listing.raw.get((prop, ftm_value), ftm_value))
                cols["former"].append(former)
    return pa.Table.from_pydict(cols, schema=SANCTION_FEATURES)


def entities_table(listings: Iterable[Listing]) -> pa.Table:
    """One row per listing, the FtM entity as JSON (``EntityProxy.to_dict``)."""
    cols: dict[str, list[object]] = {n: [] for n in SANCTION_ENTITIES.names}
    for x in listings:
        row: dict[str, object] = {
            "entity_id": x.id, "schema": x.entity.schema.name, "caption": x.caption,
            "source": x.source, "list_name": x.list_name, "programme": x.programme,
            "listed_on": x.listed_on, "delisted_on": x.delisted_on, "as_of": x.as_of,
            "record_id": x.record_id, "designated": x.designated,
            "owner_ids": list(x.owner_ids), "reason": x.reason,
            "ftm": json.dumps(x.entity.to_dict(), ensure_ascii=False, sort_keys=True),
        }
        for name, value in row.items():
            cols[name].append(value)
    return pa.Table.from_pydict(cols, schema=SANCTION_ENTITIES)


def problems_table(problems: Iterable[Problem]) -> pa.Table:
    cols: dict[str, list[object]] = {n: [] for n in SANCTION_PROBLEMS.names}
    for p in problems:
        for name in SANCTION_PROBLEMS.names:
            cols[name].append(getattr(p, name))
    return pa.Table.from_pydict(cols, schema=SANCTION_PROBLEMS)
