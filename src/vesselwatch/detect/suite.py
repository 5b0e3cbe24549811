"""The whole detection suite: every detector, in dependency order, over vessel partitions.

Pure: tables and reference layers in, one event table out; no I/O. Per-vessel detectors
(gaps, port visits, loitering, most of spoofing, voyages) run on each vessel partition as it
comes, so memory is bounded by the largest partition. The two cross-vessel detectors keep a
compact summary of every partition: encounters the 10-minute grid of every track, shared
positions a count sketch of position keys, with an exact second look at the candidate
positions (:meth:`DetectionRun.add_candidates`). The engine feeds partitions from the store;
a distributed engine (later) can feed the same calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.gaps import detect_gaps
from vesselwatch.detect.port_visits import detect_port_visits
from vesselwatch.detect.tracks import prepare_tracks
from vesselwatch.detect.voyages import detect_dark_voyages, detect_voyages
from vesselwatch.model.events import EVENTS, EventType, sort_events
from vesselwatch.reference.ports import PortIndex

if TYPE_CHECKING:
    from vesselwatch.detect.resample import Grid
    from vesselwatch.reference.land import LandMask

# (step name, steps done, steps in all)
StepCallback = Callable[[str, int, int], None]

ALL_TYPES = tuple(t.value for t in EventType)
MAX_SKETCH_BITS = 28  # 2^28 one-byte counters: 256 MB, about 1% false candidates at 50M rows


@dataclass(frozen=True)
class References:
    """The reference layers detection reads."""

    ports: PortIndex  # every port visits are detected against (WPI + watched + user)
    watched: PortIndex  # the watched ports (dark voyages)
    land: LandMask


@dataclass
class DetectionRun:
    """Accumulates the events of vessel partitions; :meth:`finish` returns them all.

    Every MMSI must come in exactly one partition. ``until_us`` is the end of the data over
    all partitions (open events are judged against it).
    """

    config: DetectConfig
    refs: References
    until_us: int
    types: tuple[str, ...] = ALL_TYPES
    tables: list[pa.Table] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    sketch: np.ndarray | None = None
    candidates: list[pa.Table] = field(default_factory=list)
    issue_spans: list[pa.Table] = field(default_factory=list)  # flagged MMSIs' spans
    positions: int = 0  # in tracks, over all partitions
    vessels: int = 0
    single: bool = False  # one partition only: shared positions exactly, no sketch
    sketch_bits: int = MAX_SKETCH_BITS

    def wants(self, kind: str) -> bool:
        return kind in self.types

    def add_partition(self, positions: pa.Table) -> None:
        """Run the per-vessel detectors on one partition; keep its cross-vessel summary."""
        from vesselwatch.detect.identity import mmsi_issue_spans
        from vesselwatch.detect.loitering import detect_loitering
        from vesselwatch.detect.resample import resample_tracks
        from vesselwatch.detect.spoofing import detect_spoofing

        cfg = self.config
        if "mmsi_issue" in positions.column_names:
            self.issue_spans.append(mmsi_issue_spans(positions.select(["mmsi", "ts",
                                                                        "mmsi_issue"])))
        tracks = prepare_tracks(positions, cfg, self.refs.ports, self.refs.land,
                                until_us=self.until_us)
        self.positions += len(tracks)
        if len(tracks):  # tracks are sorted by mmsi, and partitions hold whole vessels
            self.vessels += int(np.count_nonzero(tracks.mmsi[1:] != tracks.mmsi[:-1])) + 1
        gaps = detect_gaps(tracks, cfg)
        visits = detect_port_visits(tracks, cfg)
        out = [gaps, visits]
        if self.wants(EventType.LOITERING):
            out.append(detect_loitering(tracks, cfg))
        if self.wants(EventType.SPOOFING):
            out.append(detect_spoofing(tracks, cfg, shared_positions=self.single))
            if not self.single:
                self._count_keys(tracks.mmsi, tracks.lat, tracks.lon)
        if self.wants(EventType.VOYAGE):
            out.append(detect_voyages(visits, gaps, cfg, until_us=self.until_us))
        if self.wants(EventType.DARK_VOYAGE):
            out.append(detect_dark_voyages(gaps, self.refs.watched, cfg))
        if self.wants(EventType.ENCOUNTER):
            e = cfg.encounters
            self.grids.append(resample_tracks(tracks, e.grid_min, e.max_interpolation_gap_h))
        self.tables.extend(t for t in out if t.num_rows)

    def _buckets(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        from vesselwatch.detect.spoofing import position_key

        with np.errstate(over="ignore"):
            h = position_key(lat, lon).view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        return (h >> np.uint64(64 - self.sketch_bits)).astype(np.int64)

    def _count_keys(self, mmsi: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> None:
        """Count (vessel, position) in the sketch; a vessel's repeats in a row count once
        (other repeats count again: the sketch may only over-count, never miss)."""
        if self.sketch is None:
            self.sketch = np.zeros(1 << self.sketch_bits, dtype=np.uint8)
        b = self._buckets(lat, lon)
        if len(b) > 1:
            fresh = np.r_[True, (b[1:] != b[:-1]) | (mmsi[1:] != mmsi[:-1])]
            b = b[fresh]
        b = np.sort(b)
        starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]]) if len(b) else b
        counts = np.diff(np.r_[starts, len(b)])
        at = b[starts]
        self.sketch[at] = np.minimum(self.sketch[at].astype(np.int64) + counts, 255)

    def add_candidates(self, positions: pa.Table) -> None:
        """Second look at a partition: keep the positions that may be shared positions."""
        if not self.wants(EventType.SPOOFING) or self.sketch is None:
            return
        valid = positions.filter(pc.and_(pc.is_valid(positions["lat"]),
                                         pc.is_valid(positions["lon"])))
        lat = np.asarray(valid["lat"].to_numpy(), dtype=np.float64)
        lon = np.asarray(valid["lon"].to_numpy(), dtype=np.float64)
        hits = self.sketch[self._buckets(lat, lon)] >= max(
            self.config.spoofing.shared_position_min_vessels, 1)
        if hits.any():
            self.candidates.append(valid.select(["mmsi", "ts", "lat", "lon"]).filter(hits))

    def finish(self, vessel_reports: pa.Table | None = None,
               mmsi_issues: pa.Table | None = None) -> pa.Table:
        """The cross-vessel events and identity changes, with everything accumulated.

        MMSI issues: the spans the partitions' ``mmsi_issue`` columns carried, those of
        ``vessel_reports`` and any given in ``mmsi_issues``, merged.
        """
        from vesselwatch.detect.encounters import encounters_from_grid
        from vesselwatch.detect.identity import MMSI_ISSUE_SPANS, detect_identity, mmsi_issue_spans
        from vesselwatch.detect.resample import concat_grids
        from vesselwatch.detect.spoofing import Points, detect_shared_positions
        from vesselwatch.model.schema import VESSEL_REPORTS

        cfg = self.config
        tables = list(self.tables)
        if self.wants(EventType.ENCOUNTER) and self.grids:
            grid = concat_grids(self.grids, self.grids[0].step_us)
            self.grids = []
            tables.append(encounters_from_grid(grid, self.refs.ports, cfg))
        if self.candidates:
            rows = pa.concat_tables(self.candidates)
            points = Points(
                mmsi=np.asarray(rows["mmsi"].to_numpy(), dtype=np.uint32),
                ts=np.asarray(rows["ts"].cast(pa.int64()).to_numpy(), dtype=np.int64),
                lat=np.asarray(rows["lat"].to_numpy(), dtype=np.float64),
                lon=np.asarray(rows["lon"].to_numpy(), dtype=np.float64))
            tables.append(detect_shared_positions(points, cfg))
        if self.wants(EventType.IDENTITY_CHANGE):
            spans = list(self.issue_spans)
            if vessel_reports is not None and "mmsi_issue" in vessel_reports.column_names:
                spans.append(mmsi_issue_spans(vessel_reports.select(["mmsi", "ts",
                                                                     "mmsi_issue"])))
            if mmsi_issues is not None:
                spans.append(mmsi_issues)
            issues = mmsi_issue_spans(pa.concat_tables(spans, promote_options="permissive")) \
                if spans else MMSI_ISSUE_SPANS.empty_table()
            reports = vessel_reports if vessel_reports is not None else \
                VESSEL_REPORTS.empty_table()
            if reports.num_rows or issues.num_rows:
                tables.append(detect_identity(reports, issues, cfg))
        tables = [t.cast(EVENTS) for t in tables if t.num_rows]
        if not tables:
            return EVENTS.empty_table()
        events = pa.concat_tables(tables)
        if set(self.types) != set(ALL_TYPES):
            events = events.filter(pc.is_in(events["event_type"], pa.array(list(self.types))))
        return sort_events(events)


def detect_partitions(
    partitions: Callable[[], Iterable[pa.Table]],
    config: DetectConfig,
    refs: References,
    *,
    until_us: int,
    vessel_reports: pa.Table | None = None,
    mmsi_issues: pa.Table | None = None,
    types: tuple[str, ...] = ALL_TYPES,
    total: int,
    rows: int,
    on_step: StepCallback | None = None,
) -> tuple[pa.Table, DetectionRun]:
    """Every event over vessel partitions; ``partitions()`` is iterated twice when there
    is more than one (``total`` partitions, ``rows`` positions in all, for progress and
    the size of the shared-position sketch).

    Returns the events and the run (its ``positions`` and ``vessels`` counts).
    """
    if total < 1:
        raise ValueError(f"detect_partitions: total = {total}; give the number of partitions "
                         "partitions() yields (at least 1)")
    bits = int(np.clip(np.ceil(np.log2(max(rows, 1) * 5)), 16, MAX_SKETCH_BITS))
    run = DetectionRun(config, refs, until_us, types, single=total <= 1, sketch_bits=bits)
    steps = 2 * total + 1
    done = 0
    for part in partitions():
        run.add_partition(part)
        done += 1
        if on_step is not None:
            on_step("vessels", done, steps)
    if run.sketch is not None:
        for part in partitions():
            run.add_candidates(part)
            done += 1
            if on_step is not None:
                on_step("shared positions", done, steps)
    events = run.finish(vessel_reports, mmsi_issues)
    if on_step is not None:
        on_step("encounters and identities", steps, steps)
    return events, run


def detect_all(
    positions: pa.Table,
    config: DetectConfig,
    refs: References,
    *,
    vessel_reports: pa.Table | None = None,
    mmsi_issues: pa.Table | None = None,
    until_us: int | None = None,
    types: tuple[str, ...] = ALL_TYPES,
) -> pa.Table:
    """Every event of ``types`` in ``positions`` (canonical columns, any row order)."""
    if until_us is None:
        until_us = int(pc.max(positions["ts"].cast(pa.int64())).as_py() or 0)
    events, _ = detect_partitions(lambda: [positions], config, refs, until_us=until_us,
                                  vessel_reports=vessel_reports, mmsi_issues=mmsi_issues,
                                  types=types, total=1, rows=positions.num_rows)
    return events
