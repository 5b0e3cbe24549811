"""A watchlist's vessels as screening entities: the analyst's own list beside the official
ones. A watched vessel is not a designation: an IMO match on one is a **risk** (the
watchlist's reason says why it is watched), a name a **lead** (``docs/screening.md``)."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
from followthemoney import model

from vesselwatch.model.sanctions import (
    SANCTION_ENTITIES,
    SANCTION_FEATURES,
    normalise_callsign,
    normalise_imo,
    normalise_mmsi,
    normalise_name,
)
from vesselwatch.reference.watchlist import Watchlist

__all__ = ["watchlist_entities"]


def watchlist_entities(watchlist: Watchlist) -> tuple[pa.Table, pa.Table]:
    """(entities, features) of the watchlist's vessels (schemas of ``model.sanctions``)."""
    entities: list[dict[str, Any]] = []
    features: list[dict[str, Any]] = []
    for n, v in enumerate(watchlist.vessels):
        entity_id = f"watchlist-{watchlist.name}-{n + 1}"
        proxy = model.make_entity("Vessel")
        proxy.id = entity_id
        caption = str(v.get("name") or v.get("imo") or v.get("mmsi"))
        proxy.add("name", caption)
        for key, prop in (("imo", "imoNumber"), ("mmsi", "mmsi"), ("callsign", "callSign"),
                          ("flag", "flag")):
            if v.get(key) is not None:
                proxy.add(prop, str(v[key]))
        for former in v.get("former_names", []):
            proxy.add("previousName", former)
        proxy.add("notes", v.get("reason", ""))
        entities.append({
            "entity_id": entity_id, "schema": "Vessel", "caption": caption,
            "source": "watchlist", "list_name": f"watchlist {watchlist.name}",
            "programme": None, "listed_on": None, "delisted_on": None, "as_of": None,
            "record_id": str(n + 1), "designated": False, "owner_ids": [],
            "reason": v.get("reason"), "ftm": json.dumps(proxy.to_dict(), ensure_ascii=False),
        })

        def feature(kind: str, value: str | None, raw: Any, former: bool = False,
                    entity_id: str = entity_id) -> None:
            if value:
                features.append({"entity_id": entity_id, "feature": kind, "value": value,
                                  "raw": str(raw), "former": former})

        feature("imo", normalise_imo(v.get("imo")), v.get("imo"))
        feature("mmsi", normalise_mmsi(v.get("mmsi")), v.get("mmsi"))
        if v.get("name"):
            feature("name", normalise_name(str(v["name"])), v["name"])
        for former in v.get("former_names", []):
            feature("name", normalise_name(str(former)), former, True)
        if v.get("callsign"):
            feature("callsign", normalise_callsign(str(v["callsign"])), v["callsign"])
        if v.get("flag"):
            feature("flag", str(v["flag"]).lower(), v["flag"])
    return (pa.Table.from_pylist(entities, schema=SANCTION_ENTITIES),
            pa.Table.from_pylist(features, schema=SANCTION_FEATURES))
