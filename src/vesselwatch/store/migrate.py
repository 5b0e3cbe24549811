"""Schema versions: refuse stores from the future, upgrade stores from the past.

A migration turns a store of ``from_version`` into one of ``to_version`` (normally
``from_version + 1``). It receives the store root and the manifest as plain data, may write
new data files (named so that, until its manifest is committed, they are garbage), and
returns the new manifest data. Each step is committed on its own by replacing the manifest,
under the writer lock, so an interrupted migration leaves a store at one version or the next.

Schema version 1 is the first: no migrations are registered yet.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vesselwatch.errors import SchemaVersionError
from vesselwatch.model.schema import SCHEMA_VERSION
from vesselwatch.store import manifest
from vesselwatch.store.lock import WriterLock

log = logging.getLogger(__name__)

MigrationFn = Callable[[Path, dict[str, Any]], dict[str, Any]]

# The version this vesselwatch writes; read at call time so tests can pretend to be newer.
CURRENT_VERSION = SCHEMA_VERSION


@dataclass(frozen=True)
class Migration:
    """One registered step from ``from_version`` to ``to_version``."""

    from_version: int
    to_version: int
    apply: MigrationFn
    description: str = ""


MIGRATIONS: dict[int, Migration] = {}


def register(
    from_version: int, to_version: int, description: str = ""
) -> Callable[[MigrationFn], MigrationFn]:
    """Decorator: register ``fn`` as the migration from ``from_version`` to ``to_version``."""
    if to_version <= from_version:
        raise ValueError(f"a migration must go forward, not {from_version} -> {to_version}")

    def add(fn: MigrationFn) -> MigrationFn:
        MIGRATIONS[from_version] = Migration(from_version, to_version, fn, description)
        return fn

    return add


def check_not_newer(root: Path, found: int, current: int | None = None) -> None:
    """Raise :class:`SchemaVersionError` if the store was written by a newer vesselwatch."""
    current = CURRENT_VERSION if current is None else current
    if found > current:
        raise SchemaVersionError(
            f"the store {root} has schema version {found}, but this vesselwatch reads "
            f"versions up to {current}; upgrade vesselwatch (pip install -U vesselwatch) "
            "to open it"
        )


def plan(root: Path, found: int, current: int | None = None) -> list[Migration]:
    """The chain of migrations from ``found`` to ``current``; raise if a step is missing."""
    current = CURRENT_VERSION if current is None else current
    check_not_newer(root, found, current)
    steps: list[Migration] = []
    version = found
    while version < current:
        step = MIGRATIONS.get(version)
        if step is None or step.to_version > current:
            raise SchemaVersionError(
                f"the store {root} has schema version {version} and this vesselwatch "
                f"(version {current}) has no migration from it; open it with the "
                "vesselwatch release that wrote it and export the data, or re-ingest the sources"
            )
        steps.append(step)
        version = step.to_version
    return steps


def upgrade(root: Path, data: dict[str, Any], lock_timeout: float) -> dict[str, Any]:
    """Bring the store at ``root`` up to the current schema version; return its manifest data.

    Takes the writer lock only when there is something to do.
    """
    if not plan(root, int(data["schema_version"])):
        return data
    with WriterLock(root, lock_timeout):
        data = manifest.read_raw(root)  # another process may have migrated meanwhile
        for step in plan(root, int(data["schema_version"])):
            log.info("migrating %s from schema %d to %d", root, step.from_version, step.to_version)
            new = step.apply(root, copy.deepcopy(data))
            new["schema_version"] = step.to_version
            manifest.write_raw(root, new, f"migrate-{step.from_version}-{step.to_version}")
            data = new
    return data
