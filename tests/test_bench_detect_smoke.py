"""Smoke run of ``bench/make_tracks.py``: a tiny synthetic input is canonical, sorted,
deterministic and holds the behaviours it was asked to plant. No timings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from vesselwatch.model.schema import POSITIONS

REPO_ROOT = Path(__file__).resolve().parent.parent
MAKE_TRACKS = REPO_ROOT / "bench" / "make_tracks.py"

PLANTED = {"encounters": 2, "loiterers": 1, "gaps-5h": 1, "gaps-8h": 2, "port-visitors": 1,
           "anchored": 2, "ports": 2}


def _make(out: Path, seed: int = 7) -> dict[str, Any]:
    args = [sys.executable, str(MAKE_TRACKS), "--vessels", "20", "--days", "0.6",
            "--seed", str(seed), "--out", str(out), "--no-land-mask"]
    for name, count in PLANTED.items():
        args += [f"--{name}", str(count)]
    proc = subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    summary: dict[str, Any] = json.loads(proc.stdout)
    return summary


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("tracks") / "tracks.parquet"
    return out, _make(out)


def test_output_is_canonical_and_sorted(made: tuple[Path, dict[str, Any]]) -> None:
    out, summary = made
    table = pq.read_table(out)
    assert table.schema.equals(POSITIONS)
    assert table.num_rows == summary["rows"] > 1000
    mmsi = table.column("mmsi").to_numpy().astype(np.int64)
    ts = table.column("ts").cast("int64").to_numpy()
    step_mmsi, step_ts = np.diff(mmsi), np.diff(ts)
    assert (step_mmsi >= 0).all()
    assert ((step_mmsi > 0) | (step_ts > 0)).all()  # strictly increasing (mmsi, ts)
    assert len(np.unique(mmsi)) == 20
    assert len(pc.unique(table.column("msg_hash"))) == table.num_rows
    assert table.column("source_line").to_pylist() == list(range(1, table.num_rows + 1))
    assert set(table.column("ts_source").to_pylist()) == {"parquet"}
    for name in ("lat", "lon", "sog_kn", "cog_deg"):
        assert table.column(name).null_count == 0
    assert table.column("heading_deg").null_count == table.num_rows
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    area = truth["area"]
    lat, lon = table.column("lat").to_numpy(), table.column("lon").to_numpy()
    assert area["lat_min"] <= lat.min() and lat.max() <= area["lat_max"]
    assert area["lon_min"] <= lon.min() and lon.max() <= area["lon_max"]


def test_same_seed_same_bytes(made: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _ = made
    again = tmp_path / "again.parquet"
    _make(again)
    assert again.read_bytes() == out.read_bytes()
    assert (again.with_suffix(".ports.csv").read_text()
            == out.with_suffix(".ports.csv").read_text())
    other = tmp_path / "other.parquet"
    _make(other, seed=8)
    assert other.read_bytes() != out.read_bytes()


def test_planted_truth_counts(made: tuple[Path, dict[str, Any]]) -> None:
    out, summary = made
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    counts = truth["counts"]
    assert counts == summary["counts"]
    assert counts == {"encounter_pairs": 2, "loiterers": 1, "gaps_5h": 1, "gaps_8h": 2,
                      "port_visitors": 1, "anchored": 2, "ports": 2}
    assert len(truth["encounters"]) == 2
    assert len(truth["loitering"]) == 1
    assert len(truth["port_visits"]) == 1
    assert len(truth["anchored"]) == 2
    assert sorted(g["planned_hours"] for g in truth["gaps"]) == [5.0, 8.0, 8.0]
    involved = ([e["mmsi"] for e in truth["encounters"]]
                + [e["other_mmsi"] for e in truth["encounters"]]
                + [e["mmsi"] for k in ("loitering", "port_visits", "anchored", "gaps")
                   for e in truth[k]])
    assert len(set(involved)) == len(involved)  # one behaviour per vessel


def test_planted_behaviours_are_in_the_positions(made: tuple[Path, dict[str, Any]]) -> None:
    out, _ = made
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    table = pq.read_table(out, columns=["mmsi", "ts", "lat", "lon", "sog_kn"])
    mmsi = table.column("mmsi").to_numpy()
    ts = table.column("ts").cast("int64").to_numpy() / 1e6
    lat, lon = table.column("lat").to_numpy(), table.column("lon").to_numpy()
    sog = table.column("sog_kn").to_numpy()

    def rows(m: int) -> np.ndarray:
        return np.flatnonzero(mmsi == m)

    for gap in truth["gaps"]:  # the silence is there, as long as planned (plus one report)
        steps = np.diff(ts[rows(gap["mmsi"])]) / 3600
        assert gap["planned_hours"] <= steps.max() < gap["planned_hours"] + 0.1
    for e in truth["encounters"]:  # both slow and within 500 m at the same times
        a, b = rows(e["mmsi"]), rows(e["other_mmsi"])
        start = np.datetime64(e["start"].rstrip("Z")).astype("datetime64[s]").astype(float)
        mid = start + e["hours"] * 1800
        ia = a[np.argmin(np.abs(ts[a] - mid))]
        ib = b[np.argmin(np.abs(ts[b] - mid))]
        dy = (lat[ia] - lat[ib]) * 111_195
        dx = (lon[ia] - lon[ib]) * 111_195 * np.cos(np.radians(lat[ia]))
        assert np.hypot(dx, dy) < 500
        assert sog[ia] < 2 and sog[ib] < 2
