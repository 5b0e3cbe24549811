"""Read Parquet files holding canonical position columns into canonical batches.

The file needs at least ``mmsi``, ``ts``, ``lat`` and ``lon`` (names as in
:data:`vesselwatch.model.schema.POSITIONS`); any other canonical column it has is used, the
rest are null. Columns stored as text are read like CSV text. Rows go through the same
validation as CSV rows; ``source_line`` is the 1-based row number in the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vesselwatch.errors import InputError
from vesselwatch.ingest.assemble import Parsed, assemble
from vesselwatch.ingest.batch import Batch
from vesselwatch.ingest.columns import BAD_REASON, read_column, to_numpy_bool
from vesselwatch.ingest.csv_profile import COLUMN_KINDS, POSITION_KEY, CsvProfile
from vesselwatch.model.schema import POSITIONS, TS, TsSource

__all__ = ["read_parquet"]

_TEXT_PROFILE = CsvProfile(name="parquet", columns={})
_MMSI_MAX = 999_999_999
# Canonical columns taken over as they are (cast to the canonical type).
_CARRIED = ("received_ts", "msg_type", "position_accuracy", "channel", "ts_source", "msg_hash")


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _is_text(t.value_type)
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _wrong_type(path: Path, col: str, t: pa.DataType, expected: str) -> InputError:
    return InputError(
        f"{path}: column {col!r} has type {t}; expected {expected}; "
        "convert it or rename the column so it is not read as canonical"
    )


def _typed(path: Path, col: str, a: pa.Array) -> tuple[pa.Array, npt.NDArray[np.bool_] | None]:
    """A non-text canonical column in its wide type, and the mask of bad values."""
    kind = COLUMN_KINDS[col]
    t = a.type
    if kind in ("time", "static_time"):
        if not pa.types.is_timestamp(t):
            raise _wrong_type(path, col, t, "a timestamp (or ISO 8601 text)")
        ts = (
            pc.cast(a, pa.timestamp("us", tz=t.tz))
            if t.tz
            else pc.assume_timezone(pc.cast(a, pa.timestamp("us")), timezone="UTC")
        )
        return pc.cast(ts, TS), None
    if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)):
        if kind == "text":
            return pc.cast(a, pa.string()), None
        raise _wrong_type(path, col, t, "a number (or numeric text)")
    x = pc.cast(a, pa.float64())
    if kind != "mmsi":
        return x, None
    v = np.asarray(pc.fill_null(x, -1.0).to_numpy(zero_copy_only=False), dtype=np.float64)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(v) & (v >= 0) & (v <= _MMSI_MAX) & (v == np.floor(v))
    return pa.array(np.where(ok, v, 0).astype(np.int64), mask=~ok), ~ok


def _carried(path: Path, col: str, a: pa.Array) -> pa.Array:
    target = (
        TS
        if col == "received_ts"
        else pa.uint64()
        if col == "msg_hash"
        else POSITIONS.field(col).type
    )
    try:
        if col == "received_ts" and pa.types.is_timestamp(a.type) and not a.type.tz:
            a = pc.assume_timezone(pc.cast(a, pa.timestamp("us")), timezone="UTC")
        return pc.cast(a, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _wrong_type(path, col, a.type, str(target)) from None


class _RawRows:
    """The original values of rejected rows, as one JSON object per row (cold path)."""

    def __init__(self, rb: pa.RecordBatch) -> None:
        self._rb = rb

    def __call__(self, idx: npt.NDArray[np.int64]) -> list[str]:
        if len(idx) == 0:
            return []
        rows = self._rb.take(pa.array(idx)).to_pylist()
        return [json.dumps(r, default=str, ensure_ascii=False) for r in rows]


def _parse(path: Path, rb: pa.RecordBatch, first_line: int) -> tuple[Parsed, dict[str, pa.Array]]:
    n = rb.num_rows
    reasons = np.full(n, "", dtype=object)
    details = np.full(n, None, dtype=object)
    columns: dict[str, pa.Array] = {}
    carried: dict[str, pa.Array] = {}
    for col in rb.schema.names:
        a = rb.column(col)
        if col in _CARRIED:
            carried[col] = _carried(path, col, a)
            continue
        if col not in COLUMN_KINDS:
            continue
        if _is_text(a.type):
            values, bad = read_column(col, pc.cast(a, pa.string()), _TEXT_PROFILE)
        else:
            values, bad = _typed(path, col, a)
        if col in POSITION_KEY:
            missing = ~to_numpy_bool(pc.is_valid(values))
            bad = missing if bad is None else (bad | missing)
        columns[col] = values
        if bad is not None and bad.any() and COLUMN_KINDS[col] in BAD_REASON:
            fresh = np.flatnonzero(bad & (reasons == ""))
            shown = a.take(pa.array(fresh)).to_pylist()
            reasons[fresh] = BAD_REASON[COLUMN_KINDS[col]].value
            details[fresh] = [f"{col}={v!r}: not a valid {col}" for v in shown]
    columns.update({c: v for c, v in carried.items() if c not in ("ts_source", "msg_hash")})
    lines = np.arange(first_line, first_line + n, dtype=np.int64)
    names = {c: c for c in columns}
    return Parsed(columns, lines, reasons, details, _RawRows(rb), names), carried


def _open(path: Path) -> pq.ParquetFile:
    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); check the file") from None
    if magic != b"PAR1":
        raise InputError(
            f"{path}: not a Parquet file (starts with {magic!r}, expected b'PAR1'); "
            "for CSV or NMEA use the matching reader"
        )
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: damaged Parquet file ({exc}); write it again") from None


def read_parquet(
    path: str | Path,
    source_id: str,
    *,
    batch_rows: int = 500_000,
    strict: bool = False,
) -> Iterator[Batch]:
    """Canonical batches from a Parquet file of position columns.

    Raises :class:`InputError` when the file is missing, not Parquet, lacks one of ``mmsi``,
    ``ts``, ``lat``, ``lon`` or has a column of an impossible type; and
    :class:`StrictModeError` at the first bad row if ``strict``.
    """
    p = Path(path)
    pf = _open(p)
    names = pf.schema_arrow.names
    missing = [c for c in POSITION_KEY if c not in names]
    if missing:
        raise InputError(
            f"{p}: lacks the required columns {missing}; found {names}; expected canonical "
            "position columns (at least mmsi, ts, lat, lon): rename the columns or read it as CSV"
        )
    wanted = [c for c in names if c in COLUMN_KINDS or c in _CARRIED]
    total_rows = max(pf.metadata.num_rows, 1)
    size = p.stat().st_size
    line = 1
    yielded = False
    for rb in pf.iter_batches(batch_size=batch_rows, columns=wanted):
        yield _batch(p, rb, line, source_id, strict, size * rb.num_rows // total_rows)
        line += rb.num_rows
        yielded = True
    if not yielded:
        yield Batch()


def _batch(
    path: Path, rb: pa.RecordBatch, line: int, source_id: str, strict: bool, size: int
) -> Batch:
    parsed, carried = _parse(path, rb, line)
    out = assemble(
        parsed,
        source_id=source_id,
        path=path,
        ts_source=carried.get("ts_source", TsSource.PARQUET.value),
        strict=strict,
        given_hash=carried.get("msg_hash"),
    )
    return Batch(
        positions=out.positions,
        vessel_reports=out.vessel_reports,
        rejects=out.rejects,
        skipped=out.skipped,
        lines=rb.num_rows,
        bytes_read=size,
    )
