"""A summary of a store: what it holds, from where, and how much disk it takes."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from vesselwatch.store.layout import PARTITIONED_TABLES, TABLE_DIRS
from vesselwatch.store.manifest import Manifest, SourceRecord
from vesselwatch.store.result import from_micros, iso


@dataclass(frozen=True)
class StoreInfo:
    """What ``vesselwatch info`` shows; :meth:`to_dict` is its JSON twin.

    ``rows`` and ``files`` count committed rows and files per table; ``quarantine`` counts
    quarantined rows by reason; ``bytes_committed`` is the size of the committed files and
    manifest, ``bytes_on_disk`` of everything under the store directory.
    """

    path: str
    schema_version: int
    created: str
    n_buckets: int
    generation: int
    rows: dict[str, int]
    files: dict[str, int]
    vessels: int
    ts_min: datetime | None
    ts_max: datetime | None
    ingests: int
    sources: list[SourceRecord] = field(default_factory=list)
    quarantine: dict[str, int] = field(default_factory=dict)
    bytes_committed: int = 0
    bytes_on_disk: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (times as ISO 8601 text)."""
        data = asdict(self)
        data["ts_min"] = iso(self.ts_min)
        data["ts_max"] = iso(self.ts_max)
        return data


def _disk_usage(root: Path) -> int:
    total = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            try:
                total += (Path(dirpath) / name).stat().st_size
            except FileNotFoundError:  # removed meanwhile by a writer's garbage collection
                continue
    return total


def count_vessels(root: Path, snapshot: Manifest) -> int:
    """Distinct mmsi over committed positions and vessel reports (reads the mmsi column)."""
    if not any(f.table in PARTITIONED_TABLES for f in snapshot.files):
        return 0
    from vesselwatch.store import catalog  # duckdb loads on first use

    con = catalog.connect(root, snapshot)
    try:
        found = con.execute(
            "SELECT count(DISTINCT mmsi) FROM "
            "(SELECT mmsi FROM positions UNION ALL SELECT mmsi FROM vessel_reports)"
        ).fetchone()
    finally:
        con.close()
    return int(found[0]) if found else 0


def gather(root: Path, snapshot: Manifest, manifest_bytes: int) -> StoreInfo:
    """The :class:`StoreInfo` of ``snapshot``."""
    rows: Counter[str] = Counter({t: 0 for t in TABLE_DIRS})
    files: Counter[str] = Counter({t: 0 for t in TABLE_DIRS})
    for f in snapshot.files:
        rows[f.table] += f.rows
        files[f.table] += 1
    reasons: Counter[str] = Counter()
    for ingest in snapshot.ingests:
        reasons.update({str(k): int(v) for k, v in ingest.result.get("rejects", {}).items()})
    lows = [f.ts_min_us for f in snapshot.files if f.ts_min_us is not None]
    highs = [f.ts_max_us for f in snapshot.files if f.ts_max_us is not None]
    return StoreInfo(
        path=str(root),
        schema_version=snapshot.schema_version,
        created=snapshot.created,
        n_buckets=snapshot.n_buckets,
        generation=snapshot.generation,
        rows=dict(rows),
        files=dict(files),
        vessels=count_vessels(root, snapshot),
        ts_min=from_micros(min(lows)) if lows else None,
        ts_max=from_micros(max(highs)) if highs else None,
        ingests=len(snapshot.ingests),
        sources=list(snapshot.sources),
        quarantine=dict(sorted(reasons.items())),
        bytes_committed=manifest_bytes + sum(f.size_bytes for f in snapshot.files),
        bytes_on_disk=_disk_usage(root),
    )
