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

from vesselwatch.ingest.nmea.bits import SIX_LUT
from vesselwatch.ingest.nmea.framing import AIS, PGHP, Lines
from vesselwatch.ingest.nmea.scan import gather_ranges, take
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
    """Payloads, checksums and clocks of every message (``numbers`` as in :func:`reassemble`)."""
    pos = np.arange(len(lines)) if numbers is None else numbers
    n = len(nparts)
    ends = np.cumsum(nparts)
    begins = ends - nparts
    first = parts[begins] if n else np.zeros(0, np.int64)
    last = parts[ends - 1] if n else np.zeros(0, np.int64)
    a = lines.pay_start[parts]
    b = a + lines.pay_len[parts]
    ascii_buf, part_starts = gather_ranges(lines.buf, a, b)
    start = part_starts[begins] if n else np.zeros(0, np.int64)
    nchars = np.add.reduceat(lines.pay_len[parts], begins) if n else np.zeros(0, np.int64)
    checksum = np.bitwise_xor.reduceat(lines.checksum[parts], begins) if n else np.zeros(0, np.int64)
    fill = lines.fill[last]

    # $PGHP binding: the nearest PGHP within PGHP_LOOKBACK input lines before part 1 whose
    # checksum field equals the message's checksum. Gatehouse writes 00 there for an
    # own-ship !ccVDO sentence, so a PGHP with 00 right before a VDO binds to it as well.
    own = lines.own[first] == 1
    pghp_line = np.full(n, -1, dtype=np.int64)
    for d in range(1, PGHP_LOOKBACK + 1):
        cand = first - d
        valid = (cand >= 0) & (pghp_line < 0)
        cand_c = np.where(valid, cand, 0)
        gap = pos[first] - pos[cand_c]
        valid &= gap <= PGHP_LOOKBACK
        target = lines.pghp_target[cand_c]
        matches = (target == checksum) | ((gap == 1) & own & (target == 0))
        hit = valid & (lines.kind[cand_c] == PGHP) & matches
        pghp_line = np.where(hit, cand_c, pghp_line)
    pghp_ts = np.where(pghp_line >= 0, lines.pghp_ts[np.maximum(pghp_line, 0)], -1)

    tag = lines.tag_ts[first]
    trailing = lines.trailing_ts[first]
    ref = np.full(n, -1 if reference_us is None else reference_us, dtype=np.int64)
    clocks = [tag, pghp_ts, trailing, ref]
    ts = np.full(n, -1, dtype=np.int64)
    src = np.full(n, -1, dtype=np.int64)
    received = np.full(n, -1, dtype=np.int64)
    for i, c in enumerate(clocks):
        take_it = (ts < 0) & (c >= 0)
        ts = np.where(take_it, c, ts)
        src = np.where(take_it, i, src)
    for i, c in enumerate(clocks[:3]):
        other = (received < 0) & (c >= 0) & (src != i) & (src >= 0)
        received = np.where(other, c, received)

    st_a = lines.station_start[first]
    st_b = lines.station_end[first]
    use_pghp = (st_b <= st_a) & (pghp_line >= 0)
    pl = np.maximum(pghp_line, 0)
    st_a = np.where(use_pghp, lines.pghp_station_start[pl], st_a)
    st_b = np.where(use_pghp, lines.pghp_station_end[pl], st_b)
    return Messages(
        first_line=first, last_line=last, nparts=nparts, ascii=ascii_buf, start=start,
        nchars=nchars, fill=fill, checksum=checksum, ts=ts, ts_source=src,
        received_ts=received, station_start=st_a, station_end=st_b, bound_pghp=pghp_line,
        parts=parts, part_begin=begins, six=SIX_LUT[ascii_buf],
    )
