"""Compile a scenario's vessels into what each one does: its itinerary, its transponder
state and its identity over time, and the record of its steps.

Fleets of background vessels are drawn here from the seed, so a scenario file names a
fleet once ("twelve fishing boats in this box") and gets the same boats for the same seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import haversine_m
from vesselwatch.simulate.motion import Itinerary, ItineraryBuilder
from vesselwatch.simulate.routes import points_on_land, sea_route
from vesselwatch.simulate.scenario import Fleet, Place, Scenario, Step, VesselSpec

__all__ = ["AIS_CODES", "IdentityChange", "VesselPlan", "berth", "compile_plans",
           "fleet_vessels"]

NM_M = 1852.0
KN_MS = NM_M / 3600.0
AIS_CODES = {"on": 0, "off": 1, "spoof": 2}
IDENTITY_FIELDS = ("mmsi", "name", "imo", "callsign", "ship_type", "destination")
MAX_STEPS = 100_000  # a repeating plan that never advances time


@dataclass(frozen=True)
class IdentityChange:
    """From ``t_s`` on, the vessel transmits these identity fields."""

    t_s: float
    fields: dict[str, Any]


@dataclass
class VesselPlan:
    """One vessel, compiled: where it is, what its transponder does, who it says it is."""

    spec: VesselSpec
    itinerary: Itinerary
    ais_t: np.ndarray  # float64: start of each transponder interval (sorted)
    ais_state: np.ndarray  # uint8: AIS_CODES of each interval
    spoof_lat: np.ndarray  # float64: the position broadcast while spoofing (else NaN)
    spoof_lon: np.ndarray
    identities: list[IdentityChange]  # the first at the start
    steps: list[dict[str, Any]] = field(default_factory=list)  # what happened, for the truth

    def state_at(self, t: np.ndarray) -> np.ndarray:
        """Index of the transponder interval in force at each time."""
        return np.clip(np.searchsorted(self.ais_t, t, side="right") - 1, 0, None)

    def identity_at(self, t: np.ndarray) -> np.ndarray:
        """Index into :attr:`identities` in force at each time."""
        starts = np.array([c.t_s for c in self.identities], dtype=np.float64)
        return np.clip(np.searchsorted(starts, t, side="right") - 1, 0, None)

    def identity_table(self) -> list[dict[str, Any]]:
        """The full identity in force from each change on."""
        out: list[dict[str, Any]] = []
        current: dict[str, Any] = {}
        for change in self.identities:
            current = {**current, **change.fields}
            out.append(dict(current))
        return out


def compile_plans(scenario: Scenario, *, seed: int, end_s: int) -> list[VesselPlan]:
    """Every vessel of ``scenario`` (its own and its fleets'), compiled up to ``end_s``."""
    specs = list(scenario.vessels)
    for i, fleet in enumerate(scenario.fleets):
        specs.extend(fleet_vessels(fleet, scenario, seed=seed * 1000 + i, end_s=end_s))
    seen: dict[int, str] = {}
    for spec in specs:
        if spec.mmsi in seen:
            raise InputError(f"{scenario.path}: MMSI {spec.mmsi} is used by {seen[spec.mmsi]} "
                             f"and {spec.name}; give the fleets MMSI ranges that do not overlap")
        seen[spec.mmsi] = spec.name
    return [_compile(spec, scenario, seed=seed * 7919 + n, end_s=end_s)
            for n, spec in enumerate(specs)]


# -- one vessel ---------------------------------------------------------------------------

def _compile(spec: VesselSpec, scenario: Scenario, *, seed: int, end_s: int) -> VesselPlan:
    places = scenario.places
    where = f"{scenario.path}: vessel {spec.name} (MMSI {spec.mmsi})"  # steps[i] from 0
    at_place: Place | None = None
    if isinstance(spec.start_at, str):
        at_place = places[spec.start_at]
        lat, lon = berth(at_place, spec.mmsi)
    else:
        lat, lon = spec.start_at
    builder = ItineraryBuilder(float(scenario.start_s), lat, lon, seed=seed, name=spec.name)
    ais: list[tuple[float, int, float, float]] = [(float(scenario.start_s), 0, math.nan,
                                                   math.nan)]
    identities = [IdentityChange(float(scenario.start_s), {
        "mmsi": spec.mmsi, "name": spec.name, "imo": spec.imo, "callsign": spec.callsign,
        "ship_type": spec.ship_type,
        "destination": spec.destination or (at_place.name or at_place.id).upper()
        if at_place else spec.destination})]
    record: list[dict[str, Any]] = []
    last_port = at_place.id if at_place else None  # where the current voyage began
    origin_port: str | None = None
    done = 0
    while builder.t < end_s:
        if done >= len(spec.steps) and not spec.repeat:
            break
        if done >= MAX_STEPS or not spec.steps:
            break
        index = done % len(spec.steps)  # in the vessel's steps, from 0
        step = spec.steps[index]
        done += 1
        t0 = builder.t
        if step.kind == "identity":
            identities.append(IdentityChange(t0, dict(step.identity)))
            record.append(_record(spec, step, index, t0, t0, None))
            continue
        if step.kind == "hold":
            if step.until_s is not None:
                if step.until_s < t0:
                    raise InputError(f"{where}: steps[{index}]: hold until "
                                     f"{_iso(step.until_s)}, but the vessel is already at "
                                     f"{_iso(t0)}; give a later time or a duration")
                builder.hold(until=step.until_s)
            else:
                builder.hold(step.duration_s or 0.0)
        elif step.kind in ("drift", "course"):  # a straight course: slow (drift) or not
            builder.drift(step.duration_s or 0.0, step.speed_kn or 0.0, step.course_deg or 0.0)
            at_place = None
        elif step.kind == "goto":
            assert isinstance(step.to, tuple)
            if step.arrive_s is not None:
                builder.goto(step.to[0], step.to[1], arrive_at=step.arrive_s)
            else:
                builder.goto(step.to[0], step.to[1], step.speed_kn)
            at_place = None
        elif step.kind == "patrol":  # back and forth between here and a point
            assert isinstance(step.to, tuple) and step.duration_s is not None
            home = (builder.lat, builder.lon)
            until = t0 + step.duration_s
            legs = 0
            while builder.t < until and legs < MAX_STEPS:
                there = step.to if legs % 2 == 0 else home
                builder.goto(there[0], there[1], step.speed_kn)
                legs += 1
            at_place = None
        else:  # sail
            assert isinstance(step.to, str)
            dest = places[step.to]
            route = sea_route((builder.lat, builder.lon), berth(dest, spec.mmsi),
                              origin_approach=at_place.approach if at_place else (),
                              dest_approach=dest.approach)
            wet = points_on_land(route, margin_m=2000.0)
            if len(wet[0]):
                raise InputError(f"{where}: steps[{index}]: the route to {dest.id} crosses land "
                                 f"near {wet[0][0]:.3f} N {wet[1][0]:.3f} E; give the places "
                                 "approach points that lead out to open water")
            if step.arrive_s is not None:
                builder.sail(route, arrive_at=step.arrive_s)
            else:
                builder.sail(route, step.speed_kn)
            identities.append(IdentityChange(t0, {"destination": (dest.name or dest.id).upper()}))
            at_place = dest
            origin_port, last_port = last_port, dest.id
        t1 = builder.t
        _set_ais(ais, step, t0, t1, builder, route_m=(route.length_m if step.kind == "sail"
                                                      else None))
        record.append(_record(spec, step, index, t0, t1, at_place))
        if step.kind == "sail":
            record[-1]["from"] = origin_port
    if builder.t < end_s:
        builder.hold(until=float(end_s))
    itinerary = builder.build()
    _refuse_land(itinerary, record, where, float(scenario.start_s), float(end_s))
    ais.sort(key=lambda a: a[0])
    return VesselPlan(
        spec=spec, itinerary=itinerary,
        ais_t=np.array([a[0] for a in ais], dtype=np.float64),
        ais_state=np.array([a[1] for a in ais], dtype=np.uint8),
        spoof_lat=np.array([a[2] for a in ais], dtype=np.float64),
        spoof_lon=np.array([a[3] for a in ais], dtype=np.float64),
        identities=identities, steps=record)


def _refuse_land(itinerary: Itinerary, record: list[dict[str, Any]], where: str,
                 t0: float, t1: float) -> None:
    """Refuse a plan that puts the vessel on land (more than 2 km from the shore) while
    under way before the end: a course or patrol that runs ashore is a scenario error."""
    from vesselwatch.reference.land import default_land_mask

    t = np.arange(t0, min(t1, itinerary.end_s), 300.0)
    if not len(t):
        return
    kin = itinerary.at(t)
    land = default_land_mask()
    ashore = kin.moving & land.is_land(kin.lat, kin.lon) \
        & (land.distance_to_shore_m(kin.lat, kin.lon) > 2000.0)
    if ashore.any():
        i = int(np.argmax(ashore))
        n = next((s["index"] for s in record if s["start_s"] <= t[i] <= s["end_s"]), -1)
        raise InputError(f"{where}: steps[{n}] runs ashore at {kin.lat[i]:.3f} N "
                         f"{kin.lon[i]:.3f} E ({_iso(float(t[i]))}); change its course, "
                         "its duration, or the scenario's days")


def berth(place: Place, mmsi: int) -> tuple[float, float]:
    """Where a vessel lies at a place: its own spot 100-300 m from the place's point (from
    its MMSI), so two ships in one port never report one position."""
    h = (mmsi * 0x9E3779B1) & 0xFFFFFFFF
    bearing = math.radians((h & 0xFFFF) / 65536 * 360)
    dist_m = 100.0 + ((h >> 16) / 65536) * 200.0
    dlat = dist_m * math.cos(bearing) / 111_195.0
    dlon = dist_m * math.sin(bearing) / (111_195.0 * max(math.cos(math.radians(place.lat)),
                                                         1e-6))
    return place.lat + dlat, place.lon + dlon


def _set_ais(ais: list[tuple[float, int, float, float]], step: Step, t0: float, t1: float,
             builder: ItineraryBuilder, route_m: float | None) -> None:
    """Transponder intervals of one step: its state from t0, and back to on at t1 is left
    to the next step (a step without ``ais`` means on)."""
    code = AIS_CODES[step.ais]
    spoof = step.spoof_at or (math.nan, math.nan)
    if step.ais_near_nm is not None and route_m is not None and t1 > t0:
        speed_ms = route_m / (t1 - t0)
        near_s = min(step.ais_near_nm * NM_M / speed_ms, (t1 - t0) / 2) if speed_ms else 0.0
        ais.append((t0, AIS_CODES["on"], math.nan, math.nan))
        ais.append((t0 + near_s, code, *spoof))
        ais.append((t1 - near_s, AIS_CODES["on"], math.nan, math.nan))
        return
    ais.append((t0, code, *spoof))


def _record(spec: VesselSpec, step: Step, index: int, t0: float, t1: float,
            place: Place | None) -> dict[str, Any]:
    return {"mmsi": spec.mmsi, "name": spec.name, "step": step.kind, "index": index,
            "start_s": t0,
            "end_s": t1, "place": place.id if place is not None and step.kind == "sail"
            else (step.to if isinstance(step.to, str) else None),
            "ais": step.ais, "ais_near_nm": step.ais_near_nm, "label": step.label,
            "identity": step.identity or None}


# -- fleets -------------------------------------------------------------------------------

def fleet_vessels(fleet: Fleet, scenario: Scenario, *, seed: int, end_s: int
                  ) -> list[VesselSpec]:
    """The vessels of a fleet, drawn from ``seed``: each with explicit steps up to the end."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(fleet.count):
        speed = float(rng.uniform(*fleet.speed_kn))
        base = VesselSpec(mmsi=fleet.mmsi_start + i, name=f"{fleet.name_prefix} {i + 1}",
                          imo=0, callsign="", ship_type=fleet.ship_type,
                          ais_class=fleet.ais_class, length_m=fleet.length_m,
                          width_m=max(4, fleet.length_m // 6), draught_m=4.0,
                          role=fleet.kind)
        if fleet.kind == "liner":
            out.append(_liner(base, fleet, scenario, rng, speed))
        else:
            out.append(_fishing(base, fleet, scenario, rng, speed, end_s))
    return out


def _liner(base: VesselSpec, fleet: Fleet, scenario: Scenario, rng: np.random.Generator,
           speed: float) -> VesselSpec:
    k = int(rng.integers(len(fleet.places)))
    order = list(fleet.places[k:]) + list(fleet.places[:k])
    steps: list[Step] = []
    for place in order[1:] + order[:1]:
        steps.append(Step(kind="hold", duration_s=float(rng.uniform(*fleet.stay_s))))
        steps.append(Step(kind="sail", to=place, speed_kn=speed))
    return replace(base, start_at=order[0], steps=tuple(steps), repeat=True)


def _fishing(base: VesselSpec, fleet: Fleet, scenario: Scenario, rng: np.random.Generator,
             speed: float, end_s: int) -> VesselSpec:
    """Work slowly on a ground, steam to the next, again: every drift and every straight
    steam stays at sea (at least 2 km from shore), redrawn until it does."""
    from vesselwatch.reference.land import default_land_mask
    from vesselwatch.simulate.motion import destination

    assert fleet.area is not None
    lat0, lon0, lat1, lon1 = fleet.area
    land = default_land_mask()

    def at_sea(a: tuple[float, float], b: tuple[float, float], margin_m: float) -> bool:
        n = max(2, int(float(haversine_m(a[0], a[1], b[0], b[1])) // 1000) + 2)
        lat = np.linspace(a[0], b[0], n)
        lon = np.linspace(a[1], b[1], n)
        return bool(not land.is_land(lat, lon).any()
                    and (land.distance_to_shore_m(lat, lon) >= margin_m).all())

    def sea_point(here: tuple[float, float] | None) -> tuple[float, float]:
        for _ in range(1000):
            p = (float(rng.uniform(min(lat0, lat1), max(lat0, lat1))),
                 float(rng.uniform(min(lon0, lon1), max(lon0, lon1))))
            if at_sea(p, p, 5000.0) and (here is None or at_sea(here, p, 2000.0)):
                return p
        raise InputError(f"{scenario.path}: fleet {base.name}: no sea 5 km from shore in "
                         f"the area {fleet.area} that a straight steam reaches; move the "
                         "box out to sea")

    here = start = sea_point(None)
    steps: list[Step] = []
    t = float(scenario.start_s)
    while t < end_s:
        for _ in range(100):
            work = float(rng.uniform(1.0, 5.0)) * 3600
            knots = float(rng.uniform(*fleet.drift_kn))
            course = float(rng.uniform(0, 360))
            there = destination(here[0], here[1], course, knots * KN_MS * work)
            if at_sea(here, there, 2000.0):
                steps.append(Step(kind="drift", duration_s=work, speed_kn=knots,
                                  course_deg=course))
                here = there
                t += work
                break
        ground = sea_point(here)
        steps.append(Step(kind="goto", to=ground, speed_kn=speed))
        t += float(haversine_m(here[0], here[1], ground[0], ground[1])) / (speed * KN_MS)
        here = ground
    return replace(base, start_at=start, steps=tuple(steps))


def _iso(t: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
