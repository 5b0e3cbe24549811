"""Naive position spoofing signals: docs/events.md, section ``spoofing``."""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd
from oracle_common import config_or_default, haversine_m, make_event, track_groups


def spoofing_naive(tracks: pd.DataFrame, config: Any = None) -> list[dict]:
    cfg = config_or_default(config)
    events: list[dict] = []
    # "Outliers are left out of every detector but spoofing": all tracks here.
    all_tracks = track_groups(tracks, include_outliers=True)
    events += _jumps(all_tracks)
    events += _outliers(all_tracks)
    events += _two_places(all_tracks, cfg)
    events += _on_land(all_tracks)
    events += _shared_positions(all_tracks, cfg)
    return events


def _jumps(all_tracks: list[list[dict[str, Any]]]) -> list[dict]:
    # "jump: a step of a track flagged jump. start_ts = the previous position's time,
    # end_ts = the jump's; position = where it landed; details: distance_m,
    # implied_sog_kn. Confidence 4 when the distance exceeds 100 km, else 3."
    out = []
    for track in all_tracks:
        for prev, r in itertools.pairwise(track):
            if not r["jump"]:
                continue
            d = haversine_m(prev["lat"], prev["lon"], r["lat"], r["lon"])
            sog = r["step_sog_kn"]
            details = {"kind": "jump", "distance_m": d, "implied_sog_kn": sog,
                       "seg": int(r["seg"])}
            out.append(make_event("spoofing", r["mmsi"], prev["ts"], r["ts"], r["lat"], r["lon"],
                                  4 if d > 100_000 else 3, details, key="jump"))
    return out


def _outliers(all_tracks: list[list[dict[str, Any]]]) -> list[dict]:
    # "outlier: each outlier track (see track preparation): start_ts/end_ts its first and
    # last positions, position its first. Confidence 2."
    out = []
    for track in all_tracks:
        if not track[0]["outlier"]:
            continue
        first, last = track[0], track[-1]
        details = {"kind": "outlier", "seg": int(first["seg"]), "positions": len(track)}
        out.append(make_event("spoofing", first["mmsi"], first["ts"], last["ts"], first["lat"],
                              first["lon"], 2, details, key="outlier"))
    return out


def _nearest_in_time(track: list[dict[str, Any]], ts: int) -> dict[str, Any]:
    # ties: the earlier position
    return min(track, key=lambda r: (abs(r["ts"] - ts), r["ts"]))


def _two_places(all_tracks: list[list[dict[str, Any]]], cfg: Any) -> list[dict]:
    # "two_places: two tracks of one MMSI, each of at least min_segment_positions
    # positions, overlap in time: start_ts = the later start, end_ts = the earlier end;
    # position: the later track's first position; details.distance_m between the two
    # tracks' positions nearest in time to start_ts, at least two_places_min_distance_m
    # (else no event). details.seg, details.other_seg. Confidence 4 when both tracks have
    # 10 or more positions in the overlap, else 3."
    out = []
    big = [t for t in all_tracks if len(t) >= cfg.tracks.min_segment_positions]
    for i, a in enumerate(big):
        for b in big[i + 1:]:
            if a[0]["mmsi"] != b[0]["mmsi"]:
                continue
            start = max(a[0]["ts"], b[0]["ts"])
            end = min(a[-1]["ts"], b[-1]["ts"])
            if start > end:
                continue
            # the later track (ties on the start: the higher seg), see AMBIGUITIES.md
            later, earlier = (b, a) if (b[0]["ts"], b[0]["seg"]) > (a[0]["ts"], a[0]["seg"]) \
                else (a, b)
            pa = _nearest_in_time(later, start)
            pb = _nearest_in_time(earlier, start)
            d = haversine_m(pa["lat"], pa["lon"], pb["lat"], pb["lon"])
            if d < cfg.spoofing.two_places_min_distance_m:
                continue
            n_later = sum(1 for r in later if start <= r["ts"] <= end)
            n_earlier = sum(1 for r in earlier if start <= r["ts"] <= end)
            details = {"kind": "two_places", "distance_m": d, "seg": int(later[0]["seg"]),
                       "other_seg": int(earlier[0]["seg"])}
            first = later[0]
            out.append(make_event("spoofing", first["mmsi"], start, end, first["lat"],
                                  first["lon"], 4 if n_later >= 10 and n_earlier >= 10 else 3,
                                  details, key="two_places"))
    return out


def _on_land(all_tracks: list[list[dict[str, Any]]]) -> list[dict]:
    # "on_land: a maximal run of consecutive positions of a track flagged on_land;
    # position: its first; confidence min(4, positions in the run)."
    out = []
    for track in all_tracks:
        run: list[dict[str, Any]] = []
        for r in [*track, None]:
            if r is not None and r["on_land"]:
                run.append(r)
                continue
            if run:
                details = {"kind": "on_land", "positions": len(run), "seg": int(run[0]["seg"])}
                out.append(make_event("spoofing", run[0]["mmsi"], run[0]["ts"], run[-1]["ts"],
                                      run[0]["lat"], run[0]["lon"], min(4, len(run)), details,
                                      key="on_land"))
            run = []
    return out


def _shared_positions(all_tracks: list[list[dict[str, Any]]], cfg: Any) -> list[dict]:
    # "shared_position: the same position (latitude and longitude in micro-degrees, rounded
    # half to even ...) reported by at least shared_position_min_vessels MMSIs in one burst:
    # the reports of one position, in time order, split wherever nobody reported it for more
    # than shared_position_gap_min. One event per MMSI and burst, from its first to its last
    # report in the burst, at the rounded position; details.vessels (count, the vessel
    # included) and details.other_mmsi (the 20 lowest other MMSIs, ascending).
    # Confidence min(4, vessels − 1)."
    reports: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for track in all_tracks:
        for r in track:
            key = (round(r["lat"] * 1_000_000), round(r["lon"] * 1_000_000))
            reports.setdefault(key, []).append((r["ts"], int(r["mmsi"])))
    gap_us = cfg.spoofing.shared_position_gap_min * 60_000_000
    out = []
    for (lat_e6, lon_e6), rows in sorted(reports.items()):
        rows.sort()
        bursts: list[list[tuple[int, int]]] = [[rows[0]]]
        for prev, row in itertools.pairwise(rows):
            if row[0] - prev[0] > gap_us:
                bursts.append([])
            bursts[-1].append(row)
        for burst in bursts:
            by_mmsi: dict[int, list[int]] = {}
            for ts, mmsi in burst:
                by_mmsi.setdefault(mmsi, []).append(ts)
            vessels = len(by_mmsi)
            if vessels < cfg.spoofing.shared_position_min_vessels:
                continue
            for mmsi, times in sorted(by_mmsi.items()):
                others = sorted(m for m in by_mmsi if m != mmsi)[:20]
                details = {"kind": "shared_position", "vessels": vessels, "other_mmsi": others}
                out.append(make_event("spoofing", mmsi, min(times), max(times), lat_e6 / 1e6,
                                      lon_e6 / 1e6, min(4, vessels - 1), details,
                                      key="shared_position"))
    return out
