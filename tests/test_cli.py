"""The CLI end to end on the built-in sample: counts worked out from how the sample is built."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from vesselwatch.cli import EXIT_LOCKED, EXIT_OK, EXIT_STRICT, EXIT_USAGE, EXIT_USER, main
from vesselwatch.sample import REPORTS_PER_SHIP, SHIPS, write_sample


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    capsys.readouterr()
    assert main([*args, "--json"]) == EXIT_OK
    return json.loads(capsys.readouterr().out)


@pytest.fixture()
def sample_file(tmp_path: Path) -> Path:
    return write_sample(tmp_path / "sample.nmea")


def test_sample_summary_counts_every_line(sample_file: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "ingest", str(sample_file), "--store", str(tmp_path / "store"))
    # three ships report every 10 s for 20 minutes, one sentence is repeated
    assert data["positions"] == len(SHIPS) * REPORTS_PER_SHIP == 360
    assert data["duplicates"]["positions"] == 1
    assert data["vessel_reports"] == 3  # one type 5 (two sentences) per ship
    assert data["rejects"] == {
        "bad_checksum": 1, "orphan_fragment": 1, "bad_format": 1, "no_timestamp": 1}
    assert data["vessels"] == 3
    assert data["ts_min"].startswith("2023-09-01T00:00:00")
    assert data["ts_max"].startswith("2023-09-01T00:19:50")
    # 361 position lines + 6 static lines + 4 damaged lines
    assert data["lines"] == 371


def test_ingest_twice_adds_nothing(sample_file: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "store")
    first = run_json(capsys, "ingest", str(sample_file), "--store", store)
    second = run_json(capsys, "ingest", str(sample_file), "--store", store)
    assert first["positions"] == 360
    assert second["positions"] == 0
    assert second["inputs"][0]["already_ingested"] is True
    info = run_json(capsys, "info", "--store", store)
    assert info["rows"]["positions"] == 360
    assert info["rows"]["vessel_reports"] == 3
    assert info["quarantine"] == first["rejects"]


def test_positions_export_is_half_open(sample_file: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "store")
    run_json(capsys, "ingest", str(sample_file), "--store", store)
    mmsi = str(SHIPS[0].mmsi)
    out = tmp_path / "track.csv"
    args = ["positions", "--store", store, "--mmsi", mmsi, "--start", "2023-09-01T00:01:00",
            "--end", "2023-09-01T00:02:00Z"]
    assert main([*args, "--format", "csv", "-o", str(out)]) == EXIT_OK
    lines = out.read_text().splitlines()
    # reports at :00, :10, ... :50 of minute 1; the one at 00:02:00 is excluded
    assert len(lines) == 1 + 6
    assert lines[1].split(",")[1] == '"2023-09-01T00:01:00.000000Z"'
    parquet = tmp_path / "track.parquet"
    assert main([*args, "--format", "parquet", "-o", str(parquet)]) == EXIT_OK
    table = pq.read_table(parquet)
    assert table.num_rows == 6
    assert set(table.column("mmsi").to_pylist()) == {SHIPS[0].mmsi}
    geo = tmp_path / "track.geojson"
    assert main([*args, "--format", "geojson", "-o", str(geo)]) == EXIT_OK
    features = json.loads(geo.read_text())["features"]
    assert len(features) == 6
    lon, lat = features[0]["geometry"]["coordinates"]
    assert lat == pytest.approx(table.column("lat")[0].as_py())
    assert lon == pytest.approx(table.column("lon")[0].as_py())


def test_missing_file_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.nmea"
    assert main(["ingest", str(missing), "--store", str(tmp_path / "s")]) == EXIT_USER
    err = capsys.readouterr().err
    assert str(missing) in err and "no such file" in err


def test_unrecognised_format_names_what_was_expected(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("dear diary, today the ship sailed\n")
    assert main(["ingest", str(odd), "--store", str(tmp_path / "s")]) == EXIT_USER
    err = capsys.readouterr().err
    assert str(odd) in err and "expected" in err


def test_strict_stops_at_first_bad_line(sample_file: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s"
    assert main(["ingest", str(sample_file), "--store", str(store), "--strict"]) == EXIT_STRICT
    err = capsys.readouterr().err
    assert "line 101" in err and "bad_checksum" in err
    # nothing was written
    assert run_json(capsys, "info", "--store", str(store))["rows"]["positions"] == 0


def test_usage_error_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--no-such-option"]) == EXIT_USAGE


def test_bad_reference_time_is_a_user_error(sample_file: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ingest", str(sample_file), "--store", str(tmp_path / "s"),
                 "--reference-time", "yesterday"])
    assert code == EXIT_USER
    assert "ISO 8601" in capsys.readouterr().err


def test_reference_time_rescues_sentences_without_a_clock(
        sample_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "ingest", str(sample_file), "--store", str(tmp_path / "s"),
                    "--reference-time", "2023-09-01T00:30:00")
    assert "no_timestamp" not in data["rejects"]
    assert data["positions"] == 361


def test_locked_store_exit_code(sample_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    from vesselwatch.store import Store

    monkeypatch.setenv("VESSELWATCH_LOCK_TIMEOUT", "0.2")
    store = Store.open(tmp_path / "s", lock_timeout=0.1)
    with store.begin_ingest():
        code = main(["ingest", str(sample_file), "--store", str(tmp_path / "s")])
    assert code == EXIT_LOCKED
    assert "lock" in capsys.readouterr().err.lower()


def test_gzip_and_zip_nmea_read_like_the_plain_file(sample_file: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import gzip
    import zipfile

    gz = tmp_path / "sample.nmea.gz"
    gz.write_bytes(gzip.compress(sample_file.read_bytes()))
    zipped = tmp_path / "sample.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(sample_file, "capture/sample.nmea")
    plain = run_json(capsys, "ingest", str(sample_file), "--store", str(tmp_path / "a"))
    for packed, store in ((gz, "b"), (zipped, "c")):
        got = run_json(capsys, "ingest", str(packed), "--store", str(tmp_path / store))
        assert got["inputs"][0]["format"] == "nmea"
        for key in ("positions", "vessel_reports", "rejects", "lines", "duplicates"):
            assert got[key] == plain[key], key
