"""Shared helpers of the naive oracle (tests/oracle): distance, times, ports, events.

Everything here follows the "Conventions" section of ``docs/events.md``; nothing is taken
from ``src/vesselwatch/detect/``. Plain Python on purpose: clarity over speed.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# "Distance is the haversine distance on a sphere of radius 6,371,008.8 m (the mean
# earth radius). 1 nm = 1,852 m; 1 kn = 1 nm/h."
EARTH_RADIUS_M = 6_371_008.8
NM_M = 1852.0
US = 1_000_000  # microseconds in a second
HOUR_US = 3600 * US


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def knots(dist_m: float, dt_us: int) -> float:
    """Implied speed in knots over ``dist_m`` in ``dt_us`` microseconds (NaN when dt <= 0)."""
    if dt_us <= 0:
        return math.nan
    return (dist_m / NM_M) / (dt_us / HOUR_US)


def implied_kn(dist_m: float, dt_us: int) -> float:
    """The implied speed of a step, as the conventions define it.

    "the implied speed from the previous position of its track (distance / time; two
    positions at the same time: 0 kn at the same place, else infinite)"
    """
    if dt_us == 0:
        return 0.0 if dist_m == 0 else math.inf
    return knots(dist_m, dt_us)


def is_nan(x: Any) -> bool:
    """None, NaN (any float type) or pandas NA."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(math.isnan(x))
    except TypeError:
        return False


# --- parameters: the tables of docs/events.md, copied from the doc -------------------------


@dataclass(frozen=True)
class Tracks:
    max_implied_sog_kn: float = 50.0
    jump_noise_m: float = 500.0
    max_open_segments: int = 4
    min_segment_positions: int = 3
    land_margin_m: float = 2000.0


@dataclass(frozen=True)
class PortVisits:
    entry_radius_m: float = 3000.0
    exit_radius_m: float = 4000.0
    stop_start_sog_kn: float = 0.2
    stop_end_sog_kn: float = 0.5
    port_gap_h: float = 4.0


@dataclass(frozen=True)
class Gaps:
    min_gap_h: float = 6.0
    intentional_min_gap_h: float = 12.0
    intentional_min_shore_nm: float = 50.0
    intentional_min_positions: int = 14
    positions_window_h: float = 12.0


@dataclass(frozen=True)
class Encounters:
    max_distance_m: float = 500.0
    min_duration_h: float = 2.0
    min_port_distance_m: float = 10000.0
    max_median_sog_kn: float = 2.0
    grid_min: float = 10.0
    max_interpolation_gap_h: float = 1.0
    merge_gap_h: float = 4.0


@dataclass(frozen=True)
class Loitering:
    max_avg_sog_kn: float = 2.0
    min_duration_h: float = 2.0
    min_shore_nm: float = 20.0
    max_step_gap_h: float = 2.0


@dataclass(frozen=True)
class Spoofing:
    shared_position_min_vessels: int = 3
    shared_position_gap_min: float = 15.0
    two_places_min_distance_m: float = 10000.0


@dataclass(frozen=True)
class Voyages:
    dark_port_radius_nm: float = 20.0
    max_sog_kn: float = 20.0


@dataclass(frozen=True)
class OracleConfig:
    """The doc's defaults. Any object with the same sections (e.g. DetectConfig) also works."""

    tracks: Tracks = field(default_factory=Tracks)
    port_visits: PortVisits = field(default_factory=PortVisits)
    gaps: Gaps = field(default_factory=Gaps)
    encounters: Encounters = field(default_factory=Encounters)
    loitering: Loitering = field(default_factory=Loitering)
    spoofing: Spoofing = field(default_factory=Spoofing)
    voyages: Voyages = field(default_factory=Voyages)


def config_or_default(config: Any) -> Any:
    return OracleConfig() if config is None else config


# --- times ----------------------------------------------------------------------------------


def ts_to_us(value: Any) -> int:
    """One time as int64 microseconds UTC (ints are taken as microseconds already)."""
    if isinstance(value, int | np.integer):
        return int(value)
    t = pd.Timestamp(value)
    if t.tzinfo is None:
        t = t.tz_localize("UTC")
    return int((t - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(microseconds=1))


def ts_column_to_us(col: pd.Series) -> list[int]:
    return [ts_to_us(v) for v in col.tolist()]


# --- ports ----------------------------------------------------------------------------------


def norm_ports(ports: Any, config: Any = None) -> PortList:
    """Ports as plain dicts: id, name, lat, lon, entry_radius_m, exit_radius_m, watched.

    Accepts dicts (``id`` or ``port_id``), objects with those attributes (``Port``) or any
    iterable of them (``PortIndex`` iterates ``Port``). "Each port has its own entry and
    exit radius ...; the two defaults above serve ports that carry none."
    """
    if isinstance(ports, PortList):
        return ports
    cfg = config_or_default(config)
    out = PortList()
    for p in list(ports or []):
        get = p.get if isinstance(p, dict) else (lambda k, d=None, p=p: getattr(p, k, d))
        pid = get("id", None)
        if pid is None:
            pid = get("port_id", None)
        entry = get("entry_radius_m", None)
        exit_ = get("exit_radius_m", None)
        out.append({
            "id": str(pid),
            "name": get("name", "") or "",
            "lat": float(get("lat")),
            "lon": float(get("lon")),
            "entry_radius_m": cfg.port_visits.entry_radius_m if is_nan(entry) else float(entry),
            "exit_radius_m": cfg.port_visits.exit_radius_m if is_nan(exit_) else float(exit_),
            "watched": bool(get("watched", False)),
        })
    return out


def nearest_port_within(lat: float, lon: float, ports: list[dict[str, Any]],
                        radius_key: str) -> int | None:
    """Index of the nearest port whose ``radius_key`` circle holds the point (boundary
    included; equal distances: the lower index), or None.

    "Within a radius or distance includes the boundary." Only ports whose latitude is
    close enough to matter are measured (a speed-up for the World Port Index: a point
    farther in latitude than the largest radius is farther than that radius).
    """
    best = None
    best_d = math.inf
    for i in _lat_band(ports, lat, radius_key):
        p = ports[i]
        d = haversine_m(lat, lon, p["lat"], p["lon"])
        if d <= p[radius_key] and (d < best_d or (d == best_d and i < best)):
            best, best_d = i, d
    return best


class PortList(list):
    """The ports as plain dicts (a list), with a latitude index kept beside them."""

    bands: dict[str, tuple[list[float], list[int], float]]


def _lat_band(ports: list[dict[str, Any]], lat: float, radius_key: str) -> list[int]:
    """Indices of the ports within the largest ``radius_key`` of ``lat`` in latitude."""
    if len(ports) < 50 or not isinstance(ports, PortList):
        return list(range(len(ports)))
    if not hasattr(ports, "bands"):
        ports.bands = {}
    band = ports.bands.get(radius_key)
    if band is None:
        order = sorted(range(len(ports)), key=lambda i: ports[i]["lat"])
        lats = [ports[i]["lat"] for i in order]
        reach = max(p[radius_key] for p in ports)
        band = (lats, order, math.degrees(reach / EARTH_RADIUS_M) * 1.001 + 1e-9)
        ports.bands[radius_key] = band
    lats, order, half = band
    lo = bisect.bisect_left(lats, lat - half)
    hi = bisect.bisect_right(lats, lat + half)
    return sorted(order[lo:hi])


# --- speeds and events ----------------------------------------------------------------------


def speed_source(reported_flags: list[bool]) -> str:
    """``reported``, ``implied`` or ``mixed`` over the speeds an event used."""
    flags = list(reported_flags)
    if flags and all(flags):
        return "reported"
    if flags and not any(flags):
        return "implied"
    return "mixed"


# Event ids: the doc says only "16 hex digits, a hash of (event_type, mmsi, start_ts,
# other_mmsi, a type-specific key)". The hash itself is the public
# ``vesselwatch.model.events.event_ids`` (splitmix64 over the parts, FNV-1a of the key),
# restated here in plain Python so the oracle runs without importing (or building) the
# package; test_oracle_selfcheck checks the two agree when the package imports.
_MASK64 = (1 << 64) - 1
TYPE_CODE = {"port_visit": 1, "gap": 2, "encounter": 3, "loitering": 4, "spoofing": 5,
             "identity_change": 6, "voyage": 7, "dark_voyage": 8}


def _mix(x: int) -> int:
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _text_key(v: str | None) -> int:
    if not v:
        return 0
    h = 0xCBF29CE484222325
    for b in v.encode():
        h = ((h ^ b) * 0x100000001B3) & _MASK64
    return h


def event_id(event_type: str, mmsi: int, start_ts: int, other_mmsi: int | None = None,
             key: str | None = None) -> str:
    """The id of one event (which key each type uses is a guess: see AMBIGUITIES.md)."""
    parts = [int(mmsi) & _MASK64, int(start_ts) & _MASK64]
    if other_mmsi is not None:
        parts.append(int(other_mmsi) & _MASK64)
    if key is not None:
        parts.append(_text_key(key))
    h = TYPE_CODE[event_type]
    for part in parts:
        h = _mix((h * 0x9E3779B97F4A7C15 + part) & _MASK64)
    return f"{h:016x}"


def make_event(event_type: str, mmsi: int, start_ts: int, end_ts: int | None,
               lat: float | None, lon: float | None, confidence: int,
               details: dict[str, Any], other_mmsi: int | None = None,
               port_id: str | None = None, port_name: str | None = None,
               key: str | None = None) -> dict[str, Any]:
    # "An interval [start_ts, end_ts] is closed. duration_s = end_ts − start_ts."
    # "An event still going on at the end of the data has end_ts and duration_s null."
    duration = None if end_ts is None else (end_ts - start_ts) / US
    return {
        "event_id": event_id(event_type, mmsi, start_ts, other_mmsi, key),
        "event_type": event_type,
        "mmsi": int(mmsi),
        "other_mmsi": None if other_mmsi is None else int(other_mmsi),
        "start_ts": int(start_ts),
        "end_ts": None if end_ts is None else int(end_ts),
        "duration_s": duration,
        "lat": lat,
        "lon": lon,
        "port_id": port_id,
        "port_name": port_name,
        "confidence": int(confidence),
        "details": details,
    }


EVENT_COLUMNS = ["event_id", "event_type", "mmsi", "other_mmsi", "start_ts", "end_ts",
                 "duration_s", "lat", "lon", "port_id", "port_name", "confidence", "details"]


def events_frame(events: list[dict[str, Any]]) -> pd.DataFrame:
    """Events as a DataFrame (times int64 microseconds, nullable), sorted canonically."""
    df = pd.DataFrame(events, columns=EVENT_COLUMNS)
    for c in ("mmsi", "other_mmsi", "start_ts", "end_ts", "confidence"):
        df[c] = df[c].astype("Int64")
    for c in ("duration_s", "lat", "lon"):
        df[c] = df[c].astype("float64")
    df = df.sort_values(["mmsi", "start_ts", "event_type", "event_id"], kind="stable")
    return df.reset_index(drop=True)


def track_groups(tracks: pd.DataFrame, include_outliers: bool = False) -> list[list[dict]]:
    """The positions of each track as lists of dicts, in track order (mmsi, seg, order)."""
    out = []
    rows = tracks if include_outliers else tracks[~tracks["outlier"].astype(bool)]
    for _key, g in rows.groupby(["mmsi", "seg"], sort=True):
        out.append(g.sort_values("order").to_dict("records"))
    return out
