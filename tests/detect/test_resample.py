"""The 10-minute grid resampler: worked values, gaps, the antimeridian, and a naive twin."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from track_builders import MIN_US, make_tracks, us

from vesselwatch.detect.resample import Grid, resample_tracks
from vesselwatch.detect.tracks import Tracks

M = 636000001


def grid_of(rows: list, gap_h: float = 1.0) -> Grid:
    return resample_tracks(make_tracks(rows), 10.0, gap_h)


def test_points_are_interpolated_at_multiples_of_ten_minutes() -> None:
    t0 = us("2024-03-01T06:05:00")
    g = grid_of([(M, t0, 10.0, 20.0, 1.0), (M, t0 + 20 * MIN_US, 10.02, 20.04, 3.0)])
    assert g.t_us.tolist() == [us("2024-03-01T06:10:00"), us("2024-03-01T06:20:00")]
    assert g.lat == pytest.approx([10.005, 10.015])
    assert g.lon == pytest.approx([20.01, 20.03])
    assert g.speed_kn == pytest.approx([1.5, 2.5])
    assert g.observed.tolist() == [True, True]
    assert g.speed_reported.tolist() == [True, True]
    assert g.mmsi.tolist() == [M, M]


def test_a_position_on_the_grid_is_a_point_by_itself() -> None:
    g = grid_of([(M, us("2024-03-01T06:00:00"), 10.0, 20.0, None)])
    assert g.t_us.tolist() == [us("2024-03-01T06:00:00")]
    assert g.lat.tolist() == [10.0]


def test_steps_over_the_interpolation_gap_are_not_filled() -> None:
    t0 = us("2024-03-01T06:05:00")
    rows = [(M, t0, 10.0, 20.0, 1.0), (M, t0 + 70 * MIN_US, 10.0, 20.01, 1.0)]
    assert len(grid_of(rows)) == 0
    rows = [(M, t0, 10.0, 20.0, 1.0), (M, t0 + 60 * MIN_US, 10.0, 20.01, 1.0)]
    assert len(grid_of(rows)) == 6  # 06:10 .. 07:00, a step of exactly 1 h is filled


def test_observed_means_a_position_within_ten_minutes() -> None:
    t0 = us("2024-03-01T06:00:00")
    rows = [(M, t0, 10.0, 20.0, 1.0), (M, t0 + 50 * MIN_US, 10.0, 20.01, 1.0)]
    g = grid_of(rows)
    assert g.t_us.tolist() == [t0 + k * 10 * MIN_US for k in range(6)]
    assert g.observed.tolist() == [True, True, False, False, True, True]


def test_longitude_crosses_the_antimeridian_the_short_way() -> None:
    t0 = us("2024-03-01T06:05:00")
    g = grid_of([(M, t0, 0.0, 179.99, 1.0), (M, t0 + 20 * MIN_US, 0.0, -179.99, 1.0)])
    assert abs(g.lon[0]) == pytest.approx(179.995)
    assert abs(g.lon[1]) == pytest.approx(179.995)
    assert g.lon[0] > 0 > g.lon[1]


def test_implied_speed_marks_points_not_reported() -> None:
    t0 = us("2024-03-01T06:05:00")
    g = grid_of([(M, t0, 10.0, 20.0, None), (M, t0 + 20 * MIN_US, 10.0, 20.001, 2.0)])
    assert g.speed_reported.tolist() == [False, False]


def test_one_point_per_mmsi_from_its_lowest_track() -> None:
    t0 = us("2024-03-01T06:00:00")
    rows = []
    for k in range(12):  # two transmitters at once, 100 km apart
        rows.append((M, t0 + k * 5 * MIN_US, 10.0, 20.0, 0.0))
        rows.append((M, t0 + k * 5 * MIN_US + 60_000_000, 11.0, 20.0, 0.0))
    tracks = make_tracks(rows)
    assert sorted(set(tracks.seg.tolist())) == [0, 1]
    g = resample_tracks(tracks, 10.0, 1.0)
    assert len(set(g.t_us.tolist())) == len(g)
    assert set(g.lat.tolist()) == {10.0}


# --- against a naive twin -----------------------------------------------------------------


def naive(tracks: Tracks, step: int, gap: int) -> dict[tuple[int, int], tuple[int, float, float]]:
    """(mmsi, t) -> (seg, lat, speed), one grid time at a time, per the module docstring."""
    out: dict[tuple[int, int], tuple[int, float, float]] = {}
    keep = ~tracks.outlier
    for m, s in sorted(set(zip(tracks.mmsi[keep].tolist(), tracks.seg[keep].tolist()))):
        sel = np.flatnonzero(keep & (tracks.mmsi == m) & (tracks.seg == s))
        ts, lat, spd = tracks.ts[sel], tracks.lat[sel], tracks.speed_kn[sel]
        t = -(-int(ts[0]) // step) * step
        while t <= ts[-1]:
            k = int(np.searchsorted(ts, t, side="right")) - 1
            value = None
            if ts[k] == t:
                value = (float(lat[k]), float(spd[k]))
            elif k + 1 < len(ts) and ts[k + 1] - ts[k] <= gap:
                f = (t - ts[k]) / (ts[k + 1] - ts[k])
                with np.errstate(invalid="ignore"):  # inf speeds (moves in no time)
                    value = (lat[k] + f * (lat[k + 1] - lat[k]),
                             spd[k] + f * (spd[k + 1] - spd[k]))
            if value is not None and ((m, t) not in out or out[(m, t)][0] > s):
                out[(m, t)] = (s, float(value[0]), float(value[1]))
            t += step
    return out


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_matches_a_naive_twin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = []
    t0 = us("2024-03-01T23:00:00")
    for k in range(3):
        n = int(rng.integers(1, 40))
        ts = t0 + np.sort(rng.integers(0, 4 * 60, n)) * MIN_US + rng.integers(0, 2) * 30_000_000
        lat = 10.0 + k + np.cumsum(rng.uniform(0, 0.003, n))
        for t, la in zip(ts.tolist(), lat.tolist()):
            sog = None if rng.random() < 0.3 else float(rng.uniform(0, 5))
            rows.append((M + k, t, la, 20.0, sog))
            if rng.random() < 0.1:  # a second transmitter far away
                rows.append((M + k, t + 1_000_000, la + 2.0, 20.0, sog))
    tracks = make_tracks(rows)
    g = resample_tracks(tracks, 10.0, 1.0)
    want = naive(tracks, 10 * MIN_US, 60 * MIN_US)
    got = {(m, t): (s, la, sp) for m, t, s, la, sp in
           zip(g.mmsi.tolist(), g.t_us.tolist(), g.seg.tolist(), g.lat.tolist(),
               g.speed_kn.tolist())}
    assert got.keys() == want.keys()
    for key, (s, la, sp) in want.items():
        assert got[key][0] == s
        assert got[key][1] == pytest.approx(la, abs=1e-9)
        assert got[key][2] == pytest.approx(sp, rel=1e-5, abs=1e-5, nan_ok=True)
    small_blocks = resample_tracks(tracks, 10.0, 1.0, block_rows=7)
    for name in ("mmsi", "t_us", "lat", "lon", "observed", "speed_reported", "seg"):
        assert np.array_equal(getattr(small_blocks, name), getattr(g, name)), name
    dm = np.diff(g.mmsi.astype(np.int64))
    assert np.all((dm > 0) | ((dm == 0) & (np.diff(g.t_us) > 0)))  # (mmsi, t) order
