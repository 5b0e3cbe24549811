"""Naive port visits: docs/events.md, section ``port_visit``."""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd
from oracle_common import (
    US,
    config_or_default,
    haversine_m,
    is_nan,
    make_event,
    norm_ports,
    speed_source,
    track_groups,
)


def port_states(track: list[dict[str, Any]], ports: list[dict[str, Any]]) -> list[int | None]:
    """The state of each position of one track: a port index (in port) or None (at sea)."""
    states: list[int | None] = []
    for i, r in enumerate(track):
        if not is_nan(r["entry_port_idx"]):
            # "in port P if the position lies within the entry radius of one or more ports
            # (P is the nearest of them)"
            states.append(int(r["entry_port_idx"]))
            continue
        # "otherwise in port P if position i − 1 was in port P and this position lies
        # within P's exit radius (the hysteresis ring); otherwise at sea. The first
        # position of a track has no previous state: in port only inside an entry radius."
        prev = states[i - 1] if i > 0 else None
        if prev is not None:
            p = ports[prev]
            if haversine_m(r["lat"], r["lon"], p["lat"], p["lon"]) <= p["exit_radius_m"]:
                states.append(prev)
                continue
        states.append(None)
    return states


def port_visits_naive(tracks: pd.DataFrame, ports: Any, config: Any = None) -> list[dict]:
    cfg = config_or_default(config)
    pv = cfg.port_visits
    port_list = norm_ports(ports, cfg)
    events = []
    # "Per track, over its non-outlier positions in time order"
    for track in track_groups(tracks):
        states = port_states(track, port_list)
        # "A visit is a maximal run of consecutive positions in state in port P (one P)."
        i = 0
        while i < len(track):
            if states[i] is None:
                i += 1
                continue
            j = i
            while j + 1 < len(track) and states[j + 1] == states[i]:
                j += 1
            events.append(_visit(track, i, j, port_list[states[i]], pv))
            i = j + 1
    return events


def _visit(track: list[dict[str, Any]], i: int, j: int, port: dict[str, Any],
           pv: Any) -> dict[str, Any]:
    run = track[i:j + 1]
    # "start_ts = ts of its first position, end_ts = ts of its last position; the visit is
    # open (end_ts null) when its last position is the last of the track."
    start_ts = run[0]["ts"]
    is_open = j == len(track) - 1
    end_ts = None if is_open else run[-1]["ts"]
    # "entry: a position of the track precedes the run; exit: a position follows it."
    entry = i > 0
    exit_ = j < len(track) - 1

    # "stop: within the visit, a stop begins at a position whose speed is below
    # stop_start_sog_kn and lasts until the next position whose speed is above
    # stop_end_sog_kn, or the end of the visit; details.stop is true when a stop begins,
    # details.stop_s is the time stopped (the steps that start on a stopped position)."
    # (The position whose speed ends the stop is no longer stopped; the last position of
    # the visit starts no step within the visit.)
    stop = False
    stopped = []
    on = False
    for r in run:
        v = r["speed_kn"]
        if not on and not is_nan(v) and v < pv.stop_start_sog_kn:
            on = stop = True
        elif on and not is_nan(v) and v > pv.stop_end_sog_kn:
            on = False
        stopped.append(on)
    stop_us = sum(b["ts"] - a["ts"] for a, b, s in zip(run, run[1:], stopped) if s)

    # "port_gap: two consecutive positions of the visit more than port_gap_h apart;
    # details.max_gap_s is the longest step (0 for a visit of one position)."
    steps = [b["ts"] - a["ts"] for a, b in itertools.pairwise(run)]
    max_gap_us = max(steps) if steps else 0
    port_gap = max_gap_us > pv.port_gap_h * 3600 * US

    # "Confidence (as GFW): 4 = entry and exit and (stop or port gap); 3 = entry or exit,
    # and stop or port gap; 2 = stop or port gap only (a vessel first seen in port, or dark
    # at sea around the visit); 1 = no stop and no gap (passing through)."
    stop_or_gap = stop or port_gap
    if entry and exit_ and stop_or_gap:
        confidence = 4
    elif (entry or exit_) and stop_or_gap:
        confidence = 3
    elif stop_or_gap:
        confidence = 2
    else:
        confidence = 1

    # "details also carries entry, exit, positions, last_seen_ts, seg and speed_source."
    # (last_seen_ts: the time of the visit's last position, set for an open visit too.)
    details = {"entry": entry, "exit": exit_, "stop": stop, "stop_s": stop_us / US,
               "max_gap_s": max_gap_us / US, "positions": len(run),
               "last_seen_ts": int(run[-1]["ts"]), "seg": int(run[0]["seg"]),
               "speed_source": speed_source([bool(r["speed_reported"]) for r in run])}
    # "lat, lon, port_id, port_name: the port's."
    return make_event("port_visit", run[0]["mmsi"], start_ts, end_ts, port["lat"], port["lon"],
                      confidence, details, port_id=port["id"], port_name=port["name"],
                      key=port["id"])
