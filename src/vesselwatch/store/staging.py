"""Staging: rows of an ingest in progress, spilled to disk so memory stays bounded.

Rows are buffered in memory up to ``flush_rows`` and then written as Arrow IPC files, one per
table, UTC day and mmsi bucket, under ``<store>/.staging/<ingest_id>/``. String columns are stored
dictionary-encoded, which makes the sort-and-take of the commit several times cheaper. The
commit then reads back one (table, day, bucket) at a time, memory-mapped, so its memory is
bounded by the largest partition, not by the input.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.errors import StoreError
from vesselwatch.model.schema import TABLES, wire_schema
from vesselwatch.store import faults
from vesselwatch.store.layout import PARTITIONED_TABLES, QUARANTINE_TABLE, day_index

TableOrColumn = TypeVar("TableOrColumn", pa.Table, pa.ChunkedArray)
DEFAULT_FLUSH_ROWS = 4_000_000  # about 400 MB of rows in memory before they are spilled


def conform(table_name: str, rows: pa.Table) -> pa.Table:
    """``rows`` in the canonical schema of ``table_name``, or a :class:`StoreError`."""
    schema = wire_schema(rows.schema, TABLES[table_name])
    if not rows.schema.equals(schema, check_metadata=False):
        rows = _cast(table_name, rows, schema)
    nulls = [f.name for f in schema if not f.nullable and rows.column(f.name).null_count]
    if nulls:
        raise StoreError(
            f"{table_name} rows have nulls in {nulls}, which the canonical schema forbids; "
            "readers must quarantine such rows instead"
        )
    return rows


def _cast(table_name: str, rows: pa.Table, schema: pa.Schema) -> pa.Table:
    missing = [n for n in schema.names if n not in rows.column_names]
    if missing:
        raise StoreError(
            f"{table_name} rows lack the columns {missing}; readers must yield tables in "
            "the canonical schema of vesselwatch.model.schema"
        )
    try:
        return rows.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as e:
        raise StoreError(
            f"{table_name} rows do not fit the canonical schema ({e}); readers must yield "
            "tables in the schema of vesselwatch.model.schema"
        ) from None


def encode_strings(rows: pa.Table, *, combine: bool = True) -> pa.Table:
    """Dictionary-encode every string column not encoded yet, with one dictionary per
    column; with ``combine``, one chunk per column as well.

    Without ``combine`` the chunks stay as they are: the commit's one global gather
    (:func:`gather_columns`) reads them in place, so the rows are never copied into a
    combined table first. Column by column: ``Table.combine_chunks`` is several times
    slower on dictionary columns whose chunks carry different dictionaries.
    """
    if not combine:
        columns = [pc.dictionary_encode(c) if pa.types.is_string(c.type) else c
                   for c in rows.columns]
        return _with_columns(rows.schema, columns).unify_dictionaries()
    rows = rows.unify_dictionaries()
    columns = []
    for col in rows.columns:
        one = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
        columns.append(pc.dictionary_encode(one) if pa.types.is_string(one.type) else one)
    return _with_columns(rows.schema, columns)


def _with_columns(schema: pa.Schema,
                  columns: list[pa.ChunkedArray] | list[pa.Array]) -> pa.Table:
    fields = [pa.field(f.name, c.type, f.nullable) for f, c in zip(schema, columns, strict=True)]
    return pa.table(columns, schema=pa.schema(fields))


def gather_columns(rows: pa.Table, index: np.ndarray) -> pa.Table:
    """``rows`` at ``index`` (in range), gathered one column at a time into one chunk.

    The rows are copied once, straight from their chunks into their final order (no
    combined copy first). The caller hands ``rows`` over: each source column is let go
    as soon as it is gathered, and its memory is freed once nothing else holds it.
    """
    schema = rows.schema
    columns: list[pa.ChunkedArray | None] = list(rows.columns)
    del rows
    taken = pa.array(index)
    for i in range(len(columns)):
        column, columns[i] = columns[i], None
        columns[i] = pc.take(column, taken, boundscheck=False)
        del column
    return pa.table(columns, schema=schema)


@dataclass(frozen=True)
class Presorted:
    """Keys of a :class:`DayRows` whose rows are already in the commit's order and free
    of duplicates within the ingest: ``mmsi`` and ``ts`` (int64 microseconds) of the rows,
    and ``duplicates``, how many rows the presort dropped as duplicates of a kept one."""

    mmsi: np.ndarray
    ts: np.ndarray
    duplicates: int


class DayRows:
    """The rows of one day inside a larger table, not gathered yet.

    Offers what a commit reads (``num_rows``, ``column``, ``select``, ``take``); ``take``
    composes the indices, so the rows are copied once, straight into their final order.
    ``presorted`` is set when the rows are already sorted and deduplicated.
    """

    def __init__(self, base: pa.Table, index: np.ndarray | None,
                 presorted: Presorted | None = None) -> None:
        self.base = base
        self.index = index  # None: all rows of ``base``
        self.presorted = presorted

    @property
    def num_rows(self) -> int:
        return self.base.num_rows if self.index is None else len(self.index)

    @property
    def schema(self) -> pa.Schema:
        return self.base.schema

    def column(self, name: str) -> pa.ChunkedArray:
        col = self.base.column(name)
        return col if self.index is None else gather(col, self.index)

    def select(self, names: list[str]) -> pa.Table:
        return self.materialise(self.base.select(names))

    def take(self, indices: pa.Array | np.ndarray) -> pa.Table:
        idx = np.asarray(indices, dtype=np.int64)
        return gather(self.base, idx if self.index is None else self.index[idx])

    def materialise(self, table: pa.Table | None = None) -> pa.Table:
        t = self.base if table is None else table
        return t if self.index is None else gather(t, self.index)


def gather(rows: TableOrColumn, index: np.ndarray) -> TableOrColumn:
    """``rows`` at ``index``, which the commit computed itself (so in range): Arrow's
    bounds check, once per column, is skipped."""
    taken: TableOrColumn = pc.take(rows, pa.array(index), boundscheck=False)
    return taken


# rows -> ((day, bucket), rows of that partition), for the final flush
Partitioner = Callable[[pa.Table], Iterator[tuple[tuple[int, int], DayRows]]]


def ts_micros(rows: pa.Table) -> np.ndarray:
    """The ``ts`` column as int64 microseconds."""
    ts = rows.column("ts").cast(pa.int64())
    return np.asarray(ts.to_numpy(), dtype=np.int64)


class Stager:
    """Buffers and spills the rows of one ingest."""

    def __init__(self, directory: Path, flush_rows: int = DEFAULT_FLUSH_ROWS,
                 n_buckets: int = 1) -> None:
        self.directory = directory
        self.flush_rows = max(1, flush_rows)
        self.n_buckets = max(1, n_buckets)
        self._buffers: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
        self._buffered = 0
        # (day, bucket) -> parts; a part is a spilled file, or rows kept by the final flush
        self._by_day: dict[str, dict[tuple[int, int], list[Path | DayRows]]] = {
            t: {} for t in PARTITIONED_TABLES}
        self._quarantine: list[Path | pa.Table] = []
        self._written = 0

    def add(self, table_name: str, rows: pa.Table) -> None:
        """Buffer canonical ``rows`` of ``table_name``; spill when the buffer is full."""
        if rows.num_rows == 0:
            return
        self._buffers[table_name].append(rows)
        self._buffered += rows.num_rows
        if self._buffered >= self.flush_rows:
            self.flush()

    def flush(self, spill: bool = True, partition: Partitioner | None = None) -> None:
        """Write every buffered row to the staging directory.

        With ``spill=False`` (the commit's final flush) the rows stay in memory, already
        split by day: an ingest that never filled the buffer never touches the disk twice.
        ``partition`` splits them instead of :func:`day_indices` (the commit passes one
        that sorts and deduplicates the whole table at once); it is used only when
        nothing was spilled before, since the partitions it yields are already free of
        duplicates and a day's spilled parts could not be joined to them.
        """
        if self._buffered == 0:
            return
        if spill:
            self.directory.mkdir(parents=True, exist_ok=True)
        presort = partition if not spill and self._written == 0 else None
        for table_name, parts in self._buffers.items():
            if not parts:
                continue
            rows = pa.concat_tables(parts)
            parts.clear()
            if table_name == QUARANTINE_TABLE:  # few rows of long unique text: kept plain
                self._quarantine.append(self._write(rows) if spill else rows)
                continue
            views: Iterator[tuple[tuple[int, int], DayRows]]
            if presort is not None:
                # the partitioner gets the only reference: it lets each column go once
                # gathered (see gather_columns)
                views = presort(encode_strings(rows, combine=False))
                del rows
            else:
                encoded = encode_strings(rows)
                del rows
                views = ((day, DayRows(encoded, index))
                         for day, index in day_indices(encoded, self.n_buckets))
            for day, view in views:
                part: Path | DayRows = self._write(view.materialise()) if spill else view
                self._by_day[table_name].setdefault(day, []).append(part)
            del views
        self._buffered = 0
        if spill:
            faults.checkpoint("staged")

    def _write(self, rows: pa.Table) -> Path:
        path = self.directory / f"{self._written:06d}.arrow"
        self._written += 1
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, rows.schema) as writer:
            writer.write_table(rows)
        return path

    def days(self, table_name: str) -> list[tuple[int, int]]:
        """(UTC day index, mmsi bucket) with staged rows of ``table_name``, ascending."""
        return sorted(self._by_day[table_name])

    def read_day(self, table_name: str, day: tuple[int, int]) -> pa.Table | DayRows:
        """All staged rows of ``table_name`` in one (day, bucket), one chunk per column.

        Rows still in memory come as a :class:`DayRows` view, so that the commit gathers
        them once, in their final order, instead of twice.
        """
        parts = self._by_day[table_name][day]
        if len(parts) == 1 and isinstance(parts[0], DayRows):
            return parts[0]
        tables = [_read_ipc(p) if isinstance(p, Path) else p.materialise() for p in parts]
        if len(tables) == 1:
            return tables[0]
        return pa.concat_tables(tables).combine_chunks()

    def quarantine_parts(self) -> Iterator[pa.Table]:
        """Staged quarantine rows, one spilled part at a time."""
        for part in self._quarantine:
            yield _read_ipc(part) if isinstance(part, Path) else part

    def discard(self) -> None:
        """Delete the staging directory (and ``.staging`` itself once empty)."""
        shutil.rmtree(self.directory, ignore_errors=True)
        try:
            self.directory.parent.rmdir()
        except OSError:
            pass


def day_indices(rows: pa.Table, n_buckets: int = 1
                ) -> Iterator[tuple[tuple[int, int], np.ndarray | None]]:
    """``((day, bucket), row indices)`` for each UTC day of ``rows.ts`` and mmsi bucket
    (``mmsi % n_buckets``) that ``rows`` hold; None: all rows."""
    days = day_index(ts_micros(rows))
    first = int(days.min())
    key = (days - first) * n_buckets
    if n_buckets > 1:
        mmsi = np.asarray(rows.column("mmsi").to_numpy(), dtype=np.int64)
        key += mmsi % n_buckets
    low, high = int(key.min()), int(key.max())
    if low == high:
        yield (first + low // n_buckets, low % n_buckets), None
        return
    # few distinct keys: small integers sort in linear time (NumPy's radix sort)
    order = np.argsort(key.astype(np.uint16 if high < 65536 else np.int64), kind="stable")
    sorted_keys = key[order]
    cuts = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [len(order)]))
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        k = int(sorted_keys[start])
        yield (first + k // n_buckets, k % n_buckets), order[start:end]


def _read_ipc(path: Path) -> pa.Table:
    with pa.memory_map(str(path), "r") as source:
        return pa.ipc.open_file(source).read_all()
