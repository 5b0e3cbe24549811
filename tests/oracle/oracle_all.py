"""Every naive detector in the order of docs/events.md, as one comparable table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from oracle_common import config_or_default, events_frame, norm_ports, ts_column_to_us
from oracle_encounters import encounters_naive
from oracle_gaps import gaps_naive
from oracle_identity import identity_changes_naive
from oracle_loitering import loitering_naive
from oracle_port_visits import port_visits_naive
from oracle_spoofing import spoofing_naive
from oracle_tracks import prepare_tracks_naive
from oracle_voyages import voyages_naive


def oracle_events(positions_df: pd.DataFrame, reports_df: pd.DataFrame | None, ports: Any,
                  is_land: Any, dist_shore_m: Callable[[float, float], float] | None,
                  config: Any = None, until: Any = None, watched: Any = None,
                  tracks_out: list | None = None) -> pd.DataFrame:
    """All events, sorted by (mmsi, start_ts, event_type); times int64 microseconds UTC.

    ``until``: "The end of the data (until) is the latest ts of the positions given (rows
    without a place included), unless the caller passes another."
    ``is_land``/``dist_shore_m``: see ``prepare_tracks_naive`` (callables, or a land mask
    object and None). ``watched``: the watched ports of dark voyages (default: the ports
    flagged ``watched``). ``tracks_out``: a list that receives the prepared tracks.
    """
    cfg = config_or_default(config)
    if until is None:
        times = ts_column_to_us(positions_df["ts"]) if len(positions_df) else [0]
        until_us = max(times)
    else:
        until_us = ts_column_to_us(pd.Series([until]))[0]
    port_list = norm_ports(ports, cfg)
    tracks = prepare_tracks_naive(positions_df, port_list, is_land, dist_shore_m, cfg)
    if tracks_out is not None:
        tracks_out.append(tracks)
    visits = port_visits_naive(tracks, port_list, cfg)
    gaps = gaps_naive(tracks, port_list, cfg, until=until_us)
    encounters = encounters_naive(tracks, port_list, cfg)
    loitering = loitering_naive(tracks, cfg)
    spoofing = spoofing_naive(tracks, cfg)
    identity = identity_changes_naive(reports_df if reports_df is not None
                                      else pd.DataFrame(columns=["mmsi", "ts"]),
                                      positions_df, cfg)
    voyages = voyages_naive(visits, gaps, port_list, cfg, until=until_us, watched=watched)
    events = visits + gaps + encounters + loitering + spoofing + identity + voyages
    df = events_frame(events)
    return df.sort_values(["mmsi", "start_ts", "event_type"], kind="stable").reset_index(drop=True)
