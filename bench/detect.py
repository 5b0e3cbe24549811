"""The whole detection suite on synthetic tracks, against DuckDB (and MovingPandas on a slice).

Input: a Parquet file from ``bench/make_tracks.py`` (its ``.truth.json`` and ``.ports.csv``
beside it are used when present). Every measured step runs as its own subprocess, so its
peak memory (``ru_maxrss`` from ``os.wait4``) is its own; wall time is from process start to
exit. Nothing is pinned: the target is about the machine's 2 cores. This parent process
imports nothing heavy and reads no data (slicing runs in a child too): on Linux a child's
``ru_maxrss`` starts from the parent's resident size at ``exec``, so a big parent would
inflate every figure.

vesselwatch, through its public face:

(a) ``vesselwatch ingest FILE --store TMP --json`` (timed, not part of the detection target);
(b) ``vesselwatch detect --store TMP --json`` (with ``--ports FILE.ports.csv`` when the
    command has that option): the figure the target is about. Until that command exists,
    ``--entry module:function`` times a Python function instead, called in a subprocess
    with the keyword arguments among ``store`` (the store folder after (a)), ``parquet``
    (the input) and ``ports`` (the port file) that its signature names; without either the
    script stops with a clear message (``--baseline-only`` runs just the baselines).

The baseline, DuckDB (threads = 2) over the same Parquet file, each query in its own process:

- gaps: ``lag(ts) OVER (PARTITION BY mmsi ORDER BY ts)``, steps of at least 6 h;
- encounters: positions averaged per vessel and 10-minute slot (``epoch(ts) // 600``), a
  self-join of the slots on (slot, 0.01-degree grid cell, one side expanded to its 3 x 3
  neighbour cells), haversine <= 500 m, then runs of consecutive close slots per pair
  (gaps and islands) spanning at least 2 h whose median SOG is below 2 kn for both vessels
  and whose median place is at least 10 km from every port of the port file. No
  interpolation and no run merging: less work than GFW's definition.

Both baselines report what they found next to the planted truth. With ``--baseline-slice N``
a slice of whole vessels (two of each planted behaviour, then ordinary vessels in MMSI order
while the total stays within N positions) is written to a slice file with its truth and
ports, and
``bench/movingpandas_baseline.py`` and vesselwatch (ingest, then detect) run on it; the
ratio is MovingPandas' wall time over vesselwatch detect's, on the same slice.

Run: ``python bench/detect.py /tmp/vw-tracks-50m.parquet --baseline-slice 200000 --json detect.json``
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DUCKDB_THREADS = 2
GAP_H = 6.0
CELL_DEG = 0.01  # grid cell of the encounter join; >= 500 m wide in longitude below 63 degrees
ENCOUNTER_M = 500.0
SLOT_S = 600
MIN_SLOTS_SPAN = 12  # 2 h of 10-minute slots
MAX_MEDIAN_SOG_KN = 2.0
MIN_PORT_M = 10_000.0


class BenchError(Exception):
    """A step failed: the message names the command and its error output."""


def vesselwatch_command() -> list[str]:
    """The console script next to this Python, else the same entry point through ``-c``."""
    script = Path(sys.executable).with_name("vesselwatch")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "from vesselwatch.cli import run; run()"]


def measure(cmd: list[str], cwd: Path | None = None) -> dict[str, Any]:
    """Run ``cmd``; its wall time, peak resident memory, exit code and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} exited {proc.returncode}:\n{stderr[-4000:]}")
    return {"command": " ".join(cmd), "wall_s": round(wall, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
            "user_s": round(usage.ru_utime, 2), "sys_s": round(usage.ru_stime, 2),
            "stdout": stdout, "stderr": stderr}


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start = text.find("{")
        return json.loads(text[start:]) if start >= 0 else None


# --- DuckDB baseline (runs in a child process: ``detect.py --run-duckdb KIND FILE``) ---

def duckdb_gaps(con: Any, path: str) -> dict[str, Any]:
    rows = con.execute(f"""
        SELECT count(*), count(DISTINCT mmsi),
               coalesce(min(epoch(ts) - epoch(prev_ts)) / 3600, 0),
               coalesce(max(epoch(ts) - epoch(prev_ts)) / 3600, 0)
        FROM (SELECT mmsi, ts, lag(ts) OVER (PARTITION BY mmsi ORDER BY ts) AS prev_ts
              FROM read_parquet(?))
        WHERE ts - prev_ts >= INTERVAL {int(GAP_H * 3600)} SECOND
    """, [path]).fetchone()
    return {"gaps": rows[0], "vessels": rows[1], "min_hours": round(rows[2], 3),
            "max_hours": round(rows[3], 3)}


def haversine_sql(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    return (f"2 * 6371008.8 * asin(sqrt(pow(sin(radians({lat2} - {lat1}) / 2), 2)"
            f" + cos(radians({lat1})) * cos(radians({lat2}))"
            f" * pow(sin(radians({lon2} - {lon1}) / 2), 2)))")


def duckdb_encounters(con: Any, path: str, ports: str) -> dict[str, Any]:
    con.execute(f"""
        CREATE TEMP TABLE slots AS
        SELECT mmsi, CAST(epoch(ts) AS BIGINT) // {SLOT_S} AS slot,
               avg(lat) AS lat, avg(lon) AS lon, median(sog_kn) AS sog,
               CAST(floor(avg(lat) / {CELL_DEG}) AS INTEGER) AS cy,
               CAST(floor(avg(lon) / {CELL_DEG}) AS INTEGER) AS cx
        FROM read_parquet(?) WHERE lat IS NOT NULL AND lon IS NOT NULL
        GROUP BY mmsi, slot
    """, [path])
    con.execute(f"""
        CREATE TEMP TABLE close AS
        SELECT a.mmsi AS a, b.mmsi AS b, a.slot, a.sog AS sog_a, b.sog AS sog_b,
               (a.lat + b.lat) / 2 AS lat, (a.lon + b.lon) / 2 AS lon
        FROM slots a
        JOIN (SELECT s.*, s.cy + dy AS ny, s.cx + dx AS nx
              FROM slots s, (VALUES (-1), (0), (1)) y(dy), (VALUES (-1), (0), (1)) x(dx)) b
          ON a.slot = b.slot AND a.cy = b.ny AND a.cx = b.nx AND a.mmsi < b.mmsi
        WHERE {haversine_sql("a.lat", "a.lon", "b.lat", "b.lon")} <= {ENCOUNTER_M}
    """)
    if ports:
        con.execute("CREATE TEMP TABLE ports AS SELECT lat, lon FROM read_csv(?)", [ports])
    else:
        con.execute("CREATE TEMP TABLE ports (lat DOUBLE, lon DOUBLE)")
    slots = con.execute("SELECT count(*) FROM slots").fetchone()[0]
    close = con.execute("SELECT count(*), count(DISTINCT (a, b)) FROM close").fetchone()
    found = con.execute(f"""
        SELECT a, b FROM (
            SELECT a, b, max(slot) - min(slot) AS span, median(sog_a) AS msa,
                   median(sog_b) AS msb, median(lat) AS lat, median(lon) AS lon
            FROM (SELECT *, slot - row_number() OVER (PARTITION BY a, b ORDER BY slot) AS run
                  FROM close)
            GROUP BY a, b, run) r
        WHERE span >= {MIN_SLOTS_SPAN} AND msa < {MAX_MEDIAN_SOG_KN} AND msb < {MAX_MEDIAN_SOG_KN}
          AND NOT EXISTS (SELECT 1 FROM ports p
                          WHERE {haversine_sql("r.lat", "r.lon", "p.lat", "p.lon")}
                                < {MIN_PORT_M})
        ORDER BY a, b
    """).fetchall()
    pairs = sorted({(int(a), int(b)) for a, b in found})
    return {"vessel_slots": slots, "close_slots": close[0], "close_pairs": close[1],
            "runs": len(found), "encounters": len(pairs), "pairs": [list(p) for p in pairs]}


def run_duckdb(kind: str, path: str, ports: str) -> int:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {DUCKDB_THREADS}")
    began = time.perf_counter()
    result = (duckdb_gaps(con, path) if kind == "gaps"
              else duckdb_encounters(con, path, ports))
    result["query_s"] = round(time.perf_counter() - began, 3)
    result["duckdb"] = duckdb.__version__
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


# --- an entry function (runs in a child process: ``detect.py --run-entry ...``) ---

def summarise(result: Any) -> Any:
    """Event counts by type from whatever the detector returned (table, dict, list)."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover
        pa = None
    if pa is not None and isinstance(result, pa.Table):
        if "event_type" in result.column_names:
            counts: dict[str, int] = {}
            for v in result.column("event_type").to_pylist():
                counts[str(v)] = counts.get(str(v), 0) + 1
            return {"events": result.num_rows, "by_type": counts}
        return {"rows": result.num_rows}
    if isinstance(result, dict):
        return {str(k): summarise(v) for k, v in result.items()}
    if isinstance(result, list | tuple):
        return {"items": len(result)}
    if hasattr(result, "to_dict"):
        return summarise(result.to_dict())
    return result if isinstance(result, int | float | str | bool) or result is None else str(result)


def run_entry(spec: str, store: str, parquet: str, ports: str) -> int:
    module, _, name = spec.partition(":")
    fn = getattr(importlib.import_module(module), name)
    offered = {"store": store, "parquet": parquet, "ports": ports}
    params = inspect.signature(fn).parameters
    kwargs = {k: v for k, v in offered.items() if k in params and v}
    began = time.perf_counter()
    result = fn(**kwargs)
    seconds = time.perf_counter() - began
    sys.stdout.write(json.dumps({"entry": spec, "arguments": sorted(kwargs), "seconds":
                                 round(seconds, 3), "result": summarise(result)},
                                default=str) + "\n")
    return 0


# --- the parent ---

def detect_available() -> tuple[bool, bool]:
    """Whether ``vesselwatch detect`` exists, and whether it takes ``--ports``."""
    proc = subprocess.run([*vesselwatch_command(), "detect", "--help"], capture_output=True,
                          text=True, check=False)
    return proc.returncode == 0, "--ports" in proc.stdout


def run_vesselwatch(parquet: Path, work: Path, entry: str | None, ports: Path | None,
                    has_detect: bool, takes_ports: bool, ingested: Path | None = None
                    ) -> dict[str, Any]:
    if ingested is not None:
        store = ingested
        ingest: dict[str, Any] = {"skipped": f"--ingested {ingested}: not measured in this run"}
    else:
        store = work / "store"
        if store.exists():
            shutil.rmtree(store)
        ingest = measure([*vesselwatch_command(), "ingest", str(parquet), "--store", str(store),
                          "--json"])
        ingest["report"] = parse_json(ingest.pop("stdout"))
        ingest.pop("stderr")
        ingest["positions_per_s"] = round(ingest["report"]["positions"] / ingest["wall_s"])
    if entry is not None:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--run-entry", entry,
               "--store", str(store), str(parquet), "--ports", str(ports or "")]
    else:
        cmd = [*vesselwatch_command(), "detect", "--store", str(store), "--json"]
        if takes_ports and ports is not None:
            cmd += ["--ports", str(ports)]
    detect = measure(cmd)
    output = parse_json(detect.pop("stdout"))
    detect.pop("stderr")
    detect["summary"] = output
    return {"ingest": ingest, "detect": detect}


def vesselwatch_checks(truth: dict[str, Any] | None, summary: Any) -> dict[str, Any]:
    """Events found (``events`` of the detect report) next to what the truth expects."""
    if truth is None or not isinstance(summary, dict) or not isinstance(summary.get("events"),
                                                                         dict):
        return {}
    found = summary["events"]
    exp = truth["expected_with_defaults"]
    return {
        "gap": {"found": found.get("gap"), "expected": exp["gap"]},
        "encounter": {"found": found.get("encounter"), "expected": exp["encounter_events"]},
        "loitering": {"found": found.get("loitering"), "expected_at_least": exp["loitering_min"]},
        "port_visit": {"found": found.get("port_visit"),
                       "expected_at_least": exp["port_visit_planted"]},
    }


def run_baseline_duckdb(parquet: Path, ports: Path | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in ("gaps", "encounters"):
        m = measure([sys.executable, str(Path(__file__).resolve()), "--run-duckdb", kind,
                     str(parquet), "--ports", str(ports or "")])
        m["result"] = parse_json(m.pop("stdout"))
        m.pop("stderr")
        out[kind] = m
    return out


def run_slice(parquet: Path, rows: int, work: Path, entry: str | None, ports: Path | None,
              has_detect: bool, takes_ports: bool, with_vesselwatch: bool) -> dict[str, Any]:
    sliced = work / "slice.parquet"
    # in a child: the parent must stay small, a child's ru_maxrss starts from the parent's
    made = measure([sys.executable, str(Path(__file__).resolve()), "--run-slice", str(rows),
                    str(parquet), "--store", str(sliced)])
    taken = parse_json(made["stdout"])
    mp = measure([sys.executable, str(HERE / "movingpandas_baseline.py"), str(sliced)])
    mp["result"] = parse_json(mp.pop("stdout"))
    mp.pop("stderr")
    out: dict[str, Any] = {"rows": taken["rows"], "vessels": taken["vessels"],
                           "planted": taken["planted"], "movingpandas": mp}
    if with_vesselwatch:
        vw = run_vesselwatch(sliced, work / "slice", entry, ports, has_detect, takes_ports)
        truth_path = sliced.with_suffix(".truth.json")
        if truth_path.is_file():
            vw["checks"] = vesselwatch_checks(json.loads(truth_path.read_text()),
                                              vw["detect"]["summary"])
        out["vesselwatch"] = vw
        out["ratio_detect"] = round(mp["wall_s"] / vw["detect"]["wall_s"], 1)
    return out


def truth_checks(truth: dict[str, Any] | None, duck: dict[str, Any]) -> dict[str, Any]:
    if truth is None:
        return {}
    counts = truth["counts"]
    planted = {tuple(sorted((e["mmsi"], e["other_mmsi"]))) for e in truth["encounters"]}
    found = {tuple(p) for p in duck["encounters"]["result"]["pairs"]}
    return {
        "gaps_planted_over_6h": counts["gaps_8h"],
        "gaps_duckdb": duck["gaps"]["result"]["gaps"],
        "encounter_pairs_planted": counts["encounter_pairs"],
        "encounter_pairs_duckdb": len(found),
        "encounter_pairs_duckdb_planted": len(found & planted),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("parquet", type=Path, help="positions from bench/make_tracks.py")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    ap.add_argument("--entry", default=None, metavar="MODULE:FUNCTION",
                    help="time this function instead of `vesselwatch detect`")
    ap.add_argument("--ports", default="",
                    help="port file for detection (default: FILE.ports.csv beside the input)")
    ap.add_argument("--baseline-slice", type=int, default=0, metavar="N",
                    help="also run MovingPandas and vesselwatch on a slice of whole "
                         "vessels of about N positions (see movingpandas_baseline.py)")
    ap.add_argument("--baseline-only", action="store_true",
                    help="run only the baselines (DuckDB; MovingPandas with --baseline-slice)")
    ap.add_argument("--no-duckdb", action="store_true", help="skip the DuckDB baseline")
    ap.add_argument("--ingested", type=Path, default=None, metavar="STORE",
                    help="a store that already holds this file: skip (and do not time) "
                         "`vesselwatch ingest`")
    ap.add_argument("--work", type=Path, default=None,
                    help="keep stores and the slice here (default: a temporary folder)")
    ap.add_argument("--run-duckdb", choices=("gaps", "encounters"), help=argparse.SUPPRESS)
    ap.add_argument("--run-entry", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--run-slice", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--run-rows", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--store", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.run_duckdb:
        return run_duckdb(args.run_duckdb, str(args.parquet), args.ports)
    if args.run_entry:
        return run_entry(args.run_entry, args.store, str(args.parquet), args.ports)
    if args.run_slice:
        sys.path.insert(0, str(HERE))
        import movingpandas_baseline

        taken = movingpandas_baseline.write_slice(args.parquet, args.run_slice, Path(args.store))
        sys.stdout.write(json.dumps(taken) + "\n")
        return 0
    if args.run_rows:
        import pyarrow.parquet as pq

        sys.stdout.write(f"{pq.ParquetFile(args.parquet).metadata.num_rows}\n")
        return 0

    parquet: Path = args.parquet.resolve()
    if not parquet.is_file():
        ap.error(f"{parquet}: no such file; make one with bench/make_tracks.py")
    truth_path = parquet.with_suffix(".truth.json")
    truth = json.loads(truth_path.read_text()) if truth_path.is_file() else None
    beside = parquet.with_suffix(".ports.csv")
    ports = Path(args.ports) if args.ports else (beside if beside.is_file() else None)
    has_detect, takes_ports = detect_available()
    if not args.baseline_only and args.entry is None and not has_detect:
        sys.stderr.write(
            "error: `vesselwatch detect` is not available in this install (`vesselwatch detect "
            "--help` failed), so there is nothing to time; pass --entry MODULE:FUNCTION to "
            "time a detection function, or --baseline-only to measure only the baselines\n")
        return 2

    # no pyarrow here: the parent stays small, as a child's ru_maxrss starts from its size
    rows = int(measure([sys.executable, str(Path(__file__).resolve()), "--run-rows",
                        str(parquet)])["stdout"])
    result: dict[str, Any] = {
        "input": str(parquet), "rows": rows, "bytes": parquet.stat().st_size,
        "truth": truth["counts"] if truth else None,
        "ports_file": str(ports) if ports else None,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "measured_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }
    with tempfile.TemporaryDirectory(prefix="vw-bench-detect-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        try:
            if not args.no_duckdb:
                duck = run_baseline_duckdb(parquet, ports)
                result["duckdb"] = duck
                result["checks"] = truth_checks(truth, duck)
            if not args.baseline_only:
                vw = run_vesselwatch(parquet, work / "full", args.entry, ports, has_detect,
                                     takes_ports, args.ingested)
                vw["detect"]["positions_per_s"] = round(rows / vw["detect"]["wall_s"])
                vw["checks"] = vesselwatch_checks(truth, vw["detect"]["summary"])
                result["vesselwatch"] = vw
                if "duckdb" in result:
                    base = sum(result["duckdb"][k]["wall_s"] for k in ("gaps", "encounters"))
                    result["ratio_duckdb_gaps_plus_encounters_over_detect"] = round(
                        base / vw["detect"]["wall_s"], 2)
            if args.baseline_slice:
                result["slice"] = run_slice(parquet, args.baseline_slice, work, args.entry,
                                            ports, has_detect, takes_ports,
                                            not args.baseline_only)
        except BenchError as exc:
            sys.stderr.write(f"error: {exc}\n")
            return 1
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0


def report(r: dict[str, Any]) -> None:
    w = sys.stdout.write
    w(f"input {r['input']}: {r['rows']:,} positions, {r['bytes'] / 1e6:,.0f} MB\n")
    if "duckdb" in r:
        for k, m in r["duckdb"].items():
            res = m["result"]
            w(f"  duckdb {k:<10} wall {m['wall_s']:7.2f} s (query {res['query_s']:.2f} s), "
              f"peak {m['peak_rss_mb']:,.0f} MB, {r['rows'] / m['wall_s']:,.0f} positions/s; "
              f"found {res.get('gaps', res.get('encounters'))}\n")
        if r.get("checks"):
            w(f"  truth checks: {json.dumps(r['checks'])}\n")
    if "vesselwatch" in r:
        for k in ("ingest", "detect"):
            m = r["vesselwatch"][k]
            if "skipped" in m:
                w(f"  vesselwatch {k:<7} {m['skipped']}\n")
                continue
            w(f"  vesselwatch {k:<7} wall {m['wall_s']:7.2f} s, peak {m['peak_rss_mb']:,.0f} MB, "
              f"{m['positions_per_s']:,} positions/s\n")
        summary = r["vesselwatch"]["detect"]["summary"]
        if isinstance(summary, dict):
            summary = {k: v for k, v in summary.items() if k != "config"}
        w(f"  detect summary: {json.dumps(summary)[:2000]}\n")
        if r["vesselwatch"].get("checks"):
            w(f"  truth checks: {json.dumps(r['vesselwatch']['checks'])}\n")
    if "slice" in r:
        s = r["slice"]
        mp = s["movingpandas"]
        w(f"  slice: {s['rows']:,} positions of {s['vessels']} vessels, planted "
          f"{json.dumps(s['planted'])}; movingpandas wall "
          f"{mp['wall_s']:.2f} s, peak {mp['peak_rss_mb']:,.0f} MB; "
          f"{json.dumps(mp['result'].get('found'))}\n")
        if "vesselwatch" in s:
            w(f"  slice: vesselwatch detect wall {s['vesselwatch']['detect']['wall_s']:.2f} s; "
              f"ratio movingpandas/vesselwatch {s['ratio_detect']}x; "
              f"{json.dumps(s['vesselwatch'].get('checks'))}\n")


if __name__ == "__main__":
    sys.exit(main())
