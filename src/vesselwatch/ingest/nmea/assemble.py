"""Join multi-sentence AIS messages, then decode every message of a buffer.

Fragments are keyed by (tag-block group id) where a tag block names a group, else by
(tag-block station, sequence id, channel). Within a key, fragments are taken in line order
and a message is complete when parts 1..N follow each other with the same total, all within
``window`` lines of the first part: other sentences may stand between them, and a key that
is reused (satellite feeds reuse sequence ids within seconds) starts a new message at its
next part 1. Fragments that never complete are orphans. This is NumPy over the fragments
only (the sentences of multi-sentence messages, a few in a thousand).

Every single-sentence AIS line is a message of its own; those and the joined ones go, in
line order, through the compiled ``_payload.decode_messages``, which binds clocks, decides
each message's verdict and writes the rows of the tables (see :func:`decode_messages`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from vesselwatch.ingest.nmea import _payload  # type: ignore[attr-defined]
from vesselwatch.ingest.nmea.decode import TYPE_TABLE
from vesselwatch.ingest.nmea.framing import Lines
from vesselwatch.ingest.nmea.scan import take
from vesselwatch.model.mmsi import ALLOWED_KINDS, MID_ALLOCATED
from vesselwatch.model.schema import TS_MAX_US, TS_MIN_US, TsSource

_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)

TS_SOURCES: list[str] = [TsSource.TAG_BLOCK.value, TsSource.PGHP.value,
                         TsSource.TRAILING.value, TsSource.REFERENCE.value]
PGHP_LOOKBACK = 3  # a $PGHP sentence stands at most this many lines before its AIS sentence


@dataclass
class Multi:
    """The multi-sentence messages of a buffer, in order of their first line."""

    first: np.ndarray  # line index of part 1
    parts: np.ndarray  # line indices of every message's parts, message after message
    nparts: np.ndarray
    begin: np.ndarray  # where each message's parts begin in ``parts``

    def __len__(self) -> int:
        return len(self.first)


def _no_multi() -> Multi:
    none = np.zeros(0, dtype=np.int64)
    return Multi(none, none, none, none)


def _fnv_ranges(buf: np.ndarray, a: np.ndarray, b: np.ndarray, max_len: int = 32) -> np.ndarray:
    h = np.full(len(a), _FNV_OFFSET, dtype=np.uint64)
    width = np.minimum(b - a, max_len)
    with np.errstate(over="ignore"):
        for j in range(int(width.max()) if len(a) else 0):
            live = width > j
            mixed = (h ^ take(buf, a + j).astype(np.uint64)) * _FNV_PRIME
            h = np.where(live, mixed, h)
    return h


def fragment_key(lines: Lines, idx: np.ndarray) -> np.ndarray:
    """The reassembly key of each AIS line in ``idx``."""
    with np.errstate(over="ignore"):
        station = _fnv_ranges(lines.buf, lines.station_start[idx], lines.station_end[idx])
        key = station ^ ((lines.seq[idx] + 2).astype(np.uint64) * _K1)
        key ^= (lines.channel[idx].astype(np.uint64) + np.uint64(7)) * _K2
        group = lines.group_id[idx]
        key = np.where(group >= 0, (group.astype(np.uint64) * _K2) ^ _K1, key)
    return np.asarray(key, dtype=np.uint64)


def reassemble(lines: Lines, window: int, numbers: np.ndarray | None = None
               ) -> tuple[Multi, np.ndarray, np.ndarray]:
    """Join the sentences of multi-sentence messages (``lines.multi``).

    Returns the messages, ``orphans`` (line indices of fragments that belong to no complete
    message) and, per orphan, whether it is ``open``: no later fragment of its key went into
    a message, so lines after the buffer may still complete it. ``numbers`` are the input
    line numbers of the buffer's lines (a buffer that carries lines over from the previous
    one skips some): the window counts input lines.
    """
    pos = np.arange(len(lines)) if numbers is None else numbers
    multi = np.asarray(lines.multi, dtype=np.int64)
    if len(multi) == 0:
        none = np.zeros(0, dtype=np.int64)
        return _no_multi(), none, none.astype(bool)
    key = fragment_key(lines, multi)
    order = np.lexsort((multi, key))
    m_line = multi[order]
    m_key = key[order]
    m_num = lines.num[m_line]
    m_total = lines.total[m_line]
    m = len(m_line)
    starts_all: list[np.ndarray] = []
    totals_all: list[np.ndarray] = []
    for t in np.unique(m_total).tolist():
        p = np.flatnonzero((m_num == 1) & (m_total == t))
        ok = p + t - 1 < m
        for k in range(1, t):
            q = np.minimum(p + k, m - 1)
            ok &= (m_key[q] == m_key[p]) & (m_num[q] == k + 1) & (m_total[q] == t)
        last = np.minimum(p + t - 1, m - 1)
        ok &= (pos[m_line[last]] - pos[m_line[p]]) <= window
        starts_all.append(p[ok])
        totals_all.append(np.full(int(ok.sum()), t, dtype=np.int64))
    p = np.concatenate(starts_all)
    t_arr = np.concatenate(totals_all)
    used = np.zeros(m, dtype=bool)
    # expand each start p into p, p+1, ..., p+t-1
    rep = np.repeat(p, t_arr) + (np.arange(int(t_arr.sum())) - np.repeat(np.cumsum(t_arr) - t_arr, t_arr))
    used[rep] = True
    # an orphan is open when it comes after the last used fragment of its key
    idx = np.arange(m)
    key_start = np.flatnonzero(np.concatenate([[True], m_key[1:] != m_key[:-1]]))
    last_used = np.maximum.reduceat(np.where(used, idx, -1), key_start)
    last_used = np.repeat(last_used, np.diff(np.append(key_start, m)))
    by_line = np.argsort(m_line[~used])
    orphans = m_line[~used][by_line]
    open_ = (idx > last_used)[~used][by_line]
    # messages in order of their first line, their parts following that order
    multi_parts = m_line[rep]
    seg_start = np.cumsum(t_arr) - t_arr
    msg_order = np.argsort(m_line[p], kind="stable")
    n_sorted = t_arr[msg_order]
    begin = np.cumsum(n_sorted) - n_sorted
    parts = multi_parts[np.repeat(seg_start[msg_order], n_sorted)
                        + (np.arange(int(n_sorted.sum())) - np.repeat(begin, n_sorted))]
    first = np.ascontiguousarray(m_line[p][msg_order], dtype=np.int64)
    return Multi(first, np.ascontiguousarray(parts, dtype=np.int64), n_sorted, begin), orphans, open_


def decode_messages(lines: Lines, multi: Multi, reference_us: int | None,
                    numbers: np.ndarray | None = None) -> dict[str, Any]:
    """Every message of ``lines`` decoded in one compiled pass (``_payload.decode_messages``).

    The messages are the single-sentence AIS lines and ``multi``, in line order. A ``$PGHP``
    binds to the nearest message within ``PGHP_LOOKBACK`` input lines after it whose
    checksum (the XOR of its parts' checksums) equals the ``$PGHP``'s last field; Gatehouse
    writes ``00`` there for an own-ship ``!ccVDO``, so a ``$PGHP`` with ``00`` on the line
    right before a VDO binds to it as well. Clocks: tag block, then ``$PGHP``, then the
    trailing time, then the reference time; the next one present is the received time.
    Returns the kernel's buffers for :mod:`~vesselwatch.ingest.nmea.tables`, its rejects and
    its counts (``numbers`` as in :func:`reassemble`).
    """
    pos = np.arange(len(lines), dtype=np.int64) if numbers is None else numbers
    out: dict[str, Any] = _payload.decode_messages(
        lines, np.ascontiguousarray(pos, np.int64), multi.first, multi.parts, multi.nparts,
        -1 if reference_us is None else reference_us, PGHP_LOOKBACK, TYPE_TABLE, TS_MIN_US,
        TS_MAX_US, MID_ALLOCATED, ALLOWED_KINDS)
    return out
