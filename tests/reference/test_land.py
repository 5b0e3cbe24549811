"""Land/sea test and distance from shore (``vesselwatch.reference.land``).

Known answers, agreement with shapely on the Natural Earth 1:10m polygons of the data
folder (an independent copy of the source: NE 4.0 GeoJSON, not the world-atlas TopoJSON
the raster is built from), and hypothesis properties (longitude wrap, shapes, NaN, >= 0).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from vesselwatch.errors import InputError
from vesselwatch.reference.land import LandMask, default_land_mask

R_M = 6_371_008.8
KM_PER_DEG = np.pi * R_M / 180 / 1000  # 111.195 km of great circle per degree


@pytest.fixture(scope="module")
def mask() -> LandMask:
    return default_land_mask()


def _one(values: npt.NDArray[Any]) -> Any:
    return values.item()


# ---------------------------------------------------------------- known answers

OPEN_OCEAN = {  # (lat, lon): nearest land in NE 1:10m, km, rounded down for the assertion
    "mid-Pacific (0N 140W; Marquesas ~850 km)": (0.0, -140.0, 700),
    "mid-Atlantic (30N 40W; Azores/Canaries ~1,200 km)": (30.0, -40.0, 1000),
    "South Pacific (30S 130W; Pitcairn ~500 km)": (-30.0, -130.0, 450),
    "Point Nemo (48.88S 123.39W; 2,688 km from land)": (-48.8767, -123.3933, 2500),
}


@pytest.mark.parametrize("name", sorted(OPEN_OCEAN))
def test_open_ocean_is_sea_and_far_from_shore(mask: LandMask, name: str) -> None:
    lat, lon, km = OPEN_OCEAN[name]
    assert not _one(mask.is_land(np.array([lat]), np.array([lon])))
    assert _one(mask.distance_to_shore_m(np.array([lat]), np.array([lon]))) > km * 1000


def test_point_nemo_is_about_2688_km_from_land(mask: LandMask) -> None:
    # 2,688 km to Ducie, Motu Nui and Maher Island, all three in NE 1:10m.
    d = _one(mask.distance_to_shore_m(np.array([-48.8767]), np.array([-123.3933])))
    assert 2688e3 - 15e3 < d < 2688e3 + 15e3


INLAND = {
    "Moscow": (55.7558, 37.6173, 550),  # Gulf of Finland at St Petersburg ~630 km
    "Kansas": (38.5, -98.5, 900),  # Gulf of Mexico ~1,000 km (NE land keeps the Great Lakes)
    "Sahara (Niger)": (23.0, 12.0, 900),  # Gulf of Sirte ~1,100 km
    "South Pole": (-90.0, 0.0, 300),  # NE land stops at the grounding line (Ross ~ 85.2S)
}


@pytest.mark.parametrize("name", sorted(INLAND))
def test_inland_points_are_land_and_far_from_shore(mask: LandMask, name: str) -> None:
    lat, lon, km = INLAND[name]
    assert _one(mask.is_land(np.array([lat]), np.array([lon])))
    assert _one(mask.distance_to_shore_m(np.array([lat]), np.array([lon]))) > km * 1000


def test_fifty_nautical_miles_off_a_straight_coast(mask: LandMask) -> None:
    # The Medoc coast (Bay of Biscay) runs nearly north-south: at 45.0N it is at 1.2144W in
    # NE 1:10m and leans 6 degrees, so a point 92.6 km (50 nm) due west is 92.1 km from it;
    # the Spanish coast is 170 km away.
    lon = -1.2144 - 92.6 / (KM_PER_DEG * np.cos(np.radians(45.0)))
    assert not _one(mask.is_land(np.array([45.0]), np.array([lon])))
    d = _one(mask.distance_to_shore_m(np.array([45.0]), np.array([lon])))
    assert 89e3 < d < 95e3


def test_strait_of_dover_midpoint(mask: LandMask) -> None:
    # Halfway between South Foreland and Cap Gris-Nez (33 km apart): sea, ~16 km from both.
    lat, lon = np.array([51.005]), np.array([1.475])
    assert not _one(mask.is_land(lat, lon))
    assert 12e3 < _one(mask.distance_to_shore_m(lat, lon)) < 18e3


def test_caspian_is_sea_and_its_shores_count_as_coast(mask: LandMask) -> None:
    lat, lon = np.array([42.0]), np.array([50.5])
    assert not _one(mask.is_land(lat, lon))
    assert 80e3 < _one(mask.distance_to_shore_m(lat, lon)) < 200e3


def test_north_pole_is_sea_and_its_distance_does_not_depend_on_lon(mask: LandMask) -> None:
    lon = np.linspace(-180, 180, 37)
    lat = np.full_like(lon, 90.0)
    assert not mask.is_land(lat, lon).any()
    d = mask.distance_to_shore_m(lat, lon)
    assert np.ptp(d) < 1.0
    assert 650e3 < d[0] < 800e3  # Cape Morris Jesup / Kaffeklubben, 83.6N: ~710 km


def test_antimeridian_islands(mask: LandMask) -> None:
    # Taveuni (Fiji) straddles 180; Wrangel Island too; both sides of the seam are land.
    lat = np.array([-16.85, -16.85, 71.2, 71.2])
    lon = np.array([179.99, -179.99, 179.9, -179.9])
    assert mask.is_land(lat, lon).all()
    assert (mask.distance_to_shore_m(lat, lon) < 30e3).all()


# ------------------------------------------------- agreement with shapely (real data)

def _rings(path: Path) -> list[npt.NDArray[np.float64]]:
    doc = json.loads(path.read_text())
    rings = []
    for feature in doc["features"]:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings += [np.asarray(ring, dtype=np.float64) for poly in polys for ring in poly]
    return rings


class Reference:
    """NE 1:10m polygons with shapely: point-in-polygon, and metric distance to the coast."""

    def __init__(self, path: Path) -> None:
        shapely = pytest.importorskip("shapely", reason="shapely comes with the [dev] extra")
        self.shapely = shapely
        doc = json.loads(path.read_text())
        land = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in doc["features"]])
        shapely.prepare(land)
        self.land = land
        rings = _rings(path)
        p0 = np.concatenate([r[:-1] for r in rings])
        p1 = np.concatenate([r[1:] for r in rings])
        cut = (np.abs(p0[:, 0]) == 180) & (np.abs(p1[:, 0]) == 180)
        pole = (p0[:, 1] <= -89.9) & (p1[:, 1] <= -89.9)
        keep = ~(cut | pole)
        self.segs = np.stack([p0[keep], p1[keep]], axis=1)  # (n, 2 ends, lon/lat)
        self.tree = shapely.STRtree(shapely.linestrings(self.segs))

    def is_land(self, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]
                ) -> npt.NDArray[np.bool_]:
        return np.asarray(self.shapely.contains_xy(self.land, lon, lat))

    def surely_farther_than(self, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64],
                            km: float) -> npt.NDArray[np.bool_]:
        """True where the coast is surely more than ``km`` away (a degree-space bound)."""
        _, deg = self.tree.query_nearest(self.shapely.points(lon, lat), return_distance=True,
                                         all_matches=False)
        cos = np.cos(np.radians(np.minimum(np.abs(lat) + 0.05, 89.0)))
        return np.asarray(deg > km / KM_PER_DEG * np.sqrt(1 + 1 / cos**2))

    def distance_m(self, lat: float, lon: float, radius_m: float) -> float:
        """Distance to the nearest coast segment within ``radius_m``, in an azimuthal
        equidistant projection centred on the point (exact for the segment ends)."""
        dlat = radius_m / 1000 / KM_PER_DEG
        dlon = dlat / np.cos(np.radians(lat))
        idx = self.tree.query(self.shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
        assert len(idx), f"no coast within {radius_m} m of {lat}, {lon}"
        seg = self.segs[idx]
        phi1, lam1 = np.radians(lat), np.radians(lon)
        phi, dlam = np.radians(seg[..., 1]), np.radians(seg[..., 0]) - lam1
        cos_c = np.sin(phi1) * np.sin(phi) + np.cos(phi1) * np.cos(phi) * np.cos(dlam)
        c = np.arccos(np.clip(cos_c, -1, 1))
        k = np.where(c > 0, c / np.sin(np.maximum(c, 1e-300)), 1.0)
        x = R_M * k * np.cos(phi) * np.sin(dlam)
        y = R_M * k * (np.cos(phi1) * np.sin(phi) - np.sin(phi1) * np.cos(phi) * np.cos(dlam))
        ax, ay, bx, by = x[:, 0], y[:, 0], x[:, 1], y[:, 1]
        vx, vy = bx - ax, by - ay
        t = np.clip(-(ax * vx + ay * vy) / np.maximum(vx * vx + vy * vy, 1e-12), 0, 1)
        return float(np.hypot(ax + t * vx, ay + t * vy).min())


@pytest.fixture(scope="module")
def reference(data_dir: Path) -> Reference:
    return Reference(data_dir / "land_naturalearth" / "ne_10m_land.json")


def _random_points(n: int, seed: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    rng = np.random.default_rng(seed)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))  # uniform on the sphere
    return lat, rng.uniform(-180, 180, n)


def _coastal_points(reference: Reference, n: int, seed: int
                    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Points 2-40 km off random coast segments, either side, |lat| < 75."""
    rng = np.random.default_rng(seed)
    segs = reference.segs[np.abs(reference.segs[:, 0, 1]) < 75]
    seg = segs[rng.integers(0, len(segs), n)]
    mid = seg.mean(axis=1)
    cos = np.cos(np.radians(mid[:, 1]))
    east = (seg[:, 1, 0] - seg[:, 0, 0]) * cos
    north = seg[:, 1, 1] - seg[:, 0, 1]
    norm = np.maximum(np.hypot(east, north), 1e-12)
    km = rng.uniform(2, 40, n) * rng.choice([-1.0, 1.0], n)
    lat = mid[:, 1] + km * (east / norm) / KM_PER_DEG
    lon = mid[:, 0] - km * (north / norm) / (KM_PER_DEG * cos)
    return lat, (lon + 180) % 360 - 180


@pytest.mark.realdata
def test_is_land_agrees_with_shapely_on_random_points(mask: LandMask,
                                                      reference: Reference) -> None:
    lat, lon = _random_points(6000, seed=1)
    far = reference.surely_farther_than(lat, lon, km=2.0)
    assert far.sum() > 5000
    agree = mask.is_land(lat[far], lon[far]) == reference.is_land(lat[far], lon[far])
    assert agree.mean() >= 0.995, f"agreement {agree.mean():.4%} on {far.sum()} points"


@pytest.mark.realdata
def test_is_land_agrees_with_shapely_near_the_coast(mask: LandMask,
                                                    reference: Reference) -> None:
    lat, lon = _coastal_points(reference, 6000, seed=2)
    far = reference.surely_farther_than(lat, lon, km=2.0)
    assert far.sum() > 3000
    ours, theirs = mask.is_land(lat[far], lon[far]), reference.is_land(lat[far], lon[far])
    assert 0.3 < theirs.mean() < 0.7  # both sides of the coast are in the sample
    agree = ours == theirs
    assert agree.mean() >= 0.998, f"agreement {agree.mean():.4%} on {far.sum()} points"


@pytest.mark.realdata
def test_distance_agrees_with_shapely_within_a_raster_cell(mask: LandMask,
                                                           reference: Reference) -> None:
    clat, clon = _coastal_points(reference, 150, seed=3)
    rlat, rlon = _random_points(3000, seed=4)
    near = (np.abs(rlat) < 70) & (mask.distance_to_shore_m(rlat, rlon) < 400e3)
    lat = np.concatenate([clat, rlat[near][:150]])
    lon = np.concatenate([clon, rlon[near][:150]])
    ok = (np.abs(lat) < 70) & (np.abs(lon) < 170)
    lat, lon = lat[ok], lon[ok]
    ours = mask.distance_to_shore_m(lat, lon).astype(np.float64)
    theirs = np.array([reference.distance_m(a, b, d + 20e3) for a, b, d in zip(lat, lon, ours)])
    err = ours - theirs
    # Bilinear interpolation of a 1-Lipschitz field: within half a node diagonal (~3.9 km at
    # 0.05 deg) in the worst case; plus ~0.5 km for the two copies' coastlines.
    cell_m = mask.dist_resolution_deg * KM_PER_DEG * 1000
    half_diag = 0.5 * cell_m * np.sqrt(1 + np.cos(np.radians(lat)) ** 2)
    assert np.all(np.abs(err) <= half_diag + 1000), (
        f"worst {np.abs(err).max():.0f} m at {lat[np.argmax(np.abs(err))]:.4f}, "
        f"{lon[np.argmax(np.abs(err))]:.4f}")
    assert np.percentile(np.abs(err), 95) < 0.3 * cell_m, f"p95 {np.percentile(np.abs(err), 95)} m"
    assert np.median(np.abs(err)) < 0.1 * cell_m, f"median error {np.median(np.abs(err)):.0f} m"


# ---------------------------------------------------------------- properties

GRID = 2.0**-20  # coordinates on a binary grid, so lon + 360k is exact in float64
lats = st.integers(-90 * 2**20, 90 * 2**20).map(lambda k: k * GRID)
lons = st.integers(-180 * 2**20, 180 * 2**20).map(lambda k: k * GRID)


@settings(deadline=None, max_examples=200)
@given(lat=lats, lon=lons, turns=st.integers(-3, 3))
def test_longitude_wraps(mask: LandMask, lat: float, lon: float, turns: int) -> None:
    a, b = np.array([lat]), np.array([lon])
    shifted = b + 360.0 * turns
    assert mask.is_land(a, b)[0] == mask.is_land(a, shifted)[0]
    assert mask.distance_to_shore_m(a, b)[0] == mask.distance_to_shore_m(a, shifted)[0]


def test_180_and_minus_180_are_the_same_meridian(mask: LandMask) -> None:
    lat = np.linspace(-90, 90, 721)
    east, west = np.full_like(lat, 180.0), np.full_like(lat, -180.0)
    assert np.array_equal(mask.is_land(lat, east), mask.is_land(lat, west))
    assert np.array_equal(mask.distance_to_shore_m(lat, east),
                          mask.distance_to_shore_m(lat, west))


coords = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=6),
                    elements=st.floats(-400, 400) | st.sampled_from([np.nan, np.inf, -np.inf]))


@settings(deadline=None, max_examples=150)
@given(lat=coords, data=st.data())
def test_shapes_dtypes_nan_and_sign(mask: LandMask, lat: npt.NDArray[np.float64],
                                    data: st.DataObject) -> None:
    lon = data.draw(hnp.arrays(np.float64, lat.shape,
                               elements=st.floats(allow_nan=True, allow_infinity=True)))
    land, dist = mask.is_land(lat, lon), mask.distance_to_shore_m(lat, lon)
    assert land.shape == lat.shape and land.dtype == np.bool_
    assert dist.shape == lat.shape and dist.dtype == np.float32
    bad = ~(np.isfinite(lon) & (np.abs(lat) <= 90))
    assert not land[bad].any()
    assert np.isnan(dist[bad]).all()
    good = dist[~bad]
    assert np.isfinite(good).all() and (good >= 0).all() and (good < 3.0e6).all()
    # Bad positions do not disturb the good ones: the same answers looked up alone.
    assert np.array_equal(land[~bad], mask.is_land(lat[~bad], lon[~bad]))
    assert np.array_equal(good, mask.distance_to_shore_m(lat[~bad], lon[~bad]))


def test_long_input_runs_in_chunks_and_matches_pointwise(mask: LandMask) -> None:
    lat, lon = _random_points(600_000, seed=5)  # more than two internal chunks
    land, dist = mask.is_land(lat, lon), mask.distance_to_shore_m(lat, lon)
    pick = np.random.default_rng(6).integers(0, lat.size, 200)
    for i in pick:
        assert land[i] == mask.is_land(lat[i:i + 1], lon[i:i + 1])[0]
        assert dist[i] == mask.distance_to_shore_m(lat[i:i + 1], lon[i:i + 1])[0]
    assert 0.2 < land.mean() < 0.4  # ~29% of the sphere is land in NE 1:10m


def test_mismatched_shapes_are_refused(mask: LandMask) -> None:
    with pytest.raises(ValueError, match="lat shape"):
        mask.is_land(np.zeros(3), np.zeros(4))


def test_default_mask_is_cached_and_describes_itself() -> None:
    assert default_land_mask() is default_land_mask()
    m = default_land_mask()
    assert m.resolution_deg == pytest.approx(1 / 60)
    assert m.dist_resolution_deg == pytest.approx(0.05)
    assert "Natural Earth" in m.source and "world-atlas" in m.source


def test_unreadable_raster_raises_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "land.npz"
    np.savez(bad, format_version=np.int64(99))
    with pytest.raises(InputError, match="format 99"):
        LandMask.from_npz(bad)
    with pytest.raises(InputError, match="not a readable land raster"):
        LandMask.from_npz(io.BytesIO(b"not a zip"), name="broken.npz")
