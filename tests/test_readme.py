"""The README's quick start is what CI runs, and its main job works."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from vesselwatch.cli import EXIT_OK, main

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.S)


def test_quick_start_has_exactly_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = quick_start_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci


def test_main_job_of_the_quick_start_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    main_job = quick_start_commands()[0]
    last = shlex.split(main_job.split("&&")[-1])
    assert Path(last[0]).name == "vesselwatch"
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main([*last[1:], "--json"]) == EXIT_OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["ingested"]["positions"] > 10_000
    assert Path(summary["store"]) == Path("vesselwatch-demo")
    assert (tmp_path / "vesselwatch-demo" / "demo.json").is_file()
    assert {v["name"] for v in summary["shuttles"]} >= {"ANGARA", "MARIA", "MAIA-1"}


def test_python_example_of_the_readme_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from vesselwatch.sample import SHIPS, write_sample

    text = (ROOT / "README.md").read_text()
    block = re.findall(r"```python\n(.*?)\n```", text, flags=re.DOTALL)[0]
    monkeypatch.chdir(tmp_path)
    write_sample(tmp_path / "capture.nmea")
    namespace: dict[str, object] = {}
    exec(compile(block.replace("273456780", str(SHIPS[0].mmsi)), "README.md", "exec"), namespace)
    track = namespace["track"]
    assert track.num_rows == 120  # type: ignore[attr-defined]
    out = capsys.readouterr().out
    assert "360" in out  # the positions printed by the example
