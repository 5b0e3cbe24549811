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
from vesselwatch.detect.resample import HOUR_US, _track_order
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
    order = _track_order(tracks)  # non-outlier rows, each track contiguous, in time order
    rows = np.arange(len(tracks)) if order is None else order
    n = len(rows)
    if n == 0:
        return EVENTS.empty_table()
    mmsi, seg, ts = tracks.mmsi[rows], tracks.seg[rows], tracks.ts[rows]
    lat, lon = tracks.lat[rows], tracks.lon[rows]
    speed = tracks.speed_kn[rows].astype(np.float64)
    shore = tracks.dist_shore_m[rows].astype(np.float64)
    reported = tracks.sog_reported[rows]

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
    run_of = np.cumsum(good & ~cont) - 1  # valid where good
    good_rows = np.flatnonzero(good)
    run = run_of[good_rows]
    n_runs = len(starts)
    size = np.bincount(run, minlength=n_runs)
    ends = starts + size - 1
    duration_us = ts[ends] - ts[starts]
    keep = duration_us >= p.min_duration_h * HOUR_US
    if not bool(keep.any()):
        return EVENTS.empty_table()

    # path length: steps inside a run (between two of its positions)
    step = np.zeros(n)
    step[1:] = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    inner = cont[good_rows]
    path_m = np.bincount(run, weights=np.where(inner, step[good_rows], 0.0), minlength=n_runs)
    med_lat = group_median(lat[good_rows], run, n_runs)
    med_lon = group_median_lon(lon[good_rows], run, n_runs, np.searchsorted(good_rows, starts))
    mean_sog = np.bincount(run, weights=speed[good_rows], minlength=n_runs) / size
    n_rep = np.bincount(run, weights=reported[good_rows], minlength=n_runs)
    min_shore = np.full(n_runs, np.inf)
    np.minimum.at(min_shore, run, shore[good_rows])
    dur_s = duration_us / 1e6
    with np.errstate(divide="ignore", invalid="ignore"):
        avg_implied = np.where(dur_s > 0, path_m / NM_M / (dur_s / 3600.0), np.nan)

    k = np.flatnonzero(keep)
    open_ = track_end[ends[k]]
    conf = (1 + (avg_implied[k] < p.max_avg_sog_kn).astype(np.uint8)
            + (n_rep[k] >= 0.9 * size[k]).astype(np.uint8)
            + (duration_us[k] >= 2 * p.min_duration_h * HOUR_US).astype(np.uint8))
    source = ["reported" if r == s else ("implied" if r == 0 else "mixed")
              for r, s in zip(n_rep[k].tolist(), size[k].tolist())]
    details = [{"positions": int(size[g]), "avg_implied_sog_kn": float(avg_implied[g]),
                "mean_sog_kn": float(mean_sog[g]), "speed_source": src,
                "min_shore_m": float(min_shore[g])}
               for g, src in zip(k.tolist(), source)]
    ev_mmsi = mmsi[starts[k]]
    ev_start = ts[starts[k]]
    ev_end = np.where(open_, 0, ts[ends[k]])
    table = events_table({
        "event_id": event_ids(EventType.LOITERING, ev_mmsi, ev_start,
                              key=_collision_keys(ev_mmsi, ev_start, seg[starts[k]])),
        "event_type": [str(EventType.LOITERING)] * len(k),
        "mmsi": ev_mmsi,
        "start_ts": ev_start,
        "end_ts": pa.array(ev_end, pa.int64(), mask=open_),
        "duration_s": pa.array(dur_s[k], pa.float64(), mask=open_),
        "lat": med_lat[k],
        "lon": med_lon[k],
        "confidence": conf.astype(np.uint8),
        "params": [params_json(config.params_for("loitering"))] * len(k),
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


