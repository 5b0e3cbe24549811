"""End-to-end ingest: the ``vesselwatch ingest`` command against a pyais script, one run.

Both run as subprocesses on the same NMEA file (from ``bench/make_input.py``), timed by
wall clock from process start to exit, single-threaded (``POLARS_MAX_THREADS``,
``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``VESSELWATCH_THREADS`` = 1 in their
environment) and pinned to one core with ``taskset -c 0`` where taskset exists:

(a) ``vesselwatch ingest FILE --store TMPDIR --reference-time 2020-01-01 --json``: decode,
    validate, deduplicate, quarantine, write the partitioned store and its catalogue;
(b) ``python bench/pyais_to_parquet.py FILE --out TMP/positions.parquet``: pyais decode of
    the same file, the same position columns, one Parquet file (the baseline). On the
    whole file by default; with ``--baseline-lines N`` on the first N lines, its rate then
    stands for the whole file (extrapolated; the output says which).

With ``--repeat N`` (default 3) the two commands take turns N times (vesselwatch, pyais,
vesselwatch, ...), so that both meet the same state of the machine, and the medians of
their wall times give the rates and the ratio; every run's time is kept in the JSON. Every
vesselwatch run writes a fresh store and must report the same rows.

Rates are sentences (input lines) per second. Then the rows: ``vesselwatch info --json``
gives the positions in the store, which must equal the pyais rows less the exact
duplicates vesselwatch removed, up to the rows it rejected as out of range
(``bad_value``, ``bad_position``, ``bad_mmsi``; the report does not say whether a reject
was a position or a vessel report, so they bound the residual rather than subtract) and
``--tolerance`` of the rows (decode differences on damaged and truncated messages). When the
baseline ran on a prefix, that check ingests the same prefix into a second store.

Run: ``python bench/ingest.py /tmp/vw-bench.nmea --json ingest.json``
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REFERENCE_TIME = "2020-01-01"
THREAD_VARS = ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
               "VESSELWATCH_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "RAYON_NUM_THREADS")
RANGE_REJECTS = ("bad_value", "bad_position", "bad_mmsi")
DEFAULT_TOLERANCE = 0.001


def vesselwatch_command() -> list[str]:
    """The console script next to this Python, else the same entry point through ``-c``."""
    script = Path(sys.executable).with_name("vesselwatch")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "from vesselwatch.cli import run; run()"]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update({v: "1" for v in THREAD_VARS})
    return env


def pin_prefix(cpu: int | None) -> list[str]:
    if cpu is None or shutil.which("taskset") is None:
        return []
    return ["taskset", "-c", str(cpu)]


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    began = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"error: {' '.join(cmd)} exited {proc.returncode}\n{proc.stderr[-4000:]}")
    return wall, proc


def count_lines(path: Path) -> int:
    sys.path.insert(0, str(HERE))
    import pyais_to_parquet

    return pyais_to_parquet.count_lines(path)


def write_prefix(path: Path, n: int, out: Path) -> int:
    written = 0
    with path.open("rb") as src, out.open("wb") as dst:
        for line in itertools.islice(src, n):
            dst.write(line)
            written += 1
    return written


def ingest_vesselwatch(file: Path, store: Path, pin: list[str], env: dict[str, str]
                       ) -> dict[str, Any]:
    cmd = [*pin, *vesselwatch_command(), "ingest", str(file), "--store", str(store),
           "--reference-time", REFERENCE_TIME, "--json"]
    wall, proc = run(cmd, env)
    report = json.loads(proc.stdout)
    _, info_proc = run([*vesselwatch_command(), "info", "--json", "--store", str(store)], env)
    info = json.loads(info_proc.stdout)
    return {"command": " ".join(cmd), "wall_s": round(wall, 3),
            "engine_s": report.get("seconds"), "report": report,
            "store_rows": info["rows"]}


def ingest_pyais(file: Path, out: Path, pin: list[str], env: dict[str, str]) -> dict[str, Any]:
    counts_path = out.with_suffix(".json")
    cmd = [*pin, sys.executable, str(HERE / "pyais_to_parquet.py"), str(file), "--out", str(out),
           "--reference-time", REFERENCE_TIME, "--json", str(counts_path)]
    wall, _ = run(cmd, env)
    counts = json.loads(counts_path.read_text())
    return {"command": " ".join(cmd), "wall_s": round(wall, 3), "counts": counts,
            "rows": counts["rows"]}


def summarise(runs: list[dict[str, Any]], sentences: int) -> dict[str, Any]:
    """The first run's details, with the median wall time of all runs (and each run's)."""
    walls = [r["wall_s"] for r in runs]
    out = dict(runs[0])
    out["runs"] = len(runs)
    out["runs_wall_s"] = walls
    out["wall_s"] = round(statistics.median(walls), 3)
    if runs[0].get("engine_s") is not None:
        out["engine_s"] = round(statistics.median(r["engine_s"] for r in runs), 3)
    out["sentences"] = sentences
    out["sentences_per_s"] = round(sentences / out["wall_s"])
    return out


def row_check(vw: dict[str, Any], pyais_rows: int, tolerance: float) -> dict[str, Any]:
    """Store positions against pyais rows less the known differences."""
    report = vw["report"]
    stored = vw["store_rows"]["positions"]
    duplicates = report["duplicates"].get("positions", 0)
    # the report does not say which table a reject came from: these bound, not subtract
    range_rejects = sum(report["rejects"].get(r, 0) for r in RANGE_REJECTS)
    expected = pyais_rows - duplicates
    residual = stored - expected
    limit = range_rejects + max(10, round(tolerance * pyais_rows))
    return {
        "store_positions": stored, "pyais_rows": pyais_rows,
        "duplicates_removed": duplicates, "range_rejects": range_rejects,
        "expected_store_positions": expected, "residual": residual,
        "residual_share": round(residual / pyais_rows, 6) if pyais_rows else 0.0,
        "allowed": limit, "ok": abs(residual) <= limit,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path, help="NMEA input (from bench/make_input.py)")
    ap.add_argument("--baseline-lines", type=int, default=None,
                    help="run the pyais script on the first N lines only and extrapolate its "
                         "rate (default: the whole file)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each command, taking turns; the medians are compared "
                         "(default 3)")
    ap.add_argument("--cpu", type=int, default=0, help="core for taskset (-1: do not pin)")
    ap.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                    help="allowed unexplained row difference, a share of the pyais rows")
    ap.add_argument("--keep", type=Path, default=None,
                    help="keep the store and Parquet here instead of a temporary folder")
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = ap.parse_args(argv)
    env = environment()
    pin = pin_prefix(None if args.cpu < 0 else args.cpu)
    lines = count_lines(args.file)
    out: dict[str, Any] = {
        "benchmark": "ingest", "input": str(args.file), "input_lines": lines,
        "input_bytes": args.file.stat().st_size, "threads": 1,
        "pinned": " ".join(pin) if pin else "not pinned (no taskset)",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "reference_time": REFERENCE_TIME,
    }
    print(f"ingest benchmark: {args.file} ({lines:,} lines, {out['input_bytes'] / 1e6:,.1f} MB), "
          f"one thread, {out['pinned']}")
    with tempfile.TemporaryDirectory(prefix="vw-bench-") as tmp_s:
        tmp = args.keep or Path(tmp_s)
        tmp.mkdir(parents=True, exist_ok=True)
        base_file, base_lines = args.file, lines
        if args.baseline_lines is not None and args.baseline_lines < lines:
            base_file = tmp / "prefix.nmea"
            base_lines = write_prefix(args.file, args.baseline_lines, base_file)
        vw_runs, py_runs = [], []
        for i in range(max(1, args.repeat)):
            vw_runs.append(ingest_vesselwatch(args.file, tmp / f"store-{i}", pin, env))
            py_runs.append(ingest_pyais(base_file, tmp / f"pyais-positions-{i}.parquet", pin, env))
        if any(r["store_rows"] != vw_runs[0]["store_rows"] for r in vw_runs):
            raise SystemExit("error: the vesselwatch runs stored different rows: "
                             f"{[r['store_rows'] for r in vw_runs]}")
        vw = summarise(vw_runs, lines)
        py = summarise(py_runs, base_lines)
        py["scope"] = ("whole file" if base_file == args.file else
                       f"first {base_lines:,} lines; whole-file time extrapolated from the rate")
        py["whole_file_s"] = round(lines / py["sentences_per_s"], 1)
        if base_file == args.file:
            check_vw = vw
        else:  # the row check needs vesselwatch on the same lines
            check_vw = ingest_vesselwatch(base_file, tmp / "store-prefix", pin, env)
        check = row_check(check_vw, py["rows"], args.tolerance)
    out["vesselwatch"] = vw
    out["pyais"] = py
    out["ratio_sentences_per_s"] = round(vw["sentences_per_s"] / py["sentences_per_s"], 2)
    out["rows"] = check
    _print(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0 if check["ok"] else 3


def _print(out: dict[str, Any]) -> None:
    vw, py, c = out["vesselwatch"], out["pyais"], out["rows"]
    print(f"(a) vesselwatch ingest: {vw['sentences']:,} sentences in {vw['wall_s']:.2f} s wall "
          f"(engine {vw['engine_s']} s) = {vw['sentences_per_s']:,} sentences/s "
          f"{_runs(vw)}")
    print(f"    {vw['command']}")
    print(f"(b) pyais script:       {py['sentences']:,} sentences in {py['wall_s']:.2f} s wall "
          f"= {py['sentences_per_s']:,} sentences/s {_runs(py)} ({py['scope']}; whole file "
          f"~{py['whole_file_s']:,} s)")
    print(f"    {py['command']}")
    print("ratio vesselwatch / pyais (sentences/s, end to end, medians): "
          f"{out['ratio_sentences_per_s']:.1f}x")
    verdict = "ok" if c["ok"] else f"MISMATCH (more than {c['allowed']:,} unexplained)"
    print(f"rows: store {c['store_positions']:,} positions; pyais {c['pyais_rows']:,} rows "
          f"- {c['duplicates_removed']:,} exact duplicates vesselwatch removed = "
          f"{c['expected_store_positions']:,} expected; residual {c['residual']:+,} "
          f"({c['residual_share']:.4%}; allowed {c['allowed']:,}: the {c['range_rejects']:,} "
          f"range rejects of positions and vessel reports + tolerance): {verdict}")


def _runs(r: dict[str, Any]) -> str:
    if r["runs"] == 1:
        return "(one run)"
    return f"(median of {r['runs']} runs: {', '.join(f'{w:.2f}' for w in r['runs_wall_s'])} s)"


if __name__ == "__main__":
    sys.exit(main())
