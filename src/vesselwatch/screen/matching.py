"""Screen vessel identities against sanctions entities: exact joins on IMO, MMSI and call
sign, exact and fuzzy names, then one graded hit per (vessel, entity).

Pure functions on Arrow tables (``docs/screening.md`` is the definition):

- **sanctioned**: an IMO the vessel broadcast is the IMO of a listed vessel (any name);
- **risk**: the IMO of a vessel whose *owner or operator* is listed (the vessel itself is
  not), or an MMSI match alone (MMSIs are reissued);
- **lead**: a current or former name, or a call sign, alone. Never "sanctioned".

The score (0..1) ranks hits within a tier: IMO 0.95, MMSI 0.9, call sign 0.7, a name its
similarity times 0.8 (halved for a common name), plus 0.05 for each further agreeing
feature (name, call sign, flag, ship type), at most 1; a name or call sign alone on a
vessel of another kind (the AIS ship type says tanker, the list says cargo) scores 0.75
times as much.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from vesselwatch.model.imo import is_valid_imo
from vesselwatch.model.sanctions import SCREENING_HITS, TIERS, ship_category
from vesselwatch.screen.explain import explain

__all__ = ["ScreenParams", "screen_identities"]

FEATURE_SCORE = {"imo": 0.95, "mmsi": 0.9, "callsign": 0.7}
NAME_WEIGHT = 0.8
QUALIFIER_BONUS = 0.05
COMMON_NAME_FACTOR = 0.5
TYPE_MISMATCH_FACTOR = 0.75  # a name-only lead on a vessel of another kind (tanker, cargo...)


@dataclass(frozen=True)
class ScreenParams:
    """Screening parameters; echoed with the results."""

    name_threshold: float = 0.9  # fuzzy name similarity (rapidfuzz ratio / 100) to report
    min_name_length: int = 3  # normalised names shorter than this are never matched alone
    common_name_entities: int = 3  # a name listed for this many entities or more is common
    common_names: frozenset[str] = field(default_factory=lambda: frozenset({
        "MARIA", "STAR", "OCEAN", "SEA", "SUN", "HOPE", "VICTORY", "GLORY", "PRINCESS",
        "QUEEN", "LADY", "EAGLE", "PHOENIX", "ATLANTIC", "PACIFIC", "NEPTUNE", "ZEUS",
        "APOLLO", "MERCURY", "JUPITER", "ORION", "ANNA", "ELENA", "HELEN", "LUCKY",
        "FORTUNE", "GRACE", "DIAMOND", "PEARL", "GOLDEN"}))


def screen_identities(identities: pa.Table, entities: pa.Table, features: pa.Table, *,
                      params: ScreenParams = ScreenParams(),
                      event_starts: dict[int, list[datetime]] | None = None,
                      false_positives: dict[str, str] | None = None) -> pa.Table:
    """Hits (:data:`SCREENING_HITS`) of ``identities`` (``screen.identities``) against
    ``entities``/``features`` (``model.sanctions``). ``event_starts``: per MMSI the start
    times of its events, to count those after the listing date. ``false_positives``:
    hit id -> the analyst's note; those hits are kept and marked.

    Columnar where the rows are many: the exact matches are one hash join of the identity
    features with the listed ones, the near names one ``rapidfuzz.process.cdist`` of the
    distinct names; only the matched vessels' rows become Python objects."""
    ents = {r["entity_id"]: r for r in entities.to_pylist()}
    vessels = {i for i, r in ents.items() if r["schema"] == "Vessel"}
    names_by_entity: dict[str, set[str]] = defaultdict(set)  # name -> entities listing it
    flags_of: dict[str, set[str]] = defaultdict(set)  # entity -> its flags
    listed_names: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    for r in features.filter(pc.is_in(features["feature"], pa.array(["name", "flag"])))\
            .to_pylist():
        if r["feature"] == "name":
            names_by_entity[r["value"]].add(r["entity_id"])
            listed_names[r["value"]].append((r["entity_id"], r["raw"], r["former"]))
        else:
            flags_of[r["entity_id"]].add(r["value"])
    common = {n for n, ids in names_by_entity.items()
              if len(ids) >= params.common_name_entities} | set(params.common_names)

    matches: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in _exact(identities, features, params).to_pylist():
        if r["feature"] == "name" and r["entity_id"] not in vessels:
            continue
        matches[(r["mmsi"], r["entity_id"])].append(
            _match(r, r["listed_raw"], r["former"], 1.0))
    _fuzzy_names(identities, listed_names, vessels, params, matches)
    if not matches:
        return SCREENING_HITS.empty_table()

    hit_mmsis = pa.array(sorted({m for m, _ in matches}), pa.uint32())
    by_mmsi: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in identities.filter(pc.is_in(identities["mmsi"], hit_mmsis)).to_pylist():
        by_mmsi[r["mmsi"]].append(r)
    rows = []
    for (mmsi, entity_id), found in matches.items():
        ent = ents.get(entity_id)
        if ent is None:
            continue
        row = _hit(mmsi, ent, found, by_mmsi[mmsi], flags_of[entity_id], common,
                   (event_starts or {}).get(mmsi, []), false_positives or {})
        owners = [{"entity_id": o, "name": ents[o]["caption"], "schema": ents[o]["schema"]}
                  for o in (ent.get("owner_ids") or []) if o in ents]
        row["owners"] = json.dumps(owners, ensure_ascii=False) if owners else None
        rows.append(row)
    rows.sort(key=lambda h: (TIERS.index(h["tier"]), -h["score"], h["mmsi"], h["entity_id"]))
    return pa.Table.from_pylist(rows, schema=SCREENING_HITS)


def _exact(identities: pa.Table, features: pa.Table, params: ScreenParams) -> pa.Table:
    """Identity rows joined to the listed features of equal (feature, value)."""
    kind = identities["feature"]
    wanted = pc.and_(pc.invert(pc.is_in(kind, pa.array(["flag", "type"]))),
                     pc.or_(pc.not_equal(kind, "name"),
                            pc.greater_equal(pc.utf8_length(identities["value"]),
                                             params.min_name_length)))
    listed = features.filter(pc.not_equal(features["feature"], "flag")).select(
        ["feature", "value", "entity_id", "raw", "former"]).rename_columns(
        ["feature", "value", "entity_id", "listed_raw", "former"])
    joined: pa.Table = identities.filter(wanted).join(listed, keys=["feature", "value"],
                                                      join_type="inner")
    return joined.sort_by([("mmsi", "ascending"), ("entity_id", "ascending"),
                           ("feature", "ascending"), ("value", "ascending")])


def hit_id(mmsi: int, entity_id: str) -> str:
    """Stable id of the hit of one vessel (MMSI) on one entity."""
    return hashlib.blake2b(f"{mmsi}|{entity_id}".encode(), digest_size=8).hexdigest()


def _match(f: dict[str, Any], listed_raw: str, former: bool, similarity: float
           ) -> dict[str, Any]:
    return {"feature": f["feature"], "seen": f["raw"], "listed": listed_raw,
            "former": former, "similarity": round(similarity, 3),
            "first_ts": f["first_ts"], "last_ts": f["last_ts"]}


def _fuzzy_names(identities: pa.Table,
                 listed_names: dict[str, list[tuple[str, str, bool]]], vessels: set[str],
                 params: ScreenParams,
                 matches: dict[tuple[int, str], list[dict[str, Any]]]) -> None:
    """Names within ``name_threshold`` of a listed vessel name, exact ones excluded."""
    names = identities.filter(pc.and_(
        pc.equal(identities["feature"], "name"),
        pc.greater_equal(pc.utf8_length(identities["value"]), params.min_name_length)))
    queries = pc.unique(names["value"]).to_pylist()
    candidates = sorted(n for n, ids in listed_names.items()
                        if len(n) >= params.min_name_length
                        and any(i in vessels for i, _, _ in ids))
    if not queries or not candidates:
        return
    scores = process.cdist(queries, candidates, scorer=fuzz.ratio,
                           score_cutoff=params.name_threshold * 100, dtype=np.uint8,
                           workers=-1)
    near: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for q, c in zip(*(a.tolist() for a in np.nonzero(scores))):
        if queries[q] != candidates[c]:  # the exact join has those
            near[queries[q]].append((candidates[c], float(scores[q, c]) / 100))
    if not near:
        return
    hit_rows = names.filter(pc.is_in(names["value"], pa.array(sorted(near), pa.string())))
    for f in hit_rows.to_pylist():
        for candidate, similarity in near[f["value"]]:
            for entity_id, raw, former in listed_names[candidate]:
                if entity_id in vessels:
                    matches[(f["mmsi"], entity_id)].append(_match(f, raw, former, similarity))


def _hit(mmsi: int, ent: dict[str, Any], found: list[dict[str, Any]],
         feats: list[dict[str, Any]], entity_flags: set[str], common: set[str],
         event_starts: list[datetime], false_positives: dict[str, str]) -> dict[str, Any]:
    kinds = {m["feature"] for m in found}
    # flags agree: a qualifier, never a match on its own
    flags = {f["value"] for f in feats if f["feature"] == "flag"}
    if flags & entity_flags:
        found = [*found, {"feature": "flag", "seen": ", ".join(sorted(flags)).upper(),
                          "listed": ", ".join(sorted(flags & entity_flags)).upper(),
                          "former": False, "similarity": 1.0}]
    seen_types = {f["value"] for f in feats if f["feature"] == "type"}
    listed_types = _categories(ent)
    types_differ = bool(seen_types and listed_types and not seen_types & listed_types)
    if seen_types & listed_types:
        found = [*found, {"feature": "type", "seen": ", ".join(sorted(seen_types)),
                          "listed": ", ".join(sorted(seen_types & listed_types)),
                          "former": False, "similarity": 1.0}]
    names = [m for m in found if m["feature"] == "name"]
    is_common = any(_is_common(m["listed"], common) or _is_common(m["seen"], common)
                    for m in names)
    imo_ok = any(m["feature"] == "imo" and is_valid_imo(int(m["seen"]))
                 for m in found if m["seen"].isdigit())
    if "imo" in kinds:
        tier = "sanctioned" if ent["designated"] else "risk"
    elif "mmsi" in kinds:
        tier = "risk"
    else:
        tier = "lead"
    scores = [FEATURE_SCORE[k] for k in kinds if k in FEATURE_SCORE]
    if names:
        scores.append(NAME_WEIGHT * max(m["similarity"] for m in names)
                      * (COMMON_NAME_FACTOR if is_common else 1.0))
    best = max(scores)
    if types_differ and kinds <= {"name", "callsign"}:
        best *= TYPE_MISMATCH_FACTOR
    extra = len({m["feature"] for m in found}) - 1
    score = min(1.0, best + QUALIFIER_BONUS * extra)
    listed_on: date | None = ent["listed_on"]
    first = min((f["first_ts"] for f in feats if f["first_ts"] is not None), default=None)
    last = max((f["last_ts"] for f in feats if f["last_ts"] is not None), default=None)
    after: bool | None = None
    n_after: int | None = None
    if listed_on is not None:
        edge = datetime(listed_on.year, listed_on.month, listed_on.day, tzinfo=UTC)
        after = last is not None and last >= edge
        n_after = sum(1 for t in event_starts if t >= edge)
    latest_name = max((f for f in feats if f["feature"] == "name"),
                      key=lambda f: f["last_ts"] or datetime.min.replace(tzinfo=UTC),
                      default=None)
    hid = hit_id(mmsi, ent["entity_id"])
    row = {
        "hit_id": hid, "mmsi": mmsi,
        "vessel_name": latest_name["raw"] if latest_name else None,
        "tier": tier, "score": round(score, 3),
        "matched": json.dumps([{k: v for k, v in m.items() if k not in ("first_ts", "last_ts")}
                               for m in found], ensure_ascii=False),
        "entity_id": ent["entity_id"], "entity_name": ent["caption"],
        "entity_schema": ent["schema"], "designated": ent["designated"],
        "source": ent["source"], "list_name": ent["list_name"], "programme": ent["programme"],
        "listed_on": listed_on, "as_of": ent["as_of"], "reason": ent["reason"],
        "first_seen": first, "last_seen": last,
        "seen_after_listing": after, "events_after_listing": n_after,
        "common_name": is_common, "false_positive": hid in false_positives,
        "types_differ": types_differ,
        "false_positive_note": false_positives.get(hid),
    }
    row["explanation"] = explain(row, found, imo_valid=imo_ok,
                                 types=(seen_types, listed_types) if types_differ else None)
    del row["types_differ"]
    return row


def _categories(ent: dict[str, Any]) -> set[str]:
    """The ship categories of a listed vessel's types (FtM ``type``), e.g. {"tanker"}."""
    types = json.loads(ent["ftm"]).get("properties", {}).get("type", [])
    return {c for t in types if (c := ship_category(t)) is not None}


def _is_common(raw: str, common: set[str]) -> bool:
    from vesselwatch.model.sanctions import normalise_name

    name = normalise_name(raw)
    return name in common or all(word in common for word in name.split())
