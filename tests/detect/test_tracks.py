"""Track preparation: segments, chaining, outliers, jumps, implied speeds (docs/events.md)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from track_builders import HOUR_US, MIN_US, make_tracks, north_m, positions_table, us, vessel

from vesselwatch.detect.config import NM_M

T0 = us("2024-03-01T00:00:00")


def test_one_vessel_is_one_track_with_implied_speed_where_sog_is_missing() -> None:
    rows = vessel(1, T0, T0 + HOUR_US, 60, 40.0, 130.0, speed_kn=10.0, sog=None)
    t = make_tracks(rows)
    assert set(t.seg.tolist()) == {0}
    assert not t.outlier.any() and not t.jump.any()
    assert np.isnan(t.implied_sog_kn[0])
    # 10 kn east, a position a minute: implied speed 10 kn (within the straight-line error)
    np.testing.assert_allclose(t.implied_sog_kn[1:], 10.0, rtol=1e-3)
    # the first position takes the implied speed to the next one
    np.testing.assert_allclose(t.speed_kn, 10.0, rtol=1e-3)
    assert not t.sog_reported.any()


def test_a_single_far_position_mid_track_is_an_outlier_not_a_new_vessel() -> None:
    rows = vessel(1, T0, T0 + HOUR_US, 60, 40.0, 130.0, speed_kn=5.0)
    ts_mid = rows[30][1] + 1_000_000
    rows.append((1, ts_mid, 45.0, 130.0, 5.0))  # 555 km away, one second later
    t = make_tracks(rows)
    far = t.lat == 45.0
    assert t.outlier[far].all() and t.outlier.sum() == 1
    assert len(set(t.seg[~far].tolist())) == 1
    assert not t.jump.any()  # the main track never stepped to the outlier


def test_a_vessel_reappearing_far_away_after_silence_stays_one_track_with_a_jump() -> None:
    rows = vessel(1, T0, T0 + HOUR_US, 60, 40.0, 130.0, speed_kn=5.0)
    later = vessel(1, T0 + 11 * HOUR_US, T0 + 12 * HOUR_US, 60, 40.0, 150.0, speed_kn=5.0)
    t = make_tracks(rows + later)
    assert set(t.seg.tolist()) == {0}
    assert t.jump.sum() == 1  # about 1,700 km in 10 h: some 92 kn
    i = int(np.flatnonzero(t.jump)[0])
    assert t.ts[i] == later[0][1]
    assert t.implied_sog_kn[i] > 50.0


def test_two_transmitters_sharing_an_mmsi_are_two_tracks() -> None:
    a = vessel(7, T0, T0 + 2 * HOUR_US, 60, 40.0, 130.0, speed_kn=10.0)
    b = vessel(7, T0 + 30, T0 + 2 * HOUR_US + 30, 60, 42.0, 131.0, speed_kn=10.0)
    t = make_tracks(a + b)
    assert sorted(set(t.seg.tolist())) == [0, 1]
    assert (t.seg[t.lat < 41.0] == 0).all() and (t.seg[t.lat > 41.0] == 1).all()
    assert not t.outlier.any()


def test_identical_rows_are_one_position_and_rows_without_a_place_are_left_out() -> None:
    rows = vessel(3, T0, T0 + 10 * MIN_US, 60, 40.0, 130.0)
    table = positions_table(rows + rows[:3])
    no_place = positions_table([(3, T0 + 30_000_000, 40.0, 130.0, 1.0)])
    no_place = no_place.set_column(no_place.schema.get_field_index("lat"), "lat",
                                   pa.nulls(1, pa.float64()))
    t = make_tracks(pa.concat_tables([table, no_place]))
    assert len(t) == len(rows)


@settings(max_examples=40, deadline=None)
@given(st.permutations(list(range(24))), st.floats(0.0, 30.0))
def test_row_order_does_not_change_tracks(order: list[int], speed: float) -> None:
    a = vessel(1, T0, T0 + 2 * HOUR_US, 600, 40.0, 130.0, speed_kn=speed)[:12]
    b = vessel(2, T0, T0 + 2 * HOUR_US, 600, north_m(40.0, 900.0), 130.0, speed_kn=speed,
               sog=None)[:12]
    rows = a + b
    base = make_tracks(rows)
    shuffled = make_tracks([rows[i] for i in order])
    for name in ("mmsi", "ts", "lat", "lon", "seg", "outlier", "jump"):
        np.testing.assert_array_equal(getattr(base, name), getattr(shuffled, name))
    np.testing.assert_array_equal(base.speed_kn, shuffled.speed_kn)


def test_noise_below_the_jump_noise_is_never_impossible() -> None:
    rows = [(1, T0, 40.0, 130.0, 0.0), (1, T0 + 1_000_000, north_m(40.0, 400.0), 130.0, 0.0),
            (1, T0 + 2_000_000, 40.0, 130.0, 0.0)]
    t = make_tracks(rows)
    assert not t.jump.any() and set(t.seg.tolist()) == {0}
    assert t.implied_sog_kn[1] > 700  # 400 m in a second, yet within the noise
    assert NM_M == 1852.0


def test_nan_coordinates_are_no_place_and_do_not_make_a_second_transmitter() -> None:
    rows = vessel(1, T0, T0 + HOUR_US, 60, 40.0, 130.0, speed_kn=5.0)
    for i in range(0, len(rows), 5):
        rows[i] = (rows[i][0], rows[i][1], float("nan"), float("nan"), rows[i][4])
    t = make_tracks(rows)
    assert len(t) == len(rows) - len(range(0, len(rows), 5))
    assert set(t.seg.tolist()) == {0} and not t.outlier.any()
