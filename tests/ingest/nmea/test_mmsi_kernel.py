"""The kernel's compiled MMSI check agrees with ``model.mmsi`` row for row."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.ingest.nmea import _payload  # type: ignore[attr-defined]
from vesselwatch.model.mmsi import (
    _KINDS,
    ALLOWED_KINDS,
    MID_ALLOCATED,
    MmsiKind,
    mmsi_issue_codes,
)

# numbers of every shape ITU-R M.585 gives, and the edges between them
INTERESTING = st.one_of(
    st.integers(0, 999_999_999),
    st.integers(0, 9_999_999),  # leading zeros: coast stations and groups
    st.integers(970_000_000, 974_999_999),
    st.integers(980_000_000, 999_999_999),
    st.integers(111_000_000, 111_999_999),
    st.integers(800_000_000, 899_999_999),
    st.sampled_from([0, 123_456_789, 987_654_321, 111_111_111, 999_999_999, 200_000_000]),
)


def test_kind_order_matches_the_kernel() -> None:
    assert [k.value for k in _KINDS] == [k.value for k in MmsiKind]
    assert [k.name for k in _KINDS][:3] == ["SHIP", "COAST_STATION", "GROUP"]
    assert _KINDS[10] is MmsiKind.INVALID and _KINDS[9] is MmsiKind.HANDHELD


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(INTERESTING, st.integers(-1, 40)), min_size=1, max_size=200))
def test_kernel_equals_numpy(rows: list[tuple[int, int]]) -> None:
    mmsi = np.array([m for m, _ in rows], dtype=np.int64)
    msg_type = np.array([t for _, t in rows], dtype=np.int64)
    got = _payload.mmsi_issue_codes(mmsi, msg_type, MID_ALLOCATED, ALLOWED_KINDS)
    np.testing.assert_array_equal(got, mmsi_issue_codes(mmsi, msg_type))
