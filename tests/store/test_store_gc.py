"""Files no manifest lists are invisible to readers and removed by the next writer."""

from __future__ import annotations

import shutil

from storekit import ingest, make_batch, table_files

from vesselwatch.store import Store
from vesselwatch.store.layout import data_file


def test_uncommitted_files_are_invisible_then_collected(store: Store) -> None:
    ingest(store, {"a.csv": [make_batch("a.csv", [(1, 0, 1, 1)])]})
    committed = next(iter(table_files(store.path)))
    orphan = store.path / data_file("positions", "2020-06-30", 1, 4, "20990101T000000Z-dead", 0)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(store.path / committed, orphan)
    stray_day = store.path / data_file("positions", "2021-01-01", 2, 4, "20990101T000000Z-dead", 0)
    stray_day.parent.mkdir(parents=True)
    shutil.copy(store.path / committed, stray_day)
    (store.path / ".staging" / "20990101T000000Z-dead").mkdir(parents=True)
    (store.path / ".manifest.json.tmp-20990101T000000Z-dead").write_text("{}")
    notes = store.path / "positions" / "README.txt"
    notes.write_text("not ours")

    assert store.positions().num_rows == 1  # readers see only the manifest's files
    assert store.connect().execute("SELECT count(*) FROM positions").fetchone() == (1,)

    removed = store.collect_garbage()
    assert removed == 4
    assert table_files(store.path) == {committed}
    assert not stray_day.parent.parent.exists()  # empty partition directories go too
    assert not (store.path / ".staging").exists()
    assert not list(store.path.glob(".manifest.json.tmp-*"))
    assert notes.exists()  # vesselwatch deletes only what it could have written


def test_begin_ingest_collects_garbage(store: Store) -> None:
    orphan = store.path / data_file("vessel_reports", "2020-06-30", 0, 4, "x", 0)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"PAR1 torn")
    with store.begin_ingest():
        assert not orphan.exists()
    assert Store.open(store.path).vessel_reports().num_rows == 0
