"""IMO ship identification numbers: the check digit, vectorised.

An IMO number (IMO Resolution A.1117(30)) has seven digits; the seventh is the check digit,
the last digit of the sum of the first six weighted 7, 6, 5, 4, 3, 2 (``docs/events.md``,
``identity_change``). ``9074729``: 9·7 + 0·6 + 7·5 + 4·4 + 7·3 + 2·2 = 139, check digit 9.

A number outside 1 000 000 .. 9 999 999 is not seven digits and never valid; ``0`` is how
AIS says "no IMO" and is not valid either. Everything works on numpy arrays, no per-row
Python.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

IMO_MIN: Final = 1_000_000
IMO_MAX: Final = 9_999_999
WEIGHTS: Final = (7, 6, 5, 4, 3, 2)


def imo_check_digit(stem: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """The check digit of each six-digit stem (0..999 999, leading zeros counted)."""
    s = np.asarray(stem, dtype=np.int64)
    total = np.zeros(s.shape, dtype=np.int64)
    for i, w in enumerate(WEIGHTS):
        digit = (s // 10 ** (5 - i)) % 10
        total += w * digit
    out: npt.NDArray[np.int64] = total % 10
    return out


def imo_valid(imo: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where the value is a seven-digit IMO number with a correct check digit.

    Integers of any width; floats are accepted when whole (NaN and fractions are invalid).
    """
    a = np.asarray(imo)
    if a.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(a) & (a == np.floor(a)) & (a >= IMO_MIN) & (a <= IMO_MAX)
        v = np.where(whole, a, 0).astype(np.int64)
    elif a.dtype.kind in "iu":
        whole = (a >= IMO_MIN) & (a <= IMO_MAX)
        v = np.where(whole, a, 0).astype(np.int64)
    elif a.dtype.kind == "b" or a.size == 0:
        return np.zeros(a.shape, dtype=bool)
    else:
        raise TypeError(f"imo must be an integer array, got dtype {a.dtype}; "
                        "convert the column to integers first (nulls to 0)")
    ok: npt.NDArray[np.bool_] = whole & (imo_check_digit(v // 10) == v % 10)
    return ok


def is_valid_imo(imo: object) -> bool:
    """The scalar form of :func:`imo_valid`: True only for a whole number with a right
    check digit (``None``, text, booleans and fractions are not valid)."""
    if not isinstance(imo, int | float | np.integer | np.floating) or isinstance(imo, bool):
        return False
    if isinstance(imo, int) and not IMO_MIN <= imo <= IMO_MAX:  # also beyond int64
        return False
    return bool(imo_valid(np.asarray([imo]))[0])
