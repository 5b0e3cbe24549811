"""Naive track preparation: docs/events.md, section "Track preparation"."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import pandas as pd
from oracle_common import (
    config_or_default,
    haversine_m,
    is_nan,
    knots,
    nearest_port_within,
    norm_ports,
    ts_column_to_us,
)

TRACK_COLUMNS = ["mmsi", "ts", "lat", "lon", "sog_kn", "order", "seg", "outlier", "jump",
                 "step_m", "step_sog_kn", "on_land", "dist_shore_m", "port_idx",
                 "entry_port_idx", "speed_kn", "speed_reported"]


def prepare_tracks_naive(positions: pd.DataFrame, ports: Any,
                         is_land: Callable[[float, float], bool],
                         dist_shore_m: Callable[[float, float], float],
                         config: Any = None) -> pd.DataFrame:
    """Positions with ``seg`` and the flags of step 4 and the context of step 5.

    One row per kept position; columns ``TRACK_COLUMNS`` (plus ``mmsi_issue`` when given).
    ``order`` is the rank of the position within its MMSI in the order of step 2.
    """
    cfg = config_or_default(config)
    tp = cfg.tracks
    port_list = norm_ports(ports, cfg)

    df = positions.copy()
    df["ts"] = ts_column_to_us(df["ts"])
    if "sog_kn" not in df.columns:
        df["sog_kn"] = math.nan

    # 1. "Positions without a latitude or longitude are left out of tracks (they have no
    # place)."
    df = df[df["lat"].notna() & df["lon"].notna()]
    # "Rows with the same (mmsi, ts, lat, lon) are one position."  (The first row, after a
    # stable sort by those keys, gives the SOG; see AMBIGUITIES.md.)
    df = df.sort_values(["mmsi", "ts", "lat", "lon"], kind="stable")
    df = df.drop_duplicates(["mmsi", "ts", "lat", "lon"], keep="first")

    out_rows: list[dict[str, Any]] = []
    for mmsi, g in df.groupby("mmsi", sort=True):
        # 2. "Per MMSI, positions are taken in time order (ties by lat, then lon)."
        rows = g.sort_values(["ts", "lat", "lon"], kind="stable").to_dict("records")
        for k, r in enumerate(rows):
            r["order"] = k
            r["mmsi"] = int(mmsi)
        segments = _segments(rows, tp)
        tracks = _chain(segments)
        for seg_no, track in enumerate(tracks):
            positions_of_track = [r for s in track for r in s]
            for r in positions_of_track:
                r["seg"] = seg_no
            out_rows.extend(positions_of_track)

    for r in out_rows:
        _context(r, port_list, is_land, dist_shore_m, tp)

    result = pd.DataFrame(out_rows)
    if result.empty:
        result = pd.DataFrame(columns=TRACK_COLUMNS)
    _flags(result, tp)
    result = result.sort_values(["mmsi", "seg", "order"], kind="stable").reset_index(drop=True)
    _speeds(result)
    for c in ("port_idx", "entry_port_idx"):
        result[c] = pd.Series([None if is_nan(v) else int(v) for v in result[c]],
                              index=result.index, dtype=object)
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
            reachable = d <= tp.jump_noise_m or (dt > 0 and knots(d, dt) <= tp.max_implied_sog_kn)
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
        # open, the least recently extended closes."
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
            # ties on the end: the track that began first (see AMBIGUITIES.md)
            t = max(candidates, key=lambda t: (t["end"], -t["number"]))
            t["segments"].append(seg)
            t["end"] = max(t["end"], seg[-1]["ts"])
        else:
            tracks.append({"segments": [seg], "end": seg[-1]["ts"], "number": len(tracks),
                           "begin": first_ts})
    # "Tracks are numbered per MMSI from 0 in the order they begin (column seg)."
    tracks.sort(key=lambda t: (t["begin"], t["number"]))
    return [t["segments"] for t in tracks]


def _context(r: dict[str, Any], ports: list[dict[str, Any]],
             is_land: Callable[[float, float], bool],
             dist_shore_m: Callable[[float, float], float], tp: Any) -> None:
    # 5. "Each position gets dist_shore_m (distance from the shore ...), the nearest port
    # within that port's exit radius (port_idx, or none) and the nearest port within its
    # entry radius."
    r["dist_shore_m"] = float(dist_shore_m(r["lat"], r["lon"]))
    r["port_idx"] = nearest_port_within(r["lat"], r["lon"], ports, "exit_radius_m")
    r["entry_port_idx"] = nearest_port_within(r["lat"], r["lon"], ports, "entry_radius_m")
    # 4. "on_land: the land mask says land, the position is more than land_margin_m from
    # the shore, and it is inside no port's exit radius."
    r["on_land"] = bool(is_land(r["lat"], r["lon"])) and r["dist_shore_m"] > tp.land_margin_m \
        and r["port_idx"] is None


def _flags(df: pd.DataFrame, tp: Any) -> None:
    """Step 4: outlier and jump."""
    df["outlier"] = False
    df["jump"] = False
    df["step_m"] = math.nan
    df["step_sog_kn"] = math.nan
    if df.empty:
        return
    spans = {}
    counts = {}
    for (mmsi, seg), g in df.groupby(["mmsi", "seg"]):
        spans[(mmsi, seg)] = (g["ts"].min(), g["ts"].max())
        counts[(mmsi, seg)] = len(g)
    # "outlier: the position belongs to a track of fewer than min_segment_positions
    # positions that overlaps another track of the MMSI in time."  (closed intervals)
    outlier_tracks = set()
    for (mmsi, seg), (a0, a1) in spans.items():
        if counts[(mmsi, seg)] >= tp.min_segment_positions:
            continue
        for (m2, s2), (b0, b1) in spans.items():
            if m2 == mmsi and s2 != seg and a0 <= b1 and b0 <= a1:
                outlier_tracks.add((mmsi, seg))
    df["outlier"] = [(m, s) in outlier_tracks for m, s in zip(df["mmsi"], df["seg"])]

    # "jump: the step from the previous position of the track is longer than jump_noise_m
    # and faster than max_implied_sog_kn."
    for (_mmsi, _seg), g in df.groupby(["mmsi", "seg"]):
        g = g.sort_values("order")
        idx = list(g.index)
        for a, b in itertools.pairwise(idx):
            d = haversine_m(df.at[a, "lat"], df.at[a, "lon"], df.at[b, "lat"], df.at[b, "lon"])
            dt = df.at[b, "ts"] - df.at[a, "ts"]
            v = math.inf if dt <= 0 and d > 0 else knots(d, dt)
            df.at[b, "step_m"] = d
            df.at[b, "step_sog_kn"] = v
            if d > tp.jump_noise_m and v > tp.max_implied_sog_kn:
                df.at[b, "jump"] = True


def _speeds(df: pd.DataFrame) -> None:
    """Conventions, "Speed of a position": reported SOG, else implied."""
    df["speed_kn"] = math.nan
    df["speed_reported"] = False
    for (_mmsi, _seg), g in df.groupby(["mmsi", "seg"]):
        idx = list(g.sort_values("order").index)
        for i, row in enumerate(idx):
            sog = df.at[row, "sog_kn"]
            if not is_nan(sog):
                # "the reported SOG where there is one"
                df.at[row, "speed_kn"] = float(sog)
                df.at[row, "speed_reported"] = True
                continue
            # "else the implied speed from the previous position of its track (distance /
            # time); the first position of a track without SOG takes the implied speed to
            # the next one."  (time 0 gives no speed: NaN, see AMBIGUITIES.md)
            if i > 0:
                a, b = idx[i - 1], row
            elif len(idx) > 1:
                a, b = row, idx[1]
            else:
                continue
            d = haversine_m(df.at[a, "lat"], df.at[a, "lon"], df.at[b, "lat"], df.at[b, "lon"])
            df.at[row, "speed_kn"] = knots(d, df.at[b, "ts"] - df.at[a, "ts"])
