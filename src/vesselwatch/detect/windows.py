"""Detection window by window (day by day), with open events carried over.

A window's data starts ``padding`` before its core (as Global Fishing Watch pads each day
with the previous one), so an event that began shortly before the core is found again,
with the same id (ids never depend on the end), and the newer, perhaps now closed, version
replaces the one an earlier window left open. Events that start in the padding but were not
seen before are cut-off remnants of older events and are dropped. The result equals one
run over all the data whenever every event that crosses a window edge began within
``padding`` of that edge (and tracks are not cut in a way that changes their segments).

Pure functions: tables in, tables out. A live feed (a later issue) runs the same merge on
each new window of data.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.suite import References, detect_all
from vesselwatch.errors import InputError
from vesselwatch.model.events import EVENTS, sort_events

# event types whose events the window merge reproduces (per vessel, or per pair and slot)
WINDOW_TYPES = ("gap", "port_visit", "encounter", "loitering")


def merge_window(carried: pa.Table, window: pa.Table, core_start_us: int,
                 first_seen: pa.Table | None = None, slack_us: int = 0,
                 provisional_since_us: int | None = None,
                 data_start_us: int | None = None) -> pa.Table:
    """``carried`` (events of earlier windows) updated with one later window's events.

    From the window: events that start in its core; new versions of events an earlier
    window left open; and events that start in the padding but only became detectable now
    (a gap needs ``min_gap_h`` of silence, loitering ``min_duration_h``). Not events that
    start where the window's data of their vessel starts (within ``slack_us``): those are
    remnants of events cut by the window's edge. ``first_seen`` gives (mmsi, first_us) of
    the window's data. A closed event stays as the window that saw it whole found it,
    unless it is an encounter that ended at or after ``provisional_since_us`` (near the
    previous window's end, where it may go on): such encounters are replaced like open ones,
    and dropped when the window, whose data begin at ``data_start_us``, saw their start
    and no longer finds them (a longer run that fails a test as a whole).
    """
    ids = window["event_id"]
    starts = window["start_ts"].cast(pa.int64())
    unsettled = pc.is_null(carried["end_ts"])
    if provisional_since_us is not None:  # encounters end, closed, at the data's end
        late_end = pc.and_(pc.equal(carried["event_type"], "encounter"),
                           pc.greater_equal(carried["end_ts"].cast(pa.int64()),
                                            provisional_since_us))
        unsettled = pc.or_(unsettled, pc.fill_null(late_end, False))
    open_ids = carried.filter(unsettled)["event_id"]
    done = carried.filter(pc.invert(unsettled))["event_id"]
    late = pc.invert(pc.is_in(ids, carried["event_id"]))
    if first_seen is not None and window.num_rows:
        at = pc.index_in(window["mmsi"], first_seen["mmsi"])
        first = pc.take(first_seen["first_us"], at)
        other = pc.take(first_seen["first_us"], pc.index_in(window["other_mmsi"],
                                                             first_seen["mmsi"]))
        first = pc.max_element_wise(first, other)  # a pair's data start at the later one
        cut = pc.less_equal(pc.subtract(starts, first), slack_us)
        late = pc.and_(late, pc.invert(pc.fill_null(cut, False)))
    keep = pc.and_(pc.or_(pc.or_(pc.greater_equal(starts, core_start_us),
                                 pc.is_in(ids, open_ids)), late),
                   pc.invert(pc.is_in(ids, done)))
    fresh = window.filter(keep)
    replaced = pc.is_in(carried["event_id"], fresh["event_id"])
    if data_start_us is not None:
        seen_whole = pc.greater_equal(carried["start_ts"].cast(pa.int64()), data_start_us)
        gone = pc.and_(pc.and_(unsettled, seen_whole), pc.invert(pc.is_in(carried["event_id"],
                                                                          ids)))
        replaced = pc.or_(replaced, gone)
    merged = pa.concat_tables([carried.filter(pc.invert(replaced)).cast(EVENTS),
                               fresh.cast(EVENTS)])
    return sort_events(merged)


def _window_rows(positions: pa.Table, ts: pa.ChunkedArray, carried: pa.Table, start: int,
                 end: int, padding_us: int) -> tuple[pa.Table, int]:
    """The rows a window reads, and the earliest time it reads from: everything from the
    padding before ``start``, and for the vessels of events still open, from the padding
    before the start of their earliest open event."""
    before_end = pc.less(ts, end)
    mask = pc.and_(pc.greater_equal(ts, start - padding_us), before_end)
    since = start
    still_open = carried.filter(pc.is_null(carried["end_ts"]))
    if still_open.num_rows:
        back = still_open.group_by("mmsi").aggregate([("start_ts", "min")])
        at = pc.index_in(positions["mmsi"], back["mmsi"])
        vessel_since = pc.take(back["start_ts_min"].cast(pa.int64()), at)
        reach = pc.greater_equal(pc.add(ts, padding_us), vessel_since)
        mask = pc.or_(mask, pc.and_(pc.fill_null(reach, False), before_end))
        since = min(since, int(pc.min(back["start_ts_min"].cast(pa.int64())).as_py()))
    return positions.filter(mask), since


def detect_windows(
    positions: pa.Table,
    config: DetectConfig,
    refs: References,
    edges_us: Sequence[int],
    padding_us: int,
    *,
    types: tuple[str, ...] = WINDOW_TYPES,
) -> pa.Table:
    """Events over the windows [edges[i], edges[i+1]) of ``positions``, merged in order.

    Each window reads its data from ``padding_us`` before its start, and for the vessels of
    events still open, from ``padding_us`` before the earliest of them. Its data are
    complete up to its end, so the end of its data (``until``) is the window's end: a
    vessel silent for ``min_gap_h`` by then has an open gap, which a later window closes
    (or re-opens, with the same id) if it sees the vessel again.
    """
    unfit = sorted(set(types) - set(WINDOW_TYPES))
    if unfit:
        raise InputError(f"detect_windows: {', '.join(unfit)} cannot be merged window by "
                         f"window (they span the whole data); run detect_all for them, or "
                         f"ask only for {', '.join(WINDOW_TYPES)}")
    ts = positions["ts"].cast(pa.int64())
    carried = EVENTS.empty_table()
    # an encounter ending this close to a window's end may go on in the next window
    horizon_us = int((config.encounters.merge_gap_h * 60 + config.encounters.grid_min)
                     * 60_000_000)
    for start, end in pairwise(edges_us):
        # open events carry their data forward: a window reads from the padding before
        # its start, or before the earliest event still open, whichever is earlier
        rows, since = _window_rows(positions, ts, carried, start, end, padding_us)
        if rows.num_rows == 0:
            continue
        found = detect_all(rows, config, refs, types=types, until_us=end - 1)
        first_seen = rows.group_by("mmsi").aggregate([("ts", "min")])
        first_seen = pa.table({"mmsi": first_seen["mmsi"],
                               "first_us": first_seen["ts_min"].cast(pa.int64())})
        # a cut encounter starts at the first grid time both tracks reach after the cut
        slack = int((config.encounters.grid_min / 60 + config.encounters.max_interpolation_gap_h)
                    * 3_600_000_000)
        carried = merge_window(carried, found, start, first_seen, slack,
                               provisional_since_us=start - horizon_us,
                               data_start_us=since - padding_us)
    return carried
