"""Sanctions lists as two columnar tables, whatever list they came from.

Every source (OFAC SDN, the UN Security Council consolidated list, the EU regulation
tables, OpenSanctions FollowTheMoney exports) is read into FollowTheMoney entities and
flattened into:

- :data:`SANCTION_ENTITIES`: one row per listed (or list-derived) entity, with where and
  when it was listed and the FtM entity itself as JSON;
- :data:`SANCTION_FEATURES`: one row per identifying value of an entity (an IMO number, an
  MMSI, a name, a call sign, a flag), normalised so screening is an equality join.

``normalise_name`` and friends live here because both the readers and the screening use
them: a name must be normalised the same way on both sides of the join.
"""

from __future__ import annotations

import re
import unicodedata

import pyarrow as pa

__all__ = [
    "FEATURES",
    "SANCTION_ENTITIES",
    "SANCTION_FEATURES",
    "SCREENING_HITS",
    "TIERS",
    "ais_ship_category",
    "normalise_callsign",
    "normalise_imo",
    "normalise_mmsi",
    "normalise_name",
    "ship_category",
]

SANCTION_ENTITIES = pa.schema([
    pa.field("entity_id", pa.string(), nullable=False),  # "<source>-<record id>[-<n>]", stable
    pa.field("schema", pa.string(), nullable=False),  # FtM schema: Vessel, Company, Person...
    pa.field("caption", pa.string(), nullable=False),  # the main name as listed
    pa.field("source", pa.string(), nullable=False),  # ofac_sdn, un_sc, eu, opensanctions
    pa.field("list_name", pa.string(), nullable=False),  # e.g. "OFAC SDN List"
    pa.field("programme", pa.string()),  # e.g. "DPRK3", "DPRK (UN 1718)", "EU-RUS"
    pa.field("listed_on", pa.date32()),  # null when the list does not say
    pa.field("delisted_on", pa.date32()),
    pa.field("as_of", pa.date32()),  # the date of the list itself
    pa.field("record_id", pa.string()),  # the list's own id (OFAC ent_num, UN reference...)
    # True: the entity itself is listed. False: a vessel known only as the property of a
    # listed owner or operator (e.g. named in a UN-listed company's comments)
    pa.field("designated", pa.bool_(), nullable=False),
    pa.field("owner_ids", pa.list_(pa.string())),  # listed entities that own or operate it
    pa.field("reason", pa.string()),  # the listing reason where given
    pa.field("ftm", pa.string(), nullable=False),  # the FtM entity (EntityProxy.to_dict) as JSON
])

FEATURES = ("imo", "mmsi", "name", "callsign", "flag")

SANCTION_FEATURES = pa.schema([
    pa.field("entity_id", pa.string(), nullable=False),
    pa.field("feature", pa.string(), nullable=False),  # one of FEATURES
    # normalised: IMO 7 digits; MMSI 9 digits; name by normalise_name; call sign by
    # normalise_callsign; flag ISO 3166-1 alpha-2 lower case
    pa.field("value", pa.string(), nullable=False),
    pa.field("raw", pa.string(), nullable=False),  # as the list prints it
    pa.field("former", pa.bool_(), nullable=False),  # a former name or flag
])

_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_VESSEL_PREFIX = re.compile(r"^((M ?V|M ?T|S ?S|MS|MY) )+")
# letters that Unicode does not decompose into a base letter and an accent
_LETTERS = str.maketrans({"Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe",
                          "ß": "ss", "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th", "Ł": "L",
                          "ł": "l", "ı": "i", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h"})


def normalise_name(name: str) -> str:
    """A vessel or company name for comparison: accents folded (``Ø`` as ``O``), upper
    case, every run of other characters one space, leading vessel prefixes (MV, M/V, MT,
    SS) dropped: ``"M/V Lady-R "`` -> ``"LADY R"``, ``"Maia-1"`` -> ``"MAIA 1"``.
    Idempotent: a normalised name normalises to itself."""
    folded = unicodedata.normalize("NFKD", name.translate(_LETTERS))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    text = _NOT_ALNUM.sub(" ", ascii_text.upper()).strip()
    return _VESSEL_PREFIX.sub("", text + " ").strip()


def normalise_imo(value: str | int | None) -> str | None:
    """Seven digits (``"IMO 9179842"``, ``"IMO9179842"``, ``9179842`` -> ``"9179842"``), or
    None for anything else. The check digit is not checked here (see ``model.imo``)."""
    if value is None:
        return None
    digits = re.sub(r"(?i)^\s*imo[\s:.-]*", "", str(value)).strip()
    return digits if re.fullmatch(r"[1-9]\d{6}", digits) else None


def normalise_mmsi(value: str | int | None) -> str | None:
    """Nine digits, or None."""
    if value is None:
        return None
    digits = str(value).strip()
    return digits if re.fullmatch(r"\d{9}", digits) else None


_TYPE_WORDS = (  # (words in a listed vessel type, category), first match wins
    (("tanker",), "tanker"),
    (("fishing", "trawler"), "fishing"),
    (("passenger", "ferry", "cruise"), "passenger"),
    (("tug", "supply", "anchor handling"), "tug"),
    (("pleasure", "yacht"), "pleasure"),
    (("cargo", "bulk", "container", "roll-on", "ro-ro", "reefer", "carrier", "landing craft"),
     "cargo"),
)


def ship_category(listed_type: str) -> str | None:
    """A listed vessel type (``"Crude Oil Tanker"``, ``"General Cargo"``) as one of the
    categories AIS ship types also map to, or None."""
    text = listed_type.lower()
    for words, category in _TYPE_WORDS:
        if any(w in text for w in words):
            return category
    return None


def ais_ship_category(ship_type: int | None) -> str | None:
    """An AIS ship and cargo type (ITU-R M.1371, message 5) as a category, or None:
    30 fishing; 31, 32, 52 tug (towing); 36, 37 pleasure; 60-69 passenger; 70-79 cargo;
    80-89 tanker."""
    if ship_type is None:
        return None
    if ship_type == 30:
        return "fishing"
    if ship_type in (31, 32, 52):
        return "tug"
    if ship_type in (36, 37):
        return "pleasure"
    return {6: "passenger", 7: "cargo", 8: "tanker"}.get(ship_type // 10)


def normalise_callsign(value: str) -> str:
    """Upper case, without spaces or dashes: ``"ub-vw 1"`` -> ``"UBVW1"``."""
    return re.sub(r"[\s\-]+", "", value.upper())


TIERS = ("sanctioned", "risk", "lead")  # strongest first; docs/screening.md

SCREENING_HITS = pa.schema([
    pa.field("hit_id", pa.string(), nullable=False),  # 16 hex digits of (mmsi, entity_id)
    pa.field("mmsi", pa.uint32(), nullable=False),
    pa.field("vessel_name", pa.string()),  # the latest name the MMSI broadcast
    pa.field("tier", pa.string(), nullable=False),  # one of TIERS
    pa.field("score", pa.float64(), nullable=False),  # 0..1, docs/screening.md
    pa.field("matched", pa.string(), nullable=False),  # JSON list of the matched features
    pa.field("entity_id", pa.string(), nullable=False),
    pa.field("entity_name", pa.string(), nullable=False),
    pa.field("entity_schema", pa.string(), nullable=False),
    pa.field("designated", pa.bool_(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("list_name", pa.string(), nullable=False),
    pa.field("programme", pa.string()),
    pa.field("listed_on", pa.date32()),
    pa.field("as_of", pa.date32()),
    pa.field("reason", pa.string()),  # the list's (or watchlist's) reason for the entry
    # JSON list of the listed owners or operators of the entity: {entity_id, name, schema}
    pa.field("owners", pa.string()),
    pa.field("first_seen", pa.timestamp("us", tz="UTC")),  # the MMSI in the store
    pa.field("last_seen", pa.timestamp("us", tz="UTC")),
    pa.field("seen_after_listing", pa.bool_()),  # null when the listing date is unknown
    pa.field("events_after_listing", pa.int64()),  # events starting on or after it
    pa.field("common_name", pa.bool_(), nullable=False),  # the matched name is common
    pa.field("explanation", pa.string(), nullable=False),
    pa.field("false_positive", pa.bool_(), nullable=False),  # marked by an analyst
    pa.field("false_positive_note", pa.string()),
])
