"""``vesselwatch demo``: the flagship scenario from nothing to findings, on any machine.

Simulates the ``dprk-russia`` scenario (``docs/simulate.md``) into the store's
``scenario/`` folder, ingests its NMEA into the store, runs every detector with the
``dprk-russia`` watchlist, screens the fleet, scores the detections against the scenario's
ground truth, and gathers what an analyst looks at first: the vessels that sailed between
watched ports, how long each was dark, the ship-to-ship encounters, identity changes and
spoofing, the screening hits, and the shipment cases, whose HTML dossiers it writes to the
store's ``dossiers/`` folder.

The demo only ever writes into a store it created: a folder that is empty or absent, or
one holding its own marker (``demo.json``); a demo store is rebuilt from scratch.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vesselwatch.errors import InputError

__all__ = ["DEMO_MARKER", "DEMO_SCENARIO", "DemoReport", "run_demo"]

DEMO_SCENARIO = "dprk-russia"
DEMO_MARKER = "demo.json"
SCENARIO_DIR = "scenario"
# an identity change is seen at the first received static report (every 6 min): allow two
# lost reports (bench/accuracy.py, docs/simulate.md)
EVALUATE_TOLERANCE_S = 900.0
Step = Callable[[str, int, int], None]
_STEPS = ("simulate", "ingest", "detect", "screen", "evaluate", "findings", "dossiers")


@dataclass
class DemoReport:
    """What the demo printed, as data (``--json``)."""

    store: str
    scenario_dir: str
    truth: str
    seed: int
    days: float
    simulated: dict[str, Any]
    ingested: dict[str, Any]
    events: dict[str, int]
    shuttles: list[dict[str, Any]] = field(default_factory=list)
    encounters: list[dict[str, Any]] = field(default_factory=list)
    identity_changes: list[dict[str, Any]] = field(default_factory=list)
    spoofing: list[dict[str, Any]] = field(default_factory=list)
    screening: list[dict[str, Any]] = field(default_factory=list)  # hits, strongest first
    screened_against: dict[str, Any] = field(default_factory=dict)
    cases: list[dict[str, Any]] = field(default_factory=list)  # shipment cases, graded
    accuracy: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_demo(store: str | Path, *, seed: int = 1, days: float | None = None,
             sanctions: list[Path] | None = None, progress: Step | None = None
             ) -> DemoReport:
    """Build the demo store at ``store`` and return the findings. ``sanctions``: lists to
    screen the fleet against, besides the ``dprk-russia`` watchlist's vessels."""
    from vesselwatch.engine import Engine
    from vesselwatch.simulate.run import simulate

    tick = progress or (lambda _what, _done, _total: None)
    root = Path(store)
    _claim(root)
    engine = Engine(root)
    engine.store  # noqa: B018 - opening the store creates it, before the demo's own files
    _mark(root)
    clock: dict[str, float] = {}
    began = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal began
        now = time.perf_counter()
        clock[name] = round(now - began, 2)
        began = now

    tick("simulating the dprk-russia scenario", 0, len(_STEPS))
    sim = simulate(DEMO_SCENARIO, root / SCENARIO_DIR, seed=seed, days=days)
    lap("simulate")
    tick("ingesting its NMEA", 1, len(_STEPS))
    ingested = engine.ingest([Path(p) for p in sim.files])
    lap("ingest")
    tick("detecting", 2, len(_STEPS))
    detected = engine.detect(watchlist=DEMO_SCENARIO)
    lap("detect")
    tick("screening the fleet", 3, len(_STEPS))
    screened = engine.screen(sanctions or [], watchlist=DEMO_SCENARIO)
    lap("screen")
    tick("scoring against the ground truth", 4, len(_STEPS))
    scored = engine.evaluate(sim.truth, tolerance_s=EVALUATE_TOLERANCE_S)
    lap("evaluate")
    tick("gathering the findings", 5, len(_STEPS))
    r = ingested.result
    report = DemoReport(
        store=str(root), scenario_dir=str(root / SCENARIO_DIR), truth=sim.truth, seed=seed,
        days=sim.days,
        simulated={"vessels": sim.vessels, "lines": sim.lines, "corrupt": sim.corrupt,
                   "duplicates": sim.duplicates, "true_events": sim.true_events},
        ingested={"lines": r.lines, "positions": r.positions,
                  "vessel_reports": r.vessel_reports, "rejects": r.rejects,
                  "duplicates": r.duplicates},
        events=detected.events,
        accuracy=[{"event_type": s.event_type, "truth": s.truth, "detected": s.detected,
                   "precision": s.precision, "recall": s.recall}
                  for s in scored.scores],
        screening=[{k: h[k] for k in ("hit_id", "tier", "score", "mmsi", "vessel_name",
                                       "entity_name", "list_name", "programme", "listed_on",
                                       "explanation")}
                   for h in screened.hits if not h["false_positive"]],
        screened_against=screened.lists)
    _findings(engine, report, watched=_watched_ports(DEMO_SCENARIO))
    from vesselwatch.engine_cases import decoded_case

    cases = [decoded_case(c) for c in engine.cases(watchlist=DEMO_SCENARIO).to_pylist()]
    report.cases = [{k: v for k, v in c.items() if k != "evidence"} for c in cases]
    lap("findings")
    tick("writing the case dossiers", 6, len(_STEPS))
    from vesselwatch.export.dossier import write_dossier

    (root / "dossiers").mkdir(exist_ok=True)
    for c, full in zip(report.cases, cases):
        c["dossier"] = str(write_dossier(engine, c["case_id"], "html",
                                         root / "dossiers" / f"{c['case_id']}.html",
                                         watchlist=DEMO_SCENARIO, case=full))
    lap("dossiers")
    report.seconds = clock
    tick("done", len(_STEPS), len(_STEPS))
    return report


def _claim(root: Path) -> None:
    """Make ``root`` an empty demo store folder, or refuse."""
    if root.exists() and not root.is_dir():
        raise InputError(f"{root} is a file; give the demo a folder (--store)")
    if root.is_dir() and any(root.iterdir()):
        if not (root / DEMO_MARKER).is_file():
            raise InputError(f"{root} is not empty and the demo did not create it; the demo "
                             "only writes into a new or empty folder or its own earlier "
                             "demo store: pass another --store")
        shutil.rmtree(root)


def _mark(root: Path) -> None:
    (root / DEMO_MARKER).write_text(json.dumps({
        "created_by": "vesselwatch demo", "scenario": DEMO_SCENARIO,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}) + "\n", encoding="utf-8")


def _watched_ports(watchlist: str) -> dict[str, str]:
    from vesselwatch.reference.ports import load_wpi
    from vesselwatch.reference.watchlist import load_watchlist

    index = load_watchlist(watchlist).port_index(load_wpi())
    return dict(zip(index.port_id, index.name))


def _findings(engine: Any, report: DemoReport, *, watched: dict[str, str]) -> None:
    conn = engine.store.connect()
    names = dict(conn.sql("select mmsi, arg_max(name, ts) from vessel_reports "
                          "where name is not null and name <> '' group by mmsi").fetchall())
    events = engine.events().to_pylist()
    dark_h: dict[int, float] = {}
    for e in events:
        if e["event_type"] == "gap":
            end = e["end_ts"]
            if end is not None:
                dark_h[e["mmsi"]] = dark_h.get(e["mmsi"], 0.0) + e["duration_s"] / 3600
    legs: dict[int, list[dict[str, Any]]] = {}
    inferred: list[dict[str, Any]] = []
    for e in events:
        if e["event_type"] not in ("voyage", "dark_voyage"):
            continue
        d = json.loads(e["details"])
        origin, dest = d.get("origin_port_id"), d.get("dest_port_id")
        if origin not in watched or dest not in watched:
            continue
        leg = {"from": watched[origin], "to": watched[dest], "departed": _iso(e["start_ts"]),
               "arrived": _iso(e["end_ts"]), "start_ts": e["start_ts"], "end_ts": e["end_ts"],
               "hours": round((e["duration_s"] or 0) / 3600, 1), "confidence": e["confidence"]}
        if e["event_type"] == "voyage":
            dark_s = d.get("dark_s")
            legs.setdefault(e["mmsi"], []).append(
                {**leg, "dark_h": round((dark_s if dark_s is not None else 0) / 3600, 1),
                 "seen": "port calls"})
        else:
            inferred.append({**leg, "mmsi": e["mmsi"], "dark_h": leg["hours"],
                             "seen": "gap only (inferred)"})
    for leg in inferred:  # a dark voyage inside a voyage of the same ports confirms it
        mine = legs.setdefault(leg.pop("mmsi"), [])
        same = [v for v in mine if (v["from"], v["to"]) == (leg["from"], leg["to"])
                and v["start_ts"] <= leg["end_ts"] and leg["start_ts"] <= v["end_ts"]]
        if same:
            same[0]["seen"] = "port calls + gap"
        else:
            mine.append(leg)
    report.shuttles = [
        {"mmsi": m, "name": names.get(m), "dark_hours": round(dark_h.get(m, 0.0), 1),
         "legs": [{k: v for k, v in leg.items() if k not in ("start_ts", "end_ts")}
                  for leg in sorted(v, key=lambda x: x["start_ts"])]}
        for m, v in sorted(legs.items())]
    seen: set[tuple[int, int, str | None]] = set()
    for e in events:
        if e["event_type"] == "encounter":
            key = (min(e["mmsi"], e["other_mmsi"]), max(e["mmsi"], e["other_mmsi"]),
                   _iso(e["start_ts"]))
            if key in seen:
                continue
            seen.add(key)
            d = json.loads(e["details"])
            report.encounters.append({
                "mmsi": key[0], "name": names.get(key[0]), "other_mmsi": key[1],
                "other_name": names.get(key[1]), "start": key[2], "end": _iso(e["end_ts"]),
                "lat": round(e["lat"], 4), "lon": round(e["lon"], 4),
                "median_distance_m": round(d.get("median_distance_m", 0)),
                "confidence": e["confidence"]})
        elif e["event_type"] == "identity_change":
            d = json.loads(e["details"])
            report.identity_changes.append({
                "mmsi": e["mmsi"], "name": names.get(e["mmsi"]), "kind": d.get("kind"),
                "what": _identity_text(d), "at": _iso(e["start_ts"]),
                "confidence": e["confidence"]})
        elif e["event_type"] == "spoofing":
            d = json.loads(e["details"])
            report.spoofing.append({
                "mmsi": e["mmsi"], "name": names.get(e["mmsi"]), "kind": d.get("kind"),
                "start": _iso(e["start_ts"]), "end": _iso(e["end_ts"]),
                "distance_km": None if d.get("distance_m") is None
                else round(d["distance_m"] / 1000, 1), "confidence": e["confidence"]})


def _identity_text(d: dict[str, Any]) -> str:
    """One line an analyst reads, from an identity change's details (docs/events.md)."""
    kind = d.get("kind")
    if kind == "imo_multiple_mmsi":
        return f"IMO {d.get('imo')} reported by MMSIs {', '.join(map(str, d.get('mmsis', [])))}"
    if kind == "flag_change":
        return (f"IMO {d.get('imo')} moved from MMSI {d.get('old_mmsi')} (MID "
                f"{d.get('old_mid')}) to MID {d.get('new_mid')}")
    if kind == "invalid_imo":
        return f"IMO {d.get('imo')} fails its check digit"
    if kind == "mmsi_issue":
        return f"MMSI flagged: {d.get('issue')}"
    return f"{kind}: {d.get('old')} -> {d.get('new')}"


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    text: str = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return text
