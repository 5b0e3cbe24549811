"""`vesselwatch detect` and `vesselwatch events` end to end on a store ingested from Parquet.

The scenario, worked out by hand: a Russian-flagged ship sits in Najin (Rajin) for 6 h,
leaves, goes dark 5 nm out and reappears 12 h later 3 nm off Vostochnyy, then sits there;
the packaged dprk-russia watchlist makes both ports watched, so the gap is a dark voyage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from track_builders import HOUR_US, MIN_US, north_m, positions_table, us

from vesselwatch.cli import EXIT_OK, EXIT_USAGE, EXIT_USER, main
from vesselwatch.detect.config import NM_M

T0 = us("2023-09-07T00:00:00")
MMSI = 273_456_780
NAJIN = (42.2333, 130.3)
VOSTOCHNYY = (42.75, 133.0833)


def _rows() -> list:
    rows = []
    for i in range(13):  # 6 h in Najin, a position every 30 min, 500 m from the WPI point
        rows.append((MMSI, T0 + i * 30 * MIN_US, north_m(NAJIN[0], 500.0), NAJIN[1], 0.0))
    for i in range(1, 7):  # out 5 nm south (and 5 nm east) at 10 kn, a position every 5 min
        k = i * 5 * MIN_US * 10 * NM_M / HOUR_US  # metres: 1,543 m a step
        rows.append((MMSI, T0 + 6 * HOUR_US + i * 5 * MIN_US, north_m(NAJIN[0], -k),
                     NAJIN[1] + k / 82_600, 10.0))
    back = T0 + 6 * HOUR_US + 30 * MIN_US + 12 * HOUR_US
    for i in range(9):  # 3 nm south of Vostochnyy, then 500 m off it for 4 h
        lat = north_m(VOSTOCHNYY[0], -3 * NM_M) if i == 0 else north_m(VOSTOCHNYY[0], -500.0)
        rows.append((MMSI, back + i * 30 * MIN_US, lat, VOSTOCHNYY[1], 8.0 if i == 0 else 0.0))
    return rows


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    capsys.readouterr()
    assert main(list(args)) == EXIT_OK
    return json.loads(capsys.readouterr().out)


@pytest.fixture()
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    src = tmp_path / "shuttle.parquet"
    pq.write_table(positions_table(_rows()), src)
    path = str(tmp_path / "store")
    _json(capsys, "ingest", str(src), "--store", path, "--json")
    return path


def test_detect_finds_the_shuttle_and_events_exports_it(store: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    report = _json(capsys, "detect", "--store", store, "--json")
    assert isinstance(report, dict)
    assert report["positions"] == len(_rows()) and report["vessels"] == 1
    assert report["events"]["port_visit"] == 2
    assert report["events"]["gap"] == 1
    assert report["events"]["voyage"] == 1
    assert report["events"]["dark_voyage"] == 1
    assert report["watched_ports"] >= 15
    events = _json(capsys, "events", "--store", store, "--format", "json")
    assert isinstance(events, list)
    kinds = sorted(e["event_type"] for e in events)
    assert kinds.count("port_visit") == 2
    (dark,) = [e for e in events if e["event_type"] == "dark_voyage"]
    assert dark["details"]["origin_port_id"] == "KPRJN" and dark["port_id"] == "RUVYP"
    assert dark["params"]["voyages.max_sog_kn"] == 20.0
    (gap,) = [e for e in events if e["event_type"] == "gap"]
    assert gap["start_ts"].startswith("2023-09-07T06:30:00")
    assert gap["end_ts"].startswith("2023-09-07T18:30:00")
    assert dark["details"]["gap_event_id"] == gap["event_id"]
    # filters: by type, by vessel, by time, by confidence
    only = _json(capsys, "events", "--store", store, "--format", "json", "--type", "gap")
    assert [e["event_id"] for e in only] == [gap["event_id"]]  # type: ignore[union-attr]
    assert _json(capsys, "events", "--store", store, "--format", "json", "--mmsi", "1") == []
    later = _json(capsys, "events", "--store", store, "--format", "json", "--start",
                  "2023-09-07T19:30:00Z")
    assert {e["event_type"] for e in later} == {"port_visit"}  # type: ignore[union-attr]
    # GeoJSON: one point feature per event, at its representative position
    out = tmp_path / "events.geojson"
    assert main(["events", "--store", store, "--format", "geojson", "-o", str(out)]) == EXIT_OK
    fc = json.loads(out.read_text())
    assert len(fc["features"]) == len(events)
    assert all(f["geometry"]["type"] == "Point" for f in fc["features"])
    # Parquet needs a file
    assert main(["events", "--store", store, "--format", "parquet"]) == EXIT_USAGE


def test_detect_again_replaces_the_events_with_the_same_ids(
        store: str, capsys: pytest.CaptureFixture[str]) -> None:
    _json(capsys, "detect", "--store", store, "--json")
    first = _json(capsys, "events", "--store", store, "--format", "json")
    _json(capsys, "detect", "--store", store, "--json")
    second = _json(capsys, "events", "--store", store, "--format", "json")
    assert first == second and len(first) > 0  # type: ignore[arg-type]
    # the file of the previous run stays one run longer, for readers of its snapshot
    assert len(list((Path(store) / "events").iterdir())) == 2
    _json(capsys, "detect", "--store", store, "--json")
    assert len(list((Path(store) / "events").iterdir())) == 2


def test_a_reader_of_the_previous_snapshot_can_still_read_its_events(
        store: str, capsys: pytest.CaptureFixture[str]) -> None:
    from vesselwatch.store import Store
    from vesselwatch.store.events import read_events

    _json(capsys, "detect", "--store", store, "--json")
    s = Store.open(store, create=False)
    before = s.snapshot()
    _json(capsys, "detect", "--store", store, "--json")
    assert read_events(Path(store), before).num_rows == s.events().num_rows > 0


def test_detect_with_a_bad_config_says_which_file_and_field(
        store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "detect.toml"
    bad.write_text("[gaps]\nmin_gap = 8\n")
    capsys.readouterr()
    assert main(["detect", "--store", store, "--config", str(bad)]) == EXIT_USER
    err = capsys.readouterr().err
    assert str(bad) in err.replace("\n", "") and "[gaps] has no parameter 'min_gap'" in err
    capsys.readouterr()
    assert main(["events", "--store", store, "--format", "csv", "--mmsi", "5000000000"]) \
        == EXIT_USER
    assert "at most 9 digits" in capsys.readouterr().err
    assert main(["events", "--store", store, "--format", "csv", "--type", "gaps"]) == EXIT_USER


def test_a_config_changes_what_is_found(store: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "detect.toml"
    cfg.write_text("[gaps]\nmin_gap_h = 13\n")
    report = _json(capsys, "detect", "--store", store, "--config", str(cfg), "--json")
    assert report["events"]["gap"] == 0 and report["events"]["dark_voyage"] == 0  # type: ignore[index]
    assert report["config"]["gaps"]["min_gap_h"] == 13.0  # type: ignore[index]


def test_ports_file_radii_default_to_the_config(store: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    # a user port 6 km south of Najin's WPI point that gives no radius of its own; the ship
    # leaves Najin south-east and passes it at about 4.2 km (6 km / sqrt 2): outside the
    # default 3 km entry radius, inside a 5 km one set in the config
    ports = tmp_path / "ports.csv"
    ports.write_text(f"port_id,name,lat,lon\nXXONE,One,{north_m(NAJIN[0], -6000.0)},{NAJIN[1]}\n")

    def visited(config_text: str) -> set[str]:
        cfg = tmp_path / "detect.toml"
        cfg.write_text(config_text)
        _json(capsys, "detect", "--store", store, "--ports", str(ports), "--config", str(cfg),
              "--json")
        visits = _json(capsys, "events", "--store", store, "--format", "json", "--type",
                       "port_visit")
        return {v["port_id"] for v in visits}  # type: ignore[union-attr]

    assert visited("") == {"KPRJN", "RUVYP"}
    assert visited("[port_visits]\nentry_radius_m = 5000.0\nexit_radius_m = 6000.0\n") == {
        "KPRJN", "RUVYP", "XXONE"}


def test_detect_on_an_empty_store_gives_no_events(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from vesselwatch.store import Store

    path = str(tmp_path / "empty")
    Store.open(path, create=True)
    report = _json(capsys, "detect", "--store", path, "--json")
    assert report["positions"] == 0 and sum(report["events"].values()) == 0  # type: ignore[index]
    assert _json(capsys, "events", "--store", path, "--format", "json") == []
    capsys.readouterr()
    assert main(["events", "--store", str(tmp_path / "missing"), "--format", "csv"]) == EXIT_USER
    assert "vesselwatch ingest" in capsys.readouterr().err


def test_a_ports_file_that_moves_a_watched_port_moves_it_for_dark_voyages(
        store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    moved = tmp_path / "ports.csv"  # Najin moved 1 degree north: the ship leaves from afar
    moved.write_text(f"port_id,name,lat,lon\nKPRJN,Najin,{NAJIN[0] + 1.0},{NAJIN[1]}\n")
    report = _json(capsys, "detect", "--store", store, "--ports", str(moved), "--json")
    assert report["events"]["dark_voyage"] == 0  # type: ignore[index]
    assert report["watched_ports"] >= 15  # type: ignore[index]


def test_evaluate_scores_the_detected_shuttle_against_its_truth(
        store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    truth = tmp_path / "truth.jsonl"
    lines = [
        {"event_type": "gap", "mmsi": MMSI, "other_mmsi": None,
         "start_ts": "2023-09-07T06:30:00Z", "end_ts": "2023-09-07T18:30:00Z"},
        {"event_type": "dark_voyage", "mmsi": MMSI, "other_mmsi": None,
         "start_ts": "2023-09-07T06:20:00Z", "end_ts": "2023-09-07T18:40:00Z"},
        {"event_type": "encounter", "mmsi": MMSI, "other_mmsi": 1,  # never happened
         "start_ts": "2023-09-07T10:00:00Z", "end_ts": "2023-09-07T12:00:00Z"},
    ]
    truth.write_text("".join(json.dumps(line) + "\n" for line in lines))
    capsys.readouterr()
    assert main(["evaluate", "--truth", str(truth), "--store", store]) == EXIT_USER
    assert "run vesselwatch detect first" in capsys.readouterr().err
    _json(capsys, "detect", "--store", store, "--json")
    result = _json(capsys, "evaluate", "--truth", str(truth), "--store", store, "--type", "gap",
                   "--type", "dark_voyage", "--type", "encounter", "--json")
    scores = {s["event_type"]: s for s in result["scores"]}  # type: ignore[index]
    assert (scores["gap"]["tp"], scores["gap"]["fp"], scores["gap"]["fn"]) == (1, 0, 0)
    assert scores["gap"]["start_error_max_s"] == 0.0
    assert scores["dark_voyage"]["recall"] == 1.0
    assert scores["dark_voyage"]["start_error_max_s"] == 600.0
    assert (scores["encounter"]["tp"], scores["encounter"]["fn"]) == (0, 1)
    assert scores["encounter"]["recall"] == 0.0 and scores["encounter"]["precision"] is None


def test_events_say_when_they_are_missing_or_stale(store: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["events", "--store", store, "--format", "json"]) == EXIT_OK
    assert "no detection run" in capsys.readouterr().err
    _json(capsys, "detect", "--store", store, "--json")
    assert main(["events", "--store", store, "--format", "json"]) == EXIT_OK
    assert capsys.readouterr().err == ""
    more = tmp_path / "more.parquet"
    pq.write_table(positions_table([(MMSI + 1, T0, 40.0, 150.0, 1.0)]), more)
    _json(capsys, "ingest", str(more), "--store", store, "--json")
    assert main(["events", "--store", store, "--format", "json"]) == EXIT_OK
    assert "after the last detection run" in capsys.readouterr().err


def test_mmsi_issues_flagged_at_ingest_become_identity_events(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "odd.parquet"  # 100000001: nine digits, but no ship MMSI starts with 1
    pq.write_table(positions_table([(100_000_001, T0 + i * MIN_US, 40.0, 150.0, 1.0)
                                    for i in range(3)]), src)
    path = str(tmp_path / "s")
    _json(capsys, "ingest", str(src), "--store", path, "--json")
    _json(capsys, "detect", "--store", path, "--json")
    (e,) = _json(capsys, "events", "--store", path, "--format", "json", "--type",
                 "identity_change")  # type: ignore[misc]
    assert e["mmsi"] == 100_000_001 and e["details"]["kind"] == "mmsi_issue"
    assert e["end_ts"].startswith("2023-09-07T00:02:00")
