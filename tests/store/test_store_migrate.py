"""Schema versions: a newer store is refused, an older one goes through the migrations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from storekit import ingest, make_batch

from vesselwatch.errors import SchemaVersionError
from vesselwatch.store import Store, migrate
from vesselwatch.store.migrate import Migration


def _set_version(root: Path, version: int) -> None:
    path = root / "manifest.json"
    data = json.loads(path.read_text())
    data["schema_version"] = version
    path.write_text(json.dumps(data))


def test_newer_store_is_refused(store: Store) -> None:
    newer = migrate.CURRENT_VERSION + 1
    _set_version(store.path, newer)
    with pytest.raises(SchemaVersionError) as err:
        Store.open(store.path)
    message = str(err.value)
    assert f"schema version {newer}" in message
    assert f"up to {migrate.CURRENT_VERSION}" in message and "upgrade vesselwatch" in message
    with pytest.raises(SchemaVersionError):
        store.begin_ingest()  # an already open handle refuses too


def test_older_store_is_migrated_once(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest(store, {"a.csv": [make_batch("a.csv", [(1, 0, 1, 1), (2, 0, 1, 2)])]})
    rows = store.positions()
    calls: list[int] = []

    def v1_to_v2(root: Path, data: dict[str, Any]) -> dict[str, Any]:
        assert root == store.path and data["schema_version"] == 1
        calls.append(data["schema_version"])
        data["migrated_by_test"] = True
        return data

    monkeypatch.setattr(migrate, "CURRENT_VERSION", 2)
    monkeypatch.setitem(migrate.MIGRATIONS, 1, Migration(1, 2, v1_to_v2, "test"))
    opened = Store.open(store.path)
    raw = json.loads((store.path / "manifest.json").read_text())
    assert raw["schema_version"] == 2 and raw["migrated_by_test"] is True
    assert calls == [1]
    assert opened.schema_version == 2
    assert opened.positions().equals(rows)
    Store.open(store.path)
    assert calls == [1]  # nothing left to do the second time
    r = ingest(opened, {"b.csv": [make_batch("b.csv", [(3, 0, 1, 1)])]})
    assert r.positions == 1


def test_chained_migrations_run_in_order(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []

    def step(name: str) -> migrate.MigrationFn:
        def apply(root: Path, data: dict[str, Any]) -> dict[str, Any]:
            order.append(name)
            return data

        return apply

    monkeypatch.setattr(migrate, "CURRENT_VERSION", 3)
    monkeypatch.setitem(migrate.MIGRATIONS, 1, Migration(1, 2, step("1->2")))
    monkeypatch.setitem(migrate.MIGRATIONS, 2, Migration(2, 3, step("2->3")))
    assert Store.open(store.path).schema_version == 3
    assert order == ["1->2", "2->3"]


def test_missing_migration_is_refused(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrate, "CURRENT_VERSION", 2)
    monkeypatch.delitem(migrate.MIGRATIONS, 1, raising=False)
    with pytest.raises(SchemaVersionError, match="no migration from it"):
        Store.open(store.path)
    assert json.loads((store.path / "manifest.json").read_text())["schema_version"] == 1


def test_register_decorator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrate, "MIGRATIONS", {})

    @migrate.register(1, 2, "add a column")
    def add_column(root: Path, data: dict[str, Any]) -> dict[str, Any]:
        return data

    assert migrate.MIGRATIONS[1].apply is add_column
    with pytest.raises(ValueError, match="forward"):
        migrate.register(2, 2)
    assert migrate.MIGRATIONS == {1: Migration(1, 2, add_column, "add a column")}


def test_version_one_has_no_migrations() -> None:
    assert migrate.CURRENT_VERSION == 1 and migrate.MIGRATIONS == {}
