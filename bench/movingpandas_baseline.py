"""The MovingPandas baseline: gaps, stops and encounters the way a MovingPandas user finds them.

Input: a (small) Parquet file of canonical positions, e.g. the slice ``bench/detect.py
--baseline-slice N`` writes, or any ``bench/make_tracks.py`` output with ``--rows N``. A
slice is whole vessels: two of each planted behaviour of the truth file (both vessels of an
encounter pair; two 5 h and two 8 h gaps), then ordinary vessels in MMSI order while the
total stays within N positions. In one process, after imports:

1. ``TrajectoryCollection`` of the positions (EPSG:4326, one trajectory per MMSI, the
   ``sog_kn`` column kept);
2. gaps: ``ObservationGapSplitter(tc).split(gap=6 h)``; a gap is each extra piece;
3. stops (the nearest thing MovingPandas has to loitering and port stops):
   ``TrajectoryStopDetector(tc).get_stop_segments(min_duration=2 h, max_diameter=2000 m)``;
4. encounters: MovingPandas has none, so as its users do: each trajectory's DataFrame is
   resampled with pandas to the 10-minute grid (``reindex`` on the union with the grid,
   ``interpolate(method="time")``), the slots become one GeoDataFrame projected to an
   azimuthal equidistant CRS centred on the data, and for every 10-minute slot a geopandas
   ``sjoin(predicate="dwithin", distance=500)`` of the slot with itself gives the close
   pairs; runs of consecutive close slots of a pair spanning at least 2 h, with the median
   SOG of both vessels below 2 kn, are encounters (no port exclusion, no run merging).

Prints JSON: rows, vessels, seconds per step, what each step found.

Run: ``python bench/movingpandas_baseline.py /tmp/vw-tracks-50m.parquet --rows 200000``
(needs ``pip install movingpandas``, part of the ``bench`` extra)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

GAP_H = 6.0
STOP_MIN_H = 2.0
STOP_MAX_DIAMETER_M = 2000.0
GRID = "10min"
ENCOUNTER_M = 500.0
MIN_SPAN_SLOTS = 12
MAX_MEDIAN_SOG_KN = 2.0


def pick_vessels(parquet: Path, rows: int, truth: dict[str, Any] | None, sample: int
                 ) -> tuple[Any, Any]:
    """MMSIs of a slice and the row count of each: ``sample`` of every planted behaviour of
    ``truth`` (encounter pairs whole), then ordinary vessels in MMSI order while the total
    stays within ``rows`` (at least one vessel)."""
    import numpy as np
    import pyarrow.parquet as pq

    mmsi = pq.read_table(parquet, columns=["mmsi"]).column("mmsi").to_numpy()
    starts = np.concatenate([[0], np.flatnonzero(np.diff(mmsi)) + 1])
    vessels = mmsi[starts]
    counts = dict(zip(vessels.tolist(), np.diff(np.append(starts, len(mmsi))).tolist()))
    wanted: list[int] = []
    planted: set[int] = set()
    if truth is not None:
        for key in ("encounters", "loitering", "port_visits", "anchored"):
            planted |= {e["mmsi"] for e in truth[key]} | {e.get("other_mmsi", 0)
                                                           for e in truth[key]}
            for e in truth[key][:sample]:
                wanted += [e["mmsi"]] + ([e["other_mmsi"]] if "other_mmsi" in e else [])
        planted |= {e["mmsi"] for e in truth["gaps"]}
        for hours in sorted({e["planned_hours"] for e in truth["gaps"]}):
            wanted += [e["mmsi"] for e in truth["gaps"] if e["planned_hours"] == hours][:sample]
    total = sum(counts.get(m, 0) for m in wanted)
    for m in vessels.tolist():
        if m in planted:
            continue
        if total + counts[m] > rows and (wanted or total):
            break
        wanted.append(m)
        total += counts[m]
    chosen = np.array(sorted(set(wanted)), dtype=mmsi.dtype)
    return chosen, np.array([counts[m] for m in chosen.tolist()])


def write_slice(parquet: Path, rows: int, out: Path, sample: int = 2) -> dict[str, int]:
    """A slice of ``parquet`` (see :func:`pick_vessels`) to ``out``, sorted as the input; the
    truth and port files beside it are carried over, the truth cut to the slice."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    truth_path = parquet.with_suffix(".truth.json")
    truth = json.loads(truth_path.read_text()) if truth_path.is_file() else None
    chosen, _ = pick_vessels(parquet, rows, truth, sample)
    pf = pq.ParquetFile(parquet)
    keep = pa.array(chosen)
    parts = []
    for g in range(pf.num_row_groups):
        stats = pf.metadata.row_group(g).column(0).statistics
        lo, hi = (stats.min, stats.max) if stats is not None and stats.has_min_max else (0, 2**32)
        if not ((chosen >= lo) & (chosen <= hi)).any():
            continue
        t = pf.read_row_group(g)
        parts.append(t.filter(pc.is_in(t.column("mmsi"), value_set=keep)))
    table = pa.concat_tables(parts)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out, compression="zstd")
    inside = set(chosen.tolist())
    if truth is not None:
        for key in ("encounters", "loitering", "gaps", "port_visits", "anchored"):
            truth[key] = [e for e in truth[key] if e["mmsi"] in inside]
        hours = [e["planned_hours"] for e in truth["gaps"]]
        truth["counts"].update({
            "encounter_pairs": len(truth["encounters"]), "loiterers": len(truth["loitering"]),
            "gaps_5h": hours.count(5.0), "gaps_8h": hours.count(8.0),
            "port_visitors": len(truth["port_visits"]), "anchored": len(truth["anchored"])})
        c, exp = truth["counts"], truth["expected_with_defaults"]
        exp.update({"gap": c["gaps_8h"], "encounter_pairs": c["encounter_pairs"],
                    "encounter_events": 2 * c["encounter_pairs"],
                    "port_visit_planted": c["port_visitors"] + c["anchored"],
                    "loitering_min": c["loiterers"] + 2 * c["encounter_pairs"]})
        truth.update({"rows": table.num_rows, "vessels": len(inside),
                      "slice_of": str(parquet), "slice_sample": sample})
        out.with_suffix(".truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    ports = parquet.with_suffix(".ports.csv")
    if ports.is_file():
        out.with_suffix(".ports.csv").write_text(ports.read_text())
    return {"rows": table.num_rows, "vessels": len(inside),
            "planted": truth["counts"] if truth else None}


def encounters(tc: Any, pd: Any, gpd: Any) -> dict[str, Any]:
    frames = []
    for traj in tc.trajectories:
        df = traj.df[["lat", "lon", "sog_kn"]]
        grid = pd.date_range(df.index[0].ceil(GRID), df.index[-1].floor(GRID), freq=GRID)
        if len(grid) == 0:
            continue
        r = df.reindex(df.index.union(grid)).interpolate(method="time").loc[grid]
        r["mmsi"] = traj.id
        frames.append(r)
    slots = pd.concat(frames)
    slots.index.name = "slot"
    lat0, lon0 = float(slots["lat"].mean()), float(slots["lon"].mean())
    gdf = gpd.GeoDataFrame(slots.reset_index(), crs="EPSG:4326",
                           geometry=gpd.points_from_xy(slots["lon"], slots["lat"]))
    gdf = gdf.to_crs(f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m")
    close = []
    for _, g in gdf.groupby("slot"):
        left = g[["slot", "mmsi", "sog_kn", "geometry"]]
        j = gpd.sjoin(left, left, predicate="dwithin", distance=ENCOUNTER_M)
        j = j[j["mmsi_left"] < j["mmsi_right"]]
        if len(j):
            close.append(j[["slot_left", "mmsi_left", "mmsi_right", "sog_kn_left",
                            "sog_kn_right"]])
    found = []
    n_close = 0
    if close:
        c = pd.concat(close, ignore_index=True)
        n_close = len(c)
        c = c.sort_values(["mmsi_left", "mmsi_right", "slot_left"])
        for (a, b), grp in c.groupby(["mmsi_left", "mmsi_right"]):
            slot_no = (grp["slot_left"] - grp["slot_left"].iloc[0]) // pd.Timedelta(GRID)
            run = slot_no.to_numpy() - range(len(grp))  # consecutive slots share a run
            for _, part in grp.groupby(run):
                span = (part["slot_left"].iloc[-1] - part["slot_left"].iloc[0]).total_seconds()
                if (span >= MIN_SPAN_SLOTS * 600
                        and part["sog_kn_left"].median() < MAX_MEDIAN_SOG_KN
                        and part["sog_kn_right"].median() < MAX_MEDIAN_SOG_KN):
                    found.append([int(a), int(b)])
    return {"vessel_slots": len(gdf), "close_slots": n_close, "encounters": len(found),
            "pairs": found}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("parquet", type=Path)
    ap.add_argument("--rows", type=int, default=0,
                    help="use only a slice of whole vessels, at most N positions")
    ap.add_argument("--json", type=Path, default=None, help="also write the result here")
    args = ap.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import geopandas as gpd
            import movingpandas as mpd
            import pandas as pd
    except ImportError as exc:
        sys.stderr.write(f"error: {exc.name} is not installed; pip install movingpandas "
                         "(or the bench extra: pip install -e '.[bench]')\n")
        return 2
    import pyarrow.parquet as pq

    path: Path = args.parquet
    began = time.perf_counter()
    if args.rows:
        import tempfile

        tmp = Path(tempfile.mkdtemp(prefix="vw-mp-")) / "slice.parquet"
        write_slice(path, args.rows, tmp)
        path = tmp
    df = pq.read_table(path, columns=["mmsi", "ts", "lat", "lon", "sog_kn"]).to_pandas()
    df["ts"] = df["ts"].dt.tz_convert("UTC").dt.tz_localize(None)
    df = df.dropna(subset=["lat", "lon"])
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]),
                           crs="EPSG:4326")
    seconds: dict[str, float] = {"read": time.perf_counter() - began}

    t = time.perf_counter()
    tc = mpd.TrajectoryCollection(gdf, traj_id_col="mmsi", t="ts")
    seconds["trajectories"] = time.perf_counter() - t

    t = time.perf_counter()
    split = mpd.ObservationGapSplitter(tc).split(gap=timedelta(hours=GAP_H))
    gaps = len(split.trajectories) - len(tc.trajectories)
    seconds["gaps"] = time.perf_counter() - t

    t = time.perf_counter()
    stops = mpd.TrajectoryStopDetector(tc).get_stop_segments(
        min_duration=timedelta(hours=STOP_MIN_H), max_diameter=STOP_MAX_DIAMETER_M)
    seconds["stops"] = time.perf_counter() - t

    t = time.perf_counter()
    enc = encounters(tc, pd, gpd)
    seconds["encounters"] = time.perf_counter() - t

    total = time.perf_counter() - began
    result = {
        "input": str(args.parquet), "rows": len(df), "vessels": len(tc.trajectories),
        "movingpandas": mpd.__version__, "geopandas": gpd.__version__,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "total_s": round(total, 3), "positions_per_s": round(len(df) / total),
        "found": {"gaps": gaps, "stops": len(stops.trajectories),
                  "encounters": enc["encounters"]},
        "encounters": enc,
    }
    text = json.dumps(result)
    sys.stdout.write(text + "\n")
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
