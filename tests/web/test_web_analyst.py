"""The analyst's writes through the API: false-positive marks and observations, checked by
the same engine calls as the CLI and refused with the same message."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vesselwatch.cli import EXIT_USER, main
from vesselwatch.engine import Engine
from vesselwatch.errors import InputError


def test_hits_are_listed_strongest_first_with_matches_decoded(client: TestClient,
                                                              demo_store: Path) -> None:
    data = client.get("/api/hits").json()
    want = Engine(demo_store, create=False).hits()
    assert [h["hit_id"] for h in data["items"]] == want["hit_id"].to_pylist()
    assert data["total"] == want.num_rows > 0
    assert isinstance(data["items"][0]["matched"], list)
    assert data["items"][0]["matched"][0]["feature"] in ("imo", "mmsi", "name", "callsign",
                                                        "flag")
    tiers = {h["tier"] for h in data["items"]}
    for tier in tiers:
        only = client.get(f"/api/hits?tier={tier}").json()["items"]
        assert only and {h["tier"] for h in only} == {tier}
    r = client.get("/api/hits?tier=suspect")
    assert r.status_code == 400 and "unknown tier" in r.json()["error"]


def test_a_false_positive_mark_shows_and_is_undone(copy_client: TestClient,
                                                   store_copy: Path) -> None:
    hit = copy_client.get("/api/hits").json()["items"][0]
    url = f"/api/hits/{hit['hit_id']}/false-positive"
    r = copy_client.post(url, json={"note": "another ship of that name"})
    assert r.status_code == 200 and r.json() == {"marked": 1}
    marked = {h["hit_id"]: h for h in copy_client.get("/api/hits").json()["items"]}
    assert marked[hit["hit_id"]]["false_positive"] is True
    assert marked[hit["hit_id"]]["false_positive_note"] == "another ship of that name"
    live = copy_client.get("/api/hits?false_positives=false").json()["items"]
    assert hit["hit_id"] not in {h["hit_id"] for h in live}
    # the engine (the CLI's path) sees the same mark
    engine_hits = Engine(store_copy, create=False).hits(false_positives=False)
    assert hit["hit_id"] not in engine_hits["hit_id"].to_pylist()
    vessel = next(v for v in copy_client.get("/api/vessels").json()["items"]
                  if v["mmsi"] == hit["mmsi"])
    assert vessel["hits"] == len([h for h in live if h["mmsi"] == hit["mmsi"]])
    assert copy_client.post(url, json={"undo": True}).json() == {"marked": 0}
    again = {h["hit_id"]: h for h in copy_client.get("/api/hits").json()["items"]}
    assert again[hit["hit_id"]]["false_positive"] is False


def test_marking_an_unknown_hit_is_404(client: TestClient) -> None:
    r = client.post("/api/hits/0000/false-positive", json={})
    assert r.status_code == 404 and "no hit" in r.json()["error"]
    r = client.post("/api/hits/0000/false-positive", json={"undo": "perhaps"})
    assert r.status_code == 400


GOOD = {"kind": "satellite_image", "ts": "2023-09-07T11:00:00Z", "place": "KPRJN",
        "source": "imagery provider", "reliability": "B", "credibility": 2,
        "claim": "containers on the pier at Najin", "mmsi": 273310100}


def test_an_observation_is_added_once(copy_client: TestClient, store_copy: Path) -> None:
    assert copy_client.get("/api/observations").json()["total"] == 0
    assert copy_client.post("/api/observations", json=GOOD).json() == {"added": 1}
    assert copy_client.post("/api/observations", json=GOOD).json() == {"added": 0}
    items = copy_client.get("/api/observations").json()["items"]
    assert len(items) == 1 and items[0]["claim"] == GOOD["claim"]
    assert items[0]["ts"] == GOOD["ts"] and items[0]["mmsi"] == 273310100
    assert Engine(store_copy, create=False).observations().num_rows == 1
    assert copy_client.get("/api/info").json()["observations"] == 1


@pytest.mark.parametrize("change", [
    {"credibility": 9}, {"ts": "2023-09-07T11:00:00"}, {"kind": "rumour"},
    {"mmsi": 999999999}, {"colour": "red"}, {"lat": 42.2}])
def test_an_invalid_observation_is_400_with_the_clis_message(
        copy_client: TestClient, store_copy: Path, change: dict[str, object],
        capsys: pytest.CaptureFixture[str]) -> None:
    fields = {**GOOD, **change}
    before = (store_copy / "observations").exists()
    r = copy_client.post("/api/observations", json=fields)
    assert r.status_code == 400
    message = r.json()["error"]
    with pytest.raises(InputError) as refused:
        Engine(store_copy, create=False).observe(**fields)
    assert message == str(refused.value)
    if "colour" not in change:  # the CLI has no option for an unknown field
        args = ["observe", "add", "--store", str(store_copy)]
        for key, value in fields.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        capsys.readouterr()
        assert main(args) == EXIT_USER
        assert " ".join(message.split()) in " ".join(capsys.readouterr().err.split())
    assert copy_client.get("/api/observations").json()["total"] == 0
    assert (store_copy / "observations").exists() == before


def test_an_empty_or_non_object_body_is_400(copy_client: TestClient) -> None:
    r = copy_client.post("/api/observations", json={})
    assert r.status_code == 400 and "no fields" in r.json()["error"]
    assert copy_client.post("/api/observations", json=[1, 2]).status_code == 400
