"""``vesselwatch demo``: the flagship scenario from nothing to findings, and the store rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vesselwatch.cli import EXIT_OK, EXIT_USER, main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    store = tmp_path_factory.mktemp("demo") / "store"
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["demo", "--store", str(store), "--json"]) == EXIT_OK
    return store, json.loads(buf.getvalue())


def test_the_shuttles_between_watched_ports_are_found(demo: tuple[Path, dict[str, Any]]) -> None:
    _, report = demo
    by_name = {v["name"]: v for v in report["shuttles"]}
    assert {"ANGARA", "MARIA", "MAIA-1", "LADY R"} <= set(by_name)
    angara = by_name["ANGARA"]
    # loads at Najin, delivers to Dunai, AIS off on every leg: inferred dark voyages
    assert {(leg["from"], leg["to"]) for leg in angara["legs"]} == {("Najin", "Dunai"),
                                                                     ("Dunai", "Najin")}
    # each leg seen twice: by its port calls and as a dark voyage inferred from the gap
    assert all(leg["seen"] == "port calls + gap" for leg in angara["legs"])
    assert all(9 <= leg["dark_h"] <= 12 for leg in angara["legs"])
    assert angara["dark_hours"] > 24
    maria = {(leg["from"], leg["to"]) for leg in by_name["MARIA"]["legs"]}
    assert ("Vostochnyy", "Najin") in maria and ("Najin", "Vostochnyy") in maria
    # the ferries, container ships and fishing boats never touch a watched pair
    assert all(v["mmsi"] // 1_000_000 in (273, 667) for v in report["shuttles"])


def test_the_transfer_the_reflagging_and_the_spoofing_are_shown(
        demo: tuple[Path, dict[str, Any]]) -> None:
    _, report = demo
    (sts,) = report["encounters"]
    assert {sts["name"], sts["other_name"]} == {"LADY R", "MAIA-1"}
    assert 200 <= sts["median_distance_m"] <= 500  # alongside, a few hundred metres apart
    assert sts["start"] == "2023-09-08 14:00"
    kinds = {(c["mmsi"], c["kind"]) for c in report["identity_changes"]}
    assert (667001234, "flag_change") in kinds
    (moved,) = [c for c in report["identity_changes"] if c["kind"] == "flag_change"]
    assert moved["what"] == "IMO 9358010 moved from MMSI 273310400 (MID 273) to MID 667"
    assert [(s["name"], s["kind"]) for s in report["spoofing"]] == [("MARIA", "two_places")]


def test_the_detections_reach_the_target_against_the_truth(
        demo: tuple[Path, dict[str, Any]]) -> None:
    _, report = demo
    for row in report["accuracy"]:
        assert row["precision"] is None or row["precision"] >= 0.95, row
        assert row["recall"] is None or row["recall"] >= 0.95, row
    assert {r["event_type"] for r in report["accuracy"]} >= {
        "gap", "port_visit", "encounter", "dark_voyage", "voyage", "spoofing",
        "identity_change", "loitering"}
    assert report["ingested"]["rejects"] and report["ingested"]["duplicates"]


def test_other_commands_run_on_the_demo_store(demo: tuple[Path, dict[str, Any]],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    store, report = demo
    capsys.readouterr()
    assert main(["events", "--store", str(store), "--type", "dark_voyage", "--format",
                 "json"]) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["event_type"] == "dark_voyage" for r in rows)
    assert Path(report["truth"]).is_file()


def test_the_demo_refuses_a_folder_it_did_not_create(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "case.txt").write_text("mine")
    assert main(["demo", "--store", str(foreign)]) == EXIT_USER
    assert "did not create it" in capsys.readouterr().err
    assert (foreign / "case.txt").read_text() == "mine"


def test_the_demo_rebuilds_its_own_store(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "from-env"
    monkeypatch.setenv("VESSELWATCH_STORE", str(store))
    for _ in range(2):  # the second run replaces the first demo store
        capsys.readouterr()
        assert main(["demo", "--days", "1", "--json"]) == EXIT_OK
        report = json.loads(capsys.readouterr().out)
        assert Path(report["store"]) == store
    assert json.loads((store / "demo.json").read_text())["created_by"] == "vesselwatch demo"
    assert report["ingested"]["positions"] > 0  # not "already ingested": a fresh store


def test_the_fleet_is_screened_against_the_watchlist(demo: tuple[Path, dict[str, Any]]) -> None:
    _, report = demo
    by_vessel = {(h["vessel_name"], h["entity_name"]): h for h in report["screening"]}
    listed = {"ANGARA": "Angara", "MARIA": "Maria", "LADY R": "Lady R", "MAIA-1": "Maia-1"}
    for vessel, name in listed.items():  # watched, not designated: risk, IMO and name agree
        hit = by_vessel[(vessel, name)]
        assert hit["tier"] == "risk" and hit["score"] == 1.0
    # the reflagged MAIA-1 keeps its IMO under its new MMSI and name
    assert by_vessel[("MAYA", "Maia-1")]["mmsi"] == 667001234
    assert len(report["screening"]) == 5  # no background vessel is a hit


def test_a_false_positive_mark_survives_a_new_screening(
        demo: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    store, report = demo
    maya = next(h for h in report["screening"] if h["mmsi"] == 667001234)
    capsys.readouterr()
    assert main(["mark-false-positive", maya["hit_id"], "--store", str(store),
                 "--note", "checked: renamed, not the listed ship"]) == EXIT_OK
    assert main(["screen", "--store", str(store), "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    (again,) = [h for h in data["hits"] if h["hit_id"] == maya["hit_id"]]
    assert again["false_positive"] is True
    assert again["false_positive_note"] == "checked: renamed, not the listed ship"
    assert data["false_positives"] == 1 and data["tiers"]["risk"] == 4
    assert main(["mark-false-positive", maya["hit_id"], "--store", str(store),
                 "--undo"]) == EXIT_OK
    assert main(["mark-false-positive", "0000000000000000", "--store", str(store)]) == EXIT_USER


def test_with_the_real_lists_the_four_ships_are_sanctioned(
        tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    eu = data_dir / "sanctions_eu_vessels_opensanctions"
    capsys.readouterr()
    assert main(["demo", "--store", str(tmp_path / "d"), "--days", "2", "--json",
                 "--sanctions", str(eu / "32014R0833.csv"),
                 "--sanctions", str(eu / "32017R1509.csv"),
                 "--sanctions", str(data_dir / "sanctions_ofac_sdn_2021")]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    sanctioned = {h["vessel_name"]: h for h in report["screening"]
                  if h["tier"] == "sanctioned"}
    assert set(sanctioned) == {"ANGARA", "MARIA", "LADY R", "MAIA-1"}
    for hit in sanctioned.values():
        assert hit["programme"] == "EU-RUS" and hit["listed_on"] == "2024-06-25"
        assert "before the listing" in hit["explanation"]  # the scenario is in 2023
    assert "eu/32014R0833.csv" in report["screened_against"]


def test_every_true_shuttle_leg_is_a_case_and_no_background_vessel_is(
        demo: tuple[Path, dict[str, Any]]) -> None:
    from vesselwatch.engine import Engine
    from vesselwatch.engine_cases import watched_ports

    store, report = demo
    truth = Path(report["scenario_dir"]) / "truth"
    ports = {"najin": "KPRJN", "dunai": "WL-DUNAI", "vostochny": "RUVYP"}
    country = {p: v["country"] for p, v in watched_ports("dprk-russia").items()}
    vessels = [json.loads(x) for x in (truth / "vessels.jsonl").read_text().splitlines()]
    mmsis = {v["mmsi"]: {i["mmsi"] for i in v["identities"]} for v in vessels}
    end = datetime(2023, 9, 14, tzinfo=UTC)  # 7 days from the scenario's start
    legs = []
    for s in (json.loads(x) for x in (truth / "steps.jsonl").read_text().splitlines()):
        a, b = ports.get(s.get("from") or ""), ports.get(s["place"] or "")
        arrived = datetime.fromisoformat(s["end_ts"].replace("Z", "+00:00"))
        if s["step"] == "sail" and a and b and a != b and arrived < end \
                and not (country[a] and country[a] == country[b]):
            legs.append((s["mmsi"], a, b, arrived))
    assert len(legs) >= 12
    cases = Engine(store).cases().to_pylist()
    for mmsi, a, b, arrived in legs:
        assert any(c["mmsi"] in mmsis[mmsi] and (c["origin_port_id"], c["dest_port_id"]) == (a, b)
                   and abs((c["arrived_ts"] - arrived).total_seconds()) < 3 * 3600
                   for c in cases), (mmsi, a, b, arrived)
    shuttles = {m for v in vessels if v["role"] == "shuttle" for m in mmsis[v["mmsi"]]}
    assert {c["mmsi"] for c in cases} <= shuttles
    assert sum(c["case_kind"] == "leg" for c in cases) == len(legs)
    # the ship-to-ship transfer: MAIA-1 from Najin hands over to LADY R, who lands at Dunai
    chains = {(c["vessel_name"], c["origin_port_id"], c["dest_port_id"], tuple(c["other_vessels"]))
              for c in cases if c["case_kind"] == "chain"}
    assert ("MAIA-1", "KPRJN", "WL-DUNAI", (273310300,)) in chains
    dossiers = {Path(c["dossier"]).stem for c in report["cases"]}
    assert dossiers == {c["case_id"] for c in cases}
    assert all((store / "dossiers" / f"{d}.html").stat().st_size > 5000 for d in dossiers)
    assert all(c["likelihood_step"] >= 3 for c in cases)  # at least roughly even chance


def test_outside_evidence_raises_a_case_and_a_denial_does_not_lower_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vesselwatch.engine import Engine

    store = tmp_path / "d"
    assert main(["demo", "--store", str(store), "--days", "2", "--json"]) == EXIT_OK
    capsys.readouterr()
    engine = Engine(store)
    (leg,) = [c for c in engine.cases().to_pylist()
              if c["vessel_name"] == "ANGARA" and c["dest_port_id"] == "WL-DUNAI"]
    assert leg["likelihood"] == "likely"  # seen in both ports, dark 10 h inside the leg
    assert main(["observe", "add", "--store", str(store), "--kind", "satellite_image",
                 "--ts", "2023-09-08T06:00:00Z", "--source", "US Government",
                 "--reliability", "B", "--credibility", "2", "--place", "WL-DUNAI",
                 "--claim", "containers being unloaded at Dunai"]) == EXIT_OK
    raised = engine.case(leg["case_id"])
    assert raised["likelihood"] == "very likely"
    assert "+2 US Government (B2): containers being unloaded at Dunai" in raised["reasons"]
    assert main(["observe", "add", "--store", str(store), "--kind", "denial",
                 "--ts", "2023-10-14T00:00:00Z", "--source", "TASS", "--party", "Russia",
                 "--interested", "--reliability", "C", "--credibility", "4", "--mmsi",
                 "273310100", "--claim", "Russia denies receiving arms from the DPRK"]) == EXIT_OK
    denied = engine.case(leg["case_id"])
    assert denied["likelihood"] == "very likely"
    assert [d["party"] for d in denied["denied_by"]] == ["Russia"]
    # an observation naming a vessel the store never saw is refused, and nothing changes
    before = engine.observations().num_rows
    assert main(["observe", "add", "--store", str(store), "--kind", "report", "--ts",
                 "2023-09-08T06:00:00Z", "--source", "x", "--reliability", "B",
                 "--credibility", "2", "--mmsi", "999999999", "--claim", "?"]) == EXIT_USER
    assert "unknown vessel" in capsys.readouterr().err
    assert engine.observations().num_rows == before == 2
