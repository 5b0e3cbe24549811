"""Loitering: slow, far from shore, for hours (``docs/events.md``, "`loitering`").

A loitering event is a maximal run of consecutive non-outlier positions of a track in which
every position is at least ``min_shore_nm`` from shore with a speed below
``max_avg_sog_kn``, and every step is at most ``max_step_gap_h`` long, whose last position
minus its first is at least ``min_duration_h``. Run-length logic over numpy columns; no
per-row Python loop. The result for a set of MMSIs does not depend on the other MMSIs, so
the function runs unchanged on per-MMSI partitions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vesselwatch.detect.config import NM_M, DetectConfig
from vesselwatch.detect.encounters import group_median, group_median_lon
from vesselwatch.detect.resample import HOUR_US
from vesselwatch.detect.tracks import Tracks
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

__all__ = ["detect_loitering"]


def detect_loitering(tracks: Tracks, config: DetectConfig) -> pa.Table:
    """Loitering events, EVENTS schema, canonical order."""
    p = config.loitering
    order = tracks.detection_rows()  # non-outlier rows, each track contiguous, in time order
    rows = np.arange(len(tracks)) if order is None else order
    n = len(rows)
    if n == 0:
        return EVENTS.empty_table()
    mmsi, seg, ts = tracks.mmsi[rows], tracks.seg[rows], tracks.ts[rows]
    speed = tracks.speed_kn[rows].astype(np.float64)
    shore = tracks.dist_shore_m[rows].astype(np.float64)

    track_start = np.ones(n, dtype=bool)
    track_start[1:] = (mmsi[1:] != mmsi[:-1]) | (seg[1:] != seg[:-1])
    track_end = np.ones(n, dtype=bool)
    track_end[:-1] = track_start[1:]
    good = (shore >= p.min_shore_nm * NM_M) & (speed < p.max_avg_sog_kn)
    long_step = np.zeros(n, dtype=bool)
    long_step[1:] = (ts[1:] - ts[:-1]) > p.max_step_gap_h * HOUR_US
    # a run starts at a good position that does not continue the previous one
    cont = np.zeros(n, dtype=bool)
    cont[1:] = good[1:] & good[:-1] & ~track_start[1:] & ~long_step[1:]
    starts = np.flatnonzero(good & ~cont)
    cont_next = np.zeros(n, dtype=bool)
    cont_next[:-1] = cont[1:]
    ends = np.flatnonzero(good & ~cont_next)
    size = ends - starts + 1
    duration_us = ts[ends] - ts[starts]
    keep = duration_us >= p.min_duration_h * HOUR_US
    if not bool(keep.any()):
        return EVENTS.empty_table()

    # the positions of the kept runs only: run r holds rows starts[r] .. ends[r]
    starts, ends, size, duration_us = starts[keep], ends[keep], size[keep], duration_us[keep]
    n_runs = len(starts)
    run = np.repeat(np.arange(n_runs), size)
    first = np.cumsum(size) - size
    member = np.repeat(starts - first, size) + np.arange(len(run))
    src = rows[member]
    lat_m, lon_m = tracks.lat[src], tracks.lon[src]
    # path length: the steps between consecutive positions of a run
    step = np.zeros(len(run))
    step[1:] = haversine_m(lat_m[:-1], lon_m[:-1], lat_m[1:], lon_m[1:])
    step[first] = 0.0
    path_m = np.bincount(run, weights=step, minlength=n_runs)
    med_lat = group_median(lat_m, run, n_runs)
    med_lon = group_median_lon(lon_m, run, n_runs, first)
    mean_sog = np.bincount(run, weights=speed[member], minlength=n_runs) / size
    n_rep = np.bincount(run, weights=tracks.sog_reported[src], minlength=n_runs)
    min_shore = np.minimum.reduceat(shore[member], first) if n_runs else np.zeros(0)
    dur_s = duration_us / 1e6
    with np.errstate(divide="ignore", invalid="ignore"):
        avg_implied = np.where(dur_s > 0, path_m / NM_M / (dur_s / 3600.0), np.nan)

    open_ = track_end[ends]
    conf = (1 + (avg_implied < p.max_avg_sog_kn).astype(np.uint8)
            + (n_rep >= 0.9 * size).astype(np.uint8)
            + (duration_us >= 2 * p.min_duration_h * HOUR_US).astype(np.uint8))
    details = [{"positions": int(size[g]), "avg_implied_sog_kn": float(avg_implied[g]),
                "mean_sog_kn": float(mean_sog[g]),
                "speed_source": "reported" if n_rep[g] == size[g] else
                ("implied" if n_rep[g] == 0 else "mixed"),
                "min_shore_m": float(min_shore[g])}
               for g in range(n_runs)]
    ev_mmsi = mmsi[starts]
    ev_start = ts[starts]
    ev_end = np.where(open_, 0, ts[ends])
    table = events_table({
        "event_id": event_ids(EventType.LOITERING, ev_mmsi, ev_start,
                              key=_collision_keys(ev_mmsi, ev_start, seg[starts])),
        "event_type": [str(EventType.LOITERING)] * n_runs,
        "mmsi": ev_mmsi,
        "start_ts": ev_start,
        "end_ts": pa.array(ev_end, pa.int64(), mask=open_),
        "duration_s": pa.array(dur_s, pa.float64(), mask=open_),
        "lat": med_lat,
        "lon": med_lon,
        "confidence": conf.astype(np.uint8),
        "params": [params_json(config.params_for("loitering"))] * n_runs,
        "details": details_json(details),
    })
    return sort_events(table)


def _collision_keys(mmsi: npt.NDArray[np.uint32], start: npt.NDArray[np.int64],
                    seg: npt.NDArray[np.int32]) -> list[str | None]:
    """No key, except for a second event of one MMSI starting at the same moment (two
    tracks at once): its track number, so ids stay unique."""
    order = np.lexsort((seg, start, mmsi))
    dup = np.zeros(len(order), dtype=bool)
    dup[1:] = (mmsi[order][1:] == mmsi[order][:-1]) & (start[order][1:] == start[order][:-1])
    keys: list[str | None] = [None] * len(order)
    for i in order[dup].tolist():
        keys[i] = f"seg{int(seg[i])}"
    return keys


