"""The manifest: the committed state of a store, in one JSON file.

It lists every committed data file, source and ingest, and carries the store's metadata
(format, schema version, creation time, number of mmsi buckets). Readers take it as their
snapshot; a writer replaces it atomically (write temp + fsync + ``os.replace``), and that
replace is the commit point of an ingest.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from vesselwatch.errors import StoreError
from vesselwatch.store import durable, faults
from vesselwatch.store.layout import FORMAT, MANIFEST, MANIFEST_TEMP_PREFIX


@dataclass(frozen=True)
class DataFile:
    """One committed Parquet file. Paths are relative to the store, with ``/``."""

    table: str
    path: str
    ingest_id: str
    rows: int
    size_bytes: int
    day: str | None = None
    bucket: int | None = None
    mmsi_min: int | None = None
    mmsi_max: int | None = None
    ts_min_us: int | None = None
    ts_max_us: int | None = None


@dataclass(frozen=True)
class SourceRecord:
    """An input file, identified by its content (``source_id`` = first 16 hex of sha256)."""

    source_id: str
    path: str
    sha256: str
    size: int
    fmt: str
    ingest_id: str
    positions: int = 0
    vessel_reports: int = 0
    rejects: int = 0


@dataclass(frozen=True)
class IngestRecord:
    """One committed ingest and the counts of its :class:`IngestResult`."""

    ingest_id: str
    started: str
    committed: str
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """The committed state of a store."""

    schema_version: int
    created: str
    n_buckets: int
    generation: int = 0
    ingests: tuple[IngestRecord, ...] = ()
    sources: tuple[SourceRecord, ...] = ()
    files: tuple[DataFile, ...] = ()
    format: str = FORMAT
    detection: dict[str, Any] | None = None  # the latest detection run (config, counts)

    def files_of(self, table: str) -> list[DataFile]:
        """The committed files of one table, in commit order."""
        return [f for f in self.files if f.table == table]

    def source_shas(self) -> set[str]:
        """sha256 of every committed source."""
        return {s.sha256 for s in self.sources}

    def with_ingest(
        self, ingest: IngestRecord, sources: list[SourceRecord], files: list[DataFile]
    ) -> Manifest:
        """The manifest after committing one more ingest."""
        return replace(
            self,
            generation=self.generation + 1,
            ingests=(*self.ingests, ingest),
            sources=(*self.sources, *sources),
            files=(*self.files, *files),
        )

    def with_events(self, files: list[DataFile], detection: dict[str, Any]) -> Manifest:
        """The manifest after a detection run: its event files replace the previous ones."""
        kept = tuple(f for f in self.files if f.table != "events")
        return replace(self, generation=self.generation + 1, files=(*kept, *files),
                       detection=detection)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """Parse what :meth:`to_dict` wrote; raises ``KeyError``/``TypeError`` if damaged."""
        return cls(
            format=str(data["format"]),
            schema_version=int(data["schema_version"]),
            created=str(data["created"]),
            n_buckets=int(data["n_buckets"]),
            generation=int(data.get("generation", 0)),
            ingests=tuple(IngestRecord(**i) for i in data.get("ingests", [])),
            sources=tuple(SourceRecord(**s) for s in data.get("sources", [])),
            files=tuple(DataFile(**f) for f in data.get("files", [])),
            detection=data.get("detection"),
        )


def manifest_path(root: Path) -> Path:
    """Where a store's manifest lives."""
    return root / MANIFEST


def read_raw(root: Path) -> dict[str, Any]:
    """The manifest as plain data, checked only for being a vesselwatch store manifest."""
    path = manifest_path(root)
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise StoreError(f"{root} is not a vesselwatch store: it has no {MANIFEST}") from None
    except (OSError, ValueError) as e:
        raise StoreError(
            f"cannot read the manifest {path}: {e}; restore it from a backup"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StoreError(
            f'{path} is not a vesselwatch store manifest (no "format": "{FORMAT}"); '
            "point vesselwatch at the store directory"
        )
    if not isinstance(data.get("schema_version"), int):
        raise StoreError(f"{path} has no integer schema_version; restore it from a backup")
    return data


def parse(root: Path, data: dict[str, Any]) -> Manifest:
    """Build a :class:`Manifest` from plain data, turning damage into a :class:`StoreError`."""
    try:
        return Manifest.from_dict(data)
    except (KeyError, TypeError, ValueError) as e:
        raise StoreError(
            f"the manifest {manifest_path(root)} is damaged ({type(e).__name__}: {e}); "
            "restore it from a backup"
        ) from None


def read(root: Path) -> Manifest:
    """The current manifest of the store at ``root``."""
    return parse(root, read_raw(root))


def write_raw(root: Path, data: dict[str, Any], tag: str) -> None:
    """Commit ``data`` as the new manifest: temp file + fsync + atomic replace.

    ``tag`` makes the temp name unique to the writer (the ingest id). Call under the lock.
    """
    # compact: Python's C encoder handles only unindented output, and a store of thousands
    # of files would otherwise spend a good part of each commit pretty-printing this file
    body = json.dumps(data, separators=(",", ":")).encode("utf-8") + b"\n"
    path = manifest_path(root)
    temp = durable.atomic_write_bytes(path, body, MANIFEST_TEMP_PREFIX + tag)
    faults.checkpoint("manifest_temp_written")
    durable.replace(temp, path)
    faults.checkpoint("manifest_replaced")


def write(root: Path, manifest: Manifest, tag: str) -> None:
    """Commit ``manifest``; see :func:`write_raw`."""
    write_raw(root, manifest.to_dict(), tag)
