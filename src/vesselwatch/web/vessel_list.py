"""The vessel list: one row per MMSI the store saw, with its latest identity, when it was
seen, how many positions, events and live screening hits it has, and its risk score
(``vesselwatch.cases.risk``, the same profile ``vesselwatch vessel`` shows)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from vesselwatch.web.state import Dashboard

__all__ = ["vessel_rows"]

_POSITIONS_SQL = ("select mmsi, min(ts) as first_seen, max(ts) as last_seen, "
                  "count(*) as positions from positions group by mmsi")
_REPORTS_SQL = (
    "select mmsi, min(ts) as first_seen, max(ts) as last_seen, "
    "arg_max(name, ts) filter (where name is not null and trim(name) <> '') as name, "
    "arg_max(imo, ts) filter (where imo is not null) as imo, "
    "arg_max(callsign, ts) filter (where callsign is not null and trim(callsign) <> '') "
    "as callsign, arg_max(ship_type, ts) filter (where ship_type is not null) as ship_type "
    "from vessel_reports group by mmsi")


def vessel_rows(board: Dashboard) -> list[dict[str, Any]]:
    """Every vessel, riskiest first (then by MMSI); cached per store state."""
    return board.cached("vessel_rows", lambda: _build(board))


def _build(board: Dashboard) -> list[dict[str, Any]]:
    from vesselwatch.cases.risk import RiskWeights, risk_profile
    from vesselwatch.engine_cases import risky_vessels, watched_ports
    from vesselwatch.engine_screen import arrow_table
    from vesselwatch.model.mmsi import mmsi_country
    from vesselwatch.store.screening import read_hits

    store = board.engine.store
    con = store.connect()
    try:
        spans = {r["mmsi"]: r for r in arrow_table(con.sql(_POSITIONS_SQL)).to_pylist()}
        reports = {r["mmsi"]: r for r in arrow_table(con.sql(_REPORTS_SQL)).to_pylist()}
    finally:
        con.close()
    events = store.events().to_pylist() if store.detection() is not None else []
    hits_table = read_hits(store.path)
    hits = hits_table.to_pylist() if hits_table is not None else []
    by_vessel: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        by_vessel[e["mmsi"]].append(e)
    hits_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for h in hits:
        hits_of[h["mmsi"]].append(h)
    risky = risky_vessels(events, hits)
    watched = watched_ports(board.watchlist) if events or hits else {}
    weights = RiskWeights()
    mmsis = sorted(set(spans) | set(reports))
    flags = dict(zip(mmsis, mmsi_country(mmsis).tolist() if mmsis else []))
    rows: list[dict[str, Any]] = []
    for m in mmsis:
        span, report = spans.get(m), reports.get(m) or {}
        seen = span or report
        mine, listed = by_vessel.get(m, []), hits_of.get(m, [])
        profile = risk_profile(m, mine, listed, watched, risky - {m}, weights) \
            if mine or listed else {"score": 0.0, "level": "low"}
        rows.append({
            "mmsi": m, "name": report.get("name"), "imo": report.get("imo"),
            "callsign": report.get("callsign"), "ship_type": report.get("ship_type"),
            "flag": flags.get(m), "first_seen": seen["first_seen"],
            "last_seen": seen["last_seen"], "positions": span["positions"] if span else 0,
            "events": len(mine), "hits": sum(1 for h in listed if not h["false_positive"]),
            "risk_level": profile["level"], "risk_score": profile["score"],
        })
    rows.sort(key=lambda r: (-r["risk_score"], r["mmsi"]))
    return rows
