"""The case dossier (``vesselwatch.export.dossier``) on a two-day demo store: HTML, KML,
GeoJSON and FollowTheMoney, each checked against what the engine itself returns."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, timedelta
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from vesselwatch.demo import run_demo
from vesselwatch.engine import Engine
from vesselwatch.errors import InputError
from vesselwatch.export.dossier import (
    DOSSIER_FORMATS,
    DossierData,
    ftm_entities,
    gather,
    html_text,
    write_dossier,
)
from web_browser_helpers import CHROMIUM, require_browser

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, dict[str, Any]]:
    """A two-day demo store and its first case with a dark leg."""
    root = tmp_path_factory.mktemp("dossier") / "store"
    run_demo(root, days=2)
    engine = Engine(root)
    case_id = next(c["case_id"] for c in engine.cases().to_pylist() if c["dark_hours"] > 0)
    return engine, engine.case(case_id)


@pytest.fixture(scope="module")
def outputs(demo: tuple[Engine, dict[str, Any]],
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    engine, case = demo
    out = tmp_path_factory.mktemp("out")
    return {f: write_dossier(engine, case["case_id"], f, out / f"case.{f}")
            for f in DOSSIER_FORMATS}


def _leg(engine: Engine, case: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """Positions with a place in the leg [departed, arrived], and the gaps overlapping it,
    as the engine gives them (independently of the dossier's own gathering)."""
    t0, t1 = case["departed_ts"], case["arrived_ts"]
    track = engine.positions(mmsi=[case["mmsi"]], start=t0, end=t1 + timedelta(microseconds=1))
    n = sum(1 for la, lo in zip(track["lat"].to_pylist(), track["lon"].to_pylist())
            if la is not None and lo is not None)
    return n, engine.events(["gap"], mmsi=[case["mmsi"]], start=t0, end=t1).to_pylist()


class _Tags(HTMLParser):
    """Every start tag with its attributes; fails on a close tag that does not match."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def _parse(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    assert parser.stack == [], f"unclosed tags: {parser.stack}"
    return parser


def test_html_holds_the_case(demo: tuple[Engine, dict[str, Any]],
                             outputs: dict[str, Path]) -> None:
    _, case = demo
    text = outputs["html"].read_text(encoding="utf-8")
    assert escape(case["hypothesis"]) in text
    assert f'class="likelihood">{escape(case["likelihood"])}<' in text
    for reason in case["reasons"]:
        assert escape(reason) in text
    assert case["evidence"]
    for item in case["evidence"]:
        assert f"<td>{escape(item['ref'])}</td>" in text
    assert outputs["html"].stat().st_size < 2_000_000


def test_html_is_well_formed_and_offline(outputs: dict[str, Path]) -> None:
    text = outputs["html"].read_text(encoding="utf-8")
    tags = _parse(text).tags
    ET.fromstring(text.split("\n", 1)[1])  # well-formed XML as well, after the doctype
    names = {t for t, _ in tags}
    assert {"svg", "polyline", "line", "style"} <= names
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}
    for tag, attrs in tags:
        for key in ("src", "href", "xlink:href", "action", "data"):
            value = attrs.get(key) or ""
            assert not re.match(r"\s*(https?:)?//", value), f"<{tag} {key}={value!r}>"
    assert "url(" not in text and "@import" not in text and "@font-face" not in text
    ids = [a.get("id") for _, a in tags]
    assert "map" in ids and "timeline" in ids


def test_map_draws_every_position_and_each_dark_leg(demo: tuple[Engine, dict[str, Any]],
                                                     outputs: dict[str, Path]) -> None:
    """The track is one polyline per stretch between gaps (cut where a gap ends, so no
    solid line crosses a dark leg): together they hold every position of the leg."""
    engine, case = demo
    n_positions, gaps = _leg(engine, case)
    tags = _parse(outputs["html"].read_text(encoding="utf-8")).tags
    lines = [a for t, a in tags if t == "polyline" and a.get("class") == "track"]
    assert sum(len((a["points"] or "").split()) for a in lines) == n_positions > 0
    assert len(lines) == 1 + len(gaps)  # the demo's gaps all end inside the leg
    dark = [a for t, a in tags if t == "line" and a.get("class") == "dark"]
    assert gaps and len(dark) == len(gaps)
    assert all(a.get("stroke-dasharray") for a in dark)
    ticks = [a for t, a in tags if t == "line" and a.get("class") == "tick"]
    assert len(ticks) == sum(1 for e in case["evidence"] if e.get("ts"))
    bars = [a for t, a in tags if t == "rect" and a.get("class") == "darkbar"]
    assert len(bars) == len(gaps)
    land = [a for t, a in tags if t == "path" and a.get("class") == "land"]
    assert land and land[0]["d"], "Najin and Dunai are coastal: the map shows land"


def test_html_escapes_text(demo: tuple[Engine, dict[str, Any]]) -> None:
    _, case = demo
    evil = "<script>alert(1)</script>"
    bad = {**case, "vessel_name": evil, "hypothesis": evil,
           "evidence": [{**case["evidence"][0], "summary": evil, "ref": evil}]}
    text = html_text(DossierData(bad))
    assert "<script>" not in text and escape(evil) in text
    _parse(text)


def test_kml_parses_with_fastkml(demo: tuple[Engine, dict[str, Any]],
                                 outputs: dict[str, Path]) -> None:
    fastkml = pytest.importorskip("fastkml", reason="pip install fastkml (the dev extra)")
    from fastkml.times import TimeSpan, TimeStamp

    engine, case = demo
    n_positions, gaps = _leg(engine, case)
    doc = fastkml.kml.KML.from_string(outputs["kml"].read_bytes())
    placemarks: list[Any] = []
    todo = list(doc.features)
    while todo:
        f = todo.pop()
        todo.extend(getattr(f, "features", []) or [])
        if type(f).__name__ == "Placemark":
            placemarks.append(f)
    stamps = [p for p in placemarks if isinstance(p.times, TimeStamp)]
    spans = [p for p in placemarks if isinstance(p.times, TimeSpan)]
    assert len(stamps) == n_positions
    assert len(spans) == (1 + len(gaps)) + len(gaps)  # track segments and dark legs
    dark = [p for p in spans if p.style_url.url == "#dark"]
    assert len(dark) == len(gaps)
    assert dark[0].times.begin.dt == min(g["start_ts"] for g in gaps)
    ports = [p for p in placemarks if p.times is None]
    assert {p.name.split(" (")[0] for p in ports} == {case["origin_port_name"],
                                                      case["dest_port_name"]}


def test_geojson_features(demo: tuple[Engine, dict[str, Any]], outputs: dict[str, Path]) -> None:
    engine, case = demo
    n_positions, gaps = _leg(engine, case)
    fc = json.loads(outputs["geojson"].read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection"
    assert fc["case"]["case_id"] == case["case_id"]
    assert fc["case"]["likelihood"] == case["likelihood"]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for f in fc["features"]:
        by_kind.setdefault(f["properties"]["kind"], []).append(f)
    track = by_kind["track"]
    assert sum(len(f["geometry"]["coordinates"]) for f in track) == n_positions
    assert all(len(f["properties"]["times"]) == len(f["geometry"]["coordinates"]) for f in track)
    assert {f["properties"]["event_id"] for f in by_kind["dark_leg"]} == \
        {g["event_id"] for g in gaps}
    assert sorted(f["properties"]["role"] for f in by_kind["port"]) == ["dest", "origin"]
    assert all(f["geometry"]["type"] == "Point" for f in by_kind["port"])


def test_ftm_lines_load(demo: tuple[Engine, dict[str, Any]], outputs: dict[str, Path]) -> None:
    from followthemoney import model

    _, case = demo
    proxies = [model.get_proxy(json.loads(line))
               for line in outputs["ftm"].read_text(encoding="utf-8").splitlines()]
    vessel = proxies[0]
    assert vessel.schema.name == "Vessel"
    assert vessel.get("mmsi") == [str(case["mmsi"])]
    assert vessel.get("imoNumber") == [f"IMO{case['imo']}"]
    assert vessel.get("flag") == ["ru"]  # MID 273: Russia
    sanctions = proxies[1:]
    assert sanctions, "the demo screens the fleet against its watchlist"
    for s in sanctions:
        assert s.schema.name == "Sanction"
        assert s.get("entity") == [vessel.id]
        assert model.get_proxy(s.to_dict()).to_dict() == s.to_dict()


def test_ftm_sanction_carries_the_listing() -> None:
    from followthemoney import model

    case = {"mmsi": 273310100, "vessel_name": "ANGARA", "imo": 9179842}
    hit = {"hit_id": "h1", "list_name": "EU FSF", "programme": "RUSSIA-833",
           "listed_on": date(2024, 6, 25), "explanation": "IMO match", "entity_id": "eu-1",
           "tier": "sanctioned", "false_positive": False}
    vessel, sanction = (model.get_proxy(e) for e in ftm_entities(case, [hit, {
        **hit, "hit_id": "h2", "false_positive": True}]))
    assert sanction.get("startDate") == ["2024-06-25"]
    assert sanction.get("program") == ["RUSSIA-833"]
    assert sanction.get("authority") == ["EU FSF"]
    assert sanction.get("reason") == ["IMO match"]
    assert sanction.get("entity") == [vessel.id]


def test_ftm_names_the_listed_owners_once() -> None:
    from followthemoney import model

    case = {"mmsi": 445000010, "vessel_name": "CHOL SAN", "imo": None}
    owners = json.dumps([{"entity_id": "un-KPe.022", "name": "KOREA SHIPPING CO",
                          "schema": "Company"}])
    hit = {"hit_id": "h1", "list_name": "UN", "programme": "DPRK", "listed_on": None,
           "explanation": "owner listed", "entity_id": "un-KPe.022-vessel-chol-san",
           "tier": "risk", "false_positive": False, "owners": owners}
    proxies = [model.get_proxy(e) for e in ftm_entities(case, [hit, {**hit, "hit_id": "h2"}])]
    assert [p.schema.name for p in proxies] == ["Vessel", "Sanction", "Company", "Ownership",
                                                "Sanction"]
    company, ownership = proxies[2], proxies[3]
    assert company.get("name") == ["KOREA SHIPPING CO"]
    assert ownership.get("owner") == [company.id] and ownership.get("asset") == [proxies[0].id]


def test_gather_without_screening(demo: tuple[Engine, dict[str, Any]],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    engine, case = demo

    def no_hits(*_: Any, **__: Any) -> Any:
        raise InputError("no screening yet")

    monkeypatch.setattr(engine, "hits", no_hits)
    data = gather(engine, case["case_id"])
    assert data.hits == [] and data.track and data.sources
    assert data.sources[0]["sha256"] in html_text(data)


def test_unknown_format_and_case(demo: tuple[Engine, dict[str, Any]], tmp_path: Path) -> None:
    engine, case = demo
    with pytest.raises(InputError, match="html, kml, geojson, ftm"):
        write_dossier(engine, case["case_id"], "pdf", tmp_path / "x.pdf")
    with pytest.raises(InputError, match="no case"):
        write_dossier(engine, "0000000000000000", "html", tmp_path / "x.html")


def test_timeline_places_late_evidence_at_the_edge(demo: tuple[Engine, dict[str, Any]]) -> None:
    """A confirmation a year after arrival does not squash the leg: it sits at the edge."""
    _, case = demo
    late = (case["arrived_ts"] + timedelta(days=365)).astimezone(UTC)
    item = {**case["evidence"][0], "kind": "confirmation", "ts": str(late), "ref": "late-1"}
    text = html_text(DossierData({**case, "evidence": [item]}))
    x = float(re.search(r'<line class="tick" x1="([\d.]+)"', text).group(1))  # type: ignore[union-attr]
    assert 740 <= x <= 800
    assert late.strftime("%Y-%m-%dT%H:%M:%SZ") in text


def test_html_renders_offline_in_chromium(outputs: dict[str, Path], tmp_path: Path) -> None:
    require_browser()
    from playwright.sync_api import Route, sync_playwright

    blocked: list[str] = []

    def only_files(route: Route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(offline=True)
            context.route("**/*", only_files)
            page = context.new_page()
            page.goto(outputs["html"].resolve().as_uri())
            for sel in ("#map", "#timeline"):
                assert page.is_visible(sel), sel
                box = page.locator(sel).bounding_box()
                assert box is not None and box["width"] > 0 and box["height"] > 0, sel
            shot = tmp_path / "dossier.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 0
        finally:
            browser.close()
    assert blocked == []


def test_geoparquet_holds_the_track_the_dark_legs_and_the_ports(
        demo: tuple[Engine, dict[str, Any]], outputs: dict[str, Path]) -> None:
    import struct

    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    engine, case = demo
    n, gaps = _leg(engine, case)
    table = pq.read_table(outputs["parquet"])
    geo = json.loads(table.schema.metadata[b"geo"])
    assert geo["primary_column"] == "geometry"
    assert geo["columns"]["geometry"]["encoding"] == "WKB"
    kinds = table["kind"].to_pylist()
    assert kinds.count("position") == n
    assert kinds.count("dark_leg") == len(gaps)
    assert {"origin", "destination"} <= set(kinds)
    first = table.filter(pc.equal(table["kind"], "position")).sort_by("ts")["geometry"][0]
    order, kind, lon, lat = struct.unpack("<BIdd", first.as_py())
    assert (order, kind) == (1, 1) and -180 <= lon <= 180 and -90 <= lat <= 90
