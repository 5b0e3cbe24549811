"""Land/sea test and distance from shore, by raster lookup (numpy fancy indexing, no polygons).

Two rasters, built from Natural Earth 1:10m land (v4.1.0, via the npm package
``world-atlas`` 2.0.2) by ``tools/build_land_raster.py`` and packaged as
``vesselwatch/reference/data/land.npz`` (see the README there for the provenance):

- **land bitmap**, ``resolution_deg`` = 1/60 deg (1 arc-minute, 1.85 km north-south): a
  cell is land when its centre is inside the land polygons. ``is_land`` answers for the
  cell a position falls in. Positions within about one cell (plus the source's own
  accuracy, roughly a kilometre at 1:10m) of the coastline can be answered either way.
- **distance raster**, ``dist_resolution_deg`` = 0.05 deg (5.6 km at the equator): the
  great-circle distance (sphere of radius 6,371,008.8 m) from each grid node to the
  nearest point of the coastline, in 100 m units. ``distance_to_shore_m`` interpolates it
  bilinearly: the error is bounded by half a node diagonal (3.9 km) and far less in
  practice (against shapely on NE 1:10m: median 0.1 km, 99th percentile 1.7 km, worst
  2.0 km of 1,099 points), largest right at the coast where the true distance has a kink.

Sign convention: ``distance_to_shore_m`` is **>= 0 everywhere**, on land as at sea: the
distance to the nearest coastline (lake and inland-sea shores in the land polygons, such as
the Caspian, count as coast). Use ``is_land`` for the side. The two rasters are independent,
so a position can be ``is_land`` with a distance of a few kilometres, or at sea with one.

Inputs are float64 arrays of the same (or broadcastable) shape, in degrees (WGS 84 treated
as a sphere). Longitudes wrap (any finite value; -180 and 180 are the same meridian).
Latitudes must be within [-90, 90]. A position with a NaN or infinite coordinate or a
latitude outside [-90, 90] (AIS sends 91 for "not available") is not land (``False``) and
has a NaN distance. Work runs in fixed-size chunks, so memory beyond the inputs and outputs
stays small; the loaded rasters take about 80 MB.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import IO, Final

import numpy as np
import numpy.typing as npt

from vesselwatch.errors import InputError

__all__ = ["FORMAT_VERSION", "LandMask", "default_land_mask"]

FORMAT_VERSION: Final[int] = 1
"""Layout version of ``land.npz`` this module reads (written by tools/build_land_raster.py)."""

_DATA_FILE: Final[str] = "land.npz"
_CHUNK: Final[int] = 1 << 18  # positions per step: keeps temporaries in cache-sized blocks
_REBUILD: Final[str] = "rebuild it with `python tools/build_land_raster.py` or reinstall vesselwatch"

FloatArray = npt.NDArray[np.float64]


class LandMask:
    """Land bitmap plus distance-from-shore raster; see the module docstring for the rules.

    ``resolution_deg`` is the land bitmap's cell size, ``dist_resolution_deg`` the distance
    grid's node spacing, ``source`` names the data the rasters were built from.
    """

    resolution_deg: float
    dist_resolution_deg: float
    source: str

    def __init__(self, land_bits: npt.NDArray[np.uint8], land_shape: tuple[int, int],
                 resolution_deg: float, dist_units: npt.NDArray[np.uint16],
                 dist_resolution_deg: float, dist_unit_m: float, source: str) -> None:
        """Wrap rasters laid out as ``tools/build_land_raster.py`` writes them.

        ``land_bits``: (rows, ceil(cols / 8)) uint8, ``np.packbits`` of the bitmap along
        rows (big bit order), rows from -90 northwards, columns from -180 eastwards.
        ``dist_units``: (180 / res + 1, 360 / res) uint16 distances in ``dist_unit_m``, node
        (i, j) at lat -90 + i*res, lon -180 + j*res.
        """
        rows, cols = land_shape
        if (rows * resolution_deg, cols * resolution_deg) != (180.0, 360.0) and not (
                np.isclose(rows * resolution_deg, 180) and np.isclose(cols * resolution_deg, 360)):
            raise ValueError(f"land bitmap {rows}x{cols} does not cover the globe at "
                             f"{resolution_deg} deg")
        if land_bits.shape != (rows, (cols + 7) // 8):
            raise ValueError(f"land bits shape {land_bits.shape} does not match {rows}x{cols}")
        drows, dcols = dist_units.shape
        if not (np.isclose((drows - 1) * dist_resolution_deg, 180)
                and np.isclose(dcols * dist_resolution_deg, 360)):
            raise ValueError(f"distance grid {drows}x{dcols} does not cover the globe at "
                             f"{dist_resolution_deg} deg")
        self._bytes = np.ascontiguousarray(land_bits, dtype=np.uint8).ravel()
        self._rows, self._cols, self._row_bytes = rows, cols, land_bits.shape[1]
        self._inv = 1.0 / resolution_deg
        self._dist = np.ascontiguousarray(dist_units, dtype=np.uint16).ravel()
        self._drows, self._dcols = drows, dcols
        self._dinv = 1.0 / dist_resolution_deg
        self._unit = np.float32(dist_unit_m)
        self.resolution_deg = float(resolution_deg)
        self.dist_resolution_deg = float(dist_resolution_deg)
        self.source = source

    @classmethod
    def from_npz(cls, file: str | Path | IO[bytes], name: str | None = None) -> LandMask:
        """Load a ``land.npz`` written by ``tools/build_land_raster.py``."""
        where = name or str(file)
        try:
            with np.load(file, allow_pickle=False) as npz:
                version = int(npz["format_version"])
                if version != FORMAT_VERSION:
                    raise InputError(f"{where}: land raster format {version}, this vesselwatch "
                                     f"reads {FORMAT_VERSION}; {_REBUILD}")
                dist = _undo_second_differences(npz["dist_first"], npz["dist_first_step"],
                                                npz["dist_second_diff"])
                shape = npz["land_shape"]
                return cls(npz["land_bits"], (int(shape[0]), int(shape[1])),
                           float(npz["land_resolution_deg"]), dist.astype(np.uint16),
                           float(npz["dist_resolution_deg"]), float(npz["dist_unit_m"]),
                           str(npz["source"]))
        except (OSError, KeyError, ValueError) as exc:
            raise InputError(f"{where}: not a readable land raster ({exc}); {_REBUILD}") from exc

    def is_land(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """True where the position's land-bitmap cell is land; False at sea and for bad input."""
        la, lo, shape = _flat_pair(lat, lon)
        out = np.zeros(la.size, dtype=bool)
        for start in range(0, la.size, _CHUNK):
            part = slice(start, start + _CHUNK)
            ok, la_c, lo_c = _clean(la[part], lo[part])
            row = ((la_c + 90.0) * self._inv).astype(np.intp)
            np.minimum(row, self._rows - 1, out=row)
            col = (np.mod(lo_c + 180.0, 360.0) * self._inv).astype(np.intp)
            np.minimum(col, self._cols - 1, out=col)
            byte = self._bytes[row * self._row_bytes + (col >> 3)]
            bit = (byte >> (7 - (col & 7)).astype(np.uint8)) & 1
            out[part] = (bit != 0) & ok
        return out.reshape(shape)

    def distance_to_shore_m(self, lat: npt.ArrayLike, lon: npt.ArrayLike
                            ) -> npt.NDArray[np.float32]:
        """Distance to the nearest coastline in metres (>= 0, float32); NaN for bad input."""
        la, lo, shape = _flat_pair(lat, lon)
        out = np.empty(la.size, dtype=np.float32)
        dcols, dist = self._dcols, self._dist
        for start in range(0, la.size, _CHUNK):
            part = slice(start, start + _CHUNK)
            ok, la_c, lo_c = _clean(la[part], lo[part])
            fy = (la_c + 90.0) * self._dinv
            i0 = np.minimum(fy.astype(np.intp), self._drows - 2)
            ty = (fy - i0).astype(np.float32)
            fx = np.mod(lo_c + 180.0, 360.0) * self._dinv
            j0 = fx.astype(np.intp)
            tx = (fx - j0).astype(np.float32)
            j0 %= dcols  # fx can round to exactly dcols (lon just west of -180)
            j1 = j0 + 1
            j1[j1 == dcols] = 0
            base0 = i0 * dcols
            base1 = base0 + dcols
            west = dist[base0 + j0] * (1 - ty) + dist[base1 + j0] * ty
            east = dist[base0 + j1] * (1 - ty) + dist[base1 + j1] * ty
            value = (west + (east - west) * tx) * self._unit
            value[~ok] = np.nan
            out[part] = value
        return out.reshape(shape)

    def __repr__(self) -> str:
        return (f"LandMask(source={self.source!r}, resolution_deg={self.resolution_deg:.6g}, "
                f"dist_resolution_deg={self.dist_resolution_deg:.6g})")


def _undo_second_differences(first: npt.NDArray[np.integer], first_step: npt.NDArray[np.integer],
                             second: npt.NDArray[np.integer]) -> npt.NDArray[np.int32]:
    """Rebuild rows from their first value, first step and second differences (two cumsums)."""
    rows, cols = second.shape[0], second.shape[1] + 2
    steps = np.empty((rows, cols - 1), dtype=np.int32)
    steps[:, 0] = first_step
    steps[:, 1:] = second
    np.cumsum(steps, axis=1, out=steps)
    values = np.empty((rows, cols), dtype=np.int32)
    values[:, 0] = first
    values[:, 1:] = steps
    np.cumsum(values, axis=1, out=values)
    return values


def _flat_pair(lat: npt.ArrayLike, lon: npt.ArrayLike
               ) -> tuple[FloatArray, FloatArray, tuple[int, ...]]:
    """Both coordinates as flat float64 arrays of one shape, and that shape."""
    la = np.asarray(lat, dtype=np.float64)
    lo = np.asarray(lon, dtype=np.float64)
    if la.shape != lo.shape:
        try:
            la, lo = np.broadcast_arrays(la, lo)
        except ValueError as exc:
            raise ValueError(f"lat shape {la.shape} and lon shape {lo.shape} differ; pass "
                             "arrays of one shape (or broadcastable)") from exc
    return la.ravel(), lo.ravel(), la.shape


def _clean(la: FloatArray, lo: FloatArray) -> tuple[npt.NDArray[np.bool_], FloatArray, FloatArray]:
    """Valid mask, and the coordinates with invalid positions set to (0, 0) for safe indexing."""
    ok = np.abs(la) <= 90.0  # False for NaN
    ok &= np.isfinite(lo)
    if ok.all():
        return ok, la, lo
    return ok, np.where(ok, la, 0.0), np.where(ok, lo, 0.0)


@functools.cache
def default_land_mask() -> LandMask:
    """The packaged Natural Earth 1:10m raster, loaded once per process (about 0.5 s)."""
    ref = resources.files("vesselwatch.reference").joinpath("data", _DATA_FILE)
    name = f"vesselwatch/reference/data/{_DATA_FILE}"
    try:
        with ref.open("rb") as handle:
            return LandMask.from_npz(handle, name=name)
    except FileNotFoundError as exc:
        raise InputError(f"{name}: missing from the installed package; {_REBUILD}") from exc
