"""Voyages between consecutive port visits, and dark voyages inferred from gaps.

Definitions: ``docs/events.md``, "voyage and dark_voyage". Both read the event tables of
the port-visit and gap detectors, so they run after them; events are few, so plain
iteration over events (never over positions) is fine here.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa

from vesselwatch.detect.config import KN_MS, NM_M, DetectConfig
from vesselwatch.detect.runs import iso
from vesselwatch.model.events import (
    EVENTS,
    EventType,
    details_json,
    event_ids,
    events_table,
    params_json,
    sort_events,
)
from vesselwatch.reference.geodesy import haversine_m
from vesselwatch.reference.ports import PortIndex


def _us(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(column.cast(pa.int64()).fill_null(-1).to_numpy(), dtype=np.int64)


def covered_us(starts: np.ndarray, ends: np.ndarray, lo: int, hi: int) -> int:
    """Microseconds of [lo, hi] covered by the union of the intervals [starts, ends]."""
    s = np.clip(starts, lo, hi)
    e = np.clip(ends, lo, hi)
    keep = e > s
    s, e = np.sort(s[keep]), e[keep][np.argsort(s[keep], kind="stable")]
    total, reach = 0, lo
    for a, b in zip(s.tolist(), e.tolist(), strict=True):  # gaps of one voyage: a handful
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


def detect_voyages(port_visits: pa.Table, gaps: pa.Table, config: DetectConfig,
                   *, until_us: int) -> pa.Table:
    """Voyages from consecutive closed port visits of each MMSI, with their dark time."""
    visits = port_visits.sort_by([("mmsi", "ascending"), ("start_ts", "ascending"),
                                  ("event_id", "ascending")])
    mmsi = visits["mmsi"].to_numpy()
    start = _us(visits["start_ts"])
    end = _us(visits["end_ts"])  # -1 where open
    conf = visits["confidence"].to_numpy()
    ids = visits["event_id"].to_pylist()
    pid = visits["port_id"].to_pylist()
    pname = visits["port_name"].to_pylist()
    lat = visits["lat"].to_numpy()
    lon = visits["lon"].to_numpy()

    g_mmsi = gaps["mmsi"].to_numpy()
    g_start = _us(gaps["start_ts"])
    g_end = _us(gaps["end_ts"])
    g_end = np.where(g_end < 0, until_us, g_end)
    g_order = np.argsort(g_mmsi, kind="stable")
    g_mmsi, g_start, g_end = g_mmsi[g_order], g_start[g_order], g_end[g_order]

    pairs = np.flatnonzero((mmsi[1:] == mmsi[:-1]) & (end[:-1] >= 0)
                           & (start[1:] >= end[:-1])) if len(mmsi) > 1 else np.zeros(0, int)
    rows: list[dict[str, Any]] = []
    out_mmsi, dep, arr = mmsi[pairs], end[pairs], start[pairs + 1]
    for k, a in enumerate(pairs):
        b = a + 1
        lo, hi = np.searchsorted(g_mmsi, [mmsi[a], mmsi[a] + 1])
        dark_us = covered_us(g_start[lo:hi], g_end[lo:hi], int(dep[k]), int(arr[k]))
        rows.append({
            "origin_port_id": pid[a], "origin_port_name": pname[a],
            "dest_port_id": pid[b], "dest_port_name": pname[b],
            "dark_s": dark_us / 1e6,
            "origin_visit_id": ids[a], "dest_visit_id": ids[b],
        })
    n = len(pairs)
    table = events_table({
        "event_id": event_ids(EventType.VOYAGE, out_mmsi, dep, key=[pid[a + 1] for a in pairs]),
        "event_type": [EventType.VOYAGE.value] * n,
        "mmsi": out_mmsi,
        "start_ts": dep,
        "end_ts": arr,
        "duration_s": (arr - dep) / 1e6,
        "lat": lat[pairs],
        "lon": lon[pairs],
        "port_id": [pid[a + 1] for a in pairs],
        "port_name": [pname[a + 1] for a in pairs],
        "confidence": np.minimum(conf[pairs], conf[pairs + 1]).astype(np.uint8),
        "params": [params_json(config.params_for("voyages"))] * n,
        "details": details_json(rows),
    })
    return sort_events(table)


def detect_dark_voyages(gaps: pa.Table, watched: PortIndex, config: DetectConfig) -> pa.Table:
    """Dark voyages: closed gaps that leave near one watched port and reappear near another."""
    p = config.voyages
    closed = gaps.filter(gaps["end_ts"].is_valid())
    if closed.num_rows == 0 or len(watched) == 0:
        return EVENTS.empty_table()
    details = [json.loads(d) for d in closed["details"].to_pylist()]
    off_lat = np.array([d["off_lat"] for d in details], dtype=np.float64)
    off_lon = np.array([d["off_lon"] for d in details], dtype=np.float64)
    on_lat = np.array([d["on_lat"] for d in details], dtype=np.float64)
    on_lon = np.array([d["on_lon"] for d in details], dtype=np.float64)
    radius = p.dark_port_radius_nm * NM_M
    a, da = watched.nearest(off_lat, off_lon, max_dist_m=radius)
    b, db = watched.nearest(on_lat, on_lon, max_dist_m=radius)
    ok = (a >= 0) & (b >= 0) & (a != b)
    ai, bi = np.maximum(a, 0), np.maximum(b, 0)
    between = haversine_m(watched.lat[ai], watched.lon[ai], watched.lat[bi], watched.lon[bi])
    min_sail_s = between / (p.max_sog_kn * KN_MS)
    duration = closed["duration_s"].to_numpy()
    ok &= duration >= min_sail_s
    sel = np.flatnonzero(ok)
    in_a = da[sel] <= watched.exit_radius_m[a[sel]]
    in_b = db[sel] <= watched.exit_radius_m[b[sel]]
    confidence = (2 + in_a.astype(np.uint8) + in_b.astype(np.uint8)).astype(np.uint8)
    gap_ids = closed["event_id"].to_pylist()
    mmsi = closed["mmsi"].to_numpy()[sel]
    start = _us(closed["start_ts"])[sel]
    end = _us(closed["end_ts"])[sel]
    rows = [{
        "inferred": True,
        "origin_port_id": watched.port_id[a[k]], "origin_port_name": watched.name[a[k]],
        "dest_port_id": watched.port_id[b[k]],
        "off_lat": off_lat[k], "off_lon": off_lon[k], "on_lat": on_lat[k], "on_lon": on_lon[k],
        "off_port_distance_m": round(float(da[k]), 1),
        "on_port_distance_m": round(float(db[k]), 1),
        "gap_event_id": gap_ids[k], "min_sailing_s": round(float(min_sail_s[k]), 1),
        "off_ts": iso(_us(closed["start_ts"])[k]),
    } for k in sel]
    n = len(sel)
    table = events_table({
        "event_id": event_ids(EventType.DARK_VOYAGE, mmsi, start,
                              key=[watched.port_id[b[k]] for k in sel]),
        "event_type": [EventType.DARK_VOYAGE.value] * n,
        "mmsi": mmsi,
        "start_ts": start,
        "end_ts": end,
        "duration_s": (end - start) / 1e6,
        "lat": off_lat[sel],
        "lon": off_lon[sel],
        "port_id": [watched.port_id[b[k]] for k in sel],
        "port_name": [watched.name[b[k]] for k in sel],
        "confidence": confidence,
        "params": [params_json(config.params_for("voyages"))] * n,
        "details": details_json(rows),
    })
    return sort_events(table)
