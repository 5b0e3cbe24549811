"""Kill an ingest at any moment (SIGKILL, for real): the store is as before, or complete."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest
from storekit import crash_dataset, ingest, table_files

from vesselwatch.store import Store

CHILD = Path(__file__).with_name("crash_child.py")

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def _contents(store: Store) -> tuple[pa.Table, pa.Table, pa.Table, dict[str, int], int]:
    info = store.info()
    return store.positions(), store.vessel_reports(), store.quarantine(), info.rows, info.vessels


@pytest.fixture(scope="module")
def clean(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[pa.Table, pa.Table, pa.Table, dict[str, int], int]:
    """What one uninterrupted ingest of the data set holds."""
    store = Store.open(tmp_path_factory.mktemp("clean") / "store", n_buckets=4)
    ingest(store, crash_dataset())
    return _contents(store)


def _is_empty(store: Store) -> bool:
    rows = store.info().rows
    return bool(rows) and all(n == 0 for n in rows.values())  # whatever tables the store has


def _same(a: tuple[pa.Table, ...], b: tuple[object, ...]) -> bool:
    return all(
        x.equals(y) if isinstance(x, pa.Table) else x == y for x, y in zip(a, b, strict=True)
    )


def _check_after_kill(root: Path, clean: tuple[object, ...], expect_complete: bool | None) -> None:
    store = Store.open(root)
    con = store.connect()  # the catalogue answers
    n = con.execute("SELECT count(*) FROM positions").fetchone()
    assert n is not None
    complete = _same(_contents(store), clean)
    if expect_complete is None:
        assert complete or _is_empty(store), "half-written store"
    else:
        assert complete is expect_complete
        assert complete or _is_empty(store), "half-written store"
    # the next writer cleans up and a re-ingest holds exactly what a clean ingest holds
    ingest(store, crash_dataset())
    assert _same(_contents(store), clean)
    manifest_files = {f.path for f in store.snapshot().files}
    assert table_files(root) == manifest_files
    assert not (root / ".staging").exists()
    assert not list(root.glob(".manifest.json.tmp-*"))


@pytest.mark.parametrize(
    ("step", "nth", "complete"),
    [
        ("staged", 1, False),
        ("staged", 3, False),
        ("partition_written", 1, False),
        ("partition_written", 9, False),
        ("files_written", 1, False),
        ("manifest_temp_written", 1, False),
        ("manifest_replaced", 1, True),
    ],
)
def test_killed_at_step(
    tmp_path: Path, clean: tuple[object, ...], step: str, nth: int, complete: bool
) -> None:
    root = tmp_path / "store"
    Store.open(root, n_buckets=4)
    proc = subprocess.run(
        [sys.executable, str(CHILD), str(root), step, str(nth)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr  # the kill did happen
    if step in ("manifest_temp_written", "manifest_replaced"):
        assert (root / ".staging").exists()  # killed before cleaning up
    if step == "manifest_temp_written":
        assert list(root.glob(".manifest.json.tmp-*"))
    _check_after_kill(root, clean, complete)


@pytest.mark.parametrize("seed", range(4))
def test_killed_at_a_random_moment(tmp_path: Path, clean: tuple[object, ...], seed: int) -> None:
    root = tmp_path / "store"
    Store.open(root, n_buckets=4)
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(root), "slow", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "started"
    time.sleep(random.Random(seed).uniform(0.0, 0.5))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    _check_after_kill(root, clean, None)
