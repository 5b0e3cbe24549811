"""The engine's case work: gather what the store holds (events, screening hits,
observations, vessel names) and hand it to the pure case builder (``vesselwatch.cases``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from vesselwatch.engine_screen import arrow_table
from vesselwatch.errors import InputError

if TYPE_CHECKING:
    from vesselwatch.engine import Engine

__all__ = ["add_store_observations", "build_store_cases", "decoded_case", "risky_vessels",
           "vessel_profile", "watched_ports"]


def watched_ports(watchlist: str) -> dict[str, dict[str, Any]]:
    """The watchlist's ports by id: name, country, position."""
    from vesselwatch.reference.ports import load_wpi
    from vesselwatch.reference.watchlist import load_watchlist

    index = load_watchlist(watchlist).port_index(load_wpi())
    return {index.port_id[i]: {"port_id": index.port_id[i], "name": index.name[i],
                               "country": index.country[i], "lat": float(index.lat[i]),
                               "lon": float(index.lon[i])} for i in range(len(index))}


def decoded_case(row: dict[str, Any]) -> dict[str, Any]:
    """A ``CASES`` row with its reasons, statements and evidence decoded from JSON."""
    import json

    out = dict(row)
    for key in ("reasons", "confirmed_by", "denied_by", "evidence"):
        out[key] = json.loads(out[key])
    return out


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
    latest = arrow_table(conn.sql("select mmsi, arg_max(name, ts) name, arg_max(imo, ts) imo "
                                  "from vessel_reports group by mmsi"))
    names = {m: n for m, n in zip(latest["mmsi"].to_pylist(), latest["name"].to_pylist()) if n}
    imos = {m: i for m, i in zip(latest["mmsi"].to_pylist(), latest["imo"].to_pylist()) if i}
    return build_cases(store.events(), watched_ports(watchlist), hits=read_hits(store.path),
                       observations=observations, names=names, imos=imos)


def risky_vessels(events: list[dict[str, Any]], hits: list[dict[str, Any]]) -> set[int]:
    """The vessels an encounter with counts as risky in a risk profile: listed (a
    sanctioned or risk hit not marked false positive) or dark (a gap of confidence 3+)."""
    risky = {h["mmsi"] for h in hits if h["tier"] in ("sanctioned", "risk")
             and not h["false_positive"]}
    return risky | {e["mmsi"] for e in events
                    if e["event_type"] == "gap" and e["confidence"] >= 3}


def add_store_observations(engine: Engine, table: pa.Table) -> int:
    """Check observations against the vessels the store saw, then add them (all or none)."""
    from vesselwatch.cases.observations import check_against
    from vesselwatch.store.observations import add_observations

    store = engine.store
    conn = store.connect()
    seen = arrow_table(conn.sql("select distinct mmsi, imo from vessel_reports"))
    pos = arrow_table(conn.sql("select distinct mmsi from positions"))
    known_mmsi = set(seen["mmsi"].to_pylist()) | set(pos["mmsi"].to_pylist())
    known_imo = {i for i in seen["imo"].to_pylist() if i}
    check_against(table, known_mmsi, known_imo)
    return add_observations(store.path, table, store.lock_timeout)


def vessel_profile(engine: Engine, key: int, watchlist: str,
                   weights: Any = None) -> dict[str, Any]:
    """Everything the store knows of one vessel, by MMSI (9 digits) or IMO (7 digits):
    its identities over time, events by type, screening hits, risk profile and cases."""
    from vesselwatch.cases.risk import RiskWeights, risk_profile
    from vesselwatch.store.screening import read_hits

    store = engine.store
    conn = store.connect()
    if 1_000_000 <= key <= 9_999_999:
        found = arrow_table(conn.sql(f"select distinct mmsi from vessel_reports where imo = {key}"))
        mmsis = sorted(found["mmsi"].to_pylist())
    else:
        mmsis = [key]
    if not mmsis:
        raise InputError(f"no vessel reported IMO {key} in {store.path}")
    in_list = ", ".join(str(m) for m in mmsis)
    identities = arrow_table(conn.sql(
        "select mmsi, imo, name, callsign, ship_type, min(ts) first_seen, max(ts) last_seen, "
        f"count(*) reports from vessel_reports where mmsi in ({in_list}) group by all "
        "order by first_seen")).to_pylist()
    spans = arrow_table(conn.sql(f"select mmsi, min(ts) first_seen, max(ts) last_seen, count(*) "
                            f"positions from positions where mmsi in ({in_list}) "
                            "group by mmsi")).to_pylist()
    if not identities and not spans:
        raise InputError(f"MMSI {key} is not in {store.path}; vesselwatch info lists what is")
    events = store.events().to_pylist() if store.detection() is not None else []
    hits_table = read_hits(store.path)
    hits = hits_table.to_pylist() if hits_table is not None else []
    risky = risky_vessels(events, hits)
    watched = watched_ports(watchlist)
    weights = weights or RiskWeights()
    counts: dict[str, int] = {}
    for e in events:
        if e["mmsi"] in mmsis:
            counts[e["event_type"]] = counts.get(e["event_type"], 0) + 1
    cases = [c for c in engine.cases(watchlist=watchlist).to_pylist() if c["mmsi"] in mmsis] \
        if events else []
    return {
        "key": key, "mmsis": mmsis, "identities": identities, "positions": spans,
        "events": dict(sorted(counts.items())),
        "hits": [h for h in hits if h["mmsi"] in mmsis],
        "risk": [risk_profile(m, events, hits, watched, risky - {m}, weights) for m in mmsis],
        "cases": [{k: c[k] for k in ("case_id", "likelihood", "hypothesis")} for c in cases],
    }
