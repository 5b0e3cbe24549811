"""What an MMSI says about its sender, and whether it fits the message it came in.

The formats are those of Recommendation ITU-R M.585 ("Assignment and use of identities in
the maritime mobile service"), read on the nine decimal digits of the MMSI with leading
zeros counted (``2190047`` is ``002190047``):

==========================  ======================  ====================
digits                      kind                    MID at digits
==========================  ======================  ====================
``M I D X X X X X X``       ``ship``                1-3 (M is 2-7)
``0 0 M I D X X X X``       ``coast_station``       3-5
``0 M I D X X X X X``       ``group``               2-4
``1 1 1 M I D X X X``       ``sar_aircraft``        4-6
``9 7 0 X X Y Y Y Y``       ``sart``                none (AIS-SART)
``9 7 2 X X Y Y Y Y``       ``mob``                 none (man overboard)
``9 7 4 X X Y Y Y Y``       ``epirb``               none (EPIRB-AIS)
``9 8 M I D X X X X``       ``craft_associated``    3-5 (craft of a parent ship)
``9 9 M I D X X X X``       ``aton``                3-5 (aid to navigation)
``8 M I D X X X X X``       ``handheld``            2-4 (handheld VHF with DSC/AIS)
==========================  ======================  ====================

A MID always starts with a digit 2-7 (M.585 Annex 1); a number whose MID position holds
anything else, any other prefix, or a value outside 0..999 999 999, is ``invalid``.

Issues, per row (``None`` when the identity is fine), in order of precedence:

* ``placeholder``: an identity an unconfigured transponder broadcasts: nine equal digits
  1-9 (``111111111`` ... ``999999999``), ``123456789`` or ``987654321``;
* ``wrong_kind``: the kind cannot send that message type (see :data:`EXPECTED_KINDS`), or
  the number is ``invalid`` (``0`` among them) whatever the type;
* ``unallocated_mid``: the kind carries a MID that ITU has not allocated
  (:data:`vesselwatch.model.mid.ALLOCATED_MIDS`).

Everything here is vectorised over numpy arrays; no per-row Python.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import numpy as np
import numpy.typing as npt

from vesselwatch.model.mid import ALLOCATED_MIDS, MID_COUNTRY

MMSI_MAX: Final = 999_999_999


class MmsiKind(StrEnum):
    """The kind of station an MMSI belongs to (ITU-R M.585)."""

    SHIP = "ship"
    COAST_STATION = "coast_station"
    GROUP = "group"
    SAR_AIRCRAFT = "sar_aircraft"
    SART = "sart"
    MOB = "mob"
    EPIRB = "epirb"
    CRAFT_ASSOCIATED = "craft_associated"
    ATON = "aton"
    HANDHELD = "handheld"
    INVALID = "invalid"


class MmsiIssue(StrEnum):
    """Why an MMSI is suspicious. Rows are flagged, never dropped."""

    PLACEHOLDER = "placeholder"
    WRONG_KIND = "wrong_kind"
    UNALLOCATED_MID = "unallocated_mid"


PLACEHOLDER_MMSIS: Final[frozenset[int]] = frozenset(
    [111_111_111 * k for k in range(1, 10)] + [123_456_789, 987_654_321]
)

_VESSEL: Final = frozenset({MmsiKind.SHIP, MmsiKind.HANDHELD, MmsiKind.CRAFT_ASSOCIATED})
_BEACON: Final = frozenset({MmsiKind.SART, MmsiKind.MOB, MmsiKind.EPIRB})
_VESSEL_REPORTS: Final = (1, 2, 3, 5, 18, 19, 24, 27)

EXPECTED_KINDS: Final[dict[int, frozenset[MmsiKind]]] = {
    **{t: _VESSEL for t in _VESSEL_REPORTS},
    # SART, MOB and EPIRB-AIS devices send position reports as type 1 (and type 14).
    1: _VESSEL | _BEACON,
    # 0 = source type unknown (a CSV row, say): read it as the commonest report, type 1.
    0: _VESSEL | _BEACON,
    4: frozenset({MmsiKind.COAST_STATION}),  # base station report
    11: frozenset({MmsiKind.COAST_STATION}),  # UTC/date response
    9: frozenset({MmsiKind.SAR_AIRCRAFT}),  # SAR aircraft position report
    21: frozenset({MmsiKind.ATON}),  # aid-to-navigation report
}
"""Kinds that may send each message type. A type not listed accepts any kind but ``invalid``."""

# ---------------------------------------------------------------------------------------------
# Lookup tables, indexed by small integers so every step is one numpy gather.

_KINDS: Final[tuple[MmsiKind, ...]] = tuple(MmsiKind)
_K: Final[dict[MmsiKind, int]] = {k: i for i, k in enumerate(_KINDS)}
_KIND_NAMES: Final = np.array([k.value for k in _KINDS], dtype=object)

_N_TYPES: Final = 28  # AIS message types 0..27; row 28 stands for any other value


def _allowed_table() -> npt.NDArray[np.bool_]:
    """``[msg_type row, kind index] -> may send``."""
    allowed = np.ones((_N_TYPES + 1, len(_KINDS)), dtype=bool)
    allowed[:, _K[MmsiKind.INVALID]] = False
    for msg_type, kinds in EXPECTED_KINDS.items():
        allowed[msg_type, :] = False
        allowed[msg_type, [_K[k] for k in kinds]] = True
    return allowed


def _mid_tables() -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.object_]]:
    """``mid -> allocated`` and ``mid -> alpha-2 or None`` for every three-digit number."""
    allocated = np.zeros(1000, dtype=bool)
    alpha2 = np.full(1000, None, dtype=object)
    for mid, (code, _name) in MID_COUNTRY.items():
        allocated[mid] = mid in ALLOCATED_MIDS
        alpha2[mid] = code
    return allocated, alpha2


_ALLOWED: Final = _allowed_table()
_MID_ALLOCATED, _MID_ALPHA2 = _mid_tables()
_PLACEHOLDERS: Final = np.array(sorted(PLACEHOLDER_MMSIS), dtype=np.int64)

# The same tables as uint8 arrays, for compiled code ([mid] and [msg_type row, kind index])
MID_ALLOCATED: Final = np.ascontiguousarray(_MID_ALLOCATED, dtype=np.uint8)
ALLOWED_KINDS: Final = np.ascontiguousarray(_ALLOWED, dtype=np.uint8)


def _as_int64(mmsi: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """MMSIs as int64; anything that is not a whole number in 0..MMSI_MAX becomes -1."""
    a = np.asarray(mmsi)
    out = np.full(a.shape, -1, dtype=np.int64)
    if a.dtype.kind in "iub":
        ok = (a >= 0) & (a <= MMSI_MAX)
        out[ok] = a[ok]
        return out
    if a.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(a) & (a >= 0) & (a <= MMSI_MAX) & (a == np.floor(a))
        out[ok] = a[ok]
        return out
    raise TypeError(
        f"mmsi must be an integer or float array, got dtype {a.dtype}; "
        "convert the column to integers first (nulls to 0)"
    )


def _decode(m: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
    """Kind index (into ``_KINDS``) and MID (``-1`` where the kind has none) for each MMSI."""
    kind = np.full(m.shape, _K[MmsiKind.INVALID], dtype=np.intp)
    mid = np.full(m.shape, -1, dtype=np.int64)
    in_range = m >= 0  # _as_int64 already mapped everything out of range to -1
    first3 = m // 1_000_000  # digits 1-3 of the nine
    first2 = m // 10_000_000
    first1 = m // 100_000_000

    def put(mask: npt.NDArray[np.bool_], k: MmsiKind, at: npt.NDArray[np.int64] | None) -> None:
        if at is None:
            kind[mask] = _K[k]
            return
        ok = mask & (at >= 200) & (at <= 799)  # a MID starts with 2-7
        kind[ok] = _K[k]
        mid[ok] = at[ok]

    put(in_range & (first1 >= 2) & (first1 <= 7), MmsiKind.SHIP, first3)
    put(in_range & (first1 == 8), MmsiKind.HANDHELD, (m // 100_000) % 1000)
    put(first2 == 98, MmsiKind.CRAFT_ASSOCIATED, (m // 10_000) % 1000)
    put(first2 == 99, MmsiKind.ATON, (m // 10_000) % 1000)
    put(first3 == 970, MmsiKind.SART, None)
    put(first3 == 972, MmsiKind.MOB, None)
    put(first3 == 974, MmsiKind.EPIRB, None)
    put(first3 == 111, MmsiKind.SAR_AIRCRAFT, (m // 1_000) % 1000)
    put(in_range & (first2 == 0), MmsiKind.COAST_STATION, (m // 10_000) % 1000)
    put(in_range & (first1 == 0) & (first2 != 0), MmsiKind.GROUP, m // 100_000)
    return kind, mid


def mmsi_kind(mmsi: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """The :class:`MmsiKind` value (a ``str``) of each MMSI, ``"invalid"`` when none fits."""
    kind, _ = _decode(_as_int64(mmsi))
    return np.asarray(_KIND_NAMES[kind], dtype=object)


def mmsi_mid(mmsi: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """The MID each MMSI carries at its kind's position, or ``-1`` (no MID, or invalid)."""
    _, mid = _decode(_as_int64(mmsi))
    return mid


def mmsi_country(mmsi: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """ISO 3166-1 alpha-2 of the MID's administration, or ``None`` (no MID, or unallocated)."""
    _, mid = _decode(_as_int64(mmsi))
    out = np.full(mid.shape, None, dtype=object)
    has = mid >= 0
    out[has] = _MID_ALPHA2[mid[has]]
    return out


ISSUE_NAMES = (MmsiIssue.UNALLOCATED_MID.value, MmsiIssue.WRONG_KIND.value,
               MmsiIssue.PLACEHOLDER.value)


def mmsi_issue_codes(mmsi: npt.ArrayLike, msg_type: npt.ArrayLike) -> npt.NDArray[np.int8]:
    """:func:`mmsi_issue` as codes: 0 none, else 1 + the index into :data:`ISSUE_NAMES`."""
    m = _as_int64(mmsi)
    kind, mid = _decode(m)
    t = np.broadcast_to(np.asarray(msg_type), m.shape)
    if t.dtype.kind not in "iub":
        raise TypeError(f"msg_type must be an integer array, got dtype {t.dtype}")
    t = t.astype(np.int64)
    row = np.where((t >= 0) & (t < _N_TYPES), t, _N_TYPES)
    code = np.zeros(m.shape, dtype=np.int8)
    unallocated = (mid >= 0) & ~_MID_ALLOCATED[np.maximum(mid, 0)]
    code[unallocated] = 1
    code[~_ALLOWED[row, kind]] = 2
    code[np.isin(m, _PLACEHOLDERS)] = 3
    return code


def mmsi_issue(mmsi: npt.ArrayLike, msg_type: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """One :class:`MmsiIssue` value (a ``str``) or ``None`` per row; see the module docstring.

    ``msg_type`` is the AIS message type (0 when the source does not say) and broadcasts
    against ``mmsi``; values outside 0..27 only forbid the ``invalid`` kind.
    """
    names = np.array([None, *ISSUE_NAMES], dtype=object)
    issue: npt.NDArray[np.object_] = names[mmsi_issue_codes(mmsi, msg_type)]
    return issue
