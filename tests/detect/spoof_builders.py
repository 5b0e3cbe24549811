"""Small builders for the spoofing and identity tests: positions, reports, a land stub.

``vesselwatch.reference.land`` may not exist yet while the land mask is being written; the
track preparation imports it only for a type, so a stand-in module is installed when it is
missing. The tests never use the real mask: :class:`NorthLand` is land north of a latitude.
"""

from __future__ import annotations

import importlib
import sys
import types
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa

try:
    importlib.import_module("vesselwatch.reference.land")
except ModuleNotFoundError:  # pragma: no cover - only while land.py is in progress
    _stub = types.ModuleType("vesselwatch.reference.land")
    _stub.LandMask = object  # type: ignore[attr-defined]
    sys.modules["vesselwatch.reference.land"] = _stub

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.tracks import Tracks, prepare_tracks
from vesselwatch.reference.geodesy import EARTH_RADIUS_M
from vesselwatch.reference.ports import PortIndex

T0_US = int(datetime(2024, 3, 1, tzinfo=UTC).timestamp()) * 1_000_000
MIN_US = 60 * 1_000_000
HOUR_US = 60 * MIN_US
M_PER_DEG = EARTH_RADIUS_M * np.pi / 180.0  # metres per degree of latitude


class NorthLand:
    """Land north of ``coast_lat``; distance to shore is the meridian distance to it."""

    def __init__(self, coast_lat: float = 60.0) -> None:
        self.coast_lat = coast_lat

    def is_land(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        return np.asarray(lat) > self.coast_lat

    def distance_to_shore_m(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        return np.abs(np.asarray(lat, dtype=np.float64) - self.coast_lat) * M_PER_DEG


def positions(rows: list[tuple[Any, ...]]) -> pa.Table:
    """A positions table from (mmsi, ts_us, lat, lon[, sog_kn]) tuples."""
    mmsi = [r[0] for r in rows]
    ts = [r[1] for r in rows]
    lat = [r[2] for r in rows]
    lon = [r[3] for r in rows]
    sog = [r[4] if len(r) > 4 else None for r in rows]
    return pa.table({
        "mmsi": pa.array(mmsi, pa.uint32()),
        "ts": pa.array(ts, pa.int64()).cast(pa.timestamp("us", tz="UTC")),
        "lat": pa.array(lat, pa.float64()),
        "lon": pa.array(lon, pa.float64()),
        "sog_kn": pa.array(sog, pa.float32()),
    })


def line(mmsi: int, start_us: int, n: int, lat0: float, lon0: float, step_min: float = 10.0,
         dlat: float = 0.01) -> list[tuple[Any, ...]]:
    """``n`` positions northward, ``dlat`` degrees each ``step_min`` minutes (0.01° ≈ 6 kn)."""
    step = int(step_min * MIN_US)
    return [(mmsi, start_us + k * step, lat0 + k * dlat, lon0) for k in range(n)]


def tracks_of(table: pa.Table, config: DetectConfig | None = None,
              land: Any = None) -> Tracks:
    return prepare_tracks(table, config or DetectConfig(), PortIndex.empty(),
                          land or NorthLand())


def reports(rows: list[dict[str, Any]]) -> pa.Table:
    """A vessel-reports table (the columns identity reads) from dicts with ``mmsi`` and
    ``ts`` (µs) and any of ``name``, ``callsign``, ``imo``, ``ship_type``, ``mmsi_issue``."""
    def col(name: str) -> list[Any]:
        return [r.get(name) for r in rows]

    return pa.table({
        "mmsi": pa.array(col("mmsi"), pa.uint32()),
        "ts": pa.array(col("ts"), pa.int64()).cast(pa.timestamp("us", tz="UTC")),
        "mmsi_issue": pa.array(col("mmsi_issue"), pa.string()),
        "imo": pa.array(col("imo"), pa.uint32()),
        "name": pa.array(col("name"), pa.string()),
        "callsign": pa.array(col("callsign"), pa.string()),
        "ship_type": pa.array(col("ship_type"), pa.uint8()),
    })


def rows_of(events: pa.Table) -> list[dict[str, Any]]:
    """Events as dicts with ``details`` parsed and times as int µs."""
    import json

    plain = events.set_column(4, "start_ts", events["start_ts"].cast(pa.int64()))
    plain = plain.set_column(5, "end_ts", events["end_ts"].cast(pa.int64()))
    out = plain.to_pylist()
    for r in out:
        r["details"] = json.loads(r["details"])
    return out


def kinds(events: pa.Table) -> list[str]:
    return [r["details"]["kind"] for r in rows_of(events)]
