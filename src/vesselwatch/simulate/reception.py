"""What reaches the data provider: terrestrial receivers, satellite passes, random loss,
and the provider's downsampling.

- **Terrestrial**: a ``Station`` hears every vessel within ``range_nm`` (great-circle
  distance on the project's sphere; a vessel exactly at the range is in range). A message
  from a vessel in range of at least one station is received unless lost at random
  (``p_loss_terrestrial``); it is credited to the nearest station in range (equal
  distances: the station listed first).
- **Satellite**: a ``SatellitePasses`` covers everywhere, but only during its passes:
  ``(t - phase_s) mod revisit_s < pass_s``. Each message sent during a pass is detected
  with probability ``p_detect``, independently per satellite.
- **Covered** is "some station in range or some satellite overhead", whatever the dice
  said, so the ground truth can tell a coverage hole from a transponder switched off.

The dice are a hash of (mmsi, t, seed, what), not a stream: a message's fate does not
depend on which other messages are in the same call, so a fleet can be processed in any
chunks and order with the same result.

``thin`` keeps at most one message per vessel per ``keep_every_s`` bucket (buckets aligned
to the epoch: ``floor(t / keep_every_s)``), the earliest, as aggregators downsample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vesselwatch.detect.config import NM_M
from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import EARTH_RADIUS_M, cap_lon_halfwidth_deg, haversine_m

__all__ = [
    "NO_STATION",
    "Coverage",
    "Reception",
    "SatellitePasses",
    "Station",
    "coverage",
    "covered_intervals",
    "receive",
    "thin",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
NO_STATION: Final[int] = -1
"""Station code of a message nobody received (or of a position in no station's range)."""


@dataclass(frozen=True)
class Station:
    """A terrestrial AIS receiver at (lat, lon) hearing vessels within ``range_nm``."""

    id: str
    lat: float
    lon: float
    range_nm: float = 40.0

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and np.isfinite(self.lon)):
            raise InputError(f"station {self.id!r}: ({self.lat}, {self.lon}) is not a position; "
                             "give lat in [-90, 90] and lon in degrees")
        if not 0.0 < self.range_nm <= 1000.0:
            raise InputError(f"station {self.id!r}: range_nm={self.range_nm}; give a range "
                             "above 0 and at most 1000 nm (VHF reaches some 20-60 nm)")


@dataclass(frozen=True)
class SatellitePasses:
    """A satellite (or constellation) overhead for ``pass_s`` every ``revisit_s``, the first
    pass starting at ``phase_s`` (epoch seconds, any value); each message sent during a
    pass is detected with probability ``p_detect``."""

    id: str
    revisit_s: float
    pass_s: float
    phase_s: float = 0.0
    p_detect: float = 0.8

    def __post_init__(self) -> None:
        if not (self.revisit_s > 0 and 0 <= self.pass_s <= self.revisit_s):
            raise InputError(f"satellite {self.id!r}: revisit_s={self.revisit_s}, "
                             f"pass_s={self.pass_s}; give revisit_s > 0 and pass_s between 0 "
                             "and revisit_s")
        if not 0.0 <= self.p_detect <= 1.0:
            raise InputError(f"satellite {self.id!r}: p_detect={self.p_detect}; give a "
                             "probability between 0 and 1")

    def in_pass(self, t: npt.ArrayLike) -> BoolArray:
        """True at times during a pass (start inclusive, end exclusive)."""
        ts = np.asarray(t, dtype=np.float64)
        out: BoolArray = np.mod(ts - self.phase_s, self.revisit_s) < self.pass_s
        return out

    def windows(self, t0: float, t1: float) -> tuple[FloatArray, FloatArray]:
        """(start, end) of the passes overlapping ``[t0, t1)``, clipped to it."""
        k0 = np.floor((t0 - self.phase_s) / self.revisit_s)
        k1 = np.ceil((t1 - self.phase_s) / self.revisit_s)
        starts = self.phase_s + np.arange(k0, k1 + 1) * self.revisit_s
        ends = starts + self.pass_s
        keep = (ends > t0) & (starts < t1) & (ends > starts)
        return np.maximum(starts[keep], t0), np.minimum(ends[keep], t1)


@dataclass(frozen=True)
class Coverage:
    """Per position: ``terrestrial`` (some station in range), ``station`` (code of the
    nearest one in range, or ``NO_STATION``), ``satellite`` (some satellite overhead)."""

    terrestrial: BoolArray
    station: npt.NDArray[np.int16]
    satellite: BoolArray

    @property
    def covered(self) -> BoolArray:
        out: BoolArray = self.terrestrial | self.satellite
        return out


@dataclass(frozen=True)
class Reception:
    """Per message: ``received``, ``covered`` (in coverage at all, whatever the loss), and
    ``station`` — a code into ``names`` (stations in the order given, then satellites), or
    ``NO_STATION`` when not received."""

    received: BoolArray
    covered: BoolArray
    station: npt.NDArray[np.int16]
    names: tuple[str, ...]

    def station_names(self) -> npt.NDArray[np.object_]:
        """The receiving station's name per message (``None`` where not received)."""
        lookup = np.array([*self.names, None], dtype=object)
        out: npt.NDArray[np.object_] = lookup[self.station]  # NO_STATION (-1) reads the None
        return out

    def station_ids(self) -> pa.DictionaryArray:
        """The receiving station of each message as an Arrow dictionary column (null if none)."""
        indices = pa.array(self.station.astype(np.int32), mask=self.station < 0)
        return pa.DictionaryArray.from_arrays(indices, pa.array(self.names, pa.string()))


def coverage(lat: npt.ArrayLike, lon: npt.ArrayLike, t: npt.ArrayLike,
             stations: Sequence[Station], satellites: Sequence[SatellitePasses] = ()
             ) -> Coverage:
    """Which positions are in a station's range, the nearest such station, and which are
    under a satellite pass at their time."""
    la, lo, ts = _arrays(lat, lon, t)
    station = _nearest_station(la, lo, stations)
    sat = np.zeros(la.size, dtype=bool)
    for s in satellites:  # one pass per satellite, not per position
        sat |= s.in_pass(ts)
    return Coverage(station >= 0, station, sat)


def receive(lat: npt.ArrayLike, lon: npt.ArrayLike, t: npt.ArrayLike, mmsi: npt.ArrayLike,
            stations: Sequence[Station], satellites: Sequence[SatellitePasses] = (), *,
            p_loss_terrestrial: float, seed: int) -> Reception:
    """Which messages (sent from ``lat``/``lon`` at ``t`` by ``mmsi``) reach the provider."""
    if not 0.0 <= p_loss_terrestrial <= 1.0:
        raise InputError(f"p_loss_terrestrial={p_loss_terrestrial}; give a probability "
                         "between 0 and 1")
    names = _names(stations, satellites)
    la, lo, ts = _arrays(lat, lon, t)
    ids = np.broadcast_to(np.asarray(mmsi, dtype=np.int64), la.shape).ravel()
    station = _nearest_station(la, lo, stations)
    covered = station >= 0
    got = covered & (_uniform(ids, ts, seed, 0) >= p_loss_terrestrial)
    station[~got] = NO_STATION
    for k, s in enumerate(satellites, start=len(stations)):
        overhead = s.in_pass(ts)
        covered |= overhead
        hit = overhead & ~got & (_uniform(ids, ts, seed, k + 1) < s.p_detect)
        station[hit] = k
        got |= hit
    return Reception(got, covered, station, names)


def covered_intervals(lat: npt.ArrayLike, lon: npt.ArrayLike, t: npt.ArrayLike,
                      stations: Sequence[Station], satellites: Sequence[SatellitePasses] = ()
                      ) -> tuple[FloatArray, FloatArray]:
    """(start, end) of the runs of a dense true track (times increasing) that are covered.

    Each interval runs from the first to the last covered sample of a run, both included;
    the true edges lie within one sampling step outside, so sample as finely as the truth
    needs (every 10-60 s is usual).
    """
    la, lo, ts = _arrays(lat, lon, t)
    if ts.size > 1 and not bool(np.all(ts[1:] >= ts[:-1])):
        raise ValueError("covered_intervals needs the track's times in increasing order; "
                         "sort the track by time first")
    cov = coverage(la, lo, ts, stations, satellites).covered
    edges = np.diff(cov.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    first = np.flatnonzero(edges == 1)
    last = np.flatnonzero(edges == -1) - 1
    return ts[first], ts[last]


def thin(mmsi: npt.ArrayLike, t: npt.ArrayLike, keep_every_s: float) -> BoolArray:
    """Mask keeping, per vessel, the earliest message of each ``keep_every_s`` bucket
    (ties: the first in input order). ``keep_every_s <= 0`` keeps everything."""
    ids = np.asarray(mmsi, dtype=np.int64).ravel()
    ts = np.asarray(t, dtype=np.float64).ravel()
    if ids.shape != ts.shape:
        raise ValueError(f"mmsi {ids.shape} and t {ts.shape} differ in length")
    keep = np.ones(ts.size, dtype=bool)
    if keep_every_s <= 0 or ts.size < 2:
        return keep
    bucket = np.floor(ts / keep_every_s)
    in_order = bool(np.all((ids[1:] > ids[:-1]) | ((ids[1:] == ids[:-1]) & (ts[1:] >= ts[:-1]))))
    order = None if in_order else np.lexsort((ts, ids))  # stable: ties keep input order
    i, b = (ids, bucket) if order is None else (ids[order], bucket[order])
    new = np.ones(ts.size, dtype=bool)
    new[1:] = (i[1:] != i[:-1]) | (b[1:] != b[:-1])
    if order is None:
        return new
    keep[:] = False
    keep[order[new]] = True
    return keep


def _nearest_station(lat: FloatArray, lon: FloatArray, stations: Sequence[Station]
                     ) -> npt.NDArray[np.int16]:
    """Code of the nearest station in range of each position (ties: the first listed), or
    ``NO_STATION``. One pass per station: a lat/lon box test, then haversine inside it."""
    out = np.full(lat.size, NO_STATION, dtype=np.int16)
    if not stations or not lat.size:
        return out
    best = np.full(lat.size, np.inf)
    wrapped = bool(lon.min() >= -180.0 and lon.max() < 180.0)
    for k, s in enumerate(stations):
        r = s.range_nm * NM_M
        near = np.abs(lat - s.lat) <= np.degrees(r / EARTH_RADIUS_M) * (1 + 1e-9) + 1e-9
        half = float(cap_lon_halfwidth_deg(s.lat, r))
        if half < 180.0:  # else the cap holds a pole: every longitude
            dlon = lon - s.lon
            if not wrapped or abs(s.lon) + half >= 180.0:
                dlon = np.mod(dlon + 180.0, 360.0) - 180.0
            near &= np.abs(dlon) <= half * (1 + 1e-9) + 1e-9
        idx = np.flatnonzero(near)
        d = haversine_m(lat[idx], lon[idx], s.lat, s.lon)
        better = (d <= r) & (d < best[idx])  # the range is inclusive; ties keep the first
        idx = idx[better]
        best[idx] = d[better]
        out[idx] = k
    return out


def _names(stations: Sequence[Station], satellites: Sequence[SatellitePasses]
           ) -> tuple[str, ...]:
    names = tuple(s.id for s in stations) + tuple(s.id for s in satellites)
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise InputError(f"receiver ids {dup} are used more than once; give every station and "
                         "satellite its own id")
    if len(names) > np.iinfo(np.int16).max:
        raise InputError(f"{len(names)} receivers; at most {np.iinfo(np.int16).max} are "
                         "supported")
    return names


def _arrays(lat: npt.ArrayLike, lon: npt.ArrayLike, t: npt.ArrayLike
            ) -> tuple[FloatArray, FloatArray, FloatArray]:
    la = np.asarray(lat, dtype=np.float64).ravel()
    lo = np.asarray(lon, dtype=np.float64).ravel()
    ts = np.broadcast_to(np.asarray(t, dtype=np.float64), la.shape).ravel()
    if lo.shape != la.shape:
        raise ValueError(f"lat {la.shape} and lon {lo.shape} differ in length")
    return la, lo, ts


_GOLDEN: Final = np.uint64(0x9E3779B97F4A7C15)


def _uniform(mmsi: npt.NDArray[np.int64], t: FloatArray, seed: int, salt: int) -> FloatArray:
    """A uniform in [0, 1) per message, from a hash of (mmsi, t, seed, salt) (splitmix64)."""
    key = np.uint64((seed * 0x2545F4914F6CDD1D + salt * 0x632BE59BD9B4E019) % (1 << 64))
    x = mmsi.astype(np.uint64) * _GOLDEN
    x ^= np.ascontiguousarray(t, dtype=np.float64).view(np.uint64)
    x += key
    for shift, mult in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
        x ^= x >> np.uint64(shift)
        x *= np.uint64(mult)
    x ^= x >> np.uint64(31)
    out: FloatArray = (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
    return out
