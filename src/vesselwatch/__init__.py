"""vesselwatch: find the ships that carry banned cargo between sanctioned states.

The Python API for notebooks::

    import vesselwatch
    engine = vesselwatch.open_store("my-store")       # or Engine(); see docs/api.md
    report = engine.ingest(["capture.nmea"])
    positions = engine.positions(mmsi=[273456780])    # a pyarrow.Table
"""

from __future__ import annotations

from vesselwatch.engine import Engine, IngestReport
from vesselwatch.errors import InputError, StoreError, StrictModeError, VesselwatchError

__version__ = "0.1.0"  # keep in step with pyproject.toml (tests/test_version.py checks)


def open_store(path: str | None = None) -> Engine:
    """An :class:`Engine` on the store at ``path`` (default: ``$VESSELWATCH_STORE``)."""
    return Engine(path)


__all__ = [
    "Engine",
    "IngestReport",
    "InputError",
    "StoreError",
    "StrictModeError",
    "VesselwatchError",
    "__version__",
    "open_store",
]
