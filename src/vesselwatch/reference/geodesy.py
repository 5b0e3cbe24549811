"""Great-circle distances on a sphere, and a bucket index of circles, vectorised with numpy.

The sphere has the mean earth radius (IUGG R1 = 6,371,008.8 m). Haversine distances are
within about 0.5 % of the ellipsoidal (WGS 84) distance, which is far below the size of a
port circle or the error of a WPI port position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "EARTH_RADIUS_M",
    "CapGrid",
    "angular_radius_rad",
    "cap_lon_halfwidth_deg",
    "haversine_m",
]

EARTH_RADIUS_M: Final[float] = 6_371_008.8
"""Mean earth radius R1 (IUGG), metres."""


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in metres between points given in degrees; numpy broadcasting.

    Longitudes may be given in any range (-180..180, 0..360); the result is the same.
    NaN in, NaN out.
    """
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dlon = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin((p2 - p1) * 0.5) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon * 0.5) ** 2
    d: npt.NDArray[np.float64] = (2.0 * EARTH_RADIUS_M) * np.arcsin(
        np.sqrt(np.clip(a, 0.0, 1.0))
    )
    return d


def angular_radius_rad(dist_m: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """A distance along the surface, in metres, as an angle at the earth's centre (radians)."""
    out: npt.NDArray[np.float64] = np.asarray(dist_m, dtype=np.float64) / EARTH_RADIUS_M
    return out


def cap_lon_halfwidth_deg(lat_deg: npt.ArrayLike, radius_m: npt.ArrayLike
                          ) -> npt.NDArray[np.float64]:
    """Half-width in longitude (degrees) of the spherical cap of ``radius_m`` about a point.

    Exact for a sphere: asin(sin r / cos lat). ``inf`` where the cap holds a pole (then it
    spans every longitude).
    """
    r = angular_radius_rad(radius_m)
    phi = np.radians(np.abs(np.asarray(lat_deg, dtype=np.float64)))
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sin(np.minimum(r, np.pi / 2)) / np.cos(phi)
        half = np.degrees(np.arcsin(np.clip(s, 0.0, 1.0)))
    out: npt.NDArray[np.float64] = np.where(r + phi >= np.pi / 2, np.inf, half)
    return out


@dataclass(frozen=True)
class CapGrid:
    """A bucket index of spherical caps (circles on the sphere) on a regular lat/lon grid.

    Every cap is registered in each cell its lat/lon bounding box touches (with a small
    safety margin), so ``candidates`` returns, for each position, every cap that may hold
    it; the caller measures the true distances. Cells are ``cell_deg`` square with 360 /
    ``cell_deg`` a whole number, so longitudes wrap at the antimeridian; a cap around a pole
    fills its rows. A position in a cell with no cap costs one array lookup.
    """

    cell_deg: float
    n_rows: int
    n_cols: int
    starts: npt.NDArray[np.int64]  # per cell: first entry in ``caps`` (length n_cells + 1)
    caps: npt.NDArray[np.int64]  # cap rows, grouped by cell, ascending within a cell
    _counts: npt.NDArray[np.int32] = field(init=False, repr=False, compare=False)

    @classmethod
    def build(cls, lat: npt.ArrayLike, lon: npt.ArrayLike, radius_m: npt.ArrayLike,
              min_cell_deg: float = 0.25) -> CapGrid:
        lat_a = np.asarray(lat, dtype=np.float64)
        lon_a = np.asarray(lon, dtype=np.float64)
        rad = np.minimum(np.asarray(radius_m, dtype=np.float64), np.pi * EARTH_RADIUS_M)
        reach_deg = float(np.degrees(angular_radius_rad(rad.max()))) if rad.size else 0.0
        n_cols = max(1, int(360.0 // max(min_cell_deg, reach_deg)))
        cell = 360.0 / n_cols
        n_rows = math.ceil(180.0 / cell)
        margin = 1e-6  # degrees, against rounding at cell edges
        dlat = np.degrees(angular_radius_rad(rad)) * (1 + 1e-9) + margin
        dlon = cap_lon_halfwidth_deg(lat_a, rad) * (1 + 1e-9) + margin
        row_lo = np.clip(np.floor((lat_a - dlat + 90.0) / cell), 0, n_rows - 1).astype(np.int64)
        row_hi = np.clip(np.floor((lat_a + dlat + 90.0) / cell), 0, n_rows - 1).astype(np.int64)
        full = ~np.isfinite(dlon) | (dlon >= 180.0)
        lon0 = np.where(full, -180.0, lon_a - np.where(full, 0.0, dlon))
        col_lo = np.floor((lon0 + 180.0) / cell).astype(np.int64)
        col_hi = np.floor((lon_a + np.where(full, 0.0, dlon) + 180.0) / cell).astype(np.int64)
        n_c = np.where(full, n_cols, np.minimum(col_hi - col_lo + 1, n_cols))
        n_r = row_hi - row_lo + 1
        per_cap = n_r * n_c
        total = int(per_cap.sum())
        cap = np.repeat(np.arange(lat_a.size, dtype=np.int64), per_cap)
        k = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(per_cap) - per_cap, per_cap)
        rows = row_lo[cap] + k // n_c[cap]
        cols = (col_lo[cap] + k % n_c[cap]) % n_cols
        cells = rows * n_cols + cols
        order = np.argsort(cells, kind="stable")  # stable: cap rows stay ascending
        counts = np.bincount(cells, minlength=n_rows * n_cols)
        starts = np.zeros(n_rows * n_cols + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        return cls(cell, n_rows, n_cols, starts, cap[order])

    @property
    def counts(self) -> npt.NDArray[np.int32]:
        """Number of caps registered in each cell."""
        return self._counts

    def __post_init__(self) -> None:
        object.__setattr__(self, "_counts", np.diff(self.starts).astype(np.int32))

    def cell_of(self, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]
                ) -> npt.NDArray[np.int64]:
        """Cell number of each position; -1 for a non-finite one."""
        inv = 1.0 / self.cell_deg
        with np.errstate(invalid="ignore"):
            row = ((lat + 90.0) * inv).astype(np.int64)
            if lon.size and (lon.min() < -180.0 or lon.max() >= 180.0):
                lon = np.remainder(lon + 180.0, 360.0) - 180.0
            col = ((lon + 180.0) * inv).astype(np.int64)
        np.clip(row, 0, self.n_rows - 1, out=row)
        np.clip(col, 0, self.n_cols - 1, out=col)
        cell = row * self.n_cols + col
        ok = np.isfinite(lat + lon)
        if not ok.all():
            cell[~ok] = -1
        return cell

    def candidates(self, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]
                   ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(position, cap) pairs to test: ordered by position, then cap row."""
        cell = self.cell_of(lat, lon)
        count = self._counts[cell]  # -1 (non-finite) reads the last cell: masked below
        count[cell < 0] = 0
        pos = np.flatnonzero(count)
        count = count[pos].astype(np.int64)
        first = self.starts[cell[pos]]
        pairs_pos = np.repeat(pos, count)
        offset = np.arange(pairs_pos.size, dtype=np.int64) - np.repeat(
            np.cumsum(count) - count, count)
        return pairs_pos, self.caps[np.repeat(first, count) + offset]
