"""``/api/cases``, one case and its dossier downloads; cases are built once per store state."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from vesselwatch.engine import Engine
from vesselwatch.model.cases import LIKELIHOOD


@pytest.fixture(scope="module")
def case_ids(demo_store: Path) -> list[str]:
    return Engine(demo_store, create=False).cases()["case_id"].to_pylist()


def test_cases_come_strongest_first_with_their_evidence_decoded(
        client: TestClient, case_ids: list[str]) -> None:
    data = client.get("/api/cases").json()
    assert [c["case_id"] for c in data["items"]] == case_ids and data["total"] >= 2
    steps = [c["likelihood_step"] for c in data["items"]]
    assert steps == sorted(steps, reverse=True)
    first = data["items"][0]
    assert first["likelihood"] == LIKELIHOOD[first["likelihood_step"]]
    assert isinstance(first["reasons"], list) and isinstance(first["evidence"], list)
    assert isinstance(first["confirmed_by"], list) and first["departed_ts"].endswith("Z")


def test_min_likelihood_filters_and_an_unknown_term_is_400(client: TestClient) -> None:
    every = client.get("/api/cases").json()["items"]
    top = max(c["likelihood_step"] for c in every)
    strong = client.get(f"/api/cases?min_likelihood={LIKELIHOOD[top]}").json()["items"]
    assert strong and len(strong) == sum(c["likelihood_step"] >= top for c in every)
    r = client.get("/api/cases?min_likelihood=probable")
    assert r.status_code == 400 and "unknown likelihood" in r.json()["error"]


def test_one_case_is_the_engine_case_with_its_exports(client: TestClient, demo_store: Path,
                                                      case_ids: list[str]) -> None:
    got = client.get(f"/api/cases/{case_ids[0]}").json()
    want = Engine(demo_store, create=False).case(case_ids[0])
    assert got["hypothesis"] == want["hypothesis"]
    assert [e["ref"] for e in got["evidence"]] == [e["ref"] for e in want["evidence"]]
    assert got["exports"] == {f: f"/api/cases/{case_ids[0]}/dossier.{f}"
                              for f in ("html", "kml", "geojson", "ftm", "parquet")}
    r = client.get("/api/cases/0123456789abcdef")
    assert r.status_code == 404 and "no case" in r.json()["error"]


def test_dossiers_download_in_every_format(client: TestClient, case_ids: list[str]) -> None:
    case = client.get(f"/api/cases/{case_ids[0]}").json()
    got = {}
    for fmt, url in case["exports"].items():
        r = client.get(url)
        assert r.status_code == 200, (fmt, r.text[:200])
        assert r.headers["content-disposition"].startswith("attachment; filename=")
        got[fmt] = r
    assert got["html"].headers["content-type"].startswith("text/html")
    assert case["hypothesis"].split(" between")[0] in got["html"].text
    assert got["kml"].headers["content-type"] == "application/vnd.google-earth.kml+xml"
    assert ET.fromstring(got["kml"].content).tag == "{http://www.opengis.net/kml/2.2}kml"
    assert got["geojson"].headers["content-type"] == "application/geo+json"
    geo = json.loads(got["geojson"].content)
    assert geo["type"] == "FeatureCollection" and geo["features"]
    entities = [json.loads(line) for line in got["ftm"].text.splitlines() if line.strip()]
    assert any(e["schema"] == "Vessel" for e in entities)
    table = pq.read_table(io.BytesIO(got["parquet"].content))
    assert table.num_rows > 0 and b"geo" in table.schema.metadata
    r = client.get(f"/api/cases/{case_ids[0]}/dossier.pdf")
    assert r.status_code == 404 and "html, kml, geojson, ftm, parquet" in r.json()["error"]


def test_cases_are_built_once_per_store_state(copy_client: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import vesselwatch.engine_cases as engine_cases

    builds = []
    real = engine_cases.build_store_cases

    def counting(engine: Engine, watchlist: str):  # type: ignore[no-untyped-def]
        builds.append(watchlist)
        return real(engine, watchlist)

    monkeypatch.setattr(engine_cases, "build_store_cases", counting)
    first = copy_client.get("/api/cases").json()["items"]
    case_id = first[0]["case_id"]
    copy_client.get(f"/api/cases/{case_id}")
    copy_client.get(f"/api/cases/{case_id}/dossier.geojson")
    copy_client.get(f"/api/vessels/{first[0]['mmsi']}")
    assert len(builds) == 1
    # a denial by an interested party is new evidence: the next request builds afresh
    denial = {"kind": "denial", "ts": "2023-09-20T10:00:00Z", "source": "a ministry",
              "party": "Russia", "interested": True, "reliability": "F", "credibility": 6,
              "claim": "no such cargo", "place": first[0]["dest_port_id"]}
    assert copy_client.post("/api/observations", json=denial).json() == {"added": 1}
    after = copy_client.get("/api/cases").json()["items"]
    assert len(builds) == 2
    mine = next(c for c in after if c["case_id"] == case_id)
    assert [d["party"] for d in mine["denied_by"]] == ["Russia"]
