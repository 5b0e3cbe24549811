"""Scenarios as data: the TOML files the simulator reads (``docs/simulate.md``).

A scenario names its places, its vessels and what each does, step by step (hold at a
berth, sail to a place, drift, switch the transponder off, take a new name), the
receivers that hear them, the noise, and the damage the output carries. Fleets of
background vessels (fishing boats, ferries, tankers) are drawn from the seed. Reading is
strict: the first problem raises :class:`~vesselwatch.errors.InputError` naming the file,
the entry and the key, and what to write instead.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from vesselwatch.errors import InputError
from vesselwatch.simulate.noise import NoiseModel
from vesselwatch.simulate.reception import SatellitePasses, Station

__all__ = [
    "BUILTIN",
    "Background",
    "Fleet",
    "OutputSpec",
    "Place",
    "ReceptionSpec",
    "Scenario",
    "Step",
    "VesselSpec",
    "load_scenario",
    "parse_duration_s",
    "scenario_names",
]

BUILTIN = "vesselwatch.simulate.scenarios"
AIS_STATES = ("on", "off", "spoof")
STEP_KINDS = ("hold", "sail", "goto", "drift", "course", "patrol", "identity")
FLEET_KINDS = ("fishing", "liner")
_STEP_KEYS = {
    "hold": {"for", "until", "spoof_at"},
    "sail": {"to", "speed_kn", "arrive", "ais_near_nm", "spoof_at"},
    "goto": {"to", "speed_kn", "arrive", "spoof_at"},
    "drift": {"for", "speed_kn", "course_deg", "spoof_at"},
    "course": {"for", "speed_kn", "course_deg", "spoof_at"},
    "patrol": {"to", "speed_kn", "for", "spoof_at"},
    "identity": {"name", "imo", "callsign", "mmsi", "ship_type"},
}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(d|h|min|s)\s*")


@dataclass(frozen=True)
class Place:
    """A point vessels sail between: a berth or anchorage, with the way out to open water."""

    id: str
    lat: float
    lon: float
    approach: tuple[tuple[float, float], ...] = ()  # (lat, lon) from the berth outwards
    name: str = ""


@dataclass(frozen=True)
class Step:
    """One thing a vessel does; ``kind`` is one of :data:`STEP_KINDS`."""

    kind: str
    duration_s: float | None = None  # hold, drift
    until_s: float | None = None  # hold: until this time (epoch seconds)
    to: str | tuple[float, float] | None = None  # sail: a place id; goto, patrol: (lat, lon)
    speed_kn: float | None = None
    arrive_s: float | None = None  # sail/goto: arrive at this time instead of a speed
    course_deg: float | None = None  # drift, course
    ais: str = "on"
    ais_near_nm: float | None = None  # sail with ais off: on within this of both ends
    spoof_at: tuple[float, float] | None = None  # ais = "spoof": the position broadcast
    identity: dict[str, Any] = field(default_factory=dict)  # identity: the new fields
    label: str = ""


@dataclass(frozen=True)
class VesselSpec:
    """One simulated vessel and its plan."""

    mmsi: int
    name: str
    imo: int = 0
    callsign: str = ""
    ship_type: int = 70
    ais_class: str = "A"
    length_m: int = 100
    width_m: int = 16
    draught_m: float = 6.0
    destination: str = ""
    start_at: str | tuple[float, float] = (0.0, 0.0)
    steps: tuple[Step, ...] = ()
    repeat: bool = False  # run the steps again and again until the end
    real_identity: str = ""  # set when the vessel carries a real ship's identity: why
    role: str = ""  # e.g. "shuttle", "ferry": reported with the truth


@dataclass(frozen=True)
class Fleet:
    """Background vessels drawn from the seed."""

    kind: str  # fishing: slow work in an area; liner: back and forth between places
    count: int
    mmsi_start: int
    name_prefix: str
    ship_type: int
    ais_class: str = "A"
    area: tuple[float, float, float, float] | None = None  # fishing: lat0, lon0, lat1, lon1
    places: tuple[str, ...] = ()  # liner: the places it shuttles between
    speed_kn: tuple[float, float] = (10.0, 14.0)  # drawn uniformly per vessel
    stay_s: tuple[float, float] = (3600.0, 6 * 3600.0)  # liner: time at each place
    drift_kn: tuple[float, float] = (0.3, 1.2)  # fishing: speed while working
    length_m: int = 60


@dataclass(frozen=True)
class ReceptionSpec:
    stations: tuple[Station, ...] = ()
    satellites: tuple[SatellitePasses, ...] = ()
    p_loss: float = 0.02  # terrestrial messages lost at random
    keep_every_s: float = 0.0  # provider downsampling: one position per vessel per this


@dataclass(frozen=True)
class OutputSpec:
    corrupt_share: float = 0.001
    duplicate_share: float = 0.005


@dataclass(frozen=True)
class Background:
    """Real positions mixed in: a CSV (MarineCadastre columns) or Parquet of positions."""

    path: Path
    shift_to_start: bool = False  # move its times so its first position is the start


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    start_s: int  # epoch seconds, UTC
    days: float
    watchlist: str | None
    places: dict[str, Place]
    vessels: tuple[VesselSpec, ...]
    fleets: tuple[Fleet, ...] = ()
    reception: ReceptionSpec = ReceptionSpec()
    noise: NoiseModel = field(default_factory=NoiseModel)
    output: OutputSpec = OutputSpec()
    background: Background | None = None
    path: str = ""

    @property
    def end_s(self) -> int:
        return self.start_s + round(self.days * 86400)


# -- reading -----------------------------------------------------------------------------

def scenario_names() -> list[str]:
    """The scenarios that ship with vesselwatch."""
    return sorted(p.name.removesuffix(".toml") for p in resources.files(BUILTIN).iterdir()
                  if p.name.endswith(".toml"))


def load_scenario(name_or_path: str | Path, *, data_dir: str | Path | None = None) -> Scenario:
    """Read a scenario: a shipped one by name (``dprk-russia``) or a TOML file.

    ``data_dir`` resolves ``$VESSELWATCH_DATA`` in a background file path.
    """
    p = Path(name_or_path)
    if p.suffix != ".toml" and str(name_or_path) in scenario_names():
        text = resources.files(BUILTIN).joinpath(f"{name_or_path}.toml").read_text("utf-8")
        where = f"scenario {name_or_path}"
    else:
        if not p.is_file():
            raise InputError(f"{p}: no such scenario file, and not a shipped scenario "
                             f"(shipped: {', '.join(scenario_names())})")
        text = p.read_text("utf-8")
        where = str(p)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: not valid TOML: {exc}") from exc
    return _Reader(where, data_dir).scenario(raw)


class _Reader:
    def __init__(self, where: str, data_dir: str | Path | None) -> None:
        self.where = where
        self.data_dir = data_dir

    def fail(self, at: str, message: str) -> InputError:
        return InputError(f"{self.where}: {at}: {message}")

    def scenario(self, raw: dict[str, Any]) -> Scenario:
        self.keys(raw, "top level", {"name", "description", "start", "days", "watchlist",
                                     "places", "vessels", "fleets", "reception", "noise",
                                     "output", "background"})
        start = self.time(raw.get("start"), "start")
        days = self.number(raw.get("days", 3), "days", low=1 / 24, high=366)
        places: dict[str, Place] = {}
        for i, item in enumerate(self.list(raw, "places")):
            place = self.place(item, f"places[{i}]")
            if place.id in places:
                raise self.fail(f"places[{i}].id", f"{place.id!r} is defined twice")
            places[place.id] = place
        vessels = tuple(self.vessel(v, f"vessels[{i}]", places, start)
                        for i, v in enumerate(self.list(raw, "vessels")))
        seen: set[int] = set()
        for i, v in enumerate(vessels):
            if v.mmsi in seen:
                raise self.fail(f"vessels[{i}].mmsi", f"MMSI {v.mmsi} is used by two vessels")
            seen.add(v.mmsi)
        fleets = tuple(self.fleet(f, f"fleets[{i}]", places)
                       for i, f in enumerate(self.list(raw, "fleets")))
        watchlist = raw.get("watchlist")
        if watchlist is not None and not isinstance(watchlist, str):
            raise self.fail("watchlist", "give the watchlist's name or path as text")
        return Scenario(
            name=self.text(raw.get("name"), "name", required=True),
            description=self.text(raw.get("description", ""), "description"),
            start_s=start, days=days, watchlist=watchlist, places=places, vessels=vessels,
            fleets=fleets, reception=self.reception(raw.get("reception", {})),
            noise=self.noise(raw.get("noise", {})), output=self.output(raw.get("output", {})),
            background=self.background(raw.get("background")), path=self.where,
        )

    # -- sections ---------------------------------------------------------------------

    def place(self, raw: Any, at: str) -> Place:
        d = self.table(raw, at, {"id", "name", "lat", "lon", "approach"})
        approach = tuple(self.point(p, f"{at}.approach[{i}]")
                         for i, p in enumerate(d.get("approach", [])))
        lat, lon = self.lat_lon(d, at)
        return Place(id=self.text(d.get("id"), f"{at}.id", required=True), lat=lat, lon=lon,
                     approach=approach, name=self.text(d.get("name", ""), f"{at}.name"))

    def vessel(self, raw: Any, at: str, places: dict[str, Place], start: int) -> VesselSpec:
        d = self.table(raw, at, {"mmsi", "imo", "name", "callsign", "ship_type", "class",
                                 "length_m", "width_m", "draught_m", "destination", "start_at",
                                 "steps", "repeat", "real_identity", "role"})
        steps = tuple(self.step(s, f"{at}.steps[{i}]", places)
                      for i, s in enumerate(d.get("steps", [])))
        return VesselSpec(
            mmsi=self.integer(d.get("mmsi"), f"{at}.mmsi", low=1, high=999_999_999),
            name=self.text(d.get("name"), f"{at}.name", required=True),
            imo=self.integer(d.get("imo", 0), f"{at}.imo", low=0, high=9_999_999),
            callsign=self.text(d.get("callsign", ""), f"{at}.callsign"),
            ship_type=self.integer(d.get("ship_type", 70), f"{at}.ship_type", low=0, high=99),
            ais_class=self.choice(d.get("class", "A"), f"{at}.class", ("A", "B")),
            length_m=self.integer(d.get("length_m", 100), f"{at}.length_m", low=1, high=500),
            width_m=self.integer(d.get("width_m", 16), f"{at}.width_m", low=1, high=80),
            draught_m=self.number(d.get("draught_m", 6.0), f"{at}.draught_m", low=0, high=25.5),
            destination=self.text(d.get("destination", ""), f"{at}.destination"),
            start_at=self.where_to(d.get("start_at"), f"{at}.start_at", places),
            steps=steps, repeat=self.boolean(d.get("repeat", False), f"{at}.repeat"),
            real_identity=self.text(d.get("real_identity", ""), f"{at}.real_identity"),
            role=self.text(d.get("role", ""), f"{at}.role"),
        )

    def step(self, raw: Any, at: str, places: dict[str, Place]) -> Step:
        d = self.table(raw, at, {"do", "for", "until", "to", "speed_kn", "arrive", "course_deg",
                                 "ais", "ais_near_nm", "spoof_at", "name", "imo", "callsign",
                                 "mmsi", "ship_type", "label"})
        kind = self.choice(d.get("do"), f"{at}.do", STEP_KINDS)
        stray = sorted(set(d) - _STEP_KEYS[kind] - {"do", "ais", "label"})
        if stray:
            raise self.fail(f"{at}.{stray[0]}", f"a {kind} step does not take it; it takes "
                                                f"{', '.join(sorted(_STEP_KEYS[kind]))}")
        ais = self.choice(d.get("ais", "on"), f"{at}.ais", AIS_STATES)
        duration = (parse_duration_s(d["for"], f"{self.where}: {at}.for")
                    if "for" in d else None)
        until = self.time(d["until"], f"{at}.until") if "until" in d else None
        arrive = self.time(d["arrive"], f"{at}.arrive") if "arrive" in d else None
        speed = (self.number(d["speed_kn"], f"{at}.speed_kn", low=0, high=40)
                 if "speed_kn" in d else None)
        to: str | tuple[float, float] | None = None
        if "to" in d:
            to = self.where_to(d["to"], f"{at}.to", places)
        if kind == "hold" and (duration is None) == (until is None):
            raise self.fail(at, "a hold needs exactly one of 'for' (a duration) or 'until'")
        if kind in ("drift", "course") and (duration is None or speed is None
                                            or "course_deg" not in d):
            raise self.fail(at, f"a {kind} needs 'for', 'speed_kn' and 'course_deg'")
        if kind == "patrol":
            if not isinstance(to, tuple) or duration is None or speed is None or speed <= 0:
                raise self.fail(at, "a patrol needs 'to' (a point [lat, lon]), 'speed_kn' "
                                    "above 0 and 'for'")
        if kind in ("sail", "goto"):
            if to is None:
                raise self.fail(at, f"a {kind} needs 'to'")
            if kind == "sail" and not isinstance(to, str):
                raise self.fail(f"{at}.to", "sail goes to a place id; use 'goto' for a point")
            if (speed is None) == (arrive is None):
                raise self.fail(at, f"a {kind} needs exactly one of 'speed_kn' or 'arrive'")
            if speed is not None and speed <= 0:
                raise self.fail(f"{at}.speed_kn", "must be above 0")
        identity: dict[str, Any] = {}
        for key, low, high in (("mmsi", 1, 999_999_999), ("imo", 0, 9_999_999),
                               ("ship_type", 0, 99)):
            if key in d:
                identity[key] = self.integer(d[key], f"{at}.{key}", low=low, high=high)
        for key in ("name", "callsign"):
            if key in d:
                identity[key] = self.text(d[key], f"{at}.{key}", required=True)
        if kind == "identity" and not identity:
            raise self.fail(at, "an identity step names at least one of name, imo, callsign, "
                                "mmsi, ship_type")
        spoof_at = self.point(d["spoof_at"], f"{at}.spoof_at") if "spoof_at" in d else None
        if (ais == "spoof") != (spoof_at is not None):
            raise self.fail(at, "ais = \"spoof\" and spoof_at = [lat, lon] go together")
        near = (self.number(d["ais_near_nm"], f"{at}.ais_near_nm", low=0, high=500)
                if "ais_near_nm" in d else None)
        if near is not None and not (kind == "sail" and ais == "off"):
            raise self.fail(f"{at}.ais_near_nm", "only a sail with ais = \"off\" takes it")
        return Step(kind=kind, duration_s=duration, until_s=until, to=to, speed_kn=speed,
                    arrive_s=arrive,
                    course_deg=(self.number(d["course_deg"], f"{at}.course_deg", low=0,
                                            high=360) if "course_deg" in d else None),
                    ais=ais, ais_near_nm=near, spoof_at=spoof_at, identity=identity,
                    label=self.text(d.get("label", ""), f"{at}.label"))

    def fleet(self, raw: Any, at: str, places: dict[str, Place]) -> Fleet:
        d = self.table(raw, at, {"kind", "count", "mmsi_start", "name_prefix", "ship_type",
                                 "class", "area", "places", "speed_kn", "stay", "drift_kn",
                                 "length_m"})
        kind = self.choice(d.get("kind"), f"{at}.kind", FLEET_KINDS)
        area = None
        if kind == "fishing":
            box = d.get("area")
            if not (isinstance(box, list) and len(box) == 4):
                raise self.fail(f"{at}.area", "a fishing fleet needs area = [lat0, lon0, lat1, "
                                              "lon1]")
            area = (*self.point(box[:2], f"{at}.area"), *self.point(box[2:], f"{at}.area"))
        raw_places = d.get("places", [])
        if not (isinstance(raw_places, list) and all(isinstance(n, str) for n in raw_places)):
            raise self.fail(f"{at}.places", "give an array of place ids, e.g. [\"a\", \"b\"]")
        names = tuple(raw_places)
        for n in names:
            if n not in places:
                raise self.fail(f"{at}.places", f"unknown place {n!r}")
        if kind == "liner" and len(names) < 2:
            raise self.fail(f"{at}.places", "a liner fleet needs at least two places")
        stay = d.get("stay", ["1h", "6h"])
        if not (isinstance(stay, list) and len(stay) == 2):
            raise self.fail(f"{at}.stay", "give [low, high] durations, e.g. [\"1h\", \"6h\"]")
        return Fleet(
            kind=kind, count=self.integer(d.get("count"), f"{at}.count", low=0, high=10_000),
            mmsi_start=self.integer(d.get("mmsi_start"), f"{at}.mmsi_start", low=1,
                                    high=999_999_999),
            name_prefix=self.text(d.get("name_prefix"), f"{at}.name_prefix", required=True),
            ship_type=self.integer(d.get("ship_type", 70), f"{at}.ship_type", low=0, high=99),
            ais_class=self.choice(d.get("class", "A"), f"{at}.class", ("A", "B")),
            area=area, places=names,
            speed_kn=self.pair(d.get("speed_kn", [10.0, 14.0]), f"{at}.speed_kn", high=40),
            stay_s=self.ordered((parse_duration_s(stay[0], f"{self.where}: {at}.stay"),
                                 parse_duration_s(stay[1], f"{self.where}: {at}.stay")),
                                f"{at}.stay"),
            drift_kn=self.pair(d.get("drift_kn", [0.3, 1.2]), f"{at}.drift_kn", high=40),
            length_m=self.integer(d.get("length_m", 60), f"{at}.length_m", low=1, high=500),
        )

    def reception(self, raw: Any) -> ReceptionSpec:
        d = self.table(raw, "reception", {"stations", "satellites", "p_loss", "keep_every"})
        stations = []
        for i, s in enumerate(d.get("stations", [])):
            at = f"reception.stations[{i}]"
            t = self.table(s, at, {"id", "lat", "lon", "range_nm"})
            lat, lon = self.lat_lon(t, at)
            stations.append(Station(self.text(t.get("id"), f"{at}.id", required=True), lat,
                                    lon, self.number(t.get("range_nm", 40.0),
                                                     f"{at}.range_nm", low=0.001, high=1000)))
        sats = []
        for i, s in enumerate(d.get("satellites", [])):
            at = f"reception.satellites[{i}]"
            t = self.table(s, at, {"id", "revisit", "pass", "phase", "p_detect"})
            revisit = parse_duration_s(t.get("revisit"), f"{self.where}: {at}.revisit")
            pass_s = parse_duration_s(t.get("pass"), f"{self.where}: {at}.pass")
            if not 0 < pass_s <= revisit:
                raise self.fail(f"{at}.pass", "a pass lasts more than 0 and at most 'revisit'")
            sats.append(SatellitePasses(
                self.text(t.get("id"), f"{at}.id", required=True), revisit, pass_s,
                parse_duration_s(t.get("phase", "0s"), f"{self.where}: {at}.phase"),
                self.number(t.get("p_detect", 0.8), f"{at}.p_detect", low=0, high=1)))
        keep = d.get("keep_every", "0s")
        return ReceptionSpec(tuple(stations), tuple(sats),
                             self.number(d.get("p_loss", 0.02), "reception.p_loss", low=0,
                                         high=0.99),
                             parse_duration_s(keep, f"{self.where}: reception.keep_every"))

    def noise(self, raw: Any) -> NoiseModel:
        d = self.table(raw, "noise", {"position_sigma_m", "sog_sigma_kn", "cog_sigma_deg",
                                      "heading_sigma_deg"})
        return NoiseModel(*(self.number(d.get(k, v), f"noise.{k}", low=0, high=1000)
                            for k, v in (("position_sigma_m", 10.0), ("sog_sigma_kn", 0.1),
                                         ("cog_sigma_deg", 1.0), ("heading_sigma_deg", 1.0))))

    def output(self, raw: Any) -> OutputSpec:
        d = self.table(raw, "output", {"corrupt_share", "duplicate_share"})
        return OutputSpec(*(self.number(d.get(k, v), f"output.{k}", low=0, high=0.5)
                            for k, v in (("corrupt_share", 0.001), ("duplicate_share", 0.005))))

    def background(self, raw: Any) -> Background | None:
        if raw is None:
            return None
        d = self.table(raw, "background", {"file", "shift_to_start"})
        text = self.text(d.get("file"), "background.file", required=True)
        if "$VESSELWATCH_DATA" in text:
            if self.data_dir is None:
                raise self.fail("background.file", "names $VESSELWATCH_DATA: pass the data "
                                                   "folder (--data or VESSELWATCH_DATA)")
            text = text.replace("$VESSELWATCH_DATA", str(self.data_dir))
        path = Path(text)
        if not path.is_file():
            raise self.fail("background.file", f"{path}: no such file")
        return Background(path, self.boolean(d.get("shift_to_start", False),
                                             "background.shift_to_start"))

    # -- values -----------------------------------------------------------------------

    def keys(self, d: dict[str, Any], at: str, allowed: set[str]) -> None:
        unknown = sorted(set(d) - allowed)
        if unknown:
            raise self.fail(at, f"unknown key {unknown[0]!r}; the keys are "
                                f"{', '.join(sorted(allowed))}")

    def table(self, raw: Any, at: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(at, "must be a table")
        self.keys(raw, at, allowed)
        return raw

    def list(self, raw: dict[str, Any], key: str) -> list[Any]:
        value = raw.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, f"must be an array of tables ([[{key}]])")
        return value

    def text(self, value: Any, at: str, *, required: bool = False) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value):
            raise self.fail(at, "must be non-empty text" if required else "must be text")
        return value

    def number(self, value: Any, at: str, *, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(at, f"must be a number, got {value!r}")
        v = float(value)
        if not (math.isfinite(v) and low <= v <= high):
            raise self.fail(at, f"{value!r} is out of range: give {low:g} to {high:g}")
        return v

    def integer(self, value: Any, at: str, *, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(at, f"must be a whole number, got {value!r}")
        if not low <= value <= high:
            raise self.fail(at, f"{value} is out of range: give {low} to {high}")
        return value

    def choice(self, value: Any, at: str, options: tuple[str, ...]) -> str:
        if value not in options:
            raise self.fail(at, f"{value!r}: give one of {', '.join(options)}")
        return str(value)

    def pair(self, value: Any, at: str, *, high: float = 1e6) -> tuple[float, float]:
        if not (isinstance(value, list) and len(value) == 2):
            raise self.fail(at, "give [low, high]")
        lo, hi = (self.number(v, at, low=0, high=high) for v in value)
        return self.ordered((lo, hi), at)

    def ordered(self, pair: tuple[float, float], at: str) -> tuple[float, float]:
        if pair[0] > pair[1]:
            raise self.fail(at, "low is above high")
        return pair

    def boolean(self, value: Any, at: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(at, f"must be true or false, got {value!r}")
        return value

    def point(self, value: Any, at: str) -> tuple[float, float]:
        if not (isinstance(value, list) and len(value) == 2):
            raise self.fail(at, "give a point as [lat, lon] (degrees)")
        return (self.number(value[0], at, low=-90, high=90),
                self.number(value[1], at, low=-180, high=180))

    def lat_lon(self, d: dict[str, Any], at: str) -> tuple[float, float]:
        return (self.number(d.get("lat"), f"{at}.lat", low=-90, high=90),
                self.number(d.get("lon"), f"{at}.lon", low=-180, high=180))

    def where_to(self, value: Any, at: str, places: dict[str, Place]
                 ) -> str | tuple[float, float]:
        if isinstance(value, str):
            if value not in places:
                raise self.fail(at, f"unknown place {value!r}; the places are "
                                    f"{', '.join(sorted(places)) or '(none)'}")
            return value
        return self.point(value, at)

    def time(self, value: Any, at: str) -> int:
        if isinstance(value, datetime):
            when = value
        elif isinstance(value, str):
            try:
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError as exc:
                raise self.fail(at, f"{value!r} is not an ISO 8601 time") from exc
        else:
            raise self.fail(at, "give a time as ISO 8601 text with Z, e.g. "
                                "\"2023-09-04T00:00:00Z\"")
        if when.tzinfo is None:
            raise self.fail(at, f"{value!r} has no time zone: end it with Z (UTC)")
        return int(when.astimezone(UTC).timestamp())


def parse_duration_s(value: Any, where: str) -> float:
    """Seconds in a duration written with units: ``"6h"``, ``"1h30min"``, ``"2d"``, ``"90s"``."""
    units = {"d": 86400.0, "h": 3600.0, "min": 60.0, "s": 1.0}
    if isinstance(value, str) and value.strip():
        pos, total, text = 0, 0.0, value.strip()
        while pos < len(text):
            m = _DURATION.match(text, pos)
            if m is None:
                break
            total += float(m.group(1)) * units[m.group(2)]
            pos = m.end()
        if pos == len(text):
            return total
    raise InputError(f"{where}: {value!r} is not a duration; write it with units, e.g. "
                     "\"6h\", \"1h30min\", \"2d\", \"90s\"")
