"""``/api/info``, the page, static files, the OpenAPI description, and the contract: every
route ``docs/dashboard.md`` lists is served."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.compute as pc
from fastapi.testclient import TestClient

from vesselwatch.engine import ALL_EVENT_TYPES, Engine
from vesselwatch.web.app import STATIC_DIR

DOC = Path(__file__).resolve().parents[2] / "docs" / "dashboard.md"


def test_info_counts_what_the_store_holds(client: TestClient, demo_store: Path) -> None:
    info = client.get("/api/info").json()
    engine = Engine(demo_store, create=False)
    store = engine.info()
    positions = engine.positions()
    assert info["store"] == str(store.path) and info["generation"] == store.generation
    assert (info["vessels"], info["positions"]) == (store.vessels, store.rows["positions"])
    assert info["events"] == engine.events().num_rows
    assert info["cases"] == engine.cases().num_rows and info["hits"] == engine.hits().num_rows
    assert info["observations"] == 0 and info["detected"] and info["screened"]
    assert info["ts_min"] == "2023-09-07T00:00:00Z" and info["ts_max"].startswith("2023-09-08")
    assert info["bbox"] == [
        pc.min(positions["lon"]).as_py(), pc.min(positions["lat"]).as_py(),
        pc.max(positions["lon"]).as_py(), pc.max(positions["lat"]).as_py()]
    assert info["event_types"] == list(ALL_EVENT_TYPES)


def test_the_page_and_static_files_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.content == (STATIC_DIR / "index.html").read_bytes()
    assert client.get("/static/index.html").content == page.content
    assert client.get("/static/no-such-file.js").status_code == 404


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    assert client.get("/api/docs").status_code == 200
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "vesselwatch dashboard"


def contract_routes() -> set[tuple[str, str]]:
    """(method, path) of every route in the contract's table."""
    routes = set()
    for method, path in re.findall(r"^\| `(GET|POST) (/api/[^`?\s]*)", DOC.read_text(), re.M):
        path = re.sub(r"\.\{[a-z,]+\}$", ".{fmt}", path)  # dossier.{html,kml,...}
        routes.add((method.lower(), path))
    return routes


def test_every_route_of_the_contract_is_served(client: TestClient) -> None:
    served = {(method, path) for path, ops in client.get("/api/openapi.json").json()[
        "paths"].items() for method in ops}
    wanted = contract_routes()
    assert len(wanted) >= 17
    assert wanted <= served, wanted - served
