"""Ports: the packaged WPI, user port files, and ``PortIndex.nearest`` against brute force."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import EARTH_RADIUS_M, haversine_m
from vesselwatch.reference.ports import (
    EXIT_MARGIN_M,
    HARBOR_SIZE_ENTRY_RADIUS_M,
    Port,
    PortIndex,
    default_radii,
    load_port_file,
    load_wpi,
    search_key,
)

REPO = Path(__file__).resolve().parents[2]
PACKAGED_CSV = REPO / "src" / "vesselwatch" / "reference" / "data" / "wpi_ports.csv"


@pytest.fixture(scope="module")
def wpi() -> PortIndex:
    return load_wpi()


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_wpi_ports",
                                                  REPO / "tools" / "build_wpi_ports.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the packaged WPI (known answers) ------------------------------------------------------


def test_packaged_wpi_has_every_port_once(wpi: PortIndex) -> None:
    assert len(wpi) == 3831
    assert len(set(wpi.port_id)) == 3831
    assert wpi.port_id.count("KPRJN") == 1
    assert not wpi.watched.any()


def test_najin_known_answer(wpi: PortIndex) -> None:
    i = wpi.by_id("KPRJN")
    assert i is not None
    p = wpi.port(i)
    assert (p.name, p.alt_name, p.locode, p.country, p.wpi_number) == (
        "Najin", "Rashin", "KP RJN", "North Korea", "60510")
    assert p.lat == pytest.approx(42.2333, abs=1e-4)
    assert p.lon == pytest.approx(130.3, abs=1e-9)
    assert wpi.by_locode("KP RJN") == wpi.by_locode("kprjn") == wpi.by_wpi(60510) == (i,)
    assert wpi.find("Rashin") == (i,)


def test_ids_without_unique_locode(wpi: PortIndex) -> None:
    # Ch'aho has no locode; WPI gives 'IS SEY' to two Icelandic rows and 49460 to two rows
    i = wpi.by_name("Ch'aho")
    assert [wpi.port_id[j] for j in i] == ["WPI-60470"]
    assert sorted(wpi.port_id[j] for j in wpi.by_locode("IS SEY")) == ["WPI-400-1", "WPI-400-2"]
    assert sorted(wpi.port_id[j] for j in wpi.by_wpi(49460)) == ["WPI-49460-1", "WPI-49460-2"]
    assert wpi.by_locode("GB ME") == ()


@pytest.mark.parametrize("query", ["chongjin", "Ch'ongjin", "CHONGJIN", "ch ongjin",
                                   "Ch\u2019ongjin", "Ch\u00f4ngjin"])
def test_name_lookup_ignores_apostrophes_case_and_diacritics(wpi: PortIndex, query: str) -> None:
    assert [wpi.name[i] for i in wpi.find(query)] == ["Ch'ongjin"]


def test_name_lookup_posyet_and_alternates(wpi: PortIndex) -> None:
    assert [wpi.name[i] for i in wpi.find("posyet")] == ["Pos'yet"]
    assert [wpi.name[i] for i in wpi.find("Songnim")] == ["Kyomip'o"]
    assert [wpi.name[i] for i in wpi.find("Dalian")] == [wpi.name[wpi.find("Dairen")[0]]]
    assert search_key("Kyomip'o") == "kyomipo"
    assert wpi.find("no such port anywhere") == ()


def test_radius_table_and_hysteresis(wpi: PortIndex) -> None:
    assert dict(HARBOR_SIZE_ENTRY_RADIUS_M) == {
        "Very Small": 3000.0, "Small": 3000.0, "Medium": 4000.0, "Large": 6000.0}
    assert EXIT_MARGIN_M == 1000.0
    assert default_radii("Large") == (6000.0, 7000.0)
    assert default_radii("") == (3000.0, 4000.0)
    for size in ("Very Small", "Small", "Medium", "Large", ""):
        rows = [i for i in range(len(wpi)) if wpi.harbor_size[i] == size]
        assert rows, size
        assert set(wpi.entry_radius_m[rows]) == {default_radii(size)[0]}
    assert np.all(wpi.exit_radius_m - wpi.entry_radius_m == EXIT_MARGIN_M)
    nyc = wpi.by_id("USNYC")
    assert nyc is not None and wpi.entry_radius_m[nyc] == 6000.0


def test_hysteresis_in_nearest(wpi: PortIndex) -> None:
    """Between entry and exit radius a position still belongs to the port (exit circle)."""
    i = wpi.by_id("KPRJN")
    assert i is not None
    dlat = 3500.0 / EARTH_RADIUS_M * 180 / np.pi  # 3.5 km due south: outside entry, inside exit
    lat = np.array([wpi.lat[i] - dlat, wpi.lat[i] - 1.2 * 4000 / 111195])
    idx, dist = wpi.nearest(lat, np.full(2, wpi.lon[i]))
    assert idx[0] == i and 3000.0 < dist[0] < 4000.0
    assert idx[1] == -1 and dist[1] == np.inf


def test_new_york_overlap_returns_nearer(wpi: PortIndex) -> None:
    """New York City and Brooklyn (WPI, 3.7 km apart, 6 km circles) overlap."""
    nyc, bkn = wpi.by_id("USNYC"), wpi.by_id("USBOY")
    assert nyc is not None and bkn is not None
    lat = np.array([40.69, 40.675])
    lon = np.array([-74.016667, -74.016667])
    idx, dist = wpi.nearest(lat, lon)
    assert idx.tolist() == [nyc, bkn]
    assert dist[0] == pytest.approx(haversine_m(40.69, -74.016667, 40.7, -74.016667))
    within_both = haversine_m(lat, lon, wpi.lat[bkn], wpi.lon[bkn]) < wpi.exit_radius_m[bkn]
    assert within_both.all()


def test_nearest_shapes_nan_and_limits(wpi: PortIndex) -> None:
    idx, dist = wpi.nearest(np.array([[np.nan, 42.2333]]), np.array([[130.3, 130.3]]))
    assert idx.shape == (1, 2) and idx.dtype == np.int32 and dist.dtype == np.float64
    assert idx[0, 0] == -1 and idx[0, 1] == wpi.by_id("KPRJN")
    far, d = wpi.nearest([0.0], [-140.0], max_dist_m=1.0)
    assert far[0] == -1 and d[0] == np.inf
    some, d = wpi.nearest([0.0], [-140.0], max_dist_m=np.inf)
    assert some[0] >= 0 and np.isfinite(d[0])


def test_to_table_subset_merge(wpi: PortIndex) -> None:
    table = wpi.to_table()
    assert isinstance(table, pa.Table) and table.num_rows == 3831
    assert table.schema.field("lat").type == pa.float64()
    korea = wpi.subset(np.array([c == "North Korea" for c in wpi.country]))
    assert len(korea) == 10
    mine = PortIndex.from_ports([
        Port("KPRJN", "Rajin berths", 42.245, 130.30, 2000.0, 2500.0, watched=True),
        Port("X-1", "New", 1.0, 2.0, 100.0, 200.0)])
    merged = korea.merge_override(mine)
    assert len(merged) == 11 and merged.port_id[-2:] == ("KPRJN", "X-1")
    assert merged.name[merged.by_id("KPRJN")] == "Rajin berths"
    with pytest.raises(ValueError, match="duplicate"):
        PortIndex.concat(korea, korea)
    with pytest.raises(ValueError):
        wpi.lat[0] = 0.0  # read-only columns


@pytest.mark.realdata
def test_raw_export_is_refused_with_a_hint(data_dir: Path) -> None:
    with pytest.raises(InputError, match="build_wpi_ports"):
        load_wpi(data_dir / "ports_nga_wpi" / "UpdatedPub150.csv")


@pytest.mark.realdata
def test_packaged_csv_is_what_the_build_script_derives(data_dir: Path) -> None:
    tool = _tool()
    text = tool.render(tool.derive_rows(data_dir / "ports_nga_wpi" / "UpdatedPub150.csv"))
    assert text == PACKAGED_CSV.read_text(encoding="utf-8")


# --- user port files -------------------------------------------------------------------------


def test_csv_port_file(tmp_path: Path) -> None:
    f = tmp_path / "mine.csv"
    f.write_text("port_id,name,lat,lon,entry_radius_m,exit_radius_m\n"
                 "A,Alpha,10,20,,\nB,Beta,-10.5,170,500,\nC,Gamma,0,0,500,900\n")
    ports = load_port_file(f)
    assert ports.port_id == ("A", "B", "C")
    assert ports.entry_radius_m.tolist() == [3000.0, 500.0, 500.0]
    assert ports.exit_radius_m.tolist() == [4000.0, 1500.0, 900.0]


@pytest.mark.parametrize(("body", "needle"), [
    ("port_id,name,lat,lon\nA,Alpha,95,20\n", "line 2: field 'lat'"),
    ("port_id,name,lat,lon\nA,Alpha,10,east\n", "line 2: field 'lon'"),
    ("port_id,name,lat,lon\nA,Alpha,1,2\n,Beta,1,2\n", "line 3: field 'port_id'"),
    ("port_id,name,lat,lon,entry_radius_m,exit_radius_m\nA,Al,1,2,900,800\n",
     "line 2: field 'exit_radius_m'"),
    ("port_id,name,lat,lon,radius\nA,Al,1,2,9\n", "unknown columns ['radius']"),
    ("port_id,name,lat,lon\nA,Al,1,2\nA,Again,1,2\n", "line 3: field 'port_id'"),
])
def test_bad_csv_port_file(tmp_path: Path, body: str, needle: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(body)
    with pytest.raises(InputError) as err:
        load_port_file(f)
    assert str(f) in str(err.value) and needle in str(err.value)


def _feature(geometry: dict[str, object], **props: object) -> dict[str, object]:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def test_geojson_points_and_polygons(tmp_path: Path) -> None:
    square = [[[129.99, 41.99], [130.01, 41.99], [130.01, 42.01], [129.99, 42.01],
               [129.99, 41.99]]]
    across = [[[179.99, 0.0], [-179.99, 0.0], [-179.99, 0.01], [179.99, 0.01], [179.99, 0.0]]]
    doc = {"type": "FeatureCollection", "features": [
        _feature({"type": "Point", "coordinates": [130.3, 42.24]}, name="Pier",
                 locode="kp rjn", entry_radius_m=1500),
        _feature({"type": "Polygon", "coordinates": square}, name="Box", port_id="BOX"),
        _feature({"type": "MultiPolygon", "coordinates": [across]}, name="Date line",
                 port_id="DL", exit_radius_m=99_000),
    ]}
    f = tmp_path / "ports.geojson"
    f.write_text(json.dumps(doc))
    ports = load_port_file(f)
    assert ports.port_id == ("KPRJN", "BOX", "DL")
    assert (ports.entry_radius_m[0], ports.exit_radius_m[0]) == (1500.0, 2500.0)
    # the polygon's circle holds every vertex: radius = farthest corner (a southern one)
    corner = float(haversine_m(42.0, 130.0, [41.99, 42.01], [130.01, 130.01]).max())
    assert ports.lat[1] == pytest.approx(42.0) and ports.lon[1] == pytest.approx(130.0)
    assert ports.entry_radius_m[1] == pytest.approx(corner)
    assert ports.exit_radius_m[1] == pytest.approx(corner + EXIT_MARGIN_M)
    assert abs(ports.lon[2]) == pytest.approx(180.0) and ports.entry_radius_m[2] < 2000
    idx, _ = ports.nearest([42.0099, 0.004], [130.0099, 180.0])
    assert idx.tolist() == [1, 2]


@pytest.mark.parametrize(("feature", "needle"), [
    (_feature({"type": "Point", "coordinates": [130.3]}, name="P", port_id="P"),
     "features[0] \"P\": field 'geometry.coordinates'"),
    (_feature({"type": "Point", "coordinates": [130.3, 42]}, port_id="P"),
     "features[0]: field 'name'"),
    (_feature({"type": "Point", "coordinates": [130.3, 42]}, name="P"),
     "features[0] \"P\": field 'port_id'"),
    (_feature({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, name="L", port_id="L"),
     "field 'geometry.type'"),
    (_feature({"type": "Point", "coordinates": [0, 0]}, name="R", port_id="R",
              entry_radius_m="big"), "features[0] \"R\": field 'entry_radius_m'"),
])
def test_bad_geojson(tmp_path: Path, feature: dict[str, object], needle: str) -> None:
    f = tmp_path / "bad.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(InputError) as err:
        load_port_file(f)
    assert str(f) in str(err.value) and needle in str(err.value)


# --- nearest() against brute force ----------------------------------------------------------


def _brute(ports: PortIndex, lat: np.ndarray, lon: np.ndarray,
           limit: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    d = haversine_m(lat[:, None], lon[:, None], ports.lat[None, :], ports.lon[None, :])
    bound = ports.exit_radius_m[None, :] if limit is None else limit[:, None]
    d = np.where(d <= bound, d, np.inf)
    idx = np.argmin(d, axis=1)  # first minimum: the lower row wins ties
    best = d[np.arange(len(lat)), idx]
    return np.where(np.isfinite(best), idx, -1), best


_lat = st.one_of(st.floats(-90, 90), st.floats(84, 90), st.floats(-90, -84))
_lon = st.one_of(st.floats(-180, 180), st.floats(175, 180), st.floats(-180, -175))
_radius = st.one_of(st.floats(10, 5_000), st.floats(5_000, 2_000_000))


@st.composite
def _scene(draw: st.DrawFn) -> tuple[PortIndex, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 25))
    ports = []
    for k in range(n):
        entry = draw(_radius)
        ports.append(Port(f"P{k}", f"p{k}", draw(_lat), draw(_lon), entry,
                          entry * draw(st.floats(1.0, 2.0))))
    index = PortIndex.from_ports(ports)
    m = draw(st.integers(1, 40))
    # positions: anywhere, or jittered around a port (near its circle)
    lat, lon = [], []
    for _ in range(m):
        if draw(st.booleans()):
            p = ports[draw(st.integers(0, n - 1))]
            lat.append(float(np.clip(p.lat + draw(st.floats(-1, 1)), -90, 90)))
            lon.append((p.lon + draw(st.floats(-2, 2)) + 180) % 360 - 180)
        else:
            lat.append(draw(_lat))
            lon.append(draw(_lon))
    return index, np.array(lat), np.array(lon)


@settings(max_examples=300, deadline=None)
@given(_scene())
def test_nearest_equals_brute_force_own_radius(scene: tuple[PortIndex, np.ndarray, np.ndarray]
                                               ) -> None:
    ports, lat, lon = scene
    idx, dist = ports.nearest(lat, lon)
    b_idx, b_dist = _brute(ports, lat, lon, None)
    assert idx.tolist() == b_idx.tolist()
    np.testing.assert_array_equal(dist, b_dist)


@settings(max_examples=200, deadline=None)
@given(_scene(), st.one_of(st.floats(0, 3_000_000), st.just(np.inf)), st.booleans())
def test_nearest_equals_brute_force_max_dist(scene: tuple[PortIndex, np.ndarray, np.ndarray],
                                             max_dist: float, per_position: bool) -> None:
    ports, lat, lon = scene
    limit = np.full(len(lat), max_dist)
    if per_position:
        limit = limit * np.linspace(0.1, 1.0, len(lat))
    idx, dist = ports.nearest(lat, lon, max_dist_m=limit if per_position else max_dist)
    b_idx, b_dist = _brute(ports, lat, lon, limit)
    assert idx.tolist() == b_idx.tolist()
    np.testing.assert_array_equal(dist, b_dist)


@settings(max_examples=300, deadline=None)
@given(_lat, _lon, _lat, _lon)
def test_haversine_symmetric_non_negative_bounded(a: float, b: float, c: float, d: float
                                                  ) -> None:
    ab = float(haversine_m(a, b, c, d))
    assert ab == float(haversine_m(c, d, a, b))
    assert 0.0 <= ab <= np.pi * EARTH_RADIUS_M + 1e-6
    assert float(haversine_m(a, b, a, b)) == 0.0
    assert float(haversine_m(a, b, a, b + 360.0)) == pytest.approx(0.0, abs=1e-6)


def test_haversine_known_distance() -> None:
    # one degree of latitude on the mean sphere; quarter meridian
    assert float(haversine_m(0, 0, 1, 0)) == pytest.approx(EARTH_RADIUS_M * np.pi / 180)
    assert float(haversine_m(0, 0, 90, 0)) == pytest.approx(EARTH_RADIUS_M * np.pi / 2)
    assert float(haversine_m(0, 179.5, 0, -179.5)) == pytest.approx(EARTH_RADIUS_M * np.pi / 180)


def test_docs_radius_table_matches_code(wpi: PortIndex) -> None:
    """docs/reference.md's harbour-size table agrees with the code and the packaged WPI."""
    text = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] in ("Very Small", "Small", "Medium", "Large", "blank"):
            rows[cells[0]] = tuple(float(c.replace(",", "")) for c in cells[1:])
    assert set(rows) == {"Very Small", "Small", "Medium", "Large", "blank"}
    for size, (count, entry, exit_) in rows.items():
        key = "" if size == "blank" else size
        assert default_radii(key) == (entry, exit_), size
        assert wpi.harbor_size.count(key) == count, size
