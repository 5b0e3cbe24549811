"""Track preparation: positions → tracks with segments, speeds, flags, shore and port context.

The definition is in ``docs/events.md`` ("Track preparation"). Everything downstream (gaps,
port visits, encounters, loitering, spoofing) reads a :class:`Tracks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass, fields, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.detect._segment import chain_segments, segment_positions
from vesselwatch.detect.config import KN_MS, DetectConfig
from vesselwatch.reference.geodesy import haversine_m
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

    def by_track(self) -> Tracks:
        """Rows ordered by (mmsi, seg, ts): each track contiguous, for per-track scans."""
        order = np.lexsort((self.ts, self.seg, self.mmsi))
        return self.take(order)

    def to_table(self) -> pa.Table:
        cols = {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("ports", "until_us")}
        table = pa.table(cols)
        return table.set_column(1, "ts", pa.array(self.ts, pa.timestamp("us", tz="UTC")))


def entry_circles(ports: PortIndex) -> PortIndex:
    """``ports`` with each exit radius set to its entry radius, for "within the entry radius"."""
    return replace(ports, exit_radius_m=ports.entry_radius_m, _grids={})


def _ts_us(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    return np.asarray(arr.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _floats(table: pa.Table, name: str, dtype: type[np.floating]) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan, dtype=dtype)
    col = table.column(name)
    return np.asarray(col.to_numpy(), dtype=dtype) if col.null_count == 0 else \
        np.asarray(pc.fill_null(col.cast(pa.float64()), np.nan).to_numpy(), dtype=dtype)


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
    positions = positions.filter(pc.and_(pc.is_valid(positions["lat"]),
                                         pc.is_valid(positions["lon"])))
    mmsi = np.asarray(positions["mmsi"].to_numpy(), dtype=np.uint32)
    ts = _ts_us(positions["ts"])
    lat = _floats(positions, "lat", np.float64)
    lon = _floats(positions, "lon", np.float64)
    sog = _floats(positions, "sog_kn", np.float32)
    order = np.lexsort((sog, lon, lat, ts, mmsi))  # NaN SOG sorts last
    mmsi, ts, lat, lon, sog = mmsi[order], ts[order], lat[order], lon[order], sog[order]
    # one position per (mmsi, ts, lat, lon), keeping the lowest SOG
    n = len(ts)
    keep = np.ones(n, dtype=bool)
    if n > 1:
        keep[1:] = ((mmsi[1:] != mmsi[:-1]) | (ts[1:] != ts[:-1]) | (lat[1:] != lat[:-1])
                    | (lon[1:] != lon[:-1]))
    mmsi, ts, lat, lon, sog = mmsi[keep], ts[keep], lat[keep], lon[keep], sog[keep]
    n = len(ts)

    raw_seg = segment_positions(mmsi, ts, lat, lon, p.max_implied_sog_kn * KN_MS,
                                p.jump_noise_m, p.max_open_segments)
    seg, short_overlap = chain_segments(mmsi, ts, raw_seg, p.min_segment_positions)

    # steps within (mmsi, seg): order by track, compute, scatter back
    by_track = np.lexsort((ts, seg, mmsi))
    m2, s2, t2 = mmsi[by_track], seg[by_track], ts[by_track]
    la2, lo2 = lat[by_track], lon[by_track]
    first = np.ones(n, dtype=bool)
    if n > 1:
        first[1:] = (m2[1:] != m2[:-1]) | (s2[1:] != s2[:-1])
    dt = np.full(n, np.nan)
    step = np.full(n, np.nan)
    if n > 1:
        dt[1:] = (t2[1:] - t2[:-1]) / 1e6
        step[1:] = haversine_m(la2[:-1], lo2[:-1], la2[1:], lo2[1:])
    dt[first] = np.nan
    step[first] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = np.where(dt > 0, step / dt / KN_MS, np.where(step > 0, np.inf, 0.0))
    implied[first] = np.nan
    # the first position of a track takes the implied speed to the next one
    nxt = np.flatnonzero(first[:-1] & ~first[1:]) if n > 1 else np.zeros(0, dtype=np.int64)
    implied_fill = implied.copy()
    implied_fill[nxt] = implied[nxt + 1]
    jump2 = (step > p.jump_noise_m) & (implied > p.max_implied_sog_kn)

    def back(values: np.ndarray) -> np.ndarray:
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
