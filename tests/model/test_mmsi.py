"""MMSI kinds, countries and issues (ITU-R M.585), against hand-worked answers and a slow
per-row reference written straight from the Recommendation's table."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.model.mid import ALLOCATED_MIDS, MID_COUNTRY
from vesselwatch.model.mmsi import (
    MmsiIssue,
    MmsiKind,
    mmsi_country,
    mmsi_issue,
    mmsi_kind,
    mmsi_mid,
)

ISSUES = {None, "placeholder", "wrong_kind", "unallocated_mid"}
KINDS = {
    "ship",
    "coast_station",
    "group",
    "sar_aircraft",
    "sart",
    "mob",
    "epirb",
    "craft_associated",
    "aton",
    "handheld",
    "invalid",
}


# --- the MID table ----------------------------------------------------------------------------


def test_mid_table_shape() -> None:
    assert ALLOCATED_MIDS == frozenset(MID_COUNTRY)
    assert len(MID_COUNTRY) > 280  # ITU's table has ~290 rows
    for mid, (alpha2, name) in MID_COUNTRY.items():
        assert 201 <= mid <= 775, mid
        assert re.fullmatch(r"[A-Z]{2}", alpha2), (mid, alpha2)
        assert alpha2 != "UK", mid  # ISO 3166-1 says GB
        assert name.strip() == name and name, mid


@pytest.mark.parametrize(
    ("mids", "alpha2", "name"),
    [
        ([273], "RU", "Russian Federation"),
        ([445], "KP", "Democratic People's Republic of Korea"),
        ([440, 441], "KR", None),
        ([431, 432], "JP", None),
        ([338, 366, 367, 368, 369], "US", None),
        ([219, 220], "DK", None),
        ([636, 637], "LR", "Liberia"),
        ([351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 373], "PA", "Panama"),
        ([503], "AU", None),
        ([412, 413, 414], "CN", None),
        ([477], "HK", None),
        ([538], "MH", None),
        ([576, 577], "VU", "Vanuatu"),
        ([616, 620], "KM", "Comoros"),
        ([667], "SL", "Sierra Leone"),
        ([674, 677], "TZ", None),
        ([613], "CM", "Cameroon"),
        ([511], "PW", None),
        ([312], "BZ", None),
        ([341], "KN", None),
        ([314], "BB", None),
        ([209, 210, 212], "CY", None),
        ([215, 229, 248, 249, 256], "MT", None),
        ([232, 233, 234, 235], "GB", None),
        ([308, 309, 311], "BS", None),
        ([518], "CK", None),
        ([572], "TV", None),
        ([671], "TG", None),
        ([422], "IR", None),
        ([468], "SY", None),
        ([775], "VE", None),
        ([331], "GL", None),
        ([559], "AS", None),
        ([669], "SZ", None),
    ],
)
def test_mid_known_allocations(mids: list[int], alpha2: str, name: str | None) -> None:
    for mid in mids:
        assert MID_COUNTRY[mid][0] == alpha2, mid
        if name is not None:
            assert MID_COUNTRY[mid][1] == name, mid


@pytest.mark.parametrize("mid", [200, 217, 221, 222, 223, 260, 280, 302, 313, 600, 776, 799])
def test_mid_not_allocated(mid: int) -> None:
    assert mid not in ALLOCATED_MIDS


# --- hand-worked answers ----------------------------------------------------------------------

# (mmsi, msg_type, kind, country, issue)
KNOWN: list[tuple[int, int, str, str | None, str | None]] = [
    (273345000, 1, "ship", "RU", None),
    (445123000, 1, "ship", "KP", None),
    (445123000, 0, "ship", "KP", None),  # type unknown: read as a vessel report
    (636012345, 18, "ship", "LR", None),
    (999999999, 1, "invalid", None, "placeholder"),  # 99 + MID 999: not even an AtoN
    (111111111, 9, "invalid", None, "placeholder"),  # placeholder beats wrong_kind
    (222222222, 1, "ship", None, "placeholder"),  # placeholder beats unallocated_mid
    (123456789, 1, "invalid", None, "placeholder"),
    (987654321, 1, "craft_associated", "SR", "placeholder"),  # 98 + MID 765, still fake
    (2190047, 4, "coast_station", "DK", None),  # 002190047
    (2190047, 11, "coast_station", "DK", None),
    (2190047, 1, "coast_station", "DK", "wrong_kind"),
    (2190047, 0, "coast_station", "DK", "wrong_kind"),
    (273345000, 4, "ship", "RU", "wrong_kind"),
    (992191234, 21, "aton", "DK", None),
    (992191234, 1, "aton", "DK", "wrong_kind"),
    (273345000, 21, "ship", "RU", "wrong_kind"),
    (111219500, 9, "sar_aircraft", "DK", None),
    (273345000, 9, "ship", "RU", "wrong_kind"),
    (970123456, 1, "sart", None, None),
    (970123456, 14, "sart", None, None),
    (970123456, 0, "sart", None, None),
    (970123456, 5, "sart", None, "wrong_kind"),
    (972001234, 1, "mob", None, None),
    (974001234, 14, "epirb", None, None),
    (982191234, 1, "craft_associated", "DK", None),
    (827312345, 1, "handheld", "RU", None),
    (827312345, 24, "handheld", "RU", None),
    (27312345, 1, "group", "RU", "wrong_kind"),  # 027312345
    (27312345, 8, "group", "RU", None),  # types without a rule accept any real kind
    (200000000, 1, "ship", None, "unallocated_mid"),
    (217000001, 5, "ship", None, "unallocated_mid"),
    (2170047, 4, "coast_station", None, "unallocated_mid"),
    (992171234, 21, "aton", None, "unallocated_mid"),
    (2170047, 1, "coast_station", None, "wrong_kind"),  # wrong_kind beats unallocated_mid
    (1193046, 1, "invalid", None, "wrong_kind"),  # 001193046: MID 119 cannot exist
    (1193046, 4, "invalid", None, "wrong_kind"),
    (0, 1, "invalid", None, "wrong_kind"),
    (0, 4, "invalid", None, "wrong_kind"),
    (0, 8, "invalid", None, "wrong_kind"),
    (88123456, 8, "invalid", None, "wrong_kind"),  # 088123456: group MID 881
    (123000000, 1, "invalid", None, "wrong_kind"),  # leading 1 other than 111
    (971000000, 14, "invalid", None, "wrong_kind"),  # 971: not an assigned device prefix
    (950000000, 1, "invalid", None, "wrong_kind"),
    (1_000_000_000, 1, "invalid", None, "wrong_kind"),  # over nine digits: no crash
    (4_294_967_295, 1, "invalid", None, "wrong_kind"),
    (273345000, 99, "ship", "RU", None),  # unknown type number: only invalid is wrong
    (0, 99, "invalid", None, "wrong_kind"),
]


@pytest.mark.parametrize(("mmsi", "msg_type", "kind", "country", "issue"), KNOWN)
def test_known_answers_one_by_one(
    mmsi: int, msg_type: int, kind: str, country: str | None, issue: str | None
) -> None:
    m = np.array([mmsi], dtype=np.int64)
    assert mmsi_kind(m).tolist() == [kind]
    assert mmsi_country(m).tolist() == [country]
    assert mmsi_issue(m, np.array([msg_type])).tolist() == [issue]


def test_known_answers_as_one_batch() -> None:
    m = np.array([row[0] for row in KNOWN], dtype=np.int64)
    t = np.array([row[1] for row in KNOWN], dtype=np.int64)
    assert mmsi_kind(m).tolist() == [row[2] for row in KNOWN]
    assert mmsi_country(m).tolist() == [row[3] for row in KNOWN]
    assert mmsi_issue(m, t).tolist() == [row[4] for row in KNOWN]


def test_mid_positions() -> None:
    m = np.array([273345000, 2190047, 27312345, 111219500, 982191234, 992191234, 827312345])
    assert mmsi_mid(m).tolist() == [273, 219, 273, 219, 219, 219, 273]
    assert mmsi_mid(np.array([970123456, 0, 1193046])).tolist() == [-1, -1, -1]


def test_issue_values_are_the_enum_values() -> None:
    assert {i.value for i in MmsiIssue} | {None} == ISSUES
    assert {k.value for k in MmsiKind} == KINDS


# --- inputs of every shape and dtype ----------------------------------------------------------


def test_empty() -> None:
    empty = np.array([], dtype=np.int64)
    assert mmsi_issue(empty, empty).shape == (0,)
    assert mmsi_kind(empty).shape == (0,)
    assert mmsi_country(empty).shape == (0,)


def test_scalar_msg_type_broadcasts() -> None:
    m = np.array([273345000, 2190047])
    assert mmsi_issue(m, 1).tolist() == [None, "wrong_kind"]
    assert mmsi_issue(m, np.int8(4)).tolist() == ["wrong_kind", None]


@pytest.mark.parametrize("dtype", [np.uint32, np.int32, np.int64, np.uint64, np.float64])
def test_dtypes_agree(dtype: type[np.number[Any]]) -> None:
    m = np.array([273345000, 2190047, 0, 999999999], dtype=dtype)
    assert mmsi_issue(m, 1).tolist() == [None, "wrong_kind", "wrong_kind", "placeholder"]


def test_out_of_range_and_non_integers_do_not_crash() -> None:
    big = np.array([2**64 - 1, 2**63, 10**12], dtype=np.uint64)
    assert mmsi_issue(big, 1).tolist() == ["wrong_kind"] * 3
    floats = np.array([np.nan, np.inf, -1.0, 273345000.5, 273345000.0])
    assert mmsi_issue(floats, 1).tolist() == ["wrong_kind"] * 4 + [None]
    assert mmsi_kind(np.array([-1, -(2**62)])).tolist() == ["invalid", "invalid"]


def test_non_numeric_input_is_refused() -> None:
    with pytest.raises(TypeError, match="mmsi"):
        mmsi_issue(np.array(["273345000"]), 1)
    with pytest.raises(TypeError, match="msg_type"):
        mmsi_issue(np.array([273345000]), np.array([1.0]))


# --- the slow reference -----------------------------------------------------------------------

PLACEHOLDERS = {int(str(d) * 9) for d in range(1, 10)} | {123456789, 987654321}
VESSEL = {"ship", "handheld", "craft_associated"}
BEACON = {"sart", "mob", "epirb"}
RULES: dict[int, set[str]] = {
    **{t: VESSEL for t in (2, 3, 5, 18, 19, 24, 27)},
    0: VESSEL | BEACON,
    1: VESSEL | BEACON,
    4: {"coast_station"},
    11: {"coast_station"},
    9: {"sar_aircraft"},
    21: {"aton"},
}


def ref_kind_mid(mmsi: int) -> tuple[str, int | None]:
    """ITU-R M.585's table, one MMSI at a time, on its nine-digit string."""
    if not 0 <= mmsi <= 999_999_999:
        return "invalid", None
    s = f"{mmsi:09d}"

    def at(kind: str, i: int) -> tuple[str, int | None]:
        return (kind, int(s[i : i + 3])) if s[i] in "234567" else ("invalid", None)

    for prefix, kind in (("970", "sart"), ("972", "mob"), ("974", "epirb")):
        if s.startswith(prefix):
            return kind, None
    if s.startswith("111"):
        return at("sar_aircraft", 3)
    if s.startswith("98"):
        return at("craft_associated", 2)
    if s.startswith("99"):
        return at("aton", 2)
    if s.startswith("00"):
        return at("coast_station", 2)
    if s[0] == "0":
        return at("group", 1)
    if s[0] == "8":
        return at("handheld", 1)
    if s[0] in "234567":
        return at("ship", 0)
    return "invalid", None


def ref_issue(mmsi: int, msg_type: int) -> str | None:
    kind, mid = ref_kind_mid(mmsi)
    if mmsi in PLACEHOLDERS:
        return "placeholder"
    if kind == "invalid" or kind not in RULES.get(msg_type, KINDS):
        return "wrong_kind"
    if mid is not None and mid not in ALLOCATED_MIDS:
        return "unallocated_mid"
    return None


def ref_country(mmsi: int) -> str | None:
    _, mid = ref_kind_mid(mmsi)
    return MID_COUNTRY[mid][0] if mid in MID_COUNTRY else None


def _from_prefix(prefix: str) -> st.SearchStrategy[int]:
    """Nine-digit MMSIs that start with ``prefix``, any digits after it."""
    rest = 9 - len(prefix)
    return st.integers(0, 10**rest - 1).map(lambda n: int(prefix + f"{n:0{rest}d}"))


MMSI = st.one_of(
    st.integers(0, 999_999_999),
    st.integers(0, 9_999_999),  # coast stations and the 00 area
    st.integers(0, 99_999_999),  # groups
    st.sampled_from(sorted(PLACEHOLDERS | {0})),
    *(_from_prefix(p) for p in ("111", "970", "972", "974", "971", "98", "99", "8")),
    st.sampled_from(sorted(ALLOCATED_MIDS)).map(lambda mid: mid * 1_000_000 + 345),
    st.integers(-(2**40), -1),
    st.integers(1_000_000_000, 2**40),
)
MSG_TYPE = st.one_of(st.integers(0, 27), st.sampled_from([-1, 28, 63, 255]))
ROWS = st.lists(st.tuples(MMSI, MSG_TYPE), max_size=60)


@settings(max_examples=300, deadline=None)
@given(ROWS)
def test_agrees_with_reference(rows: list[tuple[int, int]]) -> None:
    m = np.array([r[0] for r in rows], dtype=np.int64)
    t = np.array([r[1] for r in rows], dtype=np.int64)
    issues = mmsi_issue(m, t)
    kinds = mmsi_kind(m)
    countries = mmsi_country(m)
    assert len(issues) == len(kinds) == len(countries) == len(rows)
    assert issues.dtype == object
    assert set(issues.tolist()) <= ISSUES
    assert set(kinds.tolist()) <= KINDS
    assert issues.tolist() == [ref_issue(a, b) for a, b in rows]
    assert kinds.tolist() == [ref_kind_mid(a)[0] for a, _ in rows]
    assert countries.tolist() == [ref_country(a) for a, _ in rows]


@settings(max_examples=200, deadline=None)
@given(st.lists(MMSI, max_size=40))
def test_country_only_where_an_allocated_mid_is_read(values: list[int]) -> None:
    m = np.array(values, dtype=np.int64)
    mids = mmsi_mid(m)
    countries = mmsi_country(m)
    for mid, country in zip(mids.tolist(), countries.tolist(), strict=True):
        if country is None:
            assert mid not in ALLOCATED_MIDS
        else:
            assert MID_COUNTRY[mid][0] == country


@settings(max_examples=100, deadline=None)
@given(st.lists(MMSI, min_size=1, max_size=40), st.integers(0, 27))
def test_each_row_stands_alone(values: list[int], msg_type: int) -> None:
    """A row's answer does not depend on its neighbours (masks do not leak)."""
    m = np.array(values, dtype=np.int64)
    whole = mmsi_issue(m, msg_type).tolist()
    alone = [mmsi_issue(m[i : i + 1], msg_type)[0] for i in range(len(values))]
    assert whole == alone
