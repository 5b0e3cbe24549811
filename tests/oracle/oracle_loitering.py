"""Naive loitering: docs/events.md, section ``loitering``."""

from __future__ import annotations

import itertools
import statistics
from typing import Any

import pandas as pd
from oracle_common import (
    HOUR_US,
    NM_M,
    config_or_default,
    haversine_m,
    is_nan,
    knots,
    make_event,
    speed_source,
    track_groups,
)


def loitering_naive(tracks: pd.DataFrame, config: Any = None) -> list[dict]:
    cfg = config_or_default(config)
    lp = cfg.loitering
    events = []
    for track in track_groups(tracks):
        # "every position is at least min_shore_nm from shore and has a speed below
        # max_avg_sog_kn"  (an unknown speed is not below: see AMBIGUITIES.md)
        def good(r: dict[str, Any]) -> bool:
            v = r["speed_kn"]
            return r["dist_shore_m"] >= lp.min_shore_nm * NM_M and not is_nan(v) \
                and v < lp.max_avg_sog_kn

        # "A loitering event is a maximal run of consecutive non-outlier positions of a
        # track in which every position [is good], and every step is at most max_step_gap_h
        # long"
        runs: list[list[dict[str, Any]]] = []
        current: list[dict[str, Any]] = []
        for r in track:
            if not good(r):
                if current:
                    runs.append(current)
                current = []
                continue
            if current and r["ts"] - current[-1]["ts"] > lp.max_step_gap_h * HOUR_US:
                runs.append(current)
                current = []
            current.append(r)
        if current:
            runs.append(current)

        for run in runs:
            # "whose last position minus its first is at least min_duration_h."
            duration_us = run[-1]["ts"] - run[0]["ts"]
            if duration_us < lp.min_duration_h * HOUR_US:
                continue
            events.append(_event(track, run, duration_us, lp))
    return events


def _event(track: list[dict[str, Any]], run: list[dict[str, Any]], duration_us: int,
           lp: Any) -> dict[str, Any]:
    # "lat, lon: the median of its positions."
    lat = statistics.median(r["lat"] for r in run)
    lon = statistics.median(r["lon"] for r in run)
    # "avg_implied_sog_kn (path length / duration)"
    path = sum(haversine_m(a["lat"], a["lon"], b["lat"], b["lon"])
               for a, b in itertools.pairwise(run))
    avg_implied = knots(path, duration_us)
    reported = [bool(r["speed_reported"]) for r in run]
    details = {
        "positions": len(run),
        "avg_implied_sog_kn": avg_implied,
        "mean_sog_kn": statistics.fmean(r["speed_kn"] for r in run),
        "speed_source": speed_source(reported),
        "min_shore_m": min(r["dist_shore_m"] for r in run),
        "seg": int(run[0]["seg"]),
    }
    # "Open when its last position is the last of the track."
    end_ts = None if run[-1] is track[-1] else run[-1]["ts"]
    # "Confidence = 1 + one point each for: avg_implied_sog_kn below max_avg_sog_kn; speeds
    # reported (not implied) for at least 90% of its positions; duration at least twice
    # min_duration_h."
    confidence = 1
    confidence += (not is_nan(avg_implied)) and avg_implied < lp.max_avg_sog_kn
    confidence += sum(reported) >= 0.9 * len(run)
    confidence += duration_us >= 2 * lp.min_duration_h * HOUR_US
    return make_event("loitering", run[0]["mmsi"], run[0]["ts"], end_ts, lat, lon,
                      int(confidence), details)
