"""``/api/vessels`` and ``/api/vessels/{key}`` against ``Engine.vessel`` on the demo store."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from vesselwatch.engine import Engine

ANGARA, ANGARA_IMO = 273310100, 9179842


def test_every_vessel_is_listed_riskiest_first(client: TestClient, demo_store: Path) -> None:
    data = client.get("/api/vessels?limit=1000").json()
    assert data["total"] == len(data["items"]) == client.get("/api/info").json()["vessels"]
    scores = [v["risk_score"] for v in data["items"]]
    assert scores == sorted(scores, reverse=True) and scores[0] >= 60
    assert data["items"][0]["risk_level"] == "high"
    engine = Engine(demo_store, create=False)
    angara = next(v for v in data["items"] if v["mmsi"] == ANGARA)
    profile = engine.vessel(ANGARA)
    assert angara["risk_score"] == profile["risk"][0]["score"]
    assert angara["risk_level"] == profile["risk"][0]["level"]
    assert angara["positions"] == profile["positions"][0]["positions"]
    assert angara["events"] == sum(profile["events"].values())
    assert angara["hits"] == len([h for h in profile["hits"] if not h["false_positive"]])
    assert (angara["name"], angara["imo"], angara["flag"]) == ("ANGARA", ANGARA_IMO, "RU")


def test_search_matches_name_mmsi_or_imo(client: TestClient) -> None:
    by_name = client.get("/api/vessels?q=angar").json()
    assert [v["mmsi"] for v in by_name["items"]] == [ANGARA] and by_name["total"] == 1
    assert [v["mmsi"] for v in client.get(f"/api/vessels?q={ANGARA_IMO}").json()["items"]] \
        == [ANGARA]
    prefix = client.get("/api/vessels?q=2733101").json()["items"]
    assert ANGARA in [v["mmsi"] for v in prefix]
    assert all("2733101" in str(v["mmsi"]) or "2733101" in str(v["imo"]) for v in prefix)
    page = client.get("/api/vessels?limit=2&offset=1").json()
    assert len(page["items"]) == 2 and page["total"] > 2


def test_one_vessel_is_the_engine_profile(client: TestClient, demo_store: Path) -> None:
    got = client.get(f"/api/vessels/{ANGARA}").json()
    want = Engine(demo_store, create=False).vessel(ANGARA)
    assert got["mmsis"] == want["mmsis"] and got["events"] == want["events"]
    assert got["risk"][0]["score"] == want["risk"][0]["score"]
    assert [c["case_id"] for c in got["cases"]] == [c["case_id"] for c in want["cases"]]
    assert got["hits"][0]["matched"] == json.loads(want["hits"][0]["matched"])
    assert got["identities"][0]["first_seen"].endswith("Z")
    by_imo = client.get(f"/api/vessels/{ANGARA_IMO}").json()
    assert by_imo["mmsis"] == [ANGARA]


def test_an_unknown_vessel_is_404(client: TestClient) -> None:
    for key in (999999999, 1234567):
        r = client.get(f"/api/vessels/{key}")
        assert r.status_code == 404 and str(key) in r.json()["error"]
    assert client.get("/api/vessels/angara").status_code == 400
