"""One case as a dossier: a self-contained HTML page, KML, GeoJSON or FollowTheMoney lines.

:func:`gather` reads what a case needs from the engine (the case, the track of its leg,
the gaps overlapping the leg, the ports, the vessel's screening hits, the ingested sources,
the detection parameters) into a :class:`DossierData`; the ``*_text`` builders are pure
functions of it; :func:`write_dossier` does both. ``docs/dossier.md`` says what each
format holds. Nothing here touches the network: the HTML has inline CSS and SVG only.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vesselwatch.errors import InputError

if TYPE_CHECKING:
    from vesselwatch.engine import Engine

__all__ = ["DOSSIER_FORMATS", "DossierData", "ftm_entities", "ftm_text", "gather",
           "geojson_text", "html_text", "kml_text", "write_dossier"]

DOSSIER_FORMATS = ("html", "kml", "geojson", "ftm", "parquet")
KML_NS = "http://www.opengis.net/kml/2.2"
MAP_W, MAP_H_MIN, MAP_H_MAX = 800.0, 260.0, 700.0  # SVG map size, px
LAND_COLS = 200  # land raster columns over the map box (rows follow the aspect)
TL_W = 800.0  # timeline width, px
IsLand = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (lat, lon) -> bool


@dataclass
class DossierData:
    """Everything a dossier shows, as plain data. ``track``: positions of the leg sorted
    by time, each ``{"ts", "lat", "lon", "sog_kn"}``; ``gaps``: gap events overlapping the
    leg with ``details`` decoded (``off_lat`` ... ``on_lon``); ``ports``: ``{"role",
    "port_id", "name", "lat", "lon"}`` (lat/lon None when unknown)."""

    case: dict[str, Any]
    track: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    ports: list[dict[str, Any]] = field(default_factory=list)
    hits: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    detection: dict[str, Any] | None = None


def gather(engine: Engine, case_id: str, *, watchlist: str = "dprk-russia",
           case: dict[str, Any] | None = None) -> DossierData:
    """Read case ``case_id`` and what its dossier shows from ``engine``'s store. ``case``:
    the case already at hand (``Engine.case``'s form), so a caller writing many dossiers
    builds the cases once."""
    from vesselwatch.engine_cases import watched_ports

    if case is None:
        case = engine.case(case_id, watchlist=watchlist)
    mmsi, t0, t1 = case["mmsi"], case["departed_ts"], case["arrived_ts"]
    table = engine.positions(mmsi=[mmsi], start=t0, end=t1 + timedelta(microseconds=1))
    track = [r for r in table.select(["ts", "lat", "lon", "sog_kn"]).to_pylist()
             if r["lat"] is not None and r["lon"] is not None]
    gaps = engine.events(["gap"], mmsi=[mmsi], start=t0, end=t1).to_pylist()
    for g in gaps:
        g["details"] = json.loads(g["details"])
    known = watched_ports(watchlist)
    ports = []
    for role in ("origin", "dest"):
        pid = case[f"{role}_port_id"]
        at = known.get(pid, {})
        ports.append({"role": role, "port_id": pid, "name": case[f"{role}_port_name"] or pid,
                      "lat": at.get("lat"), "lon": at.get("lon")})
    try:
        hits = [h for h in engine.hits().to_pylist() if h["mmsi"] == mmsi]
    except InputError:
        hits = []  # no screening ran
    result = engine.store.connect().sql("select * from sources order by path").arrow()
    sources = (result.read_all() if hasattr(result, "read_all") else result).to_pylist()
    return DossierData(case, track, sorted(gaps, key=lambda g: g["start_ts"]), ports, hits,
                       sources, engine.store.detection())


def write_dossier(engine: Engine, case_id: str, fmt: str, dest: Path, *,
                  watchlist: str = "dprk-russia", case: dict[str, Any] | None = None) -> Path:
    """Write case ``case_id`` as ``fmt`` (one of :data:`DOSSIER_FORMATS`) to ``dest``
    (``case``: see :func:`gather`)."""
    if fmt not in DOSSIER_FORMATS:
        raise InputError(f"unknown dossier format {fmt!r}; use one of {', '.join(DOSSIER_FORMATS)}")
    data = gather(engine, case_id, watchlist=watchlist, case=case)
    if fmt == "parquet":
        from vesselwatch.export.geoparquet import write_geoparquet

        return write_geoparquet(data, Path(dest))
    if fmt == "html":
        from vesselwatch.reference.land import default_land_mask

        text = html_text(data, default_land_mask().is_land)
    else:
        text = {"kml": kml_text, "geojson": geojson_text, "ftm": ftm_text}[fmt](data)
    dest = Path(dest)
    dest.write_text(text, encoding="utf-8")
    return dest


# -- shared ---------------------------------------------------------------------------------

def _when(ts: datetime | str) -> datetime:
    """A time from the store, or from the evidence's text form (``2023-09-07 10:12:00+00:00``)."""
    return datetime.fromisoformat(ts) if isinstance(ts, str) else ts


def _iso(ts: datetime | str) -> str:
    """A UTC time as ``2023-09-07T10:12:00Z``."""
    return _when(ts).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dark_legs(data: DossierData) -> list[tuple[dict[str, Any], tuple[float, float, float, float]]]:
    """Each gap with its (off_lat, off_lon, on_lat, on_lon)."""
    out = []
    for g in data.gaps:
        d = g["details"]
        if None not in (d.get("off_lat"), d.get("off_lon"), d.get("on_lat"), d.get("on_lon")):
            out.append((g, (d["off_lat"], d["off_lon"], d["on_lat"], d["on_lon"])))
    return out


def _segments(data: DossierData) -> list[list[dict[str, Any]]]:
    """The track cut where a gap ends: no solid line is drawn across a dark leg."""
    times = [p["ts"] for p in data.track]
    ends = (bisect_left(times, g["end_ts"]) for g in data.gaps if g["end_ts"] is not None)
    cuts = sorted({i for i in ends if 0 < i < len(times)})
    bounds = [0, *cuts, len(times)]
    return [data.track[a:b] for a, b in pairwise(bounds) if b > a]


# -- HTML ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Frame:
    """Equirectangular projection of a lat/lon box onto ``w`` x ``h`` pixels."""

    south: float
    north: float
    west: float
    east: float
    w: float
    h: float

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return ((lon - self.west) / (self.east - self.west) * self.w,
                (self.north - lat) / (self.north - self.south) * self.h)


def _frame(lats: Sequence[float], lons: Sequence[float]) -> _Frame:
    """The points' box with a 10% margin, widened so a degree of longitude is cos(lat)
    of a degree of latitude on the page and the height stays within bounds."""
    south, north = min(lats), max(lats)
    west, east = min(lons), max(lons)
    pad = max(0.1, 0.1 * max(north - south, east - west))
    south, north, west, east = south - pad, north + pad, west - pad, east + pad
    k = math.cos(math.radians((south + north) / 2)) or 1e-6
    h = MAP_W * (north - south) / ((east - west) * k)
    if h > MAP_H_MAX:  # too tall: widen in longitude
        grow = ((north - south) / k * MAP_W / MAP_H_MAX - (east - west)) / 2
        west, east, h = west - grow, east + grow, MAP_H_MAX
    elif h < MAP_H_MIN:  # too flat: heighten in latitude
        grow = ((east - west) * k * MAP_H_MIN / MAP_W - (north - south)) / 2
        south, north, h = south - grow, north + grow, MAP_H_MIN
    return _Frame(max(-90.0, south), min(90.0, north), west, east, MAP_W, h)


def _land_path(f: _Frame, is_land: IsLand) -> str:
    """The land mask on a grid over the frame, as one SVG path of row runs."""
    rows = max(1, round(LAND_COLS * f.h / f.w))
    cw, ch = f.w / LAND_COLS, f.h / rows
    lat = f.north - (np.arange(rows) + 0.5) / rows * (f.north - f.south)
    lon = f.west + (np.arange(LAND_COLS) + 0.5) / LAND_COLS * (f.east - f.west)
    grid = np.asarray(is_land(*np.meshgrid(lat, lon, indexing="ij")), dtype=bool)
    parts = []
    for r in range(rows):
        edges = np.flatnonzero(np.diff(np.concatenate(([0], grid[r].astype(np.int8), [0]))))
        for a, b in zip(edges[::2], edges[1::2]):
            parts.append(f"M{a * cw:.1f} {r * ch:.1f}h{(b - a) * cw:.1f}v{ch:.1f}"
                         f"h{-(b - a) * cw:.1f}z")
    return "".join(parts)


def _map_svg(data: DossierData, is_land: IsLand | None) -> str:
    legs = _dark_legs(data)
    ports = [p for p in data.ports if p["lat"] is not None and p["lon"] is not None]
    lats = [p["lat"] for p in data.track] + [p["lat"] for p in ports]
    lons = [p["lon"] for p in data.track] + [p["lon"] for p in ports]
    for _, (a, b, c, d) in legs:
        lats += [a, c]
        lons += [b, d]
    if not lats:
        return '<p id="map">No positions of this leg to draw.</p>'
    f = _frame(lats, lons)
    out = [f'<svg id="map" viewBox="0 0 {f.w:.0f} {f.h:.0f}" width="{f.w:.0f}" '
           f'height="{f.h:.0f}" role="img" aria-label="map of the leg">',
           f'<rect class="sea" width="{f.w:.0f}" height="{f.h:.0f}"/>']
    if is_land is not None:
        out.append(f'<path class="land" d="{_land_path(f, is_land)}"/>')
    for seg in _segments(data):
        pts = " ".join("{:.1f},{:.1f}".format(*f.xy(p["lat"], p["lon"])) for p in seg)
        out.append(f'<polyline class="track" points="{pts}"><title>AIS track '
                   f'{_iso(seg[0]["ts"])} to {_iso(seg[-1]["ts"])}, {len(seg)} positions'
                   '</title></polyline>')
    for g, (a, b, c, d) in legs:
        (x1, y1), (x2, y2) = f.xy(a, b), f.xy(c, d)
        hours = (g["duration_s"] or 0) / 3600
        out.append(f'<line class="dark" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                   f'y2="{y2:.1f}" stroke-dasharray="8 5"><title>dark {hours:.1f} h: '
                   f'{_iso(g["start_ts"])} to {escape(_iso(g["end_ts"]) if g["end_ts"] else "open")}'
                   f' (gap {escape(g["event_id"])})</title></line>')
    for p in ports:
        x, y = f.xy(p["lat"], p["lon"])
        label = escape(f"{p['name']} ({'origin' if p['role'] == 'origin' else 'destination'})")
        side = ('end', x - 9) if x > 0.7 * f.w else ('start', x + 9)
        out.append(f'<circle class="port" cx="{x:.1f}" cy="{y:.1f}" r="6"/><text class="label" '
                   f'x="{side[1]:.1f}" y="{y + 4:.1f}" text-anchor="{side[0]}">{label}</text>')
    out.append(f'<text class="label" x="6" y="{f.h - 6:.0f}">{f.south:.2f}..{f.north:.2f}°N '
               f'{f.west:.2f}..{f.east:.2f}°E; solid: AIS track; dashed: dark legs</text>')
    return "".join(out) + "</svg>"


def _timeline_svg(data: DossierData) -> str:
    c = data.case
    t0, t1 = c["departed_ts"], c["arrived_ts"]
    span: float = max((t1 - t0).total_seconds(), 3600.0)
    left, right, axis_y = 60.0, TL_W - 60.0, 40.0

    def x(when: datetime) -> float:
        frac: float = (when - t0).total_seconds() / span
        return left + min(1.04, max(-0.04, frac)) * (right - left)  # beyond the leg: at its edge

    items = [e for e in c["evidence"] if e.get("ts")]
    h = axis_y + 40 + 16 * min(len(items), 12)
    out = [f'<svg id="timeline" viewBox="0 0 {TL_W:.0f} {h:.0f}" width="{TL_W:.0f}" '
           f'height="{h:.0f}" role="img" aria-label="timeline of the leg">',
           f'<line class="axis" x1="{left}" y1="{axis_y}" x2="{right}" y2="{axis_y}"/>']
    for g in data.gaps:
        a, b = x(g["start_ts"]), x(g["end_ts"] or t1)
        out.append(f'<rect class="darkbar" x="{a:.1f}" y="{axis_y - 8}" width="{max(b - a, 1):.1f}"'
                   f' height="16"><title>dark {_iso(g["start_ts"])} to '
                   f'{_iso(g["end_ts"] or t1)}</title></rect>')
    for when, name, anchor in ((t0, c["origin_port_name"], "start"),
                               (t1, c["dest_port_name"], "end")):
        out.append(f'<text class="label" x="{x(when):.1f}" y="{axis_y - 14}" '
                   f'text-anchor="{anchor}">{escape(str(name))} {_iso(when)}</text>')
    for i, e in enumerate(items):
        when = _when(e["ts"])
        ex, ly = x(when), axis_y + 30 + 16 * (i % 12)
        anchor = "end" if ex > TL_W / 2 else "start"
        out.append(f'<line class="tick" x1="{ex:.1f}" y1="{axis_y - 10}" x2="{ex:.1f}" '
                   f'y2="{ly - 4}"/><text class="label" x="{ex + (-3 if anchor == "end" else 3):.1f}"'
                   f' y="{ly}" text-anchor="{anchor}">{escape(e["kind"])} {_iso(when)}'
                   f'<title>{escape(e["summary"])}</title></text>')
    return "".join(out) + "</svg>"


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]], empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>"
                                    for v in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _grade(e: dict[str, Any]) -> str:
    return f"{e.get('reliability') or ''}{e.get('credibility') or ''}" or "-"


def _flat(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [kv for k, v in value.items() for kv in _flat(f"{prefix}.{k}" if prefix else k, v)]
    return [(prefix, json.dumps(value) if isinstance(value, list) else value)]


_CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#1b1b1b}
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border:1px solid #ddd;
padding:3px 6px;text-align:left;vertical-align:top}th{background:#f1f1f1}
.likelihood{font-size:1.2em;font-weight:bold}code,.mono{font-family:monospace}
svg{display:block;border:1px solid #bbb;background:#fff;max-width:100%;height:auto}
.sea{fill:#dbeaf5}.land{fill:#e6dfcf;stroke:none}.track{fill:none;stroke:#1f5fa8;stroke-width:2}
.dark{stroke:#d0312d;stroke-width:2.5}.port{fill:#fff;stroke:#222;stroke-width:2}
.label{font-size:11px;font-family:sans-serif;fill:#222}.axis{stroke:#222;stroke-width:2}
.darkbar{fill:#d0312d;opacity:.6}.tick{stroke:#555}"""


def html_text(data: DossierData, is_land: IsLand | None = None) -> str:
    """The dossier as one self-contained HTML page (well-formed XML too): inline CSS, an
    SVG map (``id="map"``; land from ``is_land`` when given) and an SVG timeline
    (``id="timeline"``), then the grade, evidence, hits, parameters and provenance."""
    c = data.case
    ev = [(e["kind"], e["source"], _grade(e), _iso(e["ts"]) if e.get("ts") else "",
           e["summary"], e["weight"], e["ref"]) for e in c["evidence"]]
    hits = [(h["tier"] + (" (false positive)" if h["false_positive"] else ""), h["list_name"],
             h.get("programme"), h.get("listed_on"), f"{h['score']:.2f}", h["explanation"],
             h["hit_id"]) for h in data.hits]
    said = [(p.get("party"), _iso(p["ts"]) if p.get("ts") else "", p.get("source"),
             "confirmed") for p in c["confirmed_by"]] + \
           [(p.get("party"), _iso(p["ts"]) if p.get("ts") else "", p.get("source"),
             "denied" + (" (interested party)" if p.get("interested") else ""))
            for p in c["denied_by"]]
    det = data.detection or {}
    params = _flat("", det.get("config", {})) + [("watchlist", det.get("watchlist")),
                                                 ("run_id", det.get("run_id"))]
    src = [(s.get("path"), s.get("sha256"), s.get("format"), s.get("positions"),
            s.get("vessel_reports"), s.get("rejects")) for s in data.sources]
    vessel = f"{c.get('vessel_name') or 'unnamed'} (MMSI {c['mmsi']}, IMO {c.get('imo') or '-'})"
    title = escape(f"Case {c['case_id']}: {vessel}")
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>',
        f"<title>{title}</title><style>{_CSS}</style></head><body>",
        f"<h1>{title}</h1><p>{escape(c['hypothesis'])}</p>",
        f'<p>Likelihood: <span class="likelihood">{escape(c["likelihood"])}</span> (ICD 203)</p>',
        "<ul>" + "".join(f"<li>{escape(r)}</li>" for r in c["reasons"]) + "</ul>",
        "<h2>Confirmed and denied by</h2>",
        _table(("party", "time", "source", "statement"), said, "No statement confirms or "
               "denies this shipment."),
        "<h2>Map</h2>", _map_svg(data, is_land),
        "<h2>Timeline</h2>", _timeline_svg(data),
        f"<p>Dark {c['dark_hours']:.1f} h inside the leg; other vessels met at sea: "
        f"{escape(', '.join(str(m) for m in c.get('other_vessels') or []) or 'none')}.</p>",
        "<h2>Evidence</h2>",
        _table(("kind", "source", "Admiralty", "time (UTC)", "summary", "weight", "ref"), ev,
               "No evidence."),
        "<h2>Sanctions hits of the vessel</h2>",
        _table(("tier", "list", "programme", "listed on", "score", "explanation", "hit"), hits,
               "No screening hits (or no screening run) for this vessel."),
        "<h2>Detection parameters</h2>",
        _table(("parameter", "value"), params, "No detection run recorded."),
        "<h2>Data provenance</h2>",
        _table(("file", "sha256", "format", "positions", "vessel reports", "rejects"), src,
               "No source files recorded."),
        f'<p class="mono">Case {escape(c["case_id"])}; written by vesselwatch.</p>',
        "</body></html>\n"])


# -- KML, GeoJSON, FtM --------------------------------------------------------------------

def _kml_el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{KML_NS}}}{tag}", attrs)
    el.text = text
    return el


def _kml_placemark(parent: ET.Element, name: str, style: str, coords: list[tuple[float, float]],
                   span: tuple[str, str] | None = None, stamp: str | None = None) -> None:
    pm = _kml_el(parent, "Placemark")
    _kml_el(pm, "name", name)
    if span is not None:
        ts = _kml_el(pm, "TimeSpan")
        _kml_el(ts, "begin", span[0])
        _kml_el(ts, "end", span[1])
    if stamp is not None:
        _kml_el(_kml_el(pm, "TimeStamp"), "when", stamp)
    _kml_el(pm, "styleUrl", f"#{style}")
    text = " ".join(f"{lon:.6f},{lat:.6f},0" for lat, lon in coords)
    if len(coords) == 1:
        _kml_el(_kml_el(pm, "Point"), "coordinates", text)
    else:
        line = _kml_el(pm, "LineString")
        _kml_el(line, "tessellate", "1")
        _kml_el(line, "coordinates", text)


def kml_text(data: DossierData) -> str:
    """KML 2.2: a Placemark with a TimeSpan per track segment (cut at gaps), a
    TimeStamp per position (Google Earth's time slider replays the voyage),
    the dark legs as red LineStrings with the gap's TimeSpan, and the two ports."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = _kml_el(root, "Document")
    _kml_el(doc, "name", f"Case {data.case['case_id']}")
    _kml_el(doc, "description", data.case["hypothesis"])
    for sid, colour, width in (("track", "ffa85f1f", "2"), ("dark", "ff2d31d0", "3"),
                               ("position", "ffa85f1f", "1"),
                               ("port", "ff222222", "2")):
        line = _kml_el(_kml_el(doc, "Style", id=sid), "LineStyle")
        _kml_el(line, "color", colour)
        _kml_el(line, "width", width)
    for i, seg in enumerate(_segments(data)):
        folder = _kml_el(doc, "Folder")
        _kml_el(folder, "name", f"AIS track segment {i + 1}")
        coords = [(p["lat"], p["lon"]) for p in seg]
        span = (_iso(seg[0]["ts"]), _iso(seg[-1]["ts"]))
        if len(seg) > 1:
            _kml_placemark(folder, f"segment {i + 1}", "track", coords, span=span)
        for p in seg:
            sog = "" if p.get("sog_kn") is None else f" {p['sog_kn']:.1f} kn"
            _kml_placemark(folder, _iso(p["ts"]) + sog, "position", [(p["lat"], p["lon"])],
                           stamp=_iso(p["ts"]))
    for g, (a, b, c, d) in _dark_legs(data):
        end = _iso(g["end_ts"] or data.case["arrived_ts"])
        _kml_placemark(doc, f"dark {(g['duration_s'] or 0) / 3600:.1f} h (gap {g['event_id']})",
                       "dark", [(a, b), (c, d)], span=(_iso(g["start_ts"]), end))
    for p in data.ports:
        if p["lat"] is not None and p["lon"] is not None:
            role = "origin" if p["role"] == "origin" else "destination"
            _kml_placemark(doc, f"{p['name']} ({role})", "port", [(p["lat"], p["lon"])])
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def geojson_text(data: DossierData) -> str:
    """A FeatureCollection: the track (a LineString per segment, times and speeds in its
    properties), the dark legs, the ports; the case's properties under ``"case"``."""
    cid = data.case["case_id"]
    feats: list[dict[str, Any]] = []
    for seg in _segments(data):
        feats.append({"type": "Feature", "geometry": {
            "type": "LineString" if len(seg) > 1 else "Point",
            "coordinates": [[p["lon"], p["lat"]] for p in seg] if len(seg) > 1
            else [seg[0]["lon"], seg[0]["lat"]]},
            "properties": {"kind": "track", "case_id": cid, "times": [_iso(p["ts"]) for p in seg],
                           "sog_kn": [p.get("sog_kn") for p in seg]}})
    for g, (a, b, c, d) in _dark_legs(data):
        feats.append({"type": "Feature", "geometry": {"type": "LineString",
                                                      "coordinates": [[b, a], [d, c]]},
                      "properties": {"kind": "dark_leg", "case_id": cid,
                                     "event_id": g["event_id"], "start_ts": _iso(g["start_ts"]),
                                     "end_ts": _iso(g["end_ts"]) if g["end_ts"] else None,
                                     "duration_s": g["duration_s"]}})
    for p in data.ports:
        geometry = None if p["lat"] is None else {"type": "Point", "coordinates": [p["lon"],
                                                                                   p["lat"]]}
        feats.append({"type": "Feature", "geometry": geometry,
                      "properties": {"kind": "port", "case_id": cid, **p}})
    return json.dumps({"type": "FeatureCollection", "case": {
        k: _iso(v) if isinstance(v, datetime) else v for k, v in data.case.items()},
                       "features": feats}, default=str) + "\n"


def ftm_entities(case: dict[str, Any], hits: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The vessel, a ``Sanction`` per screening hit not marked a false positive, and the
    listed owners or operators of the matched entities (each a ``Company``/``Organization``
    with an ``Ownership`` of the vessel), as FollowTheMoney entity dicts
    (``EntityProxy.to_dict``)."""
    from followthemoney import model

    from vesselwatch.model.mmsi import mmsi_country

    vessel = model.make_entity("Vessel")
    vessel.id = f"vesselwatch-vessel-{case['mmsi']}"
    vessel.add("name", case.get("vessel_name"))
    vessel.add("mmsi", str(case["mmsi"]))
    if case.get("imo"):
        vessel.add("imoNumber", f"IMO{case['imo']}")
    vessel.add("flag", mmsi_country([case["mmsi"]])[0])
    out = [vessel.to_dict()]
    for h in hits:
        if h.get("false_positive"):
            continue
        s = model.make_entity("Sanction")
        s.id = f"vesselwatch-hit-{h['hit_id']}"
        s.add("entity", vessel.id)
        s.add("authority", h.get("list_name"))
        s.add("program", h.get("programme"))
        s.add("startDate", h["listed_on"].isoformat() if h.get("listed_on") else None)
        s.add("reason", h.get("explanation"))
        s.add("recordId", h.get("entity_id"))
        s.add("status", h.get("tier"))
        out.append(s.to_dict())
        for owner in json.loads(h.get("owners") or "[]"):
            schema = owner["schema"] if owner["schema"] in ("Company", "Organization",
                                                            "Person", "LegalEntity") \
                else "LegalEntity"
            o = model.make_entity(schema)
            o.id = f"vesselwatch-owner-{owner['entity_id']}"
            o.add("name", owner["name"])
            o.add("topics", "sanction")
            own = model.make_entity("Ownership")
            own.id = f"vesselwatch-ownership-{owner['entity_id']}-{case['mmsi']}"
            own.add("owner", o.id)
            own.add("asset", vessel.id)
            own.add("role", "listed owner or operator")
            own.add("recordId", owner["entity_id"])
            out.extend([o.to_dict(), own.to_dict()])
    unique: dict[str, dict[str, Any]] = {}
    for e in out:  # an owner of two matched entities is one entity
        unique.setdefault(e["id"], e)
    return list(unique.values())


def ftm_text(data: DossierData) -> str:
    """:func:`ftm_entities` as JSON lines."""
    return "".join(json.dumps(e, sort_keys=True) + "\n"
                   for e in ftm_entities(data.case, data.hits))
