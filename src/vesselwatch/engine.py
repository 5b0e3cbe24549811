"""The one engine object: opens a store and runs ingest and queries on it.

The CLI, the Python API and (later) the web app are thin faces over :class:`Engine`.
Progress goes through a callback the face supplies; the engine prints nothing.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from vesselwatch.errors import InputError
from vesselwatch.ingest import read_file, resolve_format
from vesselwatch.model.events import EventType
from vesselwatch.store import IngestResult, Store, StoreInfo
from vesselwatch.store.store import DEFAULT_LOCK_TIMEOUT_S

if TYPE_CHECKING:
    from vesselwatch.detect.config import DetectConfig
    from vesselwatch.detect.suite import References
    from vesselwatch.engine_screen import ScreenReport
    from vesselwatch.evaluate import Evaluation
    from vesselwatch.screen.matching import ScreenParams

log = logging.getLogger(__name__)

STORE_ENV = "VESSELWATCH_STORE"
LOCK_TIMEOUT_ENV = "VESSELWATCH_LOCK_TIMEOUT"  # seconds a writer waits for another one
DEFAULT_STORE = Path("~/.local/share/vesselwatch/store")

ALL_EVENT_TYPES = tuple(t.value for t in EventType)
DEFAULT_WATCHLIST = "dprk-russia"
PARTITION_ROWS = 4_000_000  # positions per vessel partition while detecting (memory bound)

# (what, done, total): bytes read of all inputs while ingesting; steps while detecting
ProgressCallback = Callable[[str, int, int], None]


def default_store_path() -> Path:
    """``$VESSELWATCH_STORE``, else ``~/.local/share/vesselwatch/store``."""
    env = os.environ.get(STORE_ENV)
    return Path(env).expanduser() if env else DEFAULT_STORE.expanduser()


def parse_time(text: str, what: str = "time") -> datetime:
    """An ISO 8601 time; UTC where it gives no offset. Raises :class:`InputError`."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{what} {text!r} is not an ISO 8601 time; write e.g. 2023-09-01 or "
            "2023-09-01T12:00:00Z"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def epoch_us(when: datetime) -> int:
    return int((when - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000)


@dataclass
class SourceReport:
    """One input file of an ingest: how it was read, or why it was not."""

    path: str
    format: str
    sha256: str
    size: int
    source_id: str | None = None
    already_ingested: bool = False
    lines: int = 0


@dataclass
class IngestReport:
    """The summary ``vesselwatch ingest`` prints (and its ``--json`` twin)."""

    store: str
    result: IngestResult
    sources: list[SourceReport] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "seconds": round(self.seconds, 3),
            **self.result.to_dict(),
            "inputs": [s.__dict__ for s in self.sources],
        }


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file: memory-mapped (no copy into a buffer) where it can be,
    else read in 1 MiB blocks."""
    h = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as f:
            try:
                with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                    h.update(mapped)
                    return h.hexdigest(), len(mapped)
            except (ValueError, OSError):  # empty, or not a regular file (a pipe, a device)
                pass
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
                size += len(block)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file; pass the files inside it") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from None
    return h.hexdigest(), size


class Engine:
    """Opens (or creates) a store and runs work on it."""

    def __init__(self, store: str | os.PathLike[str] | None = None, *, create: bool = True):
        self.store_path = Path(store).expanduser() if store is not None else default_store_path()
        self._create = create
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            wait = float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT_S))
            self._store = Store.open(self.store_path, create=self._create, lock_timeout=wait)
        return self._store

    # -- ingest --------------------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        fmt: str = "auto",
        reference_time: datetime | None = None,
        strict: bool = False,
        profile: str | Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Read every file into the store in one atomic, idempotent ingest.

        A file already in the store (same SHA-256) is skipped. Bad lines are quarantined
        with their reason; with ``strict`` the first one raises
        :class:`~vesselwatch.errors.StrictModeError` and nothing is written.
        """
        began = time.perf_counter()
        files = [Path(p) for p in paths]
        checked = [(p, *file_sha256(p), resolve_format(p, fmt, profile)) for p in files]
        total = sum(size for _, _, size, _ in checked)
        done = 0
        reference_us = epoch_us(reference_time) if reference_time is not None else None
        reports: list[SourceReport] = []
        with self.store.begin_ingest() as txn:
            for path, sha, size, file_fmt in checked:
                report = SourceReport(str(path), file_fmt, sha, size)
                reports.append(report)
                if txn.already_ingested(sha):
                    report.already_ingested = True
                    done += size
                    log.info("%s: already in the store, skipped", path)
                    continue
                report.source_id = txn.add_source(str(path), sha, size, file_fmt)
                file_done = 0
                for batch in read_file(path, report.source_id, file_fmt, reference_us=reference_us,
                                       strict=strict, profile=profile):
                    txn.add(batch)
                    report.lines += batch.lines
                    file_done = min(size, file_done + batch.bytes_read)
                    if progress is not None:
                        progress("read", done + file_done, total)
                done += size
            result = txn.commit()
        if progress is not None:
            progress("read", total, total)
        return IngestReport(str(self.store.path), result, reports, time.perf_counter() - began)

    # -- queries -------------------------------------------------------------------------

    def info(self) -> StoreInfo:
        """What the store holds."""
        return self.store.info()

    def positions(
        self,
        mmsi: Iterable[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        columns: Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> pa.Table:
        """Positions in canonical columns, sorted by (mmsi, ts); the range is [start, end).
        ``columns``: only these; ``bbox``: (min_lon, min_lat, max_lon, max_lat) in degrees,
        edges included (min_lon > max_lon crosses the antimeridian); rows without a
        position are then left out."""
        wanted = list(mmsi) if mmsi is not None else None
        return self.store.positions(mmsi=wanted or None, start=start, end=end,
                                    columns=columns, bbox=bbox)

    def vessel_reports(
        self,
        mmsi: Iterable[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pa.Table:
        """Vessel reports (names, IMO, call signs, dimensions) in canonical columns."""
        wanted = list(mmsi) if mmsi is not None else None
        return self.store.vessel_reports(mmsi=wanted or None, start=start, end=end)

    def quarantine(self) -> pa.Table:
        """Every quarantined line with its reason, source and line number."""
        return self.store.quarantine()

    # -- screening -----------------------------------------------------------------------

    def screen(
        self,
        sanctions: Iterable[str | os.PathLike[str]] = (),
        *,
        watchlist: str | os.PathLike[str] | None = DEFAULT_WATCHLIST,
        params: ScreenParams | None = None,
    ) -> ScreenReport:
        """Screen every vessel identity in the store (all names, IMOs, MMSIs, call signs
        and flags it used) against the sanctions lists and the watchlist's vessels; the
        hits replace those of the previous run (false-positive marks stay).
        ``docs/screening.md`` defines the tiers and the score."""
        from vesselwatch.engine_screen import screen_store
        from vesselwatch.screen.matching import ScreenParams

        return screen_store(self, [Path(p) for p in sanctions],
                       None if watchlist is None else os.fspath(watchlist),
                       params or ScreenParams())

    def hits(self, tiers: Iterable[str] | None = None, *,
             false_positives: bool = True) -> pa.Table:
        """The hits of the latest screening run (``SCREENING_HITS``), strongest first."""
        from vesselwatch.model.sanctions import SCREENING_HITS, TIERS
        from vesselwatch.store.screening import read_hits

        table = read_hits(self.store.path)
        if table is None:
            raise InputError(f"{self.store.path}: no screening yet; run vesselwatch screen first")
        wanted = list(tiers or TIERS)
        unknown = sorted(set(wanted) - set(TIERS))
        if unknown:
            raise InputError(f"unknown tier {', '.join(unknown)}; the tiers are "
                             f"{', '.join(TIERS)}")
        keep = [t in wanted and (false_positives or not fp) for t, fp in
                zip(table["tier"].to_pylist(), table["false_positive"].to_pylist())]
        return table.filter(pa.array(keep, pa.bool_())).cast(SCREENING_HITS)

    def mark_false_positive(self, hit_id: str, note: str = "", *, undo: bool = False) -> int:
        """Mark a hit of the latest run as a false positive (or unmark it with ``undo``);
        the mark stays on every re-run. Returns how many hits are marked."""
        from vesselwatch.store.screening import mark_false_positive, read_hits

        hits = read_hits(self.store.path)
        known = {} if hits is None else {
            r["hit_id"]: r for r in hits.select(["hit_id", "mmsi", "entity_id"]).to_pylist()}
        if hit_id not in known and not undo:
            raise InputError(f"no hit {hit_id!r} in the latest screening of {self.store.path}; "
                             "vesselwatch screen --json lists the hit ids")
        row = known.get(hit_id, {})
        marks = mark_false_positive(self.store.path, hit_id, note=note, undo=undo,
                                    mmsi=row.get("mmsi"), entity_id=row.get("entity_id"),
                                    lock_timeout=self.store.lock_timeout)
        return len(marks)

    # -- cases ---------------------------------------------------------------------------

    def cases(self, *, watchlist: str = DEFAULT_WATCHLIST,
              min_likelihood: str | None = None) -> pa.Table:
        """Every shipment case of the latest detection run with its evidence and graded
        likelihood (``CASES``), strongest first (``docs/cases.md``)."""
        from vesselwatch.engine_cases import build_store_cases
        from vesselwatch.model.cases import LIKELIHOOD

        table = build_store_cases(self, watchlist)
        if min_likelihood is not None:
            if min_likelihood not in LIKELIHOOD:
                raise InputError(f"unknown likelihood {min_likelihood!r}; the terms are "
                                 f"{', '.join(LIKELIHOOD)}")
            floor = LIKELIHOOD.index(min_likelihood)
            keep = [s >= floor for s in table["likelihood_step"].to_pylist()]
            table = table.filter(pa.array(keep, pa.bool_()))
        return table

    def observe(self, file: str | os.PathLike[str] | None = None, **fields: Any) -> int:
        """Add outside observations (``docs/observations.md``): a CSV or JSON-lines file,
        or one observation from ``fields``. Each is checked (an unknown vessel, an
        impossible time or place, an invalid grade is refused) and a refused import changes
        nothing. Returns how many were new."""
        from vesselwatch.cases.observations import observation, read_observations
        from vesselwatch.engine_cases import add_store_observations

        table = read_observations(Path(file)) if file is not None else observation(**fields)
        return add_store_observations(self, table)

    def vessel(self, key: int, *, watchlist: str = DEFAULT_WATCHLIST,
               weights: str | os.PathLike[str] | None = None) -> dict[str, Any]:
        """One vessel by MMSI or IMO: identities over time, events, screening hits, risk
        profile (weights from a TOML file's ``[risk]``; ``docs/cases.md``) and cases."""
        from vesselwatch.cases.risk import load_weights
        from vesselwatch.engine_cases import vessel_profile

        return vessel_profile(self, key, watchlist,
                              load_weights(None if weights is None else Path(weights)))

    def observations(self) -> pa.Table:
        """Every observation in the store (``OBSERVATIONS``)."""
        from vesselwatch.store.observations import read_observations

        return read_observations(self.store.path)

    def case(self, case_id: str, *, watchlist: str = DEFAULT_WATCHLIST) -> dict[str, Any]:
        """One case, its evidence and reasons decoded from JSON."""
        from vesselwatch.engine_cases import decoded_case

        rows = [r for r in self.cases(watchlist=watchlist).to_pylist() if r["case_id"] == case_id]
        if not rows:
            raise InputError(f"no case {case_id!r} in {self.store.path}; vesselwatch cases "
                             "lists them")
        return decoded_case(rows[0])

    # -- evaluation ----------------------------------------------------------------------

    def evaluate(
        self,
        truth_path: str | os.PathLike[str],
        *,
        event_types: Iterable[str] | None = None,
        min_confidence: int = 1,
        tolerance_s: float = 0.0,
    ) -> Evaluation:
        """Score the events of the latest ``detect`` run against a truth file: precision,
        recall and timing error per event type, and every miss (``docs/evaluate.md``).

        Open events end at the truth file's ``truth_until`` when it gives one, else at the
        latest position time in the store (the ``until`` the detectors used).
        """
        from vesselwatch.evaluate import evaluate, load_truth

        truth = load_truth(Path(truth_path))
        kinds = list(event_types or [])
        unknown = sorted(set(kinds) - set(ALL_EVENT_TYPES))
        if unknown:
            raise InputError(f"unknown event type {', '.join(unknown)}; the types are "
                             f"{', '.join(ALL_EVENT_TYPES)}")
        store = self.store
        if store.detection() is None:
            raise InputError(f"{store.path}: no events yet; run vesselwatch detect first")
        until_us = truth.until_us
        until_source = "truth_until"
        if until_us is None:
            n_rows, end_us = store.rows_and_end("positions")
            until_us, until_source = (end_us, "store") if n_rows else (None, "events")
        result = evaluate(store.events(), truth.events, until_us=until_us,
                          tolerance_s=tolerance_s, min_confidence=min_confidence,
                          types=kinds or None, vessels=truth.vessels)
        result.params.update({"truth": str(truth_path), "store": str(store.path),
                              "until_from": until_source})
        return result

    # -- detection -----------------------------------------------------------------------

    def detect(
        self,
        *,
        config: DetectConfig | str | os.PathLike[str] | None = None,
        ports_file: str | os.PathLike[str] | None = None,
        watchlist: str | os.PathLike[str] | None = DEFAULT_WATCHLIST,
        progress: ProgressCallback | None = None,
    ) -> DetectReport:
        """Run every detector over the whole store and replace its events with the result.

        ``config``: a :class:`DetectConfig` or a TOML file (None: the documented defaults).
        Ports are the packaged World Port Index, the watchlist's ports (overriding) and
        ``ports_file`` (overriding both). Deterministic: the same store and parameters
        give the same events and ids.
        """
        from vesselwatch.detect.config import DetectConfig, load_config

        cfg = config if isinstance(config, DetectConfig) else load_config(
            None if config is None else Path(config))
        return _detect(self, cfg, None if ports_file is None else Path(ports_file),
                       None if watchlist is None else os.fspath(watchlist), progress)

    def events(
        self,
        event_types: Iterable[str] | None = None,
        mmsi: Iterable[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        min_confidence: int | None = None,
    ) -> pa.Table:
        """Events of the latest ``detect`` run overlapping ``[start, end)``, filtered."""
        vessels = list(mmsi or [])
        bad = [m for m in vessels if not 0 <= m <= 999_999_999]
        if bad:
            raise InputError(f"MMSI {bad[0]}: an MMSI is a number of at most 9 digits")
        kinds = list(event_types or [])
        unknown = sorted(set(kinds) - set(ALL_EVENT_TYPES))
        if unknown:
            raise InputError(f"unknown event type {', '.join(unknown)}; the types are "
                             f"{', '.join(ALL_EVENT_TYPES)}")
        return self.store.events(kinds or None, vessels or None, start, end, min_confidence)


@dataclass
class DetectReport:
    """The summary ``vesselwatch detect`` prints (and its ``--json`` twin)."""

    store: str
    positions: int
    vessels: int
    events: dict[str, int]
    by_confidence: dict[str, dict[str, int]]
    ports: int
    watched_ports: int
    watchlist: str | None
    config: dict[str, Any]
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "seconds": round(self.seconds, 3)}


def build_references(config: DetectConfig, ports_file: str | Path | None = None,
                     watchlist: str | Path | None = DEFAULT_WATCHLIST) -> References:
    """The reference layers detection reads: the packaged World Port Index, the
    watchlist's ports (overriding; they are the watched ports) and ``ports_file``
    (overriding both), and the packaged land mask."""
    from vesselwatch.detect.suite import References
    from vesselwatch.reference.land import default_land_mask
    from vesselwatch.reference.ports import load_port_file, load_wpi
    from vesselwatch.reference.watchlist import load_watchlist
    ports = load_wpi()
    watched = ports.subset(np.zeros(len(ports), dtype=bool))
    listed = load_watchlist(watchlist) if watchlist is not None else None
    if listed is not None:
        watched = listed.port_index(ports)
        ports = listed.merged_ports(ports)
    if ports_file is not None:
        pv = config.port_visits
        ports = ports.merge_override(load_port_file(ports_file,
                                                    (pv.entry_radius_m, pv.exit_radius_m)))
        # a user's better position or radius for a watched port serves dark voyages too
        watched_ids = set(watched.port_id)
        watched = ports.subset(np.array([p in watched_ids for p in ports.port_id], dtype=bool))
    return References(ports=ports, watched=watched, land=default_land_mask())


def _detect(engine: Engine, config: DetectConfig, ports_file: str | Path | None,
            watchlist: str | Path | None, progress: ProgressCallback | None) -> DetectReport:
    from vesselwatch.detect.suite import detect_partitions
    began = time.perf_counter()
    refs = build_references(config, ports_file, watchlist)
    ports, watched = refs.ports, refs.watched
    store = engine.store
    snap = store.snapshot()  # one state of the store for the whole run
    reports = store.columns("vessel_reports", ["mmsi", "ts", "imo", "name", "callsign",
                                               "ship_type", "mmsi_issue"], snap)
    n_rows, until_us = store.rows_and_end("positions", snap)
    columns = ["mmsi", "ts", "lat", "lon", "sog_kn", "mmsi_issue"]
    n_parts = max(1, len(store.vessel_partition_plan(PARTITION_ROWS, snap)))
    events, run = detect_partitions(
        lambda: store.vessel_partitions(columns, PARTITION_ROWS, snap), config, refs,
        until_us=until_us, vessel_reports=reports,
        on_step=progress, total=n_parts, rows=n_rows)
    counts = {t: 0 for t in ALL_EVENT_TYPES}
    by_conf: dict[str, dict[str, int]] = {t: {} for t in ALL_EVENT_TYPES}
    if events.num_rows:
        for row in events.group_by(["event_type", "confidence"]).aggregate(
                [("event_id", "count")]).to_pylist():
            counts[row["event_type"]] += row["event_id_count"]
            by_conf[row["event_type"]][str(row["confidence"])] = row["event_id_count"]
    report = DetectReport(
        store=str(store.path), positions=run.positions, vessels=run.vessels,
        events=counts, by_confidence=by_conf, ports=len(ports), watched_ports=len(watched),
        watchlist=str(watchlist) if watchlist is not None else None,
        config=config.to_dict(),
    )
    store.write_events(events, {
        "data_generation": snap.generation,
        "config": config.to_dict(), "watchlist": report.watchlist,
        "ports": len(ports), "events": counts,
        "ports_file": str(ports_file) if ports_file is not None else None,
    })
    report.seconds = time.perf_counter() - began
    return report
