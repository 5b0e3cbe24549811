"""What every writer of the simulator shares: the damage and duplicates it chooses, the
order it writes lines in, the report of what it did, and writing bytes to disk.

Every writer orders its output by (``ts``, positions before statics, input row), spoils a
``corrupt_share`` of the messages (rows) in ways whose quarantine reason in ``vesselwatch
ingest`` is known, repeats a ``duplicate_share`` of the others exactly a few lines later (as
merged feeds do), and reports precisely what it did (:class:`OutputReport`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.errors import InputError
from vesselwatch.model.schema import RejectReason
from vesselwatch.simulate import encode as enc

__all__ = ["CORRUPT_SCHEMA", "IMPOSSIBLE_LAT", "OutputReport", "arrange", "cannot_write",
           "check_shares", "choose", "corrupt_table", "duplicates", "repeats", "substitute",
           "write_bytes", "write_corrupt"]

I64 = npt.NDArray[np.int64]
IMPOSSIBLE_LAT = 95.0
MAX_DUPLICATE_OFFSET = 5  # a duplicate stands 1..5 lines after its original

CORRUPT_SCHEMA = pa.schema([
    pa.field("line", pa.int64(), nullable=False),  # as the reader's quarantine source_line
    pa.field("kind", pa.string(), nullable=False),
    pa.field("reason", pa.string(), nullable=False),  # a RejectReason value
    pa.field("mmsi", pa.uint32()),  # of the original message
    pa.field("ts", pa.timestamp("us", tz="UTC")),
])



@dataclass(frozen=True)
class OutputReport:
    """What a writer wrote.

    ``lines``: lines (NMEA) or data rows (CSV without its header, Parquet) written, damaged
    and duplicate ones included. ``messages``: distinct messages (NMEA: a type 24 row is two,
    parts A and B) or rows before duplicates. ``duplicates``: extra exact copies written
    (each one message). ``identical``: undamaged messages equal in the store's duplicate key
    (mmsi, ts, payload or row values) to an earlier one, e.g. one message heard by two
    stations: the store keeps one of them, so ingest counts ``duplicates + identical``
    duplicates. ``corrupt``: one row per damaged message (:data:`CORRUPT_SCHEMA`), by line.
    """

    paths: tuple[Path, ...]
    format: str
    lines: int
    messages: int
    duplicates: int
    identical: int
    corrupt: pa.Table




def check_shares(corrupt_share: float, duplicate_share: float) -> None:
    for name, v in (("corrupt_share", corrupt_share), ("duplicate_share", duplicate_share)):
        if not 0.0 <= v <= 1.0:
            raise InputError(f"output {name}={v!r} is not a share of the messages; give a "
                             "number from 0 to 1, e.g. 0.001")


def choose(rng: np.random.Generator, n: int, share: float,
            pools: dict[str, I64]) -> tuple[I64, I64]:
    """``round(share * n)`` messages spread evenly over the kinds, each from its pool.

    Returns (message index, kind index into ``pools``), no message twice. A kind whose pool
    runs short leaves its quota to the kinds after it (then before it).
    """
    want = round(share * n)
    names = list(pools)
    taken = np.zeros(n, dtype=bool)
    picked: list[I64] = []
    kinds: list[I64] = []
    left = want
    for rnd in range(2):
        for k, name in enumerate(names):
            quota = left // (len(names) - k) if rnd == 0 else left
            pool = pools[name][~taken[pools[name]]]
            got = rng.choice(pool, size=min(quota, len(pool)), replace=False) if quota else pool[:0]
            taken[got] = True
            picked.append(np.sort(got).astype(np.int64))
            kinds.append(np.full(len(got), k, dtype=np.int64))
            left -= len(got)
    return np.concatenate(picked), np.concatenate(kinds)


def duplicates(rng: np.random.Generator, n: int, share: float, spoilt: I64) -> tuple[I64, I64]:
    """Messages to repeat (never a damaged one) and how many lines after them."""
    ok = np.ones(n, dtype=bool)
    ok[spoilt] = False
    pool = np.flatnonzero(ok)
    want = min(round(share * n), len(pool))
    dup = np.sort(rng.choice(pool, size=want, replace=False)).astype(np.int64)
    return dup, rng.integers(1, MAX_DUPLICATE_OFFSET + 1, size=want).astype(np.int64)


def arrange(nparts: I64, dup: I64, offset: I64, removed: I64) -> tuple[I64, I64, I64]:
    """The order of the output lines.

    Base lines are every message's parts, message after message. Each duplicate message
    (all its parts) goes ``offset`` lines after its last line, never between the parts of
    another message; the ``removed`` base lines are left out. Returns (the base line each
    output line copies, each base line's 0-based output line or -1, each message's first
    base line).
    """
    n_base = int(nparts.sum())
    first = (np.cumsum(nparts) - nparts).astype(np.int64)
    last_of = np.repeat(first + nparts - 1, nparts)
    anchor = last_of[np.minimum(first[dup] + nparts[dup] - 1 + offset, n_base - 1)] \
        if len(dup) else np.zeros(0, np.int64)
    dn = nparts[dup]
    copies = np.repeat(first[dup], dn) + _ramp(dn)
    key = np.concatenate([np.arange(n_base), np.repeat(anchor, dn)])
    rank = np.concatenate([np.zeros(n_base, np.int64), 1 + np.repeat(np.arange(len(dup)), dn)])
    part = np.concatenate([np.zeros(n_base, np.int64), _ramp(dn)])
    order = np.lexsort((part, rank, key))
    take = np.concatenate([np.arange(n_base), copies])[order]
    original = (order < n_base) & ~np.isin(np.concatenate([np.arange(n_base), copies]),
                                           removed)[order]
    keep = original | (order >= n_base)
    take, original = take[keep], original[keep]
    where = np.full(n_base, -1, dtype=np.int64)
    where[take[original]] = np.flatnonzero(original)
    return take.astype(np.int64), where, first


def _ramp(counts: I64) -> I64:
    """0..c-1 for every count c, concatenated."""
    total = int(counts.sum())
    return (np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)).astype(np.int64)


def corrupt_table(lines: I64, kinds: I64, names: dict[str, RejectReason],
                   mmsi: npt.ArrayLike, ts_s: I64) -> pa.Table:
    keys = list(names)
    t = pa.table({
        "line": pa.array(lines, pa.int64()),
        "kind": pa.array([keys[k] for k in kinds.tolist()], pa.string()),
        "reason": pa.array([names[keys[k]].value for k in kinds.tolist()], pa.string()),
        "mmsi": pa.array(np.asarray(mmsi, dtype=np.int64), pa.uint32()),
        "ts": pa.array(ts_s * 1_000_000, pa.int64()).cast(CORRUPT_SCHEMA.field("ts").type),
    }, schema=CORRUPT_SCHEMA)
    return t.sort_by("line")


def repeats(keys: list[npt.NDArray[Any]], keep: npt.NDArray[np.bool_]) -> int:
    """How many of the ``keep`` rows equal an earlier one in every key column.

    Rows are sorted by a 64-bit hash of their keys, then neighbours compared column by
    column: exact unless two different keys share a hash and interleave (odds ~n²/2⁶⁴).
    """
    cols = [np.asarray(k)[keep].astype(np.uint64) for k in keys]
    if not len(cols[0]):
        return 0
    h = np.zeros(len(cols[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in cols:  # splitmix64-style mixing of each column into the hash
            h = (h ^ c) * np.uint64(0x9E3779B97F4A7C15)
            h ^= h >> np.uint64(31)
    order = np.argsort(h, kind="stable")
    same = h[order][1:] == h[order][:-1]
    for c in cols:
        s = c[order]
        same &= s[1:] == s[:-1]
    return int(same.sum())


def cannot_write(path: Path, exc: OSError) -> InputError:
    why = exc.strerror or str(exc)
    return InputError(f"{path}: cannot be written ({why}); check that its folder exists and "
                      "is writable")


def write_bytes(path: Path, head: bytes, lines: pa.Array) -> None:
    """``head`` then the strings of ``lines`` (each ending with a newline), in one write."""
    lines = pc.cast(lines, enc.TEXT)
    offsets = np.frombuffer(lines.buffers()[1], np.int64, len(lines) + 1, lines.offset * 8)
    data = lines.buffers()[2]
    try:
        with path.open("wb") as f:
            f.write(head)
            if len(lines) and data is not None:
                f.write(memoryview(data)[int(offsets[0]) : int(offsets[-1])])
    except OSError as exc:
        raise cannot_write(path, exc) from None


def write_corrupt(corrupt: pa.Table, path: str | os.PathLike[str]) -> Path:
    """``corrupt`` (:data:`CORRUPT_SCHEMA`) as JSON Lines, times as ISO 8601 UTC."""
    p = Path(path)
    rows = corrupt.to_pylist()
    for row in rows:
        ts = row["ts"]
        row["ts"] = None if ts is None else ts.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = "".join(json.dumps(row) + "\n" for row in rows)
    try:
        p.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise cannot_write(p, exc) from None
    return p



def substitute(lines: pa.Array, take: I64, patched: dict[int, str]) -> pa.Array:
    """``lines`` taken at ``take``, with the ``patched`` ones replaced; each ends in ``\\n``."""
    at = np.array(sorted(patched), dtype=np.int64)
    slot = np.full(len(lines), -1, dtype=np.int64)
    slot[at] = np.arange(len(at))
    pool = pa.concat_arrays([pc.cast(lines, enc.TEXT),
                             pa.array([patched[i] for i in at.tolist()], enc.TEXT)])
    idx = np.where(slot[take] >= 0, len(lines) + slot[take], take) if len(take) else take
    return enc.join(pool.take(pa.array(idx, pa.int64())), "\n")
