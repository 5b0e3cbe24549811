"""Turn outside bytes into canonical tables: NMEA, CSV profiles, Parquet.

:func:`read_file` picks the reader for a file; every reader yields :class:`Batch` objects
so memory stays bounded whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from vesselwatch.errors import InputError
from vesselwatch.ingest.batch import Batch
from vesselwatch.ingest.sources import FORMATS, open_input, sniff_format

__all__ = ["FORMATS", "Batch", "read_file", "resolve_format"]


def resolve_format(path: str | Path, fmt: str = "auto", profile: str | Path | None = None) -> str:
    """The format to read ``path`` with: as given, or recognised from its first bytes."""
    if profile is not None and fmt in ("auto", "csv"):
        return "csv"
    if fmt == "auto":
        return sniff_format(path)
    if fmt not in FORMATS and fmt != "csv":
        raise InputError(
            f"{path}: unknown format {fmt!r}; use one of auto, {', '.join(FORMATS)}, "
            "or csv with a profile"
        )
    return fmt


def read_file(
    path: str | Path,
    source_id: str,
    fmt: str,
    *,
    reference_us: int | None = None,
    strict: bool = False,
    profile: str | Path | None = None,
) -> Iterator[Batch]:
    """Canonical batches of ``path`` read as ``fmt`` (see :func:`resolve_format`)."""
    # readers load on first use: a command that reads one format pays for that one alone
    if fmt == "nmea":
        from vesselwatch.ingest.nmea import read_nmea

        with open_input(path) as stream:
            yield from read_nmea(stream, source_id, path=str(path), reference_us=reference_us,
                                 strict=strict)
    elif fmt in ("noaa", "dma"):
        from vesselwatch.ingest.csv_reader import read_csv

        yield from read_csv(path, source_id, fmt, strict=strict)
    elif fmt == "csv":
        if profile is None:
            raise InputError(f"{path}: format csv needs a column-mapping profile (--profile FILE)")
        from vesselwatch.ingest.csv_reader import read_csv

        yield from read_csv(path, source_id, profile, strict=strict)
    elif fmt == "parquet":
        from vesselwatch.ingest.parquet_reader import read_parquet

        yield from read_parquet(path, source_id, strict=strict)
    else:
        raise InputError(f"{path}: unknown format {fmt!r}; use one of auto, {', '.join(FORMATS)}")
