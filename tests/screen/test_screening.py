"""Screening on hand-made lists and identities: each tier's rule, worked out by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.model.sanctions import (
    SANCTION_ENTITIES,
    SANCTION_FEATURES,
    normalise_imo,
    normalise_name,
)
from vesselwatch.screen import ScreenParams, hit_id, identity_features, screen_identities

T1 = datetime(2024, 5, 1, tzinfo=UTC)
T2 = datetime(2024, 8, 1, tzinfo=UTC)
LISTED = date(2024, 6, 25)


def entity(entity_id: str, name: str, *, schema: str = "Vessel", designated: bool = True,
           listed_on: date | None = LISTED, owner_ids: list[str] | None = None,
           ship_type: str | None = None) -> dict[str, Any]:
    return {"entity_id": entity_id, "schema": schema, "caption": name, "source": "eu",
            "list_name": "EU Regulation 833/2014 Annex XLII", "programme": "EU-RUS",
            "listed_on": listed_on, "delisted_on": None, "as_of": date(2025, 1, 1),
            "record_id": entity_id, "designated": designated, "owner_ids": owner_ids or [],
            "reason": None,
            "ftm": json.dumps({"properties": {"type": [ship_type]} if ship_type else {}})}


def feature(entity_id: str, kind: str, raw: str, former: bool = False) -> dict[str, Any]:
    value = {"imo": normalise_imo, "name": normalise_name}.get(kind, lambda v: v)(raw)
    return {"entity_id": entity_id, "feature": kind, "value": value, "raw": raw,
            "former": former}


ENTITIES = pa.Table.from_pylist([
    entity("eu-1", "Angara", ship_type="General Cargo"),
    entity("eu-2", "Maria"),
    entity("un-7", "KOREA SHIPPING CO", schema="Company"),
    entity("un-7-imo8910132", "CHOL SAN", designated=False, owner_ids=["un-7"],
           listed_on=None),
    entity("ofac-9", "SEA STAR"),
], schema=SANCTION_ENTITIES)
FEATURES = pa.Table.from_pylist([
    feature("eu-1", "imo", "IMO 9179842"), feature("eu-1", "name", "Angara"),
    feature("eu-1", "name", "Sparta IV", former=True), feature("eu-1", "flag", "ru"),
    feature("eu-2", "imo", "8517839"), feature("eu-2", "name", "Maria"),
    feature("un-7", "name", "KOREA SHIPPING CO"),
    feature("un-7-imo8910132", "imo", "8910132"), feature("un-7-imo8910132", "name", "CHOL SAN"),
    feature("ofac-9", "mmsi", "445112000"), feature("ofac-9", "name", "SEA STAR"),
    feature("ofac-9", "callsign", "HMYT5"),
], schema=SANCTION_FEATURES)


def identities(*vessels: dict[str, Any]) -> pa.Table:
    """One report row per vessel: mmsi, imo, name, callsign; seen from T1 to T2."""
    reports = pa.Table.from_pylist([
        {"mmsi": v["mmsi"], "imo": v.get("imo"), "name": v.get("name"),
         "callsign": v.get("callsign"), "ship_type": v.get("ship_type"),
         "first_ts": v.get("first", T1),
         "last_ts": v.get("last", T2), "reports": 1} for v in vessels])
    spans = pa.Table.from_pylist([{"mmsi": v["mmsi"], "first_ts": v.get("first", T1),
                                   "last_ts": v.get("last", T2)} for v in vessels])
    return identity_features(reports, spans)


def hits_of(*vessels: dict[str, Any], **kw: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = screen_identities(
        identities(*vessels), ENTITIES, FEATURES, **kw).to_pylist()
    return rows


def test_a_listed_imo_under_another_name_and_mmsi_is_sanctioned() -> None:
    (hit,) = hits_of({"mmsi": 613000001, "imo": 9179842, "name": "NOT ANGARA AT ALL"})
    assert (hit["tier"], hit["entity_id"], hit["score"]) == ("sanctioned", "eu-1", 0.95)
    assert [m["feature"] for m in json.loads(hit["matched"])] == ["imo"]
    assert "IMO 9179842 = listed IMO IMO 9179842" in hit["explanation"]
    assert "whatever its name" in hit["explanation"]


def test_a_listed_name_under_another_imo_is_only_a_lead() -> None:
    (hit,) = hits_of({"mmsi": 273000002, "imo": 9300001, "name": "ANGARA"})
    assert hit["tier"] == "lead" and hit["entity_id"] == "eu-1"
    assert hit["score"] == pytest.approx(0.8 + 0.05)  # name, and the Russian flag agrees
    assert "never a sanction finding" in hit["explanation"]


def test_the_ship_type_qualifies_a_name_lead() -> None:
    (cargo,) = hits_of({"mmsi": 273000020, "name": "ANGARA", "ship_type": 70})
    assert "type" in {m["feature"] for m in json.loads(cargo["matched"])}
    assert cargo["score"] == pytest.approx(0.8 + 0.05 + 0.05)  # name, flag and kind agree
    (tanker,) = hits_of({"mmsi": 273000021, "name": "ANGARA", "ship_type": 80})
    assert tanker["score"] == pytest.approx(0.8 * 0.75 + 0.05)
    assert "the kinds differ (AIS: tanker; listed: cargo)" in tanker["explanation"]
    # an IMO match is not weakened by a different kind: identity, not description
    (by_imo,) = hits_of({"mmsi": 273000022, "imo": 9179842, "ship_type": 80})
    assert (by_imo["tier"], by_imo["score"]) == ("sanctioned", 1.0)


def test_a_clean_vessel_with_a_common_name_is_a_weak_lead() -> None:
    (hit,) = hits_of({"mmsi": 244000003, "imo": 9300001, "name": "MARIA"})
    assert (hit["tier"], hit["common_name"]) == ("lead", True)
    assert hit["score"] == pytest.approx(0.4)  # 0.8, halved for a common name
    assert "the name is common" in hit["explanation"]


def test_an_mmsi_alone_is_a_risk_and_a_callsign_alone_a_lead() -> None:
    (mmsi_hit,) = hits_of({"mmsi": 445112000, "name": "SOMETHING ELSE"})
    assert (mmsi_hit["tier"], mmsi_hit["entity_id"]) == ("risk", "ofac-9")
    assert "MMSIs are reissued" in mmsi_hit["explanation"]
    (call_hit,) = hits_of({"mmsi": 538000009, "name": "OTHER", "callsign": "hmyt 5"})
    assert (call_hit["tier"], call_hit["score"]) == ("lead", 0.7)


def test_a_vessel_of_a_listed_owner_is_a_risk() -> None:
    (hit,) = hits_of({"mmsi": 445000010, "imo": 8910132, "name": "CHOL SAN"})
    assert (hit["tier"], hit["designated"]) == ("risk", False)
    assert "owner or operator is listed" in hit["explanation"]
    assert hit["seen_after_listing"] is None  # no listing date for a derived vessel


def test_former_and_near_names_are_leads_and_say_so() -> None:
    (former,) = hits_of({"mmsi": 273000011, "name": "SPARTA IV"})
    assert former["tier"] == "lead"
    assert json.loads(former["matched"])[0]["former"] is True
    assert "former name Sparta IV" in former["explanation"]
    (near,) = hits_of({"mmsi": 273000012, "name": "ANGARRA"})
    assert near["tier"] == "lead" and 0.9 <= json.loads(near["matched"])[0]["similarity"] < 1
    assert not hits_of({"mmsi": 273000013, "name": "ANGLIA"})  # below the threshold


def test_companies_are_not_matched_by_a_vessel_name_and_short_names_not_at_all() -> None:
    assert not hits_of({"mmsi": 273000014, "name": "KOREA SHIPPING CO"})
    assert not hits_of({"mmsi": 273000015, "name": "AN"},
                       params=ScreenParams(min_name_length=3))


def test_sailing_after_the_listing_is_reported_with_the_events_since() -> None:
    after = datetime(2024, 7, 1, tzinfo=UTC)
    (hit,) = hits_of({"mmsi": 613000001, "imo": 9179842},
                     event_starts={613000001: [T1, after, T2]})
    assert (hit["seen_after_listing"], hit["events_after_listing"]) == (True, 2)
    (before,) = hits_of({"mmsi": 613000001, "imo": 9179842, "last": T1})
    assert before["seen_after_listing"] is False
    assert "before the listing" in before["explanation"]


def test_marked_false_positives_stay_in_the_result_marked() -> None:
    hid = hit_id(244000003, "eu-2")
    (hit,) = hits_of({"mmsi": 244000003, "name": "MARIA"},
                     false_positives={hid: "a Maltese yacht"})
    assert (hit["hit_id"], hit["false_positive"], hit["false_positive_note"]) == (
        hid, True, "a Maltese yacht")


def test_an_invalid_check_digit_is_noted() -> None:
    bad = FEATURES.to_pylist() + [feature("eu-1", "imo", "9179843")]
    rows = screen_identities(identities({"mmsi": 613000001, "imo": 9179843}), ENTITIES,
                             pa.Table.from_pylist(bad, schema=SANCTION_FEATURES)).to_pylist()
    (hit,) = rows
    assert hit["tier"] == "sanctioned" and "fails its check digit" in hit["explanation"]


def test_the_identity_table_keeps_every_name_mmsi_and_flag() -> None:
    t = identities({"mmsi": 273310400, "imo": 9358010, "name": "MAIA-1", "callsign": "ubvw4"},
                   {"mmsi": 273310400, "imo": 9358010, "name": "MAYA"},
                   {"mmsi": 667001234, "imo": 9358010, "name": "MAYA"})
    rows = {(r["mmsi"], r["feature"], r["value"]) for r in t.to_pylist()}
    assert rows == {
        (273310400, "imo", "9358010"), (273310400, "name", "MAIA 1"),
        (273310400, "name", "MAYA"), (273310400, "callsign", "UBVW4"),
        (273310400, "mmsi", "273310400"), (273310400, "flag", "ru"),
        (667001234, "imo", "9358010"), (667001234, "name", "MAYA"),
        (667001234, "mmsi", "667001234"), (667001234, "flag", "sl")}


VESSEL = st.fixed_dictionaries({
    "mmsi": st.integers(200_000_000, 799_999_999),
    "imo": st.sampled_from([None, 9179842, 8517839, 8910132, 9300001]),
    "name": st.sampled_from([None, "ANGARA", "MARIA", "SEA STAR", "CHOL SAN", "ZEBRA"]),
    "callsign": st.sampled_from([None, "HMYT5", "ABC12"]),
    "ship_type": st.sampled_from([None, 0, 30, 70, 80]),
})


@settings(max_examples=60, deadline=None)
@given(st.lists(VESSEL, min_size=1, max_size=8), st.randoms())
def test_tiers_follow_the_matched_features_whatever_the_order(vessels: list[dict[str, Any]],
                                                              rnd: Any) -> None:
    a = screen_identities(identities(*vessels), ENTITIES, FEATURES).to_pylist()
    shuffled = list(vessels)
    rnd.shuffle(shuffled)
    b = screen_identities(identities(*shuffled), ENTITIES, FEATURES).to_pylist()
    assert a == b
    for h in a:
        kinds = {m["feature"] for m in json.loads(h["matched"])}
        assert (h["tier"] == "sanctioned") == ("imo" in kinds and h["designated"])
        if h["tier"] == "lead":
            assert not kinds & {"imo", "mmsi"}
        assert 0 < h["score"] <= 1
