"""A vessel's risk profile: named, weighted indicators, each with its evidence (event and
hit ids) and its contribution, and in words how the score was reached.

The weights are parameters (:class:`RiskWeights`, overridable from a TOML file by name);
``docs/cases.md`` lists them. The score is the sum of the contributions, at most 100;
the level is *high* from 60, *elevated* from 30, else *low*.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import haversine_m

__all__ = ["RiskWeights", "load_weights", "risk_profile"]

NM_M = 1852.0


@dataclass(frozen=True)
class RiskWeights:
    """Points per indicator and their caps (all points, 0-100 in all)."""

    sanctioned: float = 40.0  # the best screening tier: sanctioned
    risk: float = 20.0  # ... risk
    lead: float = 5.0  # ... lead (a name alone)
    watched_port_visit: float = 5.0  # per visit to a watched port
    watched_port_visit_max: float = 20.0
    dark_near_watched_per_6h: float = 3.0  # per 6 h of gaps starting or ending near one
    dark_near_watched_max: float = 15.0
    near_watched_nm: float = 20.0  # "near" a watched port
    risky_encounter: float = 10.0  # per encounter with a listed or dark vessel
    encounter: float = 3.0  # per other encounter
    encounter_max: float = 20.0
    identity_change: float = 5.0  # per identity change
    identity_change_max: float = 15.0
    watched_leg: float = 10.0  # per voyage or dark voyage between watched ports
    watched_leg_max: float = 30.0
    spoofing: float = 10.0  # per spoofing event
    spoofing_max: float = 20.0


def load_weights(path: Path | None) -> RiskWeights:
    """The default weights, overridden by the ``[risk]`` table of a TOML file."""
    if path is None:
        return RiskWeights()
    try:
        raw = tomllib.loads(path.read_text("utf-8")).get("risk", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read the risk weights ({exc})") from None
    names = {f.name for f in fields(RiskWeights)}
    for key, value in raw.items():
        if key not in names:
            raise InputError(f"{path}: [risk] {key}: unknown weight; the weights are "
                             f"{', '.join(sorted(names))}")
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value) or value < 0:
            raise InputError(f"{path}: [risk] {key} = {value!r}: give a number of 0 or more")
    return RiskWeights(**{k: float(v) for k, v in raw.items()})


def risk_profile(mmsi: int, events: Iterable[Mapping[str, Any]],
                 hits: Iterable[Mapping[str, Any]], watched: Mapping[str, Mapping[str, Any]],
                 risky_vessels: set[int], weights: RiskWeights = RiskWeights()
                 ) -> dict[str, Any]:
    """The profile of ``mmsi`` from its events (``EVENTS`` rows), its screening hits
    (``SCREENING_HITS`` rows), the watched ports and the vessels counted as risky partners
    (listed or dark)."""
    mine = [e for e in events if e["mmsi"] == mmsi]
    indicators: list[dict[str, Any]] = []

    def add(name: str, value: float, points: float, refs: list[str], text: str) -> None:
        if points > 0 or value > 0:
            indicators.append({"indicator": name, "value": round(value, 1),
                               "contribution": round(points, 1), "evidence": refs,
                               "text": text})

    live = [h for h in hits if h["mmsi"] == mmsi and not h["false_positive"]]
    for tier in ("sanctioned", "risk", "lead"):
        best = [h for h in live if h["tier"] == tier]
        if best:
            points = getattr(weights, tier)
            add("sanctions", len(best), points, [h["hit_id"] for h in best],
                f"screening tier {tier}: {best[0]['entity_name']} on the "
                f"{best[0]['list_name']}")
            break
    visits = [e for e in mine if e["event_type"] == "port_visit" and e["port_id"] in watched]
    add("watched_port_visits", len(visits),
        min(weights.watched_port_visit * len(visits), weights.watched_port_visit_max),
        [e["event_id"] for e in visits],
        f"{len(visits)} visits to watched ports ("
        + ", ".join(sorted({watched[e['port_id']]['name'] for e in visits})) + ")")
    near_m = weights.near_watched_nm * NM_M
    dark = [e for e in mine if e["event_type"] == "gap" and _near(e, watched, near_m)]
    hours = sum((e["duration_s"] or 0) / 3600 for e in dark)
    add("dark_near_watched_ports", hours,
        min(weights.dark_near_watched_per_6h * hours / 6, weights.dark_near_watched_max),
        [e["event_id"] for e in dark],
        f"{hours:.0f} h dark in {len(dark)} gaps starting or ending within "
        f"{weights.near_watched_nm:g} nm of a watched port")
    meets = [e for e in mine if e["event_type"] == "encounter"]
    risky = [e for e in meets if e["other_mmsi"] in risky_vessels]
    add("encounters", len(meets),
        min(weights.risky_encounter * len(risky) + weights.encounter * (len(meets) - len(risky)),
            weights.encounter_max),
        [e["event_id"] for e in meets],
        f"{len(meets)} encounters at sea, {len(risky)} with listed or dark vessels")
    for name, kinds, per, cap, what in (
            ("identity_changes", ("identity_change",), weights.identity_change,
             weights.identity_change_max, "identity changes"),
            ("watched_legs", ("voyage", "dark_voyage"), weights.watched_leg,
             weights.watched_leg_max, "legs between watched ports"),
            ("spoofing", ("spoofing",), weights.spoofing, weights.spoofing_max,
             "spoofing events")):
        items = [e for e in mine if e["event_type"] in kinds
                 and (name != "watched_legs" or _between_watched(e, watched))]
        if name == "watched_legs":  # a dark voyage inside a voyage of the same ports: one leg
            items = [e for e in items if e["event_type"] == "voyage" or not any(
                v["event_type"] == "voyage" and _same_leg(v, e) for v in items)]
        add(name, len(items), min(per * len(items), cap), [e["event_id"] for e in items],
            f"{len(items)} {what}")
    score = min(100.0, sum(i["contribution"] for i in indicators))
    level = "high" if score >= 60 else "elevated" if score >= 30 else "low"
    counted = [i for i in indicators if i["contribution"] > 0]
    summary = (f"Risk {level} ({score:.0f} of 100): "
               + ("; ".join(f"{i['text']} (+{i['contribution']:g})" for i in counted)
                  or "no indicator")
               + ". Each indicator's points and cap are the weights in docs/cases.md.")
    return {"mmsi": mmsi, "score": round(score, 1), "level": level, "summary": summary,
            "indicators": indicators, "weights": asdict(weights)}


def _near(gap: Mapping[str, Any], watched: Mapping[str, Mapping[str, Any]],
          within_m: float) -> bool:
    d = json.loads(gap["details"])
    points = [(d.get("off_lat"), d.get("off_lon")), (d.get("on_lat"), d.get("on_lon"))]
    return any(lat is not None and lon is not None and any(
        float(haversine_m(lat, lon, p["lat"], p["lon"])) <= within_m for p in watched.values())
        for lat, lon in points)


def _between_watched(e: Mapping[str, Any], watched: Mapping[str, Mapping[str, Any]]) -> bool:
    d = json.loads(e["details"])
    return d.get("origin_port_id") in watched and d.get("dest_port_id") in watched


def _same_leg(voyage: Mapping[str, Any], dark: Mapping[str, Any]) -> bool:
    a, b = json.loads(voyage["details"]), json.loads(dark["details"])
    return (a.get("origin_port_id"), a.get("dest_port_id")) == (
        b.get("origin_port_id"), b.get("dest_port_id")) and \
        voyage["start_ts"] <= dark["end_ts"] and dark["start_ts"] <= voyage["end_ts"]
