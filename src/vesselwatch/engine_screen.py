"""The engine's screening run: gather every vessel identity the store saw, read the lists
and the watchlist's vessels, screen (``vesselwatch.screen``), and keep the hits in the
store (``docs/screening.md``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from vesselwatch.errors import InputError

if TYPE_CHECKING:
    from vesselwatch.engine import Engine
    from vesselwatch.screen.matching import ScreenParams

__all__ = ["ScreenReport", "arrow_table", "screen_store"]


@dataclass
class ScreenReport:
    """The summary ``vesselwatch screen`` prints (and its ``--json`` twin)."""

    store: str
    vessels: int  # MMSIs screened
    identities: int  # (mmsi, feature, value) rows screened
    entities: int  # sanctions and watchlist entities screened against
    lists: dict[str, Any]  # per source: what was read
    unusable: int  # list records that could not be used (counted, see lists)
    tiers: dict[str, int]  # hits per tier (false positives left out)
    false_positives: int
    hits: list[dict[str, Any]]
    params: dict[str, Any]
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "seconds": round(self.seconds, 3)}


def arrow_table(relation: Any) -> pa.Table:
    """A DuckDB relation as an Arrow table (``arrow()`` gives a table in DuckDB 1.x and a
    batch reader in 2.x)."""
    result = relation.arrow()
    table: pa.Table = result.read_all() if hasattr(result, "read_all") else result
    return table


def screen_store(engine: Engine, sanctions: list[Path], watchlist: str | None,
            params: ScreenParams) -> ScreenReport:
    from dataclasses import asdict

    from vesselwatch.model.sanctions import SANCTION_ENTITIES, SANCTION_FEATURES, TIERS
    from vesselwatch.reference.watchlist import load_watchlist
    from vesselwatch.screen.identities import identity_features
    from vesselwatch.screen.matching import screen_identities
    from vesselwatch.screen.watched import watchlist_entities
    from vesselwatch.store.screening import false_positives, write_hits

    began = time.perf_counter()
    entities = [SANCTION_ENTITIES.empty_table()]
    features = [SANCTION_FEATURES.empty_table()]
    lists: dict[str, Any] = {}
    unusable = 0
    if sanctions:
        from vesselwatch.reference.sanctions import load_sanctions

        loaded = load_sanctions(sanctions)
        entities.append(loaded.entities)
        features.append(loaded.features)
        lists.update(loaded.counts)
        unusable = sum(loaded.problems["dropped"].to_pylist())
    if watchlist is not None:
        wl = load_watchlist(watchlist)
        w_ent, w_feat = watchlist_entities(wl)
        entities.append(w_ent)
        features.append(w_feat)
        lists["watchlist"] = {"name": wl.name, "vessels": w_ent.num_rows}
    if not sanctions and watchlist is None:
        raise InputError("nothing to screen against: give sanctions lists (--sanctions FILE, "
                         "or vesselwatch reference download) or a watchlist")
    store = engine.store
    conn = store.connect()
    reports = arrow_table(conn.sql(
        "select mmsi, imo, name, callsign, ship_type, min(ts) first_ts, max(ts) last_ts, "
        "count(*) reports from vessel_reports group by all"))
    spans = arrow_table(conn.sql("select mmsi, min(ts) first_ts, max(ts) last_ts from positions "
                            "group by mmsi"))
    identities = identity_features(reports, spans)
    starts: dict[int, list[datetime]] = {}
    if store.detection() is not None:
        for m, t in zip(*store.events().select(["mmsi", "start_ts"]).to_pydict().values()):
            starts.setdefault(m, []).append(t)
    marks = {k: v.get("note", "") for k, v in false_positives(store.path).items()}
    ent = pa.concat_tables(entities)
    hits = screen_identities(identities, ent, pa.concat_tables(features), params=params,
                             event_starts=starts, false_positives=marks)
    run = {"screened_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "sanctions": [str(p) for p in sanctions], "watchlist": watchlist,
           "params": {k: sorted(v) if isinstance(v, frozenset) else v
                      for k, v in asdict(params).items()},
           "hits": hits.num_rows}
    write_hits(store.path, hits, run, store.lock_timeout)
    rows = hits.to_pylist()
    tiers = {t: sum(1 for h in rows if h["tier"] == t and not h["false_positive"])
             for t in TIERS}
    return ScreenReport(
        store=str(store.path), vessels=len(set(identities["mmsi"].to_pylist())),
        identities=identities.num_rows, entities=ent.num_rows, lists=lists,
        unusable=unusable, tiers=tiers,
        false_positives=sum(1 for h in rows if h["false_positive"]),
        hits=rows, params=run["params"], seconds=time.perf_counter() - began)
