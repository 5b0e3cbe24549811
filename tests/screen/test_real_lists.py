"""Screening against the real lists in the data folder: every DPRK-programme vessel with an
IMO is found wherever its IMO appears; listed IMOs under other names are sanctioned, listed
names under other IMOs only leads; a common name alone is a weak lead."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from vesselwatch.reference.sanctions import load_sanctions
from vesselwatch.screen import identity_features, screen_identities

T1 = datetime(2024, 9, 1, tzinfo=UTC)
T2 = datetime(2024, 10, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def lists(data_dir: Path) -> Any:
    return load_sanctions([
        data_dir / "sanctions_ofac_sdn_2021",
        data_dir / "sanctions_un_consolidated" / "UN_consolidated.xml",
        data_dir / "sanctions_eu_vessels_opensanctions" / "32014R0833.csv",
        data_dir / "sanctions_eu_vessels_opensanctions" / "32017R1509.csv"])


def vessels(lists: Any, predicate: Any) -> list[dict[str, Any]]:
    """Designated vessels of the lists (entity rows with their IMO and names)."""
    ents = {e["entity_id"]: e for e in lists.entities.to_pylist()
            if e["schema"] == "Vessel" and e["designated"] and predicate(e)}
    out: dict[str, dict[str, Any]] = {}
    for f in lists.features.to_pylist():
        e = ents.get(f["entity_id"])
        if e is None:
            continue
        row = out.setdefault(f["entity_id"], {**e, "imos": set(), "names": set()})
        if f["feature"] == "imo":
            row["imos"].add(f["value"])
        elif f["feature"] == "name" and not f["former"]:
            row["names"].add(f["raw"])
    return list(out.values())


def screen(lists: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    reports = pa.Table.from_pylist([{**r, "first_ts": T1, "last_ts": T2, "reports": 1}
                                    for r in rows])
    spans = pa.Table.from_pylist([{"mmsi": r["mmsi"], "first_ts": T1, "last_ts": T2}
                                  for r in rows])
    hits: list[dict[str, Any]] = screen_identities(identity_features(reports, spans),
                                                   lists.entities, lists.features).to_pylist()
    return hits


def raw_dprk_imos(data_dir: Path) -> set[str]:
    """The DPRK-programme vessel IMOs, read straight from the files with the csv module:
    OFAC vessel rows of a DPRK programme (IMO in Remarks) and the EU DPRK table's vessels."""
    import csv
    import re

    out = set()
    with open(data_dir / "sanctions_ofac_sdn_2021" / "sdn.csv", encoding="latin-1") as f:
        for row in csv.reader(f):
            if len(row) == 12 and row[2].strip() == "vessel" and "DPRK" in row[3]:
                out.update(re.findall(r"IMO (\d{7})", row[11]))
    with open(data_dir / "sanctions_eu_vessels_opensanctions" / "32017R1509.csv",
              encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            if rec["schema"] == "Vessel" and re.fullmatch(r"\d{7}", rec["imoNumber"] or ""):
                out.add(rec["imoNumber"])
    return out


def test_every_dprk_vessel_with_an_imo_is_found_wherever_its_imo_appears(
        lists: Any, data_dir: Path) -> None:
    dprk = vessels(lists, lambda e: "PRK" in (e["programme"] or "")
                   or "DPRK" in (e["programme"] or ""))
    imos = sorted({imo for v in dprk for imo in v["imos"]})
    assert set(imos) == raw_dprk_imos(data_dir)
    rows = [{"mmsi": 600_000_000 + i, "imo": int(imo), "name": f"NO SUCH SHIP {i}",
             "callsign": None} for i, imo in enumerate(imos)]
    hits = screen(lists, rows)
    found = {h["mmsi"] for h in hits if h["tier"] == "sanctioned"}
    missed = [r["imo"] for r in rows if r["mmsi"] not in found]
    assert not missed
    assert all("imo" in {m["feature"] for m in json.loads(h["matched"])}
               for h in hits if h["tier"] == "sanctioned")


def test_the_four_eu_listed_ships_under_other_names_and_mmsis(lists: Any) -> None:
    ships = {9179842: "Angara", 8517839: "Maria", 9161003: "Lady R", 9358010: "Maia-1"}
    rows = [{"mmsi": 667_000_001 + i, "imo": imo, "name": "CAPE FORTUNE", "callsign": None}
            for i, imo in enumerate(ships)]
    hits = [h for h in screen(lists, rows) if h["tier"] == "sanctioned"]
    by_imo = {json.loads(h["matched"])[0]["seen"]: h for h in hits}
    for imo, name in ships.items():
        hit = by_imo[str(imo)]
        assert (hit["entity_name"], hit["listed_on"], hit["programme"]) == (
            name, date(2024, 6, 25), "EU-RUS")
        assert hit["seen_after_listing"] is True
        assert "whatever its name" in hit["explanation"]


def test_every_listed_vessel_imo_under_another_name_and_mmsi_is_sanctioned(lists: Any) -> None:
    imos = sorted({imo for v in vessels(lists, lambda e: True) for imo in v["imos"]})
    assert len(imos) > 1000  # OFAC 400, EU Russia 632, EU DPRK 60 (distinct, overlapping)
    rows = [{"mmsi": 400_000_000 + i, "imo": int(imo), "name": "CAPE FORTUNE",
             "callsign": None} for i, imo in enumerate(imos)]
    hits = screen(lists, rows)
    found = {h["mmsi"] for h in hits if h["tier"] == "sanctioned"}
    assert [r["imo"] for r in rows if r["mmsi"] not in found] == []
    # OFAC names the owner of most of its vessels (376 of 406): the hits carry them
    owned = [h for h in hits if h["source"] == "ofac_sdn" and h["owners"]]
    assert len(owned) >= 300
    assert all(o["entity_id"].startswith("ofac-") for h in owned for o in json.loads(h["owners"]))


def test_every_listed_name_under_another_imo_is_a_lead_never_sanctioned(lists: Any) -> None:
    assert "9300001" not in set(lists.features["value"].to_pylist())  # a clean IMO
    names = sorted({n for v in vessels(lists, lambda e: True) for n in v["names"]})
    rows = [{"mmsi": 300_000_000 + i, "imo": 9300001, "name": n, "callsign": None}
            for i, n in enumerate(names)]
    hits = screen(lists, rows)
    assert {h["tier"] for h in hits} == {"lead"}
    led = {h["mmsi"] for h in hits}
    from vesselwatch.model.sanctions import normalise_name

    too_short = [r["name"] for r in rows if len(normalise_name(r["name"])) < 3]
    assert [r["name"] for r in rows if r["mmsi"] not in led] == too_short


def test_a_clean_vessel_sharing_only_a_common_name(lists: Any) -> None:
    hits = screen(lists, [{"mmsi": 248_000_001, "imo": 9300001, "name": "MARIA",
                           "callsign": None}])
    assert hits and all(h["tier"] == "lead" and h["common_name"] for h in hits)
    assert max(h["score"] for h in hits) <= 0.45
    assert pc.sum(pa.array([h["entity_name"] == "Maria" for h in hits])).as_py() >= 1


def test_real_us_ais_finds_a_tanker_the_eu_listed_five_years_later(
        tmp_path: Path, data_dir: Path) -> None:
    """The NY Harbor first hour of 30 June 2020 (NOAA MarineCadastre) against the EU Russia
    table: the Marshall Islands tanker TARGALE broadcast IMO 9323340, the IMO of the
    vessel the EU listed on 24 October 2025 as TRANQUIL SEA. The only sanctioned hit; seen
    long before the listing."""
    from vesselwatch.engine import Engine

    engine = Engine(tmp_path / "store")
    engine.ingest([data_dir / "ais_tracks_marinecadastre_tracktable" /
                   "NYHarbor_2020_06_30_first_hour.csv"])
    report = engine.screen([data_dir / "sanctions_eu_vessels_opensanctions" / "32014R0833.csv"],
                           watchlist=None)
    (hit,) = [h for h in report.hits if h["tier"] == "sanctioned"]
    assert (hit["mmsi"], hit["vessel_name"], hit["entity_name"]) == (538002775, "TARGALE",
                                                                      "TRANQUIL SEA")
    assert hit["listed_on"] == date(2025, 10, 24) and hit["seen_after_listing"] is False
    assert "Last seen 2020-06-30, before the listing" in hit["explanation"]
    assert all(h["tier"] == "lead" for h in report.hits if h is not hit)
