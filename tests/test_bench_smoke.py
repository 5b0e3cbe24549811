"""Smoke run of the benchmarks in ``bench/``: they run and write their JSON. No timings.

A 20k-line input from the real captures, then ``bench/decode.py`` and ``bench/ingest.py``
on it with tiny baseline prefixes, each as a subprocess as a person would run them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH = REPO_ROOT / "bench"

pytestmark = pytest.mark.realdata


def _run(args: list[str], data_dir: Path) -> None:
    env = dict(os.environ, VESSELWATCH_DATA=str(data_dir))
    proc = subprocess.run([sys.executable, *args], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0, (
        f"{args[0]} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.fixture(scope="module")
def bench_input(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("bench")
    out, summary = tmp / "input.nmea", tmp / "make_input.json"
    _run([str(BENCH / "make_input.py"), "--lines", "20000", "--out", str(out),
          "--json", str(summary)], data_dir)
    return out, summary


def test_make_input_writes_a_checked_input(bench_input: tuple[Path, Path]) -> None:
    out, summary = bench_input
    made = _json(summary)
    assert {"lines", "bytes", "repetitions", "captures", "check"} <= made.keys()
    assert 19_000 <= made["lines"] <= 20_000
    assert made["lines"] == out.read_bytes().count(b"\n")
    assert len(made["captures"]) == 5  # a small input still holds every capture
    assert made["check"]["ok"], made["check"]["problems"]


def test_make_input_is_deterministic(bench_input: tuple[Path, Path], data_dir: Path,
                                     tmp_path: Path) -> None:
    out, _ = bench_input
    again = tmp_path / "again.nmea"
    _run([str(BENCH / "make_input.py"), "--lines", "20000", "--out", str(again), "--no-check"],
         data_dir)
    assert again.read_bytes() == out.read_bytes()


def test_decode_benchmark_reports_rates(bench_input: tuple[Path, Path], data_dir: Path,
                                        tmp_path: Path) -> None:
    out, _ = bench_input
    result = tmp_path / "decode.json"
    _run([str(BENCH / "decode.py"), str(out), "--baseline-lines", "2000", "--repeat", "1",
          "--json", str(result)], data_dir)
    report = _json(result)
    assert {"input_lines", "results", "ratios", "notes"} <= report.keys()
    for name in ("vesselwatch", "vesselwatch_on_prefix", "pyais"):
        r = report["results"][name]
        assert r["lines_per_s"] > 0 and r["messages_per_s"] > 0 and r["messages"] > 0
    assert report["ratios"]["pyais"]["messages_per_s"] > 0
    for name in ("libais", "aiscat"):  # measured when importable, else skipped with a note
        r = report["results"][name]
        assert "skipped" in r or r["messages_per_s"] > 0


def test_ingest_benchmark_reports_rates_and_rows(bench_input: tuple[Path, Path],
                                                 data_dir: Path, tmp_path: Path) -> None:
    out, _ = bench_input
    result = tmp_path / "ingest.json"
    _run([str(BENCH / "ingest.py"), str(out), "--baseline-lines", "2000", "--repeat", "2",
          "--json", str(result)], data_dir)
    report = _json(result)
    for side in ("vesselwatch", "pyais"):  # two runs each, compared by their median
        r = report[side]
        assert r["runs"] == 2 and len(r["runs_wall_s"]) == 2
        assert r["wall_s"] == pytest.approx(sum(r["runs_wall_s"]) / 2, abs=1e-3)
    assert {"vesselwatch", "pyais", "ratio_sentences_per_s", "rows"} <= report.keys()
    assert report["vesselwatch"]["sentences_per_s"] > 0
    assert report["pyais"]["sentences_per_s"] > 0
    assert report["ratio_sentences_per_s"] > 0
    assert report["rows"]["store_positions"] > 0 and report["rows"]["pyais_rows"] > 0
    assert report["rows"]["ok"], report["rows"]
