"""Where things live inside a store directory: one place for every path and name.

::

    <store>/
      manifest.json                      the committed state (single source of truth)
      .lock                              the writer lock
      .staging/<ingest_id>/              rows of an ingest in progress (Arrow IPC)
      positions/day=2020-06-30/bucket=07/<ingest_id>-0.parquet
      vessel_reports/day=.../bucket=.../<ingest_id>-0.parquet
      quarantine/ingest=<ingest_id>/<ingest_id>-0.parquet
      events/<run_id>.parquet            the events of the latest detection run

``day`` is the UTC day of ``ts``; ``bucket`` is ``mmsi % n_buckets``. Rows are sorted by
``(mmsi, ts)`` inside every file. A file belongs to the store only when the manifest lists
it; anything else under the table directories is garbage from an interrupted ingest.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

import numpy as np

MANIFEST = "manifest.json"
MANIFEST_TEMP_PREFIX = ".manifest.json.tmp-"
LOCK = ".lock"
STAGING = ".staging"
FORMAT = "vesselwatch-store"

PARTITIONED_TABLES = ("positions", "vessel_reports")
QUARANTINE_TABLE = "quarantine"
EVENTS_TABLE = "events"  # events/<run_id>.parquet: the latest detection run, replaced whole
TABLE_DIRS = (*PARTITIONED_TABLES, QUARANTINE_TABLE, EVENTS_TABLE)

DEFAULT_N_BUCKETS = 4  # per day; a store of a whole world's AIS wants 16 or more
MAX_N_BUCKETS = 4096
US_PER_DAY = 86_400_000_000
_EPOCH = date(1970, 1, 1)

# Names a fresh store directory may already hold (left by a crashed creation).
HOUSEKEEPING = frozenset({LOCK, STAGING})


def new_ingest_id(now: datetime | None = None) -> str:
    """A sortable, unique ingest id, e.g. ``20200630T101500Z-3f9a1c2e``."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{when:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def day_index(ts_us: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (UTC) of microsecond timestamps; floor, so pre-1970 works."""
    return np.asarray(np.floor_divide(ts_us, US_PER_DAY), dtype=np.int64)


def day_label(day: int) -> str:
    """``2020-06-30`` for a day index."""
    return (_EPOCH + timedelta(days=int(day))).isoformat()


def day_of(when: datetime) -> str:
    """The UTC day label of an aware (or naive = UTC) datetime."""
    return as_utc(when).date().isoformat()


def as_utc(when: datetime) -> datetime:
    """``when`` as an aware UTC datetime; a naive value is taken to be UTC already."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def bucket_label(bucket: int, n_buckets: int) -> str:
    """Zero-padded so partition directories list in bucket order."""
    return str(bucket).zfill(max(2, len(str(n_buckets - 1))))


def data_file(table: str, day: str, bucket: int, n_buckets: int, ingest_id: str, part: int) -> str:
    """Relative POSIX path of one data file of ``table``."""
    return f"{table}/day={day}/bucket={bucket_label(bucket, n_buckets)}/{ingest_id}-{part}.parquet"


def quarantine_file(ingest_id: str, part: int = 0) -> str:
    """Relative POSIX path of an ingest's quarantine file."""
    return f"{QUARANTINE_TABLE}/ingest={ingest_id}/{ingest_id}-{part}.parquet"


def staging_dir(ingest_id: str) -> str:
    """Relative path of an ingest's staging directory."""
    return f"{STAGING}/{ingest_id}"
