"""Tracks resampled to a fixed time grid (``docs/events.md``, "`encounter`", step 1).

Grid times are the multiples of ``grid_min`` since the Unix epoch, so the grid runs through
midnight unbroken and two runs over overlapping data put their points on the same times.

For a track (the non-outlier positions of one (mmsi, seg), in time order) and a grid time
*t*, let *k* be the last position with ``ts <= t`` (of positions sharing a time, the last in
the (ts, lat, lon) order). The track has a point at *t* when ``ts[k] == t`` (the position
itself), or when position *k + 1* exists and ``ts[k+1] - ts[k] <= max_interpolation_gap``:
then latitude, longitude (across the antimeridian the short way) and speed are interpolated
linearly in time between *k* and *k + 1*. One MMSI with several tracks at *t* keeps the
point of its lowest ``seg``.

Vectorised: every position emits the grid times of ``[ts[k], ts[k+1])`` (or only its own
time when it is on the grid and the next step is too long), with ``np.repeat``; no
per-row Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from vesselwatch.detect.tracks import Tracks

__all__ = ["Grid", "concat_grids", "resample_tracks"]

HOUR_US = 3_600_000_000
MIN_US = 60_000_000


@dataclass(frozen=True)
class Grid:
    """Grid points, columnar, sorted by (mmsi, t_us); one point per (mmsi, t_us).

    ``observed``: a real position of the point's track lies within ``grid_min`` of
    ``t_us`` (inclusive). ``speed_reported``: every position the point was taken from
    had a reported SOG (else its speed is, at least partly, implied).
    """

    mmsi: npt.NDArray[np.uint32]
    t_us: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    speed_kn: npt.NDArray[np.float32]
    observed: npt.NDArray[np.bool_]
    speed_reported: npt.NDArray[np.bool_]
    seg: npt.NDArray[np.int32]
    step_us: int

    def __len__(self) -> int:
        return len(self.t_us)

    def take(self, index: npt.NDArray[np.intp] | npt.NDArray[np.bool_]) -> Grid:
        return Grid(
            mmsi=self.mmsi[index], t_us=self.t_us[index], lat=self.lat[index],
            lon=self.lon[index], speed_kn=self.speed_kn[index], observed=self.observed[index],
            speed_reported=self.speed_reported[index], seg=self.seg[index],
            step_us=self.step_us,
        )


def concat_grids(grids: list[Grid], step_us: int) -> Grid:
    """One grid from the grids of vessel partitions (disjoint MMSIs), sorted by (mmsi, t_us)."""
    def cat(name: str, dtype: Any) -> Any:
        return np.concatenate([getattr(g, name) for g in grids]) if grids else \
            np.zeros(0, dtype=dtype)
    grid = Grid(mmsi=cat("mmsi", np.uint32), t_us=cat("t_us", np.int64),
                lat=cat("lat", np.float64), lon=cat("lon", np.float64),
                speed_kn=cat("speed_kn", np.float32), observed=cat("observed", np.bool_),
                speed_reported=cat("speed_reported", np.bool_), seg=cat("seg", np.int32),
                step_us=step_us)
    key = grid.mmsi
    if len(key) > 1 and not bool(np.all(key[1:] >= key[:-1])):
        grid = grid.take(np.argsort(key, kind="stable"))
    return grid


def wrap_lon(lon: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Longitudes into [-180, 180)."""
    out: npt.NDArray[np.float64] = np.mod(lon + 180.0, 360.0) - 180.0
    return out


def _column(values: npt.NDArray[Any], rows: npt.NDArray[np.intp] | None) -> npt.NDArray[Any]:
    return values if rows is None else values[rows]


def resample_tracks(tracks: Tracks, grid_min: float, max_interpolation_gap_h: float, *,
                    block_rows: int = 4_000_000) -> Grid:
    """The grid points of every track of ``tracks`` (see the module docstring).

    Positions are taken in blocks of about ``block_rows`` whole MMSIs, so the temporaries
    stay bounded however large the input.
    """
    step = round(grid_min * MIN_US)
    if step <= 0:
        raise ValueError(f"grid_min = {grid_min!r}: the grid step must be positive")
    max_gap = round(max_interpolation_gap_h * HOUR_US)
    order = tracks.detection_rows()
    n = len(tracks) if order is None else len(order)
    mmsi = _column(tracks.mmsi, order)
    cuts = [0]
    while cuts[-1] < n:
        at = min(cuts[-1] + max(block_rows, 1), n)
        if at < n:  # move the cut to the next MMSI boundary
            at = int(np.searchsorted(mmsi, mmsi[at - 1], side="right"))
        cuts.append(at)
    parts = []
    for lo, hi in pairwise(cuts):
        rows = np.arange(lo, hi) if order is None else order[lo:hi]
        parts.append(_resample_block(tracks, rows, step, max_gap))
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return _resample_block(tracks, np.zeros(0, dtype=np.intp), step, max_gap)
    return Grid(**{name: np.concatenate([getattr(g, name) for g in parts])
                   for name in ("mmsi", "t_us", "lat", "lon", "speed_kn", "observed",
                                "speed_reported", "seg")}, step_us=step)


def _resample_block(tracks: Tracks, rows: npt.NDArray[np.intp], step: int, max_gap: int
                    ) -> Grid:
    """The grid points of the tracks at ``rows`` (whole MMSIs, in track order)."""
    mmsi = tracks.mmsi[rows]
    seg = tracks.seg[rows]
    ts = tracks.ts[rows]
    n = len(ts)
    has_next = np.zeros(n, dtype=bool)
    if n > 1:
        has_next[:-1] = (mmsi[1:] == mmsi[:-1]) & (seg[1:] == seg[:-1])
    ts_next = np.empty_like(ts)
    ts_next[:-1] = ts[1:]
    ts_next[-1:] = ts[-1:]
    below = np.floor_divide(ts, step)
    on_grid = below * step == ts
    first_t = below + ~on_grid  # first grid index at or after ts
    first_next = np.empty_like(first_t)
    first_next[:-1] = first_t[1:]
    first_next[-1:] = first_t[-1:]
    interp = has_next & (ts_next - ts <= max_gap)
    count = np.where(interp, first_next - first_t, on_grid)
    k = np.repeat(np.arange(n), count)  # the position at or before each grid point
    starts = np.cumsum(count) - count
    t = (first_t[k] + (np.arange(len(k)) - starts[k])) * step
    k1 = np.minimum(k + 1, max(n - 1, 0))
    t0 = ts[k]
    t1 = ts_next[k]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(t > t0, (t - t0) / (t1 - t0).astype(np.float64), 0.0)
    r0 = rows[k]
    r1 = rows[k1]
    lat0, lon0 = tracks.lat[r0], tracks.lon[r0]
    lat = lat0 + frac * (tracks.lat[r1] - lat0)
    lon = wrap_lon(lon0 + frac * wrap_lon(tracks.lon[r1] - lon0))
    spd0 = tracks.speed_kn[r0].astype(np.float64)
    with np.errstate(invalid="ignore"):  # inf (a move in no time) stays inf or NaN
        speed = np.where(frac > 0, spd0 + frac * (tracks.speed_kn[r1] - spd0), spd0)
    reported = tracks.sog_reported[r0] & ((frac == 0) | tracks.sog_reported[r1])
    observed = (t - t0 <= step) | (has_next[k] & (t1 - t <= step))
    grid = Grid(mmsi=mmsi[k], t_us=t.astype(np.int64), lat=lat, lon=lon,
                speed_kn=speed.astype(np.float32), observed=observed,
                speed_reported=reported, seg=seg[k], step_us=step)
    return _lowest_seg(grid)


def _lowest_seg(grid: Grid) -> Grid:
    """One point per (mmsi, t): the lowest seg's. Only MMSIs with several tracks are sorted."""
    n = len(grid)
    if n == 0:
        return grid
    multi_mmsi = np.unique(grid.mmsi[grid.seg > 0])
    if len(multi_mmsi) == 0:
        return grid  # already in (mmsi, t) order: one track per MMSI, times increasing
    multi = np.isin(grid.mmsi, multi_mmsi)
    rows = np.flatnonzero(multi)
    order = rows[np.lexsort((grid.seg[rows], grid.t_us[rows], grid.mmsi[rows]))]
    m, t = grid.mmsi[order], grid.t_us[order]
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = (m[1:] != m[:-1]) | (t[1:] != t[:-1])
    merged = np.concatenate([np.flatnonzero(~multi), order[keep]])
    # each MMSI lies wholly in one part, both parts in (mmsi, t) order: a stable sort on
    # mmsi merges the two runs
    final = merged[np.argsort(grid.mmsi[merged], kind="stable")]
    return grid.take(final)
