"""Position spoofing: impossible jumps, outliers, two places at once, on land, shared positions.

The definitions are in ``docs/events.md`` ("``spoofing``", and "Track preparation" for the
flags this reads). Input is a :class:`~vesselwatch.detect.tracks.Tracks` (outliers included:
spoofing is the one detector that looks at them); output is an ``EVENTS`` table, one row per
signal, ``details.kind`` saying which. Everything is numpy group and run logic over the
positions; Python only touches the (few) events to write their ``details``.

``jump``, ``outlier``, ``two_places`` and ``on_land`` are per MMSI; ``shared_position`` looks
across all vessels and needs the whole table (one sort of a 64-bit key per position).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vesselwatch.detect.config import KN_MS, DetectConfig
from vesselwatch.detect.tracks import track_order
from vesselwatch.model.events import (
    EventType,
    details_json,
    event_ids,
    events_table,
    params_json,
    sort_events,
)
from vesselwatch.reference.geodesy import haversine_m

if TYPE_CHECKING:
    from vesselwatch.detect.tracks import Tracks

__all__ = ["detect_spoofing", "distinct_keys", "position_key"]

JUMP_STRONG_M: Final = 100_000.0  # a jump longer than this has confidence 4
TWO_PLACES_STRONG_POSITIONS: Final = 10  # positions of each track in the overlap for 4
SHARED_MAX_LISTED: Final = 20  # other MMSIs listed in a shared_position event
MICRO: Final = 1_000_000  # micro-degrees in a degree
_LON_SPAN: Final = 360 * MICRO + 1  # distinct rounded longitudes, -180..180

I64 = npt.NDArray[np.int64]


@dataclass
class _Found:
    """Events of one kind, as columns (times int64 µs)."""

    kind: str
    mmsi: npt.NDArray[np.uint32]
    start: I64
    end: I64
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    confidence: npt.NDArray[np.uint8]
    details: list[dict[str, Any]]


def _found(kind: str, mmsi: npt.ArrayLike, start: npt.ArrayLike, end: npt.ArrayLike,
           lat: npt.ArrayLike, lon: npt.ArrayLike, confidence: npt.ArrayLike,
           details: list[dict[str, Any]]) -> _Found:
    return _Found(kind, np.asarray(mmsi, dtype=np.uint32), np.asarray(start, dtype=np.int64),
                  np.asarray(end, dtype=np.int64), np.asarray(lat, dtype=np.float64),
                  np.asarray(lon, dtype=np.float64), np.asarray(confidence, dtype=np.uint8),
                  details)


# --- helpers --------------------------------------------------------------------------------


def distinct_keys(mmsi: npt.ArrayLike, start_us: npt.ArrayLike, keys: Sequence[str]
                  ) -> list[str]:
    """``keys``, with ``#1``, ``#2``... appended to repeats of one (mmsi, start, key).

    The first event of each (mmsi, start, key) keeps its plain key (so its id is the one
    ``event_ids`` gives for the documented key); later ones, in the given order, get a
    suffix, so ids stay unique when one vessel has two events of a kind at one moment.
    """
    out = list(keys)
    n = len(out)
    if n < 2:
        return out
    m = np.asarray(mmsi, dtype=np.int64)
    s = np.asarray(start_us, dtype=np.int64)
    _, code = np.unique(np.asarray(out, dtype=object), return_inverse=True)
    order = np.lexsort((np.arange(n), code.ravel(), s, m))
    same = np.zeros(n, dtype=bool)
    same[1:] = ((m[order][1:] == m[order][:-1]) & (s[order][1:] == s[order][:-1])
                & (code.ravel()[order][1:] == code.ravel()[order][:-1]))
    if not same.any():
        return out
    group_start = np.maximum.accumulate(np.where(same, 0, np.arange(n)))
    occurrence = np.arange(n) - group_start
    for pos in np.flatnonzero(occurrence):
        i = int(order[pos])
        out[i] = f"{out[i]}#{int(occurrence[pos])}"
    return out


def position_key(lat: npt.ArrayLike, lon: npt.ArrayLike) -> I64:
    """One int64 per position: latitude and longitude rounded to 1e-6° (half to even)."""
    lat_u = np.rint(np.asarray(lat, dtype=np.float64) * MICRO).astype(np.int64)
    lat_u += 90 * MICRO
    lat_u *= _LON_SPAN
    lat_u += np.rint(np.asarray(lon, dtype=np.float64) * MICRO).astype(np.int64)
    lat_u += 180 * MICRO
    return lat_u


def _key_lat_lon(key: I64) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    lat = (key // _LON_SPAN - 90 * MICRO) / MICRO
    lon = (key % _LON_SPAN - 180 * MICRO) / MICRO
    return lat, lon


def _sorted_unique(x: I64) -> I64:
    """``np.unique`` by one sort (numpy's hash-based unique is far slower on int64)."""
    s = np.sort(x)
    if len(s) < 2:
        return s
    keep = np.ones(len(s), dtype=bool)
    keep[1:] = s[1:] != s[:-1]
    return s[keep]


def _grouped_searchsorted(group: npt.NDArray[Any], value: I64, q_group: npt.NDArray[Any],
                          q_value: I64, side: str) -> npt.NDArray[np.intp]:
    """``searchsorted`` within groups: rows sorted by (group, value), queries (group, value).

    Values are replaced by their exact rank among all values and queries, so (group, rank)
    packs into one int64.
    """
    ranks = _sorted_unique(np.concatenate([value, q_value]))
    width = np.int64(len(ranks) + 1)
    key = group.astype(np.int64) * width + np.searchsorted(ranks, value)
    q_key = q_group.astype(np.int64) * width + np.searchsorted(ranks, q_value)
    found: npt.NDArray[np.intp] = np.searchsorted(key, q_key, side=side)  # type: ignore[call-overload]
    return found


@dataclass
class _ByTrack:
    """The positions in track order (mmsi, seg, ts, lat, lon) and each track's row range."""

    mmsi: npt.NDArray[np.uint32]
    seg: npt.NDArray[np.int32]
    ts: I64
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    track: I64  # track number per row, 0.. over all MMSIs
    first: npt.NDArray[np.bool_]  # row begins its track
    last: npt.NDArray[np.bool_]  # row ends its track
    lo: I64  # first row of each track
    hi: I64  # last row of each track (inclusive)


def _by_track(tracks: Tracks) -> tuple[_ByTrack, npt.NDArray[np.intp]]:
    # every row, outliers too, each track contiguous and in time order
    by_track = track_order(tracks.mmsi, tracks.seg, tracks.ts)
    order = np.arange(len(tracks)) if by_track is None else by_track
    mmsi, seg = tracks.mmsi[order], tracks.seg[order]
    n = len(order)
    first = np.ones(n, dtype=bool)
    first[1:] = (mmsi[1:] != mmsi[:-1]) | (seg[1:] != seg[:-1])
    last = np.ones(n, dtype=bool)
    last[:-1] = first[1:]
    bt = _ByTrack(mmsi=mmsi, seg=seg, ts=tracks.ts[order], lat=tracks.lat[order],
                  lon=tracks.lon[order], track=np.cumsum(first, dtype=np.int64) - 1,
                  first=first, last=last, lo=np.flatnonzero(first).astype(np.int64),
                  hi=np.flatnonzero(last).astype(np.int64))
    return bt, order


# --- the five kinds -------------------------------------------------------------------------


def _jumps(tracks: Tracks, bt: _ByTrack, order: npt.NDArray[np.intp]) -> _Found:
    rows = np.flatnonzero(tracks.jump[order])
    rows = rows[~bt.first[rows]]  # a jump is a step: never a track's first row
    src = order[rows]
    dist = tracks.step_m[src].astype(np.float64)
    dt = tracks.dt_s[src].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = np.where(dt > 0, dist / dt / KN_MS, np.inf)
    conf = np.where(dist > JUMP_STRONG_M, 4, 3)
    details = [{"kind": "jump", "distance_m": float(d), "implied_sog_kn": float(v)}
               for d, v in zip(dist.tolist(), implied.tolist())]
    return _found("jump", bt.mmsi[rows], bt.ts[rows - 1], bt.ts[rows], bt.lat[rows],
                  bt.lon[rows], conf, details)


def _outliers(tracks: Tracks, bt: _ByTrack, order: npt.NDArray[np.intp]) -> _Found:
    lo = bt.lo[tracks.outlier[order][bt.lo]]
    hi = bt.hi[tracks.outlier[order][bt.lo]]
    return _found("outlier", bt.mmsi[lo], bt.ts[lo], bt.ts[hi], bt.lat[lo], bt.lon[lo],
                  np.full(len(lo), 2), [{"kind": "outlier"} for _ in range(len(lo))])


def _on_land(tracks: Tracks, bt: _ByTrack, order: npt.NDArray[np.intp]) -> _Found:
    land = tracks.on_land[order]
    n = len(land)
    begins = land.copy()
    begins[1:] &= bt.first[1:] | ~land[:-1]
    ends = land.copy()
    ends[:-1] &= bt.last[:-1] | ~land[1:]
    lo, hi = np.flatnonzero(begins), np.flatnonzero(ends)
    count = hi - lo + 1 if n else np.zeros(0, dtype=np.int64)
    return _found("on_land", bt.mmsi[lo], bt.ts[lo], bt.ts[hi], bt.lat[lo], bt.lon[lo],
                  np.minimum(4, count), [{"kind": "on_land"} for _ in range(len(lo))])


class _TrackRows:
    """The rows of some tracks, searchable by (track, ts): times are ranked among those rows,
    so every query must be a time of one of them."""

    def __init__(self, bt: _ByTrack, tracks: I64) -> None:
        wanted = _sorted_unique(tracks)
        lens = bt.hi[wanted] - bt.lo[wanted] + 1
        offsets = np.cumsum(lens) - lens
        self.rows = np.repeat(bt.lo[wanted] - offsets, lens) + np.arange(int(lens.sum()))
        self.track = bt.track[self.rows]
        ts = bt.ts[self.rows]
        self.ranks = _sorted_unique(ts)
        self.width = np.int64(len(self.ranks) + 1)
        self.key = self.track * self.width + np.searchsorted(self.ranks, ts)

    def find(self, track: I64, ts: I64, side: str) -> I64:
        """Index into ``rows`` of the first row of ``track`` with time >= ``ts`` ("left") or
        > ``ts`` ("right")."""
        q = track * self.width + np.searchsorted(self.ranks, ts)
        found: I64 = np.searchsorted(self.key, q, side=side)  # type: ignore[call-overload]
        return found


def _two_places(bt: _ByTrack, config: DetectConfig) -> _Found:
    min_positions = config.tracks.min_segment_positions
    min_distance = config.spoofing.two_places_min_distance_m
    size = bt.hi - bt.lo + 1
    long = np.flatnonzero(size >= min_positions)  # track numbers, in (mmsi, seg) order
    t_mmsi = bt.mmsi[bt.lo[long]]
    t_first = bt.ts[bt.lo[long]]
    t_last = bt.ts[bt.hi[long]]
    # seg numbers follow start times, so ``long`` is sorted by (mmsi, first start, seg):
    # the tracks overlapping track i from later in the list are i+1 .. end-1
    end = _grouped_searchsorted(t_mmsi, t_first, t_mmsi, t_last, "right")
    count = np.maximum(end - np.arange(len(long)) - 1, 0)
    i = np.repeat(np.arange(len(long)), count)
    j = i + 1 + (np.arange(len(i)) - np.repeat(np.cumsum(count) - count, count))
    earlier, later = long[i].astype(np.int64), long[j].astype(np.int64)
    start = bt.ts[bt.lo[later]]
    stop = np.minimum(bt.ts[bt.hi[earlier]], bt.ts[bt.hi[later]])
    at = bt.lo[later]  # the later track's position nearest in time to start: its first
    # the earlier track's nearest: the first row at or after start, or the one before it
    # when that is no further in time (ties: the earlier time; at one time, the first row)
    rows = _TrackRows(bt, np.concatenate([earlier, later]))
    after = rows.find(earlier, start, "left")
    before = np.maximum(after - 1, 0)
    use_before = (after > 0) & (rows.track[before] == earlier)
    use_before &= start - bt.ts[rows.rows[before]] <= bt.ts[rows.rows[after]] - start
    before = rows.find(earlier, bt.ts[rows.rows[before]], "left")
    near = rows.rows[np.where(use_before, before, after)]
    dist = haversine_m(bt.lat[at], bt.lon[at], bt.lat[near], bt.lon[near])
    keep = dist >= min_distance
    earlier, later, at = earlier[keep], later[keep], at[keep]
    start, stop, dist = start[keep], stop[keep], dist[keep]

    def in_overlap(track: I64) -> I64:
        return rows.find(track, stop, "right") - rows.find(track, start, "left")

    strong = ((in_overlap(earlier) >= TWO_PLACES_STRONG_POSITIONS)
              & (in_overlap(later) >= TWO_PLACES_STRONG_POSITIONS))
    details = [{"kind": "two_places", "distance_m": float(d), "seg": int(s), "other_seg": int(o)}
               for d, s, o in zip(dist.tolist(), bt.seg[bt.lo[later]].tolist(),
                                  bt.seg[bt.lo[earlier]].tolist())]
    return _found("two_places", bt.mmsi[at], start, stop, bt.lat[at], bt.lon[at],
                  np.where(strong, 4, 3), details)


@dataclass(frozen=True)
class Points:
    """Bare positions (mmsi, ts µs, lat, lon): all ``shared_position`` needs of a track."""

    mmsi: npt.NDArray[np.uint32]
    ts: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.ts)


def _shared_positions(tracks: Tracks | Points, config: DetectConfig) -> _Found:
    min_vessels = config.spoofing.shared_position_min_vessels
    n = len(tracks)
    empty = _found("shared_position", [], [], [], [], [], [], [])
    if n == 0:
        return empty
    key = position_key(tracks.lat, tracks.lon)
    # keys reported at least min_vessels times (by anyone): a cheap first cut
    s = np.sort(key)
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    runs = np.diff(np.r_[starts, n])
    busy = s[starts[runs >= max(min_vessels, 1)]]
    del s, starts, runs
    if len(busy) == 0:
        return empty
    at = np.minimum(np.searchsorted(busy, key), len(busy) - 1)
    rows = np.flatnonzero(busy[at] == key)
    del at
    kc, mc, tc = key[rows], tracks.mmsi[rows], tracks.ts[rows]
    # bursts: a spot's reports, split wherever nobody reported it for longer than the gap
    o = np.lexsort((mc, tc, kc))
    kc, mc, tc = kc[o], mc[o], tc[o]
    gap_us = round(config.spoofing.shared_position_gap_min * 60_000_000)
    burst = np.cumsum(np.r_[True, (kc[1:] != kc[:-1]) | (np.diff(tc) > gap_us)])
    o = np.lexsort((tc, mc, burst))
    kc, mc, tc, burst = kc[o], mc[o], tc[o], burst[o]
    pair = np.flatnonzero(np.r_[True, (burst[1:] != burst[:-1]) | (mc[1:] != mc[:-1])])
    first_ts = np.minimum.reduceat(tc, pair)
    last_ts = np.maximum.reduceat(tc, pair)
    p_key, p_mmsi, p_burst = kc[pair], mc[pair], burst[pair]
    key_begin = np.r_[True, p_burst[1:] != p_burst[:-1]]
    key_no = np.cumsum(key_begin) - 1
    vessels = np.bincount(key_no)[key_no]
    first_of_key = np.flatnonzero(key_begin)[key_no]
    keep = np.flatnonzero(vessels >= min_vessels)
    details = []
    for e in keep.tolist():
        fk = int(first_of_key[e])
        listed = p_mmsi[fk:fk + min(int(vessels[e]), SHARED_MAX_LISTED + 1)]
        others = [int(m) for m in listed.tolist() if m != p_mmsi[e]][:SHARED_MAX_LISTED]
        details.append({"kind": "shared_position", "vessels": int(vessels[e]),
                        "other_mmsi": others})
    lat, lon = _key_lat_lon(p_key[keep])
    return _found("shared_position", p_mmsi[keep], first_ts[keep], last_ts[keep], lat, lon,
                  np.minimum(4, vessels[keep] - 1), details)


# --- the detector ---------------------------------------------------------------------------


def detect_spoofing(tracks: Tracks, config: DetectConfig, *,
                    shared_positions: bool = True) -> pa.Table:
    """Spoofing events of every kind (``docs/events.md``, "``spoofing``"), in canonical order.

    Every event is closed: ``end_ts`` is the last position of the signal. Every kind but
    ``shared_position`` is per vessel; ``shared_positions=False`` leaves that kind out, for
    a caller that runs :func:`detect_shared_positions` once over all vessels' candidates.
    """
    bt, order = _by_track(tracks)
    parts = [
        _jumps(tracks, bt, order),
        _outliers(tracks, bt, order),
        _two_places(bt, config),
        _on_land(tracks, bt, order),
    ]
    if shared_positions:
        parts.append(_shared_positions(tracks, config))
    return _events(EventType.SPOOFING, parts, params_json(config.params_for("spoofing")))


def detect_shared_positions(points: Points, config: DetectConfig) -> pa.Table:
    """The ``shared_position`` spoofing events of ``points`` (any vessels, any order)."""
    return _events(EventType.SPOOFING, [_shared_positions(points, config)],
                   params_json(config.params_for("spoofing")))


def _events(event_type: str, parts: list[_Found], params: str) -> pa.Table:
    mmsi = np.concatenate([p.mmsi for p in parts])
    start = np.concatenate([p.start for p in parts])
    end = np.concatenate([p.end for p in parts])
    keys = distinct_keys(mmsi, start, [p.kind for p in parts for _ in range(len(p.mmsi))])
    details = [d for p in parts for d in p.details]
    table = events_table({
        "event_id": event_ids(event_type, mmsi, start, None, keys),
        "event_type": [str(event_type)] * len(mmsi),
        "mmsi": mmsi,
        "start_ts": start,
        "end_ts": end,
        "duration_s": (end - start) / 1e6,
        "lat": np.concatenate([p.lat for p in parts]),
        "lon": np.concatenate([p.lon for p in parts]),
        "confidence": np.concatenate([p.confidence for p in parts]),
        "params": [params] * len(mmsi),
        "details": details_json(details),
    })
    return sort_events(table)
