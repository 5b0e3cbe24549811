"""Naive AIS gaps (going dark): docs/events.md, section ``gap``."""

from __future__ import annotations

from typing import Any

import pandas as pd
from oracle_common import (
    HOUR_US,
    NM_M,
    config_or_default,
    haversine_m,
    is_nan,
    knots,
    make_event,
    norm_ports,
    track_groups,
)


def gaps_naive(tracks: pd.DataFrame, ports: Any, config: Any = None,
               until: int | None = None) -> list[dict]:
    """``until``: the end of the data; default the latest ``ts`` in ``tracks`` (the caller
    should pass the latest ``ts`` of the positions given, see ``oracle_all``)."""
    cfg = config_or_default(config)
    gp = cfg.gaps
    port_list = norm_ports(ports, cfg)
    if until is None:
        until = int(tracks["ts"].max()) if len(tracks) else 0
    min_gap_us = gp.min_gap_h * HOUR_US
    events = []
    # "A gap is a step between consecutive non-outlier positions of a track at least
    # min_gap_h long."
    tracks_list = track_groups(tracks)
    last_of_mmsi: dict[int, list[int]] = {}
    for track in tracks_list:
        last_of_mmsi.setdefault(int(track[0]["mmsi"]), []).append(track[-1]["ts"])
    for track in tracks_list:
        for k in range(len(track) - 1):
            off, on = track[k], track[k + 1]
            if on["ts"] - off["ts"] >= min_gap_us:
                events.append(_gap(track, off, on, until, port_list, gp))
        # "The last position of a track at least min_gap_h before the end of the data
        # opens an open gap, unless the MMSI has a later position on another track (a
        # second transmitter still sending)."  (Other non-outlier tracks: outliers are
        # left out of every detector but spoofing.)
        last = track[-1]
        later_elsewhere = any(t > last["ts"] for t in last_of_mmsi[int(last["mmsi"])])
        if until - last["ts"] >= min_gap_us and not later_elsewhere:
            events.append(_gap(track, last, None, until, port_list, gp))
    return events


def _port_id(r: dict[str, Any] | None, ports: list[dict[str, Any]]) -> str | None:
    # "off_port_id, on_port_id (the port whose exit radius holds the position, else null;
    # every on_ field, the distance and the implied speed are null when open)"
    if r is None or is_nan(r["port_idx"]):
        return None
    return ports[int(r["port_idx"])]["id"]


def _gap(track: list[dict[str, Any]], off: dict[str, Any], on: dict[str, Any] | None,
         until: int, ports: list[dict[str, Any]], gp: Any) -> dict[str, Any]:
    # "The OFF position is the one before, the ON position the one after; start_ts/lat/lon
    # are the OFF position's, end_ts the ON position's."
    start_ts = off["ts"]
    end_ts = None if on is None else on["ts"]
    if on is None:
        distance = None
        sog = None
    else:
        distance = haversine_m(off["lat"], off["lon"], on["lat"], on["lon"])
        sog = knots(distance, on["ts"] - off["ts"])
    # "positions_before (positions of the track with ts in [start_ts − positions_window_h,
    # start_ts], the OFF position included)"
    window_start = start_ts - gp.positions_window_h * HOUR_US
    positions_before = sum(1 for r in track if window_start <= r["ts"] <= start_ts)
    details = {
        "off_lat": off["lat"], "off_lon": off["lon"],
        # "every on_ field, the distance and the implied speed are null when open"
        "on_lat": None if on is None else on["lat"],
        "on_lon": None if on is None else on["lon"],
        "distance_m": distance,
        "implied_sog_kn": sog,
        "off_shore_m": off["dist_shore_m"],
        "on_shore_m": None if on is None else on["dist_shore_m"],
        "off_port_id": _port_id(off, ports),
        "on_port_id": _port_id(on, ports),
        "positions_before": positions_before,
        "seg": int(off["seg"]),
    }
    # "Confidence = 1 + one point each for: duration (for an open gap, until − start_ts) at
    # least intentional_min_gap_h; OFF position at least intentional_min_shore_nm from
    # shore; positions_before at least intentional_min_positions."
    duration_us = (until if on is None else on["ts"]) - start_ts
    confidence = 1
    confidence += duration_us >= gp.intentional_min_gap_h * HOUR_US
    confidence += off["dist_shore_m"] >= gp.intentional_min_shore_nm * NM_M
    confidence += positions_before >= gp.intentional_min_positions
    return make_event("gap", off["mmsi"], start_ts, end_ts, off["lat"], off["lon"],
                      int(confidence), details)
