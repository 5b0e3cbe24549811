"""Exact duplicates, same (mmsi, ts, msg_hash), are removed within and across ingests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from storekit import crash_dataset, ingest, make_batch, sha_of, source_id_of, table_files

from vesselwatch.store import Store
from vesselwatch.store.partition import sort_and_dedupe

A, B, C = source_id_of("a.csv"), source_id_of("b.csv"), source_id_of("c.csv")


def _kept(store: Store) -> list[tuple[int, float, int, str, int]]:
    t = store.positions()
    t0 = 1593475200.0  # 2020-06-30
    return [
        (r["mmsi"], r["ts"].timestamp() - t0, r["msg_hash"], r["source_id"], r["source_line"])
        for r in t.to_pylist()
    ]


def test_dedupe_within_and_across_ingests(store: Store) -> None:
    first = ingest(
        store,
        {
            "a.csv": [
                make_batch("a.csv", [(1, 0, 100, 2), (1, 0, 101, 3)]),  # line 2 arrives first
                make_batch("a.csv", [(1, 0, 100, 1), (2, 0, 100, 4), (1, 60, 100, 5)]),
            ],
            "b.csv": [make_batch("b.csv", [(1, 0, 100, 0), (3, 10, 7, 2)])],
        },
    )
    # a: line 2 duplicates line 1; b: line 0 duplicates a's line 1 (a is the earlier source)
    assert first.positions == 5
    assert first.duplicates["positions"] == 2
    assert _kept(store) == [
        (1, 0, 100, A, 1),
        (1, 0, 101, A, 3),
        (1, 60, 100, A, 5),
        (2, 0, 100, A, 4),
        (3, 10, 7, B, 2),
    ]
    second = ingest(
        store,
        {
            "c.csv": [
                make_batch("c.csv", [(1, 0, 100, 9), (2, 0, 100, 1), (4, 0, 1, 3), (4, 0, 1, 2)])
            ]
        },
    )
    # two rows already in the store, one duplicate within the ingest
    assert second.positions == 1
    assert second.duplicates["positions"] == 3
    assert second.vessels == 1
    assert store.positions().num_rows == 6
    assert (4, 0, 1, C, 2) in _kept(store)
    assert [s.positions for s in store.info().sources] == [4, 1, 1]


def test_vessel_reports_are_deduplicated_too(store: Store) -> None:
    r = ingest(
        store, {"a.csv": [make_batch("a.csv", reports=[(5, 1, 9, 1), (5, 1, 9, 2), (5, 2, 9, 3)])]}
    )
    assert (r.vessel_reports, r.duplicates["vessel_reports"]) == (2, 1)
    r = ingest(store, {"b.csv": [make_batch("b.csv", reports=[(5, 2, 9, 1)])]})
    assert (r.vessel_reports, r.duplicates["vessel_reports"]) == (0, 1)


def test_same_source_twice_adds_nothing(store: Store) -> None:
    data = crash_dataset()
    first = ingest(store, data)
    before = (
        store.positions(),
        store.vessel_reports(),
        store.quarantine(),
        table_files(store.path),
    )
    again = ingest(store, data)  # the engine's way: already_ingested -> skipped
    assert not again.committed and again.positions == 0 and again.sources == []
    # a careless caller that adds the same file again: every row is a duplicate
    with store.begin_ingest() as txn:
        assert txn.already_ingested(sha_of("s1.nmea"))
        txn.add_source("/elsewhere/s1.nmea", sha_of("s1.nmea"), 1000, "nmea")
        for b in data["s1.nmea"]:
            txn.add(b)
        careless = txn.commit()
    assert careless.positions == careless.vessel_reports == 0
    sent = sum(b.positions.num_rows for b in data["s1.nmea"])
    assert careless.duplicates["positions"] == sent
    assert careless.duplicates["quarantine"] == sum(b.rejects.num_rows for b in data["s1.nmea"])
    assert store.positions().equals(before[0])
    assert store.vessel_reports().equals(before[1])
    assert store.quarantine().equals(before[2])
    assert table_files(store.path) == before[3]
    assert len(store.info().sources) == 3 == len(first.sources)


def test_anti_join_reads_only_keys_of_touched_partitions(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(store, {"a.csv": [make_batch("a.csv", [(1, 0, 1, 1), (2, 0, 1, 2), (1, 86_400, 1, 3)])]})
    reads: list[tuple[str, list[str]]] = []
    real: Callable[..., Any] = pq.read_table

    def spy(path: Path, columns: list[str], **kw: Any) -> pa.Table:
        reads.append((Path(path).relative_to(store.path).parent.as_posix(), list(columns)))
        return real(path, columns=columns, **kw)

    monkeypatch.setattr(pq, "read_table", spy)
    r = ingest(store, {"b.csv": [make_batch("b.csv", [(1, 5, 1, 1), (1, 0, 1, 2)])]})
    assert r.positions == 1 and r.duplicates["positions"] == 1
    assert reads == [("positions/day=2020-06-30/bucket=01", ["mmsi", "ts", "msg_hash"])]


def _reference(
    mmsi: list[int], ts: list[int], h: list[int], rank: list[int], line: list[int], n_buckets: int
) -> tuple[list[tuple[int, int, int, int, int]], int]:
    rows = sorted(
        range(len(mmsi)),
        key=lambda i: (mmsi[i] % n_buckets, mmsi[i], ts[i], h[i], rank[i], line[i]),
    )
    seen: set[tuple[int, int, int]] = set()
    kept = []
    for i in rows:
        if (mmsi[i], ts[i], h[i]) not in seen:
            seen.add((mmsi[i], ts[i], h[i]))
            kept.append((mmsi[i], ts[i], h[i], rank[i], line[i]))
    return kept, len(mmsi) - len(kept)


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from([3, 4, 7, 8, 999_999_999]),
        st.sampled_from([0, 1, 5, 86_400_000_000, 2**40, -(2**38)]),
        st.integers(0, 2),
        st.integers(0, 2),
        st.integers(0, 1_000_000),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(rows=rows_strategy, n_buckets=st.sampled_from([1, 4, 16]))
def test_sort_and_dedupe_matches_reference(
    rows: list[tuple[int, int, int, int, int]], n_buckets: int
) -> None:
    mmsi, ts, h, rank, line = (list(c) for c in zip(*rows, strict=True)) if rows else ([],) * 5
    rank_arr = np.array(rank, dtype=np.int64)
    order, first = sort_and_dedupe(
        np.array(mmsi, dtype=np.uint32),
        np.array(ts, dtype=np.int64),
        np.array(h, dtype=np.uint64),
        np.array(line, dtype=np.int64),
        lambda idx: rank_arr[idx],
        n_buckets,
    )
    assert sorted(order.tolist()) == list(range(len(rows)))
    kept = [(mmsi[i], ts[i], h[i], rank[i], line[i]) for i in order[first]]
    expected, dropped = _reference(mmsi, ts, h, rank, line, n_buckets)
    # rows equal in every key are interchangeable, so compare the key tuples
    assert kept == expected
    assert int((~first).sum()) == dropped


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([1, 2, 6, 205_000_001]),  # mmsi
            st.sampled_from([0.0, 1.0, 86_399.5, 86_400.0, 200_000.0]),  # seconds after T0
            st.integers(0, 1),  # msg_hash
            st.integers(0, 2),  # which source
            st.integers(0, 1),  # which ingest
        ),
        max_size=40,
    )
)
def test_store_keeps_the_first_of_each_key(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[int, float, int, int, int]]
) -> None:
    store = Store.open(tmp_path_factory.mktemp("h") / "s", n_buckets=2)
    names = [["a1.csv", "b1.csv", "c1.csv"], ["a2.csv", "b2.csv", "c2.csv"]]
    ingests: list[dict[str, list[tuple[int, float, int, int]]]] = [{}, {}]
    for line, (mmsi, secs, h, src, which) in enumerate(rows):
        ingests[which].setdefault(names[which][src], []).append((mmsi, secs, h, line))
    seen: dict[tuple[int, float, int], tuple[str, int]] = {}
    for which in (0, 1):
        done_before = len(seen)
        added = [n for n in names[which] if n in ingests[which]]  # sources in the order added
        for name in added:
            for mmsi, secs, h, line in sorted(ingests[which][name], key=lambda r: r[3]):
                seen.setdefault((mmsi, secs, h), (source_id_of(name), line))
        # rows reach the store in reverse line order: the store must still keep the lowest
        result = ingest(store, {n: [make_batch(n, ingests[which][n][::-1])] for n in added})
        assert result.positions == len(seen) - done_before
    got = {
        (r["mmsi"], r["ts"].timestamp() - 1593475200.0, r["msg_hash"]): (
            r["source_id"],
            r["source_line"],
        )
        for r in store.positions().to_pylist()
    }
    assert got == seen


def test_sort_and_dedupe_long_runs_of_ties() -> None:
    """Runs of tied (mmsi, ts) longer than the compiled insertion sort takes: one
    reference time for a whole capture gives every message of a vessel the same ts."""
    rng = np.random.default_rng(7)
    n = 500
    mmsi = rng.choice([211_000_001, 211_000_002, 366_000_003], n).tolist()
    ts = rng.choice([0, 1, 2**20], n).tolist()
    h = rng.integers(0, 40, n).tolist()
    rank = rng.integers(0, 3, n).tolist()
    line = rng.permutation(n).tolist()
    rank_arr = np.array(rank, dtype=np.int64)
    order, first = sort_and_dedupe(
        np.array(mmsi, dtype=np.uint32), np.array(ts, dtype=np.int64),
        np.array(h, dtype=np.uint64), np.array(line, dtype=np.int64),
        lambda idx: rank_arr[idx], 4,
    )
    kept = [(mmsi[i], ts[i], h[i], rank[i], line[i]) for i in order[first]]
    expected, dropped = _reference(mmsi, ts, h, rank, line, 4)
    assert kept == expected
    assert int((~first).sum()) == dropped > 0
