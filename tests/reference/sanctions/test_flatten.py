"""The feature normalisers (properties, with hypothesis), dates, and the shared helpers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vesselwatch.model.sanctions import (
    normalise_callsign,
    normalise_imo,
    normalise_mmsi,
    normalise_name,
)
from vesselwatch.reference.sanctions.flatten import (
    Listing,
    date_problem,
    features_table,
    legal_entity_schema,
    new_entity,
    parse_date,
    slug,
)

_ACCENTED = {"a": "áàâäå", "e": "éèêë", "i": "íîï", "o": "óôö", "u": "úûü", "c": "ç",
             "n": "ñ", "A": "ÁÀÂÄÅ", "E": "ÉÈÊË", "O": "ÓÔÖ", "U": "ÚÛÜ", "C": "Ç", "N": "Ñ"}
words = st.lists(st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                         min_size=1, max_size=8), min_size=1, max_size=5)
separators = st.text(" -/.,'()&:;\t", min_size=1, max_size=3)


@given(st.text(max_size=40))
def test_names_normalise_idempotent(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once


@given(words, st.data())
def test_names_ignore_case_punctuation_and_accents(tokens: list[str], data: st.DataObject
                                                   ) -> None:
    plain = " ".join(tokens)
    variant = ""
    for i, token in enumerate(tokens):
        if i:
            variant += data.draw(separators)
        for ch in token:
            if ch in _ACCENTED and data.draw(st.booleans()):
                ch = data.draw(st.sampled_from(_ACCENTED[ch]))
            variant += ch.swapcase() if data.draw(st.booleans()) else ch
    assert normalise_name(variant) == normalise_name(plain)
    assert normalise_name(plain.lower()) == normalise_name(plain.upper())


def test_names_two_vessel_prefixes() -> None:
    assert normalise_name(normalise_name("MV MV A")) == normalise_name("MV MV A")


def test_names_letters_without_decomposition() -> None:
    assert normalise_name("BJØRN") == normalise_name("BJORN")


@given(st.integers(1_000_000, 9_999_999), st.sampled_from(["", "IMO", "imo", "Imo"]),
       st.sampled_from(["", " ", ": ", ".", " - "]))
def test_imo_prefixes_and_idempotence(number: int, prefix: str, sep: str) -> None:
    text = f"{prefix}{sep if prefix else ''}{number}"
    assert normalise_imo(text) == str(number) == normalise_imo(str(number))
    assert normalise_imo(f"IMO{normalise_imo(text)}") == str(number)


@given(st.text(max_size=12))
def test_imo_is_seven_digits_or_none(text: str) -> None:
    value = normalise_imo(text)
    assert value is None or (len(value) == 7 and value.isdigit() and value[0] != "0"
                             and normalise_imo(value) == value)


@given(st.text(max_size=12))
def test_mmsi_is_nine_digits_or_none(text: str) -> None:
    value = normalise_mmsi(text)
    assert value is None or (len(value) == 9 and normalise_mmsi(value) == value)


@given(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8), st.data())
def test_callsigns_ignore_case_blanks_and_dashes(callsign: str, data: st.DataObject) -> None:
    variant = "".join(
        (ch.lower() if data.draw(st.booleans()) else ch) + data.draw(st.sampled_from(
            ["", "", " ", "-"])) for ch in callsign)
    assert normalise_callsign(variant) == callsign == normalise_callsign(callsign)


@pytest.mark.parametrize(("text", "expected"), [
    ("2016-03-02", date(2016, 3, 2)), ("2015-03-27-04:00", date(2015, 3, 27)),
    ("2026-02-27T00:00:09.554Z", date(2026, 2, 27)), ("25.6.2024", date(2024, 6, 25)),
    ("14 June 2022", date(2022, 6, 14)), ("26 Feb. 2011", date(2011, 2, 26)),
    ("31.2.2020", None), ("2011", None), ("2011-02", None), ("Approximately 1952", None),
    ("2 Smarch 2011", None),
])
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_date_problem() -> None:
    assert [date_problem(t) for t in ("2011", "2011-02", "31.2.2020")] == [
        "date_partial", "date_partial", "date_invalid"]


def test_helpers() -> None:
    assert legal_entity_schema("KOREA SAMMA SHIPPING CO") == "Company"
    assert legal_entity_schema("Chong Chon Gang Shipping Co. Ltd.") == "Company"
    assert legal_entity_schema("HAQQANI NETWORK (HQN)") == "Organization"
    assert slug("M/V Chong-Chon Gang") == "chong-chon-gang"


def test_features_only_vessels_have_identifiers() -> None:
    ship = Listing(new_entity("Vessel", "t-1"), "A", "test", "Test")
    company = Listing(new_entity("Company", "t-2"), "B", "test", "Test")
    for x in (ship, company):
        x.add("name", "Sea  Star")
        x.add("weakAlias", "SS")
        assert x.add_imo("IMO 9179842") == "9179842"
    assert ship.add_mmsi("12345") is None
    assert ship.add("flag", "Narnia") is None
    assert ship.add("nonsense", "x") is None
    rows = [(f["entity_id"], f["feature"], f["value"], f["raw"])
            for f in features_table([ship, company]).to_pylist()]
    assert rows == [("t-1", "name", "SEA STAR", "Sea Star"),
                    ("t-1", "imo", "9179842", "IMO 9179842"),
                    ("t-2", "name", "SEA STAR", "Sea Star")]
