"""Garbage collection: remove what no committed manifest lists.

An ingest killed before its commit point leaves staged rows and data files that the manifest
does not name. They are invisible to readers; the next writer removes them, under the lock.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from vesselwatch.store.layout import MANIFEST_TEMP_PREFIX, STAGING, TABLE_DIRS
from vesselwatch.store.manifest import Manifest

log = logging.getLogger(__name__)


def collect_garbage(root: Path, committed: Manifest) -> int:
    """Delete staging, temp manifests and uncommitted ``.parquet`` files; return how many.

    Only call while holding the writer lock. Files other than ``.parquet`` under the table
    directories are left alone: vesselwatch did not write them.
    """
    removed = 0
    staging = root / STAGING
    if staging.exists():
        removed += sum(1 for _ in staging.iterdir())
        shutil.rmtree(staging, ignore_errors=True)
    for temp in root.glob(MANIFEST_TEMP_PREFIX + "*"):
        temp.unlink(missing_ok=True)
        removed += 1
    keep = {f.path for f in committed.files}
    # the events file the latest detection run superseded: readers may still hold it
    keep.update((committed.detection or {}).get("retired", []))
    for table in TABLE_DIRS:
        base = root / table
        if not base.is_dir():
            continue
        for dirpath, _dirnames, filenames in os.walk(base, topdown=False):
            here = Path(dirpath)
            for name in filenames:
                rel = (here / name).relative_to(root).as_posix()
                if name.endswith(".parquet") and rel not in keep:
                    (here / name).unlink(missing_ok=True)
                    removed += 1
            if here != base and not any(here.iterdir()):
                here.rmdir()
    if removed:
        log.info("removed %d leftovers of interrupted ingests from %s", removed, root)
    return removed
