"""Partition invariance: the suite over vessel partitions equals the suite over everything.

The engine runs detection partition by partition (whole vessels in each); encounters meet
across partitions through the resampled grid, shared positions through a count sketch and a
second, exact look at the candidates. Whatever the split, the events must be the same.
"""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc
from compare_helpers import positions_table, reports_table, scenario_references
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle_scenarios import scenario

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.suite import References, detect_all, detect_partitions


def _refs() -> References:
    return scenario_references()  # type: ignore[no-any-return]


def _shared(rows: list[tuple], copies: int) -> list[tuple]:
    """The same exact position reported by ``copies`` more vessels (a spoofing signal)."""
    t0 = rows[0][1]
    return [(999_000_000 + k, t0 + k * 60_000_000, 10.123456, 120.654321, 0.0)
            for k in range(copies)]


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(2, 5), st.integers(0, 4))
def test_events_do_not_depend_on_how_vessels_are_partitioned(seed: int, n_parts: int,
                                                             copies: int) -> None:
    case = scenario(random.Random(seed), 8)
    rows = case["positions"] + _shared(case["positions"], copies)
    positions = positions_table(rows)
    reports = reports_table(case["reports"])
    refs, cfg = _refs(), DetectConfig()
    until = int(pc.max(positions["ts"].cast(pa.int64())).as_py())
    whole = detect_all(positions, cfg, refs, vessel_reports=reports, until_us=until)
    part_of = pc.bit_wise_and(positions["mmsi"], n_parts - 1) if n_parts in (2, 4) else \
        pc.cast(pc.divide(positions["mmsi"], 7), pa.int64())

    def partitions() -> list[pa.Table]:
        keys = pc.remainder(pc.cast(part_of, pa.int64()), n_parts)
        return [positions.filter(pc.equal(keys, k)) for k in range(n_parts)]

    issues = None
    if "mmsi_issue" in positions.column_names:
        from vesselwatch.detect.identity import mmsi_issue_spans

        issues = mmsi_issue_spans(pa.concat_tables([
            positions.select(["mmsi", "ts", "mmsi_issue"]),
            reports.select(["mmsi", "ts", "mmsi_issue"])], promote_options="permissive"))
    split, _ = detect_partitions(partitions, cfg, refs, until_us=until, vessel_reports=reports,
                                 mmsi_issues=issues, total=n_parts, rows=positions.num_rows)
    assert split.to_pylist() == whole.to_pylist()
    shared = whole.filter(pc.and_(
        pc.match_substring(whole["details"], '"kind":"shared_position"'),
        pc.greater_equal(whole["mmsi"], 999_000_000)))
    assert shared.num_rows == (copies if copies >= 3 else 0)
