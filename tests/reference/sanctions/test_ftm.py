"""FollowTheMoney JSON lines (as OpenSanctions exports them): a small hand-written export."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from vesselwatch.errors import InputError
from vesselwatch.reference.sanctions.flatten import features_table
from vesselwatch.reference.sanctions.ftm import read_ftm

EXPORT: list[dict[str, Any]] = [
    {"id": "NK-ship", "schema": "Vessel", "target": True, "datasets": ["eu_fsf", "us_ofac_sdn"],
     "first_seen": "2024-06-25T00:00:00", "properties": {
         "name": ["Sea Breeze"], "previousName": ["Ocean Breeze"], "imoNumber": ["IMO9179842"],
         "mmsi": ["273123456"], "callSign": ["UB-CD 1"], "flag": ["ru"], "pastFlags": ["pa"],
         "owner": ["NK-owner"], "topics": ["sanction"]}},
    {"id": "NK-owner", "schema": "Company", "target": True, "datasets": ["eu_fsf"],
     "properties": {"name": ["Breeze Shipping LLC"], "imoNumber": ["IMO5123456"],
                    "topics": ["sanction"]}},
    {"id": "NK-s1", "schema": "Sanction", "properties": {
        "entity": ["NK-ship"], "program": ["EU-RUS"], "listingDate": ["2024-06-24"],
        "startDate": ["2024-06-25"], "reason": ["Shadow fleet"]}},
    {"id": "NK-s2", "schema": "Sanction", "properties": {
        "entity": ["NK-ship"], "program": ["US-OFAC"], "startDate": ["2024-09-01"]}},
    {"id": "NK-own", "schema": "Ownership", "properties": {"owner": ["NK-manager"],
                                                           "asset": ["NK-ship"]}},
    {"id": "NK-manager", "schema": "Organization", "target": False,
     "properties": {"name": ["Breeze Management"], "createdAt": ["2022-03"]}},
    {"id": "NK-old", "schema": "Vessel", "target": True, "properties": {
        "imoNumber": ["IMO8517839"]}},
    {"id": "NK-s3", "schema": "Sanction", "properties": {
        "entity": ["NK-old"], "program": ["EU-RUS"], "startDate": ["2020-01-01"],
        "endDate": ["2023-01-31"]}},
    {"id": "NK-addr", "schema": "Address", "properties": {"full": ["1 Quay Street"]}},
    {"id": "NK-x", "schema": "Starship", "properties": {"name": ["X"]}},
    {"id": "NK-noname", "schema": "Person", "properties": {"topics": ["sanction"]}},
]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "maritime.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in EXPORT) + "\n", encoding="utf-8")
    return path


def test_entities_and_their_sanctions(export: Path) -> None:
    read = read_ftm(export, as_of=date(2026, 1, 1))
    by_id = {x.id: x for x in read.listings}
    assert list(by_id) == ["os-NK-ship", "os-NK-owner", "os-NK-manager", "os-NK-old"]
    ship = by_id["os-NK-ship"]
    assert (ship.caption, ship.record_id, ship.source, ship.designated) == (
        "Sea Breeze", "NK-ship", "opensanctions", True)
    assert ship.list_name == "OpenSanctions: eu_fsf, us_ofac_sdn"
    assert (ship.programme, ship.listed_on, ship.delisted_on, ship.as_of) == (
        "EU-RUS; US-OFAC", date(2024, 6, 24), None, date(2026, 1, 1))
    assert ship.reason == "Shadow fleet"
    assert ship.owner_ids == ["os-NK-owner", "os-NK-manager"]
    assert ship.entity.get("owner") == ["os-NK-owner"]
    old = by_id["os-NK-old"]
    assert (old.caption, old.listed_on, old.delisted_on) == (
        "IMO 8517839", date(2020, 1, 1), date(2023, 1, 31))
    assert by_id["os-NK-manager"].designated is False
    assert read.counts["skipped_Address"] == 1
    assert read.counts["records_read"] == len(EXPORT)
    problems = {(p.record, p.field, p.reason, p.dropped) for p in read.problems}
    assert problems == {
        ("line 6 (NK-manager)", "createdAt", "date_partial", False),
        ("line 10 (NK-x)", "schema", "schema_unknown", True),
        ("line 11 (NK-noname)", "name", "no_name", True),
    }


def test_features(export: Path) -> None:
    read = read_ftm(export)
    rows = {(f["entity_id"], f["feature"], f["value"], f["raw"], f["former"])
            for f in features_table(read.listings).to_pylist()}
    assert {r for r in rows if r[0] == "os-NK-ship"} == {
        ("os-NK-ship", "name", "SEA BREEZE", "Sea Breeze", False),
        ("os-NK-ship", "name", "OCEAN BREEZE", "Ocean Breeze", True),
        ("os-NK-ship", "imo", "9179842", "IMO9179842", False),
        ("os-NK-ship", "mmsi", "273123456", "273123456", False),
        ("os-NK-ship", "callsign", "UBCD1", "UB-CD 1", False),
        ("os-NK-ship", "flag", "ru", "ru", False),
        ("os-NK-ship", "flag", "pa", "pa", True),
    }
    # a company's IMO number is not a ship's: no imo feature for it
    assert {r[1] for r in rows if r[0] == "os-NK-owner"} == {"name"}


def test_line_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(EXPORT[0]) + "\n\n" + '{"id": "NK-2", "schema": \n',
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.jsonl, line 3: not JSON \(Expecting value"):
        read_ftm(path)


def test_line_without_id(tmp_path: Path) -> None:
    path = tmp_path / "noid.jsonl"
    path.write_text('{"schema": "Vessel", "properties": {"name": ["A"]}}\n[1, 2]\n',
                    encoding="utf-8")
    read = read_ftm(path)
    assert read.listings == []
    assert [(p.record, p.reason) for p in read.problems] == [("line 1", "no_id"),
                                                             ("line 2", "no_id")]
