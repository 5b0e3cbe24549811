"""OFAC SDN legacy CSV set: hand-checked facts from the mid-2021 files, and broken files."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from vesselwatch.errors import InputError
from vesselwatch.reference.sanctions.flatten import Listing, SourceRead, features_table
from vesselwatch.reference.sanctions.ofac import read_ofac

AS_OF = date(2021, 7, 7)


@pytest.fixture(scope="module")
def ofac_dir(data_dir: Path) -> Path:
    return data_dir / "sanctions_ofac_sdn_2021"


@pytest.fixture(scope="module")
def ofac(ofac_dir: Path) -> SourceRead:
    return read_ofac(ofac_dir, as_of=AS_OF)


def _by_id(read: SourceRead) -> dict[str, Listing]:
    return {x.id: x for x in read.listings}


@pytest.mark.realdata
def test_counts_match_provenance(ofac: SourceRead) -> None:
    counts = ofac.summary()
    assert counts["records_read"] == 8976  # PROVENANCE's 8,977 rows include the ^Z end mark
    assert counts["vessels"] == 406
    assert counts["vessels_with_imo"] == 400
    assert counts["vessels_with_mmsi"] == 51
    assert counts["records_dropped"] == 0
    assert {x.entity.schema.name for x in ofac.listings} == {
        "Person", "Company", "Organization", "Vessel", "Airplane"}


@pytest.mark.realdata
def test_every_imo_and_mmsi_in_remarks_is_read(ofac_dir: Path, ofac: SourceRead) -> None:
    """An independent pass over the raw rows finds the same IMO and MMSI per vessel."""
    features = features_table(ofac.listings).to_pylist()
    got = {(f["entity_id"], f["feature"], f["value"]) for f in features
           if f["feature"] in ("imo", "mmsi")}
    expected = set()
    with (ofac_dir / "sdn.csv").open(encoding="latin-1", newline="") as f:
        for row in csv.reader(f):
            if len(row) == 12 and row[2].strip() == "vessel":
                for imo in re.findall(r"Vessel Registration Identification (?:IMO )?(\d{7})\b",
                                      row[11]):
                    expected.add((f"ofac-{row[0]}", "imo", imo))
                for mmsi in re.findall(r"MMSI (\d{9})\b", row[11]):
                    expected.add((f"ofac-{row[0]}", "mmsi", mmsi))
    assert got == expected
    assert len({e for e, kind, _ in expected if kind == "imo"}) == 400


@pytest.mark.realdata
def test_artavil_field_by_field(ofac: SourceRead) -> None:
    """sdn.csv ent_num 15036: "ARTAVIL","vessel","IRAN",-0- ,"T2EU4","Crude/Oil Products
    Tanker","99,144","56,068","Iran",-0- ,"Former Vessel Flag Malta; alt. Former Vessel Flag
    Tuvalu; alt. Former Vessel Flag None Identified; alt. Former Vessel Flag Tanzania; ...
    IMO 9187629; MMSI 572469210; f.k.a. 'ALPHA'; Linked To: NATIONAL IRANIAN TANKER
    COMPANY." and alt.csv fka ABADAN, SHONA."""
    x = _by_id(ofac)["ofac-15036"]
    e = x.entity
    assert (x.caption, x.programme, x.record_id, x.designated) == ("ARTAVIL", "IRAN", "15036",
                                                                   True)
    assert (x.listed_on, x.as_of, x.source, x.list_name) == (None, AS_OF, "ofac_sdn",
                                                             "OFAC SDN List")
    assert e.get("imoNumber") == ["IMO9187629"]
    assert e.get("mmsi") == ["572469210"]
    assert e.get("callSign") == ["T2EU4"]
    assert e.get("type") == ["Crude/Oil Products Tanker"]
    assert e.get("flag") == ["ir"]
    assert e.get("pastFlags") == ["mt", "tv", "tz"]  # "None Identified" is no flag
    assert sorted(e.get("previousName")) == ["ABADAN", "ALPHA", "SHONA"]
    assert e.get("deadweightTonnage") == ["99144"]
    # the company of that name (15117), not its office that has the name as an alias (15119)
    assert x.owner_ids == ["ofac-15117"] == e.get("owner")
    assert _by_id(ofac)["ofac-15117"].caption == "NATIONAL IRANIAN TANKER COMPANY"
    rows = {(f["feature"], f["value"], f["raw"], f["former"])
            for f in features_table([x]).to_pylist()}
    assert ("imo", "9187629", "IMO 9187629", False) in rows
    assert ("flag", "ir", "Iran", False) in rows
    assert ("flag", "mt", "Malta", True) in rows
    assert ("name", "ABADAN", "ABADAN", True) in rows


@pytest.mark.realdata
def test_ryong_gun_bong_imo_without_the_word_imo(ofac: SourceRead) -> None:
    """17104 "RYONG GUN BONG": "Vessel Registration Identification 8606173." (no "IMO"),
    flag "Democratic People's Republic of Korea", no owner, programme DPRK."""
    x = _by_id(ofac)["ofac-17104"]
    assert x.entity.get("imoNumber") == ["IMO8606173"]
    assert x.entity.get("flag") == ["kp"]
    assert x.programme == "DPRK"
    assert x.owner_ids == []


@pytest.mark.realdata
def test_bad_imo_is_a_problem_not_a_lost_vessel(ofac: SourceRead) -> None:
    """23424 "BONU 5": "Vessel Registration Identification IMO 15411" (five digits)."""
    x = _by_id(ofac)["ofac-23424"]
    assert x.entity.get("imoNumber") == []
    assert x.owner_ids  # Linked To: ANDREA MARTINA LIMITED.
    [problem] = ofac.problems
    assert (problem.record, problem.reason, problem.raw, problem.dropped) == (
        "line 6028 (ent_num 23424)", "imo_invalid", "IMO 15411", False)


@pytest.mark.realdata
def test_programmes_and_unlisted_owners(ofac: SourceRead) -> None:
    by_id = _by_id(ofac)
    assert by_id["ofac-15037"].programme == "IRAN"
    multi = [x.programme for x in ofac.listings if x.is_vessel and ";" in (x.programme or "")]
    assert "IRAN; NPWMD; IFSR" in multi
    # 4234 HERMANN: Vess_owner "Compania Navegacion Golfo S.A." is not an SDN
    hermann = by_id["ofac-4234"]
    assert hermann.owner_ids == []
    assert any("Compania Navegacion Golfo S.A." in n for n in hermann.entity.get("notes"))
    assert ofac.counts["owners_not_listed"] == 4
    # "Linked To: PETROLEOS DE VENEZUELA, S.A." ends the Remarks: the full stop is the name's
    pdvsa = [x for x in ofac.listings if x.caption == "PETROLEOS DE VENEZUELA, S.A."]
    assert len(pdvsa) == 1
    owned = [x for x in ofac.listings if pdvsa[0].id in x.owner_ids]
    assert len(owned) == 40 and all(x.is_vessel for x in owned)


# --- broken and small files -----------------------------------------------------------

_ROW = '{},"{}","vessel","DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"{}"\n'


def _set(tmp_path: Path, sdn: str, alt: str = "") -> Path:
    (tmp_path / "sdn.csv").write_text(sdn, encoding="latin-1")
    (tmp_path / "alt.csv").write_text(alt, encoding="latin-1")
    return tmp_path


def test_row_with_wrong_number_of_columns(tmp_path: Path) -> None:
    sdn = _ROW.format(1, "A", "-0-") + '2,"B","vessel","DPRK3",-0- \n'
    with pytest.raises(InputError, match=r"sdn\.csv, line 2: 5 columns, expected 12"):
        read_ofac(_set(tmp_path, sdn))


def test_header_line_is_an_error(tmp_path: Path) -> None:
    header = ("ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,"
              "Vess_flag,Vess_owner,Remarks\n")
    with pytest.raises(InputError, match=r"line 1, field ent_num: 'ent_num' is not a number"):
        read_ofac(_set(tmp_path, header + _ROW.format(1, "A", "-0-")))


def test_vessel_without_name_or_imo_is_counted(tmp_path: Path) -> None:
    sdn = (_ROW.format(1, "", "MMSI 123456789.")
           + _ROW.format(2, "", "Vessel Registration Identification IMO 9187629.")
           + _ROW.format(3, "SEA STAR", "Vessel Registration Identification IMO 9187621."))
    read = read_ofac(_set(tmp_path, sdn))
    assert [x.id for x in read.listings] == ["ofac-2", "ofac-3"]
    assert read.listings[0].caption == "IMO 9187629"
    [problem] = read.problems
    assert (problem.field, problem.reason, problem.dropped) == ("SDN_Name", "no_name_or_imo",
                                                                True)
    counts = read.summary()
    assert counts["problem_no_name_or_imo"] == 1
    assert counts["imo_bad_check_digit"] == 1  # 9187621 kept: screening decides
    assert read.listings[1].entity.get("imoNumber") == ["IMO9187621"]


def test_alias_types_and_other_vessel_clauses(tmp_path: Path) -> None:
    sdn = _ROW.format(7, "NEW NAME", "Other Vessel Flag Togo; alt. Other Vessel Call Sign "
                      "5VAB1; Other Vessel Type Tug; n.k.a. 'NEWER'; Linked To: NOBODY LTD.")
    alt = '7,1,"fka","OLD NAME",-0- \n7,2,"aka","AKA NAME",-0- \n7,3,"xyz","ODD",-0- \n'
    read = read_ofac(_set(tmp_path, sdn, alt))
    e = read.listings[0].entity
    assert e.get("previousName") == ["OLD NAME"]
    assert sorted(e.get("alias")) == ["AKA NAME", "NEWER"]
    assert (e.get("flag"), e.get("callSign"), e.get("type")) == (["tg"], ["5VAB1"], ["Tug"])
    assert [p.reason for p in read.problems] == ["alias_unusable"]
    assert read.counts["owners_not_listed"] == 1
