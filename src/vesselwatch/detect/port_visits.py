"""Port visits: Global Fishing Watch's state machine against each port's own radii.

Definition: ``docs/events.md``, "port_visit". Both hysteresis rules (entry/exit radius and
stop start/end speed) are forward fills over the rows of a track, so the whole table is
handled at once, without a per-row loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.runs import (
    forward_fill,
    iso,
    prepared_for_detection,
    run_bounds,
    speed_source,
    track_ends,
)
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

SEA = -1


def port_states(t: Tracks) -> np.ndarray:
    """The state of each row (rows ordered by track): a port index, or ``SEA``.

    Inside an entry circle: that port. Beyond every exit circle, or a track's first row:
    at sea. In between (a ring row), the previous row's port, as long as the row stays
    within that port's exit radius; from the first ring row that does not, at sea until the
    next entry.
    """
    starts = t.track_starts()
    inside = t.entry_port_idx >= 0
    value = np.where(inside, t.entry_port_idx, SEA).astype(np.int32)
    defined = inside | (t.port_idx < 0) | starts
    source = forward_fill(np.arange(len(value)), defined)
    carried = value[source]
    ring = np.flatnonzero(~defined & (carried >= 0))
    ports = t.ports
    port = carried[ring]
    away = np.zeros(len(value), dtype=np.int64)
    away[ring] = haversine_m(t.lat[ring], t.lon[ring], ports.lat[port],
                             ports.lon[port]) > ports.exit_radius_m[port]
    left = np.cumsum(away)
    # a ring row left its port if any ring row since the last defined row was out of it
    return np.where(left - left[source] > 0, SEA, carried).astype(np.int32)


def stop_states(speed_kn: np.ndarray, run_start: np.ndarray, start_kn: float,
                end_kn: float) -> np.ndarray:
    """Bool per row: stopped (begins below ``start_kn``, ends above ``end_kn``)."""
    slow = speed_kn < start_kn
    fast = speed_kn > end_kn
    return forward_fill(slow, slow | fast | run_start)


def detect_port_visits(tracks: Tracks, config: DetectConfig) -> pa.Table:
    """One event per visit (a run of rows in one port), open where the track ends inside."""
    p = config.port_visits
    t = prepared_for_detection(tracks)
    starts = t.track_starts()
    ends = track_ends(starts)
    state = port_states(t)
    first, last = run_bounds(state, starts, state >= 0)
    n_visits = len(first)

    run_start = np.zeros(len(t), dtype=bool)
    run_start[first] = True
    stopped = stop_states(t.speed_kn, run_start, p.stop_start_sog_kn, p.stop_end_sog_kn)
    stopped &= state >= 0
    # time stopped: steps that begin on a stopped row inside the same visit
    step_next = np.zeros(len(t), dtype=np.float64)
    if len(t) > 1:
        step_next[:-1] = (t.ts[1:] - t.ts[:-1]) / 1e6
    in_visit_step = np.zeros(len(t), dtype=bool)
    in_visit_step[:-1] = (state[:-1] >= 0) & (state[1:] == state[:-1]) & ~starts[1:]
    stop_time = np.where(stopped & in_visit_step, step_next, 0.0)
    visit_step = np.where(in_visit_step, step_next, 0.0)
    cum_stop = np.concatenate([[0.0], np.cumsum(stop_time)])
    stop_s = cum_stop[last] - cum_stop[first]  # steps first..last-1
    cum_stopped = np.concatenate([[0], np.cumsum(stopped)])
    any_stop = (cum_stopped[last + 1] - cum_stopped[first]) > 0
    # steps outside visits are 0, so each reduceat span holds just its visit's steps
    max_gap_s = (np.maximum.reduceat(visit_step, first) if n_visits
                 else np.zeros(0, dtype=np.float64))
    port_gap = max_gap_s > p.port_gap_h * 3600.0

    entry = ~starts[first]
    exit_ = ~ends[last]
    is_open = ends[last]
    stop_or_gap = any_stop | port_gap
    confidence = np.where(entry & exit_ & stop_or_gap, 4,
                          np.where((entry | exit_) & stop_or_gap, 3,
                                   np.where(stop_or_gap, 2, 1))).astype(np.uint8)

    port = state[first]
    ports = t.ports
    port_id = [ports.port_id[i] for i in port]
    rows: list[dict[str, Any]] = []
    for k in range(n_visits):
        a, b = int(first[k]), int(last[k])
        rows.append({
            "entry": bool(entry[k]), "exit": bool(exit_[k]), "stop": bool(any_stop[k]),
            "port_gap": bool(port_gap[k]), "stop_s": round(float(stop_s[k]), 1),
            "max_gap_s": round(float(max_gap_s[k]), 1), "positions": b - a + 1,
            "last_seen_ts": iso(t.ts[b]), "seg": int(t.seg[a]),
            "speed_source": speed_source(t.sog_reported[a:b + 1]),
        })
    mmsi = t.mmsi[first]
    start_ts = t.ts[first]
    end_ts = t.ts[last]
    table = events_table({
        "event_id": event_ids(EventType.PORT_VISIT, mmsi, start_ts, key=port_id),
        "event_type": [EventType.PORT_VISIT.value] * n_visits,
        "mmsi": mmsi,
        "start_ts": start_ts,
        "end_ts": pa.array(end_ts, pa.int64(), mask=is_open),
        "duration_s": pa.array((end_ts - start_ts) / 1e6, pa.float64(), mask=is_open),
        "lat": ports.lat[port],
        "lon": ports.lon[port],
        "port_id": port_id,
        "port_name": [ports.name[i] for i in port],
        "confidence": confidence,
        "params": [params_json(config.params_for("port_visits"))] * n_visits,
        "details": details_json(rows),
    })
    return sort_events(table)
