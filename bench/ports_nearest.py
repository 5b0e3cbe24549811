"""Nearest-port throughput: ``PortIndex.nearest`` over the full packaged WPI, one thread.

Input: ``--n`` random positions (uniform, seed 0) in a 10 deg x 10 deg box off Korea
(33-43 N, 124-134 E: Yellow Sea, Korea Strait, Sea of Japan, both Koreas' and Russia's
coasts; 80+ WPI ports). Measured, best of ``--repeat``:

- **nearest (own radius)**: ``wpi.nearest(lat, lon)``, each port's own exit radius;
- **nearest (50 km)**: ``wpi.nearest(lat, lon, max_dist_m=50_000)``;
- **baseline**: one vectorised ``haversine_m`` from every position to one fixed point,
  the cheapest full pass numpy can make over the same arrays.

Rates are positions/s; the ratios are nearest time / baseline time. The first call that
builds the bucket grid is timed apart (``grid_build_s``).

Run: ``python bench/ports_nearest.py --n 10000000 --json /tmp/vw-ports.json``
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from vesselwatch.reference.geodesy import haversine_m
from vesselwatch.reference.ports import load_wpi


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000_000, help="positions")
    ap.add_argument("--repeat", type=int, default=3, help="runs; the best counts")
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = ap.parse_args(argv)

    wpi = load_wpi()
    rng = np.random.default_rng(0)
    lat = rng.uniform(33.0, 43.0, args.n)
    lon = rng.uniform(124.0, 134.0, args.n)

    t0 = time.perf_counter()
    wpi.nearest(lat[:1], lon[:1])
    wpi.nearest(lat[:1], lon[:1], max_dist_m=50_000.0)
    build = time.perf_counter() - t0

    idx, _ = wpi.nearest(lat, lon)
    idx50, _ = wpi.nearest(lat, lon, max_dist_m=50_000.0)
    t_own = _best(lambda: wpi.nearest(lat, lon), args.repeat)
    t_50 = _best(lambda: wpi.nearest(lat, lon, max_dist_m=50_000.0), args.repeat)
    t_base = _best(lambda: haversine_m(lat, lon, 38.0, 129.0), args.repeat)

    report = {
        "positions": args.n,
        "ports": len(wpi),
        "grid_build_s": round(build, 4),
        "in_port_share": round(float((idx >= 0).mean()), 5),
        "within_50km_share": round(float((idx50 >= 0).mean()), 5),
        "nearest_own_radius_s": round(t_own, 4),
        "nearest_own_radius_pos_per_s": round(args.n / t_own),
        "nearest_50km_s": round(t_50, 4),
        "nearest_50km_pos_per_s": round(args.n / t_50),
        "baseline_haversine_s": round(t_base, 4),
        "ratio_own_radius_to_baseline": round(t_own / t_base, 2),
        "ratio_50km_to_baseline": round(t_50 / t_base, 2),
    }
    width = max(map(len, report))
    for key, value in report.items():
        sys.stdout.write(f"{key:<{width}}  {value:,}\n")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
