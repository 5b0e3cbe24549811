"""What happened, what was on the air, and what the receivers got.

For every vessel plan: the transponder's slots at the ITU-R M.1371 rates, the true
position at each slot, whether the transponder sent (on or spoofing) and what position
it sent, whether the vessel was within any receiver's reach (``covered``), and whether
the message arrived (random loss, provider thinning). Three layers come out:

- ``slots``: every slot, the ground truth of the track and the transponder;
- the *observable* stream (sent and covered, exact values): what the event definitions
  are applied to for the ground truth;
- the *received* stream (observable, not lost, thinned, with GNSS noise): the output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from vesselwatch.model.schema import TS
from vesselwatch.simulate.noise import cog_noise, heading_noise, position_noise, sog_noise
from vesselwatch.simulate.plans import AIS_CODES, VesselPlan
from vesselwatch.simulate.received import RECEIVED_POSITIONS, RECEIVED_STATICS
from vesselwatch.simulate.reception import receive, thin
from vesselwatch.simulate.reporting import position_report_times, static_report_times
from vesselwatch.simulate.scenario import Scenario

__all__ = ["SLOTS", "Streams", "simulate_streams"]

SLOTS = pa.schema([
    ("mmsi", pa.uint32()), ("ts", TS), ("lat", pa.float64()), ("lon", pa.float64()),
    ("sog_kn", pa.float64()), ("transponder", pa.string()), ("covered", pa.bool_()),
    ("received", pa.bool_()), ("sent_lat", pa.float64()), ("sent_lon", pa.float64()),
])
_STATE_NAMES = np.array(sorted(AIS_CODES, key=AIS_CODES.__getitem__), dtype=object)


@dataclass
class Streams:
    """The layers of one simulation (see the module docstring)."""

    slots: pa.Table  # SLOTS: every position slot of every vessel
    observable_positions: pa.Table  # mmsi, ts, lat, lon, sog_kn, msg_type (exact, as sent)
    observable_statics: pa.Table  # mmsi, ts, imo, name, callsign, ship_type, msg_type
    received_positions: pa.Table  # RECEIVED_POSITIONS
    received_statics: pa.Table  # RECEIVED_STATICS


def simulate_streams(plans: list[VesselPlan], scenario: Scenario, *, seed: int, end_s: int
                     ) -> Streams:
    """Every layer for ``plans`` from the scenario's start to ``end_s``; deterministic."""
    stations = scenario.reception.stations
    satellites = scenario.reception.satellites
    pos = [_positions(p, scenario.start_s, end_s, seed * 101 + i) for i, p in enumerate(plans)]
    sta = [_statics(p, scenario.start_s, end_s, seed * 103 + i) for i, p in enumerate(plans)]
    P = {k: np.concatenate([d[k] for d in pos]) if pos else np.empty(0) for k in _POS_KEYS}
    S = {k: np.concatenate([d[k] for d in sta]) if sta else np.empty(0) for k in _STA_KEYS}
    rx = receive(P["lat"], P["lon"], P["t"], P["mmsi"], stations, satellites,
                 p_loss_terrestrial=scenario.reception.p_loss, seed=seed * 131 + 1)
    sent = P["state"] != AIS_CODES["off"]
    observable = sent & rx.covered
    got = observable & rx.received
    if scenario.reception.keep_every_s > 0:
        idx = np.flatnonzero(got)
        keep = thin(P["mmsi"][idx], P["t"][idx], scenario.reception.keep_every_s)
        got = np.zeros_like(got)
        got[idx[keep]] = True
    rs = receive(S["lat"], S["lon"], S["t"], S["mmsi"], stations, satellites,
                 p_loss_terrestrial=scenario.reception.p_loss, seed=seed * 137 + 1)
    s_obs = (S["state"] != AIS_CODES["off"]) & rs.covered
    s_got = s_obs & rs.received

    slots = pa.table({
        "mmsi": pa.array(P["mmsi"], pa.uint32()), "ts": _ts(P["t"]),
        "lat": P["lat"], "lon": P["lon"], "sog_kn": P["sog"],
        "transponder": pa.array(_STATE_NAMES[P["state"]], pa.string()),
        "covered": rx.covered, "received": got,
        "sent_lat": np.where(sent, P["sent_lat"], np.nan),
        "sent_lon": np.where(sent, P["sent_lon"], np.nan),
    }, schema=SLOTS)
    obs = {k: v[observable] for k, v in P.items()}
    observable_positions = pa.table({
        "mmsi": pa.array(obs["mmsi"], pa.uint32()), "ts": _ts(obs["t"]),
        "lat": obs["sent_lat"], "lon": obs["sent_lon"],
        "sog_kn": pa.array(obs["sent_sog"], pa.float32()),
        "msg_type": pa.array(obs["msg_type"], pa.uint8()),
    })
    so = {k: v[s_obs] for k, v in S.items()}
    observable_statics = pa.table({
        "mmsi": pa.array(so["mmsi"], pa.uint32()), "ts": _ts(so["t"]),
        "imo": pa.array(so["imo"], pa.uint32()), "name": pa.array(so["name"], pa.string()),
        "callsign": pa.array(so["callsign"], pa.string()),
        "ship_type": pa.array(so["ship_type"], pa.uint8()),
        "msg_type": pa.array(so["msg_type"], pa.uint8()),
    })
    rng = np.random.default_rng(seed * 139 + 5)
    g = {k: v[got] for k, v in P.items()}
    stations_of = rx.station_names()[got]
    lat, lon = position_noise(g["sent_lat"], g["sent_lon"], scenario.noise.position_sigma_m, rng)
    moving = g["sent_sog"] > 0.05
    received_positions = pa.table({
        "mmsi": pa.array(g["mmsi"], pa.uint32()), "ts": _ts(g["t"]),
        "msg_type": pa.array(g["msg_type"], pa.uint8()), "lat": lat, "lon": lon,
        "sog_kn": np.round(sog_noise(g["sent_sog"], scenario.noise.sog_sigma_kn, rng), 1),
        "cog_deg": np.where(moving, cog_noise(g["cog"], scenario.noise.cog_sigma_deg, rng),
                            np.nan),
        "heading_deg": np.where(moving, np.round(heading_noise(
            g["heading"], scenario.noise.heading_sigma_deg, rng)) % 360, np.nan),
        "nav_status": pa.array(g["nav_status"], pa.uint8()),
        "station": pa.array(stations_of, pa.string()),
        "channel": pa.array(np.where(g["t"] % 2 == 0, "A", "B"), pa.string()),
    }, schema=RECEIVED_POSITIONS)
    r = {k: v[s_got] for k, v in S.items()}
    received_statics = pa.table({
        "mmsi": pa.array(r["mmsi"], pa.uint32()), "ts": _ts(r["t"]),
        "msg_type": pa.array(r["msg_type"], pa.uint8()),
        "imo": pa.array(r["imo"], pa.uint32()), "name": pa.array(r["name"], pa.string()),
        "callsign": pa.array(r["callsign"], pa.string()),
        "ship_type": pa.array(r["ship_type"], pa.uint8()),
        "to_bow": pa.array(r["to_bow"], pa.uint16()),
        "to_stern": pa.array(r["to_stern"], pa.uint16()),
        "to_port": pa.array(r["to_port"], pa.uint16()),
        "to_starboard": pa.array(r["to_starboard"], pa.uint16()),
        "draught_m": r["draught"], "destination": pa.array(r["destination"], pa.string()),
        "station": pa.array(rs.station_names()[s_got], pa.string()),
        "channel": pa.array(np.where(r["t"] % 2 == 0, "B", "A"), pa.string()),
    }, schema=RECEIVED_STATICS)
    return Streams(slots, observable_positions, observable_statics, received_positions,
                   received_statics)


_POS_KEYS = ("mmsi", "t", "lat", "lon", "sog", "cog", "heading", "state", "sent_lat",
             "sent_lon", "sent_sog", "msg_type", "nav_status")
_STA_KEYS = ("mmsi", "t", "lat", "lon", "state", "imo", "name", "callsign", "ship_type",
             "to_bow", "to_stern", "to_port", "to_starboard", "draught", "destination",
             "msg_type")


def _positions(plan: VesselPlan, t0: int, t1: int, seed: int) -> dict[str, np.ndarray]:
    spec = plan.spec
    t = position_report_times(plan.itinerary, spec.ais_class, t0, t1, seed=seed)
    kin = plan.itinerary.at(t.astype(np.float64))
    k = plan.state_at(t)
    state = plan.ais_state[k]
    spoof = state == AIS_CODES["spoof"]
    ident = plan.identity_table()
    which = plan.identity_at(t)
    mmsi = np.array([row["mmsi"] for row in ident], dtype=np.int64)[which]
    msg_type = np.full(len(t), 18 if spec.ais_class == "B" else 1, dtype=np.uint8)
    nav = np.where(kin.moving, 0, 1).astype(np.uint8)  # under way using engine / at anchor
    if spec.role == "fishing":
        nav = np.where(kin.sog_kn < 3.0, 7, 0).astype(np.uint8)  # engaged in fishing
    return {
        "mmsi": mmsi, "t": t, "lat": kin.lat, "lon": kin.lon, "sog": kin.sog_kn,
        "cog": kin.cog_deg, "heading": kin.heading_deg, "state": state,
        "sent_lat": np.where(spoof, plan.spoof_lat[k], kin.lat),
        "sent_lon": np.where(spoof, plan.spoof_lon[k], kin.lon),
        "sent_sog": np.where(spoof, 0.0, kin.sog_kn), "msg_type": msg_type,
        "nav_status": nav,
    }


def _statics(plan: VesselPlan, t0: int, t1: int, seed: int) -> dict[str, np.ndarray]:
    spec = plan.spec
    t = static_report_times(t0, t1, seed=seed)
    kin = plan.itinerary.at(t.astype(np.float64))
    state = plan.ais_state[plan.state_at(t)]
    ident = plan.identity_table()
    which = plan.identity_at(t)

    def col(name: str, dtype: type) -> np.ndarray:
        values: np.ndarray = np.array([row[name] for row in ident], dtype=dtype)[which]
        return values

    n = len(t)
    bow = spec.length_m * 2 // 3
    beam = spec.width_m // 2
    return {
        "mmsi": col("mmsi", np.int64), "t": t, "lat": kin.lat, "lon": kin.lon, "state": state,
        "imo": col("imo", np.int64), "name": col("name", object),
        "callsign": col("callsign", object), "ship_type": col("ship_type", np.int64),
        "to_bow": np.full(n, bow), "to_stern": np.full(n, spec.length_m - bow),
        "to_port": np.full(n, beam), "to_starboard": np.full(n, spec.width_m - beam),
        "draught": np.full(n, spec.draught_m), "destination": col("destination", object),
        "msg_type": np.full(n, 24 if spec.ais_class == "B" else 5, dtype=np.uint8),
    }


def _ts(t: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(t, dtype=np.int64) * 1_000_000, pa.int64()).cast(TS)
