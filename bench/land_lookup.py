"""Land/sea and distance-from-shore lookup throughput: the packaged raster against shapely.

Times ``LandMask.is_land`` and ``LandMask.distance_to_shore_m`` on ``--points`` random
positions (uniform on the sphere, float64, fixed seed), one thread, best of ``--repeat``,
after the raster is loaded (the load is timed separately). The baseline, in the same run,
is what the raster replaces: shapely ``contains_xy`` against the prepared Natural Earth
1:10m land polygons of the data folder (``$VESSELWATCH_DATA/land_naturalearth``), on the
first ``--baseline-points`` positions; skipped with a note when shapely or the data is
missing. The ratio compares points/s.

Run: ``python bench/land_lookup.py --points 10000000 --json land.json``
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from vesselwatch.reference.land import default_land_mask

ROOT = Path(__file__).resolve().parent.parent


def _best(fn: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _shapely_baseline(lat: np.ndarray, lon: np.ndarray) -> dict[str, Any]:
    try:
        import shapely
    except ImportError:
        return {"skipped": "shapely not installed (pip install shapely)"}
    data = Path(os.environ.get("VESSELWATCH_DATA", ROOT.parent / "shared" / "data"))
    path = data / "land_naturalearth" / "ne_10m_land.json"
    if not path.is_file():
        return {"skipped": f"{path} not found; set VESSELWATCH_DATA"}
    doc = json.loads(path.read_text())
    land = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in doc["features"]])
    shapely.prepare(land)
    seconds = _best(lambda: shapely.contains_xy(land, lon, lat), 1)
    return {"points": int(lat.size), "seconds": seconds, "points_per_s": lat.size / seconds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=10_000_000)
    ap.add_argument("--baseline-points", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    args = ap.parse_args(argv)

    rng = np.random.default_rng(0)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, args.points)))
    lon = rng.uniform(-180, 180, args.points)

    t0 = time.perf_counter()
    mask = default_land_mask()
    load_s = time.perf_counter() - t0
    land_s = _best(lambda: mask.is_land(lat, lon), args.repeat)
    dist_s = _best(lambda: mask.distance_to_shore_m(lat, lon), args.repeat)
    n = args.points
    base = _shapely_baseline(lat[: args.baseline_points], lon[: args.baseline_points])
    report: dict[str, Any] = {
        "points": n,
        "load_s": load_s,
        "is_land": {"seconds": land_s, "points_per_s": n / land_s},
        "distance_to_shore_m": {"seconds": dist_s, "points_per_s": n / dist_s},
        "both": {"seconds": land_s + dist_s, "points_per_s": n / (land_s + dist_s)},
        "shapely_contains_xy": base,
        "notes": f"{mask!r}; Python {platform.python_version()}, numpy {np.__version__}",
    }
    if "points_per_s" in base:
        report["ratio_is_land_vs_shapely"] = report["is_land"]["points_per_s"] / base[
            "points_per_s"]
    print(f"load {load_s:.2f} s; {n:,} points")
    for key in ("is_land", "distance_to_shore_m", "both"):
        r = report[key]
        print(f"{key:22s} {r['seconds']:.3f} s  {r['points_per_s']:,.0f} points/s")
    if "points_per_s" in base:
        print(f"{'shapely contains_xy':22s} {base['seconds']:.3f} s  "
              f"{base['points_per_s']:,.0f} points/s on {base['points']:,} points; "
              f"is_land is {report['ratio_is_land_vs_shapely']:.0f}x")
    else:
        print(f"shapely baseline skipped: {base['skipped']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
