"""One paragraph per hit, in words a compliance officer can sign: what the vessel broadcast,
what the list says, which tier that makes and why, and whether it sailed after the
listing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

__all__ = ["explain"]

_WHY = {
    "sanctioned": "sanctioned: the IMO number is that of a listed vessel, whatever its name",
    "risk_owner": ("risk: the IMO number is that of a vessel whose owner or operator is "
                   "listed; the vessel itself is not"),
    "risk_mmsi": ("risk: the MMSI alone matches a listed vessel; MMSIs are reissued, so this "
                  "is not proof of identity"),
    "risk_watched": ("risk: the IMO number is that of a vessel on the watchlist, the analyst's "
                     "own list, not an official designation"),
    "lead": ("lead: a name or call sign alone matches; names are not identities, so this is "
             "never a sanction finding without an IMO"),
}


def explain(hit: dict[str, Any], found: list[dict[str, Any]], *, imo_valid: bool,
            types: tuple[set[str], set[str]] | None = None) -> str:
    """The explanation of one hit (a row of ``SCREENING_HITS`` being built). ``types``:
    (the AIS ship categories, the listed ones) when they differ."""
    parts = [f"MMSI {hit['mmsi']}" + (f" ({hit['vessel_name']})" if hit["vessel_name"] else "")]
    seen = []
    for m in found:
        what = {"imo": "IMO", "mmsi": "MMSI", "name": "name", "callsign": "call sign",
                "flag": "flag", "type": "ship type"}[m["feature"]]
        listed = f"{'former ' if m['former'] else ''}{what} {m['listed']}"
        if m["feature"] == "name" and m["similarity"] < 1:
            seen.append(f"broadcast the name {m['seen']}, {m['similarity']:.0%} like the listed "
                        f"{listed}")
        elif m["feature"] == "flag":
            seen.append(f"flies the listed flag {m['listed']}")
        elif m["feature"] == "type":
            seen.append(f"is a {m['listed']} vessel, as listed")
        else:
            seen.append(f"broadcast {what} {m['seen']} = listed {listed}")
    parts.append("; ".join(seen))
    listing = f"{hit['entity_name']} ({hit['entity_schema']}) on the {hit['list_name']}"
    if hit["programme"]:
        listing += f", programme {hit['programme']}"
    if hit["listed_on"]:
        listing += f", listed {_day(hit['listed_on'])}"
    if hit["as_of"]:
        listing += f" (list as of {_day(hit['as_of'])})"
    parts.append(listing)
    kinds = {m["feature"] for m in found}
    key = hit["tier"]
    if key == "risk":
        key = ("risk_mmsi" if "imo" not in kinds else
               "risk_watched" if hit["source"] == "watchlist" else "risk_owner")
    why = _WHY[key]
    if hit["source"] == "watchlist" and hit.get("reason"):
        why += f" (watched because: {' '.join(hit['reason'].split())})"
    if "imo" in kinds and not imo_valid:
        why += "; note: the IMO fails its check digit"
    if hit["common_name"]:
        why += "; the name is common, so a name match says little"
    if types is not None:
        why += (f"; the kinds differ (AIS: {', '.join(sorted(types[0]))}; listed: "
                f"{', '.join(sorted(types[1]))})")
    parts.append(why)
    if hit["seen_after_listing"] is not None:
        if hit["seen_after_listing"]:
            parts.append(f"seen after the listing (last {_day(hit['last_seen'])}; "
                         f"{hit['events_after_listing']} events since)")
        else:
            parts.append(f"last seen {_day(hit['last_seen'])}, before the listing")
    text = ". ".join(p[0].upper() + p[1:] for p in parts if p) + "."
    return text


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "?"
    return value.strftime("%Y-%m-%d")
