"""Naive track preparation: docs/events.md, section "Track preparation"."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from oracle_common import (
    config_or_default,
    haversine_m,
    implied_kn,
    is_nan,
    nearest_port_within,
    norm_ports,
    ts_column_to_us,
)

TRACK_COLUMNS = ["mmsi", "ts", "lat", "lon", "sog_kn", "order", "seg", "outlier", "jump",
                 "step_m", "step_sog_kn", "on_land", "dist_shore_m", "port_idx",
                 "entry_port_idx", "speed_kn", "speed_reported"]


def prepare_tracks_naive(positions: pd.DataFrame, ports: Any,
                         is_land: Any,
                         dist_shore_m: Callable[[float, float], float] | None = None,
                         config: Any = None) -> pd.DataFrame:
    """Positions with ``seg`` and the flags of step 4 and the context of step 5.

    One row per kept position; columns ``TRACK_COLUMNS`` (plus ``mmsi_issue`` when given).
    ``order`` is the rank of the position within its MMSI in the order of step 2.

    ``is_land`` and ``dist_shore_m`` are callables of one (lat, lon); or ``is_land`` is a
    land mask object (``is_land`` and ``distance_to_shore_m`` methods over arrays, as
    ``vesselwatch.reference.land.LandMask``) and ``dist_shore_m`` is None: it is then asked
    once for all positions (the same answers, only faster).
    """
    cfg = config_or_default(config)
    tp = cfg.tracks
    port_list = norm_ports(ports, cfg)

    df = positions.copy()
    df["ts"] = ts_column_to_us(df["ts"])
    if "sog_kn" not in df.columns:
        df["sog_kn"] = math.nan
    df["sog_kn"] = df["sog_kn"].astype("float64")

    # 1. "Positions without a latitude or longitude are left out of tracks (they have no
    # place)."
    df = df[df["lat"].notna() & df["lon"].notna()]
    # "Rows with the same (mmsi, ts, lat, lon) are one position, keeping the lowest
    # reported SOG (a missing SOG counts as highest)."
    df = df.sort_values(["mmsi", "ts", "lat", "lon", "sog_kn"], kind="stable",
                        na_position="last")
    df = df.drop_duplicates(["mmsi", "ts", "lat", "lon"], keep="first")

    out_rows: list[dict[str, Any]] = []
    for mmsi, g in df.groupby("mmsi", sort=True):
        # 2. "Per MMSI, positions are taken in time order (ties by lat, then lon)."
        rows = g.sort_values(["ts", "lat", "lon"], kind="stable").to_dict("records")
        for k, r in enumerate(rows):
            r["order"] = k
            r["mmsi"] = int(mmsi)
            r["ts"] = int(r["ts"])
            r["lat"] = float(r["lat"])
            r["lon"] = float(r["lon"])
        segments = _segments(rows, tp)
        tracks = [[r for s in track for r in s] for track in _chain(segments)]
        for seg_no, track in enumerate(tracks):
            for r in track:
                r["seg"] = seg_no
        _outliers(tracks, tp)
        for track in tracks:
            _steps_and_speeds(track, tp)
            out_rows.extend(track)

    _land_context(out_rows, is_land, dist_shore_m)
    for r in out_rows:
        _context(r, port_list, tp)

    result = pd.DataFrame(out_rows)
    if result.empty:
        result = pd.DataFrame(columns=TRACK_COLUMNS)
    result = result.sort_values(["mmsi", "seg", "order"], kind="stable").reset_index(drop=True)
    for c in ("port_idx", "entry_port_idx"):
        result[c] = pd.Series([None if is_nan(v) else int(v) for v in result[c]],
                              index=result.index, dtype=object)
    for c in ("outlier", "jump", "on_land", "speed_reported"):
        result[c] = result[c].astype(bool)
    cols = TRACK_COLUMNS + (["mmsi_issue"] if "mmsi_issue" in result.columns else [])
    return result[cols]


def _segments(rows: list[dict[str, Any]], tp: Any) -> list[list[dict[str, Any]]]:
    """Step 2: the segments of one MMSI, in the order they were opened."""
    opened: list[dict[str, Any]] = []  # every segment ever opened, in opening order
    open_now: list[dict[str, Any]] = []
    for k, r in enumerate(rows):
        # "Each position joins an open segment whose last position it can be reached from:
        # the distance is at most jump_noise_m, or the implied speed (distance / time,
        # time > 0) is at most max_implied_sog_kn."
        best = None
        best_key = None
        for s in open_now:
            q = s["positions"][-1]
            d = haversine_m(q["lat"], q["lon"], r["lat"], r["lon"])
            dt = r["ts"] - q["ts"]
            reachable = d <= tp.jump_noise_m or (
                dt > 0 and implied_kn(d, dt) <= tp.max_implied_sog_kn)
            if not reachable:
                continue
            # "Of several such segments it joins the one whose last position is nearest
            # (ties: the most recently extended)."
            key = (d, -s["last_extended"])
            if best_key is None or key < best_key:
                best, best_key = s, key
        if best is not None:
            best["positions"].append(r)
            best["last_extended"] = k
            continue
        # "If none qualifies it opens a new segment; when max_open_segments are already
        # open, the least recently extended closes."  (closed before the new one opens)
        if len(open_now) >= tp.max_open_segments:
            oldest = min(open_now, key=lambda s: s["last_extended"])
            open_now.remove(oldest)
        s = {"positions": [r], "last_extended": k}
        open_now.append(s)
        opened.append(s)
    return [s["positions"] for s in opened]


def _chain(segments: list[list[dict[str, Any]]]) -> list[list[list[dict[str, Any]]]]:
    """Step 3: tracks as lists of segments, numbered in the order they begin."""
    tracks: list[dict[str, Any]] = []
    # "in the order they were opened, each segment continues the track that ended latest
    # strictly before the segment's first position; if no track ended before it began, it
    # starts a new track."
    for seg in segments:
        first_ts = seg[0]["ts"]
        candidates = [t for t in tracks if t["end"] < first_ts]
        if candidates:
            # "Of two tracks that ended at the same time, the one that began first is
            # continued."  (equal beginnings too: the one made first)
            t = max(candidates, key=lambda t: (t["end"], -t["begin"], -t["number"]))
            t["segments"].append(seg)
            t["end"] = max(t["end"], seg[-1]["ts"])
        else:
            tracks.append({"segments": [seg], "end": seg[-1]["ts"], "number": len(tracks),
                           "begin": first_ts})
    # "Tracks are numbered per MMSI from 0 in the order they begin (column seg)."
    tracks.sort(key=lambda t: (t["begin"], t["number"]))
    return [t["segments"] for t in tracks]


def _outliers(tracks: list[list[dict[str, Any]]], tp: Any) -> None:
    # 4. "outlier: the position belongs to a track of fewer than min_segment_positions
    # positions that overlaps in time a track of the MMSI with at least
    # min_segment_positions positions."  ("Overlap in time is of closed intervals: tracks
    # touching at one instant overlap.")
    spans = [(min(r["ts"] for r in t), max(r["ts"] for r in t), len(t)) for t in tracks]
    for t, (a0, a1, n) in zip(tracks, spans):
        outlier = n < tp.min_segment_positions and any(
            m >= tp.min_segment_positions and a0 <= b1 and b0 <= a1 for b0, b1, m in spans)
        for r in t:
            r["outlier"] = outlier


def _steps_and_speeds(track: list[dict[str, Any]], tp: Any) -> None:
    """Step 4's jump flag and the conventions' speed of each position of one track."""
    track.sort(key=lambda r: r["order"])
    for r in track:
        r["jump"] = False
        r["step_m"] = math.nan
        r["step_sog_kn"] = math.nan
    for a, b in itertools.pairwise(track):
        # "jump: the step from the previous position of the track is longer than
        # jump_noise_m and faster than max_implied_sog_kn."
        d = haversine_m(a["lat"], a["lon"], b["lat"], b["lon"])
        v = implied_kn(d, b["ts"] - a["ts"])
        b["step_m"] = d
        b["step_sog_kn"] = v
        b["jump"] = d > tp.jump_noise_m and v > tp.max_implied_sog_kn
    # Conventions, "Speed of a position (speed_kn): the reported SOG where there is one,
    # else the implied speed from the previous position of its track (distance / time;
    # two positions at the same time: 0 kn at the same place, else infinite); the first
    # position of a track without SOG takes the implied speed to the next one (a track of
    # one position without SOG has no speed: NaN ...)."
    for i, r in enumerate(track):
        sog = r["sog_kn"]
        if not is_nan(sog):
            r["speed_kn"] = float(sog)
            r["speed_reported"] = True
            continue
        r["speed_reported"] = False
        if i > 0:
            r["speed_kn"] = r["step_sog_kn"]
        elif len(track) > 1:
            r["speed_kn"] = track[1]["step_sog_kn"]
        else:
            r["speed_kn"] = math.nan


def _land_context(rows: list[dict[str, Any]], is_land: Any,
                  dist_shore_m: Callable[[float, float], float] | None) -> None:
    # 5. "Each position gets dist_shore_m (distance from the shore, from the packaged
    # raster)" -- and the land mask's answer, for on_land.
    if dist_shore_m is None:
        lat = np.array([r["lat"] for r in rows], dtype=np.float64)
        lon = np.array([r["lon"] for r in rows], dtype=np.float64)
        land = np.asarray(is_land.is_land(lat, lon), dtype=bool)
        shore = np.asarray(is_land.distance_to_shore_m(lat, lon), dtype=np.float64)
        for r, a, b in zip(rows, land.tolist(), shore.tolist()):
            r["land_mask"] = bool(a)
            r["dist_shore_m"] = float(b)
        return
    for r in rows:
        r["land_mask"] = bool(is_land(r["lat"], r["lon"]))
        r["dist_shore_m"] = float(dist_shore_m(r["lat"], r["lon"]))


def _context(r: dict[str, Any], ports: list[dict[str, Any]], tp: Any) -> None:
    # 5. "the nearest port within that port's exit radius (port_idx, or none) and the
    # nearest port within its entry radius."
    r["port_idx"] = nearest_port_within(r["lat"], r["lon"], ports, "exit_radius_m")
    r["entry_port_idx"] = nearest_port_within(r["lat"], r["lon"], ports, "entry_radius_m")
    # 4. "on_land: the land mask says land, the position is more than land_margin_m from
    # the shore, and it is inside no port's exit radius."
    r["on_land"] = r["land_mask"] and r["dist_shore_m"] > tp.land_margin_m \
        and r["port_idx"] is None
