"""UN Security Council consolidated list: hand-checked facts from the 2026-02-27 XML, the
vessels DPRK companies name in their comments, and broken files."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from vesselwatch.errors import InputError
from vesselwatch.model.imo import is_valid_imo
from vesselwatch.reference.sanctions.flatten import Listing, SourceRead, features_table
from vesselwatch.reference.sanctions.un import (
    company_imo_numbers,
    read_un,
    vessels_in_comments,
)


@pytest.fixture(scope="module")
def un(data_dir: Path) -> SourceRead:
    return read_un(data_dir / "sanctions_un_consolidated" / "UN_consolidated.xml",
                   as_of=date(2000, 1, 1))  # the file's own date wins


def _by_id(read: SourceRead) -> dict[str, Listing]:
    return {x.id: x for x in read.listings}


@pytest.mark.realdata
def test_records_programmes_and_date(un: SourceRead) -> None:
    listed = [x for x in un.listings if x.designated]
    assert Counter(x.entity.schema.name == "Person" for x in listed) == {True: 730, False: 273}
    assert {x.as_of for x in un.listings} == {date(2026, 2, 27)}
    programmes = Counter(x.programme for x in listed)
    assert (programmes["DPRK"], programmes["Al-Qaida"], programmes["Iran"]) == (155, 341, 121)
    assert un.summary()["records_dropped"] == 0
    assert un.problems == []


@pytest.mark.realdata
def test_chongchongang_shipping_company_and_its_vessel(un: SourceRead) -> None:
    """KPe.022: "IMO Number: 5342883. The Chongchongang Shipping Company, through its vessel,
    the Chong Chon Gang, attempted to directly import ..." LISTED_ON 2016-03-02."""
    by_id = _by_id(un)
    company = by_id["un-KPe.022"]
    assert (company.caption, company.programme, company.listed_on, company.record_id) == (
        "CHONGCHONGANG SHIPPING COMPANY", "DPRK", date(2016, 3, 2), "KPe.022")
    assert company.entity.schema.name == "Company"
    assert "Chong Chon Gang Shipping Co. Ltd." in company.entity.get("alias")
    # 5342883 is the company's IMO number (no ship check digit): on the company, never a ship
    assert company.entity.get("imoNumber") == ["IMO5342883"]
    assert not is_valid_imo(5342883)
    vessel = by_id["un-KPe.022-vessel-chong-chon-gang"]
    assert (vessel.caption, vessel.designated, vessel.owner_ids) == (
        "Chong Chon Gang", False, ["un-KPe.022"])
    assert vessel.entity.get("owner") == ["un-KPe.022"]
    assert vessel.entity.get("topics") == ["sanction.linked"]
    assert vessel.programme == "DPRK" and vessel.listed_on is None
    features = features_table([company, vessel]).to_pylist()
    assert [f["feature"] for f in features if f["entity_id"] == vessel.id] == ["name"]
    assert not [f for f in features if f["feature"] == "imo"]


@pytest.mark.realdata
def test_derived_vessels(un: SourceRead) -> None:
    derived = {(x.caption, x.owner_ids[0]) for x in un.listings if not x.designated}
    assert len(derived) == 26 == un.summary()["vessels_derived"]
    assert {("NAM SAN 8", "un-KPe.058"), ("HAP JANG GANG 6", "un-KPe.058"),
            ("SAM JONG 1", "un-KPe.064"), ("SAM JONG 2", "un-KPe.064"),
            ("SAM MA 2", "un-KPe.065"), ("HAO FAN 2", "un-KPe.073"),
            ("HAO FAN 6", "un-KPe.073"), ("JI SONG 8", "un-KPe.070"),
            ("WOORY STAR", "un-KPe.070"), ("Chong Chon Gang", "un-KPe.020")} <= derived
    # KPe.061's comment names YU JONG 2, the tanker of another company (KPe.066), and
    # KPe.067's names KUM UN SAN 3, a ship KOTI transferred to: neither is theirs
    assert {o for name, o in derived if name == "YU JONG 2"} == {"un-KPe.066"}
    assert not [o for name, o in derived if name == "KUM UN SAN 3"]
    roles = {x.caption: (x.entity.get("owner"), x.entity.get("operator"))
             for x in un.listings if not x.designated}
    assert roles["YU SON"] == ([], ["un-KPe.068"])  # "Ship manager of ... YU SON"
    assert roles["HUA FU"] == (["un-KPe.055"], [])  # "Registered owner, ship manager, ..."
    assert un.counts["company_imo_numbers"] == 16
    assert all(not x.entity.get("imoNumber") for x in un.listings if x.is_vessel)


@pytest.mark.realdata
def test_listed_on_with_a_zone(un: SourceRead) -> None:
    """TAi.173 and TAe.014 print LISTED_ON 2015-03-27-04:00."""
    assert _by_id(un)["un-TAi.173"].listed_on == date(2015, 3, 27)


@pytest.mark.parametrize(("text", "expected"), [
    ("Registered owner of the DPRK tanker NAM SAN 8, believed to have been involved in "
     "ship-to-ship transfer operations for oil, and owner of vessel HAP JANG GANG 6.",
     [("NAM SAN 8", "owner"), ("HAP JANG GANG 6", "owner")]),
    ("Ship and commercial manager of HAO FAN 2 and HAO FAN 6, St Kitts-Nevis-flagged "
     "vessels.", [("HAO FAN 2", "operator"), ("HAO FAN 6", "operator")]),
    ("Ocean Maritime Management Company, Limited is the operator/manager of the vessel Chong "
     "Chon Gang. International Maritime Organization (IMO) Number: 1790183.",
     [("Chong Chon Gang", "operator")]),
    ("A DPRK-flagged tanker, SAM MA 2 owned by Korea Samma Shipping Company, conducted ...",
     [("SAM MA 2", "owner")]),
    ("Registered owner of DPRK tanker CHON MA SAN. The master of the DPRK-flagged motor "
     "tanker YU JONG 2 reported ...", [("CHON MA SAN", "owner")]),
    ("Facilitates shipments on behalf of the Korea Mining Development Trading Corporation.",
     []),
])
def test_vessels_in_comments(text: str, expected: list[tuple[str, str]]) -> None:
    assert vessels_in_comments(text) == expected


def test_company_imo_numbers() -> None:
    assert company_imo_numbers("Registered owner of X. Company Number IMO 5434358.") == [
        "5434358"]
    assert company_imo_numbers("Organization (IMO) Number: 1790183. IMO number: 12") == [
        "1790183", "12"]


# --- broken and small files -----------------------------------------------------------

_LIST = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z"><INDIVIDUALS/><ENTITIES>
{}
</ENTITIES></CONSOLIDATED_LIST>
"""
_ENTITY = """<ENTITY><DATAID>{0}</DATAID><FIRST_NAME>{1}</FIRST_NAME>
<UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>{2}</REFERENCE_NUMBER>
<LISTED_ON>{3}</LISTED_ON><COMMENTS1>{4}</COMMENTS1></ENTITY>"""


def _un(tmp_path: Path, *entities: str) -> Path:
    path = tmp_path / "un.xml"
    path.write_text(_LIST.format("\n".join(entities)), encoding="utf-8")
    return path


def test_small_list(tmp_path: Path) -> None:
    read = read_un(_un(
        tmp_path,
        _ENTITY.format(1, "SEA CO LTD", "KPe.900", "2017", "Owner of the vessel BLUE SEA. "
                       "IMO number: 5123456."),
        _ENTITY.format(2, "NO REF", "", "2017-01-01", ""),
        _ENTITY.format(3, "RIVER SHIPPING", "KPe.901", "2017-01-01",
                       "The company charters vessels to the navy."),
    ))
    assert [x.id for x in read.listings] == ["un-KPe.900", "un-KPe.900-vessel-blue-sea",
                                             "un-KPe.901"]
    assert read.listings[0].entity.get("imoNumber") == ["IMO5123456"]
    reasons = {(p.record, p.field, p.reason, p.dropped) for p in read.problems}
    assert reasons == {
        ("KPe.900", "LISTED_ON", "date_partial", False),
        ("ENTITY 2 (DATAID 2)", "REFERENCE_NUMBER", "no_record_id", True),
        ("KPe.901", "COMMENTS1", "vessel_mention_not_parsed", False),
    }


def test_not_well_formed_xml(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_text("<CONSOLIDATED_LIST>\n<ENTITIES>\n<ENTITY></ENTITIES>\n", encoding="utf-8")
    with pytest.raises(InputError,
                       match=r"un\.xml, line 3: not well-formed XML \(mismatched tag"):
        read_un(path)


def test_not_the_un_schema(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text("<sdnList><sdnEntry/></sdnList>", encoding="utf-8")
    with pytest.raises(InputError, match=r"root element <sdnList>, expected "
                                         r"<CONSOLIDATED_LIST>"):
        read_un(path)
