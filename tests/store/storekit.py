"""Small hand-built batches for the store tests (imported by the tests as ``storekit``).

A plain module rather than ``conftest.py`` so that test modules can import its builders
without clashing with the ``conftest`` modules of other test directories.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from vesselwatch.ingest.batch import Batch, quarantine_table
from vesselwatch.model.schema import POSITIONS, TS, VESSEL_REPORTS
from vesselwatch.store import IngestResult, Store

T0 = datetime(2020, 6, 30, tzinfo=UTC)

# (mmsi, seconds after T0, msg_hash, source_line)
Row = tuple[int, float, int, int]


def sha_of(name: str) -> str:
    """A stand-in sha256 for a named test source."""
    return hashlib.sha256(name.encode()).hexdigest()


def source_id_of(name: str) -> str:
    return sha_of(name)[:16]


def ts_of(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _base(rows: Sequence[Row], source: str) -> dict[str, pa.Array]:
    n = len(rows)
    mmsi, secs, hashes, lines = zip(*rows, strict=True) if rows else ((), (), (), ())
    ts_us = [int((T0.timestamp() + s) * 1_000_000) for s in secs]
    return {
        "mmsi": pa.array(mmsi, pa.uint32()),
        "ts": pa.array(ts_us, pa.int64()).cast(TS),
        "ts_source": pa.array(["csv"] * n, pa.string()),
        "received_ts": pa.nulls(n, TS),
        "source_id": pa.array([source_id_of(source)] * n, pa.string()),
        "source_line": pa.array(lines, pa.int64()),
        "msg_hash": pa.array(hashes, pa.uint64()),
    }


def positions_table(rows: Sequence[Row], source: str = "a.csv") -> pa.Table:
    """Canonical positions; lat/lon/sog are derived from the row so rows are distinguishable."""
    n = len(rows)
    cols = _base(rows, source)
    lines = np.array([r[3] for r in rows], dtype=np.float64)
    cols |= {
        "lat": pa.array(50.0 + (lines % 1000) / 1000.0, pa.float64()),
        "lon": pa.array(np.full(n, 10.5), pa.float64()),
        "sog_kn": pa.array(np.full(n, 12.5, np.float32)),
        "cog_deg": pa.nulls(n, pa.float32()),
        "heading_deg": pa.array(np.full(n, 90, np.uint16)),
        "rot_deg_min": pa.nulls(n, pa.float32()),
        "nav_status": pa.array(np.zeros(n, np.uint8)),
        "position_accuracy": pa.array([True] * n),
        "msg_type": pa.array(np.ones(n, np.uint8)),
        "ais_class": pa.array(["A"] * n, pa.string()),
        "mmsi_issue": pa.nulls(n, pa.string()),
        "station": pa.array(["rx1"] * n, pa.string()),
        "channel": pa.array(["A"] * n, pa.string()),
    }
    return pa.table({name: cols[name] for name in POSITIONS.names}, schema=POSITIONS)


def reports_table(rows: Sequence[Row], source: str = "a.csv") -> pa.Table:
    """Canonical vessel reports (type 5), named after their mmsi."""
    n = len(rows)
    cols = _base(rows, source)
    cols |= {
        "msg_type": pa.array(np.full(n, 5, np.uint8)),
        "part": pa.nulls(n, pa.uint8()),
        "ais_class": pa.array(["A"] * n, pa.string()),
        "mmsi_issue": pa.nulls(n, pa.string()),
        "imo": pa.array([9_000_000 + r[0] % 1000 for r in rows], pa.uint32()),
        "name": pa.array([f"SHIP {r[0]}" for r in rows], pa.string()),
        "callsign": pa.nulls(n, pa.string()),
        "ship_type": pa.array(np.full(n, 80, np.uint8)),
        "eta": pa.nulls(n, TS),
        "station": pa.nulls(n, pa.string()),
        "destination": pa.array(["ROTTERDAM"] * n, pa.string()),
    }
    for name in ("to_bow_m", "to_stern_m", "to_port_m", "to_starboard_m"):
        cols[name] = pa.nulls(n, pa.uint16())
    for name in ("length_m", "width_m", "draught_m"):
        cols[name] = pa.nulls(n, pa.float32())
    return pa.table({name: cols[name] for name in VESSEL_REPORTS.names}, schema=VESSEL_REPORTS)


def make_batch(
    source: str = "a.csv",
    positions: Sequence[Row] = (),
    reports: Sequence[Row] = (),
    rejects: Iterable[tuple[int, str]] = (),
    skipped: dict[str, int] | None = None,
    lines: int | None = None,
) -> Batch:
    """A Batch of one source, built by hand."""
    bad = list(rejects)
    q = quarantine_table(
        source_id_of(source),
        np.array([line for line, _ in bad], dtype=np.int64),
        [reason for _, reason in bad],
        [f"bad line {line}" for line, _ in bad],
    )
    counted = len(positions) + len(reports) + len(bad) + sum((skipped or {}).values())
    return Batch(
        positions=positions_table(positions, source),
        vessel_reports=reports_table(reports, source),
        rejects=q,
        skipped=Counter(skipped or {}),
        lines=counted if lines is None else lines,
    )


def ingest(store: Store, batches: dict[str, list[Batch]], **kw: object) -> IngestResult:
    """Ingest named sources the way the engine does: skip those already ingested."""
    with store.begin_ingest(**kw) as txn:  # type: ignore[arg-type]
        for name, parts in batches.items():
            if txn.already_ingested(sha_of(name)):
                continue
            txn.add_source(f"/data/{name}", sha_of(name), 1000, "csv")
            for b in parts:
                txn.add(b)
        return txn.commit()


def crash_dataset() -> dict[str, list[Batch]]:
    """Three sources of four batches each, over two days, with duplicates and rejects."""
    rng = np.random.default_rng(7)
    out: dict[str, list[Batch]] = {}
    for name in ("s1.nmea", "s2.nmea", "s3.nmea"):
        parts: list[Batch] = []
        line = 1
        for _ in range(4):
            pos: list[Row] = []
            rep: list[Row] = []
            bad: list[tuple[int, str]] = []
            for _ in range(40):
                mmsi = 200_000_000 + int(rng.integers(0, 30))
                secs = float(rng.integers(0, 48) * 3600)
                kind = rng.random()
                if kind < 0.8:
                    pos.append((mmsi, secs, int(rng.integers(0, 5)), line))
                elif kind < 0.95:
                    rep.append((mmsi, secs, int(rng.integers(0, 3)), line))
                else:
                    bad.append((line, "bad_checksum" if kind < 0.98 else "bad_payload"))
                line += 1
            parts.append(make_batch(name, pos, rep, bad, skipped={"empty_line": 1}))
        out[name] = parts
    return out


def table_files(root: Path) -> set[str]:
    """Every .parquet file under the table directories, relative to ``root``."""
    return {
        p.relative_to(root).as_posix()
        for table in ("positions", "vessel_reports", "quarantine")
        for p in (root / table).rglob("*.parquet")
    }
