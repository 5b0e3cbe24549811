"""``vesselwatch simulate`` through the CLI: the summary, the files, the errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vesselwatch.cli import EXIT_OK, EXIT_USAGE, EXIT_USER, main


def test_simulate_writes_the_ais_file_and_the_truth(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sim"
    capsys.readouterr()
    assert main(["simulate", "thresholds", "--out", str(out), "--days", "0.5", "--seed", "7",
                 "--format", "noaa", "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["scenario"] == "thresholds" and report["seed"] == 7
    assert report["files"] == [str(out / "thresholds.csv")]
    assert report["start"] == "2023-09-07T00:00:00Z" and report["end"] == "2023-09-07T12:00:00Z"
    assert report["vessels"] == 19
    for name in ("events.jsonl", "corrupt.jsonl", "slots.parquet", "steps.jsonl",
                 "vessels.jsonl"):
        assert (out / "truth" / name).is_file()
    assert json.loads((out / "manifest.json").read_text()) == report
    # the human summary names the files
    assert main(["simulate", "thresholds", "--out", str(out), "--days", "0.5"]) == EXIT_OK
    assert "thresholds.nmea" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "code", "says"), [
    (["no-such-scenario"], EXIT_USER, "not a shipped scenario (shipped: dprk-russia, thresholds)"),
    (["thresholds", "--format", "kml"], EXIT_USER, "unknown format 'kml'"),
    (["thresholds", "--days", "400"], EXIT_USER, "give 1/24 to 366 days"),
    (["thresholds", "--seed", "-1"], EXIT_USAGE, ""),
])
def test_simulate_refuses_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        args: list[str], code: int, says: str) -> None:
    capsys.readouterr()
    assert main(["simulate", *args, "--out", str(tmp_path / "o")]) == code
    assert says in capsys.readouterr().err.replace("\n", " ")
