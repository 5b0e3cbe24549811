"""Transactions: all or nothing, one writer at a time."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow as pa
import pytest
from storekit import crash_dataset, ingest, make_batch, sha_of, table_files

from vesselwatch.errors import StoreError, StoreLockedError
from vesselwatch.ingest.batch import Batch
from vesselwatch.store import Store, partition


def _state(store: Store) -> tuple[bytes, set[str], pa.Table]:
    return (store.path / "manifest.json").read_bytes(), table_files(store.path), store.positions()


def test_exception_in_with_block_rolls_back(store: Store) -> None:
    ingest(store, {"a.csv": [make_batch("a.csv", [(1, 0, 1, 1)])]})
    before = _state(store)
    with (
        pytest.raises(RuntimeError, match="reader failed"),
        store.begin_ingest(flush_rows=1) as txn,
    ):
        txn.add_source("/data/b.csv", sha_of("b.csv"), 10, "csv")
        txn.add(make_batch("b.csv", [(2, 0, 1, 1), (3, 0, 1, 2)]))
        assert any((store.path / ".staging").rglob("*.arrow"))  # it did stage
        raise RuntimeError("reader failed")
    assert _state(store)[0] == before[0] and _state(store)[1] == before[1]
    assert _state(store)[2].equals(before[2])
    assert not (store.path / ".staging").exists()
    with store.begin_ingest(timeout=0.1) as txn:  # the lock was released
        assert not txn.already_ingested(sha_of("b.csv"))


def test_leaving_without_commit_rolls_back(store: Store) -> None:
    before = _state(store)
    with store.begin_ingest() as txn:
        txn.add_source("/data/a.csv", sha_of("a.csv"), 10, "csv")
        txn.add(make_batch("a.csv", [(2, 0, 1, 1)]))
    assert _state(store)[:2] == before[:2]
    with pytest.raises(StoreError, match="rolled back"):
        txn.add(make_batch("a.csv", [(2, 0, 1, 1)]))


def test_failure_during_commit_leaves_store_unchanged(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(store, {"a.csv": [make_batch("a.csv", [(1, 0, 1, 1)])]})
    before = _state(store)
    real = partition.write_parquet
    calls = []

    def flaky(rows: pa.Table, path: Path) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        real(rows, path)

    monkeypatch.setattr(partition, "write_parquet", flaky)
    with pytest.raises(OSError, match="disk full"):
        ingest(store, {"b.csv": [make_batch("b.csv", [(1, 5, 1, 1), (2, 5, 1, 2)])]})
    assert _state(store)[:2] == before[:2]
    assert not calls[0].exists()  # the file written before the failure was removed


def test_commit_twice_is_an_error(store: Store) -> None:
    with store.begin_ingest() as txn:
        txn.commit()
        with pytest.raises(StoreError, match="already committed"):
            txn.commit()


def test_rows_of_unregistered_source_are_refused(store: Store) -> None:
    with store.begin_ingest() as txn, pytest.raises(StoreError, match="add_source"):
        txn.add(make_batch("a.csv", [(1, 0, 1, 1)]))


def test_bad_sha256_is_refused(store: Store) -> None:
    with store.begin_ingest() as txn, pytest.raises(StoreError, match="64 hex"):
        txn.add_source("/data/a.csv", "abc", 1, "csv")


def test_progress_is_reported(store: Store) -> None:
    seen: list[tuple[str, int, int]] = []
    with store.begin_ingest() as txn:
        txn.add_source("/data/a.csv", sha_of("a.csv"), 10, "csv")
        txn.add(make_batch("a.csv", [(1, 0, 1, 1), (1, 86_400, 1, 2)], [(1, 0, 1, 3)]))
        txn.commit(progress=lambda *step: seen.append(step))
    assert seen == [("commit", 1, 4), ("commit", 2, 4), ("commit", 3, 4), ("commit", 4, 4)]


def test_memory_bounded_staging_spills(store: Store) -> None:
    data = crash_dataset()
    with store.begin_ingest(flush_rows=50) as txn:
        for name, parts in data.items():
            txn.add_source(name, sha_of(name), 1, "nmea")
            for b in parts:
                txn.add(b)
        staged = list((store.path / ".staging").rglob("*.arrow"))
        result = txn.commit()
    assert len(staged) > 10
    assert store.positions().num_rows == result.positions


HOLDER = """
import sys, time
from vesselwatch.store import Store
store = Store.open(sys.argv[1])
txn = store.begin_ingest()
print("locked", flush=True)
sys.stdin.read()
txn.rollback()
"""


def test_second_writer_in_another_process_gets_store_locked(store: Store) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(StoreLockedError) as err:
            store.begin_ingest(timeout=0.3)
        assert time.monotonic() - started >= 0.3
        assert str(store.path) in str(err.value) and "wait" in str(err.value)
        # readers need no lock
        assert store.positions().num_rows == 0 and store.info().ingests == 0
    finally:
        holder.communicate("", timeout=30)
    with store.begin_ingest(timeout=5) as txn:  # free again once the holder is done
        txn.commit()


def test_second_writer_in_another_thread_gets_store_locked(store: Store) -> None:
    errors: list[BaseException] = []

    def second() -> None:
        try:
            Store.open(store.path).begin_ingest(timeout=0.2)
        except BaseException as e:
            errors.append(e)

    with store.begin_ingest():
        t = threading.Thread(target=second)
        t.start()
        t.join()
    assert len(errors) == 1 and isinstance(errors[0], StoreLockedError)


def test_ingest_result_is_json_serialisable(store: Store) -> None:
    r = ingest(store, {"a.csv": [make_batch("a.csv", [(1, 0, 1, 1)], rejects=[(2, "bad_mmsi")])]})
    data = json.loads(json.dumps(r.to_dict()))
    assert data["positions"] == 1 and data["rejects"] == {"bad_mmsi": 1}
    assert data["ts_min"] == "2020-06-30T00:00:00+00:00" and r.rejected == 1


def test_rows_outside_the_canonical_schema_are_refused(store: Store) -> None:
    batch = make_batch("a.csv", [(1, 0, 1, 1)])
    with store.begin_ingest() as txn:
        txn.add_source("/data/a.csv", sha_of("a.csv"), 10, "csv")
        batch.positions = batch.positions.drop_columns(["lat"])
        with pytest.raises(StoreError, match=r"lack the columns \['lat'\]"):
            txn.add(batch)
        nulls = make_batch("a.csv", [(1, 0, 1, 1)])
        ts = nulls.positions.schema.get_field_index("ts")
        nulls.positions = nulls.positions.set_column(
            ts, nulls.positions.schema.field(ts), pa.nulls(1, nulls.positions.schema.field(ts).type)
        )
        with pytest.raises(StoreError, match=r"nulls in \['ts'\]"):
            txn.add(nulls)
        # a table with the right columns in another order and looser nullability is fine
        loose = make_batch("a.csv", [(2, 0, 1, 2)]).positions
        loose = loose.select(loose.column_names[::-1])
        txn.add(
            Batch(positions=loose.cast(pa.schema([f.with_nullable(True) for f in loose.schema])))
        )
        assert txn.commit().positions == 1


def test_source_id_collision_is_refused(store: Store) -> None:
    ingest(store, {"a.csv": [make_batch("a.csv", [(1, 0, 1, 1)])]})
    twin = sha_of("a.csv")[:16] + "0" * 48  # same first 16 hex digits, other content
    with store.begin_ingest() as txn:
        with pytest.raises(StoreError, match="source id"):
            txn.add_source("/data/twin.csv", twin, 10, "csv")
        assert (
            txn.add_source("/data/a-again.csv", sha_of("a.csv").upper(), 10, "csv")
            == (sha_of("a.csv")[:16])
        )
