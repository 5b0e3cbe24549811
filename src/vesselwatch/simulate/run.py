"""Run a scenario end to end: plans, streams, ground truth, output files.

The output folder holds the AIS file (NMEA, NOAA-style CSV or Parquet) and ``truth/``:

- ``events.jsonl``: the true events, in the format ``vesselwatch evaluate --truth`` reads
  (first line: the end of the data and the simulated vessels it covers);
- ``corrupt.jsonl``: every damaged line or row, with the reason ingest must give;
- ``slots.parquet``: every transponder slot of every simulated vessel: the true position
  and speed, the transponder state (on, off, spoof), coverage, and whether it arrived;
- ``steps.jsonl``: what each vessel did, step by step (including what no receiver saw:
  a port call with the transponder off);
- ``vessels.jsonl``: each vessel's identities, role and, where it carries a real ship's
  identity, why;
- ``manifest.json``: the scenario, seed, days, format, counts and files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vesselwatch.detect.config import DetectConfig
from vesselwatch.errors import InputError
from vesselwatch.evaluate.truth import write_truth
from vesselwatch.simulate.background import read_background
from vesselwatch.simulate.output import write_nmea
from vesselwatch.simulate.output_rows import write_noaa_csv, write_parquet
from vesselwatch.simulate.plans import VesselPlan, compile_plans
from vesselwatch.simulate.received import RECEIVED_POSITIONS
from vesselwatch.simulate.scenario import Scenario, load_scenario
from vesselwatch.simulate.truth import derive_truth
from vesselwatch.simulate.world import Streams, simulate_streams
from vesselwatch.simulate.writing import write_corrupt

__all__ = ["FORMATS", "SimulationReport", "simulate"]

FORMATS = ("nmea", "noaa", "parquet")
Progress = Callable[[str], None]


@dataclass
class SimulationReport:
    """What ``vesselwatch simulate`` prints (and its ``--json`` twin)."""

    scenario: str
    seed: int
    days: float
    format: str
    out_dir: str
    files: list[str]
    truth: str
    start: str
    end: str
    vessels: int
    background_vessels: int
    slots: int
    observable: int
    received_positions: int
    received_statics: int
    lines: int
    messages: int  # distinct messages written (a type 24 report is two: parts A and B)
    duplicates: int
    corrupt: int
    true_events: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seconds": round(self.seconds, 3)}


def simulate(scenario: Scenario | str | Path, out_dir: str | Path, *, seed: int = 1,
             days: float | None = None, fmt: str = "nmea",
             data_dir: str | Path | None = None, config: DetectConfig | None = None,
             progress: Progress | None = None) -> SimulationReport:
    """Simulate ``scenario`` into ``out_dir`` (created; files there are replaced)."""
    from vesselwatch.engine import DEFAULT_WATCHLIST, build_references

    began = time.perf_counter()
    note = progress or (lambda _what: None)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; give one of {', '.join(FORMATS)}")
    if seed < 0:
        raise InputError(f"seed {seed} is negative; give 0 or more")
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario,
                                                                      data_dir=data_dir)
    span = sc.days if days is None else days
    if not 1 / 24 <= span <= 366:
        raise InputError(f"--days {span}: give 1/24 to 366 days")
    end_s = sc.start_s + round(span * 86400)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)

    note("planning the vessels' voyages")
    plans = compile_plans(sc, seed=seed, end_s=end_s)
    note("transmitting and receiving")
    streams = simulate_streams(plans, sc, seed=seed, end_s=end_s)
    simulated = {row["mmsi"] for p in plans for row in p.identity_table()}
    n_background = 0
    if sc.background is not None:
        bg = read_background(sc.background.path, start_s=sc.start_s, end_s=end_s,
                             shift_to_start=sc.background.shift_to_start)
        clash = simulated & set(np.unique(bg.positions["mmsi"].to_numpy()).tolist())
        if clash:
            raise InputError(f"{sc.path}: MMSI {min(clash)} is both simulated and in the "
                             f"background file {sc.background.path}; pick other MMSIs")
        streams = _with_background(streams, bg.positions)
        n_background = bg.vessels

    note("deriving the ground truth")
    cfg = config or DetectConfig()
    refs = build_references(cfg, None, sc.watchlist or DEFAULT_WATCHLIST)
    truth = derive_truth(streams.observable_positions, streams.observable_statics,
                         streams.slots, plans, cfg, refs, until_us=end_s * 1_000_000,
                         covered=simulated if sc.background is not None else None)

    note(f"writing {fmt}")
    stem = sc.name
    if fmt == "nmea":
        written = write_nmea(streams.received_positions, streams.received_statics,
                             out / f"{stem}.nmea", seed=seed,
                             corrupt_share=sc.output.corrupt_share,
                             duplicate_share=sc.output.duplicate_share)
    elif fmt == "noaa":
        written = write_noaa_csv(streams.received_positions, streams.received_statics,
                                 out / f"{stem}.csv", seed=seed,
                                 corrupt_share=sc.output.corrupt_share,
                                 duplicate_share=sc.output.duplicate_share)
    else:
        written = write_parquet(streams.received_positions, streams.received_statics,
                                out / f"{stem}.parquet", seed=seed,
                                corrupt_share=sc.output.corrupt_share,
                                duplicate_share=sc.output.duplicate_share)
    truth_path = out / "truth" / "events.jsonl"
    write_truth(truth, truth_path, until=datetime.fromtimestamp(end_s, UTC),
                vessels=sorted(simulated))
    write_corrupt(written.corrupt, out / "truth" / "corrupt.jsonl")
    pq.write_table(streams.slots, out / "truth" / "slots.parquet", compression="zstd")
    _write_jsonl(out / "truth" / "steps.jsonl", _steps(plans))
    _write_jsonl(out / "truth" / "vessels.jsonl", _vessels(plans))

    counts: dict[str, int] = {}
    for t in truth["event_type"].to_pylist():
        counts[t] = counts.get(t, 0) + 1
    report = SimulationReport(
        scenario=sc.name, seed=seed, days=span, format=fmt, out_dir=str(out),
        files=[str(p) for p in written.paths], truth=str(truth_path),
        start=_iso(sc.start_s), end=_iso(end_s), vessels=len(plans),
        background_vessels=n_background, slots=streams.slots.num_rows,
        observable=streams.observable_positions.num_rows,
        received_positions=streams.received_positions.num_rows,
        received_statics=streams.received_statics.num_rows, lines=written.lines,
        messages=written.messages,
        duplicates=written.duplicates, corrupt=written.corrupt.num_rows,
        true_events=dict(sorted(counts.items())))
    report.seconds = time.perf_counter() - began
    (out / "manifest.json").write_text(json.dumps(report.to_dict(), indent=2) + "\n",
                                       encoding="utf-8")
    return report


def _with_background(streams: Streams, bg: pa.Table) -> Streams:
    n = bg.num_rows
    sog = bg["sog_kn"].to_numpy()
    received = pa.table({
        "mmsi": bg["mmsi"], "ts": bg["ts"], "msg_type": pa.array(np.ones(n, np.uint8)),
        "lat": bg["lat"], "lon": bg["lon"], "sog_kn": sog,
        "cog_deg": np.full(n, np.nan), "heading_deg": np.full(n, np.nan),
        "nav_status": pa.array(np.full(n, 15, np.uint8)),
        "station": pa.array(["BACKGROUND"] * n, pa.string()),
        "channel": pa.array(["A"] * n, pa.string()),
    }, schema=RECEIVED_POSITIONS)
    observable = pa.table({
        "mmsi": bg["mmsi"], "ts": bg["ts"], "lat": bg["lat"], "lon": bg["lon"],
        "sog_kn": pa.array(sog, pa.float32()),
        "msg_type": pa.array(np.ones(n, np.uint8)),
    })
    return Streams(
        slots=streams.slots,
        observable_positions=pa.concat_tables([streams.observable_positions, observable]),
        observable_statics=streams.observable_statics,
        received_positions=pa.concat_tables([streams.received_positions, received]),
        received_statics=streams.received_statics)


def _steps(plans: list[VesselPlan]) -> list[dict[str, Any]]:
    rows = []
    for plan in plans:
        for s in plan.steps:
            rows.append({**s, "start_ts": _iso(s["start_s"]), "end_ts": _iso(s["end_s"])})
    for r in rows:
        r.pop("start_s")
        r.pop("end_s")
    return rows


def _vessels(plans: list[VesselPlan]) -> list[dict[str, Any]]:
    return [{"mmsi": p.spec.mmsi, "name": p.spec.name, "imo": p.spec.imo or None,
             "role": p.spec.role or None, "class": p.spec.ais_class,
             "real_identity": p.spec.real_identity or None,
             "identities": [{**row, "from_ts": _iso(c.t_s)}
                            for row, c in zip(p.identity_table(), p.identities)]}
            for p in plans]


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
