"""Read AIS CSV exports (NOAA, DMA, any vendor with a profile) into canonical batches.

Streams with bounded memory: pyarrow's CSV reader reads every column as text, one
``batch_rows`` slice at a time, and each slice is parsed with Arrow compute kernels.

Every row ends in exactly one place: a position, a quarantined reject (reason, detail, the
row's text, its line), or a counted skip (blank rows, rows without a position fix). Static
columns become ``vessel_reports``: one row per vessel and static tuple at its first time in
the slice, and again whenever the tuple changes.

Quoting: values are split at the delimiter first; a value wrapped in double quotes loses
them, and a row whose quoted values hold the delimiter is re-read with :mod:`csv`. A quoted
value cannot span lines, so ``source_line`` is always the physical line (header = line 1).
"""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from vesselwatch.errors import InputError
from vesselwatch.ingest.assemble import Parsed, assemble
from vesselwatch.ingest.batch import Batch, quarantine_table
from vesselwatch.ingest.columns import BAD_REASON, read_column
from vesselwatch.ingest.csv_profile import (
    COLUMN_KINDS,
    POSITION_KEY,
    CsvProfile,
    load_profile,
    resolve_columns,
)
from vesselwatch.ingest.sources import Utf8Stream, open_input
from vesselwatch.model.schema import RejectReason, Skip, TsSource

__all__ = ["read_csv"]

log = logging.getLogger(__name__)

_BLOCK_BYTES = 4 << 20  # pyarrow reads this much text at a time
_KEY_REASON_ORDER = ("ts", "mmsi", "lat", "lon")  # which bad key value names a row's reason


class _Pending:
    """Rows pyarrow could not split into the header's field count, until their slice is cut."""

    def __init__(self, n_fields: int) -> None:
        self.n_fields = n_fields
        self.rows: list[tuple[int, str, int]] = []  # (line, text, fields found)

    def __call__(self, row: pv.InvalidRow) -> str:
        line = row.number + 1 if row.number is not None else 0  # + the header line
        self.rows.append((line, row.text, row.actual_columns))
        return "skip"

    def lines(self) -> npt.NDArray[np.int64]:
        return np.array(sorted(r[0] for r in self.rows), dtype=np.int64)

    def take_through(self, last: int | None) -> list[tuple[int, str, int]]:
        """Remove and return the rows at or before ``last`` (all rows when ``None``)."""
        mine = [r for r in self.rows if last is None or r[0] <= last]
        self.rows = [r for r in self.rows if not (last is None or r[0] <= last)]
        return sorted(mine)


def _data_lines(start: int, k: int, invalid: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Line numbers of ``k`` parsed rows from ``start`` on, stepping over the invalid lines."""
    ahead = invalid[invalid >= start]
    candidates = np.arange(start, start + k + len(ahead), dtype=np.int64)
    return candidates[~np.isin(candidates, ahead)][:k]


def _split_quoted(text: str, delimiter: str) -> list[str]:
    """Fields of one line read with CSV quoting, or ``[]`` when :mod:`csv` gives up on it."""
    try:
        return next(csv.reader([text], delimiter=delimiter), [])
    except csv.Error:  # e.g. a field over csv.field_size_limit()
        return []


def _header(stream: io.BufferedReader[Utf8Stream], path: Path, delimiter: str) -> list[str]:
    first = stream.readline()
    text = first.decode("utf-8", "replace").rstrip("\r\n")
    if not text.strip():
        raise InputError(
            f"{path}: the first line is empty; expected a CSV header naming the columns "
            "(e.g. MMSI,BaseDateTime,LAT,LON); remove leading blank lines"
        )
    names = _split_quoted(text, delimiter)
    if not names:
        raise InputError(f"{path}: cannot read the header line {text[:100]!r}; fix the file")
    return names


class _Slice:
    """One slice of the file: the parsed rows plus the rows pyarrow set aside."""

    def __init__(
        self,
        table: pa.Table,
        lines: npt.NDArray[np.int64],
        odd: list[tuple[int, str, int]],
        delimiter: str,
    ) -> None:
        n_fields = table.num_columns
        self.skipped: Counter[str] = Counter()
        recovered: list[list[str]] = []
        recovered_lines: list[int] = []
        self.recovered_text: list[str] = []
        bad_lines: list[int] = []
        bad_text: list[str] = []
        bad_detail: list[str | None] = []
        for line, text, found in odd:  # only the rows pyarrow could not split: rare
            if not text.strip():
                self.skipped[Skip.EMPTY_LINE.value] += 1
                continue
            fields = _split_quoted(text, delimiter) if '"' in text else []
            if len(fields) == n_fields:
                recovered.append(fields)
                recovered_lines.append(line)
                self.recovered_text.append(text)
                continue
            bad_lines.append(line)
            bad_text.append(text)
            bad_detail.append(f"expected {n_fields} fields, found {found}")
        self.ragged = (bad_lines, bad_text, bad_detail)
        origin = np.full(len(lines), -1, dtype=np.int64)  # index into recovered_text, or -1
        if recovered:
            extra = pa.table(
                [pa.array([r[i] for r in recovered], pa.string()) for i in range(n_fields)],
                names=table.column_names,
            )
            lines = np.concatenate([lines, np.array(recovered_lines, dtype=np.int64)])
            origin = np.concatenate([origin, np.arange(len(recovered), dtype=np.int64)])
            order = np.argsort(lines, kind="stable")  # back in file order
            table = pa.concat_tables([table, extra]).take(pa.array(order))
            lines, origin = lines[order], origin[order]
        length = np.zeros(table.num_rows, dtype=np.int64)
        for col in table.columns:
            length += np.asarray(pc.binary_length(col).to_numpy(zero_copy_only=False), np.int64)
        blank = length == 0
        if blank.any():
            self.skipped[Skip.EMPTY_LINE.value] += int(blank.sum())
        self.table = table.filter(pa.array(~blank)) if blank.any() else table
        self.lines = lines[~blank]
        self.origin = origin[~blank]
        self.delimiter = delimiter

    def raw(self, idx: npt.NDArray[np.int64]) -> list[str]:
        """The original text of rows ``idx`` (cold path: rejects only)."""
        if len(idx) == 0:
            return []
        rows = self.table.take(pa.array(idx))
        joined = pc.binary_join_element_wise(*rows.columns, self.delimiter).to_pylist()
        return [
            self.recovered_text[self.origin[i]] if self.origin[i] >= 0 else str(j)
            for i, j in zip(idx, joined)
        ]


def _parse(sl: _Slice, profile: CsvProfile, found: dict[str, int], names: list[str]) -> Parsed:
    n = sl.table.num_rows
    reasons = np.full(n, "", dtype=object)
    details = np.full(n, None, dtype=object)
    columns: dict[str, pa.Array] = {}
    source_names = {col: names[i] for col, i in found.items()}
    order = sorted(found, key=lambda c: _KEY_REASON_ORDER.index(c) if c in _KEY_REASON_ORDER else 9)
    for col in order:
        raw = sl.table.column(found[col]).combine_chunks()
        values, bad = read_column(col, raw, profile)
        if col in POSITION_KEY:
            bad = (bad if bad is not None else False) | ~np.asarray(
                pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool
            )
        columns[col] = values
        if bad is None or not bad.any():
            continue
        fresh = np.flatnonzero(bad & (reasons == ""))
        if len(fresh) == 0:
            continue
        reason = BAD_REASON[COLUMN_KINDS[col]]
        texts = pc.utf8_trim_whitespace(raw.take(pa.array(fresh))).to_pylist()
        reasons[fresh] = reason.value
        details[fresh] = [_why(source_names[col], t, col) for t in texts]
    return Parsed(columns, sl.lines, reasons, details, sl.raw, source_names)


def _why(name: str, text: str | None, col: str) -> str:
    if not text:
        return f"{name} is empty"
    what = {
        "mmsi": "not an MMSI (1-9 digits)",
        "time": "not a time in the profile's time_format",
        "coord": "not a number",
        "motion": "not a number",
    }[COLUMN_KINDS[col]]
    return f"{name}={text!r}: {what}"


def read_csv(
    path: str | Path,
    source_id: str,
    profile: CsvProfile | str | Path,
    *,
    batch_rows: int = 500_000,
    strict: bool = False,
) -> Iterator[Batch]:
    """Canonical batches from the CSV at ``path`` (plain, ``.gz`` or one-file ``.zip``).

    ``profile`` is a :class:`CsvProfile`, a built-in profile name (``"noaa"``, ``"dma"``) or a
    profile TOML path. Raises :class:`InputError` when the file cannot be read or lacks the
    profile's required columns, and :class:`StrictModeError` at the first bad row if ``strict``.
    """
    prof = profile if isinstance(profile, CsvProfile) else load_profile(profile)
    p = Path(path)
    source = Utf8Stream(open_input(p))
    with io.BufferedReader(source, buffer_size=1 << 20) as stream:
        header = _header(stream, p, prof.delimiter)
        found = resolve_columns(prof, header, p)
        yield from _batches(stream, source, p, source_id, prof, header, found, batch_rows, strict)


def _batches(
    stream: io.BufferedReader[Utf8Stream],
    source: Utf8Stream,
    path: Path,
    source_id: str,
    prof: CsvProfile,
    header: list[str],
    found: dict[str, int],
    batch_rows: int,
    strict: bool,
) -> Iterator[Batch]:
    if not stream.peek(1):  # a header and nothing else: pyarrow calls that an empty file
        yield Batch(bytes_read=source.bytes_read)
        return
    fields = [f"f{i}" for i in range(len(header))]
    pending = _Pending(len(header))
    reader = pv.open_csv(
        stream,
        read_options=pv.ReadOptions(
            column_names=fields, block_size=_BLOCK_BYTES, use_threads=False
        ),
        parse_options=pv.ParseOptions(
            delimiter=prof.delimiter,
            quote_char=False,
            double_quote=False,
            escape_char=False,
            newlines_in_values=False,
            ignore_empty_lines=False,
            invalid_row_handler=pending,
        ),
        convert_options=pv.ConvertOptions(
            column_types={f: pa.string() for f in fields},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    next_line = 2
    held = pa.Table.from_batches([], schema=reader.schema)
    last_bytes = 0
    yielded = False
    batches = iter(reader)
    eof = False
    while not eof:
        try:
            held = pa.concat_tables([held, pa.Table.from_batches([next(batches)])])
        except StopIteration:
            eof = True
        except pa.ArrowInvalid as exc:
            raise InputError(f"{path}: cannot read as CSV ({exc}); check the file") from None
        # cut slices of batch_rows rows; at the end of the file, the rest (even if empty)
        while held.num_rows >= batch_rows or (
            eof and (held.num_rows or not yielded or pending.rows)
        ):
            table, held = held.slice(0, batch_rows), held.slice(batch_rows)
            final = eof and held.num_rows == 0
            lines = _data_lines(next_line, table.num_rows, pending.lines())
            last = int(lines[-1]) if len(lines) else next_line - 1
            odd = pending.take_through(None if final else last)
            next_line = max(last, odd[-1][0] if odd else 0) + 1
            batch = _batch(table, lines, odd, path, source_id, prof, header, found, strict)
            batch.bytes_read = source.bytes_read - last_bytes
            last_bytes = source.bytes_read
            yielded = True
            yield batch
            if final:
                break


def _batch(
    table: pa.Table,
    lines: npt.NDArray[np.int64],
    odd: list[tuple[int, str, int]],
    path: Path,
    source_id: str,
    prof: CsvProfile,
    header: list[str],
    found: dict[str, int],
    strict: bool,
) -> Batch:
    sl = _Slice(table, lines, odd, prof.delimiter)
    bad_lines, bad_text, bad_detail = sl.ragged
    ragged = quarantine_table(
        source_id,
        np.array(bad_lines, dtype=np.int64),
        [RejectReason.BAD_FORMAT.value] * len(bad_lines),
        bad_text,
        bad_detail,
    )
    parsed = _parse(sl, prof, found, header)
    out = assemble(
        parsed,
        source_id=source_id,
        path=path,
        ts_source=TsSource.CSV.value,
        strict=strict,
        extra_rejects=ragged,
    )
    skipped = sl.skipped + out.skipped
    lines_total = table.num_rows + len(odd)
    log.debug("%s: %d rows, %d rejects", path, lines_total, out.rejects.num_rows)
    return Batch(
        positions=out.positions,
        vessel_reports=out.vessel_reports,
        rejects=out.rejects,
        skipped=skipped,
        lines=lines_total,
    )
