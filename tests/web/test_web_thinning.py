"""The map's thinning (``thin_per_vessel``) for any vessels and any limit: properties."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from vesselwatch.web.positions_arrow import thin_per_vessel


@given(st.lists(st.integers(1, 60), min_size=1, max_size=30), st.integers(1, 400))
def test_thinning_keeps_every_vessel_evenly_within_the_limit(counts: list[int],
                                                             limit: int) -> None:
    mmsi = np.repeat(np.arange(1, len(counts) + 1, dtype=np.uint32), counts)
    rows = thin_per_vessel(mmsi, limit)
    if len(mmsi) <= limit:
        assert rows is None
        return
    assert rows is not None
    assert np.all(np.diff(rows) > 0) and rows[0] >= 0 and rows[-1] < len(mmsi)
    assert set(mmsi[rows].tolist()) == set(mmsi.tolist())  # every vessel
    assert len(rows) <= max(limit, len(counts))
    if limit <= len(counts):  # one row each: the last
        ends = np.cumsum(counts) - 1
        assert rows.tolist() == ends.tolist()
        return
    starts = np.cumsum(counts) - np.asarray(counts)
    for v, (start, n) in enumerate(zip(starts, counts), start=1):
        mine = rows[mmsi[rows] == v] - start
        assert mine[-1] == n - 1
        if len(mine) > 1:
            assert mine[0] == 0
            gaps = np.diff(mine)
            assert gaps.max() - gaps.min() <= 1  # evenly spaced


def test_a_vessel_with_more_rows_keeps_more() -> None:
    mmsi = np.repeat(np.array([1, 2], dtype=np.uint32), [1000, 100])
    rows = thin_per_vessel(mmsi, 110)
    assert rows is not None
    kept = np.bincount(mmsi[rows])[1:]
    assert kept[0] > 5 * kept[1] and kept.sum() <= 110
