"""load_sanctions: every shared list at once, the tables' invariants, kinds and clashes."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pyarrow.compute as pc
import pytest
from followthemoney.types import registry

from vesselwatch.errors import InputError
from vesselwatch.model.sanctions import (
    SANCTION_ENTITIES,
    SANCTION_FEATURES,
    normalise_callsign,
    normalise_imo,
    normalise_mmsi,
    normalise_name,
)
from vesselwatch.reference.sanctions import (
    PROBLEM_REASONS,
    SANCTION_PROBLEMS,
    SanctionsLists,
    load_sanctions,
)


def _shared(data_dir: Path) -> list[Path]:
    eu = data_dir / "sanctions_eu_vessels_opensanctions"
    return [data_dir / "sanctions_ofac_sdn_2021",
            data_dir / "sanctions_un_consolidated" / "UN_consolidated.xml",
            eu / "32014R0833.csv", eu / "32017R1509.csv"]


@pytest.fixture(scope="module")
def lists(data_dir: Path) -> SanctionsLists:
    return load_sanctions(_shared(data_dir), as_of=date(2021, 7, 7))


@pytest.mark.realdata
def test_tables_and_counts(lists: SanctionsLists) -> None:
    assert lists.entities.schema == SANCTION_ENTITIES
    assert lists.features.schema == SANCTION_FEATURES
    assert lists.problems.schema == SANCTION_PROBLEMS
    assert list(lists.counts) == ["ofac_sdn/sdn.csv", "un_sc/UN_consolidated.xml",
                                  "eu/32014R0833.csv", "eu/32017R1509.csv"]
    vessels = {k: (c["vessels"], c["vessels_with_imo"], c["vessels_derived"])
               for k, c in lists.counts.items()}
    assert vessels == {"ofac_sdn/sdn.csv": (406, 400, 0),
                       "un_sc/UN_consolidated.xml": (26, 0, 26),
                       "eu/32014R0833.csv": (633, 633, 0), "eu/32017R1509.csv": (75, 74, 0)}
    assert lists.entities.num_rows == sum(c["entities"] for c in lists.counts.values())
    assert lists.problems.num_rows == 2  # OFAC IMO 15411, EU "Does not exist"
    as_of = {s: set(lists.entities.filter(pc.equal(lists.entities["source"], s))["as_of"]
                    .to_pylist()) for s in ("ofac_sdn", "un_sc", "eu")}
    assert as_of == {"ofac_sdn": {date(2021, 7, 7)}, "un_sc": {date(2026, 2, 27)},
                     "eu": {date(2021, 7, 7)}}


@pytest.mark.realdata
def test_ids_and_references(lists: SanctionsLists) -> None:
    ids = lists.entities["entity_id"].to_pylist()
    assert len(ids) == len(set(ids))
    assert all(re.match(r"(ofac|un|eu)-", i) for i in ids)
    assert set(lists.features["entity_id"].to_pylist()) <= set(ids)
    owners = {o for row in lists.entities["owner_ids"].to_pylist() for o in row}
    assert owners and owners <= set(ids)


def _country(raw: str) -> str | None:
    value: str | None = registry.country.clean_text(raw)
    return value


@pytest.mark.realdata
def test_every_feature_is_its_normalised_raw_value(lists: SanctionsLists) -> None:
    normalisers = {"imo": normalise_imo, "mmsi": normalise_mmsi, "name": normalise_name,
                   "callsign": normalise_callsign,
                   "flag": _country}
    for row in lists.features.to_pylist():
        assert normalisers[row["feature"]](row["raw"]) == row["value"], row
    imos = lists.features.filter(pc.equal(lists.features["feature"], "imo"))["value"]
    assert all(re.fullmatch(r"[1-9]\d{6}", v) for v in imos.to_pylist())
    flags = lists.features.filter(pc.equal(lists.features["feature"], "flag"))["value"]
    assert all(re.fullmatch(r"[a-z]{2}", v) for v in flags.to_pylist())


@pytest.mark.realdata
def test_one_vessel_across_lists(lists: SanctionsLists) -> None:
    """IMO 8606173: OFAC's RYONG GUN BONG is the EU's "Chol Ryong (Ryong Gun Bong)"."""
    rows = lists.features.filter(pc.and_(pc.equal(lists.features["feature"], "imo"),
                                         pc.equal(lists.features["value"], "8606173")))
    assert sorted(rows["entity_id"].to_pylist()) == ["eu-32017R1509-XIII.B-imo8606173",
                                                     "ofac-17104"]


def test_same_entity_twice_names_both_files(data_dir: Path, tmp_path: Path) -> None:
    source = data_dir / "sanctions_eu_vessels_opensanctions" / "32017R1509.csv"
    if not source.is_file():
        pytest.skip("EU DPRK table not in the data folder")
    copy = tmp_path / "copy.csv"
    shutil.copyfile(source, copy)
    with pytest.raises(InputError, match=rf"entity id eu-32017R1509-\S+ is in {source} and "
                                         rf"in {copy}"):
        load_sanctions([source, copy])


def test_unknown_kinds(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("ship list\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"notes\.txt: not a sanctions list vesselwatch knows "
                                         r"\(it starts 'ship list'\); vesselwatch reads an OFAC"):
        load_sanctions([tmp_path / "notes.txt"])
    with pytest.raises(InputError, match=r"a folder without sdn\.csv"):
        load_sanctions([tmp_path])
    with pytest.raises(InputError, match="no such file or folder"):
        load_sanctions([tmp_path / "missing.xml"])


def test_kinds_are_recognised(tmp_path: Path) -> None:
    (tmp_path / "ofac").mkdir()
    (tmp_path / "ofac" / "sdn.csv").write_text(
        '1,"SEA","vessel","DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        '"Vessel Registration Identification IMO 9179842."\n', encoding="latin-1")
    (tmp_path / "un.xml").write_text(
        '<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-02"><ENTITIES>'
        "<ENTITY><FIRST_NAME>SEA CO</FIRST_NAME><REFERENCE_NUMBER>KPe.1</REFERENCE_NUMBER>"
        "</ENTITY></ENTITIES></CONSOLIDATED_LIST>", encoding="utf-8")
    (tmp_path / "os.json").write_text(
        '{"id": "x1", "schema": "Vessel", "properties": {"name": ["SEA"]}}\n', encoding="utf-8")
    lists = load_sanctions([tmp_path / "ofac", tmp_path / "un.xml", tmp_path / "os.json"])
    assert lists.entities["entity_id"].to_pylist() == ["ofac-1", "un-KPe.1", "os-x1"]
    assert list(lists.counts) == ["ofac_sdn/sdn.csv", "un_sc/un.xml", "opensanctions/os.json"]
    assert load_sanctions([]).entities.num_rows == 0


# --- docs/sanctions.md agrees with the code -------------------------------------------

DOC = (Path(__file__).resolve().parents[3] / "docs" / "sanctions.md").read_text()


def _rows_of(title: str) -> list[str]:
    section = DOC.split(title, 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M)


def test_doc_lists_every_problem_column_and_reason() -> None:
    assert _rows_of("`SANCTION_PROBLEMS`: one row") == SANCTION_PROBLEMS.names
    assert _rows_of("### Problem reasons") == list(PROBLEM_REASONS)


@pytest.mark.realdata
def test_doc_example_runs(data_dir: Path) -> None:
    block = re.findall(r"```python\n(.*?)\n```", DOC, flags=re.DOTALL)[0]
    *body, last = block.splitlines()
    namespace: dict[str, object] = {"data": data_dir}
    exec(compile("\n".join(body), "docs/sanctions.md", "exec"), namespace)
    expression, comment = last.split("  # ")
    assert eval(expression, namespace) == int(comment)
    example = namespace["lists"]
    assert isinstance(example, SanctionsLists)
    ids = set(example.entities["entity_id"].to_pylist())
    assert {"ofac-15036", "un-KPe.022", "un-KPe.022-vessel-chong-chon-gang",
            "eu-32014R0833-XLII-1", "eu-32014R0833-XLII-12",
            "eu-32014R0833-V-opk-oboronprom"} <= ids
