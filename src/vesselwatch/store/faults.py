"""A seam for crash-safety tests.

The writer calls :func:`checkpoint` at each step of a commit. It does nothing; the crash
tests replace it in a child process with one that kills the process at a named step, to
prove that a store survives an ingest killed at any moment.
"""

from __future__ import annotations

STEPS = (
    "staged",  # after rows were flushed to the staging directory
    "partition_written",  # after each data file was written to its final place
    "files_written",  # all data files written and fsynced, manifest not yet touched
    "manifest_temp_written",  # new manifest written beside the old one, not yet replaced
    "manifest_replaced",  # the commit point has passed; staging not yet removed
)


def checkpoint(step: str) -> None:
    """Called by the writer at ``step``; a no-op outside tests."""
