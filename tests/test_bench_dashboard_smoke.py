"""Smoke run of ``bench/dashboard.py`` on a tiny store: it runs end to end in the system
Chromium and what it measures is well formed and counts the right rows. No timings are
asserted (bench/README.md has the figures).

Needs ``/usr/bin/chromium`` and the playwright package; skipped without them unless
``VESSELWATCH_REQUIRE_BROWSER=1`` (then it fails).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = REPO_ROOT / "bench" / "dashboard.py"
CHROMIUM = Path("/usr/bin/chromium")


def _browser_missing() -> str:
    missing = [str(CHROMIUM)] * (not CHROMIUM.exists()) \
        + ["playwright"] * (importlib.util.find_spec("playwright") is None)
    return ", ".join(missing)


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    missing = _browser_missing()
    if missing:
        reason = (f"needs {CHROMIUM} (a system Chromium; never downloaded) and the playwright "
                  f"Python package; missing: {missing}")
        if os.environ.get("VESSELWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("dashboard")
    out = work / "dashboard.json"
    proc = subprocess.run(
        [sys.executable, str(DASHBOARD), "--sizes", "20000", "--repeat", "1", "--views", "fit",
         "--pan-seconds", "0.3", "--min-renders", "1", "--pan-max-seconds", "20",
         "--work", str(work), "--json", str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    assert "data ready" in proc.stdout and "cores" in proc.stdout
    report: dict[str, Any] = json.loads(out.read_text())
    return report, work


def _store_positions(store: str) -> int:
    from vesselwatch.engine import Engine

    return Engine(store, create=False).info().rows["positions"]


def test_reports_the_machine_and_the_browser(result: tuple[dict[str, Any], Path]) -> None:
    report, _ = result
    assert report["machine"]["cpus"] == os.cpu_count()
    assert report["chromium"] and "SwiftShader" in (report["renderer"] or "")
    assert len(report["sizes"]) == 1


def test_data_ready_counts_every_position(result: tuple[dict[str, Any], Path]) -> None:
    report, work = result
    size = report["sizes"][0]
    assert Path(size["store"]).parent == work  # generated data stays in --work
    positions = _store_positions(size["store"])
    assert 15_000 <= positions <= 25_000
    assert size["rows"] == size["rows_total"] == size["info"]["positions"] == positions
    (load,) = size["load"]["runs"]
    assert load["positions"] == positions
    assert 0 < load["arrow_request_start_ms"] < load["buffer_in_hand_ms"] <= load["ready_ms"]
    assert load["arrow_fetch_ms"] > 0 and load["decode_prepare_ms"] >= 0
    assert load["first_draw_ms"] >= 0
    assert load["arrow_body_bytes"] == size["server"]["positions_arrow"]["bytes"] > 0
    assert size["load"]["summary"]["ready_ms"]["median"] == load["ready_ms"]


def test_panning_moved_the_map_and_counted_frames(result: tuple[dict[str, Any], Path]) -> None:
    report, _ = result
    fit = report["sizes"][0]["pan"]["fit"]
    assert "positions" in fit["layers"]  # the opening view draws the points
    assert fit["mouse_moves"] > 0 and fit["map_moves"] > 0
    assert fit["map_renders"] >= 1 and fit["raf_frames"] > 0
    assert fit["frame_ms_median"] > 0 and fit["frame_ms_p95"] >= fit["frame_ms_median"]
    assert fit["fps"] > 0
    assert fit["gpu_backlog_ms_max"] >= 0
    assert fit["effective_fps"] > 0 and fit["effective_frame_ms"] > 0


def test_baselines_parse_the_same_rows(result: tuple[dict[str, Any], Path]) -> None:
    report, _ = result
    size = report["sizes"][0]
    rows = size["rows"]
    (geo,) = size["geojson_in_page"]["runs"]
    assert geo["count"] == size["geojson"]["rows"] == rows
    assert geo["parseMs"] > 0 and geo["totalMs"] >= geo["parseMs"]
    (api,) = size["json_api_in_page"]["runs"]
    assert api["count"] == size["json_api_limit"] == rows
    assert len(size["webgl_floor_ms"]["runs"]) == 3 and size["webgl_floor_ms"]["min"] > 0
    for route in ("positions_arrow", "positions_json"):
        timing = size["server"][route]
        assert 0 < timing["headers_ms"]["min"] <= timing["total_ms"]["min"]
    ratios = size["ratios"]
    assert ratios["geojson_parse_over_arrow_ready"] > 0
    assert ratios["geojson_parse_over_arrow_fetch_decode"] > 0


def test_geojson_baseline_is_valid_geojson(result: tuple[dict[str, Any], Path]) -> None:
    report, work = result
    geojson = report["sizes"][0]["geojson"]
    (name,) = geojson["files"]
    collection = json.loads((work / "files" / name).read_text())
    assert collection["type"] == "FeatureCollection"
    first = collection["features"][0]
    assert first["geometry"]["type"] == "Point"
    lon, lat = first["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90
    assert set(first["properties"]) == {"mmsi", "ts", "sog", "cog"}
    assert first["properties"]["ts"].endswith("Z")
