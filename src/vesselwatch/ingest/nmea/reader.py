"""Read NMEA 0183 AIS from a byte stream in bounded chunks, yielding canonical batches.

The hot path is NumPy over whole chunks: no Python object per sentence or message. Python
loops run only over reject lines (to keep their original text) and over the few message
types and payload lengths.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.errors import StrictModeError
from vesselwatch.ingest.batch import Batch, quarantine_table
from vesselwatch.ingest.nmea import _payload  # type: ignore[attr-defined]
from vesselwatch.ingest.nmea import decode as dec
from vesselwatch.ingest.nmea.assemble import (
    PGHP_LOOKBACK,
    TS_SOURCES,
    Messages,
    build_messages,
    reassemble,
)
from vesselwatch.ingest.nmea.framing import (
    EMPTY,
    OTHER_NMEA,
    PGHP,
    REASONS,
    REJECT,
    Lines,
    parse,
)
from vesselwatch.ingest.nmea.scan import ranges_to_arrow
from vesselwatch.ingest.nmea.tables import position_table, report_table
from vesselwatch.model.schema import TS_MAX_US, TS_MIN_US, RejectReason, Skip

DEFAULT_CHUNK_BYTES = 32 * 1024 * 1024
DEFAULT_WINDOW_LINES = 200
# a line longer than this is cut into pieces (each a line_too_long reject), so positions
# inside a chunk always fit in 32 bits
MAX_LINE_READ = 64 * 1024 * 1024

NO_TIME_HINT = "no tag-block c:, no $PGHP and no trailing time; pass --reference-time"


def read_nmea(
    stream: IO[bytes],
    source_id: str,
    *,
    path: str = "<stream>",
    reference_us: int | None = None,
    strict: bool = False,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    window_lines: int = DEFAULT_WINDOW_LINES,
) -> Iterator[Batch]:
    """Decode every line of ``stream``; yield one :class:`Batch` per chunk.

    ``reference_us`` (microseconds since the epoch) is the time given to sentences that
    carry no clock of their own; without it such sentences are rejects.
    """
    carry = b""
    carry_numbers = np.zeros(0, dtype=np.int64)
    next_number = 1
    while True:
        block = stream.read(chunk_bytes)
        final = not block
        if final and not carry:
            return
        # the chunk: carried lines, the block, the rest of its last line (up to a cap),
        # and a newline at the very end, in one copy at most
        parts = [part for part in (carry, block) if part]
        taken = len(block)
        if block and not block.endswith(b"\n"):
            rest = stream.readline(MAX_LINE_READ)
            taken += len(rest)
            parts.append(rest)
        if not parts[-1].endswith(b"\n"):
            parts.append(b"\n")
        data = b"".join(parts) if len(parts) > 1 else parts[0]
        batch, deferred, read = _decode_chunk(
            np.frombuffer(data, dtype=np.uint8), carry_numbers, next_number, source_id,
            reference_us, window_lines, final,
        )
        next_number += read
        batch.bytes_read = taken
        if strict and batch.rejects.num_rows:
            _raise_first(batch.rejects, path)
        carry, carry_numbers = deferred
        yield batch
        if final:
            return


def _raise_first(rejects: pa.Table, path: str) -> None:
    lines = rejects.column("source_line").to_numpy()
    i = int(np.argmin(lines))
    row = rejects.slice(i, 1).to_pylist()[0]
    raise StrictModeError(path, int(row["source_line"]), row["reason"], row["raw"] or "",
                          row["detail"] or "")


def _decode_chunk(
    buf: np.ndarray, carry_numbers: np.ndarray, next_number: int, source_id: str,
    reference_us: int | None, window: int, final: bool,
) -> tuple[Batch, tuple[bytes, np.ndarray], int]:
    """Decode one chunk: the carried lines first (with their own numbers), then new ones."""
    lines = parse(buf)
    n = len(lines)
    read = n - len(carry_numbers)
    numbers = np.concatenate([carry_numbers, np.arange(next_number, next_number + read)])
    parts, nparts, orphans, open_ = reassemble(lines, window, numbers)
    deferred = np.zeros(n, dtype=bool)
    if not final:
        # fragments that a line of the next chunk may still complete: open, and within the
        # window of the next line (line distances count input lines, not buffer lines)
        near_end = numbers[orphans] >= numbers[-1] + 1 - window
        deferred[orphans[open_ & near_end]] = True
        # a $PGHP near the end may belong to a sentence of the next chunk, and the $PGHP
        # before a deferred fragment must travel with it
        tail = np.arange(max(n - PGHP_LOOKBACK, 0), n)
        deferred[tail[lines.kind[tail] == PGHP]] = True
        for d in range(1, PGHP_LOOKBACK + 1):
            prev = np.flatnonzero(deferred) - d
            prev = prev[prev >= 0]
            deferred[prev[lines.kind[prev] == PGHP]] = True
        orphans = orphans[~deferred[orphans]]
    msgs = build_messages(lines, parts, nparts, reference_us, numbers)
    batch = Batch()
    reject_lines: list[np.ndarray] = []
    reject_reasons: list[np.ndarray] = []
    reject_details: list[np.ndarray] = []

    # line-level verdicts
    kinds = lines.kind
    live = ~deferred
    batch.skipped[Skip.EMPTY_LINE.value] += int(np.sum((kinds == EMPTY) & live))
    batch.skipped[Skip.NON_AIS_SENTENCE.value] += int(np.sum((kinds == OTHER_NMEA) & live))
    batch.skipped[Skip.TIME_SENTENCE.value] += int(np.sum((kinds == PGHP) & live))
    bad = np.flatnonzero((kinds == REJECT) & live)
    reject_lines.append(bad)
    reject_reasons.append(np.array(REASONS, dtype=object)[lines.reason[bad]])
    reject_details.append(np.full(len(bad), None, dtype=object))
    reject_lines.append(orphans)
    reject_reasons.append(np.full(len(orphans), RejectReason.ORPHAN_FRAGMENT.value, dtype=object))
    reject_details.append(np.full(len(orphans), None, dtype=object))

    fields = _payload.decode_payloads(msgs.six, msgs.ascii, msgs.start, msgs.nchars, msgs.fill)
    outcome = _message_outcomes(msgs, fields, batch)
    positions, reports, rej_idx, rej_reason, rej_detail = outcome
    batch.parts_joined = int(np.sum(msgs.nparts - 1))

    station = pc.dictionary_encode(ranges_to_arrow(lines.buf, msgs.station_start, msgs.station_end))
    common = _common_columns(lines, msgs, numbers, source_id, station, fields)
    batch.positions, pos_bad = position_table(fields, positions, common)
    batch.vessel_reports = report_table(fields, reports, common)
    rej_idx = np.concatenate([rej_idx, pos_bad[0]])
    rej_reason = np.concatenate([rej_reason, pos_bad[1]])
    rej_detail = np.concatenate([rej_detail, np.full(len(pos_bad[0]), None, dtype=object)])

    # message rejects: point at part 1, keep every part's text
    msg_lines = msgs.first_line[rej_idx]
    raw_msgs = _message_raw(buf, lines, msgs, rej_idx)
    all_lines = np.concatenate(reject_lines)
    raw_lines = [_line_bytes(buf, lines, int(i)) for i in all_lines]
    batch.rejects = quarantine_table(
        source_id,
        np.concatenate([numbers[all_lines], numbers[msg_lines]]),
        list(np.concatenate(reject_reasons + [rej_reason])),
        raw_lines + raw_msgs,
        list(np.concatenate(reject_details + [rej_detail])),
    )
    batch.lines = int(np.sum(live))
    carry = b"".join(_line_bytes(buf, lines, int(i)) + b"\n" for i in np.flatnonzero(deferred))
    return batch, (carry, numbers[deferred]), read


def _message_outcomes(msgs: Messages, fields: dict[str, np.ndarray], batch: Batch
                      ) -> tuple[np.ndarray, ...]:
    """Sort messages into positions, vessel reports, skips and rejects."""
    msg_type = fields["msg_type"]
    n = len(msgs)
    # verdict codes: 0 fine, 1 skipped, 2 + i the i-th reject reason of _VERDICTS
    verdict = np.zeros(n, dtype=np.int8)

    def mark(mask: np.ndarray, code: int) -> None:
        verdict[mask & (verdict == 0)] = code

    def reject(mask: np.ndarray, why: RejectReason) -> None:
        mark(mask, 2 + _VERDICTS.index(why))

    empty = msgs.nchars == 0
    batch.skipped[Skip.EMPTY_PAYLOAD.value] += int(empty.sum())
    mark(empty, 1)
    reject(fields["bad_chars"], RejectReason.BAD_PAYLOAD)
    reject((msg_type == 0) | (msg_type > 27), RejectReason.UNKNOWN_MSG_TYPE)
    other = ~_HANDLED[np.clip(msg_type, 0, 63)] & (verdict == 0)
    batch.skipped[Skip.OTHER_MSG_TYPE.value] += int(other.sum())
    mark(other, 1)
    reject(fields["nbits"] < _MIN_BITS[np.clip(msg_type, 0, 63)], RejectReason.TRUNCATED_PAYLOAD)
    # type 24 has parts A (0) and B (1) only; 2 and 3 carry no defined fields
    reject((msg_type == 24) & (fields["part"] > 1), RejectReason.BAD_VALUE)
    reject(msgs.ts < 0, RejectReason.NO_TIMESTAMP)
    reject((msgs.ts < TS_MIN_US) | (msgs.ts >= TS_MAX_US), RejectReason.BAD_TIME)
    reject(fields["mmsi"] > 999_999_999, RejectReason.BAD_MMSI)
    ok = verdict == 0
    rej = np.flatnonzero(verdict >= 2)
    positions = np.flatnonzero(ok & _IS_POSITION[np.clip(msg_type, 0, 63)])
    reports = np.flatnonzero(ok & _IS_REPORT[np.clip(msg_type, 0, 63)])
    reasons = np.array([r.value for r in _VERDICTS], dtype=object)[verdict[rej] - 2]
    details = np.full(len(rej), None, dtype=object)
    details[reasons == RejectReason.NO_TIMESTAMP.value] = NO_TIME_HINT
    return positions, reports, rej, reasons, details


_VERDICTS = list(RejectReason)


_HANDLED = np.isin(np.arange(64), list(dec.MIN_BITS))
_IS_POSITION = np.isin(np.arange(64), dec.POSITION_TYPES)
_IS_REPORT = np.isin(np.arange(64), dec.REPORT_TYPES)
_MIN_BITS = np.maximum(np.array([dec.MIN_BITS.get(t, 0) for t in range(64)]), 38)


def _common_columns(lines: Lines, msgs: Messages, numbers: np.ndarray, source_id: str,
                    station: pa.Array, fields: dict[str, np.ndarray]) -> dict[str, object]:
    channel = lines.channel[msgs.first_line]
    return {
        "ts": msgs.ts,
        "ts_source": msgs.ts_source,
        "ts_sources": pa.array(TS_SOURCES, pa.string()),
        "received_ts": msgs.received_ts,
        "station": station,
        "channel": channel,
        "source_id": source_id,
        "source_line": numbers[msgs.first_line],
        "msg_hash": fields["msg_hash"],
    }


def _line_bytes(buf: np.ndarray, lines: Lines, i: int) -> bytes:
    return bytes(buf[lines.start[i] : lines.end[i]])


def _message_raw(buf: np.ndarray, lines: Lines, msgs: Messages, rows: np.ndarray) -> list[bytes]:
    out: list[bytes] = []
    for r in rows.tolist():
        b = int(msgs.part_begin[r])
        part_lines = msgs.parts[b : b + int(msgs.nparts[r])].tolist()
        out.append(b"\n".join(_line_bytes(buf, lines, i) for i in part_lines))
    return out
