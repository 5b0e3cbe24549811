"""The :class:`Store`: open or create a store directory, ingest into it, read it back."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from vesselwatch.errors import StoreError
from vesselwatch.store import gc, manifest, migrate, reader
from vesselwatch.store.info import StoreInfo, gather
from vesselwatch.store.layout import (
    DEFAULT_N_BUCKETS,
    HOUSEKEEPING,
    MANIFEST,
    MANIFEST_TEMP_PREFIX,
    MAX_N_BUCKETS,
)
from vesselwatch.store.lock import WriterLock
from vesselwatch.store.manifest import Manifest
from vesselwatch.store.staging import DEFAULT_FLUSH_ROWS
from vesselwatch.store.transaction import IngestTransaction

if TYPE_CHECKING:
    import duckdb

DEFAULT_LOCK_TIMEOUT_S = 30.0


class Store:
    """An embedded AIS store: partitioned Parquet files, a JSON manifest, no server.

    Open it with :meth:`Store.open`. Reads take a snapshot of the manifest and need no lock;
    writes go through :meth:`begin_ingest`, one writer at a time.
    """

    def __init__(self, root: Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S) -> None:
        self._root = root
        self.lock_timeout = lock_timeout
        self._cached: tuple[tuple[int, int, int], Manifest] | None = None

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        create: bool = True,
        *,
        n_buckets: int | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    ) -> Store:
        """Open the store at ``path``, creating it there if ``create`` and it does not exist.

        ``n_buckets`` (default 16) is fixed when the store is created; passing a different
        value for an existing store is an error. An older store is migrated on open; a newer
        one raises :class:`~vesselwatch.errors.SchemaVersionError`.
        """
        root = Path(path).expanduser().absolute()
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root} is a file, not a store directory; pass a directory path")
        if not (root / MANIFEST).is_file():
            if not create:
                raise StoreError(
                    f"there is no vesselwatch store at {root}; check the path, or create "
                    "it by ingesting data into it (`vesselwatch ingest FILE --store DIR`; "
                    "from Python, Store.open(path, create=True))"
                )
            _create(root, DEFAULT_N_BUCKETS if n_buckets is None else n_buckets, lock_timeout)
        data = migrate.upgrade(root, manifest.read_raw(root), lock_timeout)
        snapshot = manifest.parse(root, data)
        if n_buckets is not None and n_buckets != snapshot.n_buckets:
            raise StoreError(
                f"the store {root} was created with n_buckets={snapshot.n_buckets}, not "
                f"{n_buckets}; the bucket count is fixed, so omit n_buckets when opening it"
            )
        return cls(root, lock_timeout=lock_timeout)

    @property
    def path(self) -> Path:
        """The store directory (absolute)."""
        return self._root

    def snapshot(self) -> Manifest:
        """The committed state now (re-read when the manifest file changed)."""
        path = manifest.manifest_path(self._root)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise StoreError(f"the manifest of {self._root} has disappeared") from None
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._cached is None or self._cached[0] != key:
            data = manifest.read_raw(self._root)
            migrate.check_not_newer(self._root, int(data["schema_version"]))
            self._cached = (key, manifest.parse(self._root, data))
        return self._cached[1]

    @property
    def n_buckets(self) -> int:
        """How many mmsi buckets partition each day."""
        return self.snapshot().n_buckets

    @property
    def schema_version(self) -> int:
        """The schema version of the store's data."""
        return self.snapshot().schema_version

    # -- writing -------------------------------------------------------------------------

    def begin_ingest(
        self,
        timeout: float | None = None,
        *,
        flush_rows: int = DEFAULT_FLUSH_ROWS,
        fsync: bool = True,
    ) -> IngestTransaction:
        """Take the writer lock (waiting up to ``timeout`` s) and start an ingest.

        Leftovers of interrupted ingests are removed first. ``flush_rows`` bounds the rows
        buffered in memory before they are spilled to staging; ``fsync=False`` skips the
        fsyncs (faster, but a power cut may then lose a committed ingest).
        """
        lock = WriterLock(self._root, self.lock_timeout if timeout is None else timeout)
        lock.acquire()
        try:
            base = manifest.read(self._root)
            migrate.check_not_newer(self._root, base.schema_version)
            if base.schema_version < migrate.CURRENT_VERSION:
                raise StoreError(
                    f"the store {self._root} has schema version {base.schema_version}; "
                    "open it again with Store.open to migrate it before ingesting"
                )
            gc.collect_garbage(self._root, base)
            return IngestTransaction(self._root, lock, base, flush_rows=flush_rows, fsync=fsync)
        except BaseException:
            lock.release()
            raise

    def collect_garbage(self, timeout: float | None = None) -> int:
        """Remove leftovers of interrupted ingests now; return how many paths went."""
        with WriterLock(self._root, self.lock_timeout if timeout is None else timeout):
            return gc.collect_garbage(self._root, manifest.read(self._root))

    # -- reading -------------------------------------------------------------------------

    def connect(self) -> duckdb.DuckDBPyConnection:  # duckdb loads on first use
        """An in-memory DuckDB with views ``positions``, ``vessel_reports``, ``quarantine``,
        ``ingests`` and ``sources`` over the committed state now."""
        from vesselwatch.store import catalog

        return catalog.connect(self._root, self.snapshot())

    def positions(
        self,
        mmsi: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        columns: Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> pa.Table:
        """Positions of ``mmsi`` (all vessels if ``None``) with ``start <= ts < end``,
        sorted by ``(mmsi, ts)``. Naive datetimes are taken as UTC. ``columns``: only
        these; ``bbox``: (min_lon, min_lat, max_lon, max_lat), see :func:`reader.read_rows`."""
        return reader.read_rows(self._root, self.snapshot(), "positions", mmsi, start, end,
                                columns=columns, bbox=bbox)

    def vessel_reports(
        self,
        mmsi: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pa.Table:
        """Vessel reports (static and voyage data), selected and sorted as :meth:`positions`."""
        return reader.read_rows(self._root, self.snapshot(), "vessel_reports", mmsi, start, end)

    def quarantine(self) -> pa.Table:
        """Every quarantined input line, sorted by ``(source_id, source_line)``."""
        return reader.read_quarantine(self._root, self.snapshot())

    def columns(self, table: str, columns: Sequence[str],
                snapshot: Manifest | None = None) -> pa.Table:
        """Some columns of every committed row of ``table`` (no order), read straight from
        the Parquet files: what a full pass (detection) needs, without the rest."""
        import pyarrow.parquet as pq

        snap = snapshot if snapshot is not None else self.snapshot()
        files = [self._root / f.path for f in snap.files_of(table)]
        from vesselwatch.model.schema import TABLES, plain

        schema = TABLES[table]
        if not files:
            return schema.empty_table().select(list(columns))
        parts = [plain(pq.read_table(f, columns=list(columns))) for f in files]
        return pa.concat_tables(parts, promote_options="permissive")

    def rows_and_end(self, table: str, snapshot: Manifest | None = None) -> tuple[int, int]:
        """(committed rows, latest ts in µs) of ``table``, from the manifest alone."""
        files = (snapshot if snapshot is not None else self.snapshot()).files_of(table)
        ends = [f.ts_max_us for f in files if f.ts_max_us is not None]
        return sum(f.rows for f in files), max(ends) if ends else 0

    def vessel_partition_plan(self, max_rows: int, snapshot: Manifest | None = None
                              ) -> list[tuple[int, int, int]]:
        """(bucket, mmsi_lo, mmsi_hi) per vessel partition: each mmsi bucket cut into
        about rows / ``max_rows`` equal ranges of mmsi ([lo, hi), so a vessel is in one)."""
        snap = snapshot if snapshot is not None else self.snapshot()
        rows: dict[int, int] = {}
        lo: dict[int, int] = {}
        hi: dict[int, int] = {}
        for f in snap.files_of("positions"):
            if f.bucket is None:
                continue
            b = f.bucket
            rows[b] = rows.get(b, 0) + f.rows
            lo[b] = min(lo.get(b, 1 << 32), f.mmsi_min if f.mmsi_min is not None else 0)
            hi[b] = max(hi.get(b, 0), (f.mmsi_max if f.mmsi_max is not None else (1 << 32) - 1)
                        + 1)
        plan: list[tuple[int, int, int]] = []
        for b in sorted(rows):
            parts = max(1, -(-rows[b] // max(max_rows, 1)))
            edges = [lo[b] + (hi[b] - lo[b]) * k // parts for k in range(parts)] + [hi[b]]
            plan.extend((b, edges[k], edges[k + 1]) for k in range(parts)
                        if edges[k + 1] > edges[k])
        return plan

    def vessel_partitions(self, columns: Sequence[str], max_rows: int,
                          snapshot: Manifest | None = None) -> Iterator[pa.Table]:
        """Positions by vessel partition (every row of an MMSI in one), sorted by (mmsi, ts).

        Each file is filtered on its mmsi range as it is read (row groups outside the range
        are skipped), so memory follows the partition, not the bucket.
        """
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        from vesselwatch.model.schema import POSITIONS, plain

        snap = snapshot if snapshot is not None else self.snapshot()
        wanted = list(dict.fromkeys(["mmsi", "ts", *columns]))
        for bucket, lo, hi in self.vessel_partition_plan(max_rows, snap):
            files = [self._root / f.path for f in snap.files_of("positions")
                     if f.bucket == bucket and (f.mmsi_max is None or f.mmsi_max >= lo)
                     and (f.mmsi_min is None or f.mmsi_min < hi)]
            parts = [plain(pq.read_table(f, columns=wanted,
                                         filters=[("mmsi", ">=", lo), ("mmsi", "<", hi)]))
                     for f in files]
            table = pa.concat_tables(parts, promote_options="permissive") if parts else \
                POSITIONS.empty_table().select(wanted)
            order = pc.sort_indices(table, [("mmsi", "ascending"), ("ts", "ascending")])
            yield table.take(order).select(list(columns))

    def write_events(self, events: pa.Table, detection: dict[str, Any],
                     timeout: float | None = None) -> None:
        """Replace the events of the previous detection run with ``events``, atomically."""
        from vesselwatch.store import events as store_events

        store_events.write_events(self._root, events, detection,
                                  self.lock_timeout if timeout is None else timeout)

    def events(
        self,
        event_types: Sequence[str] | None = None,
        mmsi: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        min_confidence: int | None = None,
    ) -> pa.Table:
        """Events of the latest detection run that overlap ``[start, end)``, filtered."""
        from vesselwatch.store import events as store_events

        return store_events.read_events(
            self._root, self.snapshot(), event_types=list(event_types or []) or None,
            mmsi=list(mmsi or []) or None, start=start, end=end, min_confidence=min_confidence)

    def detection(self) -> dict[str, Any] | None:
        """The record of the latest detection run (parameters, counts), if any."""
        return self.snapshot().detection

    def detection_is_current(self) -> bool | None:
        """Whether the events describe the data now in the store (None: no run yet).

        A run records the generation it read; its own commit is the next one, so anything
        committed since (an ingest) makes the events stale.
        """
        snap = self.snapshot()
        if snap.detection is None:
            return None
        read = snap.detection.get("data_generation")
        return isinstance(read, int) and snap.generation == read + 1

    def info(self) -> StoreInfo:
        """A summary of the committed state."""
        snapshot = self.snapshot()
        size = manifest.manifest_path(self._root).stat().st_size
        return gather(self._root, snapshot, size)

    def __repr__(self) -> str:
        return f"Store({str(self._root)!r})"


def _refuse_foreign(root: Path) -> None:
    """Raise unless ``root`` is missing, empty, or holds only a crashed creation's leftovers."""
    if not root.is_dir():
        return
    others = sorted(
        p.name
        for p in root.iterdir()
        if p.name not in HOUSEKEEPING and not p.name.startswith(MANIFEST_TEMP_PREFIX)
    )
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise StoreError(
            f"{root} is not empty and is not a vesselwatch store (no {MANIFEST}; it holds "
            f"{shown}); choose a new or empty directory for the store"
        )


def _create(root: Path, n_buckets: int, lock_timeout: float) -> None:
    if not 1 <= n_buckets <= MAX_N_BUCKETS:
        raise StoreError(f"n_buckets must be between 1 and {MAX_N_BUCKETS}, not {n_buckets}")
    _refuse_foreign(root)
    root.mkdir(parents=True, exist_ok=True)
    with WriterLock(root, lock_timeout):
        if (root / MANIFEST).is_file():
            return  # another process created it meanwhile
        _refuse_foreign(root)
        fresh = Manifest(
            schema_version=migrate.CURRENT_VERSION,
            created=datetime.now(UTC).isoformat(),
            n_buckets=n_buckets,
        )
        manifest.write(root, fresh, "create")
