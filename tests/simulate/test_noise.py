"""Sensor noise: the right spread, never beyond 5 sigma, seeded."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import EARTH_RADIUS_M, haversine_m
from vesselwatch.simulate.motion import ItineraryBuilder
from vesselwatch.simulate.noise import (
    MAX_SIGMAS,
    NoiseModel,
    add_noise,
    angle_noise,
    cog_noise,
    heading_noise,
    position_noise,
    sog_noise,
)

N = 200_000


def test_position_noise_has_the_asked_spread_and_is_capped() -> None:
    lat = np.full(N, 42.0)
    lon = np.full(N, 131.0)
    nlat, nlon = position_noise(lat, lon, sigma_m=10.0, seed=1)
    north = (nlat - lat) * EARTH_RADIUS_M * np.pi / 180.0
    east = (nlon - lon) * EARTH_RADIUS_M * np.pi / 180.0 * np.cos(np.radians(42.0))
    assert north.std() == pytest.approx(10.0, rel=0.01) and east.std() == pytest.approx(10.0,
                                                                                       rel=0.01)
    assert abs(north.mean()) < 0.1 and abs(east.mean()) < 0.1
    assert abs(np.corrcoef(north, east)[0, 1]) < 0.01
    assert haversine_m(lat, lon, nlat, nlon).max() <= MAX_SIGMAS * 10.0 + 1e-6


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(-80.0, 80.0), st.floats(-180.0, 179.999),
       st.floats(0.1, 100.0))
def test_no_point_moves_more_than_five_sigma(seed: int, lat: float, lon: float,
                                             sigma: float) -> None:
    la, lo = np.full(2000, lat), np.full(2000, lon)
    nla, nlo = position_noise(la, lo, sigma_m=sigma, seed=seed)
    assert haversine_m(la, lo, nla, nlo).max() <= MAX_SIGMAS * sigma * (1 + 1e-6)
    assert np.all((nlo >= -180.0) & (nlo < 180.0))


def test_the_cap_binds_only_in_the_far_tail() -> None:
    # a 2-D Gaussian error exceeds 5 sigma with probability exp(-12.5) = 3.7e-6
    lat, lon = np.zeros(2_000_000), np.zeros(2_000_000)
    nlat, nlon = position_noise(lat, lon, sigma_m=1.0, seed=2)
    d = haversine_m(lat, lon, nlat, nlon)
    assert d.max() <= 5.0 + 1e-9 and np.mean(d > 4.0) == pytest.approx(np.exp(-8.0), rel=0.1)


def test_sog_noise_is_clipped_at_zero_and_capped() -> None:
    sog = np.concatenate([np.zeros(N), np.full(N, 10.0)])
    noisy = sog_noise(sog, sigma_kn=0.1, seed=3)
    assert noisy.min() >= 0.0
    assert np.mean(noisy[:N] == 0.0) == pytest.approx(0.5, abs=0.01)  # half the draws < 0
    moving = noisy[N:] - 10.0
    assert moving.std() == pytest.approx(0.1, rel=0.01) and np.abs(moving).max() <= 0.5


def test_angle_noise_wraps() -> None:
    cog = np.concatenate([np.full(N, 359.9), np.full(N, 0.05)])
    noisy = angle_noise(cog, sigma_deg=1.0, seed=4)
    assert np.all((noisy >= 0.0) & (noisy < 360.0))
    err = (noisy - cog + 180.0) % 360.0 - 180.0
    assert err.std() == pytest.approx(1.0, rel=0.01) and np.abs(err).max() <= 5.0 + 1e-9


def test_same_seed_same_noise_and_zero_sigma_no_noise() -> None:
    lat, lon = np.linspace(40, 41, 100), np.linspace(130, 131, 100)
    a = position_noise(lat, lon, seed=9)
    b = position_noise(lat, lon, seed=9)
    c = position_noise(lat, lon, seed=10)
    assert np.array_equal(a[0], b[0]) and not np.array_equal(a[0], c[0])
    z = position_noise(lat, lon, sigma_m=0.0, seed=9)
    assert np.array_equal(z[0], lat) and np.allclose(z[1], lon, rtol=0, atol=1e-12)


def test_add_noise_to_kinematics() -> None:
    it = ItineraryBuilder(1.7e9, 42.0, 131.0, seed=1).drift(3600.0, 5.0, 30.0).build()
    kin = it.at(np.arange(1.7e9, 1.7e9 + 3600.0, 10.0))
    noisy = add_noise(kin, NoiseModel(position_sigma_m=5.0), seed=7)
    assert np.array_equal(noisy.piece, kin.piece) and np.array_equal(noisy.moving, kin.moving)
    moved = haversine_m(kin.lat, kin.lon, noisy.lat, noisy.lon)
    assert 0 < moved.max() <= 25.0
    assert np.abs(noisy.sog_kn - 5.0).max() <= 0.5
    again = add_noise(kin, NoiseModel(position_sigma_m=5.0), seed=7)
    assert np.array_equal(again.heading_deg, noisy.heading_deg)
    with pytest.raises(InputError, match="sog_sigma_kn=-1"):
        NoiseModel(sog_sigma_kn=-1.0)


def test_seed_is_required_and_may_be_given_by_position() -> None:
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    a = position_noise([42.0], [131.0], 10.0, rng_a)
    b = position_noise([42.0], [131.0], sigma_m=10.0, seed=rng_b)
    assert a[0].tolist() == b[0].tolist()
    assert cog_noise([10.0], 1.0, 3).tolist() == angle_noise([10.0], 1.0, 3).tolist()
    assert heading_noise([10.0], 1.0, 3).tolist() == cog_noise([10.0], 1.0, 3).tolist()
    with pytest.raises(TypeError, match="needs a seed"):
        sog_noise([1.0], 0.1)
