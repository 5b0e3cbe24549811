"""The heart of a commit: one table's rows of one UTC day, sorted, deduplicated, partitioned.

Columnar throughout: keys go to numpy, the order and the duplicate mask are computed there,
and the rows are gathered with a single ``take`` before each bucket's slice is written. An
ingest that kept its rows in memory is sorted and deduplicated a whole table at a time
(:func:`presort`): its rows are gathered once, and each partition is a slice of them.

Duplicates are rows with the same ``(mmsi, ts, msg_hash)``. The first occurrence is kept,
meaning the row of the earliest source (the order sources were added) with the lowest
``source_line``; rows whose key is already committed in the store are dropped as well.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vesselwatch.store import _order as ordering  # type: ignore[attr-defined]
from vesselwatch.store import faults
from vesselwatch.store.layout import US_PER_DAY, data_file, day_index, day_label
from vesselwatch.store.manifest import DataFile
from vesselwatch.store.staging import DayRows, Presorted, gather_columns, ts_micros

KEY = ("mmsi", "ts", "msg_hash")
ROW_GROUP_ROWS = 256 * 1024  # rows per Parquet row group: the unit of pruning by mmsi/ts
SourceRank = Callable[[np.ndarray], np.ndarray]  # row indices -> rank of each row's source


@dataclass
class DayOutcome:
    """What committing one table's rows of one day produced."""

    files: list[DataFile] = field(default_factory=list)
    kept: int = 0
    duplicates: int = 0
    vessels: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint32))
    ts_min_us: int | None = None
    ts_max_us: int | None = None
    per_source: Counter[str] = field(default_factory=Counter)


def sort_and_dedupe(
    mmsi: np.ndarray,
    ts: np.ndarray,
    msg_hash: np.ndarray,
    source_line: np.ndarray,
    source_rank: SourceRank,
    n_buckets: int,
    group: np.ndarray | None = None,
    key_ts: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Order rows by ``(bucket, mmsi, ts, msg_hash, source rank, source_line)``.

    ``group`` (small non-negative integers, one per row, constant for each mmsi bucket)
    replaces the bucket as the most significant key: :func:`presort` passes the
    partition number so that one sort orders every partition of a table at once, with
    ``key_ts``, the time since the start of each row's day, for the packed key (what
    orders rows inside a group; ``ts`` itself still breaks the ties).

    Returns ``(order, first)``: ``order`` is the permutation, ``first[i]`` says whether row
    ``order[i]`` is the first of its ``(mmsi, ts, msg_hash)``. One argsort of a packed key
    (see :func:`_packed_key`) does nearly all the work; rows that share that key with a
    neighbour come in short runs, which the compiled :mod:`~vesselwatch.store._order`
    re-sorts on the exact time and the last three keys (``source_rank`` is asked only
    about those rows).
    """
    n = len(mmsi)
    if n == 0:
        return np.empty(0, np.intp), np.empty(0, bool)
    m64 = mmsi.astype(np.uint64)
    width = np.uint64(30 if int(m64.max()) < 2**30 else 32)  # a valid mmsi is below 2**30
    high = m64 % np.uint64(n_buckets) if group is None else group.astype(np.uint64)
    major = (high << width) | m64
    ts = np.ascontiguousarray(ts, dtype=np.int64)
    key = _packed_key(major, ts if key_ts is None else key_ts)
    return _sort_packed(key, major, ts, msg_hash, source_line, source_rank)


def _sort_packed(
    key: np.ndarray | None,
    major: np.ndarray,
    ts: np.ndarray,
    msg_hash: np.ndarray,
    source_line: np.ndarray,
    source_rank: SourceRank,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sort_and_dedupe` once the packed ``key`` (None: none fits) is made."""
    n = len(major)
    if key is None:  # no room to pack: rank the distinct (major, ts) pairs instead
        order = np.lexsort((ts, major))
        s_major, s_ts = major[order], ts[order]
        new = np.concatenate(([True], (s_major[1:] != s_major[:-1]) | (s_ts[1:] != s_ts[:-1])))
        key_sorted = np.cumsum(new).astype(np.uint64)
    else:
        order = np.argsort(key)
        key_sorted = key[order]
    order = np.ascontiguousarray(order, dtype=np.int64)
    tied = ordering.tied_positions(key_sorted)
    if len(tied) == 0:
        return order, np.ones(n, bool)
    msg_hash = np.ascontiguousarray(msg_hash, dtype=np.uint64)
    line = np.ascontiguousarray(source_line, dtype=np.int64)
    rank = np.zeros(n, np.int64)
    rows = order[tied]
    rank[rows] = source_rank(rows)
    long_runs = ordering.sort_runs(order, key_sorted, ts, msg_hash, rank, line, _MAX_RUN)
    if len(long_runs):
        _sort_long_runs(order, long_runs, (line, rank, msg_hash, ts))
    return order, ordering.first_of_key(order, major, ts, msg_hash)


_MAX_RUN = 32  # longer runs of tied rows are sorted vectorised, not by insertion


def _packed_key(major: np.ndarray, ts: np.ndarray) -> np.ndarray | None:
    """One uint64 key per row: ``major`` in the high bits, the time since the first row in
    the low bits, coarsened by just enough bits to fit (a commit works one day at a time:
    32 us steps at most); ``None`` when ``major`` leaves too few bits for the time."""
    t0 = int(ts.min())
    span = int(ts.max()) - t0
    tbits = 64 - max(int(major.max()).bit_length(), 1)
    if tbits < 16:
        return None
    shift = max(0, span.bit_length() - tbits)
    return (major << np.uint64(tbits)) | ((ts - t0) >> shift).astype(np.uint64)


def _sort_long_runs(
    order: np.ndarray, runs: np.ndarray, keys: tuple[np.ndarray, ...]
) -> None:
    """Re-sort, in place, the ``(start, end)`` runs of ``order`` by ``keys`` of their rows
    (last key most significant)."""
    lengths = runs[:, 1] - runs[:, 0]
    run = np.repeat(np.arange(len(runs)), lengths)
    pos = np.repeat(runs[:, 0], lengths) + (
        np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    rows = order[pos]
    order[pos] = rows[np.lexsort((*(k[rows] for k in keys), run))]


def presort(rows: pa.Table, n_buckets: int, rank_of: Callable[[pa.Table], SourceRank]
            ) -> Iterator[tuple[tuple[int, int], DayRows]]:
    """Split ``rows`` by (UTC day, mmsi bucket), each partition sorted and free of the
    ingest's own duplicates as :func:`commit_day` needs it: one sort for the whole table
    instead of a split and then a sort per partition, and one gather of the kept rows
    into their final order (each partition is then a slice of it).

    The caller hands ``rows`` over (see :func:`~vesselwatch.store.staging.gather_columns`).
    ``rank_of(rows)`` ranks the rows' sources.
    """
    if rows.num_rows == 0:
        return
    mmsi = _np(rows, "mmsi")
    ts = ts_micros(rows)
    msg_hash, line = _np(rows, "msg_hash"), _np(rows, "source_line")
    keys = ordering.day_keys(np.ascontiguousarray(mmsi, np.uint32), ts, n_buckets)
    if keys is not None:  # the usual case, compiled
        present, group, major, key = keys
        order, first = _sort_packed(key, major, ts, msg_hash, line, rank_of(rows))
    else:  # days far apart: numbered in NumPy, the key packed per group as in a day's commit
        days = day_index(ts)
        present, dense = _dense(days)
        group = dense * n_buckets + mmsi % n_buckets
        order, first = sort_and_dedupe(mmsi, ts, msg_hash, line, rank_of(rows), n_buckets,
                                       group, ts - days * US_PER_DAY)
    del mmsi, ts, msg_hash, line, major, key
    groups = len(present) * n_buckets
    dropped = np.bincount(group[order[~first]], minlength=groups)
    kept = order[first]
    del order, first
    k_group = group[kept]
    del group
    table = gather_columns(rows, kept)
    del rows, kept
    k_mmsi = _np(table, "mmsi")
    k_ts = ts_micros(table)
    cuts = np.flatnonzero(k_group[1:] != k_group[:-1]) + 1
    for start, end in zip(np.concatenate(([0], cuts)).tolist(),
                          np.concatenate((cuts, [len(k_group)])).tolist(), strict=True):
        g = int(k_group[start])
        keys = Presorted(k_mmsi[start:end], k_ts[start:end], int(dropped[g]))
        day = int(present[g // n_buckets])
        yield (day, g % n_buckets), DayRows(table.slice(start, end - start), None, keys)


def _dense(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``values`` (ascending) and each value's index among them; a count over
    the range where it is short (``np.unique`` hashes, and costs ten times more)."""
    low, high = int(values.min()), int(values.max())
    if high - low > 1_000_000:
        return np.unique(values, return_inverse=True)
    seen = np.bincount(values - low) > 0
    number = np.cumsum(seen) - 1
    return np.flatnonzero(seen) + low, number[values - low]


def keys_in_store(rows: pa.Table | DayRows, root: Path, existing: list[DataFile]) -> np.ndarray:
    """Mask of ``rows`` whose ``(mmsi, ts, msg_hash)`` is in one of the ``existing`` files.

    Reads only the three key columns of those files.
    """
    mask = np.zeros(rows.num_rows, bool)
    if not existing or rows.num_rows == 0:
        return mask
    committed = pa.concat_tables(
        pq.read_table(root / f.path, columns=list(KEY), use_threads=False) for f in existing
    )
    probe = rows.select(list(KEY)).append_column(
        "_row", pa.array(np.arange(rows.num_rows, dtype=np.int64))
    )
    hits = probe.join(committed, keys=list(KEY), join_type="left semi", use_threads=False)
    mask[hits.column("_row").to_numpy()] = True
    return mask


def _np(rows: pa.Table | DayRows, name: str) -> np.ndarray:
    return np.asarray(rows.column(name).to_numpy())


def commit_day(
    rows: pa.Table | DayRows,
    *,
    table_name: str,
    day: int,
    root: Path,
    ingest_id: str,
    n_buckets: int,
    existing: Callable[[set[int]], list[DataFile]],
    source_rank: SourceRank,
    written: list[Path],
) -> DayOutcome:
    """Sort, deduplicate and write ``rows`` (all on UTC ``day``) as one file per bucket.

    ``existing(buckets)`` names the committed files of this table and day in those buckets,
    for the anti-join against the store. Each path is appended to ``written`` before its
    file is created, so that a failed commit can remove every file it started.
    """
    presorted = rows.presorted if isinstance(rows, DayRows) else None
    if presorted is not None:  # sorted, and the ingest's own duplicates already dropped
        mmsi, ts = presorted.mmsi, presorted.ts
        order, first = None, np.ones(len(mmsi), bool)
    else:
        mmsi = _np(rows, "mmsi")
        ts = ts_micros(rows)
        order, first = sort_and_dedupe(
            mmsi, ts, _np(rows, "msg_hash"), _np(rows, "source_line"), source_rank, n_buckets
        )
        mmsi, ts = mmsi[order], ts[order]
    buckets = mmsi % n_buckets
    prior = existing({int(b) for b in np.flatnonzero(np.bincount(buckets))})
    keep = first & ~_sorted(keys_in_store(rows, root, prior), order) if prior else first
    out = DayOutcome(kept=int(keep.sum()), duplicates=len(keep) - int(keep.sum()))
    if presorted is not None:
        out.duplicates += presorted.duplicates
    if out.kept == 0:
        return out
    whole = presorted is not None and out.kept == len(keep)
    index = None if whole else (np.flatnonzero(keep) if order is None else order[keep])
    kept_rows = rows.materialise() if index is None else rows.take(index)
    k_mmsi, k_ts, k_bucket = ((mmsi, ts, buckets) if whole
                              else (mmsi[keep], ts[keep], buckets[keep]))
    out.vessels = k_mmsi[np.concatenate(([True], k_mmsi[1:] != k_mmsi[:-1]))]
    out.ts_min_us, out.ts_max_us = int(k_ts.min()), int(k_ts.max())
    out.per_source = count_values(kept_rows.column("source_id"))
    cuts = np.flatnonzero(np.diff(k_bucket)) + 1
    label = day_label(day)
    for start, end in zip(
        np.concatenate(([0], cuts)).tolist(),
        np.concatenate((cuts, [out.kept])).tolist(),
        strict=True,
    ):
        bucket = int(k_bucket[start])
        rel = data_file(table_name, label, bucket, n_buckets, ingest_id, 0)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        written.append(path)
        write_parquet(kept_rows.slice(start, end - start), path)
        out.files.append(
            DataFile(
                table=table_name,
                path=rel,
                ingest_id=ingest_id,
                rows=end - start,
                size_bytes=path.stat().st_size,
                day=label,
                bucket=bucket,
                mmsi_min=int(k_mmsi[start]),
                mmsi_max=int(k_mmsi[end - 1]),
                ts_min_us=int(k_ts[start:end].min()),
                ts_max_us=int(k_ts[start:end].max()),
            )
        )
        faults.checkpoint("partition_written")
    return out


def _sorted(mask: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    return mask if order is None else mask[order]


def count_values(column: pa.ChunkedArray | pa.Array) -> Counter[str]:
    """How many times each (string or dictionary-encoded) value occurs."""
    counts = pc.value_counts(column)
    values = counts.field("values").to_pylist()
    return Counter(dict(zip(values, counts.field("counts").to_pylist(), strict=True)))


def write_parquet(rows: pa.Table, path: Path) -> None:
    """Write ``rows`` with the store's Parquet settings (tuned on a 3M-row commit).

    Dictionary pages for the text columns, delta encoding for the sorted times, LZ4,
    statistics only on ``mmsi`` and ``ts`` (the columns queries prune on). The Arrow schema
    is not embedded: the Parquet logical types map back to exactly the canonical schema, so
    dictionary-encoded strings read back as plain strings.
    """
    dictionary = [
        f.name
        for f in rows.schema
        if pa.types.is_dictionary(f.type) or pa.types.is_string(f.type)
    ]
    delta = {
        name: "DELTA_BINARY_PACKED"
        for name in ("ts", "received_ts", "source_line")
        if name in rows.column_names and name not in dictionary
    }
    pq.write_table(
        rows,
        str(path),
        compression="lz4",  # as small as snappy's output or smaller, and faster to write
        use_dictionary=dictionary,
        column_encoding=delta,
        write_statistics=[n for n in ("mmsi", "ts") if n in rows.column_names],
        row_group_size=ROW_GROUP_ROWS,
        store_schema=False,
    )
