"""Build the packaged land bitmap and distance-from-shore raster (``reference/data/land.npz``).

Source
    Natural Earth 1:10m physical "land" polygons, version 4.1.0, as redistributed in the npm
    package ``world-atlas`` 2.0.2 (file ``land-10m.json``, TopoJSON quantised to 1e5 steps:
    0.0036 deg of longitude, 0.0017 deg of latitude; not simplified).
Licences
    Natural Earth data is in the public domain ("No permission is needed to use Natural
    Earth"; https://www.naturalearthdata.com/about/terms-of-use/). The world-atlas packaging
    is ISC-licensed, Copyright 2013-2019 Michael Bostock. The derived rasters are public
    domain like their source; the README next to them says so.
Integrity
    The tarball is checked against the registry's published ``dist.integrity`` (sha512),
    pinned below, before anything is read from it.

What it computes
    1. ``land_bits``: land bitmap at ``--land-res-arcmin`` (default 1 arc-minute, 21600 x
       10800 cells), a cell is land when its centre is inside the land polygons (even-odd
       scanline fill over the rings, unwrapped across the antimeridian; Antarctica,
       which world-atlas leaves open round the pole, is closed along it). Rows run south to north from -90, columns west to east from
       -180; bits packed along rows (``np.packbits``, big bit order).
    2. distance raster: distance from each node of a ``--dist-res-deg`` grid (default 0.05
       deg; nodes at lat = -90 + i*res including both poles, lon = -180 + j*res) to the
       nearest coastline, in units of ``--dist-unit-m`` (default 100 m), on a sphere of
       radius 6,371,008.8 m. The coastline is every ring edge less the artificial ones
       (along the antimeridian cut, and the closure round the south pole),
       densified to ``--spacing-m`` (250 m: the nearest-vertex error is at most 125 m); the
       nearest vertex is found with a KD-tree on 3-D unit vectors. Stored as the first
       value and first step of each row (``dist_first``, ``dist_first_step``) and the
       second differences along rows (``dist_second_diff``, int8): the field is nearly
       linear between nodes, so they are mostly 0 or +-1 and deflate packs them to ~6 MB.

Run from the repository root; needs numpy and scipy (build time only), and npm unless
``--tarball`` is given. About 10 minutes on 2 cores (the KD-tree queries)::

    python tools/build_land_raster.py                  # runs ``npm pack world-atlas@2.0.2``
    python tools/build_land_raster.py --tarball world-atlas-2.0.2.tgz

It writes ``src/vesselwatch/reference/data/land.npz`` and prints a summary.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

PACKAGE = "world-atlas"
VERSION = "2.0.2"
MEMBER = "package/land-10m.json"
INTEGRITY = (
    "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
)
SOURCE = f"Natural Earth 1:10m land v4.1.0 via {PACKAGE} {VERSION}"
EARTH_RADIUS_M = 6_371_008.8
FORMAT_VERSION = 1
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "vesselwatch" / "reference" / "data" / "land.npz"

F64 = NDArray[np.float64]


def fetch_tarball(tarball: Path | None) -> bytes:
    """The package tarball's bytes: ``tarball`` if given, else ``npm pack`` into a temp dir."""
    if tarball is None:
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}"], cwd=tmp,
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.exit(f"npm pack {PACKAGE}@{VERSION} failed ({done.stderr.strip()}); "
                         "install npm or pass --tarball PATH to a downloaded tarball")
            tarball_bytes = (Path(tmp) / f"{PACKAGE}-{VERSION}.tgz").read_bytes()
    else:
        tarball_bytes = tarball.read_bytes()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball_bytes).digest()).decode()
    if digest != INTEGRITY:
        sys.exit(f"{PACKAGE}-{VERSION}.tgz: integrity {digest} is not the pinned {INTEGRITY}; "
                 "use the published tarball of that exact version")
    return tarball_bytes


def read_topology(tarball_bytes: bytes) -> dict[str, Any]:
    with tarfile.open(fileobj=io.BytesIO(tarball_bytes), mode="r:gz") as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            sys.exit(f"{MEMBER} not found in the {PACKAGE} tarball")
        topo: dict[str, Any] = json.loads(member.read())
    return topo


def decode_rings(topo: dict[str, Any]) -> list[F64]:
    """Every ring of the land object as an (n, 2) lon/lat array, longitudes unwrapped.

    world-atlas keeps rings spherical: a ring crossing the antimeridian jumps from +180 to
    -180, and Antarctica's ring goes once round the globe without an edge along the pole.
    Each ring is unwrapped (consecutive longitudes never differ by more than 180) and
    shifted so its westernmost vertex lies in [-180, 180).
    """
    scale = np.asarray(topo["transform"]["scale"], dtype=np.float64)
    translate = np.asarray(topo["transform"]["translate"], dtype=np.float64)
    arcs = [np.cumsum(np.asarray(a, dtype=np.int64), axis=0) * scale + translate
            for a in topo["arcs"]]
    rings: list[F64] = []
    for geometry in topo["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for ring_arcs in polygon:
                parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in ring_arcs]
                ring = np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])
                ring[:, 0] = np.degrees(np.unwrap(np.radians(ring[:, 0])))
                ring[:, 0] -= 360 * np.floor((ring[:, 0].min() + 180) / 360)
                rings.append(ring)
    return rings


def edges(rings: list[F64], close_polar: bool) -> tuple[F64, F64]:
    """Start and end points (m, 2) of every ring edge.

    With ``close_polar``, a ring that goes round the globe (Antarctica) is closed along the
    pole, as the even-odd fill needs; without it those closing edges are left out (they
    are not coast), and so are edges along the antimeridian cut.
    """
    p0s, p1s = [], []
    for ring in rings:
        pts = ring
        if close_polar and abs(ring[-1, 0] - ring[0, 0]) > 180:
            pole = -90.0 if ring[:, 1].mean() < 0 else 90.0
            pts = np.concatenate([ring, [[ring[-1, 0], pole], [ring[0, 0], pole]], ring[:1]])
        p0s.append(pts[:-1])
        p1s.append(pts[1:])
    p0, p1 = np.concatenate(p0s), np.concatenate(p1s)
    if not close_polar:
        x0, x1 = np.mod(p0[:, 0] + 180, 360), np.mod(p1[:, 0] + 180, 360)
        on_cut = (np.minimum(x0, 360 - x0) < 1e-9) & (np.minimum(x1, 360 - x1) < 1e-9)
        keep = ~on_cut & (np.abs(p1[:, 0] - p0[:, 0]) < 180)
        p0, p1 = p0[keep], p1[keep]
    return p0, p1


def rasterise_land(p0: F64, p1: F64, res: float) -> NDArray[np.bool_]:
    """Cells whose centre is inside the edge set, by the even-odd rule (rows from the south).

    Unwrapped rings reach up to lon 540, so the fill runs on a strip two globes wide,
    folded back onto one at the end.
    """
    nrows, ncols = round(180 / res), round(360 / res)
    wide = 2 * ncols
    y_lo, y_hi = np.minimum(p0[:, 1], p1[:, 1]), np.maximum(p0[:, 1], p1[:, 1])
    first = np.ceil((y_lo + 90) / res - 0.5).astype(np.int64)  # rows with centre in [lo, hi)
    stop = np.ceil((y_hi + 90) / res - 0.5).astype(np.int64)
    count = np.clip(stop - first, 0, None)
    edge = np.repeat(np.arange(len(p0)), count)
    row = np.repeat(first, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count,
                                                                       count))
    yc = -90 + (row + 0.5) * res
    x0, y0, x1, y1 = p0[edge, 0], p0[edge, 1], p1[edge, 0], p1[edge, 1]
    x = x0 + (yc - y0) * (x1 - x0) / (y1 - y0)
    col = np.ceil((x + 180) / res - 0.5).astype(np.int64)
    if col.min() < 0 or col.max() > wide:
        sys.exit(f"edge crossing at column {col.min()}..{col.max()} outside the strip")
    flat, times = np.unique(row * (wide + 1) + col, return_counts=True)
    toggle = np.zeros(nrows * (wide + 1), dtype=np.uint8)
    toggle[flat[times % 2 == 1]] = 1
    inside = np.bitwise_xor.accumulate(toggle.reshape(nrows, wide + 1), axis=1)
    return (inside[:, :ncols] | inside[:, ncols:wide]).astype(bool)


def unit_vectors(lon: F64, lat: F64) -> F64:
    lo, la = np.radians(lon), np.radians(lat)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def coastline_points(p0: F64, p1: F64, spacing_m: float) -> F64:
    """Coastline vertices (lon, lat) densified to at most ``spacing_m`` apart."""
    chord = np.linalg.norm(unit_vectors(p1[:, 0], p1[:, 1]) - unit_vectors(p0[:, 0], p0[:, 1]),
                           axis=1)
    pieces = np.maximum(1, np.ceil(chord * EARTH_RADIUS_M / spacing_m).astype(np.int64))
    edge = np.repeat(np.arange(len(p0)), pieces)
    t = (np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)) / pieces[edge]
    pts = p0[edge] + (p1[edge] - p0[edge]) * t[:, None]
    return np.concatenate([pts, p1[-1:]])


def distance_grid(coast: F64, res: float, unit_m: float) -> NDArray[np.uint16]:
    """Great-circle distance from every grid node to the nearest coast point, in ``unit_m``."""
    tree = cKDTree(unit_vectors(coast[:, 0], coast[:, 1]))
    lats = -90 + np.arange(round(180 / res) + 1) * res
    lons = -180 + np.arange(round(360 / res)) * res
    out = np.empty((len(lats), len(lons)), dtype=np.uint16)
    band = 100
    for start in range(0, len(lats), band):
        la, lo = np.meshgrid(lats[start:start + band], lons, indexing="ij")
        chord, _ = tree.query(unit_vectors(lo.ravel(), la.ravel()), workers=-1)
        metres = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(chord / 2, 1.0))
        units = np.rint(metres / unit_m)
        if units.max() > np.iinfo(np.uint16).max:
            sys.exit(f"distance {metres.max():.0f} m overflows uint16 at {unit_m} m units; "
                     "raise --dist-unit-m")
        out[start:start + band] = units.reshape(la.shape).astype(np.uint16)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tarball", type=Path, help=f"a downloaded {PACKAGE}-{VERSION}.tgz")
    ap.add_argument("--land-res-arcmin", type=float, default=1.0)
    ap.add_argument("--dist-res-deg", type=float, default=0.05)
    ap.add_argument("--dist-unit-m", type=float, default=100.0)
    ap.add_argument("--spacing-m", type=float, default=250.0,
                    help="coastline densification: nearest-vertex error is at most half of it")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    tarball_bytes = fetch_tarball(args.tarball)
    rings = decode_rings(read_topology(tarball_bytes))
    land_res = args.land_res_arcmin / 60
    land = rasterise_land(*edges(rings, close_polar=True), land_res)
    p0, p1 = edges(rings, close_polar=False)
    coast = coastline_points(p0, p1, args.spacing_m)
    dist = distance_grid(coast, args.dist_res_deg, args.dist_unit_m)
    # Second differences along rows: a distance field is nearly linear between nodes, so
    # they are mostly 0 or +-1 and deflate packs them well; |d2| <= 2 * (one node spacing in
    # units) = 112 at 0.05 deg and 100 m, so int8 holds them (checked).
    first_step = dist[:, 1].astype(np.int32) - dist[:, 0]
    second = np.diff(dist.astype(np.int32), n=2, axis=1)
    step_max = int(np.abs(second).max())
    if step_max > 127 or int(np.abs(first_step).max()) > 127:
        sys.exit(f"second difference {step_max} does not fit int8; use coarser units")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        format_version=np.int64(FORMAT_VERSION),
        source=np.str_(SOURCE),
        land_resolution_deg=np.float64(land_res),
        land_shape=np.asarray(land.shape, dtype=np.int64),
        land_bits=np.packbits(land, axis=1),
        dist_resolution_deg=np.float64(args.dist_res_deg),
        dist_unit_m=np.float64(args.dist_unit_m),
        dist_first=dist[:, 0].copy(),
        dist_first_step=first_step.astype(np.int8),
        dist_second_diff=second.astype(np.int8),
        tarball_sha256=np.str_(hashlib.sha256(tarball_bytes).hexdigest()),
    )
    print(f"{SOURCE}: {len(rings)} rings, {len(p0)} coast edges, {len(coast)} coast points")
    print(f"land {land.shape} at {land_res:.6f} deg, land share of cells {land.mean():.4f}")
    print(f"distance {dist.shape} at {args.dist_res_deg} deg, max "
          f"{dist.max() * args.dist_unit_m / 1000:.0f} km, largest second difference {step_max}")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) "
          f"in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
