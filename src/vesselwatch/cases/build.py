"""Shipment cases from detected events, screening hits and outside observations.

A **leg** is a voyage, or a dark voyage, between two watched ports that are not both in
the same country (a port whose country is unknown, such as Dunai, counts as different):
"vessel V carried cargo from watched port A to watched port B between T1 and T2". A dark
voyage inside a voyage of the same ports is the same leg, seen twice. A **chain** is a
voyage of one vessel from watched port A during which it met another at sea, whose voyage
then ended at watched port B (A and B again not both in one country): cargo handed over
at sea. Background traffic that never sails between watched ports yields no case.

Evidence attaches to a leg by vessel and time: the AIS events of the vessel inside the leg
(gaps, encounters, spoofing) and around it (identity changes within a day), its screening
hits (sanctioned or risk, not marked false positive), and observations (``model.observations``)
that name the vessel, or the origin or destination (by port id, or within 25 km), from two
days before departure to two days after arrival; a rail shipment or a report at another
place up to 30 days after arrival that names the vessel or the destination extends the
case over land; a statement, confirmation or denial naming the vessel or a port of the leg
attaches up to a year after arrival. Pure functions on Arrow tables; ``docs/cases.md`` is the definition.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa

from vesselwatch.cases.grading import admiralty_weight, grade
from vesselwatch.model.cases import CASES
from vesselwatch.reference.geodesy import haversine_m

__all__ = ["WatchedPort", "build_cases", "case_id"]

AROUND = timedelta(days=2)
LAND_LEG = timedelta(days=30)
STATEMENTS_WITHIN = timedelta(days=365)  # a statement about the leg may come months later
NEAR_M = 25_000.0
MIN_DARK_H = 6.0


WatchedPort = Mapping[str, Any]  # port_id, name, country, lat, lon


def case_id(mmsi: int, origin: str, dest: str, departed: datetime) -> str:
    """Stable id of the case of one leg."""
    key = f"{mmsi}|{origin}|{dest}|{departed.isoformat()}"
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def build_cases(events: pa.Table, watched: Mapping[str, WatchedPort], *,
                hits: pa.Table | None = None, observations: pa.Table | None = None,
                names: Mapping[int, str] | None = None,
                imos: Mapping[int, int] | None = None) -> pa.Table:
    """Every case (:data:`~vesselwatch.model.cases.CASES`), strongest first."""
    rows = events.to_pylist()
    by_vessel: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in rows:
        by_vessel[e["mmsi"]].append(e)
    hit_rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for h in (hits.to_pylist() if hits is not None else []):
        if h["tier"] in ("sanctioned", "risk") and not h["false_positive"]:
            hit_rows[h["mmsi"]].append(h)
    obs = observations.to_pylist() if observations is not None else []
    out = []
    for leg in _legs(rows, watched):
        mmsi = leg["mmsi"]
        evidence = [*leg["evidence"], *_ais(by_vessel[mmsi], leg),
                    *_sanctions(hit_rows[mmsi]),
                    *_observed(obs, leg, watched, (imos or {}).get(mmsi),
                               (names or {}).get(mmsi))]
        origin, dest = watched[leg["origin"]], watched[leg["dest"]]
        name = (names or {}).get(mmsi)
        out.append({
            "case_id": case_id(mmsi, leg["origin"], leg["dest"], leg["start"]),
            "case_kind": "leg", "mmsi": mmsi, "vessel_name": name, "imo": (imos or {}).get(mmsi),
            "origin_port_id": leg["origin"], "origin_port_name": origin["name"],
            "dest_port_id": leg["dest"], "dest_port_name": dest["name"],
            "departed_ts": leg["start"], "arrived_ts": leg["end"],
            "hypothesis": (f"{name or mmsi} carried cargo from {origin['name']} to "
                           f"{dest['name']} between {leg['start']:%Y-%m-%d %H:%M} and "
                           f"{leg['end']:%Y-%m-%d %H:%M} UTC"),
            **_graded(evidence),
            "other_vessels": sorted({e["other_mmsi"] for e in evidence
                                     if e["kind"] == "encounter"}),
        })
    out.extend(_chains(rows, by_vessel, hit_rows, obs, watched, names or {}, imos or {}))
    out.sort(key=lambda c: (-c["likelihood_step"], c["departed_ts"], c["mmsi"]))
    return pa.Table.from_pylist(out, schema=CASES)


def _chains(rows: list[dict[str, Any]], by_vessel: dict[int, list[dict[str, Any]]],
            hit_rows: dict[int, list[dict[str, Any]]], obs: list[dict[str, Any]],
            watched: Mapping[str, WatchedPort], names: Mapping[int, str],
            imos: Mapping[int, int]) -> list[dict[str, Any]]:
    """Chains: vessel X sails from watched port A, meets Y at sea, and Y sails on to
    watched port B (A and B not both in one country). Both directions of each encounter
    are tried: who handed cargo to whom is the hypothesis, not a fact."""
    voyages: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in rows:
        if e["event_type"] == "voyage":
            voyages[e["mmsi"]].append({**e, "d": json.loads(e["details"])})
    out = []
    for meet in rows:
        if meet["event_type"] != "encounter" or meet["mmsi"] > meet["other_mmsi"]:
            continue
        t = meet["start_ts"]
        legs = {m: next((v for v in voyages[m] if v["start_ts"] <= t <= v["end_ts"]), None)
                for m in (meet["mmsi"], meet["other_mmsi"])}
        for x, y in ((meet["mmsi"], meet["other_mmsi"]), (meet["other_mmsi"], meet["mmsi"])):
            vx, vy = legs[x], legs[y]
            if vx is None or vy is None:
                continue
            origin, dest = vx["d"].get("origin_port_id"), vy["d"].get("dest_port_id")
            if origin not in watched or dest not in watched or origin == dest:
                continue
            a, b = watched[origin].get("country") or None, watched[dest].get("country") or None
            if a is not None and a == b:
                continue
            out.append(_chain(meet, x, vx, y, vy, origin, dest, by_vessel, hit_rows, obs,
                              watched, names, imos))
    return out


def _chain(meet: dict[str, Any], x: int, vx: dict[str, Any], y: int, vy: dict[str, Any],
           origin: str, dest: str, by_vessel: dict[int, list[dict[str, Any]]],
           hit_rows: dict[int, list[dict[str, Any]]], obs: list[dict[str, Any]],
           watched: Mapping[str, WatchedPort], names: Mapping[int, str],
           imos: Mapping[int, int]) -> dict[str, Any]:
    t = meet["start_ts"]
    first = {"mmsi": x, "origin": origin, "dest": dest, "start": vx["start_ts"], "end": t}
    second = {"mmsi": y, "origin": origin, "dest": dest, "start": t, "end": vy["end_ts"]}
    evidence = [
        _event_item(vx, f"AIS: {names.get(x) or x} left port {watched[origin]['name']}"),
        _event_item(vy, f"AIS: {names.get(y) or y} arrived in {watched[dest]['name']}"),
        *_ais(by_vessel[x], first), *_ais(by_vessel[y], second),
        *_sanctions(hit_rows[x]), *_sanctions(hit_rows[y]),
        *_observed(obs, first, watched, imos.get(x), names.get(x)),
        *_observed(obs, second, watched, imos.get(y), names.get(y))]
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for e in evidence:
        unique.setdefault((e["kind"], e["ref"]), e)
    evidence = list(unique.values())
    nx, ny = names.get(x) or str(x), names.get(y) or str(y)
    return {
        "case_id": case_id(x, origin, f"{dest}|via|{y}", vx["start_ts"]), "case_kind": "chain",
        "mmsi": x, "vessel_name": names.get(x), "imo": imos.get(x),
        "origin_port_id": origin, "origin_port_name": watched[origin]["name"],
        "dest_port_id": dest, "dest_port_name": watched[dest]["name"],
        "departed_ts": vx["start_ts"], "arrived_ts": vy["end_ts"],
        "hypothesis": (f"{nx} carried cargo from {watched[origin]['name']} and handed it over "
                       f"at sea to {ny} on {t:%Y-%m-%d %H:%M} UTC near {meet['lat']:.2f} N "
                       f"{meet['lon']:.2f} E; {ny} carried it to {watched[dest]['name']}, "
                       f"arriving {vy['end_ts']:%Y-%m-%d %H:%M} UTC"),
        **_graded(evidence), "other_vessels": [y],
    }


def _graded(evidence: list[dict[str, Any]]) -> dict[str, Any]:
    """The grade columns of a case (``CASES``) from its evidence."""
    g = grade(evidence)
    return {
        "likelihood": g.likelihood, "likelihood_step": g.step,
        "reasons": json.dumps(list(g.reasons), ensure_ascii=False),
        "confirmed_by": json.dumps(list(g.confirmed_by), default=str),
        "denied_by": json.dumps(list(g.denied_by), default=str),
        "dark_hours": round(sum(e["hours"] for e in evidence if e["kind"] == "dark_period"), 1),
        "evidence": json.dumps([{k: v for k, v in e.items() if k not in ("hours", "other_mmsi")}
                                for e in evidence], default=str, ensure_ascii=False),
    }


def _legs(rows: list[dict[str, Any]], watched: Mapping[str, WatchedPort]
          ) -> list[dict[str, Any]]:
    legs: list[dict[str, Any]] = []
    inferred: list[dict[str, Any]] = []
    for e in rows:
        if e["event_type"] not in ("voyage", "dark_voyage"):
            continue
        d = json.loads(e["details"])
        origin, dest = d.get("origin_port_id"), d.get("dest_port_id")
        if origin not in watched or dest not in watched or origin == dest:
            continue
        a, b = watched[origin].get("country") or None, watched[dest].get("country") or None
        if a is not None and a == b:
            continue  # a domestic leg
        item = _event_item(e, "AIS: " + ("port calls at both ends" if e["event_type"] == "voyage"
                                        else "a gap from near one port to near the other"))
        leg = {"mmsi": e["mmsi"], "origin": origin, "dest": dest, "start": e["start_ts"],
               "end": e["end_ts"], "evidence": [item]}
        (legs if e["event_type"] == "voyage" else inferred).append(leg)
    for dark in inferred:
        same = [v for v in legs if v["mmsi"] == dark["mmsi"] and v["origin"] == dark["origin"]
                and v["dest"] == dark["dest"] and v["start"] <= dark["end"]
                and dark["start"] <= v["end"]]
        if same:
            same[0]["evidence"].extend(dark["evidence"])
        else:
            legs.append(dark)
    return legs


def _event_item(e: dict[str, Any], summary: str, *, weight: int = 0, **extra: Any
                ) -> dict[str, Any]:
    return {"kind": e["event_type"], "ref": e["event_id"], "source": "AIS",
            "reliability": None, "credibility": None, "ts": e["start_ts"],
            "summary": summary, "weight": weight, "party": None, "interested": None,
            "hours": 0.0, "other_mmsi": None, **extra}


def _ais(events: list[dict[str, Any]], leg: dict[str, Any]) -> list[dict[str, Any]]:
    """The vessel's AIS events inside the leg (or, for identity changes, within a day)."""
    out = []
    start, end = leg["start"], leg["end"]
    for e in events:
        t0 = e["start_ts"]
        t1 = e["end_ts"] or t0
        inside = t0 <= end and start <= t1
        if e["event_type"] == "gap" and inside and e["duration_s"]:
            hours = (min(t1, end) - max(t0, start)).total_seconds() / 3600
            if hours >= MIN_DARK_H:
                out.append(_event_item(e, f"AIS off or out of reach for {hours:.1f} h inside "
                                          "the leg", weight=1, kind="dark_period",
                                       hours=hours))
        elif e["event_type"] == "encounter" and inside:
            out.append(_event_item(e, f"met MMSI {e['other_mmsi']} at sea for "
                                      f"{(e['duration_s'] or 0) / 3600:.1f} h", weight=1,
                                   other_mmsi=e["other_mmsi"]))
        elif e["event_type"] == "spoofing" and inside:
            kind = json.loads(e["details"]).get("kind")
            out.append(_event_item(e, f"broadcast a false position ({kind})", weight=1))
        elif e["event_type"] == "identity_change" and \
                start - timedelta(days=1) <= t0 <= end + timedelta(days=1):
            kind = json.loads(e["details"]).get("kind")
            out.append(_event_item(e, f"identity change ({kind})", weight=1))
    return out


def _sanctions(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Screening hits: an official list adds 1; the analyst's own watchlist is shown but
    adds nothing (it is the suspicion, not evidence for it)."""
    return [{"kind": "sanctions", "ref": h["hit_id"], "source": h["list_name"],
             "reliability": None, "credibility": None, "ts": None,
             "summary": f"{h['tier']}: {h['entity_name']} on the {h['list_name']}"
                        + (f", listed {h['listed_on']}" if h["listed_on"] else "")
                        + (" (the analyst's own list: shown, not counted)"
                           if h["source"] == "watchlist" else ""),
             "weight": 0 if h["source"] == "watchlist" else 1, "party": None,
             "interested": None, "hours": 0.0, "other_mmsi": None} for h in hits]


def _observed(observations: list[dict[str, Any]], leg: dict[str, Any],
              watched: Mapping[str, WatchedPort], imo: int | None, name: str | None
              ) -> list[dict[str, Any]]:
    out = []
    ends = [watched[leg["origin"]], watched[leg["dest"]]]
    for o in observations:
        t = o["ts"]
        names_vessel = ((o.get("mmsi") is not None and o["mmsi"] == leg["mmsi"])
                        or (o.get("imo") is not None and imo is not None and o["imo"] == imo)
                        or (o.get("vessel_name") and name
                            and o["vessel_name"].strip().upper() == name.strip().upper()))
        at_end = any(_at(o, p) for p in ends)
        at_dest = _at(o, ends[1])
        during = leg["start"] - AROUND <= t <= leg["end"] + AROUND
        land_leg = (o["kind"] in ("rail_shipment", "report", "satellite_image")
                    and leg["end"] <= t <= leg["end"] + LAND_LEG and (names_vessel or at_dest))
        statement = (o["kind"] in ("statement", "confirmation", "denial")
                     and leg["end"] <= t <= leg["end"] + STATEMENTS_WITHIN
                     and (names_vessel or at_end))
        if not ((during and (names_vessel or at_end)) or land_leg or statement):
            continue
        kind = o["kind"] if o["kind"] in ("confirmation", "denial") else "observation"
        weight = 0 if kind == "denial" else admiralty_weight(o["reliability"], o["credibility"])
        where = (" (after arrival, over land)" if land_leg and not during
                 and kind == "observation" else "")
        out.append({"kind": kind, "ref": o["observation_id"], "source": o["source"],
                    "reliability": o["reliability"], "credibility": o["credibility"],
                    "ts": t, "summary": o["claim"] + where, "weight": weight,
                    "party": o.get("party"), "interested": o.get("interested"),
                    "hours": 0.0, "other_mmsi": None})
    return out


def _at(o: Mapping[str, Any], port: WatchedPort) -> bool:
    if o.get("place") and o["place"] == port["port_id"]:
        return True
    if o.get("lat") is None or o.get("lon") is None:
        return False
    return float(haversine_m(o["lat"], o["lon"], port["lat"], port["lon"])) <= NEAR_M
