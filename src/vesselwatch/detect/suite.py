"""The whole detection suite over one set of positions: every detector, in dependency order.

Pure: tables and reference layers in, one event table out. The engine feeds it from the
store; a distributed engine (later) feeds it vessel partitions with the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.gaps import detect_gaps
from vesselwatch.detect.port_visits import detect_port_visits
from vesselwatch.detect.tracks import Tracks, prepare_tracks
from vesselwatch.detect.voyages import detect_dark_voyages, detect_voyages
from vesselwatch.model.events import EVENTS, EventType, sort_events
from vesselwatch.reference.ports import PortIndex

if TYPE_CHECKING:
    from vesselwatch.reference.land import LandMask

# (step name, steps done, steps in all)
StepCallback = Callable[[str, int, int], None]

ALL_TYPES = tuple(t.value for t in EventType)


@dataclass(frozen=True)
class References:
    """The reference layers detection reads."""

    ports: PortIndex  # every port visits are detected against (WPI + watched + user)
    watched: PortIndex  # the watched ports (dark voyages)
    land: LandMask


def detect_all(
    positions: pa.Table,
    config: DetectConfig,
    refs: References,
    *,
    vessel_reports: pa.Table | None = None,
    mmsi_issues: pa.Table | None = None,
    until_us: int | None = None,
    types: tuple[str, ...] = ALL_TYPES,
    on_step: StepCallback | None = None,
) -> pa.Table:
    """Every event of ``types`` in ``positions`` (canonical columns, any row order)."""
    from vesselwatch.detect.encounters import detect_encounters
    from vesselwatch.detect.identity import detect_identity
    from vesselwatch.detect.loitering import detect_loitering
    from vesselwatch.detect.spoofing import detect_spoofing

    steps: list[tuple[str, Callable[[Tracks], pa.Table]]] = []
    done: dict[str, pa.Table] = {}

    def step(name: str, fn: Callable[[Tracks], pa.Table]) -> None:
        steps.append((name, fn))

    step(EventType.GAP, lambda t: detect_gaps(t, config))
    step(EventType.PORT_VISIT, lambda t: detect_port_visits(t, config))
    step(EventType.ENCOUNTER, lambda t: detect_encounters(t, config))
    step(EventType.LOITERING, lambda t: detect_loitering(t, config))
    step(EventType.SPOOFING, lambda t: detect_spoofing(t, config))
    wanted = set(types)
    if EventType.VOYAGE in wanted or EventType.DARK_VOYAGE in wanted:
        wanted |= {EventType.GAP, EventType.PORT_VISIT}
    total = 1 + sum(1 for name, _ in steps if name in wanted) + 3
    count = 0

    def tick(name: str) -> None:
        nonlocal count
        count += 1
        if on_step is not None:
            on_step(name, count, total)

    tracks = prepare_tracks(positions, config, refs.ports, refs.land, until_us=until_us)
    tick("tracks")
    for name, fn in steps:
        if name in wanted:
            done[name] = fn(tracks)
            tick(name)
    if EventType.VOYAGE in wanted:
        done[EventType.VOYAGE] = detect_voyages(done[EventType.PORT_VISIT], done[EventType.GAP],
                                                config, until_us=tracks.until_us)
    tick(EventType.VOYAGE)
    if EventType.DARK_VOYAGE in wanted:
        done[EventType.DARK_VOYAGE] = detect_dark_voyages(done[EventType.GAP], refs.watched,
                                                          config)
    tick(EventType.DARK_VOYAGE)
    if EventType.IDENTITY_CHANGE in wanted and vessel_reports is not None:
        done[EventType.IDENTITY_CHANGE] = detect_identity(
            vessel_reports, mmsi_issues if mmsi_issues is not None else _no_issues(), config)
    tick(EventType.IDENTITY_CHANGE)
    tables = [t for name, t in done.items() if name in types and t.num_rows]
    if not tables:
        return EVENTS.empty_table()
    return sort_events(pa.concat_tables([t.cast(EVENTS) for t in tables]))


def _no_issues() -> pa.Table:
    return pa.table({
        "mmsi": pa.array([], pa.uint32()),
        "issue": pa.array([], pa.string()),
        "first_ts": pa.array([], pa.timestamp("us", tz="UTC")),
        "last_ts": pa.array([], pa.timestamp("us", tz="UTC")),
    })
