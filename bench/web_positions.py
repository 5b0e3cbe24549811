"""The dashboard's positions stream: ``GET /api/positions.arrow`` over a real server.

Input: a store (``--store``), or one made here from ``bench/make_tracks.py``'s synthetic
tracks (``--vessels``, ``--days``; 420 vessels over a day is about a million positions)
ingested into ``--work``. Measured, best and median of ``--repeat``:

- **baseline**: ``Engine.positions()`` over the whole store: every canonical column read
  and sorted by (mmsi, ts), what the CLI's ``positions`` export starts from;
- **stream (in process)**: the route's work without HTTP: the store read of the six map
  columns, the Arrow batch, the IPC bytes;
- **stream (HTTP)**: ``vesselwatch serve --port 0`` in a subprocess, the whole body
  fetched over loopback with ``urllib`` (the first fetch, cold, is reported apart);
- **thinned (HTTP)**: the same with ``limit`` = a fifth of the rows.

Ratios are against the baseline. The server is stopped with Ctrl-C (SIGINT) at the end.

Run: ``python bench/web_positions.py --vessels 420 --days 1 --work /tmp/vw-web --json /tmp/vw-web.json``
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent


def _times(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    out: Any = None
    seconds = []
    for _ in range(repeat):
        began = time.perf_counter()
        out = fn()
        seconds.append(time.perf_counter() - began)
    return min(seconds), statistics.median(seconds), out


def _make_store(work: Path, vessels: int, days: float) -> Path:
    from vesselwatch.engine import Engine

    tracks = work / f"tracks-{vessels}x{days:g}.parquet"
    if not tracks.exists():
        subprocess.run([sys.executable, str(BENCH / "make_tracks.py"), "--vessels",
                        str(vessels), "--days", str(days), "--out", str(tracks)], check=True,
                       stdout=subprocess.DEVNULL)
    store = work / f"store-{vessels}x{days:g}"
    if not store.exists():
        Engine(store).ingest([tracks], fmt="parquet")
    return store


def _serve(store: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "vesselwatch", "serve", "--store",
                             str(store), "--port", "0"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"http://\S+", line)
        if found:
            return proc, found.group(0)
    raise SystemExit(f"vesselwatch serve exited with {proc.wait()} before listening")


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as r:
        body: bytes = r.read()
        return body


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, help="an existing store (else one is made)")
    ap.add_argument("--vessels", type=int, default=420)
    ap.add_argument("--days", type=float, default=1.0)
    ap.add_argument("--work", type=Path, default=Path("/tmp/vw-web-bench"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()

    import pyarrow as pa

    from vesselwatch.engine import Engine
    from vesselwatch.web.positions_arrow import MAP_COLUMNS, ipc_stream, map_batch

    args.work.mkdir(parents=True, exist_ok=True)
    store = args.store or _make_store(args.work, args.vessels, args.days)
    engine = Engine(store, create=False)
    base_best, base_median, table = _times(engine.positions, args.repeat)
    rows = table.num_rows
    del table

    def in_process() -> bytes:
        return ipc_stream(map_batch(engine.positions(columns=MAP_COLUMNS), 8_000_000))

    proc_best, proc_median, body = _times(in_process, args.repeat)
    proc, url = _serve(store)
    try:
        began = time.perf_counter()
        cold = _fetch(url + "api/positions.arrow")
        cold_s = time.perf_counter() - began
        http_best, http_median, body = _times(lambda: _fetch(url + "api/positions.arrow"),
                                              args.repeat)
        limit = max(1, rows // 5)
        thin_best, thin_median, thin = _times(
            lambda: _fetch(url + f"api/positions.arrow?limit={limit}"), args.repeat)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    sent = pa.ipc.open_stream(body).read_all().num_rows
    assert sent == rows and len(cold) == len(body), "the stream lost rows"
    result = {
        "store": str(store), "rows": rows, "bytes": len(body),
        "baseline_engine_positions_s": {"best": base_best, "median": base_median},
        "stream_in_process_s": {"best": proc_best, "median": proc_median},
        "stream_http_s": {"best": http_best, "median": http_median, "cold": cold_s},
        "thinned_http_s": {"best": thin_best, "median": thin_median, "limit": limit,
                           "rows": pa.ipc.open_stream(thin).read_all().num_rows},
        "ratio_http_to_baseline": http_best / base_best,
        "ratio_in_process_to_baseline": proc_best / base_best,
    }
    print(f"{rows:,} positions, {len(body) / 1e6:.1f} MB stream")
    print(f"baseline Engine.positions(): best {base_best * 1e3:.0f} ms, "
          f"median {base_median * 1e3:.0f} ms")
    print(f"stream in process:          best {proc_best * 1e3:.0f} ms, "
          f"median {proc_median * 1e3:.0f} ms ({proc_best / base_best:.2f}x baseline)")
    print(f"stream over HTTP:           best {http_best * 1e3:.0f} ms, "
          f"median {http_median * 1e3:.0f} ms, cold {cold_s * 1e3:.0f} ms "
          f"({http_best / base_best:.2f}x baseline)")
    print(f"thinned to {limit:,} (HTTP):   best {thin_best * 1e3:.0f} ms, "
          f"median {thin_median * 1e3:.0f} ms")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
