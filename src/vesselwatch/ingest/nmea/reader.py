"""Read NMEA 0183 AIS from a byte stream in bounded chunks, yielding canonical batches.

Per chunk: one compiled pass takes the lines apart (``framing``), NumPy joins the few
multi-sentence messages (``assemble.reassemble``), and one compiled pass decodes every
message into the buffers of the table columns (``assemble.decode_messages``, ``tables``).
No Python object is made per sentence or message; Python loops run only over reject lines
(to keep their original text).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import numpy as np
import pyarrow as pa

from vesselwatch.errors import StrictModeError
from vesselwatch.ingest import validate
from vesselwatch.ingest.batch import Batch, quarantine_table
from vesselwatch.ingest.nmea import _payload  # type: ignore[attr-defined]
from vesselwatch.ingest.nmea.assemble import PGHP_LOOKBACK, Multi, decode_messages, reassemble
from vesselwatch.ingest.nmea.framing import (
    EMPTY,
    OTHER_NMEA,
    PGHP,
    REASONS,
    Lines,
    parse,
)
from vesselwatch.ingest.nmea.tables import position_table, report_table, stations
from vesselwatch.model.schema import RejectReason, Skip

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
    chunks = _ChunkReader(stream, chunk_bytes)
    spare: dict[str, np.ndarray] = {}  # the line arrays, reused from chunk to chunk
    while True:
        chunk = chunks.next(carry)
        if chunk is None:
            return
        buf, taken, final = chunk
        batch, deferred, read = _decode_chunk(
            buf, carry_numbers, next_number, source_id, reference_us, window_lines, final,
            spare,
        )
        next_number += read
        batch.bytes_read = taken
        if strict and batch.rejects.num_rows:
            _raise_first(batch.rejects, path)
        carry, carry_numbers = deferred
        yield batch
        if final:
            return


class _ChunkReader:
    """The chunks of a stream, each put together in one buffer that the next one reuses:
    the lines carried over, a block of ``chunk_bytes``, the rest of its last line (up to
    ``MAX_LINE_READ``) and a newline at the very end. Read with ``readinto`` where the
    stream has it, so a chunk is copied once and its pages are touched once per file."""

    def __init__(self, stream: IO[bytes], chunk_bytes: int) -> None:
        self.stream = stream
        self.chunk_bytes = chunk_bytes
        self.readinto = getattr(stream, "readinto", None)
        self.area = np.empty(0, dtype=np.uint8)

    def _room(self, size: int, keep: int) -> None:
        """Make the buffer hold ``size`` bytes, keeping its first ``keep``."""
        if len(self.area) < size:
            grown = np.empty(size + size // 16, dtype=np.uint8)
            grown[:keep] = self.area[:keep]
            self.area = grown

    def next(self, carry: bytes) -> tuple[np.ndarray, int, bool] | None:
        """The next chunk (a view of the buffer, valid until the next call), the bytes it
        took from the stream and whether the stream is at its end; ``None`` when done."""
        start = len(carry)
        self._room(start + self.chunk_bytes + 1, 0)
        self.area[:start] = np.frombuffer(carry, dtype=np.uint8)
        if self.readinto is not None:
            taken = int(self.readinto(self.area.data[start : start + self.chunk_bytes])
                        or 0)
        else:
            block = self.stream.read(self.chunk_bytes)
            taken = len(block)
            self.area[start : start + taken] = np.frombuffer(block, dtype=np.uint8)
        final = taken == 0
        if final and not carry:
            return None
        end = start + taken
        if taken and self.area[end - 1] != 10:
            rest = self.stream.readline(MAX_LINE_READ)
            taken += len(rest)
            self._room(end + len(rest) + 1, end)
            self.area[end : end + len(rest)] = np.frombuffer(rest, dtype=np.uint8)
            end += len(rest)
        if self.area[end - 1] != 10:
            self.area[end] = 10
            end += 1
        return self.area[:end], taken, final


def _raise_first(rejects: pa.Table, path: str) -> None:
    lines = rejects.column("source_line").to_numpy()
    i = int(np.argmin(lines))
    row = rejects.slice(i, 1).to_pylist()[0]
    raise StrictModeError(path, int(row["source_line"]), row["reason"], row["raw"] or "",
                          row["detail"] or "")


def _decode_chunk(
    buf: np.ndarray, carry_numbers: np.ndarray, next_number: int, source_id: str,
    reference_us: int | None, window: int, final: bool, spare: dict[str, np.ndarray],
) -> tuple[Batch, tuple[bytes, np.ndarray], int]:
    """Decode one chunk: the carried lines first (with their own numbers), then new ones."""
    lines = parse(buf, spare)
    n = len(lines)
    read = n - len(carry_numbers)
    numbers = _numbers(spare, carry_numbers, next_number, n)
    multi, orphans, open_ = reassemble(lines, window, numbers)
    deferred = np.zeros(0, dtype=np.int64)
    if not final:
        # fragments that a line of the next chunk may still complete: open, and within the
        # window of the next line (line distances count input lines, not buffer lines)
        flags = np.zeros(n, dtype=bool)
        near_end = numbers[orphans] >= numbers[-1] + 1 - window
        flags[orphans[open_ & near_end]] = True
        # a $PGHP near the end may belong to a sentence of the next chunk, and the $PGHP
        # before a deferred fragment must travel with it
        tail = np.arange(max(n - PGHP_LOOKBACK, 0), n)
        flags[tail[lines.kind[tail] == PGHP]] = True
        for d in range(1, PGHP_LOOKBACK + 1):
            prev = np.flatnonzero(flags) - d
            prev = prev[prev >= 0]
            flags[prev[lines.kind[prev] == PGHP]] = True
        deferred = np.flatnonzero(flags)
        orphans = orphans[~flags[orphans]]
    decoded = decode_messages(lines, multi, reference_us, numbers)
    batch = Batch()

    # line-level verdicts (only orphan fragments and $PGHP lines are ever deferred)
    live = lines.counts - np.bincount(lines.kind[deferred], minlength=len(lines.counts))
    batch.skipped[Skip.EMPTY_LINE.value] += int(live[EMPTY])
    batch.skipped[Skip.NON_AIS_SENTENCE.value] += int(live[OTHER_NMEA])
    batch.skipped[Skip.TIME_SENTENCE.value] += int(live[PGHP])
    batch.skipped[Skip.EMPTY_PAYLOAD.value] += int(decoded["empty_payload"])
    batch.skipped[Skip.OTHER_MSG_TYPE.value] += int(decoded["other_msg_type"])
    batch.parts_joined = int(np.sum(multi.nparts - 1))
    station_names = stations(decoded, buf)
    batch.positions = position_table(decoded, source_id, station_names)
    batch.vessel_reports = report_table(decoded, source_id, station_names)

    # rejects: bad lines, orphan fragments, then messages (verdicts, then position range
    # checks); a message points at part 1 and keeps every part's text
    bad = lines.rejects
    verdicts, problems = decoded["verdicts"], decoded["problems"]
    nrej, nprob = decoded["verdict_rows"], decoded["problem_rows"]
    msg_lines = np.concatenate([verdicts["line"][:nrej], problems["line"][:nprob]])
    msg_multi = np.concatenate([verdicts["multi"][:nrej], problems["multi"][:nprob]])
    reasons = np.concatenate([
        np.array(REASONS, dtype=object)[lines.reason[bad]],
        np.full(len(orphans), RejectReason.ORPHAN_FRAGMENT.value, dtype=object),
        _VERDICTS[verdicts["code"][:nrej]],
        np.asarray(validate.PROBLEMS, dtype=object)[problems["code"][:nprob]],
    ])
    details = np.full(len(reasons), None, dtype=object)
    details[reasons == RejectReason.NO_TIMESTAMP.value] = NO_TIME_HINT
    all_lines = np.concatenate([bad, orphans])
    batch.rejects = quarantine_table(
        source_id,
        np.concatenate([numbers[all_lines], numbers[msg_lines]]),
        list(reasons),
        [_line_bytes(buf, lines, int(i)) for i in all_lines]
        + _message_raw(buf, lines, multi, msg_lines, msg_multi),
        list(details),
    )
    batch.lines = n - len(deferred)
    carry = b"".join(_line_bytes(buf, lines, int(i)) + b"\n" for i in deferred)
    return batch, (carry, numbers[deferred]), read


# why the kernel quarantines a message, by its verdict code
_VERDICTS = np.array([RejectReason(r).value for r in _payload.VERDICTS], dtype=object)


def _numbers(spare: dict[str, np.ndarray], carry_numbers: np.ndarray, next_number: int,
             n: int) -> np.ndarray:
    """The input line number of each of the ``n`` lines of a chunk: the carried lines keep
    theirs, the others count on from ``next_number`` (in an array kept in ``spare``)."""
    if "numbers" not in spare or len(spare["numbers"]) < n:
        spare["numbers"] = np.empty(n + n // 8, dtype=np.int64)
        spare["steps"] = np.arange(n + n // 8, dtype=np.int64)
    numbers = spare["numbers"][:n]
    kept = len(carry_numbers)
    numbers[:kept] = carry_numbers
    np.add(spare["steps"][: n - kept], next_number, out=numbers[kept:])
    return numbers


def _line_bytes(buf: np.ndarray, lines: Lines, i: int) -> bytes:
    return bytes(buf[lines.start[i] : lines.end[i]])


def _message_raw(buf: np.ndarray, lines: Lines, multi: Multi, first: np.ndarray,
                 which: np.ndarray) -> list[bytes]:
    """The text of messages (``first``: line of part 1; ``which``: index into ``multi``, or
    -1 for a single sentence), parts joined by newlines."""
    out: list[bytes] = []
    for line, m in zip(first.tolist(), which.tolist()):
        if m < 0:
            out.append(_line_bytes(buf, lines, line))
            continue
        b = int(multi.begin[m])
        part_lines = multi.parts[b : b + int(multi.nparts[m])].tolist()
        out.append(b"\n".join(_line_bytes(buf, lines, i) for i in part_lines))
    return out
