"""Truth files: JSON Lines and Parquet round trips, and strict errors on bad lines."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vesselwatch.errors import InputError
from vesselwatch.evaluate import TRUTH, load_truth, truth_table, write_truth

A, B = 273_000_001, 273_000_002
UNTIL = datetime(2023, 9, 8, tzinfo=UTC)


def sample() -> pa.Table:
    return truth_table({
        "event_type": ["gap", "encounter", "spoofing", "port_visit"],
        "mmsi": [A, A, B, B],
        "other_mmsi": [None, B, None, None],
        "start_ts": [datetime(2023, 9, 1, 1, tzinfo=UTC), datetime(2023, 9, 2, tzinfo=UTC),
                     datetime(2023, 9, 3, 12, 0, 0, 250, tzinfo=UTC),
                     datetime(2023, 9, 7, 20, tzinfo=UTC)],
        "end_ts": [datetime(2023, 9, 1, 8, tzinfo=UTC), datetime(2023, 9, 2, 3, tzinfo=UTC),
                   datetime(2023, 9, 3, 12, 5, tzinfo=UTC), None],
        "port_id": [None, None, None, "RUVVO"],
        "kind": [None, None, "jump", None],
        "label": ["planted 7 h gap", None, "jump to land", "still in port"],
    })


@pytest.mark.parametrize("name", ["truth.jsonl", "truth.parquet"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    table = sample()
    path = write_truth(table, tmp_path / name, until=UNTIL)
    back = load_truth(path)
    assert back.events.schema == TRUTH
    assert back.events.equals(table)
    assert back.until == UNTIL
    assert back.until_us == 1_694_131_200_000_000
    assert load_truth(write_truth(table, tmp_path / ("plain-" + name))).until is None


@pytest.mark.parametrize("name", ["truth.jsonl", "truth.parquet"])
def test_the_covered_vessels_round_trip(tmp_path: Path, name: str) -> None:
    path = write_truth(sample(), tmp_path / name, until=UNTIL, vessels=[B, A, A])
    back = load_truth(path)
    assert back.vessels == frozenset({A, B}) and back.until == UNTIL
    assert load_truth(write_truth(sample(), tmp_path / ("all-" + name))).vessels is None


def test_the_json_lines_as_written(tmp_path: Path) -> None:
    lines = write_truth(sample(), tmp_path / "t.jsonl", until=UNTIL).read_text().splitlines()
    assert json.loads(lines[0]) == {"truth_until": "2023-09-08T00:00:00Z"}
    assert json.loads(lines[1]) == {
        "event_type": "gap", "mmsi": A, "other_mmsi": None,
        "start_ts": "2023-09-01T01:00:00Z", "end_ts": "2023-09-01T08:00:00Z",
        "port_id": None, "kind": None, "label": "planted 7 h gap", "cause": None}
    assert json.loads(lines[3])["start_ts"] == "2023-09-03T12:00:00.000250Z"


def test_offsets_and_blank_lines_are_read(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"truth_until": "2023-09-08T02:00:00+02:00"}\n\n'
        '{"event_type": "gap", "mmsi": 1, "start_ts": "2023-09-01T03:00:00+02:00", '
        '"end_ts": null}\n')
    truth = load_truth(path)
    assert truth.until == UNTIL
    row = truth.events.to_pylist()[0]
    assert row["start_ts"] == datetime(2023, 9, 1, 1, tzinfo=UTC)
    assert row["end_ts"] is None and row["other_mmsi"] is None


GOOD = {"event_type": "gap", "mmsi": A, "start_ts": "2023-09-01T01:00:00Z",
        "end_ts": "2023-09-01T08:00:00Z"}


@pytest.mark.parametrize(("change", "field", "says"), [
    ({"event_type": "gaps"}, "event_type", "the types are"),
    ({"mmsi": "273000001"}, "mmsi", "at most 9 digits"),
    ({"mmsi": 1_234_567_890}, "mmsi", "at most 9 digits"),
    ({"mmsi": True}, "mmsi", "at most 9 digits"),
    ({"start_ts": "yesterday"}, "start_ts", "not an ISO 8601 time"),
    ({"start_ts": "2023-09-01T01:00:00"}, "start_ts", "no UTC offset"),
    ({"start_ts": None}, "start_ts", "is null"),
    ({"end_ts": "2023-09-01T00:00:00Z"}, "end_ts", "before 'start_ts'"),
    ({"end_ts": 1693530000}, "end_ts", "ISO 8601"),
    ({"other_mmsi": B}, "other_mmsi", "only encounters"),
    ({"event_type": "encounter"}, "other_mmsi", "needs the other vessel"),
    ({"event_type": "encounter", "other_mmsi": A}, "other_mmsi", "two vessels"),
    ({"kind": "jump"}, "kind", "only spoofing"),
    ({"event_type": "spoofing", "kind": "teleport"}, "kind", "the kinds of spoofing"),
    ({"label": 7}, "label", "as text"),
    ({"vessel": A}, "vessel", "unknown field"),
])
def test_a_bad_line_names_file_line_and_field(tmp_path: Path, change: dict[str, object],
                                              field: str, says: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps({**GOOD, **change}) + "\n")
    with pytest.raises(InputError) as info:
        load_truth(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line 2: ")
    assert repr(field) in message and says in message


@pytest.mark.parametrize(("text", "says"), [
    ("not json\n", "line 1: not valid JSON"),
    ("[1, 2]\n", "line 1: a line must be a JSON object"),
    ('{"event_type": "gap", "mmsi": 1, "start_ts": "2023-09-01T00:00:00Z"}\n',
     "line 1: field 'end_ts' is missing; write null"),
    (json.dumps(GOOD) + '\n{"truth_until": "2023-09-08T00:00:00Z"}\n',
     "line 2: fields 'truth_until' and 'truth_vessels' go on the first line, alone"),
    ('{"truth_until": "2023-09-08T00:00:00Z", "x": 1}\n',
     "line 1: fields 'truth_until' and 'truth_vessels' go on the first line, alone"),
    ('{"truth_vessels": [1, "two"]}\n', "line 1: field 'truth_vessels' is 'two'"),
    ('{"event_type": "port_visit", "mmsi": 1, "start_ts": "2023-09-01T00:00:00Z", '
     '"end_ts": null, "cause": "coverage"}\n', "line 1: field 'cause' is set on a port_visit; only gaps have a cause"),
    ('{"event_type": "gap", "mmsi": 1, "start_ts": "2023-09-01T00:00:00Z", '
     '"end_ts": null, "cause": "fog"}\n', "line 1: field 'cause' is 'fog'; the causes are coverage, transponder_off"),
    ('{"truth_until": "soon"}\n', "line 1: field 'truth_until' is 'soon'"),
])
def test_bad_lines_of_other_shapes(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    with pytest.raises(InputError, match="^" + re.escape(f"{path}, {says}")):
        load_truth(path)


def test_bad_parquet_rows_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    good = sample()
    bad = good.set_column(1, pa.field("mmsi", pa.int64()),
                          pa.array([A, A, -5, B], pa.int64()))
    pq.write_table(bad, path)
    with pytest.raises(InputError, match="^" + re.escape(f"{path}, row 3: field 'mmsi' is -5")):
        load_truth(path)
    pq.write_table(good.drop_columns(["end_ts"]), path)
    with pytest.raises(InputError, match="no column 'end_ts'"):
        load_truth(path)
    pq.write_table(good.append_column("speed", pa.array([1.0] * 4)), path)
    with pytest.raises(InputError, match="unknown column 'speed'"):
        load_truth(path)
    pq.write_table(good.set_column(3, "start_ts", pa.array(["x"] * 4)), path)
    with pytest.raises(InputError, match="column 'start_ts' is string, not a timestamp"):
        load_truth(path)


def test_missing_files_and_bad_suffixes(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such truth file"):
        load_truth(tmp_path / "none.jsonl")
    with pytest.raises(InputError, match=r"use \.jsonl or \.parquet"):
        write_truth(sample(), tmp_path / "t.csv")


def test_the_writer_refuses_a_bad_table(tmp_path: Path) -> None:
    bad = sample().set_column(0, "event_type", pa.array(["gap", "encounter", "gap", "gap"]))
    with pytest.raises(InputError, match="truth table, row 3: field 'kind' is set on a gap"):
        write_truth(bad, tmp_path / "t.jsonl")
    assert not (tmp_path / "t.jsonl").exists()
