"""The engine's case work: gather what the store holds (events, screening hits,
observations, vessel names) and hand it to the pure case builder (``vesselwatch.cases``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from vesselwatch.errors import InputError

if TYPE_CHECKING:
    from vesselwatch.engine import Engine

__all__ = ["add_store_observations", "build_store_cases", "watched_ports"]


def watched_ports(watchlist: str) -> dict[str, dict[str, Any]]:
    """The watchlist's ports by id: name, country, position."""
    from vesselwatch.reference.ports import load_wpi
    from vesselwatch.reference.watchlist import load_watchlist

    index = load_watchlist(watchlist).port_index(load_wpi())
    return {index.port_id[i]: {"port_id": index.port_id[i], "name": index.name[i],
                               "country": index.country[i], "lat": float(index.lat[i]),
                               "lon": float(index.lon[i])} for i in range(len(index))}


def build_store_cases(engine: Engine, watchlist: str) -> pa.Table:
    """Every case of the store's latest detection run (``docs/cases.md``)."""
    from vesselwatch.cases.build import build_cases
    from vesselwatch.store.observations import read_observations as stored_observations
    from vesselwatch.store.screening import read_hits

    store = engine.store
    if store.detection() is None:
        raise InputError(f"{store.path}: no events yet; run vesselwatch detect first")
    observations = stored_observations(store.path)
    conn = store.connect()
    result = conn.sql("select mmsi, arg_max(name, ts) name, arg_max(imo, ts) imo "
                      "from vessel_reports group by mmsi").arrow()
    latest = result.read_all() if hasattr(result, "read_all") else result
    names = {m: n for m, n in zip(latest["mmsi"].to_pylist(), latest["name"].to_pylist()) if n}
    imos = {m: i for m, i in zip(latest["mmsi"].to_pylist(), latest["imo"].to_pylist()) if i}
    return build_cases(store.events(), watched_ports(watchlist), hits=read_hits(store.path),
                       observations=observations, names=names, imos=imos)


def add_store_observations(engine: Engine, table: pa.Table) -> int:
    """Check observations against the vessels the store saw, then add them (all or none)."""
    from vesselwatch.cases.observations import check_against
    from vesselwatch.store.observations import add_observations

    store = engine.store
    conn = store.connect()
    result = conn.sql("select distinct mmsi, imo from vessel_reports").arrow()
    seen = result.read_all() if hasattr(result, "read_all") else result
    positions = conn.sql("select distinct mmsi from positions").arrow()
    pos = positions.read_all() if hasattr(positions, "read_all") else positions
    known_mmsi = set(seen["mmsi"].to_pylist()) | set(pos["mmsi"].to_pylist())
    known_imo = {i for i in seen["imo"].to_pylist() if i}
    check_against(table, known_mmsi, known_imo)
    return add_observations(store.path, table, store.lock_timeout)
