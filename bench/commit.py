"""Time a 3-million-row commit on one thread: ``python bench/commit.py``.

Synthetic positions: random mmsi over 5,000 vessels, ts over two days, 1% exact
duplicates. Reports the staging time (``txn.add`` of 30 batches) and the commit time
(sort, dedupe, partitioned write, fsync, manifest) separately, then a second commit of
the same rows under another source id: every row is a duplicate of a committed one, which
exercises the anti-join against the store. Arrow is limited to one thread; DuckDB is not used.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa

from vesselwatch.ingest.batch import Batch
from vesselwatch.model.schema import POSITIONS, TS
from vesselwatch.store import Store


def synthetic_positions(n: int, source_id: str, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    vessels = rng.choice(np.arange(200_000_000, 780_000_000, dtype=np.uint32), 5000, replace=False)
    mmsi = vessels[rng.integers(0, 5000, n)]
    ts = np.sort(1593475200_000_000 + rng.integers(0, 2 * 86_400_000_000, n))
    msg_hash = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)
    dup = rng.random(n) < 0.01  # 1% copies of the previous row's key
    dup[0] = False
    src = np.flatnonzero(dup) - 1
    mmsi[dup], ts[dup], msg_hash[dup] = mmsi[src], ts[src], msg_hash[src]
    cols = {
        "mmsi": pa.array(mmsi, pa.uint32()),
        "ts": pa.array(ts, pa.int64()).cast(TS),
        "ts_source": pa.array(np.full(n, "csv", dtype=object), pa.string()),
        "received_ts": pa.nulls(n, TS),
        "lat": rng.uniform(50, 60, n),
        "lon": rng.uniform(0, 15, n),
        "sog_kn": pa.array(rng.uniform(0, 20, n).astype(np.float32)),
        "cog_deg": pa.array(rng.uniform(0, 360, n).astype(np.float32)),
        "heading_deg": pa.array(rng.integers(0, 360, n).astype(np.uint16)),
        "rot_deg_min": pa.nulls(n, pa.float32()),
        "nav_status": pa.array(rng.integers(0, 16, n).astype(np.uint8)),
        "position_accuracy": pa.array(rng.integers(0, 2, n).astype(bool)),
        "msg_type": pa.array(np.ones(n, np.uint8)),
        "ais_class": pa.array(np.full(n, "A", dtype=object), pa.string()),
        "mmsi_issue": pa.nulls(n, pa.string()),
        "station": pa.nulls(n, pa.string()),
        "channel": pa.array(rng.choice(np.array(["A", "B"], dtype=object), n), pa.string()),
        "source_id": pa.array(np.full(n, source_id, dtype=object), pa.string()),
        "source_line": pa.array(np.arange(1, n + 1, dtype=np.int64)),
        "msg_hash": pa.array(msg_hash),
    }
    return pa.table(cols, schema=POSITIONS)


def run(root: Path, n: int, batch_rows: int, sha: str) -> dict[str, float]:
    store = Store.open(root)
    rows = synthetic_positions(n, sha[:16])
    with store.begin_ingest() as txn:
        txn.add_source(f"synthetic-{sha[:8]}.csv", sha, n * 80, "csv")
        t0 = time.perf_counter()
        for start in range(0, n, batch_rows):
            part = rows.slice(start, batch_rows)
            txn.add(Batch(positions=part, skipped=Counter(), lines=part.num_rows))
        t1, c1 = time.perf_counter(), time.process_time()
        result = txn.commit()
        t2, c2 = time.perf_counter(), time.process_time()
    return {
        "rows": n,
        "stage_s": round(t1 - t0, 3),
        "commit_s": round(t2 - t1, 3),
        "commit_cpu_s": round(c2 - c1, 3),  # about equal to commit_s: one thread
        "accepted": result.positions,
        "duplicates": result.duplicates["positions"],
        "files": store.info().files["positions"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--batch-rows", type=int, default=100_000)
    args = parser.parse_args()
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        first = run(root, args.rows, args.batch_rows, "a" * 64)
        again = run(root, args.rows, args.batch_rows, "b" * 64)
    sys.stdout.write(json.dumps({"first": first, "all_duplicates": again}, indent=1) + "\n")


if __name__ == "__main__":
    main()
