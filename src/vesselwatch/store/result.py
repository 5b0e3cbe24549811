"""What a committed ingest reports back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


def from_micros(us: int | None) -> datetime | None:
    """An aware UTC datetime from epoch microseconds (``None`` stays ``None``)."""
    if us is None:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def iso(when: datetime | None) -> str | None:
    """ISO 8601 text of ``when`` (``None`` stays ``None``)."""
    return None if when is None else when.isoformat()


@dataclass(frozen=True)
class IngestResult:
    """Counts of one ingest, after deduplication.

    ``positions`` and ``vessel_reports`` are the rows accepted into the store;
    ``duplicates`` the rows removed per table as exact duplicates (within the ingest or
    already in the store); ``rejects`` the quarantined rows by reason; ``skipped`` the lines
    readers skipped by reason; ``vessels`` the distinct mmsi among accepted rows; ``ts_min``
    and ``ts_max`` the time span of accepted rows; ``sources`` the source ids added.
    """

    ingest_id: str
    positions: int = 0
    vessel_reports: int = 0
    duplicates: dict[str, int] = field(default_factory=dict)
    rejects: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    vessels: int = 0
    ts_min: datetime | None = None
    ts_max: datetime | None = None
    sources: list[str] = field(default_factory=list)
    lines: int = 0
    committed: bool = True

    @property
    def rejected(self) -> int:
        """All quarantined rows."""
        return sum(self.rejects.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (times as ISO 8601 text)."""
        data = asdict(self)
        data["ts_min"] = iso(self.ts_min)
        data["ts_max"] = iso(self.ts_max)
        return data
