"""Screening hits to CSV or Parquet (the ``SCREENING_HITS`` schema; ``matched`` stays JSON
text in both, one list of matched features per hit)."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from vesselwatch.export.positions import _iso_times

HIT_FORMATS = ("csv", "parquet")


def write_hits(table: pa.Table, fmt: str, dest: str | Path | None) -> None:
    """Write ``table`` as CSV (to standard output when ``dest`` is None) or Parquet."""
    if fmt == "parquet":
        if dest is None:
            raise ValueError("Parquet needs a file")
        pq.write_table(table, dest, compression="zstd")
        return
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(HIT_FORMATS)}")
    flat = _iso_times(table)
    if dest is None:
        pacsv.write_csv(flat, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        pacsv.write_csv(flat, dest)
