"""The embedded store: partitioned Parquet files, a JSON manifest, a DuckDB catalogue.

See :mod:`vesselwatch.store.layout` for the directory layout and
:mod:`vesselwatch.store.transaction` for how an ingest commits atomically.
"""

from vesselwatch.store.info import StoreInfo
from vesselwatch.store.manifest import DataFile, Manifest, SourceRecord
from vesselwatch.store.result import IngestResult
from vesselwatch.store.store import Store
from vesselwatch.store.transaction import BatchLike, IngestTransaction, ProgressCallback

__all__ = [
    "BatchLike",
    "DataFile",
    "IngestResult",
    "IngestTransaction",
    "Manifest",
    "ProgressCallback",
    "SourceRecord",
    "Store",
    "StoreInfo",
]
