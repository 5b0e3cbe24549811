"""Tiny synthetic tracks for detector tests: positions tables and prepared ``Tracks``.

Times are int64 microseconds UTC. Positions move along a straight line at a given speed;
``vessel`` returns rows, ``positions_table`` a table in the canonical POSITIONS schema
(only mmsi, ts, lat, lon and sog_kn matter to detection), and ``make_tracks`` runs
``prepare_tracks`` with a small port index and a stub land mask.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from position_rows import positions_table
from vesselwatch.detect.config import NM_M, DetectConfig
from vesselwatch.detect.tracks import Tracks, prepare_tracks
from vesselwatch.reference.geodesy import EARTH_RADIUS_M
from vesselwatch.reference.ports import Port, PortIndex

Row = tuple[int, int, float, float, float | None]  # mmsi, ts_us, lat, lon, sog_kn
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0
MIN_US = 60_000_000
HOUR_US = 60 * MIN_US


def us(text: str) -> int:
    """'2024-03-01T06:00:00' (UTC) as microseconds."""
    dt = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return int(dt.timestamp()) * 1_000_000


def north_m(lat: float, metres: float) -> float:
    """The latitude ``metres`` north of ``lat``."""
    return lat + metres / M_PER_DEG


def east_deg(lat: float, metres: float) -> float:
    """Degrees of longitude for ``metres`` east at ``lat``."""
    return metres / (M_PER_DEG * math.cos(math.radians(lat)))


def vessel(mmsi: int, start_us: int, end_us: int, every_s: float, lat: float, lon: float,
           speed_kn: float = 0.5, *, sog: float | str | None = "same",
           north_offset_m: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]
           | None = None) -> list[Row]:
    """Rows of one vessel sailing east at ``speed_kn`` from (lat, lon) at ``start_us``.

    ``sog``: the reported SOG ("same" = ``speed_kn``, None = not reported).
    ``north_offset_m``: metres north of the line as a function of hours since start.
    """
    step = int(every_s * 1_000_000)
    t = np.arange(start_us, end_us + 1, step, dtype=np.int64)
    hours = (t - start_us) / HOUR_US
    east = speed_kn * NM_M * hours
    north = north_offset_m(hours) if north_offset_m is not None else np.zeros(len(t))
    lats = lat + north / M_PER_DEG
    lons = lon + east / (M_PER_DEG * math.cos(math.radians(lat)))
    lons = (lons + 180.0) % 360.0 - 180.0
    reported = speed_kn if sog == "same" else sog
    return [(mmsi, int(ti), float(la), float(lo), None if reported is None else float(reported))
            for ti, la, lo in zip(t, lats, lons)]


class StubLand:
    """A land mask with no land; distance to shore from a function of (lat, lon), metres."""

    def __init__(self, shore_m: float | Callable[[np.ndarray, np.ndarray], np.ndarray]
                 = 100 * NM_M) -> None:
        self.shore_m = shore_m

    def is_land(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        return np.zeros(np.shape(lat), dtype=bool)

    def distance_to_shore_m(self, lat: npt.ArrayLike, lon: npt.ArrayLike
                            ) -> npt.NDArray[np.float64]:
        la = np.asarray(lat, dtype=np.float64)
        lo = np.asarray(lon, dtype=np.float64)
        if callable(self.shore_m):
            return np.asarray(self.shore_m(la, lo), dtype=np.float64)
        return np.full(la.shape, float(self.shore_m))


def port_at(lat: float, lon: float, port_id: str = "P1") -> Port:
    return Port(port_id=port_id, name=f"Port {port_id}", lat=lat, lon=lon,
                entry_radius_m=3000.0, exit_radius_m=4000.0)


def make_tracks(rows: Sequence[Row] | pa.Table, *, ports: Sequence[Port] = (),
                land: StubLand | None = None, config: DetectConfig | None = None,
                until_us: int | None = None) -> Tracks:
    """``prepare_tracks`` over ``rows`` with a small port index and a stub land mask."""
    table = rows if isinstance(rows, pa.Table) else positions_table(rows)
    return prepare_tracks(table, config or DetectConfig(), PortIndex.from_ports(list(ports)),
                          land or StubLand(), until_us=until_us)  # type: ignore[arg-type]
