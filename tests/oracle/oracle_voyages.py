"""Naive voyages and dark voyages: docs/events.md, section ``voyage`` and ``dark_voyage``."""

from __future__ import annotations

import itertools
from typing import Any

from oracle_common import (
    NM_M,
    US,
    config_or_default,
    haversine_m,
    make_event,
    norm_ports,
)


def voyages_naive(visits: list[dict], gaps: list[dict], ports: Any, config: Any = None,
                  until: int | None = None, watched: Any = None) -> list[dict]:
    """Voyages from the port-visit events and dark voyages from the gap events.

    ``watched``: the watched ports (default: the ports of ``ports`` flagged ``watched``).
    """
    cfg = config_or_default(config)
    if watched is None:
        watched_list = [p for p in norm_ports(ports, cfg) if p["watched"]]
    else:
        watched_list = norm_ports(watched, cfg)
    return _voyages(visits, gaps, until) + _dark_voyages(gaps, watched_list, cfg)


def _voyages(visits: list[dict], gaps: list[dict], until: int | None) -> list[dict]:
    # "voyage: consecutive port visits of one MMSI (all its tracks, in start order) of which
    # the first is closed: from the end of the first (departure) to the start of the next
    # (arrival); none where the next starts before the first ends (two transmitters)."
    # (Equal starts: the lower seg first, see AMBIGUITIES.md.)
    out = []
    for mmsi in sorted({v["mmsi"] for v in visits}):
        mine = sorted((v for v in visits if v["mmsi"] == mmsi),
                      key=lambda v: (v["start_ts"], v["details"]["seg"]))
        for origin, dest in itertools.pairwise(mine):
            if origin["end_ts"] is None:
                continue
            depart, arrive = origin["end_ts"], dest["start_ts"]
            if arrive < depart:
                continue
            # "dark_s (time inside the voyage covered by the vessel's gaps, open gaps
            # reaching to until, overlapping gaps counted once)"
            dark_s = _covered_s(mmsi, gaps, depart, arrive, until)
            details = {
                "origin_port_id": origin["port_id"], "origin_port_name": origin["port_name"],
                "dest_port_id": dest["port_id"], "dest_port_name": dest["port_name"],
                "dark_s": dark_s,
                "origin_visit_id": origin["event_id"], "dest_visit_id": dest["event_id"],
            }
            # "port_id/port_name are the destination's, lat/lon the origin port's"
            # "Confidence: the lower of the two visits' confidences."
            # ("Encounters, spoofing, identity changes and voyages are always closed.")
            out.append(make_event("voyage", mmsi, depart, arrive, origin["lat"], origin["lon"],
                                  min(origin["confidence"], dest["confidence"]), details,
                                  port_id=dest["port_id"], port_name=dest["port_name"],
                                  key=dest["port_id"]))
    return out


def _covered_s(mmsi: int, gaps: list[dict], start: int, end: int, until: int | None) -> float:
    pieces = []
    for g in gaps:
        if g["mmsi"] != mmsi:
            continue
        g_end = g["end_ts"] if g["end_ts"] is not None else (until if until is not None
                                                              else g["start_ts"])
        a, b = max(start, g["start_ts"]), min(end, g_end)
        if a < b:
            pieces.append((a, b))
    pieces.sort()
    total = 0
    cur_a = cur_b = None
    for a, b in pieces:
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += cur_b - cur_a
    return total / US


def _nearest_watched(lat: float, lon: float, ports: list[dict[str, Any]],
                     radius_m: float) -> tuple[int | None, float]:
    best, best_d = None, float("inf")
    for i, p in enumerate(ports):
        d = haversine_m(lat, lon, p["lat"], p["lon"])
        if d < best_d:
            best, best_d = i, d
    if best is None or best_d > radius_m:
        return None, best_d
    return best, best_d


def _dark_voyages(gaps: list[dict], ports: list[dict[str, Any]], cfg: Any) -> list[dict]:
    vp = cfg.voyages
    radius_m = vp.dark_port_radius_nm * NM_M
    out = []
    for g in gaps:
        # "inferred from a closed gap"
        if g["end_ts"] is None:
            continue
        d = g["details"]
        # "whose OFF position lies within dark_port_radius_nm of a watched port A and whose
        # ON position within that distance of a different watched port B (nearest watched
        # port each)"
        a, da = _nearest_watched(d["off_lat"], d["off_lon"], ports, radius_m)
        b, db = _nearest_watched(d["on_lat"], d["on_lon"], ports, radius_m)
        if a is None or b is None or a == b:
            continue
        pa, pb = ports[a], ports[b]
        # "and whose duration is at least the great-circle distance between A and B at
        # max_sog_kn."
        min_sailing_s = haversine_m(pa["lat"], pa["lon"], pb["lat"], pb["lon"]) / (
            vp.max_sog_kn * NM_M / 3600.0)
        if g["duration_s"] < min_sailing_s:
            continue
        # "Confidence 4 when both positions are inside their port's exit radius, 3 when one
        # is, else 2."
        inside = (da <= pa["exit_radius_m"]) + (db <= pb["exit_radius_m"])
        details = {"inferred": True, "origin_port_id": pa["id"], "dest_port_id": pb["id"],
                   "off_lat": d["off_lat"], "off_lon": d["off_lon"],
                   "on_lat": d["on_lat"], "on_lon": d["on_lon"],
                   "gap_event_id": g["event_id"], "min_sailing_s": min_sailing_s}
        # "start_ts/end_ts the gap's, port_id B, lat/lon the OFF position"
        out.append(make_event("dark_voyage", g["mmsi"], g["start_ts"], g["end_ts"],
                              d["off_lat"], d["off_lon"], 2 + int(inside), details,
                              port_id=pb["id"], port_name=pb["name"], key=pb["id"]))
    return out
