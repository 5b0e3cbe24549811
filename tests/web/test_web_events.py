"""``/api/events`` and ``/api/events/{id}`` against ``Engine.events`` on the demo store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vesselwatch.engine import Engine

ANGARA = 273310100


@pytest.fixture(scope="module")
def events(demo_store: Path) -> list[dict]:
    return Engine(demo_store, create=False).events().to_pylist()


def test_every_event_is_listed_with_names_and_decoded_details(client: TestClient,
                                                              events: list[dict]) -> None:
    data = client.get("/api/events?limit=100000").json()
    assert data["total"] == len(data["items"]) == len(events) > 20
    assert {e["event_id"] for e in data["items"]} == {e["event_id"] for e in events}
    by_id = {e["event_id"]: e for e in events}
    for item in data["items"]:
        theirs = by_id[item["event_id"]]
        assert item["mmsi"] == theirs["mmsi"] and item["confidence"] == theirs["confidence"]
        assert item["start_ts"] == theirs["start_ts"].strftime("%Y-%m-%dT%H:%M:%SZ")
        assert isinstance(item["details"], dict)
        assert set(item) == {"event_id", "event_type", "mmsi", "other_mmsi", "vessel_name",
                             "other_name", "start_ts", "end_ts", "duration_s", "lat", "lon",
                             "port_id", "port_name", "confidence", "details"}
    (sts,) = [i for i in data["items"] if i["event_type"] == "encounter"
              and i["vessel_name"] == "LADY R"]
    assert sts["other_name"] == "MAIA-1"


def test_dark_legs_carry_where_and_when_the_transponder_went_off_and_on(
        client: TestClient) -> None:
    items = client.get("/api/events?type=gap&type=dark_voyage").json()["items"]
    assert {i["event_type"] for i in items} == {"gap", "dark_voyage"}
    for item in items:
        assert {"off_lat", "off_lon", "off_ts", "on_lat", "on_lon"} <= set(item["details"])
    gap = next(i for i in items if i["event_type"] == "gap")
    assert gap["details"]["off_ts"] == gap["start_ts"]


def test_filters_match_the_engine(client: TestClient, demo_store: Path) -> None:
    url = (f"/api/events?type=port_visit&type=voyage&mmsi={ANGARA}&min_confidence=2"
           "&start=2023-09-07T12:00:00Z&end=2023-09-08T12:00:00Z")
    got = client.get(url).json()
    from datetime import UTC, datetime

    want = Engine(demo_store, create=False).events(
        ["port_visit", "voyage"], [ANGARA], datetime(2023, 9, 7, 12, tzinfo=UTC),
        datetime(2023, 9, 8, 12, tzinfo=UTC), 2)
    assert got["total"] == want.num_rows > 0
    assert sorted(i["event_id"] for i in got["items"]) == sorted(want["event_id"].to_pylist())


@pytest.mark.parametrize(("sort", "key", "reverse"), [
    ("start_ts", "start_ts", False), ("-start_ts", "start_ts", True),
    ("confidence", "confidence", False), ("-confidence", "confidence", True),
    ("duration_s", "duration_s", False), ("-duration_s", "duration_s", True),
    ("type", "event_type", False)])
def test_sort_orders(client: TestClient, sort: str, key: str, reverse: bool) -> None:
    items = client.get(f"/api/events?sort={sort}&limit=100000").json()["items"]
    values = [i[key] for i in items if i[key] is not None]
    assert values == sorted(values, reverse=reverse)
    assert len(set(values)) > 1


def test_paging_walks_the_same_order(client: TestClient) -> None:
    every = client.get("/api/events?sort=-confidence&limit=100000").json()["items"]
    page = client.get("/api/events?sort=-confidence&limit=7&offset=10").json()
    assert page["total"] == len(every)
    assert [i["event_id"] for i in page["items"]] == [i["event_id"] for i in every[10:17]]


def test_one_event_has_its_parameters(client: TestClient, events: list[dict]) -> None:
    event = next(e for e in events if e["event_type"] == "encounter")
    item = client.get(f"/api/events/{event['event_id']}").json()
    assert item["event_id"] == event["event_id"]
    assert item["params"] == json.loads(event["params"])
    assert item["details"] == json.loads(event["details"])


def test_unknown_event_is_404_and_bad_filters_400(client: TestClient) -> None:
    r = client.get("/api/events/0000000000000000")
    assert r.status_code == 404 and "no event" in r.json()["error"]
    r = client.get("/api/events?type=piracy")
    assert r.status_code == 400 and "the types are" in r.json()["error"]
    assert client.get("/api/events?sort=name").status_code == 400
    assert client.get("/api/events?min_confidence=5").status_code == 400


def test_a_store_without_detection_answers_409_with_the_command(raw_client: TestClient
                                                                ) -> None:
    for url in ("/api/events", "/api/events/x", "/api/cases", "/api/cases/x",
                "/api/cases/x/dossier.html"):
        r = raw_client.get(url)
        assert r.status_code == 409, url
        assert "vesselwatch detect" in r.json()["error"]
    r = raw_client.get("/api/hits")
    assert r.status_code == 409 and "vesselwatch screen" in r.json()["error"]
    info = raw_client.get("/api/info").json()
    assert info["detected"] is False and info["events"] is None and info["cases"] is None
    assert info["screened"] is False and info["hits"] is None and info["positions"] > 0
    timeline = raw_client.get("/api/timeline?bins=5").json()
    assert timeline["events"] == {} and sum(timeline["positions"]) > 0
