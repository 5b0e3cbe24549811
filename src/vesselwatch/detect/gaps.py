"""AIS gaps (going dark): steps of a track at least ``min_gap_h`` long, and open gaps.

Definition: ``docs/events.md``, "gap". Confidence 4 is exactly Global Fishing Watch's
likely-intentional rule; shorter coastal legs still show with a lower grade.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from vesselwatch.detect._segment import positions_in_window
from vesselwatch.detect.config import NM_M, DetectConfig
from vesselwatch.detect.runs import prepared_for_detection, track_ends
from vesselwatch.detect.tracks import Tracks
from vesselwatch.model.events import (
    EventType,
    details_json,
    event_ids,
    events_table,
    params_json,
    sort_events,
)
from vesselwatch.reference.geodesy import haversine_m


def off_keys(lat: np.ndarray, lon: np.ndarray) -> list[str]:
    """The id key of a gap: its OFF position in micro-degrees (two transmitters sharing an
    MMSI can fall silent at the same second, not at the same place)."""
    la = np.rint(lat * 1e6).astype(np.int64)
    lo = np.rint(lon * 1e6).astype(np.int64)
    return [f"{a},{b}" for a, b in zip(la.tolist(), lo.tolist(), strict=True)]


def detect_gaps(tracks: Tracks, config: DetectConfig) -> pa.Table:
    """Gap events of every track, closed and open, sorted by (mmsi, start_ts)."""
    p = config.gaps
    t = prepared_for_detection(tracks)
    starts = t.track_starts()
    ends = track_ends(starts)
    min_gap_us = round(p.min_gap_h * 3_600_000_000)
    n = len(t)
    closed_off = np.zeros(0, dtype=np.int64)
    if n > 1:
        step_us = np.diff(t.ts)
        closed_off = np.flatnonzero(~starts[1:] & (step_us >= min_gap_us))
    # open only when the MMSI sent nothing later on another track (a second transmitter)
    vessel_start = np.flatnonzero(np.r_[True, t.mmsi[1:] != t.mmsi[:-1]]) if n else starts
    vessel_last = np.repeat(np.maximum.reduceat(t.ts, vessel_start),
                            np.diff(np.r_[vessel_start, n])) if n else t.ts
    open_off = np.flatnonzero(ends & (t.until_us - t.ts >= min_gap_us) & (t.ts == vessel_last))
    off = np.concatenate([closed_off, open_off])
    is_open = np.concatenate([np.zeros(len(closed_off), bool), np.ones(len(open_off), bool)])
    on = np.where(is_open, -1, off + 1)

    track_first = (np.maximum.accumulate(np.where(starts, np.arange(n), 0)) if n
                   else np.zeros(0, dtype=np.int64)).astype(np.int64)
    window_us = round(p.positions_window_h * 3_600_000_000)
    before = positions_in_window(np.ascontiguousarray(t.ts, dtype=np.int64), track_first,
                                 off.astype(np.int64), window_us)

    ts_off = t.ts[off]
    ts_on = np.where(is_open, 0, t.ts[np.maximum(on, 0)])
    dur_us = np.where(is_open, t.until_us - ts_off, ts_on - ts_off)
    on_i = np.maximum(on, 0)
    dist = np.where(is_open, np.nan, haversine_m(t.lat[off], t.lon[off], t.lat[on_i], t.lon[on_i]))
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = dist / (dur_us / 1e6) / (NM_M / 3600.0)
    confidence = (1 + (dur_us >= p.intentional_min_gap_h * 3_600_000_000)
                  + (t.dist_shore_m[off] >= p.intentional_min_shore_nm * NM_M)
                  + (before >= p.intentional_min_positions)).astype(np.uint8)

    port_ids = t.ports.port_id
    rows: list[dict[str, Any]] = []
    for k in range(len(off)):
        i, j, op = int(off[k]), int(on_i[k]), bool(is_open[k])
        rows.append({
            "off_lat": t.lat[i], "off_lon": t.lon[i],
            "on_lat": None if op else t.lat[j], "on_lon": None if op else t.lon[j],
            "distance_m": None if op else float(dist[k]),
            "implied_sog_kn": None if op else float(implied[k]),
            "off_shore_m": float(t.dist_shore_m[i]),
            "on_shore_m": None if op else float(t.dist_shore_m[j]),
            "off_port_id": port_ids[t.port_idx[i]] if t.port_idx[i] >= 0 else None,
            "on_port_id": None if op or t.port_idx[j] < 0 else port_ids[t.port_idx[j]],
            "positions_before": int(before[k]),
            "seg": int(t.seg[i]),
        })
    mmsi = t.mmsi[off]
    table = events_table({
        "event_id": event_ids(EventType.GAP, mmsi, ts_off, key=off_keys(t.lat[off], t.lon[off])),
        "event_type": [EventType.GAP.value] * len(off),
        "mmsi": mmsi,
        "start_ts": ts_off,
        "end_ts": pa.array(np.where(is_open, 0, ts_on), pa.int64(), mask=is_open),
        "duration_s": pa.array(dur_us / 1e6, pa.float64(), mask=is_open),
        "lat": t.lat[off],
        "lon": t.lon[off],
        "confidence": confidence,
        "params": [params_json(config.params_for("gaps"))] * len(off),
        "details": details_json(rows),
    })
    return sort_events(table)
