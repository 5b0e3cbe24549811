"""The events of the latest detection run: written whole, replaced atomically, read filtered.

A run writes ``events/<run_id>.parquet`` (sorted by mmsi, start_ts), fsyncs it, then commits
a manifest that lists it instead of the previous run's file; the previous file is removed
after the commit (or by the next writer's garbage collection if the process dies first).
Re-running detection on the same data with the same parameters writes the same rows.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vesselwatch.model.events import EVENTS, sort_events
from vesselwatch.store import durable, gc, manifest
from vesselwatch.store.layout import EVENTS_TABLE, as_utc, new_ingest_id
from vesselwatch.store.lock import WriterLock
from vesselwatch.store.manifest import DataFile, Manifest

log = logging.getLogger(__name__)


def write_events(root: Path, events: pa.Table, detection: dict[str, Any],
                 lock_timeout: float) -> Manifest:
    """Replace the store's events with ``events``; return the committed manifest.

    The file the previous run wrote stays on disk until the run after this one, so that a
    reader holding the previous snapshot can still read it; files older than that, and
    files of runs killed before their commit, are removed under the writer lock.
    """
    table = sort_events(events.select(EVENTS.names).cast(EVENTS))
    with WriterLock(root, lock_timeout):
        base = manifest.read(root)
        gc.collect_garbage(root, base)
        run_id = new_ingest_id()
        rel = f"{EVENTS_TABLE}/{run_id}.parquet"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            pq.write_table(table, path, compression="zstd", row_group_size=1 << 20)
            durable.fsync_tree([path], root)
            ts = table["start_ts"].cast(pa.int64())
            data_file = DataFile(
                EVENTS_TABLE, rel, run_id, table.num_rows, path.stat().st_size,
                ts_min_us=pc.min(ts).as_py(), ts_max_us=pc.max(ts).as_py(),
            )
            superseded = [f.path for f in base.files_of(EVENTS_TABLE)]
            record = {"run_id": run_id, **detection, "retired": superseded}
            record.setdefault("data_generation", base.generation)
            committed = base.with_events([data_file], record)
            manifest.write(root, committed, run_id)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        for old in (base.detection or {}).get("retired", []):
            if old not in superseded:
                (root / old).unlink(missing_ok=True)
    return committed


def read_events(
    root: Path,
    snapshot: Manifest,
    *,
    event_types: list[str] | None = None,
    mmsi: list[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    min_confidence: int | None = None,
) -> pa.Table:
    """Events that overlap [start, end) (open events reach to the end of time), filtered."""
    files = snapshot.files_of(EVENTS_TABLE)
    if not files:
        return EVENTS.empty_table()
    table = pa.concat_tables(pq.read_table(root / f.path, schema=EVENTS) for f in files)
    mask = pa.array(np.ones(table.num_rows, dtype=bool))
    if event_types:
        mask = pc.and_(mask, pc.is_in(table["event_type"], pa.array(event_types)))
    if mmsi:
        mask = pc.and_(mask, pc.is_in(table["mmsi"], pa.array(mmsi, pa.uint32())))
    if min_confidence is not None:
        mask = pc.and_(mask, pc.greater_equal(table["confidence"], min_confidence))
    if end is not None:
        mask = pc.and_(mask, pc.less(table["start_ts"], pa.scalar(as_utc(end), EVENTS.field("start_ts").type)))
    if start is not None:
        begin = pa.scalar(as_utc(start), EVENTS.field("start_ts").type)
        reaches = pc.or_kleene(pc.is_null(table["end_ts"]), pc.greater_equal(table["end_ts"], begin))
        mask = pc.and_(mask, reaches)
    return sort_events(table.filter(mask))
