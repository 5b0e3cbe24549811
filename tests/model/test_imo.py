"""IMO check digit (docs/events.md, identity_change / invalid_imo): known numbers, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vesselwatch.model.imo import imo_check_digit, imo_valid, is_valid_imo

# Valid IMO numbers (9074729, 9176187: known ships) and near misses. 1234567, a favourite placeholder, passes the check
# (7+12+15+16+15+12 = 77): the check digit alone cannot tell it from a real number.
VALID = [9074729, 9176187, 9334662, 1000007, 1234567]
INVALID = [9074728, 9176188, 1000003, 1234568, 9999999, 0, 999999, 10000000, -9074729]


def test_known_valid_and_invalid_numbers() -> None:
    assert imo_valid(np.array(VALID, dtype=np.int64)).tolist() == [True] * len(VALID)
    assert imo_valid(np.array(INVALID, dtype=np.int64)).tolist() == [False] * len(INVALID)
    assert [is_valid_imo(v) for v in VALID] == [True] * len(VALID)
    assert [is_valid_imo(v) for v in INVALID] == [False] * len(INVALID)


def test_worked_example_of_the_check_digit() -> None:
    # 9·7 + 0·6 + 7·5 + 4·4 + 7·3 + 2·2 = 139 -> 9
    assert imo_check_digit(907472).tolist() == 9


def test_dtypes_and_odd_values() -> None:
    assert imo_valid(np.array(VALID, dtype=np.uint32)).all()
    assert imo_valid(np.array([9074729.0, 9074729.5, np.nan, np.inf])).tolist() == [
        True, False, False, False]
    assert imo_valid(np.array([], dtype=np.int64)).shape == (0,)
    assert not is_valid_imo(None) and not is_valid_imo(10**30) and not is_valid_imo(True)
    assert is_valid_imo(9074729) and is_valid_imo(9074729.0) and is_valid_imo(np.int64(9074729))
    assert not is_valid_imo(9074729.5) and not is_valid_imo("9074729")
    with pytest.raises(TypeError, match="integer"):
        imo_valid(np.array(["9074729"]))


@given(st.integers(100_000, 999_999))
def test_every_six_digit_stem_has_exactly_one_valid_check_digit(stem: int) -> None:
    candidates = np.arange(10, dtype=np.int64) + stem * 10
    assert int(imo_valid(candidates).sum()) == 1
    assert imo_valid(np.array([stem * 10 + imo_check_digit(stem)])).all()


@given(st.integers(1_000_000, 9_999_999))
def test_vector_and_scalar_agree_with_the_definition(imo: int) -> None:
    digits = [int(c) for c in str(imo)]
    expected = sum(d * w for d, w in zip(digits[:6], (7, 6, 5, 4, 3, 2))) % 10 == digits[6]
    assert is_valid_imo(imo) == expected
    assert bool(imo_valid(np.array([imo]))[0]) == expected


@given(st.integers(1_000_000, 9_999_999), st.sampled_from([0, 4, 6]), st.integers(1, 9))
def test_a_wrong_digit_under_weight_7_or_3_or_the_check_digit_is_caught(
        imo: int, pos: int, delta: int) -> None:
    # weights 7 and 3 (and the check digit itself) are prime to 10, so any change shows;
    # a change of 5 under an even weight, or of an even amount under weight 5, does not
    valid = imo - imo % 10 + int(imo_check_digit(imo // 10))
    digits = [int(c) for c in str(valid)]
    digits[pos] = (digits[pos] + delta) % 10
    changed = int("".join(map(str, digits)))
    assert not is_valid_imo(changed)
