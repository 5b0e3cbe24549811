"""Join multi-sentence AIS messages and bind each message to its clocks.

Fragments are keyed by (tag-block group id) where a tag block names a group, else by
(tag-block station, sequence id, channel). Within a key, fragments are taken in line order
and a message is complete when parts 1..N follow each other with the same total, all within
``window`` lines of the first part: other sentences may stand between them, and a key that
is reused (satellite feeds reuse sequence ids within seconds) starts a new message at its
next part 1. Fragments that never complete are orphans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vesselwatch.ingest.nmea import _lines  # type: ignore[attr-defined]
from vesselwatch.ingest.nmea.framing import AIS, Lines
from vesselwatch.ingest.nmea.scan import take
from vesselwatch.model.schema import TsSource

_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)

TS_SOURCES = [TsSource.TAG_BLOCK.value, TsSource.PGHP.value, TsSource.TRAILING.value,
              TsSource.REFERENCE.value]
PGHP_LOOKBACK = 3  # a $PGHP sentence stands at most this many lines before its AIS sentence


@dataclass
class Messages:
    """Complete AIS messages of a buffer, one entry per message."""

    first_line: np.ndarray  # line index of part 1
    last_line: np.ndarray
    nparts: np.ndarray
    ascii: np.ndarray  # all payload characters, concatenated
    start: np.ndarray  # of each message's payload in ``ascii``
    nchars: np.ndarray
    fill: np.ndarray
    checksum: np.ndarray  # XOR of the parts' checksums (what a $PGHP binds to)
    ts: np.ndarray  # microseconds since the epoch; -1 where no clock
    ts_source: np.ndarray  # index into TS_SOURCES, -1 where no clock
    received_ts: np.ndarray  # -1 where none
    station_start: np.ndarray  # range in the line buffer
    station_end: np.ndarray
    bound_pghp: np.ndarray  # line index of the bound $PGHP, -1 where none
    parts: np.ndarray  # line indices of every message's parts, message after message
    part_begin: np.ndarray  # where each message's parts begin in ``parts``

    six: np.ndarray  # 6-bit values of ``ascii`` (255 where not a payload character)

    def __len__(self) -> int:
        return len(self.first_line)


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
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Group AIS lines into messages.

    Returns ``parts`` (line indices of every message's parts, message after message, part
    after part), ``nparts`` per message, ``orphans`` (line indices of fragments that
    belong to no complete message) and, per orphan, whether it is ``open``: no later
    fragment of its key went into a message, so lines after the buffer may still complete
    it. ``numbers`` are the input line numbers of the buffer's lines (a buffer that carries
    lines over from the previous one skips some): the window counts input lines.
    """
    pos = np.arange(len(lines)) if numbers is None else numbers
    ais = np.flatnonzero(lines.kind == AIS)
    total = lines.total[ais]
    single = ais[total == 1]
    multi = ais[total > 1]
    if len(multi) == 0:
        none = np.zeros(0, dtype=np.int64)
        return single, np.ones(len(single), dtype=np.int64), none, none.astype(bool)
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
    # messages in order of their first line, with single-part ones
    multi_parts = m_line[rep]
    first = m_line[p]
    all_first = np.concatenate([single, first])
    all_n = np.concatenate([np.ones(len(single), dtype=np.int64), t_arr])
    seg_starts_single = np.arange(len(single), dtype=np.int64)
    part_lists = np.concatenate([single, multi_parts])
    seg_start = np.concatenate([seg_starts_single, len(single) + np.cumsum(t_arr) - t_arr])
    msg_order = np.argsort(all_first, kind="stable")
    n_sorted = all_n[msg_order]
    # reorder parts to follow message order
    idx = np.repeat(seg_start[msg_order], n_sorted) + (
        np.arange(int(n_sorted.sum())) - np.repeat(np.cumsum(n_sorted) - n_sorted, n_sorted))
    return part_lists[idx], n_sorted, orphans, open_


def build_messages(lines: Lines, parts: np.ndarray, nparts: np.ndarray,
                   reference_us: int | None, numbers: np.ndarray | None = None) -> Messages:
    """Payloads, checksums and clocks of every message (``numbers`` as in :func:`reassemble`).

    A ``$PGHP`` binds to the nearest message within ``PGHP_LOOKBACK`` input lines after it
    whose checksum (the XOR of its parts' checksums) equals the ``$PGHP``'s last field;
    Gatehouse writes ``00`` there for an own-ship ``!ccVDO``, so a ``$PGHP`` with ``00`` on
    the line right before a VDO binds to it as well. Clocks: tag block, then ``$PGHP``, then
    the trailing time, then the reference time; the next one present is the received time.
    """
    pos = np.arange(len(lines), dtype=np.int64) if numbers is None else numbers
    i64 = np.ascontiguousarray
    got = _lines.bind_messages(
        lines.buf, i64(parts, np.int64), i64(nparts, np.int64), i64(pos, np.int64),
        i64(lines.kind), i64(lines.own), lines.pay_start, lines.pay_len, lines.fill,
        lines.checksum, lines.tag_ts, lines.trailing_ts, lines.pghp_ts, lines.pghp_target,
        lines.station_start, lines.station_end, lines.pghp_station_start,
        lines.pghp_station_end, -1 if reference_us is None else reference_us, PGHP_LOOKBACK)
    return Messages(nparts=nparts, parts=parts, **got)
