"""Track preparation: positions → tracks with segments, speeds, flags, shore and port context.

The definition is in ``docs/events.md`` ("Track preparation"). Everything downstream (gaps,
port visits, encounters, loitering, spoofing) reads a :class:`Tracks`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.detect._segment import chain_segments, segment_positions, step_distances
from vesselwatch.detect.config import KN_MS, DetectConfig
from vesselwatch.reference.ports import PortIndex

if TYPE_CHECKING:
    from vesselwatch.reference.land import LandMask


@dataclass
class Tracks:
    """Prepared positions, sorted by (mmsi, ts, lat, lon): numpy columns of equal length.

    ``ts`` is int64 microseconds since the epoch (UTC). Speeds are NaN where unknown.
    Step columns (``dt_s``, ``step_m``, ``implied_sog_kn``) are from the previous position
    of the same (mmsi, seg) and NaN on a track's first position.
    """

    mmsi: np.ndarray  # uint32
    ts: np.ndarray  # int64 µs
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    sog_kn: np.ndarray  # float32, NaN where not reported
    seg: np.ndarray  # int32, track number within the MMSI
    dt_s: np.ndarray  # float64
    step_m: np.ndarray  # float64
    implied_sog_kn: np.ndarray  # float32
    speed_kn: np.ndarray  # float32: reported, else implied
    sog_reported: np.ndarray  # bool
    jump: np.ndarray  # bool
    outlier: np.ndarray  # bool
    on_land: np.ndarray  # bool
    dist_shore_m: np.ndarray  # float32
    port_idx: np.ndarray  # int32: nearest port within its exit radius, -1 none
    port_dist_m: np.ndarray  # float64: distance to that port (inf where none)
    entry_port_idx: np.ndarray  # int32: nearest port within its entry radius, -1 none
    ports: PortIndex
    until_us: int  # the end of the data, for open events

    def __len__(self) -> int:
        return len(self.ts)

    def take(self, index: np.ndarray) -> Tracks:
        """The rows at ``index`` (a bool mask or integer indices), same ports and ``until``."""
        cols = {f.name: getattr(self, f.name)[index] for f in fields(self)
                if f.name not in ("ports", "until_us")}
        return Tracks(**cols, ports=self.ports, until_us=self.until_us)

    def track_starts(self) -> np.ndarray:
        """Bool: the row begins a new (mmsi, seg) run in the current row order."""
        n = len(self)
        start = np.ones(n, dtype=bool)
        if n > 1:
            start[1:] = (self.mmsi[1:] != self.mmsi[:-1]) | (self.seg[1:] != self.seg[:-1])
        return start

    def detection_rows(self) -> np.ndarray | None:
        """Indices of the non-outlier rows in (mmsi, seg, ts) order, each track contiguous:
        what the per-track detectors scan. None: every row, in the order it already has."""
        rows = np.flatnonzero(~self.outlier) if self.outlier.any() else None
        if rows is None:
            return track_order(self.mmsi, self.seg, self.ts)
        order = track_order(self.mmsi[rows], self.seg[rows], self.ts[rows])
        return rows if order is None else rows[order]

    def by_track(self) -> Tracks:
        """Rows ordered by (mmsi, seg, ts): each track contiguous, for per-track scans.

        Free when every MMSI has one track (the rows are already in that order).
        """
        order = track_order(self.mmsi, self.seg, self.ts)
        return self if order is None else self.take(order)

    def to_table(self) -> pa.Table:
        cols = {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("ports", "until_us")}
        table = pa.table(cols)
        return table.set_column(1, "ts", pa.array(self.ts, pa.timestamp("us", tz="UTC")))


@lru_cache(maxsize=8)
def entry_circles(ports: PortIndex) -> PortIndex:
    """``ports`` with each exit radius set to its entry radius, for "within the entry radius"
    (kept per index, so its search grid is built once for all partitions)."""
    return replace(ports, exit_radius_m=ports.entry_radius_m, _grids={})


def _sorted_by(major: np.ndarray, minor: np.ndarray) -> bool:
    """True when rows are in (major, minor) order."""
    if len(major) < 2:
        return True
    up = major[1:] > major[:-1]
    same = major[1:] == major[:-1]
    return bool(np.all(up | (same & (minor[1:] >= minor[:-1]))))


def _track_key(mmsi: np.ndarray, seg: np.ndarray) -> np.ndarray:
    return (mmsi.astype(np.uint64) << np.uint64(32)) | seg.astype(np.uint64)


def track_order(mmsi: np.ndarray, seg: np.ndarray, ts: np.ndarray) -> np.ndarray | None:
    """Indices that order rows by (mmsi, seg, ts), or None when they already are."""
    key = _track_key(mmsi, seg)
    if _sorted_by(key, ts):
        return None
    if _sorted_by(mmsi, ts):  # a stable sort by (mmsi, seg) keeps ts in order
        return np.argsort(key, kind="stable")
    return np.lexsort((ts, seg, mmsi))


def position_order(mmsi: np.ndarray, ts: np.ndarray, lat: np.ndarray, lon: np.ndarray,
                   sog: np.ndarray) -> np.ndarray:
    """Indices ordering rows by (mmsi, ts, lat, lon, sog with NaN last).

    Store partitions arrive nearly sorted by (mmsi, ts): that case costs one check, and
    only rows sharing (mmsi, ts) with another are sorted further.
    """
    n = len(ts)
    if _sorted_by(mmsi, ts):
        order = np.arange(n)
    else:
        table = pa.table({"mmsi": mmsi, "ts": ts})
        order = np.array(pc.sort_indices(table, [("mmsi", "ascending"), ("ts", "ascending")]))
    if n < 2:
        return order
    m, t = mmsi[order], ts[order]
    tie = (m[1:] == m[:-1]) & (t[1:] == t[:-1])
    if not tie.any():
        return order
    rows = np.flatnonzero(np.r_[tie, False] | np.r_[False, tie])
    group = np.cumsum(np.r_[True, ~tie])[rows]  # same (mmsi, ts) run, same group number
    o = order[rows]
    order[rows] = o[np.lexsort((sog[o], lon[o], lat[o], group))]
    return order


def _ts_us(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    return np.asarray(arr.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _floats(table: pa.Table, name: str, dtype: type[np.floating]) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan, dtype=dtype)
    # a float column's nulls come out as NaN
    return np.asarray(table.column(name).to_numpy(), dtype=dtype)


def prepare_tracks(
    positions: pa.Table,
    config: DetectConfig,
    ports: PortIndex,
    land: LandMask,
    *,
    until_us: int | None = None,
) -> Tracks:
    """Tracks from canonical positions (any row order), per ``docs/events.md``."""
    p = config.tracks
    if until_us is None:  # rows without a place still show that the data goes on
        until_us = int(pc.max(positions["ts"].cast(pa.int64())).as_py() or 0)
    wanted = [c for c in ("mmsi", "ts", "lat", "lon", "sog_kn") if c in positions.column_names]
    positions = positions.select(wanted)
    if positions["lat"].null_count or positions["lon"].null_count:
        positions = positions.filter(pc.and_(pc.is_valid(positions["lat"]),
                                             pc.is_valid(positions["lon"])))
    mmsi = np.asarray(positions["mmsi"].to_numpy(), dtype=np.uint32)
    ts = _ts_us(positions["ts"])
    lat = _floats(positions, "lat", np.float64)
    lon = _floats(positions, "lon", np.float64)
    sog = _floats(positions, "sog_kn", np.float32)
    placed = np.isfinite(lat) & np.isfinite(lon)  # NaN is no place either
    if not placed.all():
        mmsi, ts, lat, lon, sog = mmsi[placed], ts[placed], lat[placed], lon[placed], sog[placed]
    order = position_order(mmsi, ts, lat, lon, sog)
    if not np.array_equal(order, np.arange(len(order))):
        mmsi, ts, lat, lon, sog = mmsi[order], ts[order], lat[order], lon[order], sog[order]
    # one position per (mmsi, ts, lat, lon), keeping the lowest SOG
    n = len(ts)
    keep = np.ones(n, dtype=bool)
    if n > 1:
        keep[1:] = ((mmsi[1:] != mmsi[:-1]) | (ts[1:] != ts[:-1]) | (lat[1:] != lat[:-1])
                    | (lon[1:] != lon[:-1]))
    if not keep.all():
        mmsi, ts, lat, lon, sog = mmsi[keep], ts[keep], lat[keep], lon[keep], sog[keep]
    n = len(ts)

    raw_seg = segment_positions(mmsi, ts, lat, lon, p.max_implied_sog_kn * KN_MS,
                                p.jump_noise_m, p.max_open_segments)
    seg, short_overlap = chain_segments(mmsi, ts, raw_seg, p.min_segment_positions)

    # steps within (mmsi, seg): order by track, compute, scatter back
    by_track = track_order(mmsi, seg, ts)
    if by_track is None:  # one track per MMSI: already in track order
        m2, s2, t2, la2, lo2 = mmsi, seg, ts, lat, lon
    else:
        m2, s2, t2 = mmsi[by_track], seg[by_track], ts[by_track]
        la2, lo2 = lat[by_track], lon[by_track]
    first = np.ones(n, dtype=bool)
    if n > 1:
        first[1:] = (m2[1:] != m2[:-1]) | (s2[1:] != s2[:-1])
    dt = np.empty(n)
    if n:
        dt[0] = np.nan
        np.subtract(t2[1:], t2[:-1], out=dt[1:])
        dt[1:] /= 1e6
    dt[first] = np.nan
    step = step_distances(la2, lo2, first.view(np.uint8))
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = np.where(dt > 0, step / dt / KN_MS, np.where(step > 0, np.inf, 0.0))
    implied[first] = np.nan
    # the first position of a track takes the implied speed to the next one
    nxt = np.flatnonzero(first[:-1] & ~first[1:]) if n > 1 else np.zeros(0, dtype=np.int64)
    implied_fill = implied.copy()
    implied_fill[nxt] = implied[nxt + 1]
    jump2 = (step > p.jump_noise_m) & (implied > p.max_implied_sog_kn)

    def back(values: np.ndarray) -> np.ndarray:
        if by_track is None:
            return values
        out = np.empty_like(values)
        out[by_track] = values
        return out

    dt_s, step_m = back(dt), back(step)
    implied_sog = back(implied).astype(np.float32)
    fill = back(implied_fill).astype(np.float32)
    reported = ~np.isnan(sog)
    speed = np.where(reported, sog, fill).astype(np.float32)

    port_idx, port_dist = ports.nearest(lat, lon)
    entry_idx, _ = entry_circles(ports).nearest(lat, lon)
    dist_shore = land.distance_to_shore_m(lat, lon).astype(np.float32)
    on_land = land.is_land(lat, lon) & (dist_shore > p.land_margin_m) & (port_idx < 0)
    return Tracks(
        mmsi=mmsi, ts=ts, lat=lat, lon=lon, sog_kn=sog, seg=seg, dt_s=dt_s, step_m=step_m,
        implied_sog_kn=implied_sog, speed_kn=speed, sog_reported=reported, jump=back(jump2),
        outlier=short_overlap, on_land=on_land, dist_shore_m=dist_shore,
        port_idx=port_idx.astype(np.int32), port_dist_m=port_dist,
        entry_port_idx=entry_idx.astype(np.int32), ports=ports, until_us=until_us,
    )
