"""Synthetic AIS tracks for the detection benchmark: seeded, vectorised, written in chunks.

Writes canonical positions (:data:`vesselwatch.model.schema.POSITIONS`) to one Parquet
file sorted by (mmsi, ts), one row group per chunk of vessels (about a million rows), and
the planted truth as JSON beside it (``FILE.truth.json``), plus the synthetic ports as a
port file (``FILE.ports.csv``, the CSV format of ``docs/reference.md``).

The sea area is a ``--size-deg`` square with its south-west corner at ``--lat0``/``--lon0``;
the default, 30–40 N 150–160 E in the North Pacific, holds no land, so the generator needs
no land mask. When ``vesselwatch.reference.land.default_land_mask`` is importable (and
``--no-land-mask`` is not given) waypoints, ports and planted places are also drawn at sea
with it, and encounter and loitering places at least 25 nm from shore; the truth JSON says
whether it was used.

Every vessel sails a route of straight legs (linear in latitude and longitude, so rhumb
lines; over legs of 1.5–4 degrees that is "great-circle-ish") between random waypoints in
the area, at a constant 8–15 kn, reporting every 16–60 s (a per-vessel interval, each step
jittered by ±30%); ``--vessels 20000 --days 1`` gives about 50 million positions. Positions
carry GNSS noise (8 m standard deviation per axis, then rounded to the AIS resolution of
1/10000 minute), SOG noise (0.3 kn) and COG noise (1.5 degrees). Each route has one *hold*
point in its middle waypoint; ordinary vessels pass it without stopping, planted ones stop:

- ``encounter`` pairs (consecutive MMSIs): both hold 2.25–4 h at the same point at sea
  (at least 20 km from every port), 100–350 m apart, drifting together (reported SOG
  0.2–1.2 kn): GFW's encounter (< 500 m, >= 2 h, median SOG < 2 kn, >= 10 km from port).
- ``loitering``: one vessel holds 3–6 h alone at sea (SOG 0.3–1.5 kn).
- ``gap``: a sailing vessel sends nothing for 5 h or 8 h (``--gaps-5h``, ``--gaps-8h``);
  GFW's gap threshold is 6 h, so only the 8 h gaps are gap events.
- ``port_visit``: a vessel sails into a synthetic port, stops 4–10 h within 800 m of its
  point (SOG below 0.2 kn), sails out.
- ``anchored``: a vessel lies the whole time at a port's anchorage (within 1.5 km of the
  port point, swinging 50 m round its anchor, SOG below 0.15 kn, reports every 3 min).

Far from any shore (the default area) the planted stops also meet the loitering rule
(slow, >= 20 nm from shore, >= 2 h); the truth JSON lists each planted behaviour with its
MMSIs and times, and says what a detector with the default parameters should find.
Ordinary vessels whose route happens to cross a port's entry radius make short
pass-through port visits; they are not planted and not counted.

The output depends only on the arguments: the same arguments give the same bytes.

Run: ``python bench/make_tracks.py --vessels 20000 --days 1 --seed 1 --out /tmp/vw-tracks-50m.parquet``
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vesselwatch.model.schema import POSITIONS

START = datetime(2024, 1, 1, tzinfo=UTC)
MMSI_BASE = 211_000_000  # MID 211 (Germany), ship stations
M_PER_DEG = 111_195.0  # metres per degree of latitude (mean earth radius)
NM_PER_DEG = M_PER_DEG / 1852.0
AIS_RES = 600_000.0  # positions are in 1/10000 minute
ROWS_PER_GROUP = 1_000_000
SAIL_INTERVAL_S = (16.0, 60.0)  # per-vessel report interval under way
ANCHOR_INTERVAL_S = 180.0  # class A at anchor
JITTER = 0.3  # each step is the interval times 1 ± JITTER
SPEED_KN = (8.0, 15.0)
LEG_DEG = (1.5, 4.0)  # leg length in degrees of latitude (scaled for longitude)
MARGIN_DEG = 0.3  # waypoints stay this far inside the area
GNSS_SD_M = 8.0
PORT_ENTRY_M, PORT_EXIT_M = 3000.0, 4000.0

SAIL, ANCHOR, ENCOUNTER, LOITER, GAP5, GAP8, PORT = range(7)
ROLE_NAMES = ("sail", "anchored", "encounter", "loitering", "gap_5h", "gap_8h", "port_visit")
HOLD_H = {ENCOUNTER: (2.25, 4.0), LOITER: (3.0, 6.0), PORT: (4.0, 10.0)}
GAP_H = {GAP5: 5.0, GAP8: 8.0}


@dataclass
class Plan:
    """Per-vessel parameters, arrays of length ``vessels``, drawn once from the seed."""

    role: np.ndarray  # int8
    mmsi: np.ndarray  # uint32
    interval_s: np.ndarray
    speed_kn: np.ndarray
    h1: np.ndarray  # hold start, s from START
    h2: np.ndarray  # hold end
    hold_lat: np.ndarray  # where the vessel is while holding (hold point + offset)
    hold_lon: np.ndarray
    drift_dlat: np.ndarray  # amplitude of the drift while holding, degrees
    drift_dlon: np.ndarray
    hold_sog: np.ndarray  # reported SOG while holding
    wlat: np.ndarray  # (vessels, 2K+1) waypoints; the hold point is column K
    wlon: np.ndarray
    cum_nm: np.ndarray  # (vessels, 2K+1) distance along the route
    gap_start: np.ndarray  # s from START; NaN where no gap
    gap_end: np.ndarray
    port_idx: np.ndarray  # int32, -1 where none
    pair: np.ndarray  # int32 encounter pair number, -1 where none


class Area:
    """The sea area, an optional land mask and the local scale of longitude."""

    def __init__(self, lat0: float, lon0: float, size: float, use_mask: bool) -> None:
        self.lat0, self.lon0, self.size = lat0, lon0, size
        self.kx = math.cos(math.radians(lat0 + size / 2))  # longitude degrees -> "lat degrees"
        self.mask: Any = None
        self.mask_note = "not asked for" if not use_mask else ""
        if use_mask:
            try:
                from vesselwatch.reference.land import default_land_mask

                self.mask = default_land_mask()
            except ImportError:
                self.mask_note = "vesselwatch.reference.land not importable"
            except Exception as exc:  # the raster may not be built yet: carry on without it
                self.mask_note = f"land mask unavailable: {exc}"

    def inside(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        m = MARGIN_DEG
        ok: np.ndarray = ((lat >= self.lat0 + m) & (lat <= self.lat0 + self.size - m)
                          & (lon >= self.lon0 + m) & (lon <= self.lon0 + self.size - m))
        return ok

    def at_sea(self, lat: np.ndarray, lon: np.ndarray, shore_m: float = 0.0) -> np.ndarray:
        ok = self.inside(lat, lon)
        if self.mask is not None and ok.any():
            la, lo = lat[ok], lon[ok]
            sea = ~np.asarray(self.mask.is_land(la, lo), dtype=bool)
            if shore_m > 0:
                sea &= np.asarray(self.mask.distance_to_shore_m(la, lo)) >= shore_m
            ok[np.flatnonzero(ok)] = sea
        return ok

    def random_points(self, rng: np.random.Generator, n: int, ok: Any = None) -> tuple[
            np.ndarray, np.ndarray]:
        """``n`` points at sea, each also passing ``ok(lat, lon)`` when given."""
        lat, lon = np.empty(n), np.empty(n)
        todo = np.arange(n)
        for _ in range(1000):
            if len(todo) == 0:
                return lat, lon
            la = rng.uniform(self.lat0, self.lat0 + self.size, len(todo))
            lo = rng.uniform(self.lon0, self.lon0 + self.size, len(todo))
            good = self.at_sea(la, lo)
            if ok is not None:
                good &= ok(la, lo)
            lat[todo[good]], lon[todo[good]] = la[good], lo[good]
            todo = todo[~good]
        raise SystemExit("error: could not place points at sea in the area; choose a larger "
                         "--size-deg or an area with more sea")


def dist_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Haversine distance on the mean earth radius."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2)
    out: np.ndarray = 2 * 6_371_008.8 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    return out


def far_from(ports_lat: np.ndarray, ports_lon: np.ndarray, min_m: float) -> Any:
    def ok(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        good = np.ones(len(lat), dtype=bool)
        for plat, plon in zip(ports_lat, ports_lon):
            good &= dist_m(lat, lon, np.full(len(lat), plat), np.full(len(lat), plon)) >= min_m
        return good
    return ok


def walk(rng: np.random.Generator, area: Area, lat: np.ndarray, lon: np.ndarray, legs: int
         ) -> tuple[np.ndarray, np.ndarray]:
    """``legs`` random legs from each start point, every leg ending (and crossing) at sea."""
    n = len(lat)
    out_lat, out_lon = np.empty((n, legs + 1)), np.empty((n, legs + 1))
    out_lat[:, 0], out_lon[:, 0] = lat, lon
    probes = np.linspace(0.25, 1.0, 4)
    for k in range(1, legs + 1):
        todo = np.arange(n)
        for _ in range(1000):
            if len(todo) == 0:
                break
            ang = rng.uniform(0, 2 * np.pi, len(todo))
            length = rng.uniform(*LEG_DEG, len(todo))
            la0, lo0 = out_lat[todo, k - 1], out_lon[todo, k - 1]
            dla, dlo = length * np.cos(ang), length * np.sin(ang) / area.kx
            good = np.ones(len(todo), dtype=bool)
            for f in probes if area.mask is not None else probes[-1:]:
                good &= area.at_sea(la0 + f * dla, lo0 + f * dlo)
            idx = todo[good]
            out_lat[idx, k], out_lon[idx, k] = la0[good] + dla[good], lo0[good] + dlo[good]
            todo = todo[~good]
        else:
            raise SystemExit("error: could not route vessels at sea; choose an area with more sea")
    return out_lat, out_lon


def make_plan(args: argparse.Namespace, area: Area, span_s: float) -> tuple[Plan, dict[str, Any]]:
    rng = np.random.default_rng([args.seed, 0])
    n = args.vessels
    counts = {ENCOUNTER: args.encounters, LOITER: args.loiterers, GAP5: args.gaps_5h,
              GAP8: args.gaps_8h, PORT: args.port_visitors, ANCHOR: args.anchored}
    planted = 2 * counts[ENCOUNTER] + sum(v for k, v in counts.items() if k != ENCOUNTER)
    if min(counts.values()) < 0 or planted > n:
        raise SystemExit(f"error: the planted behaviours need {planted} vessels, only {n} "
                         "requested; lower the counts or raise --vessels")
    need_h = max([HOLD_H[k][1] for k in HOLD_H if counts[k]]
                 + [GAP_H[k] for k in GAP_H if counts[k]] + [0.0])
    if need_h and span_s < need_h * 3600 / 0.8:
        raise SystemExit(f"error: --days {args.days} is too short for the planted behaviours "
                         f"(they need at least {need_h / 0.8:.1f} h of data)")
    if (counts[PORT] or counts[ANCHOR]) and args.ports < 1:
        raise SystemExit("error: port visits and anchored vessels need --ports >= 1")

    # roles: an encounter pair is one unit of two consecutive vessels
    units = np.concatenate([np.full(counts[k], k, dtype=np.int8) for k in
                            (ENCOUNTER, LOITER, GAP5, GAP8, PORT, ANCHOR)]
                           + [np.full(n - planted, SAIL, dtype=np.int8)])
    units = rng.permutation(units)
    role = np.repeat(units, np.where(units == ENCOUNTER, 2, 1))
    first_of_pair = np.zeros(n, dtype=bool)
    enc_idx = np.flatnonzero(role == ENCOUNTER)
    first_of_pair[enc_idx[0::2]] = True
    pair = np.full(n, -1, dtype=np.int32)
    pair[enc_idx] = np.repeat(np.arange(len(enc_idx) // 2, dtype=np.int32), 2)

    port_lat, port_lon = area.random_points(rng, args.ports)
    speed = rng.uniform(*SPEED_KN, n)
    lo, hi = SAIL_INTERVAL_S
    interval = rng.uniform(lo, hi, n)
    interval[role == ANCHOR] = ANCHOR_INTERVAL_S

    # hold point (route middle) and times
    hlat, hlon = area.random_points(rng, n)
    port_idx = np.full(n, -1, dtype=np.int32)
    at_port = np.flatnonzero((role == PORT) | (role == ANCHOR))
    if len(at_port):
        port_idx[at_port] = rng.integers(0, args.ports, len(at_port))
        radius = np.where(role[at_port] == ANCHOR, 1500.0, 800.0) * np.sqrt(
            rng.uniform(0, 1, len(at_port)))
        ang = rng.uniform(0, 2 * np.pi, len(at_port))
        hlat[at_port] = port_lat[port_idx[at_port]] + radius * np.cos(ang) / M_PER_DEG
        hlon[at_port] = (port_lon[port_idx[at_port]]
                         + radius * np.sin(ang) / (M_PER_DEG * area.kx))
    away = far_from(port_lat, port_lon, 20_000.0)
    for kind, shore_m in ((ENCOUNTER, 25 * 1852.0), (LOITER, 25 * 1852.0)):
        idx = np.flatnonzero(role == kind)
        if kind == ENCOUNTER:
            idx = np.flatnonzero(first_of_pair)
        if len(idx) == 0:
            continue
        def ok(la: np.ndarray, lo_: np.ndarray, away: Any = away, shore_m: float = shore_m
               ) -> np.ndarray:
            good: np.ndarray = away(la, lo_) & area.at_sea(la, lo_, shore_m)
            return good
        hlat[idx], hlon[idx] = area.random_points(rng, len(idx), ok)
        if kind == ENCOUNTER:
            hlat[idx + 1], hlon[idx + 1] = hlat[idx], hlon[idx]

    h1 = rng.uniform(0, span_s, n)
    h2 = h1.copy()
    for kind, (dlo, dhi) in HOLD_H.items():
        idx = np.flatnonzero(first_of_pair if kind == ENCOUNTER else role == kind)
        dur = rng.uniform(dlo, dhi, len(idx)) * 3600
        h1[idx] = rng.uniform(0.1 * span_s, 0.9 * span_s - dur)
        h2[idx] = h1[idx] + dur
        if kind == ENCOUNTER:
            h1[idx + 1], h2[idx + 1] = h1[idx], h2[idx]
    anchored = role == ANCHOR
    h1[anchored], h2[anchored] = -1.0, span_s + 1.0

    # offsets and drift while holding
    drift_dlat, drift_dlon = np.zeros(n), np.zeros(n)
    hold_sog = np.zeros(n, dtype=np.float64)
    first = np.flatnonzero(first_of_pair)
    if len(first):
        sep = rng.uniform(100.0, 350.0, len(first))
        ang = rng.uniform(0, 2 * np.pi, len(first))
        half_lat = 0.5 * sep * np.cos(ang) / M_PER_DEG
        half_lon = 0.5 * sep * np.sin(ang) / (M_PER_DEG * area.kx)
        hlat[first] -= half_lat
        hlon[first] -= half_lon
        hlat[first + 1] += half_lat
        hlon[first + 1] += half_lon
        amp = rng.uniform(200.0, 600.0, len(first))
        dang = rng.uniform(0, 2 * np.pi, len(first))
        for j in (first, first + 1):
            drift_dlat[j] = amp * np.cos(dang) / M_PER_DEG
            drift_dlon[j] = amp * np.sin(dang) / (M_PER_DEG * area.kx)
        hold_sog[first] = rng.uniform(0.2, 1.2, len(first))
        hold_sog[first + 1] = rng.uniform(0.2, 1.2, len(first))
    loit = np.flatnonzero(role == LOITER)
    amp = rng.uniform(300.0, 1500.0, len(loit))
    dang = rng.uniform(0, 2 * np.pi, len(loit))
    drift_dlat[loit] = amp * np.cos(dang) / M_PER_DEG
    drift_dlon[loit] = amp * np.sin(dang) / (M_PER_DEG * area.kx)
    hold_sog[loit] = rng.uniform(0.3, 1.5, len(loit))

    # routes: K legs back from the hold point and K legs on from it
    legs = math.ceil(SPEED_KN[1] * span_s / 3600 / (LEG_DEG[0] * NM_PER_DEG)) + 1
    back_lat, back_lon = walk(rng, area, hlat, hlon, legs)
    on_lat, on_lon = walk(rng, area, hlat, hlon, legs)
    wlat = np.concatenate([back_lat[:, ::-1], on_lat[:, 1:]], axis=1)
    wlon = np.concatenate([back_lon[:, ::-1], on_lon[:, 1:]], axis=1)
    seg = NM_PER_DEG * np.hypot(np.diff(wlat, axis=1), np.diff(wlon, axis=1) * area.kx)
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(seg, axis=1)], axis=1)

    gap_start, gap_end = np.full(n, np.nan), np.full(n, np.nan)
    for kind, hours in GAP_H.items():
        idx = np.flatnonzero(role == kind)
        gap_start[idx] = rng.uniform(0.1 * span_s, 0.9 * span_s - hours * 3600, len(idx))
        gap_end[idx] = gap_start[idx] + hours * 3600

    mmsi = (MMSI_BASE + np.arange(n)).astype(np.uint32)
    plan = Plan(role, mmsi, interval, speed, h1, h2, hlat, hlon, drift_dlat, drift_dlon,
                hold_sog, wlat, wlon, cum, gap_start, gap_end, port_idx, pair)
    ports = {"lat": port_lat, "lon": port_lon}
    return plan, ports


def splitmix64(x: np.ndarray) -> np.ndarray:
    """A bijection on uint64: distinct inputs give distinct hashes."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    out: np.ndarray = z ^ (z >> np.uint64(31))
    return out


def constant_strings(value: str, n: int) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)),
                                          pa.array([value])).cast(pa.string())


def chunk_rows(plan: Plan, area: Area, lo: int, hi: int, span_s: float, seed: int,
               chunk: int) -> dict[str, np.ndarray]:
    """Positions of vessels ``lo``..``hi``-1, sorted by (mmsi, ts); ``t`` in seconds."""
    rng = np.random.default_rng([seed, 1, chunk])
    v = np.arange(lo, hi)
    interval = plan.interval_s[v]
    n_max = np.ceil(span_s / ((1 - JITTER) * interval)).astype(np.int64) + 1
    vi = np.repeat(np.arange(len(v)), n_max)  # vessel within the chunk
    steps = interval[vi] * rng.uniform(1 - JITTER, 1 + JITTER, len(vi))
    starts = np.concatenate([[0], np.cumsum(n_max)[:-1]])
    steps[starts] = interval * rng.uniform(0, 1, len(v))
    cs = np.cumsum(steps)
    before = np.concatenate([[0.0], cs[starts[1:] - 1]])
    t = np.floor(cs - before[vi])
    g = v[vi]
    keep = (t < span_s) & ~((t >= plan.gap_start[g]) & (t < plan.gap_end[g]))
    t, vi, g = t[keep], vi[keep], g[keep]
    n = len(t)

    # distance along the route
    h1, h2, kn = plan.h1[g], plan.h2[g], plan.speed_kn[g]
    k_mid = (plan.cum_nm.shape[1] - 1) // 2
    s_mid = plan.cum_nm[g, k_mid]
    s = s_mid + kn * (np.minimum(t, h1) - h1) / 3600 + kn * np.maximum(t - h2, 0) / 3600
    width = plan.cum_nm.shape[1]
    flat_cum = (plan.cum_nm[v] + (np.arange(len(v)) * 1e9)[:, None]).ravel()
    pos = np.searchsorted(flat_cum, s + vi * 1e9, side="right") - 1
    leg = np.clip(pos - vi * width, 0, width - 2)
    at = vi * width + leg
    wl, wo, cum = plan.wlat[v].ravel(), plan.wlon[v].ravel(), plan.cum_nm[v].ravel()
    la0, la1 = wl[at], wl[at + 1]
    lo0, lo1 = wo[at], wo[at + 1]
    seg = np.maximum(cum[at + 1] - cum[at], 1e-9)
    f = np.clip((s - cum[at]) / seg, 0.0, 1.0)
    lat = la0 + f * (la1 - la0)
    lon = lo0 + f * (lo1 - lo0)
    cog = np.degrees(np.arctan2((lo1 - lo0) * area.kx, la1 - la0)) % 360
    sog = kn + rng.normal(0, 0.3, n)
    cog = cog + rng.normal(0, 1.5, n)

    # holding: at the hold place, drifting out and back
    hold = (t >= h1) & (t <= h2)
    if hold.any():
        gh = g[hold]
        phase = np.sin(np.pi * (t[hold] - h1[hold]) / np.maximum(h2[hold] - h1[hold], 1.0))
        lat[hold] = plan.hold_lat[gh] + phase * plan.drift_dlat[gh]
        lon[hold] = plan.hold_lon[gh] + phase * plan.drift_dlon[gh]
        sog[hold] = plan.hold_sog[gh] + np.abs(rng.normal(0, 0.1, len(gh)))
        cog[hold] = rng.uniform(0, 360, len(gh))
    anchored = plan.role[g] == ANCHOR
    if anchored.any():
        ga = g[anchored]
        swing = 2 * np.pi * t[anchored] / (6 * 3600) + ga
        lat[anchored] = plan.hold_lat[ga] + 50.0 * np.cos(swing) / M_PER_DEG
        lon[anchored] = plan.hold_lon[ga] + 50.0 * np.sin(swing) / (M_PER_DEG * area.kx)
        sog[anchored] = rng.uniform(0.0, 0.15, anchored.sum())
        cog[anchored] = rng.uniform(0, 360, anchored.sum())
    slow = plan.role[g] == PORT
    sog[hold & slow] = rng.uniform(0.0, 0.15, (hold & slow).sum())

    lat = lat + rng.normal(0, GNSS_SD_M / M_PER_DEG, n)
    lon = lon + rng.normal(0, GNSS_SD_M / (M_PER_DEG * area.kx), n)
    return {
        "mmsi": plan.mmsi[g],
        "t": t.astype(np.int64),
        "lat": np.round(lat * AIS_RES) / AIS_RES,
        "lon": np.round(lon * AIS_RES) / AIS_RES,
        "sog_kn": np.round(np.clip(sog, 0.0, 102.2), 1).astype(np.float32),
        "cog_deg": (np.round(cog % 360, 1) % 360).astype(np.float32),
    }


def to_table(cols: dict[str, np.ndarray], first_row: int, seed: int) -> pa.Table:
    n = len(cols["t"])
    start_us = int(START.timestamp()) * 1_000_000
    line = np.arange(first_row, first_row + n, dtype=np.int64)
    key = line.astype(np.uint64) + np.uint64((seed % (1 << 20)) << 40)
    arrays: dict[str, pa.Array] = {
        "mmsi": pa.array(cols["mmsi"], pa.uint32()),
        "ts": pa.array(start_us + cols["t"] * 1_000_000, pa.int64()).cast(POSITIONS.field("ts").type),
        "ts_source": constant_strings("parquet", n),
        "lat": pa.array(cols["lat"]),
        "lon": pa.array(cols["lon"]),
        "sog_kn": pa.array(cols["sog_kn"]),
        "cog_deg": pa.array(cols["cog_deg"]),
        "msg_type": pa.array(np.ones(n, dtype=np.uint8)),
        "ais_class": constant_strings("A", n),
        "source_id": constant_strings("bench", n),
        "source_line": pa.array(line),
        "msg_hash": pa.array(splitmix64(key)),
    }
    return pa.table([arrays[f.name] if f.name in arrays else pa.nulls(n, f.type)
                     for f in POSITIONS], schema=POSITIONS)


def iso(seconds: float) -> str:
    return (START + timedelta(seconds=float(seconds))).isoformat().replace("+00:00", "Z")


def truth(args: argparse.Namespace, plan: Plan, ports: dict[str, np.ndarray], area: Area,
          gaps: list[dict[str, Any]], rows: int, span_s: float) -> dict[str, Any]:
    role, mmsi = plan.role, plan.mmsi
    enc = np.flatnonzero(plan.pair >= 0)[0::2]
    encounters = [{
        "mmsi": int(mmsi[i]), "other_mmsi": int(mmsi[i + 1]),
        "start": iso(plan.h1[i]), "end": iso(plan.h2[i]),
        "hours": round((plan.h2[i] - plan.h1[i]) / 3600, 3),
        "lat": round(float(plan.hold_lat[i] + plan.hold_lat[i + 1]) / 2, 6),
        "lon": round(float(plan.hold_lon[i] + plan.hold_lon[i + 1]) / 2, 6),
        "distance_m": round(float(dist_m(plan.hold_lat[i:i + 1], plan.hold_lon[i:i + 1],
                                         plan.hold_lat[i + 1:i + 2],
                                         plan.hold_lon[i + 1:i + 2])[0]), 1),
    } for i in enc]
    loitering = [{"mmsi": int(mmsi[i]), "start": iso(plan.h1[i]), "end": iso(plan.h2[i]),
                  "hours": round((plan.h2[i] - plan.h1[i]) / 3600, 3),
                  "lat": round(float(plan.hold_lat[i]), 6),
                  "lon": round(float(plan.hold_lon[i]), 6)}
                 for i in np.flatnonzero(role == LOITER)]
    port_ids = [f"VWB{k:03d}" for k in range(len(ports["lat"]))]
    visits = [{"mmsi": int(mmsi[i]), "port_id": port_ids[plan.port_idx[i]],
               "start": iso(plan.h1[i]), "end": iso(plan.h2[i]),
               "hours": round((plan.h2[i] - plan.h1[i]) / 3600, 3)}
              for i in np.flatnonzero(role == PORT)]
    anchored = [{"mmsi": int(mmsi[i]), "port_id": port_ids[plan.port_idx[i]],
                 "lat": round(float(plan.hold_lat[i]), 6), "lon": round(float(plan.hold_lon[i]), 6)}
                for i in np.flatnonzero(role == ANCHOR)]
    counts = {"encounter_pairs": len(encounters), "loiterers": len(loitering),
              "gaps_5h": int((role == GAP5).sum()), "gaps_8h": int((role == GAP8).sum()),
              "port_visitors": len(visits), "anchored": len(anchored),
              "ports": len(port_ids)}
    return {
        "generator": "bench/make_tracks.py",
        "arguments": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "rows": rows, "vessels": args.vessels,
        "start": iso(0), "end": iso(span_s),
        "area": {"lat_min": area.lat0, "lat_max": area.lat0 + area.size,
                 "lon_min": area.lon0, "lon_max": area.lon0 + area.size},
        "land_mask": area.mask is not None,
        "land_mask_note": area.mask_note,
        "ports_file": Path(args.out).with_suffix(".ports.csv").name,
        "counts": counts,
        "expected_with_defaults": {
            "gap": counts["gaps_8h"],
            "gap_note": "gaps of 8 h; the 5 h gaps are below min_gap_h (6 h)",
            "encounter_pairs": counts["encounter_pairs"],
            "encounter_events": 2 * counts["encounter_pairs"],
            "port_visit_planted": counts["port_visitors"] + counts["anchored"],
            "port_visit_note": "visitors (entry, stop, exit: confidence 4) and anchored vessels "
                               "(open visits, stop only); ordinary vessels passing a port's "
                               "entry radius add unplanted confidence-1 visits "
                               "(needs the ports file: --ports FILE.ports.csv)",
            "loitering_min": counts["loiterers"] + 2 * counts["encounter_pairs"],
            "loitering_note": "loiterers, plus encounter vessels (slow and far from shore); "
                              "port visitors and anchored vessels also qualify where the "
                              "land mask puts the ports over 20 nm from shore",
        },
        "encounters": encounters, "loitering": loitering, "gaps": gaps,
        "port_visits": visits, "anchored": anchored,
        "ports": [{"port_id": p, "name": f"Bench port {k}", "lat": round(float(la), 6),
                   "lon": round(float(lo), 6)}
                  for k, (p, la, lo) in enumerate(zip(port_ids, ports["lat"], ports["lon"]))],
    }


def gap_truth(plan: Plan, cols: dict[str, np.ndarray], lo: int, hi: int) -> list[dict[str, Any]]:
    """The OFF and ON reports around each planned gap of vessels ``lo``..``hi``-1."""
    out = []
    mm, t = cols["mmsi"], cols["t"]
    for g in np.flatnonzero(np.isin(plan.role[lo:hi], (GAP5, GAP8))) + lo:
        a, b = np.searchsorted(mm, plan.mmsi[g], "left"), np.searchsorted(mm, plan.mmsi[g], "right")
        tv = t[a:b]
        k = int(np.searchsorted(tv, plan.gap_end[g], "left"))
        if k == 0 or k >= len(tv):
            continue
        out.append({"mmsi": int(plan.mmsi[g]), "planned_hours": GAP_H[int(plan.role[g])],
                    "off": iso(tv[k - 1]), "on": iso(tv[k]),
                    "hours": round(float(tv[k] - tv[k - 1]) / 3600, 4)})
    return out


def write_ports(path: Path, ports: dict[str, np.ndarray]) -> None:
    lines = ["port_id,name,lat,lon,entry_radius_m,exit_radius_m"]
    for k, (la, lo) in enumerate(zip(ports["lat"], ports["lon"])):
        lines.append(f"VWB{k:03d},Bench port {k},{la:.6f},{lo:.6f},{PORT_ENTRY_M:.0f},"
                     f"{PORT_EXIT_M:.0f}")
    path.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vessels", type=int, required=True)
    ap.add_argument("--days", type=float, required=True, help="span of the data (may be < 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="the Parquet file to write")
    ap.add_argument("--lat0", type=float, default=30.0, help="south edge of the area (deg)")
    ap.add_argument("--lon0", type=float, default=150.0, help="west edge of the area (deg)")
    ap.add_argument("--size-deg", type=float, default=10.0, help="side of the area (deg)")
    ap.add_argument("--no-land-mask", action="store_true",
                    help="do not use vesselwatch's land mask even if it is importable")
    ap.add_argument("--encounters", type=int, default=None,
                    help="encounter pairs (default: vessels // 200)")
    ap.add_argument("--loiterers", type=int, default=None, help="default: vessels // 200")
    ap.add_argument("--gaps-5h", type=int, default=None, help="default: vessels // 200")
    ap.add_argument("--gaps-8h", type=int, default=None, help="default: vessels // 200")
    ap.add_argument("--port-visitors", type=int, default=None, help="default: vessels // 200")
    ap.add_argument("--anchored", type=int, default=None, help="default: vessels // 20")
    ap.add_argument("--ports", type=int, default=None, help="default: max(2, vessels // 1000)")
    args = ap.parse_args(argv)
    n = args.vessels
    if n < 1 or args.days <= 0 or args.size_deg <= 2 * MARGIN_DEG + LEG_DEG[1]:
        ap.error("--vessels and --days must be positive and --size-deg above "
                 f"{2 * MARGIN_DEG + LEG_DEG[1]}")
    for name, default in (("encounters", n // 200), ("loiterers", n // 200),
                          ("gaps_5h", n // 200), ("gaps_8h", n // 200),
                          ("port_visitors", n // 200), ("anchored", n // 20),
                          ("ports", max(2, n // 1000))):
        if getattr(args, name) is None:
            setattr(args, name, default)

    began = time.perf_counter()
    span_s = args.days * 86400.0
    area = Area(args.lat0, args.lon0, args.size_deg, not args.no_land_mask)
    plan, ports = make_plan(args, area, span_s)
    per_vessel = span_s * np.log(SAIL_INTERVAL_S[1] / SAIL_INTERVAL_S[0]) / (
        SAIL_INTERVAL_S[1] - SAIL_INTERVAL_S[0])
    per_chunk = max(1, int(ROWS_PER_GROUP / max(per_vessel, 1.0)))
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    rows = 0
    gaps: list[dict[str, Any]] = []
    with pq.ParquetWriter(tmp, POSITIONS, compression="zstd",
                          sorting_columns=[pq.SortingColumn(0), pq.SortingColumn(1)]) as writer:
        for chunk, lo in enumerate(range(0, n, per_chunk)):
            hi = min(n, lo + per_chunk)
            cols = chunk_rows(plan, area, lo, hi, span_s, args.seed, chunk)
            gaps.extend(gap_truth(plan, cols, lo, hi))
            table = to_table(cols, rows + 1, args.seed)
            writer.write_table(table, row_group_size=len(table))
            rows += len(table)
    tmp.replace(out)
    write_ports(out.with_suffix(".ports.csv"), ports)
    gaps.sort(key=lambda g: g["mmsi"])
    result = truth(args, plan, ports, area, gaps, rows, span_s)
    seconds = time.perf_counter() - began
    out.with_suffix(".truth.json").write_text(json.dumps(result, indent=1) + "\n")
    size = out.stat().st_size
    print(f"{out}: {rows:,} positions of {n:,} vessels over {args.days:g} days, "
          f"{size / 1e6:,.1f} MB, {seconds:.1f} s ({rows / seconds:,.0f} positions/s)",
          file=sys.stderr)
    print(json.dumps({"out": str(out), "rows": rows, "bytes": size, "seconds": round(seconds, 2),
                      "positions_per_s": round(rows / seconds), "counts": result["counts"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
