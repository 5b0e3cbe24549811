"""EU regulation tables (OpenSanctions journal_sanctions CSV): hand-checked facts from the
Russia and DPRK annexes, and broken files."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from vesselwatch.errors import InputError
from vesselwatch.reference.sanctions.eu import CONSOLIDATED_HEADER, _split, read_eu
from vesselwatch.reference.sanctions.flatten import Listing, SourceRead, features_table

AS_OF = date(2026, 8, 14)


@pytest.fixture(scope="module")
def eu_dir(data_dir: Path) -> Path:
    return data_dir / "sanctions_eu_vessels_opensanctions"


@pytest.fixture(scope="module")
def russia(eu_dir: Path) -> SourceRead:
    return read_eu(eu_dir / "32014R0833.csv", as_of=AS_OF)


@pytest.fixture(scope="module")
def dprk(eu_dir: Path) -> SourceRead:
    return read_eu(eu_dir / "32017R1509.csv", as_of=AS_OF)


def _vessels(read: SourceRead) -> dict[str, Listing]:
    return {x.caption: x for x in read.listings if x.is_vessel}


@pytest.mark.realdata
def test_russia_first_four_ships(russia: SourceRead) -> None:
    """Annex XLII entries 1, 2, 12 and 13, listed 25.6.2024 (Reg. 2024/1745)."""
    ships = {x.record_id: x for x in russia.listings if x.is_vessel}
    expected = {"XLII/1": ("Angara", "9179842"), "XLII/2": ("Maria", "8517839"),
                "XLII/12": ("Lady R", "9161003"), "XLII/13": ("Maia-1", "9358010")}
    for record_id, (name, imo) in expected.items():
        x = ships[record_id]
        assert (x.caption, x.entity.get("imoNumber")) == (name, [f"IMO{imo}"])
        assert (x.listed_on, x.programme, x.as_of) == (date(2024, 6, 25), "EU-RUS", AS_OF)
        assert x.id == f"eu-32014R0833-XLII-{record_id.split('/')[1]}"
        assert x.list_name == "EU Regulation 833/2014 (Russia)"
        assert x.reason and x.reason.startswith("Article 3s(2)")
    names = {f["value"] for f in features_table([ships["XLII/12"], ships["XLII/13"]]).to_pylist()
             if f["feature"] == "name"}
    assert names == {"LADY R", "MAIA 1"}


@pytest.mark.realdata
def test_russia_counts_against_the_raw_file(eu_dir: Path, russia: SourceRead) -> None:
    with (eu_dir / "32014R0833.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    vessels = [r for r in rows if r["schema"] == "Vessel"]
    assert (len(rows), len(vessels)) == (1746, 633)
    counts = russia.summary()
    assert (counts["entities"], counts["vessels"], counts["vessels_with_imo"]) == (1746, 633,
                                                                                   633)
    assert counts["vessels_with_mmsi"] == 0 and russia.problems == []
    assert {x.entity.schema.name for x in russia.listings} == {"LegalEntity", "Vessel",
                                                               "Asset"}


@pytest.mark.realdata
def test_russia_former_names(russia: SourceRead) -> None:
    """XLII 7: name "Apar", previousName "Feng Shou; Andromeda Star", IMO 9402471."""
    apar = next(x for x in russia.listings if x.record_id == "XLII/7")
    rows = {(f["feature"], f["value"], f["former"]) for f in features_table([apar]).to_pylist()}
    assert rows == {("name", "APAR", False), ("name", "FENG SHOU", True),
                    ("name", "ANDROMEDA STAR", True), ("imo", "9402471", False)}


@pytest.mark.realdata
def test_dprk_vessels(eu_dir: Path, dprk: SourceRead) -> None:
    with (eu_dir / "32017R1509.csv").open(encoding="utf-8", newline="") as f:
        raw = [r for r in csv.DictReader(f) if r["schema"] == "Vessel"]
    with_imo = [r for r in raw if re.fullmatch(r"\d{7}", r["imoNumber"])]
    assert (len(raw), len(with_imo)) == (75, 74)  # PROVENANCE counts "Does not exist" too
    counts = dprk.summary()
    assert (counts["vessels"], counts["vessels_with_imo"], counts["vessels_with_mmsi"]) == (
        75, 74, 4)
    assert {x.programme for x in dprk.listings} == {"EU-PRK"}
    [problem] = dprk.problems
    assert (problem.record, problem.field, problem.reason, problem.raw, problem.dropped) == (
        "line 226 (XIV.B 33)", "imoNumber", "imo_invalid", "Does not exist", False)
    assert "MIN NING DE YOU 078" in _vessels(dprk)


@pytest.mark.realdata
def test_dprk_former_names_in_parentheses(dprk: SourceRead) -> None:
    """Annex XIII.B, no entry number: "Chong Bong (Greenlight) (Blue Nouvelle)" 8909575,
    listed 2.3.2016."""
    x = _vessels(dprk)["Chong Bong"]
    assert x.id == "eu-32017R1509-XIII.B-imo8909575" and x.record_id is None
    assert x.entity.get("previousName") == ["Greenlight", "Blue Nouvelle"]
    assert x.listed_on == date(2016, 3, 2)
    assert _vessels(dprk)["Tong Hung San"].entity.get("previousName") == ["Chong Chon Gang"]
    petrel = _vessels(dprk)["PETREL 8"]
    assert (petrel.entity.get("mmsi"), petrel.record_id) == (["620233000"], "XIV.B/1")


# --- broken and small files -----------------------------------------------------------


def _csv(tmp_path: Path, *rows: dict[str, str], header: tuple[str, ...] = CONSOLIDATED_HEADER,
         ) -> Path:
    path = tmp_path / "32099R0001.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header])
    return path


_SHIP = {"celex": "32099R0001", "programKey": "EU-XXX", "annex": "I", "measure": "Asset freeze",
         "schema": "Vessel"}


def test_small_table(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        {**_SHIP, "recordId": "1", "name": "Sea (Old Sea)", "imoNumber": "9179842",
         "mmsi": "12345", "flag": "Narnia", "startDate": "2011"},
        {**_SHIP, "recordId": "2", "name": "", "imoNumber": "Does not exist"},
        {**_SHIP, "recordId": "3", "schema": "Spaceship", "name": "X"},
        {**_SHIP, "recordId": "1", "name": "Again"},
        {**_SHIP, "schema": "LegalEntity", "name": 'Foo (Holding) Ltd', "alias": '"A; B"; C'},
    )
    read = read_eu(path)
    assert [x.id for x in read.listings] == ["eu-32099R0001-I-1",
                                             "eu-32099R0001-I-foo-holding-ltd"]
    sea, foo = read.listings
    assert (sea.caption, sea.entity.get("previousName")) == ("Sea", ["Old Sea"])
    assert foo.caption == "Foo (Holding) Ltd"  # only vessel names carry former names
    assert foo.entity.get("alias") == ["A; B", "C"]
    problems = {(p.record, p.field, p.reason, p.dropped) for p in read.problems}
    assert problems == {
        ("line 2 (I 1)", "mmsi", "mmsi_invalid", False),
        ("line 2 (I 1)", "flag", "flag_unknown", False),
        ("line 2 (I 1)", "startDate", "date_partial", False),
        ("line 3 (I 2)", "imoNumber", "imo_invalid", False),
        ("line 3 (I 2)", "name", "no_name_or_imo", True),
        ("line 4 (I 3)", "schema", "schema_unknown", True),
        ("line 5 (I 1)", "recordId", "duplicate_record", True),
    }


def test_unknown_header(tmp_path: Path) -> None:
    header = tuple(c for c in CONSOLIDATED_HEADER if c != "imoNumber") + ("imo",)
    with pytest.raises(InputError, match=r"line 1 \(header\): not the EU journal_sanctions "
                                         r"header \(missing imoNumber; unknown imo\)"):
        read_eu(_csv(tmp_path, header=header))


def test_row_with_wrong_number_of_cells(tmp_path: Path) -> None:
    path = _csv(tmp_path, {**_SHIP, "recordId": "1", "name": "Sea"})
    with path.open("a", encoding="utf-8") as f:
        f.write("32099R0001,2,EU-XXX,I,Asset freeze,,,Vessel,Sea, Two\n")
    with pytest.raises(InputError, match=r"32099R0001\.csv, line 3: 10 cells, expected 45"):
        read_eu(path)


@pytest.mark.parametrize(("cell", "values"), [
    ("", []), ("Foo", ["Foo"]), ("Foo; Bar", ["Foo", "Bar"]),
    ('"Foo; Bar"; Baz', ["Foo; Bar", "Baz"]),
    ('"Say ""hi"""; Baz', ['Say "hi"', "Baz"]),
])
def test_multi_valued_cells(cell: str, values: list[str]) -> None:
    assert _split(cell) == values
