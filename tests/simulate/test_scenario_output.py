"""The acceptance check of the simulator on its flagship scenario: every sentence not
listed as damaged decodes (with pyais too), and every listed one is quarantined by
``vesselwatch ingest`` with the listed reason, in every output format."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pyais
import pytest

from vesselwatch.engine import Engine
from vesselwatch.simulate.run import simulate

GROUP = re.compile(r"g:(\d)-(\d)-(\d+)")


def corrupt_list(out: Path) -> list[dict[str, Any]]:
    text = (out / "truth" / "corrupt.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def nmea(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("dprk")
    return out, simulate("dprk-russia", out, seed=2, days=2)


def test_every_sentence_not_listed_decodes_with_pyais(nmea: tuple[Path, Any]) -> None:
    out, report = nmea
    lines = (out / "dprk-russia.nmea").read_text().splitlines()
    assert len(lines) == report.lines
    listed = {c["line"] for c in corrupt_list(out)}
    # a damaged multi-part message is listed once, at its first line: skip its group
    spoilt = {g.group(3) for n in listed if (g := GROUP.search(lines[n - 1]))}
    decoded: Counter[int] = Counter()
    parts: list[str] = []
    for number, line in enumerate(lines, start=1):
        g = GROUP.search(line)
        if number in listed or (g is not None and g.group(3) in spoilt):
            continue
        parts.append(line)
        if g is not None and g.group(1) != g.group(2):
            continue
        message = pyais.decode(*(p.encode() for p in parts))  # raises on any bad sentence
        decoded[message.msg_type] += 1
        parts = []
    assert not parts
    assert decoded[1] > 5_000 and decoded[5] > 1_000  # class A positions and statics
    assert decoded[18] > 1_000 and decoded[24] > 1_000  # the fishing boats are class B
    # every message written, each repeat once more, less the damaged ones
    assert sum(decoded.values()) == report.messages + report.duplicates - report.corrupt


@pytest.mark.parametrize("fmt", ["nmea", "noaa", "parquet"])
def test_every_listed_line_is_quarantined_with_its_reason(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "sim"
    report = simulate("thresholds", out, seed=5, days=0.75, fmt=fmt)
    engine = Engine(tmp_path / "store")
    result = engine.ingest([Path(p) for p in report.files]).result
    quarantine = engine.quarantine()
    got = sorted(zip(quarantine["source_line"].to_pylist(), quarantine["reason"].to_pylist()))
    listed = sorted((c["line"], c["reason"]) for c in corrupt_list(out))
    assert got == listed and len(listed) == report.corrupt > 0
    assert result.rejects == dict(sorted(Counter(r for _, r in listed).items()))
    assert sum(result.duplicates.values()) >= report.duplicates > 0
