"""An ingest transaction: stage rows, then commit them all at once or not at all.

::

    with store.begin_ingest() as txn:
        if not txn.already_ingested(sha256):
            txn.add_source(path, sha256, size, "nmea")
            for batch in reader:
                txn.add(batch)
        result = txn.commit()

The transaction holds the writer lock from ``begin_ingest`` until it commits or rolls back.
Leaving the ``with`` block without a commit rolls back: staging is deleted and the store is
unchanged. The commit writes final files under names carrying the ingest id, fsyncs them,
then replaces the manifest: that replace is the commit point. A process killed before it
leaves only unlisted files, which readers never see and the next writer deletes.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vesselwatch.errors import StoreError
from vesselwatch.model.schema import QUARANTINE
from vesselwatch.store import durable, faults, manifest
from vesselwatch.store.layout import (
    PARTITIONED_TABLES,
    QUARANTINE_TABLE,
    day_label,
    new_ingest_id,
    quarantine_file,
    staging_dir,
)
from vesselwatch.store.lock import WriterLock
from vesselwatch.store.manifest import DataFile, IngestRecord, Manifest, SourceRecord
from vesselwatch.store.partition import SourceRank, commit_day, count_values, presort
from vesselwatch.store.result import IngestResult, from_micros
from vesselwatch.store.staging import DEFAULT_FLUSH_ROWS, DayRows, Stager, conform

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int], None]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BatchLike(Protocol):
    """What :meth:`IngestTransaction.add` takes: an ``ingest.Batch`` or anything shaped so."""

    @property
    def positions(self) -> pa.Table: ...
    @property
    def vessel_reports(self) -> pa.Table: ...
    @property
    def rejects(self) -> pa.Table: ...
    @property
    def skipped(self) -> Mapping[str, int]: ...
    @property
    def lines(self) -> int: ...


@dataclass(frozen=True)
class _Source:
    path: str
    sha256: str
    size: int
    fmt: str


def _remove_empty_dirs(directory: Path, root: Path) -> None:
    """Remove ``directory`` and its parents below the table directory while they are empty."""
    while directory.parent != root and root in directory.parents:
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent


def _distinct(parts: list[np.ndarray]) -> int:
    """How many distinct values ``parts`` hold together (a sort: ``np.unique`` hashes, and
    is several times slower on these)."""
    if not parts:
        return 0
    values = np.sort(np.concatenate(parts))
    return int(np.count_nonzero(values[1:] != values[:-1])) + int(len(values) > 0)


def _in_buckets(files: list[DataFile]) -> Callable[[set[int]], list[DataFile]]:
    return lambda buckets: [f for f in files if f.bucket in buckets]


class IngestTransaction:
    """One ingest into a store; create it with :meth:`Store.begin_ingest`."""

    def __init__(
        self,
        root: Path,
        lock: WriterLock,
        base: Manifest,
        *,
        flush_rows: int = DEFAULT_FLUSH_ROWS,
        fsync: bool = True,
    ) -> None:
        self.root = root
        self.ingest_id = new_ingest_id()
        self._lock = lock
        self._base = base
        self._fsync = fsync
        self._started = datetime.now(UTC).isoformat()
        self._stager = Stager(root / staging_dir(self.ingest_id), flush_rows, base.n_buckets)
        self._sources: dict[str, _Source] = {}
        self._committed_shas = base.source_shas()
        self._committed_ids = {s.source_id: s.sha256 for s in base.sources}
        self._skipped: Counter[str] = Counter()
        self._lines = 0
        self._written: list[Path] = []
        self._state = "open"

    # -- building ------------------------------------------------------------------------

    def already_ingested(self, sha256: str) -> bool:
        """Whether a source with this content is committed, or added in this transaction."""
        sha = sha256.lower()
        return sha in self._committed_shas or any(s.sha256 == sha for s in self._sources.values())

    def add_source(self, path: str, sha256: str, size: int, fmt: str) -> str:
        """Register an input file; its ``source_id`` (first 16 hex of sha256) is returned."""
        self._check_open()
        sha = sha256.lower()
        if not _SHA256.match(sha):
            raise StoreError(f"sha256 of {path} must be 64 hex digits, got {sha256!r}")
        source_id = sha[:16]
        known = self._sources.get(source_id)
        other = known.sha256 if known else self._committed_ids.get(source_id, sha)
        if other != sha:
            raise StoreError(
                f"{path} has the source id {source_id} of another file with different "
                "content (source ids are the first 16 hex digits of sha256); vesselwatch "
                "cannot keep both apart: ingest it into another store and report this"
            )
        if known is None:
            self._sources[source_id] = _Source(str(path), sha, int(size), fmt)
        return source_id

    def add(self, batch: BatchLike) -> None:
        """Stage the rows and counts of one batch."""
        self._check_open()
        for table_name, rows in (
            ("positions", batch.positions),
            ("vessel_reports", batch.vessel_reports),
            (QUARANTINE_TABLE, batch.rejects),
        ):
            if rows.num_rows == 0:
                continue
            rows = conform(table_name, rows)
            unknown = {str(s) for s in pc.unique(rows.column("source_id")).to_pylist()}
            unknown -= self._sources.keys()
            if unknown:
                raise StoreError(
                    f"{table_name} rows of source {min(unknown)} were added before that "
                    "source was registered; call txn.add_source(path, sha256, size, fmt) first"
                )
            self._stager.add(table_name, rows)
        self._skipped.update(batch.skipped)
        self._lines += int(batch.lines)

    # -- ending --------------------------------------------------------------------------

    def commit(self, progress: ProgressCallback | None = None) -> IngestResult:
        """Write everything staged and make it visible atomically; release the lock."""
        self._check_open()
        try:
            self._stager.flush(spill=False, partition=lambda rows: presort(
                rows, self._base.n_buckets, self._source_rank))
            result, files, sources = self._write_files(progress)
            faults.checkpoint("files_written")
            if files or sources:
                record = IngestRecord(
                    self.ingest_id, self._started, datetime.now(UTC).isoformat(), result.to_dict()
                )
                committed = self._base.with_ingest(record, sources, files)
                manifest.write(self.root, committed, self.ingest_id)
            else:
                result = replace(result, committed=False)
        except BaseException:
            self._abort()
            raise
        self._state = "committed"
        self._stager.discard()
        self._lock.release()
        log.info("committed ingest %s to %s", self.ingest_id, self.root)
        return result

    def rollback(self) -> None:
        """Drop everything staged; the store stays as it was. Releases the lock."""
        if self._state == "open":
            self._abort()

    def _abort(self) -> None:
        self._state = "rolled_back"
        try:
            self._stager.discard()
            if not self._reached_commit_point():
                for path in self._written:
                    path.unlink(missing_ok=True)
                    _remove_empty_dirs(path.parent, self.root)
        finally:
            self._lock.release()

    def _reached_commit_point(self) -> bool:
        try:
            current = manifest.read(self.root)
        except StoreError:
            return False
        return any(i.ingest_id == self.ingest_id for i in current.ingests)

    def _check_open(self) -> None:
        if self._state != "open":
            raise StoreError(
                f"ingest {self.ingest_id} is already {self._state.replace('_', ' ')}; "
                "start a new one with store.begin_ingest()"
            )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    # -- the commit proper ---------------------------------------------------------------

    def _write_files(
        self, progress: ProgressCallback | None
    ) -> tuple[IngestResult, list[DataFile], list[SourceRecord]]:
        prior: dict[tuple[str, str | None], list[DataFile]] = {}
        for f in self._base.files:
            prior.setdefault((f.table, f.day), []).append(f)
        steps = [(t, d) for t in PARTITIONED_TABLES for d in self._stager.days(t)]
        files: list[DataFile] = []
        kept: Counter[str] = Counter()
        duplicates: Counter[str] = Counter({t: 0 for t in (*PARTITIONED_TABLES, QUARANTINE_TABLE)})
        per_source: dict[str, Counter[str]] = {t: Counter() for t in PARTITIONED_TABLES}
        vessels: list[np.ndarray] = []
        spans: list[int] = []
        for done, (table_name, (day, _bucket)) in enumerate(steps, start=1):
            rows = self._stager.read_day(table_name, (day, _bucket))
            earlier = prior.get((table_name, day_label(day)), [])
            out = commit_day(
                rows,
                table_name=table_name,
                day=day,
                root=self.root,
                ingest_id=self.ingest_id,
                n_buckets=self._base.n_buckets,
                existing=_in_buckets(earlier),
                source_rank=self._source_rank(rows),
                written=self._written,
            )
            files.extend(out.files)
            kept[table_name] += out.kept
            duplicates[table_name] += out.duplicates
            per_source[table_name].update(out.per_source)
            vessels.append(out.vessels)
            spans.extend(s for s in (out.ts_min_us, out.ts_max_us) if s is not None)
            if progress is not None:
                progress("commit", done, len(steps) + 1)
        rejects, rejects_by_source, dropped = self._write_quarantine(files)
        duplicates[QUARANTINE_TABLE] += dropped
        if progress is not None:
            progress("commit", len(steps) + 1, len(steps) + 1)
        if self._fsync and self._written:
            durable.fsync_tree(self._written, self.root)
        result = IngestResult(
            ingest_id=self.ingest_id,
            positions=kept["positions"],
            vessel_reports=kept["vessel_reports"],
            duplicates=dict(duplicates),
            rejects=dict(sorted(rejects.items())),
            skipped=dict(sorted(self._skipped.items())),
            vessels=_distinct(vessels),
            ts_min=from_micros(min(spans)) if spans else None,
            ts_max=from_micros(max(spans)) if spans else None,
            sources=list(self._sources),
            lines=self._lines,
        )
        sources = [
            SourceRecord(
                source_id=sid,
                path=s.path,
                sha256=s.sha256,
                size=s.size,
                fmt=s.fmt,
                ingest_id=self.ingest_id,
                positions=per_source["positions"][sid],
                vessel_reports=per_source["vessel_reports"][sid],
                rejects=rejects_by_source[sid],
            )
            for sid, s in self._sources.items()
            if s.sha256 not in self._committed_shas
        ]
        return result, files, sources

    def _source_rank(self, rows: pa.Table | DayRows) -> SourceRank:
        if len(self._sources) == 1:  # one source: every row has the same rank
            return lambda index: np.zeros(len(index), dtype=np.int64)
        order = pa.array(list(self._sources), pa.string())
        column = rows.column("source_id")

        def rank(index: np.ndarray) -> np.ndarray:
            chosen = column.take(pa.array(index)).cast(pa.string())
            found = pc.fill_null(pc.index_in(chosen, value_set=order), len(order))
            return np.asarray(found.to_numpy(), dtype=np.int64)

        return rank

    def _write_quarantine(self, files: list[DataFile]) -> tuple[Counter[str], Counter[str], int]:
        """Write the rejects of new sources; return counts by reason, by source, dropped."""
        new_ids = pa.array(
            [sid for sid, s in self._sources.items() if s.sha256 not in self._committed_shas],
            pa.string(),
        )
        by_reason: Counter[str] = Counter()
        by_source: Counter[str] = Counter()
        dropped = rows_out = 0
        rel = quarantine_file(self.ingest_id)
        path = self.root / rel
        writer: pq.ParquetWriter | None = None
        try:
            for part in self._stager.quarantine_parts():
                part = part.cast(QUARANTINE)  # dictionary-encoded strings back to plain
                fresh = part.filter(pc.is_in(part.column("source_id"), value_set=new_ids))
                dropped += part.num_rows - fresh.num_rows
                if fresh.num_rows == 0:
                    continue
                by_reason.update(count_values(fresh.column("reason")))
                by_source.update(count_values(fresh.column("source_id")))
                if writer is None:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    self._written.append(path)
                    writer = pq.ParquetWriter(str(path), QUARANTINE, compression="zstd")
                writer.write_table(fresh)
                rows_out += fresh.num_rows
        finally:
            if writer is not None:
                writer.close()
        if rows_out:
            files.append(
                DataFile(QUARANTINE_TABLE, rel, self.ingest_id, rows_out, path.stat().st_size)
            )
        return by_reason, by_source, dropped
