"""Screening speed: 100k vessel identities against every list in the data folder.

The identities are synthetic and deterministic (``--seed``): ``--vessels`` MMSIs, each with
one to three names drawn from a vocabulary of ship-name words, an IMO number (valid check
digit) and a call sign; among them, planted, every listed vessel's IMO under another name
and MMSI, and every listed vessel name under another IMO. The lists are those of
``$VESSELWATCH_DATA`` (OFAC SDN 2021, the UN consolidated XML, the two EU tables).

Timed, in this process, each step once: reading the lists, building the identity table,
screening (exact joins and fuzzy names). The baseline, named and measured in the same run:
the obvious implementation, a Python loop over identities comparing each name to every
listed vessel name with ``rapidfuzz.fuzz.ratio`` and looking IMOs and MMSIs up in dicts,
run on a slice of ``--baseline-slice`` vessels and given per identity; the ratio is the
baseline's time per identity over vesselwatch's.

Run: ``python bench/screen.py --vessels 100000 --json screen.json``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORDS = ("OCEAN", "STAR", "PACIFIC", "GLORY", "SEA", "WIND", "NORTH", "SUN", "BLUE", "GOLDEN",
         "EAGLE", "ISLAND", "CAPE", "TRADER", "SPIRIT", "PRIDE", "HARMONY", "VENTURE",
         "FORTUNE", "BRIGHT", "EAST", "WEST", "ORIENT", "PEARL", "LUCKY", "HOPE", "DAWN",
         "RIVER", "BAY", "MARU", "EXPRESS", "LEADER", "PIONEER", "ATLAS", "NOVA", "AURORA")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vessels", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--baseline-slice", type=int, default=2_000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    data = Path(os.environ.get("VESSELWATCH_DATA", HERE.parent.parent / "shared" / "data"))
    lists = [data / "sanctions_ofac_sdn_2021", data / "sanctions_un_consolidated" /
             "UN_consolidated.xml", data / "sanctions_eu_vessels_opensanctions" / "32014R0833.csv",
             data / "sanctions_eu_vessels_opensanctions" / "32017R1509.csv"]
    missing = [str(p) for p in lists if not p.exists()]
    if missing:
        print(f"no lists at {', '.join(missing)}: set VESSELWATCH_DATA", file=sys.stderr)
        return 2

    from vesselwatch.reference.sanctions import load_sanctions
    from vesselwatch.screen import identity_features, screen_identities

    t0 = time.perf_counter()
    loaded = load_sanctions(lists)
    t_load = time.perf_counter() - t0
    reports, spans, planted = _identities(loaded, args.vessels, args.seed)
    t0 = time.perf_counter()
    ident = identity_features(reports, spans)
    t_ident = time.perf_counter() - t0
    t0 = time.perf_counter()
    hits = screen_identities(ident, loaded.entities, loaded.features)
    t_screen = time.perf_counter() - t0
    found = {(h["mmsi"], h["tier"]) for h in hits.select(["mmsi", "tier"]).to_pylist()}
    imo_found = sum((m, "sanctioned") in found or (m, "risk") in found
                    for m in planted["imo"])
    name_found = sum((m, "lead") in found for m in planted["name"])

    n_base = min(args.baseline_slice, args.vessels)
    t0 = time.perf_counter()
    _baseline(reports.slice(0, n_base * 2), loaded)
    t_base = time.perf_counter() - t0
    per_base = t_base / n_base
    per_ours = (t_ident + t_screen) / args.vessels
    result: dict[str, Any] = {
        "vessels": args.vessels, "identity_rows": ident.num_rows,
        "entities": loaded.entities.num_rows, "features": loaded.features.num_rows,
        "seconds": {"load_lists": round(t_load, 2), "identities": round(t_ident, 2),
                    "screen": round(t_screen, 2),
                    "total": round(t_load + t_ident + t_screen, 2)},
        "hits": dict(sorted({t: sum(1 for _, x in found if x == t)
                             for t in ("sanctioned", "risk", "lead")}.items())),
        "planted_imo_found": f"{imo_found}/{len(planted['imo'])}",
        "planted_name_found": f"{name_found}/{len(planted['name'])}",
        "baseline": {"what": "Python loop, rapidfuzz.fuzz.ratio per name pair, dict lookups",
                     "vessels": n_base, "seconds": round(t_base, 2),
                     "per_vessel_ms": round(per_base * 1000, 3)},
        "vesselwatch_per_vessel_ms": round(per_ours * 1000, 4),
        "ratio": round(per_base / per_ours, 1),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def _identities(loaded: Any, n: int, seed: int) -> tuple[Any, Any, dict[str, list[int]]]:
    import pyarrow as pa

    from vesselwatch.model.imo import imo_check_digit

    rnd = random.Random(seed)
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    feats = loaded.features.to_pylist()
    listed_imos = sorted({f["value"] for f in feats if f["feature"] == "imo"})
    listed_names = sorted({f["raw"] for f in feats if f["feature"] == "name"
                           and f["entity_id"] in set(loaded.entities.filter(
                               pa.compute.equal(loaded.entities["schema"], "Vessel"))
                               ["entity_id"].to_pylist())})
    rows = []
    planted: dict[str, list[int]] = {"imo": [], "name": []}
    for i in range(n):
        mmsi = 200_000_000 + i * 7919 % 599_999_999
        base = rnd.randrange(100_000, 999_999)
        imo = base * 10 + imo_check_digit(base)
        names = [" ".join(rnd.sample(WORDS, rnd.choice((1, 2, 2, 3))))
                 for _ in range(rnd.choice((1, 1, 2, 3)))]
        if i < len(listed_imos):  # a listed IMO under another name and MMSI
            imo = int(listed_imos[i])
            planted["imo"].append(mmsi)
        elif i < len(listed_imos) + len(listed_names):  # a listed name under another IMO
            names = [listed_names[i - len(listed_imos)]]
            planted["name"].append(mmsi)
        for k, name in enumerate(names):
            rows.append({"mmsi": mmsi, "imo": imo, "name": name,
                         "callsign": f"X{rnd.randrange(10**5):05d}",
                         "first_ts": t0 + timedelta(days=30 * k),
                         "last_ts": t0 + timedelta(days=30 * k + 29), "reports": 100})
    reports = pa.Table.from_pylist(rows)
    spans = reports.group_by("mmsi").aggregate([("first_ts", "min"), ("last_ts", "max")]) \
        .rename_columns(["mmsi", "first_ts", "last_ts"])
    return reports, spans, planted


def _baseline(reports: Any, loaded: Any) -> int:
    from rapidfuzz import fuzz

    from vesselwatch.model.sanctions import normalise_name

    by_imo: dict[str, str] = {}
    by_mmsi: dict[str, str] = {}
    names: list[tuple[str, str]] = []
    for f in loaded.features.to_pylist():
        if f["feature"] == "imo":
            by_imo[f["value"]] = f["entity_id"]
        elif f["feature"] == "mmsi":
            by_mmsi[f["value"]] = f["entity_id"]
        elif f["feature"] == "name":
            names.append((f["value"], f["entity_id"]))
    hits = 0
    for r in reports.to_pylist():
        hits += str(r["imo"]) in by_imo
        hits += f"{r['mmsi']:09d}" in by_mmsi
        name = normalise_name(r["name"])
        hits += sum(1 for listed, _ in names if fuzz.ratio(name, listed) >= 90)
    return hits


if __name__ == "__main__":
    sys.exit(main())
