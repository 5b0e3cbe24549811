"""NMEA decode throughput, in process, one thread each: vesselwatch against the baselines.

Every decoder reads the same input (from ``bench/make_input.py``) and collects the same
columns (mmsi, lat, lon, sog, cog, heading, ts where the decoder gives one):

- **vesselwatch**: ``vesselwatch.ingest.nmea.read_nmea`` over the file stream; its batches
  (Arrow tables) are kept, as a caller would keep them. Whole file, best of ``--repeat``.
- **pyais** (MIT, pure Python): ``pyais.FileReaderStream``-style loop (``BinaryIOStream``
  over the file, checksum check, ``msg.decode()``), the same loop as
  ``bench/pyais_to_parquet.py``, collecting into lists. On a prefix of
  ``--baseline-lines`` lines: it is slow.
- **libais** (Apache-2.0, C++ decoder behind a Python stream layer): its stream API
  ``ais.nmea_queue.NmeaQueue``, one line at a time, on the same prefix. Skipped when not
  importable. Its stream layer drops multi-part messages that carry no tag-block group
  and raises on some tag-blocked non-AIS sentences (caught and counted).
- **aiscat** (GPL: never a dependency, measured only when already installed):
  ``aiscat.decode(line)`` per line, on the same prefix. Skipped when not importable.

Rates are lines/s and messages/s (AIS messages the decoder put together and decoded); the
ratios compare rates, so the prefix and the whole file compare fairly (the input repeats
the same captures, so a prefix has the same mix). The process is pinned to one core where
the OS allows it (``--cpu``), and the thread-pool variables are set before any import.

Run: ``python bench/decode.py /tmp/vw-bench.nmea --json decode.json``
"""

from __future__ import annotations

import os

for _var in ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VESSELWATCH_THREADS", "RAYON_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import gc
import itertools
import json
import logging
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyais_to_parquet
import pyarrow as pa

from vesselwatch.ingest.nmea import read_nmea

pa.set_cpu_count(1)
pa.set_io_thread_count(1)

DEFAULT_BASELINE_LINES = 300_000
REFERENCE_US = 1_577_836_800_000_000  # 2020-01-01, as bench/ingest.py passes to the CLI
# line-level verdicts that are not messages (everything else a line can be is part of one)
_NOT_MESSAGES = ("empty_line", "non_ais_sentence", "time_sentence", "header")
_LINE_REJECTS = ("bad_format", "bad_checksum", "bad_tag_block", "line_too_long", "bad_time",
                 "orphan_fragment")


def run_vesselwatch(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:  # keep the batches, as a caller would
        batches = list(read_nmea(f, "bench", path=str(path), reference_us=REFERENCE_US))
    lines = sum(b.lines for b in batches)
    skipped = sum(sum(v for k, v in b.skipped.items() if k in _NOT_MESSAGES) for b in batches)
    line_rejects = 0
    rows = 0
    for b in batches:
        reasons = b.rejects.column("reason").to_pylist()
        line_rejects += sum(r in _LINE_REJECTS for r in reasons)
        rows += b.positions.num_rows + b.vessel_reports.num_rows
    messages = lines - skipped - line_rejects - sum(b.parts_joined for b in batches)
    return {"lines": lines, "messages": messages, "rows": rows,
            "positions": sum(b.positions.num_rows for b in batches)}


def run_pyais(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        _cols, counts = pyais_to_parquet.decode(f, reference_ms=REFERENCE_US // 1000,
                                               positions_only=False)
    return {"messages": counts["messages"], "rows": counts["rows"],
            "decode_errors": counts["decode_errors"], "bad_checksum": counts["bad_checksum"]}


def run_libais(path: Path) -> dict[str, Any]:
    from ais import nmea_queue

    logging.getLogger("libais").setLevel(logging.CRITICAL)  # it logs every bad message
    cols: dict[str, list[Any]] = {c: [] for c in ("mmsi", "lat", "lon", "sog", "cog",
                                                  "heading", "ts")}
    q = nmea_queue.NmeaQueue()
    raised = messages = 0
    with path.open("r", encoding="ascii", errors="replace") as f:
        for line in f:
            try:
                q.put(line)
            except Exception:
                raised += 1
                continue
            m = q.GetOrNone()
            while m is not None:
                d = m.get("decoded")
                if d is not None:
                    messages += 1
                    times = m.get("times")
                    cols["mmsi"].append(d.get("mmsi"))
                    cols["lat"].append(d.get("y"))
                    cols["lon"].append(d.get("x"))
                    cols["sog"].append(d.get("sog"))
                    cols["cog"].append(d.get("cog"))
                    cols["heading"].append(d.get("true_heading"))
                    cols["ts"].append(times[0] if times else None)
                m = q.GetOrNone()
    return {"messages": messages, "rows": len(cols["mmsi"]), "lines_raised": raised}


def run_aiscat(path: Path) -> dict[str, Any]:
    import aiscat

    cols: dict[str, list[Any]] = {c: [] for c in ("mmsi", "lat", "lon", "sog", "cog",
                                                  "heading", "ts")}
    messages = errors = 0
    with path.open("r", encoding="ascii", errors="replace") as f:
        for line in f:
            try:
                d = aiscat.decode(line.rstrip("\r\n"))
            except Exception:
                errors += 1
                continue
            for m in d if isinstance(d, list) else ([d] if d else []):
                messages += 1
                cols["mmsi"].append(m.get("mmsi"))
                cols["lat"].append(m.get("lat"))
                cols["lon"].append(m.get("lon"))
                cols["sog"].append(m.get("speed"))
                cols["cog"].append(m.get("course"))
                cols["heading"].append(m.get("heading"))
                cols["ts"].append(m.get("rxuxtime"))
    return {"messages": messages, "rows": len(cols["mmsi"]), "errors": errors}


def count_lines(path: Path) -> int:
    return pyais_to_parquet.count_lines(path)


def timed(fn: Callable[[Path], dict[str, Any]], path: Path, lines: int, repeat: int
          ) -> dict[str, Any]:
    """Best of ``repeat`` runs of ``fn(path)``; rates from the best."""
    runs: list[float] = []
    out: dict[str, Any] = {}
    for _ in range(repeat):
        gc.collect()
        began = time.perf_counter()
        out = fn(path)
        runs.append(time.perf_counter() - began)
    best = min(runs)
    out.update(lines=out.get("lines", lines), seconds=round(best, 4),
               runs_s=[round(r, 4) for r in runs])
    out["lines_per_s"] = round(out["lines"] / best)
    out["messages_per_s"] = round(out["messages"] / best)
    return out


def write_prefix(path: Path, n: int, folder: Path) -> tuple[Path, int]:
    """The first ``n`` lines of ``path`` as a file of its own (written before any clock)."""
    out = folder / f"prefix-{n}.nmea"
    written = 0
    with path.open("rb") as src, out.open("wb") as dst:
        for line in itertools.islice(src, n):
            dst.write(line)
            written += 1
    return out, written


def pin(cpu: int | None) -> str:
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError as exc:
        return f"not pinned ({exc.strerror})"
    return f"pinned to CPU {cpu}"


def available(module: str) -> str | None:
    """None when ``module`` imports, else why not."""
    try:
        __import__(module)
    except Exception as exc:
        return f"not importable ({type(exc).__name__}: {exc})"
    return None


BASELINES: list[tuple[str, str, Callable[[Path], dict[str, Any]]]] = [
    ("pyais", "pyais", run_pyais),
    ("libais", "ais", run_libais),
    ("aiscat", "aiscat", run_aiscat),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path, help="NMEA input (from bench/make_input.py)")
    ap.add_argument("--baseline-lines", type=int, default=DEFAULT_BASELINE_LINES,
                    help="lines the baselines decode (a prefix; default "
                         f"{DEFAULT_BASELINE_LINES:,})")
    ap.add_argument("--repeat", type=int, default=3, help="vesselwatch runs; the best counts")
    ap.add_argument("--baseline-repeat", type=int, default=1, help="runs of each baseline")
    ap.add_argument("--only", nargs="*", default=None,
                    help="baselines to run (default: all that import): pyais libais aiscat")
    ap.add_argument("--cpu", type=int, default=0, help="CPU to pin to (-1: do not pin)")
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = ap.parse_args(argv)
    pinned = pin(None if args.cpu < 0 else args.cpu)
    total_lines = count_lines(args.file)
    import pyais

    versions = {"python": platform.python_version(), "pyais": pyais.__version__}
    report: dict[str, Any] = {
        "benchmark": "decode", "input": str(args.file), "input_lines": total_lines,
        "input_bytes": args.file.stat().st_size, "threads": 1, "cpu": pinned,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "versions": versions,
        "results": {}, "ratios": {}, "notes": [],
    }
    print(f"decode benchmark: {args.file} ({total_lines:,} lines, "
          f"{report['input_bytes'] / 1e6:,.1f} MB), one thread, {pinned}")
    vw = timed(run_vesselwatch, args.file, total_lines, args.repeat)
    vw["scope"] = "whole file"
    report["results"]["vesselwatch"] = vw
    with tempfile.TemporaryDirectory() as tmp:
        prefix, prefix_lines = write_prefix(args.file, args.baseline_lines, Path(tmp))
        vw_prefix = timed(run_vesselwatch, prefix, prefix_lines, args.repeat)
        vw_prefix["scope"] = f"first {prefix_lines:,} lines"
        report["results"]["vesselwatch_on_prefix"] = vw_prefix
        for name, module, fn in BASELINES:
            if args.only is not None and name not in args.only:
                continue
            why = available(module)
            if why:
                report["results"][name] = {"skipped": why}
                report["notes"].append(f"{name} skipped: {why}")
                continue
            mod = sys.modules[module]
            versions[name] = getattr(mod, "__version__", "?")
            r = timed(fn, prefix, prefix_lines, args.baseline_repeat)
            r["scope"] = f"first {prefix_lines:,} lines (a prefix: the rate is what compares)"
            report["results"][name] = r
            report["ratios"][name] = {
                "messages_per_s": round(vw["messages_per_s"] / r["messages_per_s"], 2)
                if r["messages_per_s"] else None,
                "lines_per_s": round(vw["lines_per_s"] / r["lines_per_s"], 2),
            }
    _print(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _print(report: dict[str, Any]) -> None:
    print(f"{'decoder':<22} {'scope':<26} {'lines':>10} {'messages':>10} {'seconds':>9} "
          f"{'lines/s':>11} {'msg/s':>11}  vesselwatch/this (msg/s)")
    for name, r in report["results"].items():
        if "skipped" in r:
            print(f"{name:<22} skipped: {r['skipped']}")
            continue
        ratio = report["ratios"].get(name, {}).get("messages_per_s")
        scope = r["scope"].split(" (")[0]
        print(f"{name:<22} {scope:<26} {r['lines']:>10,} {r['messages']:>10,} "
              f"{r['seconds']:>9.2f} {r['lines_per_s']:>11,} {r['messages_per_s']:>11,}  "
              f"{'' if ratio is None else f'{ratio:.1f}x'}")
    for note in report["notes"]:
        print(f"note: {note}")
    print("note: the baselines ran on a prefix of the input (they are slow); ratios compare "
          "rates, vesselwatch's from the whole file")


if __name__ == "__main__":
    sys.exit(main())
