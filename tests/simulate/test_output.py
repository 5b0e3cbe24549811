"""The simulator's writers, judged by the real readers: every line not listed as damaged
decodes (NMEA with pyais too), ingest keeps exactly the expected rows, and its quarantine
holds exactly the listed lines with their reasons."""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyais
import pyarrow as pa
import pytest

import vesselwatch
from vesselwatch.engine import IngestReport
from vesselwatch.errors import InputError
from vesselwatch.simulate.output import NMEA_KINDS, write_nmea
from vesselwatch.simulate.output_rows import CSV_KINDS, PARQUET_KINDS, write_noaa_csv, write_parquet
from vesselwatch.simulate.received import RECEIVED_POSITIONS, RECEIVED_STATICS
from vesselwatch.simulate.writing import CORRUPT_SCHEMA, OutputReport, write_corrupt

T0 = 1_709_251_200  # 2024-03-01T00:00:00Z
STATIONS = ["RU-VVO-1", "SAT-2", "KP-NAM-3"]
N_A, N_B = 16, 8  # class A and class B vessels
CHANGED = {0, 1, N_A}  # vessels that change identity after the first hour
SHARES = {"corrupt_share": 0.02, "duplicate_share": 0.02}
WRITERS = {"nmea": write_nmea, "noaa": write_noaa_csv, "parquet": write_parquet}
KINDS = {"nmea": NMEA_KINDS, "noaa": CSV_KINDS, "parquet": PARQUET_KINDS}
SUFFIX = {"nmea": ".nmea", "noaa": ".csv", "parquet": ".parquet"}
# how far a stored position may lie from the received one: AIS 1/600000 degree (and NOAA's
# 5 decimals), stored to 1e-6
LAT_TOL = {"nmea": 0.5 / 600_000 + 1e-6, "parquet": 0.5 / 600_000 + 1e-6,
           "noaa": 0.5 / 600_000 + 0.5e-5 + 1e-9}


def _ts(seconds: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(seconds, np.int64) * 1_000_000).cast(pa.timestamp("us", tz="UTC"))


def received(seed: int = 3) -> tuple[pa.Table, pa.Table]:
    """Two hours of 24 vessels: positions at even seconds (4% heard by two stations),
    statics at odd seconds, three identity changes, rows shuffled."""
    rng = np.random.default_rng(seed)
    cols: dict[str, list[Any]] = {f.name: [] for f in RECEIVED_POSITIONS}
    for i in range(N_A + N_B):
        k = 240
        ts = T0 + 30 * np.arange(k) + 2 * rng.integers(0, 10, k)
        lat = rng.uniform(30, 50) + np.cumsum(rng.normal(0, 0.01, k))
        lon = rng.uniform(125, 140) + np.cumsum(rng.normal(0, 0.01, k))
        gone = rng.random(k) < 0.01
        lat[gone] = lon[gone] = np.nan
        cols["mmsi"] += [_mmsi(i)] * k
        cols["ts"] += ts.tolist()
        cols["msg_type"] += ([18] * k if i >= N_A else rng.choice([1, 2, 3], k).tolist())
        cols["lat"] += lat.tolist()
        cols["lon"] += lon.tolist()
        for name, hi, share in (("sog_kn", 25.0, 0.03), ("cog_deg", 360.0, 0.03),
                                ("heading_deg", 360.0, 0.1)):
            v = rng.uniform(0, hi, k)
            v[rng.random(k) < share] = np.nan
            cols[name] += v.tolist()
        cols["nav_status"] += rng.integers(0, 16, k).tolist()
        cols["station"] += [None if rng.random() < 0.02 else STATIONS[rng.integers(3)]
                            for _ in range(k)]
        cols["channel"] += rng.choice(["A", "B"], k).tolist()
    twin = np.flatnonzero(rng.random(len(cols["mmsi"])) < 0.04)  # heard twice
    for name in cols:
        cols[name] += [cols[name][j] for j in twin]
    cols["station"][-len(twin):] = ["SAT-9"] * len(twin)
    cols["ts"] = _ts(np.array(cols["ts"]))
    positions = pa.table(cols, schema=RECEIVED_POSITIONS)
    positions = positions.take(pa.array(rng.permutation(positions.num_rows)))
    rows: list[dict[str, Any]] = []
    for i in range(N_A + N_B):
        for j in range(20):
            t = T0 + 360 * j + 1 + 2 * (i % 5)
            rows.append(_static(i, t, changed=i in CHANGED and t > T0 + 3600))
    return positions, pa.Table.from_pylist(rows, schema=RECEIVED_STATICS)


def _mmsi(i: int) -> int:
    return 273_000_000 + 1_111 * i if i < N_A else 412_000_000 + 2_222 * i


def _static(i: int, t: int, *, changed: bool) -> dict[str, Any]:
    b = i >= N_A
    name = {2: "OCEAN, STAR", 3: 'SAY "HI"'}.get(i, f"VESSEL {i}") + (" II" if changed else "")
    return {
        "mmsi": _mmsi(i), "ts": t * 1_000_000, "msg_type": 24 if b else 5,  # microseconds
        "imo": 0 if b else 9_000_000 + 10 * i + changed, "name": name,
        "callsign": f"UB{i:02d}{'X' if changed else ''}", "ship_type": 37 if b else 70,
        "to_bow": 8 if b else 100 + i, "to_stern": 4 if b else 20, "to_port": 2 if b else 10,
        "to_starboard": 2 if b else 12, "draught_m": math.nan if b else 5.5 + i / 10,
        "destination": "" if b else "NAKHODKA", "station": STATIONS[i % 3],
        "channel": "AB"[i % 2],
    }


@dataclass
class Written:
    fmt: str
    path: Path
    report: OutputReport
    ingest: IngestReport
    positions: pa.Table  # as stored
    vessel_reports: pa.Table
    quarantine: pa.Table


@pytest.fixture(scope="module")
def tables() -> tuple[pa.Table, pa.Table]:
    return received()


@pytest.fixture(scope="module", params=list(WRITERS))
def written(request: pytest.FixtureRequest, tables: tuple[pa.Table, pa.Table],
            tmp_path_factory: pytest.TempPathFactory) -> Written:
    fmt = request.param
    folder = tmp_path_factory.mktemp(fmt)
    path = folder / f"sim{SUFFIX[fmt]}"
    report = WRITERS[fmt](*tables, path, seed=11, **SHARES)
    engine = vesselwatch.open_store(folder / "store")
    result = engine.ingest([path])
    return Written(fmt, path, report, result, engine.positions(), engine.vessel_reports(),
                   engine.quarantine())


def _keys(t: pa.Table) -> Counter[tuple[int, int]]:
    seconds = (t["ts"].cast(pa.int64()).to_numpy() // 1_000_000).tolist()
    return Counter(zip(t["mmsi"].to_pylist(), seconds, strict=True))


def _kept(tables: tuple[pa.Table, pa.Table], w: Written, table: int) -> set[tuple[int, int]]:
    """(mmsi, ts) of the input rows of ``table`` (0 positions, 1 statics) of which at least
    one copy was not damaged. Positions stand at even seconds, statics at odd ones."""
    have = _keys(tables[table])
    spoilt = _keys(w.report.corrupt)
    return {k for k, n in have.items() if n - spoilt[k] > 0}


def _spoilt_statics(r: OutputReport) -> int:
    return sum(t % 2 for _, t in _keys(r.corrupt).elements())


def test_the_quarantine_is_exactly_the_damage_list(written: Written) -> None:
    w, c = written, written.report.corrupt
    assert c.schema == CORRUPT_SCHEMA
    got = sorted(zip(w.quarantine["source_line"].to_pylist(), w.quarantine["reason"].to_pylist(),
                     strict=True))
    listed = sorted(zip(c["line"].to_pylist(), c["reason"].to_pylist(), strict=True))
    assert got == listed
    kinds = KINDS[w.fmt]
    assert set(c["kind"].to_pylist()) == set(kinds)  # every kind of damage is exercised
    for kind, reason in zip(c["kind"].to_pylist(), c["reason"].to_pylist(), strict=True):
        assert reason == kinds[kind].value
    assert w.ingest.result.rejects == dict(sorted(Counter(c["reason"].to_pylist()).items()))
    n = w.report.messages
    assert c.num_rows == round(SHARES["corrupt_share"] * n)
    assert w.report.duplicates == round(SHARES["duplicate_share"] * n)


def test_ingest_keeps_every_undamaged_row_once(written: Written,
                                               tables: tuple[pa.Table, pa.Table]) -> None:
    w, r = written, written.report
    result = w.ingest.result
    assert r.identical > 0  # the fixture has messages heard by two stations
    assert sum(result.duplicates.values()) == r.duplicates + r.identical
    kept = _kept(tables, w, 0)
    stored = _keys(w.positions)
    assert set(stored) == kept and max(stored.values()) == 1
    if w.fmt == "nmea":
        assert result.positions + result.vessel_reports == (
            r.messages - r.corrupt.num_rows - r.identical)
        assert result.vessel_reports == 2 * N_B * 20 + N_A * 20 - _spoilt_statics(r)
    else:
        assert r.messages == tables[0].num_rows
        assert result.positions == r.messages - r.corrupt.num_rows - r.identical
    assert r.lines == result.lines


def _circular(a: float, b: float, full: float) -> float:
    d = abs(a - b) % full
    return min(d, full - d)


def test_stored_positions_are_the_received_values(written: Written,
                                                  tables: tuple[pa.Table, pa.Table]) -> None:
    w = written
    sent: dict[tuple[int, int], dict[str, Any]] = {}
    stations: dict[tuple[int, int], set[str | None]] = {}
    for row in tables[0].to_pylist():
        key = (row["mmsi"], int(row["ts"].timestamp()))
        sent[key] = row
        stations.setdefault(key, set()).add(row["station"])
    tol = LAT_TOL[w.fmt]
    for got in w.positions.to_pylist():
        key = (got["mmsi"], int(got["ts"].timestamp()))
        want = sent[key]
        for c in ("lat", "lon"):
            if math.isnan(want[c]):
                assert got[c] is None
            else:
                assert abs(got[c] - want[c]) <= tol, (key, c)
        for c, full, step in (("sog_kn", None, 0.05), ("cog_deg", 360.0, 0.05),
                              ("heading_deg", 360.0, 0.5)):
            if math.isnan(want[c]):
                assert got[c] is None, (key, c)
            elif full is None:
                assert abs(got[c] - want[c]) <= step + 1e-4, (key, c)
            else:
                assert _circular(got[c], want[c], full) <= step + 1e-4, (key, c)
        class_b = want["msg_type"] == 18
        assert got["ais_class"] == ("B" if class_b else "A")
        assert got["nav_status"] == (None if class_b else want["nav_status"])
        if w.fmt != "noaa":  # NOAA has no message type or station
            assert got["msg_type"] == want["msg_type"]
            assert got["station"] in stations[key]


def _expected_reports(tables: tuple[pa.Table, pa.Table], w: Written) -> Counter[tuple[int, str]]:
    """CSV and Parquet: one report per vessel and run of rows with the same static report
    (the latest at or before each undamaged row), as (mmsi, name)."""
    statics: dict[int, list[tuple[int, str]]] = {}
    for row in tables[1].to_pylist():
        statics.setdefault(row["mmsi"], []).append((int(row["ts"].timestamp()), row["name"]))
    out: Counter[tuple[int, str]] = Counter()
    last: dict[int, str] = {}
    for mmsi, t in sorted(_kept(tables, w, 0)):
        known = sorted(statics[mmsi])
        at = bisect.bisect_right([s for s, _ in known], t) - 1
        if at < 0:
            continue
        name = known[at][1]
        if last.get(mmsi) != name:
            out[(mmsi, name)] += 1
            last[mmsi] = name
    return out


def test_vessel_reports(written: Written, tables: tuple[pa.Table, pa.Table]) -> None:
    w = written
    got = Counter(zip(w.vessel_reports["mmsi"].to_pylist(), w.vessel_reports["name"].to_pylist(),
                      strict=True))
    if w.fmt == "nmea":  # one per static message: type 24 gives part A (name) and B (none)
        want: Counter[tuple[int, str | None]] = Counter()
        for row in tables[1].to_pylist():
            want[(row["mmsi"], row["name"])] += 1
            if row["msg_type"] == 24:
                want[(row["mmsi"], None)] += 1
        assert all(got[k] <= want[k] for k in got)
        assert sum(got.values()) == sum(want.values()) - _spoilt_statics(w.report)
    else:
        assert got == _expected_reports(tables, w)
        row = w.vessel_reports.filter(pa.compute.equal(w.vessel_reports["mmsi"], _mmsi(0)))
        first = row.sort_by("ts").slice(0, 1).to_pylist()[0]
        assert (first["imo"], first["callsign"], first["ship_type"]) == (9_000_000, "UB00", 70)
        assert (first["length_m"], first["width_m"]) == (120.0, 22.0)
        assert first["draught_m"] == pytest.approx(5.5)


GROUP = re.compile(r"g:(\d+)-(\d+)-(\d+)")
CLOCK = re.compile(r"c:(\d+)")


def _iso(text: str) -> int | None:
    try:
        return int(datetime.fromisoformat(text + "+00:00").timestamp())
    except ValueError:  # a damaged time
        return None


def _row_times(w: Written) -> list[int | None]:
    """The time (epoch seconds) of every line (NMEA: None for part 2) or row, in file order."""
    if w.fmt == "parquet":
        import pyarrow.parquet as pq

        return [int(t.timestamp()) for t in pq.read_table(w.path)["ts"].to_pylist()]
    text = w.path.read_text().splitlines()
    if w.fmt == "noaa":
        return [_iso(line.split(",")[1]) if line.count(",") > 5 else None for line in text[1:]]
    return [int(m.group(1)) if (m := CLOCK.search(line)) else None for line in text]


def test_output_is_in_time_order(written: Written) -> None:
    """Undamaged first copies stand in time order; a repeat stands a few lines after its
    original (up to 5, plus a part 2 it may not split from its part 1, plus other repeats
    put at the same place). NOAA rows of a message heard twice are repeats too."""
    w = written
    listed = set(w.report.corrupt["line"].to_pylist())
    first = 2 if w.fmt == "noaa" else 1
    if w.fmt == "parquet":
        import pyarrow.parquet as pq

        rows = [json.dumps(r, default=str) for r in pq.read_table(w.path).to_pylist()]
    else:
        rows = w.path.read_text().splitlines()[first - 1 :]
    seen: dict[str, int] = {}
    times = []
    gaps = []
    for i, (row, t) in enumerate(zip(rows, _row_times(w), strict=True)):
        if row in seen:
            gaps.append(i - seen[row])
        elif i + first not in listed:
            seen[row] = i
            if t is not None:
                times.append(t)
    assert times == sorted(times)
    assert len(gaps) >= w.report.duplicates and min(gaps) >= 1
    if w.fmt != "noaa":  # a repeated type 5 message is two repeated lines
        assert len(gaps) <= 2 * w.report.duplicates and max(gaps) <= 10


def test_every_nmea_line_not_listed_decodes_with_pyais(tables: tuple[pa.Table, pa.Table],
                                                       tmp_path: Path) -> None:
    path = tmp_path / "sim.nmea"
    report = write_nmea(*tables, path, seed=5, **SHARES)
    lines = path.read_text().splitlines()
    assert len(lines) == report.lines
    listed = set(report.corrupt["line"].to_pylist())
    spoilt_groups = {g.group(3) for n in listed if (g := GROUP.search(lines[n - 1]))}
    sent = {(r["mmsi"], int(r["ts"].timestamp())): r for r in tables[0].to_pylist()}
    got: Counter[tuple[int, int]] = Counter()
    pending: dict[str, list[str]] = {}
    for number, line in enumerate(lines, start=1):
        g = GROUP.search(line)
        if g is not None and g.group(1) == "1" and number + 1 not in listed:
            after = GROUP.search(lines[number]) if number < len(lines) else None
            # a message's parts stand together (unless part 2 was dropped on purpose)
            assert (after is not None and after.group(3) == g.group(3)) or g.group(3) in spoilt_groups
        if number in listed:
            continue
        if g is not None:
            if g.group(3) in spoilt_groups:  # the other part of a damaged message
                continue
            pending.setdefault(g.group(3), []).append(line)
            if g.group(1) != g.group(2):
                continue
            parts = pending.pop(g.group(3))
        else:
            parts = [line]
        d = pyais.decode(*(p.encode() for p in parts))
        clock = CLOCK.search(parts[0])
        assert clock is not None
        key = (d.mmsi, int(clock.group(1)))
        got[key] += 1
        if d.msg_type in (1, 2, 3, 18):
            want = sent[key]
            assert d.msg_type == want["msg_type"]
            assert d.second == key[1] % 60
            if not math.isnan(want["lat"]):
                assert abs(d.lat - want["lat"]) <= LAT_TOL["nmea"]
                assert abs(d.lon - want["lon"]) <= LAT_TOL["nmea"]
    assert not pending
    expected = _keys(tables[0]) + _keys(tables[1])
    expected.update(_keys(tables[1].filter(pa.compute.equal(tables[1]["msg_type"], 24))))
    expected.subtract(_keys(report.corrupt))
    assert all(got[k] >= n for k, n in expected.items())
    assert sum(got.values()) - sum(expected.values()) == report.duplicates


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_same_seed_same_bytes(fmt: str, tables: tuple[pa.Table, pa.Table], tmp_path: Path) -> None:
    a, b, c = (tmp_path / f"{x}{SUFFIX[fmt]}" for x in "abc")
    WRITERS[fmt](*tables, a, seed=1, **SHARES)
    WRITERS[fmt](*tables, b, seed=1, **SHARES)
    WRITERS[fmt](*tables, c, seed=2, **SHARES)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_damage_list_as_json_lines(tables: tuple[pa.Table, pa.Table], tmp_path: Path) -> None:
    report = write_noaa_csv(*tables, tmp_path / "sim.csv", seed=1, **SHARES)
    out = write_corrupt(report.corrupt, tmp_path / "corrupt.jsonl")
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == report.corrupt.num_rows
    first = report.corrupt.to_pylist()[0]
    assert rows[0] == {"line": first["line"], "kind": first["kind"], "reason": first["reason"],
                       "mmsi": first["mmsi"],
                       "ts": first["ts"].strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_nothing_spoilt_nothing_repeated(tables: tuple[pa.Table, pa.Table],
                                         tmp_path: Path) -> None:
    report = write_nmea(*tables, tmp_path / "clean.nmea", seed=1, corrupt_share=0.0,
                        duplicate_share=0.0)
    assert (report.corrupt.num_rows, report.duplicates) == (0, 0)
    assert report.lines == report.messages + N_A * 20  # type 5 takes two lines
    empty = write_nmea(RECEIVED_POSITIONS.empty_table(), RECEIVED_STATICS.empty_table(),
                       tmp_path / "empty.nmea", seed=1)
    assert (empty.lines, empty.messages, (tmp_path / "empty.nmea").read_bytes()) == (0, 0, b"")


def test_errors_name_the_problem(tables: tuple[pa.Table, pa.Table], tmp_path: Path) -> None:
    positions, statics = tables
    with pytest.raises(InputError, match=r"lacks the columns \['station'\]"):
        write_nmea(positions.drop_columns(["station"]), statics, tmp_path / "x.nmea", seed=1)
    bad = positions.set_column(3, "lat", pa.array(np.full(positions.num_rows, 95.0)))
    with pytest.raises(InputError, match=r"row 0: lat=95.0 is outside"):
        write_noaa_csv(bad, statics, tmp_path / "x.csv", seed=1)
    with pytest.raises(InputError, match="corrupt_share=2"):
        write_parquet(positions, statics, tmp_path / "x.parquet", seed=1, corrupt_share=2)
    for writer in WRITERS.values():
        with pytest.raises(InputError, match="cannot be written"):
            writer(positions, statics, tmp_path / "no" / "such" / "file", seed=1)
