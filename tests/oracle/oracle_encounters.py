"""Naive ship-to-ship encounters: docs/events.md, section ``encounter``."""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from typing import Any

import pandas as pd
from oracle_common import (
    EARTH_RADIUS_M,
    HOUR_US,
    US,
    config_or_default,
    haversine_m,
    make_event,
    norm_ports,
    speed_source,
    track_groups,
)


def _short_dlon(lon_a: float, lon_b: float) -> float:
    """lon_b − lon_a the short way round, in (−180, 180]."""
    d = (lon_b - lon_a) % 360.0
    return d - 360.0 if d > 180.0 else d


def _wrap(lon: float) -> float:
    return ((lon + 180.0) % 360.0) - 180.0


def _lerp(a: float, b: float, f: float) -> float:
    """a + f·(b − a), with equal ends (an infinite speed on both) staying as they are."""
    return a if a == b else a + f * (b - a)


def resample_track(track: list[dict[str, Any]], step_us: int, max_gap_us: float) -> dict:
    """{grid time: slot} for one track; slot = lat, lon, speed, sources, observed.

    "A track (non-outlier positions) has a position at grid time t when t lies between two
    consecutive positions of the track at most max_interpolation_gap_h apart (inclusive),
    or equals a position's time: latitude, longitude (across the antimeridian by the short
    way) and speed are interpolated linearly in time."
    """
    slots: dict[int, dict[str, Any]] = {}
    # "... or equals a position's time" (the first position at that time, in track order)
    for r in track:
        if r["ts"] % step_us == 0 and r["ts"] not in slots:
            slots[r["ts"]] = {"lat": r["lat"], "lon": r["lon"], "speed": r["speed_kn"],
                              "reported": [bool(r["speed_reported"])]}
    for a, b in itertools.pairwise(track):
        dt = b["ts"] - a["ts"]
        if dt <= 0 or dt > max_gap_us:
            continue
        t = -(-a["ts"] // step_us) * step_us  # first grid time >= a.ts
        while t <= b["ts"]:
            if t not in slots:
                f = (t - a["ts"]) / dt
                slots[t] = {
                    "lat": a["lat"] + f * (b["lat"] - a["lat"]),
                    "lon": _wrap(a["lon"] + f * _short_dlon(a["lon"], b["lon"])),
                    "speed": _lerp(a["speed_kn"], b["speed_kn"], f),
                    "reported": [bool(a["speed_reported"]), bool(b["speed_reported"])],
                }
            t += step_us
    # "the share of close slots at which both vessels have a real position within grid_min
    # of the slot" (a real position of the track that gave the slot; boundary included)
    times = [r["ts"] for r in track]
    for t, s in slots.items():
        k = bisect.bisect_left(times, t - step_us)
        s["observed"] = k < len(times) and times[k] <= t + step_us
    return slots


def encounters_naive(tracks: pd.DataFrame, ports: Any, config: Any = None) -> list[dict]:
    cfg = config_or_default(config)
    ep = cfg.encounters
    port_list = norm_ports(ports, cfg)
    step_us = round(ep.grid_min * 60 * US)
    max_gap_us = ep.max_interpolation_gap_h * HOUR_US

    # 1. Resampling. "Grid times are the multiples of grid_min since the Unix epoch (UTC)"
    # "One MMSI with several tracks at t uses its lowest seg."
    grid: dict[int, dict[int, dict[str, Any]]] = {}  # mmsi -> t -> slot
    for track in track_groups(tracks):  # in (mmsi, seg) order: lowest seg first
        mine = grid.setdefault(int(track[0]["mmsi"]), {})
        for t, slot in resample_track(track, step_us, max_gap_us).items():
            mine.setdefault(t, slot)

    # 2. "A close slot of a pair of vessels (two MMSIs) is a grid time at which both have a
    # position and they are at most max_distance_m apart."
    by_time: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for mmsi, slots in grid.items():
        for t, s in slots.items():
            by_time.setdefault(t, []).append((mmsi, s))
    # Only a speed-up: two points within max_distance_m differ by at most this in latitude,
    # so comparing neighbouring latitude bands finds every close pair.
    band_deg = math.degrees(ep.max_distance_m / EARTH_RADIUS_M) or 1e-9
    close: dict[tuple[int, int], list[int]] = {}
    for t, present in by_time.items():
        bands: dict[int, list[tuple[int, dict[str, Any]]]] = {}
        for m, s in present:
            bands.setdefault(math.floor(s["lat"] / band_deg), []).append((m, s))
        for m1, s1 in present:
            b = math.floor(s1["lat"] / band_deg)
            for nb in (b - 1, b, b + 1):
                for m2, s2 in bands.get(nb, []):
                    if m2 <= m1:
                        continue
                    if haversine_m(s1["lat"], s1["lon"], s2["lat"], s2["lon"]) <= ep.max_distance_m:
                        close.setdefault((m1, m2), []).append(t)

    events = []
    for (m1, m2), times in sorted(close.items()):
        times.sort()
        # 3. "Consecutive close slots (one grid_min apart) form a run"
        runs: list[list[int]] = []
        for t in times:
            if runs and t - runs[-1][-1] == step_us:
                runs[-1].append(t)
            else:
                runs.append([t])
        # "runs of the same pair less than merge_gap_h apart (from the last slot of one to
        # the first of the next) merge."
        merged: list[list[int]] = []
        for run in runs:
            if merged and run[0] - merged[-1][-1] < ep.merge_gap_h * HOUR_US:
                merged[-1].extend(run)
            else:
                merged.append(list(run))
        for slots in merged:
            events.extend(_encounter(m1, m2, slots, grid, port_list, ep))
    return events


def _encounter(m1: int, m2: int, slots: list[int], grid: dict, ports: list[dict[str, Any]],
               ep: Any) -> list[dict[str, Any]]:
    a = [grid[m1][t] for t in slots]
    b = [grid[m2][t] for t in slots]
    # 4. "A merged run is an encounter when its last slot minus its first is at least
    # min_duration_h,"
    if slots[-1] - slots[0] < ep.min_duration_h * HOUR_US:
        return []
    # "the median speed of each vessel over its close slots is below max_median_sog_kn,"
    # (unknown speeds are left out of the median; see AMBIGUITIES.md)
    med_a = _median([s["speed"] for s in a])
    med_b = _median([s["speed"] for s in b])
    if not (med_a < ep.max_median_sog_kn and med_b < ep.max_median_sog_kn):
        return []
    # "and its position (the median latitude and longitude of the pair's midpoints over the
    # close slots) is at least min_port_distance_m from every port."
    mid_lat = [(sa["lat"] + sb["lat"]) / 2 for sa, sb in zip(a, b)]
    mid_lon = [_wrap(sa["lon"] + _short_dlon(sa["lon"], sb["lon"]) / 2) for sa, sb in zip(a, b)]
    lat = statistics.median(mid_lat)
    lon = statistics.median(mid_lon)
    if any(haversine_m(lat, lon, p["lat"], p["lon"]) < ep.min_port_distance_m for p in ports):
        return []
    distances = [haversine_m(sa["lat"], sa["lon"], sb["lat"], sb["lon"]) for sa, sb in zip(a, b)]
    # "Confidence from observed_share, the share of close slots at which both vessels have
    # a real position within grid_min of the slot: 4 ≥ 0.75, 3 ≥ 0.5, 2 ≥ 0.25, else 1."
    share = sum(1 for sa, sb in zip(a, b) if sa["observed"] and sb["observed"]) / len(slots)
    confidence = 4 if share >= 0.75 else 3 if share >= 0.5 else 2 if share >= 0.25 else 1
    out = []
    # "Each encounter is two events, one per vessel (mmsi, other_mmsi), with the same
    # start_ts (first close slot), end_ts (last close slot) and position."
    for me, other, mine, _theirs, med_me, med_other in ((m1, m2, a, b, med_a, med_b),
                                                       (m2, m1, b, a, med_b, med_a)):
        details = {
            "close_slots": len(slots),
            "median_distance_m": statistics.median(distances),
            "median_sog_kn": med_me,
            "other_median_sog_kn": med_other,
            "observed_share": share,
            "speed_source": speed_source([f for s in mine for f in s["reported"]]),
        }
        out.append(make_event("encounter", me, slots[0], slots[-1], lat, lon, confidence,
                              details, other_mmsi=other))
    return out


def _median(values: list[float]) -> float:
    known = [v for v in values if not math.isnan(v)]
    return statistics.median(known) if known else math.nan
