"""The dashboard in a real browser (Debian's Chromium, headless, WebGL in software): an
analyst's walk through the demo store, each step checked against what the API answers.

Screenshots of each view go to ``$VESSELWATCH_ARTEFACTS`` (default: a pytest temporary
folder); their paths are printed at the end of the module.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from web_browser_helpers import CHROMIUM, require_browser, webgl_args
from web_store import arrow_of, copy_store, read_address, start_cli, undetected_store

ICD_203 = ["almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely",
           "very likely", "almost certain"]
VIEWPORT = {"width": 1280, "height": 800}
READY = "body[data-ready='1']"
WAIT_MS = 30_000
LOGGED = "console: Failed to load resource: the server responded with a status of {}"
LOGGED_400 = LOGGED.format("400 (Bad Request)")
LOGGED_409 = LOGGED.format("409 (Conflict)")


class Server:
    """``vesselwatch serve --port 0`` on a store, and GETs against it."""

    def __init__(self, store: Path, cwd: Path) -> None:
        self.proc = start_cli(["serve", "--store", str(store), "--port", "0"], cwd)
        url, _ = read_address(self.proc, 60)
        self.url = url.rstrip("/")

    def get(self, path: str, **params: Any) -> bytes:
        query = urllib.parse.urlencode(params, doseq=True)
        with urllib.request.urlopen(f"{self.url}{path}{'?' + query if query else ''}",
                                    timeout=30) as r:
            body: bytes = r.read()
            return body

    def json(self, path: str, **params: Any) -> Any:
        return json.loads(self.get(path, **params))

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()


class Browser:
    """One Chromium page on a server, recording console errors and every request that
    leaves the server's origin (they are blocked)."""

    def __init__(self, playwright: Any, base: str, downloads: Path) -> None:
        self.base = base.rstrip("/")
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=webgl_args())
        self.context = self.browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.downloads = downloads

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url == self.base or url.startswith(self.base + "/"):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def open(self, hash_: str = "#/map") -> None:
        self.page.goto(f"{self.base}/{hash_}")
        self.page.wait_for_selector(READY, state="attached", timeout=60_000)

    def go(self, hash_: str) -> None:
        self.page.evaluate("h => { window.location.hash = h; }", hash_)

    def eval(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def layer(self, layer_id: str) -> dict[str, Any] | None:
        layers = self.eval("vw.layers()")
        return next((x for x in layers if x["id"] == layer_id), None)

    def text(self, testid: str) -> str:
        return str(self.page.get_by_test_id(testid).first.inner_text())

    def close(self) -> None:
        self.browser.close()


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory,
              request: pytest.FixtureRequest) -> Iterator[Path]:
    folder = Path(os.environ.get("VESSELWATCH_ARTEFACTS") or tmp_path_factory.mktemp("screens"))
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    shots = sorted(folder.glob("dashboard-*.png"))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if shots and capture is not None:
        with capture.global_and_fixture_disabled():  # shown with or without -s
            print(f"\ndashboard screenshots ({len(shots)}):")
            for shot in shots:
                print(f"  {shot}")


def shoot(b: Browser, folder: Path, name: str) -> Path:
    """A screenshot once the base map has drawn its land (it fills in after the data)."""
    b.page.wait_for_function("vw.map.loaded() && vw.map.areTilesLoaded()", timeout=WAIT_MS)
    b.page.wait_for_timeout(200)
    path = folder / f"dashboard-{name}.png"
    b.page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000, f"{path} looks empty"
    return path


@pytest.fixture(scope="module")
def server(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server on a copy of the demo store (the tests mark a hit and add an observation)."""
    root = tmp_path_factory.mktemp("browser")
    s = Server(copy_store(demo_store, root / "store"), root)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def ui(playwright: Any, server: Server,
       tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    b = Browser(playwright, server.url, tmp_path_factory.mktemp("downloads"))
    try:
        b.open("#/map")
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def angara_case(server: Server) -> dict[str, Any]:
    """The case of ANGARA's Najin -> Dunai leg (the shuttle the demo is about)."""
    cases = server.json("/api/cases")["items"]
    case = next(c for c in cases if c["vessel_name"] == "ANGARA"
                and c["origin_port_name"] == "Najin" and c["dest_port_name"] == "Dunai")
    return dict(server.json(f"/api/cases/{case['case_id']}"))


def test_the_map_loads_the_positions_offline(ui: Browser, server: Server,
                                             artefacts: Path) -> None:
    meta = arrow_of(server.get("/api/positions.arrow")).schema.metadata
    rows = int(meta[b"rows"])
    info = server.json("/api/info")
    status = ui.eval("vw.status")
    assert status["positions"] == rows > 1000
    assert 0 < status["dataReadyMs"] < 60_000
    assert ui.eval("performance.getEntriesByName('vw-data-ready').length") == 1
    # the positions were fetched once: by the page's preload, whose response the script used
    assert ui.eval("performance.getEntriesByType('resource')"
                   ".filter(e => new URL(e.name).pathname === '/api/positions.arrow')"
                   ".map(e => e.initiatorType)") == ["link"]
    assert ui.layer("positions")["length"] == rows
    tracks = ui.layer("tracks")
    assert tracks is not None and 0 < tracks["length"] < rows
    ui.page.wait_for_function("vw.layers().some(l => l.id === 'ports' && l.length > 0)",
                              timeout=WAIT_MS)
    assert ui.layer("ports")["length"] == server.json("/api/ports")["total"]
    assert f"{info['positions']:,} positions" in ui.text("store-info")
    assert f"{info['cases']:,} cases" in ui.text("store-info")
    # the legend counts each event type as the API does
    counts = {t: server.json("/api/events", type=t, limit=1)["total"] for t in info["event_types"]}
    assert sum(counts.values()) == info["events"] > 0
    for event_type, n in counts.items():
        toggle = ui.page.get_by_test_id(f"legend-event-{event_type}")
        if n == 0:
            assert toggle.count() == 0
            continue
        toggle.wait_for(timeout=WAIT_MS)
        assert f"({n})" in toggle.locator("xpath=..").inner_text()
    ui.page.wait_for_timeout(500)
    shoot(ui, artefacts, "1-map")
    assert ui.foreign == []
    assert ui.errors == []


def test_cases_are_listed_strongest_first(ui: Browser, server: Server, artefacts: Path,
                                          angara_case: dict[str, Any]) -> None:
    api = server.json("/api/cases")
    ui.go("#/cases")
    rows = ui.page.get_by_test_id("case-row")
    rows.first.wait_for(timeout=WAIT_MS)
    assert rows.count() == api["total"] == len(api["items"]) >= 3
    assert ui.text("cases-total") == str(api["total"])
    shown = [rows.nth(i).get_attribute("data-case-id") for i in range(rows.count())]
    assert shown == [c["case_id"] for c in api["items"]]
    steps = [ICD_203.index(rows.nth(i).get_attribute("data-likelihood"))
             for i in range(rows.count())]
    assert steps == sorted(steps, reverse=True)
    row = ui.page.locator(f"[data-testid=case-row][data-case-id='{angara_case['case_id']}']")
    assert row.get_by_test_id("case-vessel").inner_text() == "ANGARA"
    assert row.get_by_test_id("case-leg").inner_text() == "Najin → Dunai"
    assert row.get_by_test_id("likelihood").inner_text() == angara_case["likelihood"]
    shoot(ui, artefacts, "2-cases")


def test_the_case_shows_its_evidence_and_the_dark_period(ui: Browser, artefacts: Path,
                                                          angara_case: dict[str, Any]) -> None:
    ui.go("#/cases")
    ui.page.locator(f"[data-testid=case-row][data-case-id='{angara_case['case_id']}']").click()
    ui.page.wait_for_function(f"location.hash === '#/case/{angara_case['case_id']}'")
    ui.page.get_by_test_id("case-hypothesis").wait_for(timeout=WAIT_MS)
    assert ui.text("case-hypothesis") == angara_case["hypothesis"]
    assert ui.text("case-likelihood") == angara_case["likelihood"]
    assert ui.text("case-dark-hours") == f"{angara_case['dark_hours']:.1f} h"
    reasons = ui.page.get_by_test_id("case-reason").all_inner_texts()
    assert reasons == angara_case["reasons"]
    rows = ui.page.get_by_test_id("evidence-row")
    kinds = [rows.nth(i).get_attribute("data-kind") for i in range(rows.count())]
    assert sorted(kinds) == sorted(e["kind"] for e in angara_case["evidence"])
    assert "dark_period" in kinds
    dark = ui.page.locator("[data-testid=evidence-row][data-kind=dark_period]")
    summary = next(e["summary"] for e in angara_case["evidence"] if e["kind"] == "dark_period")
    assert summary in dark.inner_text()
    times = [t for t in (e["ts"] for e in angara_case["evidence"]) if t]
    shown = [rows.nth(i).locator("td").first.inner_text() for i in range(len(times))]
    assert shown == sorted(shown), "evidence in time order"
    for fmt in ("html", "kml", "geojson", "ftm", "parquet"):
        href = ui.page.get_by_test_id(f"export-{fmt}").get_attribute("href")
        assert href == angara_case["exports"][fmt].lstrip("/")
    shoot(ui, artefacts, "3-case")


def test_the_vessel_profile_shows_the_watchlist_hit(ui: Browser, server: Server,
                                                    artefacts: Path,
                                                    angara_case: dict[str, Any]) -> None:
    ui.go(f"#/case/{angara_case['case_id']}")
    ui.page.get_by_test_id("case-facts").get_by_test_id("vessel-link").click()
    mmsi = angara_case["mmsi"]
    ui.page.wait_for_function(f"location.hash === '#/vessel/{mmsi}'")
    ui.page.get_by_test_id("hit").first.wait_for(timeout=WAIT_MS)
    vessel = server.json(f"/api/vessels/{mmsi}")
    assert ui.text("vessel-name") == "ANGARA"
    assert f"IMO {angara_case['imo']}" in ui.text("vessel-ids")
    hits = ui.page.get_by_test_id("hit")
    assert hits.count() == len(vessel["hits"]) >= 1
    hit = vessel["hits"][0]
    assert hits.first.get_attribute("data-tier") == hit["tier"]
    assert hit["reason"] in ui.text("hit-reason")
    assert "Rajin-Dunai" in ui.text("hit-reason")
    assert ui.text("hit-explanation") == hit["explanation"]
    assert ui.text("hit-list") == hit["list_name"]
    risk = vessel["risk"][0]
    assert ui.page.get_by_test_id("risk-row").count() == len(risk["indicators"])
    names = ui.page.get_by_test_id("identity-name").all_inner_texts()
    assert names == [i["name"] for i in vessel["identities"]]
    links = ui.page.get_by_test_id("vessel-case-link").all_inner_texts()
    assert angara_case["hypothesis"] in links
    assert ui.eval("vw.state.selected") == [mmsi]
    shoot(ui, artefacts, "4-vessel")


def test_replaying_the_leg_moves_the_clock(ui: Browser, artefacts: Path,
                                          angara_case: dict[str, Any]) -> None:
    ui.go(f"#/case/{angara_case['case_id']}")
    ui.page.get_by_test_id("case-replay").click()
    ui.page.wait_for_function("vw.replay() !== null", timeout=WAIT_MS)
    replay = ui.eval("vw.replay()")
    departed = ui.eval(f"Date.parse('{angara_case['departed_ts']}') / 1000")
    assert replay["mmsis"] == [angara_case["mmsi"]]
    assert replay["start"] == departed - 1800 and replay["playing"] is False
    trips = ui.layer("replay-trips")
    assert trips is not None and trips["length"] >= 2, "the track is cut at the dark leg"
    dark = ui.layer("dark-legs")
    assert dark is not None and dark["length"] >= 1
    before = ui.text("replay-time")
    ui.page.get_by_test_id("replay-speed").select_option(str(3600))
    ui.page.get_by_test_id("replay-play").click()
    ui.page.wait_for_function(f"vw.replay().time > {replay['start'] + 1800}", timeout=WAIT_MS)
    ui.page.wait_for_function(
        "document.querySelector('[data-testid=replay-time]').textContent !== "
        f"{json.dumps(before)}", timeout=WAIT_MS)
    assert ui.eval("vw.replay().playing") is True
    assert ui.layer("replay-markers")["length"] == 1
    shoot(ui, artefacts, "5-replay")
    ui.page.get_by_test_id("replay-play").click()  # pause
    assert ui.eval("vw.replay().playing") is False


def test_events_filter_by_type_and_a_row_zooms_there(ui: Browser, server: Server,
                                                     artefacts: Path) -> None:
    ui.eval("vw.setRange(null)")
    ui.go("#/events")
    ui.page.get_by_test_id("events-total").wait_for(timeout=WAIT_MS)
    assert ui.text("events-total") == str(server.json("/api/events", limit=1)["total"])
    ui.page.get_by_test_id("events-filter-type").select_option("encounter")
    encounters = server.json("/api/events", type="encounter")
    ui.page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=event-row]')]"
        ".every(r => r.dataset.type === 'encounter')", timeout=WAIT_MS)
    assert ui.text("events-total") == str(encounters["total"]) != "0"
    rows = ui.page.get_by_test_id("event-row")
    assert rows.count() == encounters["total"]
    before = ui.eval("vw.viewState()")
    rows.first.click()
    event = next(e for e in encounters["items"]
                 if e["event_id"] == rows.first.get_attribute("data-event-id"))
    ui.page.wait_for_function(
        f"(v => Math.abs(v.zoom - {before['zoom']}) > 0.5 || "
        f"Math.abs(v.longitude - {before['longitude']}) > 0.01)(vw.viewState())",
        timeout=WAIT_MS)
    ui.page.wait_for_function("vw.replay() && vw.replay().mmsis.length === 2", timeout=WAIT_MS)
    ui.page.wait_for_function("!vw.map.isMoving()", timeout=WAIT_MS)
    after = ui.eval("vw.viewState()")
    assert after["zoom"] > before["zoom"] + 1, "zoomed in on the encounter"
    assert ui.eval(f"vw.map.getBounds().contains([{event['lon']}, {event['lat']}])")
    assert sorted(ui.eval("vw.replay().mmsis")) == sorted([event["mmsi"], event["other_mmsi"]])
    start = ui.eval(f"Date.parse('{event['start_ts']}') / 1000")
    assert ui.eval("vw.replay().start") < start
    assert ui.layer("replay-markers") is not None
    shoot(ui, artefacts, "6-events")
    ui.page.get_by_test_id("events-filter-type").select_option("")


def test_the_timeline_brush_narrows_the_events(ui: Browser, server: Server,
                                               artefacts: Path) -> None:
    ui.page.get_by_test_id("replay-close").click()
    ui.go("#/events")
    ui.page.get_by_test_id("events-filter-type").select_option("")
    total = server.json("/api/events", limit=1)["total"]
    ui.page.wait_for_function(
        f"document.querySelector('[data-testid=events-total]')?.textContent === '{total}'",
        timeout=WAIT_MS)
    box = ui.page.get_by_test_id("timeline-canvas").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    ui.page.mouse.move(box["x"] + box["width"] * 0.30, y)
    ui.page.mouse.down()
    ui.page.mouse.move(box["x"] + box["width"] * 0.45, y, steps=5)
    ui.page.mouse.move(box["x"] + box["width"] * 0.60, y, steps=5)
    ui.page.mouse.up()
    ui.page.wait_for_function("vw.state.range !== null", timeout=WAIT_MS)
    start, end = ui.eval("vw.state.range")
    iso = ui.eval(f"[{start}, {end}].map(t => new Date(t * 1000).toISOString())")
    narrowed = server.json("/api/events", start=iso[0], end=iso[1], limit=1)["total"]
    assert 0 < narrowed < total
    ui.page.wait_for_function(
        f"document.querySelector('[data-testid=events-total]')?.textContent === '{narrowed}'",
        timeout=WAIT_MS)
    assert "→" in ui.text("brush-label")
    shoot(ui, artefacts, "7-brush")
    ui.page.get_by_test_id("brush-clear").click()
    ui.page.wait_for_function(
        f"document.querySelector('[data-testid=events-total]')?.textContent === '{total}'",
        timeout=WAIT_MS)


def _positions(server: Server) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) as float32 pairs and epoch seconds of the positions the map loads."""
    table = arrow_of(server.get("/api/positions.arrow"))
    xy = np.asarray(table.column("position").combine_chunks().flatten()).reshape(-1, 2)
    return xy, np.asarray(table.column("t").to_numpy())


def _inside(xy: np.ndarray, bounds: list[float]) -> np.ndarray:
    west, south, east, north = bounds
    return ((xy[:, 0] >= west) & (xy[:, 0] < east) & (xy[:, 1] > south)
            & (xy[:, 1] <= north))


def test_the_density_bins_the_positions_and_follows_the_brush(ui: Browser, server: Server,
                                                              artefacts: Path) -> None:
    xy, t = _positions(server)
    ui.go("#/map")
    ui.eval("vw.setRange(null)")
    # zoomed out, a density image binned from the loaded positions stands for them
    ui.eval("vw.map.jumpTo({center: [120, 45], zoom: 2.5})")
    ui.page.wait_for_function(
        "!vw.map.isMoving() && vw.layers().some(l => l.id === 'density')", timeout=WAIT_MS)
    assert ui.layer("positions") is None and ui.layer("tracks") is None
    density = ui.layer("density")
    assert density is not None and _inside(xy, density["bounds"]).all()
    assert density["length"] == len(t)
    shoot(ui, artefacts, "8-density")
    # brushing a time range bins only the positions inside it, [t0, t1)
    t0 = int(t.min()) + (int(t.max()) - int(t.min())) // 3
    t1 = int(t.min()) + 2 * (int(t.max()) - int(t.min())) // 3
    expected = int(((t >= t0) & (t < t1)).sum())
    assert 0 < expected < len(t)
    ui.eval(f"vw.setRange({t0}, {t1})")
    ui.page.wait_for_function(
        f"vw.layers().some(l => l.id === 'density' && l.length === {expected})",
        timeout=WAIT_MS)
    ui.eval("vw.setRange(null)")
    # zoomed in on the data, points and tracks again ...
    lon, lat = (float(v) for v in np.median(xy, axis=0))
    ui.eval(f"vw.map.jumpTo({{center: [{lon}, {lat}], zoom: 5}})")
    ui.page.wait_for_function(
        "!vw.map.isMoving() && vw.layers().some(l => l.id === 'positions')", timeout=WAIT_MS)
    assert ui.layer("density") is None
    assert ui.layer("positions")["length"] == len(t)
    # ... unless the view holds more positions than the switch allows (500,000 on a GPU,
    # 50,000 on a software renderer like this one; lowered here): the density then bins
    # those inside its image, the view and its margin
    assert ui.eval("vw.densityAbove()") == 50_000
    assert "more than 50,000 positions in view: density grid" in ui.text("legend")
    ui.eval("vw.setDensityAbove(100)")
    ui.page.wait_for_function("vw.layers().some(l => l.id === 'density')", timeout=WAIT_MS)
    assert ui.layer("positions") is None
    density = ui.layer("density")
    assert density is not None
    assert density["length"] == int(_inside(xy, density["bounds"]).sum()) > 100
    ui.eval("vw.setDensityAbove(null)")
    ui.page.wait_for_function("vw.layers().some(l => l.id === 'positions')", timeout=WAIT_MS)
    assert ui.eval("vw.densityAbove()") == 50_000


def test_with_many_positions_only_the_rows_around_the_view_are_drawn(
        ui: Browser, server: Server) -> None:
    table = arrow_of(server.get("/api/positions.arrow"))
    xy, t = _positions(server)
    mmsi = table.column("mmsi").to_numpy().astype(np.int64)
    lon, lat = (float(v) for v in np.median(xy, axis=0))
    ui.go("#/map")
    ui.eval(f"vw.map.jumpTo({{center: [{lon}, {lat}], zoom: 6}})")
    ui.page.wait_for_function(
        "!vw.map.isMoving() && vw.layers().some(l => l.id === 'positions')", timeout=WAIT_MS)
    assert ui.eval("vw.subsetAbove()") == 200_000  # this store is smaller: every row is drawn
    assert ui.layer("positions")["length"] == len(t)
    ui.eval("vw.setSubsetAbove(1000)")  # as if it were larger
    ui.page.wait_for_function(
        f"vw.layers().some(l => l.id === 'positions' && l.length < {len(t)})", timeout=WAIT_MS)
    points, tracks = ui.layer("positions"), ui.layer("tracks")
    assert points is not None and tracks is not None
    # the rows inside the binned area, each with its vessel's rows before and after it
    near = _inside(xy, points["bounds"])
    keep = near.copy()
    same_before = np.concatenate(([False], mmsi[1:] == mmsi[:-1]))
    keep[:-1] |= near[1:] & same_before[1:]
    keep[1:] |= near[:-1] & same_before[1:]
    rows = np.flatnonzero(keep)
    assert 0 < len(rows) < len(t)
    assert points["length"] == len(rows)
    # a track part starts at a new vessel, after an hour's silence, or after rows left out
    gap = np.concatenate(([True], (mmsi[1:] != mmsi[:-1]) | (np.diff(t.astype(np.int64)) > 3600)))
    starts = gap[rows] | np.concatenate(([True], np.diff(rows) != 1))
    assert tracks["length"] == int(starts.sum())
    ui.eval("vw.setSubsetAbove(null)")
    ui.page.wait_for_function(
        f"vw.layers().some(l => l.id === 'positions' && l.length === {len(t)})", timeout=WAIT_MS)


def test_the_dossier_downloads(ui: Browser, angara_case: dict[str, Any]) -> None:
    ui.go(f"#/case/{angara_case['case_id']}")
    ui.page.get_by_test_id("export-html").wait_for(timeout=WAIT_MS)
    with ui.page.expect_download() as html_download:
        ui.page.get_by_test_id("export-html").click()
    html = Path(html_download.value.path()).read_text(encoding="utf-8")
    assert "ANGARA" in html and "Najin" in html and "Dunai" in html
    with ui.page.expect_download() as geo_download:
        ui.page.get_by_test_id("export-geojson").click()
    fc = json.loads(Path(geo_download.value.path()).read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection"
    assert fc["case"]["case_id"] == angara_case["case_id"]
    assert any(f["properties"]["kind"] == "dark_leg" for f in fc["features"])


def test_marking_a_false_positive_and_adding_an_observation(ui: Browser, server: Server,
                                                            angara_case: dict[str, Any]) -> None:
    mmsi = angara_case["mmsi"]
    ui.go(f"#/vessel/{mmsi}")
    button = ui.page.get_by_test_id("hit-false-positive").first
    button.wait_for(timeout=WAIT_MS)
    hit_id = server.json(f"/api/vessels/{mmsi}")["hits"][0]["hit_id"]
    button.click()
    ui.page.get_by_text("Undo false positive").wait_for(timeout=WAIT_MS)
    hits = {h["hit_id"]: h for h in server.json("/api/hits")["items"]}
    assert hits[hit_id]["false_positive"] is True
    ui.page.get_by_test_id("hit-false-positive").first.click()  # undo
    ui.page.get_by_text("Mark false positive").first.wait_for(timeout=WAIT_MS)
    hits = {h["hit_id"]: h for h in server.json("/api/hits")["items"]}
    assert hits[hit_id]["false_positive"] is False

    form = ui.page.get_by_test_id("vessel-observation")
    form.get_by_test_id("observation-ts").fill("2023-09-07T12:00:00Z")
    form.get_by_test_id("observation-source").fill("CSIS Beyond Parallel")
    form.get_by_test_id("observation-submit").click()  # no claim: the server says 400
    error = form.get_by_test_id("observation-error")
    error.wait_for(timeout=WAIT_MS)
    request = urllib.request.Request(
        f"{server.url}/api/observations", method="POST",
        data=json.dumps({"kind": "satellite_image", "ts": "2023-09-07T12:00:00Z",
                         "mmsi": mmsi, "source": "CSIS Beyond Parallel",
                         "reliability": "C", "credibility": 3}).encode(),
        headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400
    assert error.inner_text() == json.loads(refused.value.read())["error"]
    # Chromium logs every answer >= 400; this one was asked for
    assert ui.errors[-1:] == [LOGGED_400]
    ui.errors.pop()
    before = server.json("/api/observations")["total"]
    form.get_by_test_id("observation-claim").fill("a cargo ship alongside Pier 1 at Najin")
    form.get_by_test_id("observation-submit").click()
    form.get_by_test_id("observation-result").wait_for(timeout=WAIT_MS)
    assert "Added" in form.get_by_test_id("observation-result").inner_text()
    assert server.json("/api/observations")["total"] == before + 1


def test_no_errors_and_nothing_fetched_from_elsewhere(ui: Browser) -> None:
    assert ui.errors == []
    assert ui.foreign == []


def test_a_store_without_detection_says_what_to_run(playwright: Any, demo_store: Path,
                                                    tmp_path_factory: pytest.TempPathFactory,
                                                    artefacts: Path) -> None:
    root = tmp_path_factory.mktemp("raw")
    server = Server(undetected_store(demo_store, root / "store"), root)
    try:
        b = Browser(playwright, server.url, root)
        try:
            b.open("#/cases")
            assert b.eval("vw.status.positions") > 0
            assert "vesselwatch detect" in b.text("banner-text")
            b.page.get_by_test_id("view-error").wait_for(timeout=WAIT_MS)
            refused = urllib.request.Request(f"{server.url}/api/cases")
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(refused, timeout=30)
            assert answer.value.code == 409
            assert b.text("view-error") == json.loads(answer.value.read())["error"]
            assert b.layer("events") is not None and b.layer("events")["length"] == 0
            shoot(b, artefacts, "8-undetected")
            assert b.errors and set(b.errors) == {LOGGED_409}  # the 409s, nothing else
            assert b.foreign == []
        finally:
            b.close()
    finally:
        server.stop()


def test_the_built_front_end_is_complete_and_self_contained() -> None:
    """The committed build (web/build.mjs): every file the page loads, nothing fetched from
    elsewhere, and the licences of what is bundled."""
    from vesselwatch.web.app import STATIC_DIR

    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert set(refs) >= {"static/app.js", "static/app.css"}
    for ref in refs:
        assert not re.match(r"(https?:)?//", ref), ref
        if ref.startswith("static/"):
            assert (STATIC_DIR / ref.removeprefix("static/")).is_file(), ref
    bundle = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    assert 500_000 < len(bundle) < 4_000_000
    assert not re.search(r"""fetch\(\s*["']https?://""", bundle)
    land = json.loads((STATIC_DIR / "land.geojson").read_text(encoding="utf-8"))
    rings = [r for p in land["features"][0]["geometry"]["coordinates"] for r in p]
    assert len(rings) > 1000 and all(r[0] == r[-1] for r in rings)
    assert all(-180 <= x <= 180 for r in rings for x, _ in r), "cut at the antimeridian"
    licences = (STATIC_DIR / "THIRD_PARTY_LICENSES").read_text(encoding="utf-8")
    for package in ("maplibre-gl", "@deck.gl/core", "@deck.gl/layers", "@deck.gl/geo-layers",
                    "@deck.gl/mapbox", "apache-arrow", "world-atlas"):
        assert re.search(rf"^{re.escape(package)} \S+ -- ", licences, re.M), package
    assert "Natural Earth" in licences
