"""Queries prune partitions by day, bucket and ranges, and answer as a full scan would."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storekit import T0, Row, ingest, make_batch

from vesselwatch.store import Store
from vesselwatch.store.reader import select_files

VESSELS = [205_000_001, 205_000_002, 211_000_003, 219_000_004, 244_000_005, 257_000_006, 7]


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Three days of positions and reports of seven vessels, in two ingests."""
    store = Store.open(tmp_path_factory.mktemp("q") / "store", n_buckets=4)
    rng = np.random.default_rng(3)
    for name in ("one.csv", "two.csv"):
        pos: list[Row] = []
        rep: list[Row] = []
        for line in range(400):
            row = (
                VESSELS[int(rng.integers(0, 7))],
                float(rng.integers(-3600, 3 * 86_400)),
                line,
                line,
            )
            (pos if line % 5 else rep).append(row)
        ingest(store, {name: [make_batch(name, pos, rep)]})
    return store


def _full_scan(
    t: pa.Table, mmsi: list[int] | None, start: datetime | None, end: datetime | None
) -> pa.Table:
    mask = pa.array(np.ones(t.num_rows, bool))
    if mmsi is not None:
        mask = pc.and_(mask, pc.is_in(t["mmsi"], pa.array(mmsi, pa.uint32())))
    if start is not None:
        mask = pc.and_(mask, pc.greater_equal(t["ts"], pa.scalar(start, t.schema.field("ts").type)))
    if end is not None:
        mask = pc.and_(mask, pc.less(t["ts"], pa.scalar(end, t.schema.field("ts").type)))
    return t.filter(mask)


times = st.one_of(
    st.none(),
    st.integers(-2 * 3600, 3 * 86_400 + 3600).map(lambda s: T0 + timedelta(seconds=s)),
    st.sampled_from([T0, T0 + timedelta(days=1), T0 + timedelta(days=1, microseconds=-1)]),
)
vessel_sets = st.one_of(
    st.none(), st.lists(st.sampled_from([*VESSELS, 99, 205_000_009]), max_size=4)
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mmsi=vessel_sets, start=times, end=times)
def test_pruned_query_equals_full_scan(
    filled: Store, mmsi: list[int] | None, start: datetime | None, end: datetime | None
) -> None:
    for read in (filled.positions, filled.vessel_reports):
        everything = read()
        expected = _full_scan(everything, mmsi, start, end)
        got = read(mmsi, start, end)
        assert got.schema.equals(everything.schema)
        assert got.equals(expected.combine_chunks())


def test_pruning_skips_files(filled: Store) -> None:
    snapshot = filled.snapshot()
    all_files = select_files(snapshot, "positions")
    one_day = select_files(snapshot, "positions", None, T0, T0 + timedelta(days=1))
    one_vessel = select_files(snapshot, "positions", [VESSELS[0]], T0, T0 + timedelta(days=1))
    assert len(all_files) > len(one_day) > len(one_vessel) >= 1
    assert {f.day for f in one_day} == {"2020-06-30"}
    assert {f.bucket for f in one_vessel} == {VESSELS[0] % 4}


def test_half_open_window(store: Store) -> None:
    ingest(
        store, {"a.csv": [make_batch("a.csv", [(1, 0, 1, 1), (1, 10, 1, 2), (1, 86_400, 1, 3)])]}
    )
    got = store.positions([1], T0, T0 + timedelta(seconds=10))
    assert got["source_line"].to_pylist() == [1]
    nxt = store.positions(None, T0 + timedelta(seconds=10), T0 + timedelta(days=1))
    assert nxt["source_line"].to_pylist() == [2]
    assert store.positions(None, T0 + timedelta(days=1), None)["source_line"].to_pylist() == [3]
    naive = datetime(2020, 6, 30, 0, 0, 10)  # naive datetimes are UTC
    assert store.positions(None, naive, None).num_rows == 2
    assert store.positions([], None, None).num_rows == 0
    assert store.positions(None, T0 + timedelta(days=1), T0).num_rows == 0


def test_sql_view_agrees_with_query(filled: Store) -> None:
    start, end = T0 + timedelta(hours=5), T0 + timedelta(days=1, hours=7)
    con = filled.connect()
    rows = con.execute(
        "SELECT mmsi, source_id, source_line FROM positions WHERE ts >= ? AND ts < ? "
        "ORDER BY mmsi, ts, msg_hash",
        [start, end],
    ).fetchall()
    got = filled.positions(None, start, end).select(["mmsi", "source_id", "source_line"])
    assert rows == [tuple(r.values()) for r in got.to_pylist()]
    n_ingests = con.execute("SELECT count(*), sum(positions) FROM ingests").fetchone()
    assert n_ingests == (2, filled.info().rows["positions"])


def test_reader_opened_before_a_commit_sees_it_after(tmp_path: Path) -> None:
    reader = Store.open(tmp_path / "s")
    writer = Store.open(tmp_path / "s")
    con_before = reader.connect()
    ingest(writer, {"a.csv": [make_batch("a.csv", [(1, 0, 1, 1)])]})
    assert con_before.execute("SELECT count(*) FROM positions").fetchone() == (0,)  # a snapshot
    assert reader.positions().num_rows == 1
    assert reader.connect().execute("SELECT count(*) FROM positions").fetchone() == (1,)
