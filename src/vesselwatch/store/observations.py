"""The analysts' observations, beside the data.

``observations/observations.parquet`` holds every observation an analyst added
(:data:`~vesselwatch.model.observations.OBSERVATIONS`), in the order added. It is analyst
data: no ingest, detection or screening run replaces it, and garbage collection never
touches this folder. Every write holds the store's writer lock and replaces the file
atomically, so readers see the old table or the new one, never a part.

Adding is idempotent: an observation whose id is stored with the same content
(:data:`~vesselwatch.model.observations.CONTENT_COLUMNS`) is skipped; one whose id is stored
with other content refuses the whole import, which then changes nothing.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vesselwatch.errors import InputError, StoreError
from vesselwatch.model.observations import CONTENT_COLUMNS, OBSERVATIONS
from vesselwatch.store import durable
from vesselwatch.store.layout import MANIFEST
from vesselwatch.store.lock import WriterLock

__all__ = ["OBSERVATIONS_DIR", "add_observations", "read_observations", "remove_observation"]

OBSERVATIONS_DIR = "observations"
OBSERVATIONS_FILE = "observations.parquet"


def read_observations(root: Path) -> pa.Table:
    """Every stored observation (:data:`OBSERVATIONS`); an empty table when there are none."""
    path = root / OBSERVATIONS_DIR / OBSERVATIONS_FILE
    if not path.is_file():
        return OBSERVATIONS.empty_table()
    return pq.read_table(path).select(OBSERVATIONS.names).cast(OBSERVATIONS)


def add_observations(root: Path, table: pa.Table, lock_timeout: float) -> int:
    """Append the observations of ``table`` not yet stored; return how many were added.

    Rows without ``added_at`` get the time of this call. Raises :class:`InputError` when an
    id is already stored (or given twice) with other content; nothing is written then."""
    incoming = _conform(table)
    _require_store(root)
    with WriterLock(root, lock_timeout):
        stored = read_observations(root)
        known = {row["observation_id"]: row for row in stored.to_pylist()}
        stored_ids = set(known)
        now = datetime.now(UTC)
        added: list[dict[str, Any]] = []
        for row in incoming.to_pylist():
            oid = row["observation_id"]
            before = known.get(oid)
            if before is not None:
                _same_or_refuse(before, row, stored=oid in stored_ids)
                continue
            row["added_at"] = row["added_at"] or now
            known[oid] = row
            added.append(row)
        if added:
            new = pa.Table.from_pylist(added, schema=OBSERVATIONS)
            _write(root, pa.concat_tables([stored, new]))
    return len(added)


def remove_observation(root: Path, observation_id: str, lock_timeout: float) -> bool:
    """Remove one observation by id; False when no such observation is stored."""
    _require_store(root)
    with WriterLock(root, lock_timeout):
        stored = read_observations(root)
        keep = pc.not_equal(stored["observation_id"], pa.scalar(observation_id, pa.string()))
        kept = stored.filter(keep)
        if kept.num_rows == stored.num_rows:
            return False
        _write(root, kept)
    return True


def _conform(table: pa.Table) -> pa.Table:
    missing = [n for n in OBSERVATIONS.names if n not in table.column_names]
    if missing:
        raise InputError(f"observations to add have no column {missing[0]!r}; build them "
                         "with vesselwatch.cases.observations (read_observations or "
                         "observation)")
    try:
        return table.select(OBSERVATIONS.names).cast(OBSERVATIONS)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as exc:
        raise InputError(f"observations to add do not fit the observation schema ({exc}); "
                         "build them with vesselwatch.cases.observations") from None


def _same_or_refuse(before: dict[str, Any], row: dict[str, Any], *, stored: bool) -> None:
    differ = [n for n in CONTENT_COLUMNS if before[n] != row[n]]
    if not differ:
        return
    name = differ[0]
    where = "is already stored" if stored else "is given twice"
    raise InputError(f"observation {row['observation_id']!r} {where} with other content "
                     f"({name}: {before[name]!r}, now {row[name]!r}); give the new one "
                     "another observation_id, or remove the stored one first; nothing "
                     "was added")


def _require_store(root: Path) -> None:
    if not (root / MANIFEST).is_file():
        raise StoreError(f"{root}: not a vesselwatch store (no {MANIFEST}); pass the "
                         "store's folder, or ingest AIS into it first")


def _write(root: Path, table: pa.Table) -> None:
    folder = root / OBSERVATIONS_DIR
    folder.mkdir(exist_ok=True)
    buf = io.BytesIO()
    pq.write_table(table.cast(OBSERVATIONS), buf, compression="zstd")
    target = folder / OBSERVATIONS_FILE
    temp = durable.atomic_write_bytes(target, buf.getvalue(), ".observations.parquet.tmp")
    durable.replace(temp, target)
