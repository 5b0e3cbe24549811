"""Run the fast detectors and the naive oracle on the same inputs, and compare the events.

The fast side is called through its public functions only (``prepare_tracks`` and each
``detect_*``); nothing here reads or restates its code. Times are int64 microseconds UTC.
"""

from __future__ import annotations

import importlib
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from oracle_all import oracle_events
from oracle_common import EARTH_RADIUS_M, norm_ports

from position_rows import positions_table  # noqa: F401 - the tests import it from here

EVENT_TYPES = ("gap", "port_visit", "encounter", "loitering", "spoofing", "identity_change",
               "voyage", "dark_voyage")

# which fast module makes each event type (a missing module skips that type)
MODULE_OF = {"gap": "gaps", "port_visit": "port_visits", "encounter": "encounters",
             "loitering": "loitering", "spoofing": "spoofing", "identity_change": "identity",
             "voyage": "voyages", "dark_voyage": "voyages"}

GAP_DETAILS = ("off_lat", "off_lon", "on_lat", "on_lon", "distance_m", "implied_sog_kn",
               "off_shore_m", "on_shore_m", "off_port_id", "on_port_id", "positions_before",
               "seg")
REL_TOL = 1e-6
ABS_TOL = 1e-9


# --- inputs ---------------------------------------------------------------------------------


def reports_table(rows: Sequence[tuple]) -> pa.Table:
    """Rows (mmsi, ts_us, imo, name, callsign, ship_type, mmsi_issue) as VESSEL_REPORTS."""
    from vesselwatch.model.schema import VESSEL_REPORTS

    n = len(rows)
    names = ("mmsi", "ts", "imo", "name", "callsign", "ship_type", "mmsi_issue")
    cols: dict[str, Any] = {k: [r[i] for r in rows] for i, k in enumerate(names)}
    cols.update({"ts_source": ["csv"] * n, "source_id": ["oracle"] * n,
                 "source_line": list(range(n)), "msg_hash": list(range(n))})
    arrays = [pa.array(cols[f.name], type=f.type) if f.name in cols else pa.nulls(n, f.type)
              for f in VESSEL_REPORTS]
    return pa.Table.from_arrays(arrays, schema=VESSEL_REPORTS)


def _us(col: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.astype("datetime64[us, UTC]").astype("int64")
    return col.astype("int64")


def oracle_frame(table: pa.Table, columns: Iterable[str]) -> pd.DataFrame:
    """The same rows for the oracle: plain pandas, times int64 µs, floats float64 (the
    float32 SOG widened exactly, so both sides read the same numbers)."""
    df = table.select(list(columns)).to_pandas()
    df["ts"] = _us(df["ts"])
    for c in ("lat", "lon", "sog_kn"):
        if c in df.columns:
            df[c] = df[c].astype("float64")
    return df


class StubLand:
    """Land north of ``coast_lat``; distance to shore = distance to that parallel."""

    def __init__(self, coast_lat: float) -> None:
        self.coast_lat = coast_lat

    def is_land(self, lat: Any, lon: Any) -> np.ndarray:
        return np.asarray(lat, dtype=np.float64) > self.coast_lat

    def distance_to_shore_m(self, lat: Any, lon: Any) -> np.ndarray:
        la = np.asarray(lat, dtype=np.float64)
        return np.abs(la - self.coast_lat) * (EARTH_RADIUS_M * math.pi / 180.0)


# --- the two sides --------------------------------------------------------------------------


def scenario_ports() -> tuple[Any, Any, StubLand]:
    """The generated scenarios' ports (a ``PortIndex``), the watched ones, and their land."""
    from oracle_scenarios import COAST_LAT, PORTS

    from vesselwatch.reference.ports import Port, PortIndex

    ports = PortIndex.from_ports([
        Port(port_id=p[0], name=p[1], lat=p[2], lon=p[3], entry_radius_m=p[4],
             exit_radius_m=p[5], watched=p[6]) for p in PORTS])
    return ports, ports.subset(ports.watched), StubLand(COAST_LAT)


def scenario_references() -> Any:
    """:func:`scenario_ports` as the suite's ``References``."""
    from vesselwatch.detect.suite import References

    ports, watched, land = scenario_ports()
    return References(ports=ports, watched=watched, land=land)  # type: ignore[arg-type]


def fast_module(event_type: str) -> Any:
    """The fast detector module of ``event_type``, or None when it does not import yet."""
    try:
        return importlib.import_module(f"vesselwatch.detect.{MODULE_OF[event_type]}")
    except ImportError:
        return None


def fast_events(positions: pa.Table, reports: pa.Table | None, ports: Any, watched: Any,
                land: Any, config: Any = None, until_us: int | None = None
                ) -> dict[str, pd.DataFrame | None]:
    """Each event type from the fast detectors (None for a type whose module is missing)."""
    from vesselwatch.detect.config import DetectConfig
    from vesselwatch.detect.tracks import prepare_tracks

    cfg = config or DetectConfig()
    tracks = prepare_tracks(positions, cfg, ports, land, until_us=until_us)
    out: dict[str, pd.DataFrame | None] = dict.fromkeys(EVENT_TYPES)
    tables: dict[str, pa.Table] = {}
    calls = {
        "gap": lambda m: m.detect_gaps(tracks, cfg),
        "port_visit": lambda m: m.detect_port_visits(tracks, cfg),
        "encounter": lambda m: m.detect_encounters(tracks, cfg),
        "loitering": lambda m: m.detect_loitering(tracks, cfg),
        "spoofing": lambda m: m.detect_spoofing(tracks, cfg),
    }
    for event_type, call in calls.items():
        mod = fast_module(event_type)
        if mod is not None:
            tables[event_type] = call(mod)
    mod = fast_module("identity_change")
    if mod is not None:
        spans = [mod.mmsi_issue_spans(positions.select(["mmsi", "ts", "mmsi_issue"]))]
        rep = reports if reports is not None else reports_table([])
        spans.append(mod.mmsi_issue_spans(rep.select(["mmsi", "ts", "mmsi_issue"])))
        tables["identity_change"] = mod.detect_identity(rep, pa.concat_tables(spans), cfg)
    mod = fast_module("voyage")
    if mod is not None and "gap" in tables and "port_visit" in tables:
        tables["voyage"] = mod.detect_voyages(tables["port_visit"], tables["gap"], cfg,
                                              until_us=tracks.until_us)
        tables["dark_voyage"] = mod.detect_dark_voyages(tables["gap"], watched, cfg)
    for event_type, table in tables.items():
        out[event_type] = events_df(table)
    out["_tracks"] = tracks  # type: ignore[assignment]
    return out


def events_df(table: pa.Table) -> pd.DataFrame:
    """An EVENTS table as pandas: times int64 µs (nullable), ``details`` parsed."""
    df = table.to_pandas()
    for c in ("start_ts", "end_ts"):
        col = df[c]
        if pd.api.types.is_datetime64_any_dtype(col):
            df[c] = pd.array([None if pd.isna(v) else int(v.value // 1000) for v in col],
                             dtype="Int64")
    df["details"] = [json.loads(d) if isinstance(d, str) else (d or {}) for d in df["details"]]
    return df.reset_index(drop=True)


def run_oracle(positions: pa.Table, reports: pa.Table | None, ports: Any, watched: Any,
               land: Any, config: Any = None, until_us: int | None = None
               ) -> dict[str, pd.DataFrame]:
    """Each event type from the oracle, on the same rows."""
    cols = ["mmsi", "ts", "lat", "lon", "sog_kn", "mmsi_issue"]
    pos = oracle_frame(positions, cols)
    rep = None
    if reports is not None and reports.num_rows:
        rep = oracle_frame(reports, ["mmsi", "ts", "imo", "name", "callsign", "ship_type",
                                     "mmsi_issue"])
    port_list = norm_ports(ports, config)
    watched_list = norm_ports(watched, config)
    tracks: list = []
    ev = oracle_events(pos, rep, port_list, land, None, config, until=until_us,
                       watched=watched_list, tracks_out=tracks)
    out: dict[str, Any] = {t: ev[ev["event_type"] == t].reset_index(drop=True)
                           for t in EVENT_TYPES}
    out["_tracks"] = tracks[0]
    return out


# --- comparing ------------------------------------------------------------------------------


def _none(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if math.isnan(v) else float(v)
    return v


def row_key(event_type: str, row: Any, with_details: bool = True) -> tuple:
    """The fields the issue compares for one event, as a tuple."""
    det = row["details"] or {}
    base = (_none(row["mmsi"]),)
    if event_type == "encounter":
        return base + (_none(row["other_mmsi"]), _none(row["start_ts"]), _none(row["end_ts"]))
    if event_type == "gap":
        key = base + (_none(row["start_ts"]), _none(row["end_ts"]), _none(row["confidence"]))
        if with_details:
            key += tuple(_none(det.get(k)) for k in GAP_DETAILS)
        return key
    kind = det.get("kind")
    if event_type == "identity_change" and kind == "mmsi_issue":
        kind = f"mmsi_issue:{det.get('issue')}"
    return base + (_none(row["port_id"]), _none(row["start_ts"]), _none(row["end_ts"]),
                   _none(row["confidence"]), kind)


def _sort_key(key: tuple) -> tuple:
    """Order by the exact fields only (ints and strings), so float noise cannot reorder."""
    out = []
    for v in key:
        if isinstance(v, float):
            out.append((2, 0))
        elif v is None:
            out.append((0, 0))
        else:
            out.append((1, str(v).zfill(24) if isinstance(v, int) else str(v)))
    return tuple(out)


def same(a: Any, b: Any, abs_tol: float = ABS_TOL) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        if math.isinf(a) or math.isinf(b):
            return a == b
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=abs_tol)
    return a == b


def same_key(a: tuple, b: tuple, tolerances: tuple[float, ...] | None = None) -> bool:
    if len(a) != len(b):
        return False
    tols = tolerances or (ABS_TOL,) * len(a)
    return all(same(x, y, t) for x, y, t in zip(a, b, tols))


def keys_by_vessel(event_type: str, df: pd.DataFrame | None) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    if df is None:
        return out
    for _, row in df.iterrows():
        k = row_key(event_type, row)
        out.setdefault(k[0], []).append(k)
    for v in out.values():
        v.sort(key=_sort_key)
    return out


def field_names(event_type: str) -> tuple[str, ...]:
    if event_type == "encounter":
        return ("mmsi", "other_mmsi", "start_ts", "end_ts")
    if event_type == "gap":
        return ("mmsi", "start_ts", "end_ts", "confidence", *GAP_DETAILS)
    return ("mmsi", "port_id", "start_ts", "end_ts", "confidence", "kind")


def first_difference(event_type: str, fast: pd.DataFrame | None,
                     oracle: pd.DataFrame) -> str | None:
    """None when equal; else a message showing both sides for the first differing vessel."""
    f, o = keys_by_vessel(event_type, fast), keys_by_vessel(event_type, oracle)

    def equal(a: list[tuple], b: list[tuple]) -> bool:
        return len(a) == len(b) and all(same_key(x, y) for x, y in zip(a, b))

    differing = [m for m in sorted(set(f) | set(o)) if not equal(f.get(m, []), o.get(m, []))]
    for mmsi in differing:
        a, b = f.get(mmsi, []), o.get(mmsi, [])
        names = field_names(event_type)
        lines = [f"{event_type}: vessel {mmsi} differs ({len(a)} fast events, {len(b)} oracle "
                 f"events; {len(differing)} vessels differ in all). Fields: "
                 f"{', '.join(names)}", "  fast:"]
        lines += [f"    {x}" for x in a[:25]] or ["    (none)"]
        lines += ["  oracle:"] + ([f"    {y}" for y in b[:25]] or ["    (none)"])
        return "\n".join(lines)
    return None


def overlap_rates(event_type: str, fast: pd.DataFrame, oracle: pd.DataFrame,
                  until_us: int) -> dict[str, float]:
    """Share of oracle events with a fast event of the same vessel (and other vessel or
    port) overlapping in time, and the other way round; plus the exact-equality share."""

    def spans(df: pd.DataFrame) -> dict[tuple, list[tuple[int, int]]]:
        out: dict[tuple, list[tuple[int, int]]] = {}
        for _, r in df.iterrows():
            who = (int(r["mmsi"]), _none(r["other_mmsi"]) if event_type == "encounter"
                   else _none(r["port_id"]))
            end = until_us if _none(r["end_ts"]) is None else int(r["end_ts"])
            out.setdefault(who, []).append((int(r["start_ts"]), end))
        return out

    def matched(a: dict, b: dict) -> tuple[int, int]:
        n = hit = 0
        for who, items in a.items():
            for s, e in items:
                n += 1
                hit += any(s <= e2 and s2 <= e for s2, e2 in b.get(who, []))
        return hit, n

    fs, os_ = spans(fast), spans(oracle)
    hit_o, n_o = matched(os_, fs)
    hit_f, n_f = matched(fs, os_)
    fk = keys_by_vessel(event_type, fast)
    ok = keys_by_vessel(event_type, oracle)
    exact = 0
    for mmsi, items in ok.items():
        pool = list(fk.get(mmsi, []))
        for k in items:
            j = next((i for i, x in enumerate(pool) if same_key(x, k)), None)
            if j is not None:
                exact += 1
                pool.pop(j)
    return {"oracle_events": n_o, "fast_events": n_f,
            "oracle_matched": hit_o / n_o if n_o else 1.0,
            "fast_matched": hit_f / n_f if n_f else 1.0,
            "exact": exact / max(n_o, n_f) if max(n_o, n_f) else 1.0}
