"""The compiled keys of the commit's one sort of a whole table (``_order.day_keys``)
against the same keys worked out in NumPy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.store import _order as ordering  # type: ignore[attr-defined]
from vesselwatch.store.layout import US_PER_DAY

# times from before 1970 to 2040, bunched on a few days so that ties occur
DAYS = st.sampled_from([-3, 0, 1, 14000, 14001, 18262, 25000])
ROWS = st.lists(
    st.tuples(st.integers(0, 999_999_999), DAYS, st.integers(0, US_PER_DAY - 1)),
    min_size=1, max_size=300)


@settings(max_examples=200, deadline=None)
@given(ROWS, st.integers(1, 8))
def test_day_keys_number_partitions_and_order_rows(rows: list[tuple[int, int, int]],
                                                    n_buckets: int) -> None:
    mmsi = np.array([r[0] for r in rows], np.uint32)
    ts = np.array([r[1] * US_PER_DAY + r[2] for r in rows], np.int64)
    got = ordering.day_keys(mmsi, ts, n_buckets)
    assert got is not None
    days, group, major, key = got
    day = np.floor_divide(ts, US_PER_DAY)
    assert days.tolist() == sorted(set(day.tolist()))
    expected_group = np.searchsorted(days, day) * n_buckets + mmsi.astype(np.int64) % n_buckets
    assert group.tolist() == expected_group.tolist()
    # in (group, mmsi, ts) order the keys never decrease, and rows of different
    # (group, mmsi) never share a key
    order = np.lexsort((ts, mmsi, group))
    assert np.all(key[order][1:] >= key[order][:-1])
    by_key: dict[int, tuple[int, int]] = {}
    for k, g, m in zip(key.tolist(), group.tolist(), mmsi.tolist()):
        assert by_key.setdefault(k, (g, m)) == (g, m)
    # a valid mmsi is below 2**30: the group sits right above it
    assert major.tolist() == [(g << 30) | m for g, m in zip(group.tolist(), mmsi.tolist())]


def test_day_keys_refuse_days_too_far_apart() -> None:
    mmsi = np.array([1, 2], np.uint32)
    ts = np.array([0, 2_000_000 * US_PER_DAY], np.int64)
    assert ordering.day_keys(mmsi, ts, 4) is None
