"""Reading observations: every bad record refused with its file, line, field and fix."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from observation_samples import DENIAL, NAJIN
from vesselwatch.cases.observations import (
    check_against,
    content_id,
    observation,
    read_observations,
)
from vesselwatch.errors import InputError
from vesselwatch.model.observations import (
    CONTENT_COLUMNS,
    CREDIBILITY,
    KINDS,
    OBSERVATIONS,
    RELIABILITY,
)

COLUMNS = ", ".join(OBSERVATIONS.names)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def raises(path: Path, text: str) -> None:
    with pytest.raises(InputError) as info:
        read_observations(path)
    assert str(info.value) == text.format(path=path)


def without(record: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in names}


# (change to the Najin record, the exact message after "<file>, line 2: ")
BAD = [
    ({"kind": "satellite"},
     f"field 'kind' is 'satellite'; the kinds are {', '.join(KINDS)}"),
    ({"ts": "2023-09-12T02:00:00"},
     "field 'ts' (2023-09-12T02:00:00) has no zone; end it with Z or an offset such as +03:00"),
    ({"ts": "12/09/2023"},
     "field 'ts' is '12/09/2023', not an ISO 8601 time; write e.g. 2023-09-01T12:00:00Z"),
    ({"ts": "1975-06-01T00:00:00Z"},
     "field 'ts' (1975-06-01T00:00:00Z) is outside 1980-2100; check the time"),
    ({"ts": "2100-01-01T00:00:00Z"},
     "field 'ts' (2100-01-01T00:00:00Z) is outside 1980-2100; check the time"),
    ({"ts": 1694484000},
     "field 'ts' is 1694484000; write an ISO 8601 time such as 2023-09-01T12:00:00Z (in "
     "quotes in JSON)"),
    ({"ts": None},
     "field 'ts' is empty; write when it was seen or said, e.g. 2023-09-01T12:00:00Z"),
    ({"end_ts": "2023-09-12T01:00:00Z"},
     "field 'end_ts' (2023-09-12T01:00:00Z) is before 'ts' (2023-09-12T02:00:00Z); swap them "
     "or fix the times"),
    ({"lat": 91},
     "field 'lat' is 91.0, outside the earth; a latitude is -90 to 90 (north positive)"),
    ({"lon": -180.5},
     "field 'lon' is -180.5, outside the earth; a longitude is -180 to 180 (east positive)"),
    ({"lat": "north"}, "field 'lat' is 'north'; write decimal degrees such as 42.2417"),
    ({"lon": None},
     "field 'lat' is given but 'lon' is empty; give both lat and lon (decimal degrees) or "
     "neither"),
    ({"lat": None},
     "field 'lon' is given but 'lat' is empty; give both lat and lon (decimal degrees) or "
     "neither"),
    ({"lat": None, "lon": None, "place": ""},
     "no place and no vessel; give lat and lon, place (a port id or a name such as "
     "'Tikhoretsk depot'), mmsi, imo or vessel_name"),
    ({"reliability": "G"},
     "field 'reliability' is 'G'; grade the source with one letter: A completely reliable, "
     "B usually reliable, C fairly reliable, D not usually reliable, E unreliable, "
     "F reliability cannot be judged"),
    ({"reliability": "B2"},
     "field 'reliability' is 'B2'; grade the source with one letter: A completely reliable, "
     "B usually reliable, C fairly reliable, D not usually reliable, E unreliable, "
     "F reliability cannot be judged"),
    ({"credibility": 7},
     "field 'credibility' is 7; grade the information with one digit: 1 confirmed by other "
     "sources, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 truth cannot "
     "be judged"),
    ({"credibility": "B"},
     "field 'credibility' is 'B'; grade the information with one digit: 1 confirmed by "
     "other sources, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 truth "
     "cannot be judged"),
    ({"mmsi": 2731234567},
     "field 'mmsi' is 2731234567; an MMSI is nine digits (leading zeros count), e.g. "
     "273123456"),
    ({"mmsi": "27312345a"},
     "field 'mmsi' is '27312345a'; an MMSI is nine digits (leading zeros count), e.g. "
     "273123456"),
    ({"mmsi": 0},
     "field 'mmsi' is 0; an MMSI is nine digits (leading zeros count), e.g. 273123456"),
    ({"imo": 907472},
     "field 'imo' is 907472; an IMO number is seven digits, e.g. 9074729"),
    ({"imo": "90747290"},
     "field 'imo' is '90747290'; an IMO number is seven digits, e.g. 9074729"),
    ({"vessel": "Angara"}, f"unknown field 'vessel'; the fields are {COLUMNS}"),
    ({"claim": ""},
     "field 'claim' is empty; write what it says, e.g. 'containers on Pier 1 at Najin'"),
    ({"source": 5}, "field 'source' is 5; write it as text (in quotes in JSON)"),
    ({"interested": True},
     "field 'interested' is true but 'party' is empty; name the party that states it, "
     "e.g. 'Russia'"),
    ({"interested": "maybe"}, "field 'interested' is 'maybe'; write true or false"),
    ({"observation_id": "pier 1"},
     "field 'observation_id' is 'pier 1'; an id is 1-64 letters, digits and . _ : / - "
     "(starting with a letter or digit), or leave it empty for one made from the content"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_bad_record_refused_with_exact_message(tmp_path: Path, change: dict[str, Any],
                                               message: str) -> None:
    path = write_jsonl(tmp_path / "obs.jsonl", [NAJIN, {**NAJIN, **change}])
    raises(path, "{path}, line 2: " + message)


def test_required_field_missing(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "obs.jsonl", [without(NAJIN, "claim")])
    raises(path, "{path}, line 1: field 'claim' is missing; write what it says, e.g. "
                 "'containers on Pier 1 at Najin'")


def test_json_line_errors(tmp_path: Path) -> None:
    path = tmp_path / "obs.jsonl"
    path.write_text(json.dumps(NAJIN) + "\n\n{\"kind\": \n", encoding="utf-8")
    raises(path, "{path}, line 3: not valid JSON (Expecting value); write one JSON object "
                 "per line")
    path.write_text("[1, 2]\n", encoding="utf-8")
    raises(path, "{path}, line 1: a line must be a JSON object ({{...}}), found list; write "
                 "one observation per line")


def csv_text(header: list[str], *rows: list[str]) -> str:
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


HEADER = ["kind", "ts", "lat", "lon", "place", "source", "reliability", "credibility", "claim"]
ROW = ["satellite_image", "2023-09-12T02:00:00Z", "42.2333", "130.3", "KPRJN",
       "CSIS Beyond Parallel", "B", "2", "containers on Pier 1 at Najin"]


def test_csv_header_and_shape_errors(tmp_path: Path) -> None:
    path = tmp_path / "obs.csv"
    path.write_text(csv_text([*HEADER, "vessel"], [*ROW, "Angara"]), encoding="utf-8")
    raises(path, f"{{path}}, line 1: unknown column 'vessel'; the columns are {COLUMNS}")
    path.write_text(csv_text(HEADER[:-1], ROW[:-1]), encoding="utf-8")
    raises(path, "{path}, line 1: no column 'claim'; an observation file needs the columns "
                 "kind, ts, source, reliability, credibility, claim")
    path.write_text(csv_text([*HEADER, "place"], [*ROW, "Najin"]), encoding="utf-8")
    raises(path, "{path}, line 1: column 'place' appears twice; keep one")
    path.write_text(csv_text(HEADER, ROW, [*ROW[:-1], "containers, 3 piers"]),
                    encoding="utf-8")
    raises(path, "{path}, line 3: 10 cells, but the header (line 1) has 9 columns; quote "
                 "text that holds commas, or add the missing cells")
    path.write_text("", encoding="utf-8")
    raises(path, "{path}: empty; a CSV observation file starts with a header row such as "
                 "kind,ts,source,reliability,credibility,claim,place")


def test_csv_line_numbers_count_quoted_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "obs.csv"
    multi = [*ROW[:-1], '"containers on Pier 1\nand Pier 2"']
    bad = [*ROW[:-2], "9", "containers"]
    path.write_text(csv_text(HEADER, multi, bad), encoding="utf-8")
    raises(path, "{path}, line 4: field 'credibility' is '9'; grade the information with "
                 "one digit: 1 confirmed by other sources, 2 probably true, 3 possibly true, "
                 "4 doubtful, 5 improbable, 6 truth cannot be judged")


def test_same_id_with_other_content_in_one_file(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "obs.jsonl",
                       [DENIAL, NAJIN, {**DENIAL, "claim": "nothing was shipped"}])
    raises(path, "{path}, line 3: observation_id 'ru-denial-1' is also on line 1 with other "
                 "content; give each observation its own id")


def test_missing_file(tmp_path: Path) -> None:
    raises(tmp_path / "nope.csv", "{path}: no such observation file; check the path")


def test_csv_and_jsonl_read_the_same(tmp_path: Path) -> None:
    header = [*HEADER, "observation_id", "party", "interested"]
    denial = ["denial", "2023-10-14T10:00:00+03:00", "", "", "Dunai",
              "Russian Ministry of Foreign Affairs", "F", "6",
              '"no munitions were received from the DPRK"', "ru-denial-1", "Russia", "true"]
    csv_path = tmp_path / "obs.csv"
    csv_path.write_text(csv_text(header, [*ROW, "", "", ""], denial), encoding="utf-8-sig")
    from_csv = read_observations(csv_path)
    from_json = read_observations(write_jsonl(tmp_path / "obs.jsonl", [NAJIN, DENIAL]))
    assert from_csv.equals(from_json)
    assert from_csv.schema == OBSERVATIONS
    rows = from_csv.to_pylist()
    assert re.fullmatch(r"[0-9a-f]{16}", rows[0]["observation_id"])
    assert rows[0]["interested"] is False
    assert rows[0]["added_at"] is None
    assert rows[1]["observation_id"] == "ru-denial-1"
    assert rows[1]["ts"] == datetime(2023, 10, 14, 7, tzinfo=UTC)
    assert (rows[1]["party"], rows[1]["interested"]) == ("Russia", True)


def test_content_id_is_stable_and_ignores_id_and_added_at(tmp_path: Path) -> None:
    first = read_observations(write_jsonl(tmp_path / "a.jsonl", [NAJIN])).to_pylist()[0]
    again = read_observations(write_jsonl(
        tmp_path / "b.jsonl", [{**NAJIN, "ts": "2023-09-12T11:00:00+09:00",
                                "added_at": "2024-01-01T00:00:00Z"}])).to_pylist()[0]
    assert first["observation_id"] == again["observation_id"] == content_id(first)
    other = observation(**{**NAJIN, "credibility": 3}).to_pylist()[0]
    assert other["observation_id"] != first["observation_id"]


def test_observation_takes_python_values_and_normalises() -> None:
    row = observation(kind="rail_shipment", ts=datetime(2023, 10, 20, 9, tzinfo=UTC),
                      end_ts=datetime(2023, 10, 21, tzinfo=timezone(timedelta(hours=3))),
                      place="Tikhoretsk depot", imo="IMO 9074729", vessel_name="  Angara ",
                      source="RUSI", reliability="b", credibility=3,
                      claim="rail wagons from Dunai to the Tikhoretsk depot").to_pylist()[0]
    assert row["end_ts"] == datetime(2023, 10, 20, 21, tzinfo=UTC)
    assert (row["imo"], row["vessel_name"], row["reliability"]) == (9074729, "Angara", "B")
    assert observation(**{**NAJIN, "place": "KP RJN"})["place"].to_pylist() == ["KPRJN"]
    with pytest.raises(InputError) as info:
        observation(**{**NAJIN, "ts": datetime(2023, 9, 12)})
    assert str(info.value) == ("observation: field 'ts' (2023-09-12 00:00:00) has no zone; "
                               "end it with Z or an offset such as +03:00")


def test_check_against_refuses_unknown_vessels() -> None:
    seen = observation(**{**NAJIN, "mmsi": 273123456, "imo": 9074729})
    check_against(seen, {273123456}, {9074729})
    by_name = observation(**{**without(NAJIN, "lat", "lon", "place"), "vessel_name": "Maia-1"})
    check_against(by_name, set(), set())
    with pytest.raises(InputError) as info:
        check_against(pa.concat_tables([seen, by_name]), {273123457}, {9074729})
    oid = seen["observation_id"][0].as_py()
    assert str(info.value) == (
        f"observation {oid!r} (satellite_image, 2023-09-12T02:00:00Z, 'containers on Pier 1 "
        "at Najin'): unknown vessel: the store has never seen MMSI 273123456; check the "
        "number, ingest that vessel's AIS first, or name it by vessel_name only")
    with pytest.raises(InputError, match="never seen IMO 9074729;"):
        check_against(seen, {273123456}, set())


def test_constants_match_the_admiralty_scale() -> None:
    assert list(RELIABILITY) == ["A", "B", "C", "D", "E", "F"]
    assert list(CREDIBILITY) == [1, 2, 3, 4, 5, 6]
    assert "observation_id" not in CONTENT_COLUMNS and "added_at" not in CONTENT_COLUMNS


# -- docs/observations.md and the code agree; its examples read --------------------------

DOC = (Path(__file__).resolve().parents[2] / "docs" / "observations.md").read_text()


def _section(title: str) -> str:
    return DOC.split(title, 1)[1].split("\n## ", 1)[0]


def test_doc_lists_every_column_in_order_with_its_type() -> None:
    rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", _section("## Columns\n"), flags=re.M)
    assert [name for name, _ in rows] == OBSERVATIONS.names
    for name, spelled in rows:
        arrow = str(OBSERVATIONS.field(name).type).replace("tz=UTC", "UTC")
        assert {"double": "float64"}.get(arrow, arrow) == spelled.strip(), name


def test_doc_lists_every_kind_and_the_admiralty_wording() -> None:
    kinds = re.findall(r"^\| `([a-z_]+)` \|", _section("## Kinds\n"), flags=re.M)
    assert kinds == list(KINDS)
    scale = {code: wording.strip() for code, wording in re.findall(
        r"^\| `([A-F1-6])` \| ([^|]+) \|", _section("## The Admiralty grading\n"), flags=re.M)}
    assert scale == {**RELIABILITY, **{str(k): v for k, v in CREDIBILITY.items()}}


def test_doc_examples_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = dict(re.findall(r"```(csv|json|python)\n(.*?)```", DOC, flags=re.S))
    (tmp_path / "observations.csv").write_text(blocks["csv"], encoding="utf-8")
    (tmp_path / "observations.jsonl").write_text(blocks["json"], encoding="utf-8")
    from_csv = read_observations(tmp_path / "observations.csv").to_pylist()
    from_json = read_observations(tmp_path / "observations.jsonl").to_pylist()
    assert [r["kind"] for r in from_csv] == ["satellite_image", "rail_shipment", "denial"]
    assert [r["kind"] for r in from_json] == ["satellite_image", "satellite_image", "denial"]
    najin, denial = from_csv[0], from_csv[2]
    assert (najin["place"], najin["reliability"], najin["credibility"]) == ("KPRJN", "B", 2)
    assert (denial["party"], denial["interested"]) == ("Russia", True)
    # the same Najin image and denial, written either way, are the same observations
    assert from_json[0] == najin and from_json[2] == denial
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    exec(compile(blocks["python"], "docs/observations.md", "exec"), namespace)
    assert namespace["table"].num_rows == 3
    assert namespace["one"].to_pylist()[0] == {**denial, "observation_id":
                                               namespace["one"]["observation_id"][0].as_py()}
