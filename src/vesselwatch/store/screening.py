"""The latest screening run and the analyst's false-positive marks, beside the data.

``screening/hits.parquet`` holds the hits of the latest run (replaced whole, atomically),
``screening/run.json`` its parameters and counts, and ``screening/false_positives.json``
the hits an analyst marked as false positives (hit id -> note, who and when): analyst data
that no run replaces, so a mark stays on every re-run. Every write holds the store's
writer lock. Garbage collection never touches this folder.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vesselwatch.model.sanctions import SCREENING_HITS
from vesselwatch.store import durable
from vesselwatch.store.lock import WriterLock

__all__ = ["SCREENING_DIR", "false_positives", "mark_false_positive", "read_hits", "read_run",
           "write_hits"]

SCREENING_DIR = "screening"
HITS = "hits.parquet"
RUN = "run.json"
FALSE_POSITIVES = "false_positives.json"


def write_hits(root: Path, hits: pa.Table, run: dict[str, Any], lock_timeout: float) -> None:
    """Replace the hits of the previous screening run with ``hits``."""
    folder = root / SCREENING_DIR
    with WriterLock(root, lock_timeout):
        folder.mkdir(exist_ok=True)
        buf = io.BytesIO()
        pq.write_table(hits.select(SCREENING_HITS.names).cast(SCREENING_HITS), buf,
                       compression="zstd")
        temp = durable.atomic_write_bytes(folder / HITS, buf.getvalue(), ".hits.parquet.tmp")
        durable.replace(temp, folder / HITS)
        text = json.dumps(run, indent=2, default=str).encode()
        durable.replace(durable.atomic_write_bytes(folder / RUN, text, ".run.json.tmp"),
                        folder / RUN)


def read_hits(root: Path) -> pa.Table | None:
    """The hits of the latest run with the current false-positive marks, or None."""
    path = root / SCREENING_DIR / HITS
    if not path.is_file():
        return None
    hits = pq.read_table(path).cast(SCREENING_HITS)
    marks = false_positives(root)
    ids = hits["hit_id"].to_pylist()
    flags = pa.array([i in marks for i in ids], pa.bool_())
    notes = pa.array([marks[i]["note"] if i in marks else None for i in ids], pa.string())
    hits = hits.set_column(hits.schema.get_field_index("false_positive"), "false_positive",
                           flags)
    return hits.set_column(hits.schema.get_field_index("false_positive_note"),
                           "false_positive_note", notes)


def read_run(root: Path) -> dict[str, Any] | None:
    path = root / SCREENING_DIR / RUN
    run: dict[str, Any] | None = json.loads(path.read_text("utf-8")) if path.is_file() else None
    return run


def false_positives(root: Path) -> dict[str, dict[str, Any]]:
    """hit id -> {"note", "marked_at", "mmsi", "entity_id"} of every mark."""
    path = root / SCREENING_DIR / FALSE_POSITIVES
    if not path.is_file():
        return {}
    marks: dict[str, dict[str, Any]] = json.loads(path.read_text("utf-8"))
    return marks


def mark_false_positive(root: Path, hit_id: str, *, note: str, undo: bool, mmsi: int | None,
                        entity_id: str | None, lock_timeout: float) -> dict[str, dict[str, Any]]:
    """Mark (or with ``undo`` unmark) a hit as a false positive; return every mark."""
    folder = root / SCREENING_DIR
    with WriterLock(root, lock_timeout):
        folder.mkdir(exist_ok=True)
        marks = false_positives(root)
        if undo:
            marks.pop(hit_id, None)
        else:
            marks[hit_id] = {"note": note, "mmsi": mmsi, "entity_id": entity_id,
                             "marked_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        text = json.dumps(marks, indent=2, sort_keys=True).encode()
        temp = durable.atomic_write_bytes(folder / FALSE_POSITIVES, text,
                                          ".false_positives.json.tmp")
        durable.replace(temp, folder / FALSE_POSITIVES)
    return marks
