"""Ship-to-ship encounters: GFW's definition, ``docs/events.md`` ("`encounter`").

Steps, all columnar (numpy), no per-row Python loop:

1. **Resample** every track to the ``grid_min`` grid (:mod:`vesselwatch.detect.resample`).
2. **Close slots** by a space-time cell join, a chunk of grid times at a time (a pair can
   only be close at one grid time, so chunks of whole grid times are independent and the
   peak memory of the join is bounded by the chunk, not by the data). Cells are rows of
   latitude one ``max_distance_m`` high; each row is cut into equal longitude cells at
   least the longitude half-width of a ``max_distance_m`` cap at the row's highest
   latitude (``360 / n`` degrees wide, so cells wrap at the antimeridian; one cell per row
   near the poles). A point looks for partners in its own cell (later points only), the
   next cell east in its row and the cells of the row north that its cap can reach, so
   every pair within ``max_distance_m`` is met exactly once, also across a cell edge; the
   exact haversine distance decides.
3. **Runs and merges**: close slots of a pair, in time order, merge while less than
   ``merge_gap_h`` apart (consecutive slots always do); each merged run is tested for
   duration, the median speed of each vessel and its distance from every port.

Space-time partitions with a halo
---------------------------------
The function is pure and only ever compares points at the same grid time, so it runs
unchanged on a partition of prepared tracks (``Tracks.take`` of the rows in a space-time
cell plus a halo); keep the events whose ``start_ts`` lies in the cell's time window (and,
for a spatial split, whose position lies in the cell's area). The result equals the run
over all data for every encounter that, together with ``merge_gap_h`` on either side, lies
inside the halo: a time halo of ``merge_gap_h + max_interpolation_gap_h + grid_min`` plus
the longest encounter expected, and a spatial halo that holds the pair's track over that
time. ``tests/detect/test_encounters.py`` checks this over two halves of a time range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.resample import HOUR_US, Grid, resample_tracks, wrap_lon
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
from vesselwatch.reference.geodesy import EARTH_RADIUS_M, cap_lon_halfwidth_deg, haversine_m
from vesselwatch.reference.ports import PortIndex

__all__ = ["CloseSlots", "close_slots", "detect_encounters"]

M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0  # metres per degree of a great circle
MIN_CELL_M = 50.0  # smaller cells only cost keys; a cell is never narrower than this
CELL_MARGIN = 1.001  # cells a hair wider than the distance, against rounding at the edges

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class CloseSlots:
    """Close slots: grid rows ``a`` and ``b`` (``grid.mmsi[a] < grid.mmsi[b]``) and distance."""

    a: IntArray
    b: IntArray
    dist_m: npt.NDArray[np.float64]


def _cell_rows(lat: npt.NDArray[np.float64], cell_m: float
               ) -> tuple[IntArray, IntArray, npt.NDArray[np.float64]]:
    """Per point: row, number of columns of the row and column width (degrees)."""
    h = cell_m / M_PER_DEG
    row = np.floor((lat + 90.0) / h).astype(np.int64)
    ncol, width = _row_columns(row, h, cell_m)
    return row, ncol, width


def _row_columns(row: IntArray, h: float, cell_m: float) -> tuple[IntArray, npt.NDArray[np.float64]]:
    """Columns of each latitude row: at least the cap half-width at the row's highest |lat|."""
    lo = row * h - 90.0
    hi = lo + h
    top = np.minimum(np.maximum(np.abs(lo), np.abs(hi)), 90.0)
    half = cap_lon_halfwidth_deg(top, cell_m)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where(np.isfinite(half) & (half > 0), np.floor(360.0 / half), 1.0)
    ncol = n.astype(np.int64)
    ncol = np.where(ncol < 3, 1, ncol)
    return ncol, 360.0 / ncol


def _columns(lon: npt.NDArray[np.float64], width: npt.NDArray[np.float64],
             ncol: IntArray) -> IntArray:
    col = np.floor((wrap_lon(lon) + 180.0) / width).astype(np.int64)
    out: IntArray = np.mod(col, ncol)
    return out


def _expand(lo: IntArray, hi: IntArray, who: IntArray) -> tuple[IntArray, IntArray]:
    """All (who[i], j) for j in [lo[i], hi[i])."""
    count = np.maximum(hi - lo, 0)
    left = np.repeat(who, count)
    starts = np.cumsum(count) - count
    right = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(starts - lo, count)
    return left, right


def _join_chunk(slot: IntArray, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64],
                max_distance_m: float) -> tuple[IntArray, IntArray, npt.NDArray[np.float64]]:
    """Pairs (i, j), i != j, of points at the same slot at most ``max_distance_m`` apart."""
    cell_m = max(max_distance_m, MIN_CELL_M) * CELL_MARGIN
    h = cell_m / M_PER_DEG
    nrows = math.ceil(180.0 / h) + 3
    maxcol = math.floor(360.0 / max(float(cap_lon_halfwidth_deg(0.0, cell_m)), 1e-12)) + 1
    nslots = int(slot.max()) + 1 if len(slot) else 1
    if nslots * nrows * maxcol >= 2**62:
        raise ValueError(f"max_distance_m = {max_distance_m!r}: too many cells for one chunk; "
                         "use smaller time chunks")
    row, ncol, width = _cell_rows(lat, cell_m)
    col = _columns(lon, width, ncol)
    key = (slot * nrows + row) * maxcol + col
    order = np.argsort(key, kind="stable")
    key = key[order]
    row, col, ncol = row[order], col[order], ncol[order]
    lat_s, lon_s = lat[order], lon[order]
    n = len(key)
    me = np.arange(n, dtype=np.int64)
    cell_end = np.searchsorted(key, key, side="right").astype(np.int64)
    lefts = []
    rights = []
    # (a) own cell: the later points
    lft, rgt = _expand(me + 1, cell_end, me)
    lefts.append(lft)
    rights.append(rgt)
    # (b) the next cell east in the row
    east = ncol >= 3
    who = me[east]
    ekey = key[east] - col[east] + np.mod(col[east] + 1, ncol[east])
    lo = np.searchsorted(key, ekey, side="left").astype(np.int64)
    hi = np.searchsorted(key, ekey, side="right").astype(np.int64)
    lft, rgt = _expand(lo, hi, who)
    lefts.append(lft)
    rights.append(rgt)
    # (c) the cells of the row north within the point's cap
    nrow = row + 1
    n_ncol, n_width = _row_columns(nrow, h, cell_m)
    half = cap_lon_halfwidth_deg(lat_s, cell_m)
    half = np.where(np.isfinite(half), half, 180.0)
    x = wrap_lon(lon_s) + 180.0
    c_lo = np.floor((x - half) / n_width).astype(np.int64)
    c_hi = np.floor((x + half) / n_width).astype(np.int64)
    span = np.minimum(c_hi - c_lo + 1, n_ncol)
    qwho = np.repeat(me, span)
    qstart = np.cumsum(span) - span
    qcol = np.mod(np.repeat(c_lo, span) + np.arange(int(span.sum())) - np.repeat(qstart, span),
                  np.repeat(n_ncol, span))
    base = (np.repeat(slot[order], span) * nrows + np.repeat(nrow, span)) * maxcol
    nkey = base + qcol
    lo = np.searchsorted(key, nkey, side="left").astype(np.int64)
    hi = np.searchsorted(key, nkey, side="right").astype(np.int64)
    lft, rgt = _expand(lo, hi, qwho)
    lefts.append(lft)
    rights.append(rgt)
    i = np.concatenate(lefts)
    j = np.concatenate(rights)
    d = haversine_m(lat_s[i], lon_s[i], lat_s[j], lon_s[j])
    close = d <= max_distance_m
    return order[i[close]], order[j[close]], d[close]


PAIR_BUDGET = 20_000_000  # candidate pairs one join may expand (about 0.5 GB of indices)


def _pairs_estimate(slot: IntArray, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64],
                    max_distance_m: float) -> float:
    """About how many candidate pairs a join of these points expands: for each point, the
    points of its own and neighbouring cells (cells a few ``max_distance_m`` wide)."""
    cell_deg = max(max_distance_m, MIN_CELL_M) * CELL_MARGIN / M_PER_DEG
    n_lat = math.ceil(180.0 / cell_deg) + 2
    n_lon = math.ceil(360.0 / cell_deg) + 2
    key = np.sort((slot * n_lat + np.floor((lat + 90.0) / cell_deg).astype(np.int64)) * n_lon
                  + np.floor((wrap_lon(lon) + 180.0) / cell_deg).astype(np.int64))
    if len(key) == 0:
        return 0.0
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    counts = np.diff(np.r_[starts, len(key)]).astype(np.float64)
    return float((counts ** 2).sum()) * 2.5


def close_slots(grid: Grid, max_distance_m: float, *, chunk_points: int = 1_000_000) -> CloseSlots:
    """Every pair of grid points of two MMSIs at one grid time within ``max_distance_m``.

    Grid times are joined in chunks of about ``chunk_points`` points (whole grid times).
    """
    n = len(grid)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return CloseSlots(empty, empty, np.zeros(0))
    by_t = np.argsort(grid.t_us, kind="stable")
    t_sorted = grid.t_us[by_t]
    _, first = np.unique(t_sorted, return_index=True)
    chunk_of_time = first // max(chunk_points, 1)
    cut = np.flatnonzero(np.diff(chunk_of_time)) + 1
    bounds = np.concatenate([[0], first[cut], [n]]).astype(np.int64)
    a_parts: list[IntArray] = []
    b_parts: list[IntArray] = []
    d_parts: list[npt.NDArray[np.float64]] = []
    pending = [by_t[bounds[c]:bounds[c + 1]] for c in range(len(bounds) - 1)]
    while pending:
        rows = pending.pop()
        t = grid.t_us[rows]
        slot = (t - t[0]) // grid.step_us
        if int(slot[-1]) > 0 and _pairs_estimate(slot, grid.lat[rows], grid.lon[rows],
                                                 max_distance_m) > PAIR_BUDGET:
            # many vessels at one spot: join fewer grid times at once (never split a time)
            half = int(np.searchsorted(slot, (int(slot[-1]) + 1) // 2))
            pending += [rows[:half], rows[half:]]
            continue
        i, j, d = _join_chunk(slot, grid.lat[rows], grid.lon[rows], max_distance_m)
        a_parts.append(rows[i])
        b_parts.append(rows[j])
        d_parts.append(d)
    a = np.concatenate(a_parts)
    b = np.concatenate(b_parts)
    swap = grid.mmsi[a] > grid.mmsi[b]
    a2 = np.where(swap, b, a)
    b2 = np.where(swap, a, b)
    return CloseSlots(a2, b2, np.concatenate(d_parts))


def group_median(values: npt.NDArray[np.float64], group: IntArray, n_groups: int
                 ) -> npt.NDArray[np.float64]:
    """Median of ``values`` per group (0 .. n_groups - 1), NaN left out; NaN for none."""
    values = np.asarray(values, dtype=np.float64)
    nan = np.isnan(values)
    order = np.lexsort((values, group))  # NaN sorts last within its group
    v = values[order]
    size = np.bincount(group, minlength=n_groups)
    valid = np.bincount(group, weights=~nan, minlength=n_groups).astype(np.int64)
    start = np.cumsum(size) - size
    out = np.full(n_groups, np.nan)
    ok = valid > 0
    lo = start[ok] + (valid[ok] - 1) // 2
    hi = start[ok] + valid[ok] // 2
    out[ok] = (v[lo] + v[hi]) / 2.0
    return out


def group_median_lon(lon: npt.NDArray[np.float64], group: IntArray, n_groups: int,
                     first: IntArray) -> npt.NDArray[np.float64]:
    """Median longitude per group, unwrapped about the group's first value (antimeridian)."""
    ref = lon[first][group]
    unwrapped = ref + wrap_lon(lon - ref)
    return wrap_lon(group_median(unwrapped, group, n_groups))


def _speed_source(all_reported: npt.NDArray[np.bool_], any_reported: npt.NDArray[np.bool_]
                  ) -> list[str]:
    return ["reported" if a else ("mixed" if b else "implied")
            for a, b in zip(all_reported.tolist(), any_reported.tolist())]


def _confidence(share: npt.NDArray[np.float64]) -> npt.NDArray[np.uint8]:
    out: npt.NDArray[np.uint8] = (1 + (share >= 0.25).astype(np.uint8)
                                  + (share >= 0.5).astype(np.uint8)
                                  + (share >= 0.75).astype(np.uint8)).astype(np.uint8)
    return out


def detect_encounters(tracks: Tracks, config: DetectConfig, *,
                      chunk_points: int = 1_000_000) -> pa.Table:
    """Encounter events (two per encounter, one per vessel), EVENTS schema, canonical order."""
    p = config.encounters
    grid = resample_tracks(tracks, p.grid_min, p.max_interpolation_gap_h)
    return encounters_from_grid(grid, tracks.ports, config, chunk_points=chunk_points)


def encounters_from_grid(grid: Grid, ports: PortIndex, config: DetectConfig, *,
                         chunk_points: int = 1_000_000) -> pa.Table:
    """Encounter events from resampled tracks of any number of vessel partitions.

    ``grid`` holds each MMSI's grid points once (``concat_grids`` of vessel partitions).
    """
    p = config.encounters
    slots = close_slots(grid, p.max_distance_m, chunk_points=chunk_points)
    if len(slots.a) == 0:
        return EVENTS.empty_table()
    ma, mb, t = grid.mmsi[slots.a], grid.mmsi[slots.b], grid.t_us[slots.a]
    order = np.lexsort((t, mb, ma))
    a, b, dist = slots.a[order], slots.b[order], slots.dist_m[order]
    ma, mb, t = ma[order], mb[order], t[order]
    # merged runs: a new pair, or a silence of at least merge_gap_h (and more than one slot)
    merge_us = p.merge_gap_h * HOUR_US
    dt = np.diff(t)
    new = np.ones(len(t), dtype=bool)
    new[1:] = (ma[1:] != ma[:-1]) | (mb[1:] != mb[:-1]) | ((dt > grid.step_us) & (dt >= merge_us))
    group = np.cumsum(new) - 1
    n_groups = int(group[-1]) + 1
    first = np.flatnonzero(new)
    last = np.concatenate([first[1:], [len(t)]]) - 1
    start_us, end_us = t[first], t[last]
    n_slots = last - first + 1

    spd_a = group_median(grid.speed_kn[a].astype(np.float64), group, n_groups)
    spd_b = group_median(grid.speed_kn[b].astype(np.float64), group, n_groups)
    med_dist = group_median(dist, group, n_groups)
    mid_lat = (grid.lat[a] + grid.lat[b]) / 2.0
    mid_lon = wrap_lon(grid.lon[a] + wrap_lon(grid.lon[b] - grid.lon[a]) / 2.0)
    lat = group_median(mid_lat, group, n_groups)
    lon = group_median_lon(mid_lon, group, n_groups, first)
    both_seen = grid.observed[a] & grid.observed[b]
    share = np.bincount(group, weights=both_seen, minlength=n_groups) / n_slots
    rep = np.concatenate([grid.speed_reported[a], grid.speed_reported[b]])
    rep_group = np.concatenate([group, group])
    n_rep = np.bincount(rep_group, weights=rep, minlength=n_groups)

    long_enough = (end_us - start_us) >= p.min_duration_h * HOUR_US
    slow = (spd_a < p.max_median_sog_kn) & (spd_b < p.max_median_sog_kn)
    _, port_d = ports.nearest(lat, lon, max_dist_m=p.min_port_distance_m)
    off_port = ~(port_d < p.min_port_distance_m)
    keep = np.flatnonzero(long_enough & slow & off_port)
    if len(keep) == 0:
        return EVENTS.empty_table()

    k = keep
    source = _speed_source(n_rep[k] == 2 * n_slots[k], n_rep[k] > 0)
    conf = _confidence(share[k])
    rows_a = [{"close_slots": int(n_slots[g]), "median_distance_m": float(med_dist[g]),
               "median_sog_kn": float(spd_a[g]), "other_median_sog_kn": float(spd_b[g]),
               "observed_share": float(share[g]), "speed_source": s}
              for g, s in zip(k.tolist(), source)]
    rows_b = [dict(r, median_sog_kn=r["other_median_sog_kn"],
                   other_median_sog_kn=r["median_sog_kn"]) for r in rows_a]
    mmsi = np.concatenate([ma[first[k]], mb[first[k]]])
    other = np.concatenate([mb[first[k]], ma[first[k]]])
    start = np.concatenate([start_us[k], start_us[k]])
    end = np.concatenate([end_us[k], end_us[k]])
    table = events_table({
        "event_id": event_ids(EventType.ENCOUNTER, mmsi, start, other),
        "event_type": [str(EventType.ENCOUNTER)] * len(mmsi),
        "mmsi": mmsi,
        "other_mmsi": other,
        "start_ts": start,
        "end_ts": end,
        "duration_s": (end - start) / 1e6,
        "lat": np.concatenate([lat[k], lat[k]]),
        "lon": np.concatenate([lon[k], lon[k]]),
        "confidence": np.concatenate([conf, conf]),
        "params": [params_json(config.params_for("encounters"))] * len(mmsi),
        "details": details_json(rows_a + rows_b),
    })
    return sort_events(table)
