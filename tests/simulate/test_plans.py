"""Compiled plans: where the transponder goes dark along a route, identities over time,
repeating and held plans, and the fleets drawn from the seed."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import haversine_m
from vesselwatch.reference.land import default_land_mask
from vesselwatch.simulate.plans import (
    AIS_CODES,
    VesselPlan,
    berth,
    compile_plans,
    fleet_vessels,
)
from vesselwatch.simulate.routes import sea_route
from vesselwatch.simulate.scenario import Fleet, Place, Scenario, load_scenario

pytest.importorskip("searoute", reason="sails follow searoute's network")

NM_M = 1852.0
KN_MS = NM_M / 3600.0
HOUR = 3600.0
START = 1_694_044_800.0  # 2023-09-07T00:00:00Z
ON, OFF, SPOOF = AIS_CODES["on"], AIS_CODES["off"], AIS_CODES["spoof"]
TOL_M = 1.0  # linear interpolation between 2 km route points is off the great circle < 0.1 m
BERTH_M = 400.0  # a vessel lies 100-300 m from a place's point and swings up to 60 m

# Two places in the open Sea of Japan, 0.5 deg of longitude apart on 40 N: the sea route
# between them is the great circle (42.6 km), so distance along it is the haversine distance.
A = (40.0, 133.0)
B = (40.0, 133.5)
HEAD = f"""\
name = "tiny"
start = "2023-09-07T00:00:00Z"
days = 1

[[places]]
id = "a"
lat = {A[0]}
lon = {A[1]}

[[places]]
id = "b"
lat = {B[0]}
lon = {B[1]}
"""


def vessel(*steps: str, mmsi: int = 538000001, name: str = "TEST", extra: str = "") -> str:
    body = ",\n  ".join(steps)
    return (f'\n[[vessels]]\nmmsi = {mmsi}\nname = "{name}"\nstart_at = "a"\n{extra}'
            f"steps = [\n  {body},\n]\n")


def scenario(tmp_path: Path, text: str) -> Scenario:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def plans(s: Scenario, seed: int = 1) -> list[VesselPlan]:
    return compile_plans(s, seed=seed, end_s=s.end_s)


def state(plan: VesselPlan, t: npt.ArrayLike) -> np.ndarray:
    """The transponder state (AIS_CODES) at each time."""
    return np.asarray(plan.ais_state[plan.state_at(np.asarray(t, dtype=np.float64))])


def dist_m(lat: np.ndarray, lon: np.ndarray, point: tuple[float, float]) -> np.ndarray:
    return np.asarray(haversine_m(lat, lon, point[0], point[1]), dtype=np.float64)


# -- the transponder along a dark sail ------------------------------------------------------

def test_dark_sail_is_on_within_ais_near_nm_of_both_ends(tmp_path: Path) -> None:
    near_nm = 3.0
    s = scenario(tmp_path, HEAD + vessel(
        f'{{ do = "sail", to = "b", speed_kn = 10, ais = "off", ais_near_nm = {near_nm} }}',
        '{ do = "hold", for = "2h", ais = "spoof", spoof_at = [39.0, 132.0] }',
        '{ do = "hold", for = "1h" }'))
    (plan,) = plans(s)
    sail = plan.itinerary.pieces[0]
    assert sail.kind == "sail" and sail.start_s == START
    berth_a, berth_b = sail.start, sail.end  # the vessel's spots at a and at b
    assert float(haversine_m(*berth_a, *A)) < BERTH_M
    assert float(haversine_m(*berth_b, *B)) < BERTH_M
    t0, t1 = sail.start_s, sail.end_s
    near_m = near_nm * NM_M
    # hand-worked: 3 nm at 10 kn take 1080 s; the whole leg takes length / speed
    assert t1 - t0 == pytest.approx(float(haversine_m(*berth_a, *berth_b)) / (10 * KN_MS),
                                    abs=1.0)

    # second by second: off exactly where the vessel is more than 3 nm from both berths
    t = np.arange(t0, t1, 1.0)
    kin = plan.itinerary.at(t)
    d_a, d_b = dist_m(kin.lat, kin.lon, berth_a), dist_m(kin.lat, kin.lon, berth_b)
    clear = (np.abs(d_a - near_m) > TOL_M) & (np.abs(d_b - near_m) > TOL_M)
    expected = np.where((d_a > near_m) & (d_b > near_m), OFF, ON)
    assert (state(plan, t)[clear] == expected[clear]).all()
    assert (state(plan, t) == OFF).sum() == pytest.approx(t1 - t0 - 2 * 1080, abs=2)

    # the switches themselves, placed by distance: off 3 nm out, on 3 nm before the end
    t_off, t_on = t0 + 1080.0, t1 - 1080.0
    assert state(plan, [t0, t_off - 0.5, t_off + 0.5, t_on - 0.5, t_on + 0.5]).tolist() == [
        ON, ON, OFF, OFF, ON]
    switch = plan.itinerary.at([t_off, t_on])
    assert float(haversine_m(switch.lat[0], switch.lon[0], *berth_a)) == pytest.approx(
        near_m, abs=TOL_M)
    assert float(haversine_m(switch.lat[1], switch.lon[1], *berth_b)) == pytest.approx(
        near_m, abs=TOL_M)

    # then the next step's state: spoofing the given point for 2 h, then on again
    after = [t1, t1 + HOUR, t1 + 2 * HOUR - 1, t1 + 2 * HOUR + 1]
    assert state(plan, after).tolist() == [SPOOF, SPOOF, SPOOF, ON]
    i = plan.state_at(np.array([t1 + HOUR]))[0]
    assert (plan.spoof_lat[i], plan.spoof_lon[i]) == (39.0, 132.0)
    assert np.isnan(plan.spoof_lat[plan.ais_state != SPOOF]).all()


def test_dark_sail_on_a_real_route_switches_at_the_distance_along_it() -> None:
    """LONG DARK (thresholds.toml): Najin to Vostochnyy through both harbours' approach
    points, off 6 nm out of Najin, on 6 nm before Vostochnyy, measured along the route."""
    s = load_scenario("thresholds")
    s = replace(s, vessels=tuple(v for v in s.vessels if v.name == "LONG DARK"))
    (plan,) = plans(s)
    hold, sail = plan.itinerary.pieces[:2]
    assert hold.kind == "hold" and sail.kind == "sail"
    najin, vost = s.places["najin"], s.places["vostochny"]
    route = sea_route(sail.start, sail.end, origin_approach=najin.approach,
                      dest_approach=vost.approach)  # the route the plan sails (memoised)
    assert float(haversine_m(*sail.end, vost.lat, vost.lon)) < BERTH_M
    assert route.length_m > 260_000  # round the headlands, not the 235 km great circle
    near_m = 6 * NM_M
    t0, t1 = sail.start_s, sail.end_s
    assert t1 - t0 == pytest.approx(route.length_m / (10 * KN_MS), abs=1e-3)
    dt = near_m / (10 * KN_MS)  # 2160 s
    for t, along in ((t0 + dt, near_m), (t1 - dt, route.length_m - near_m)):
        lat = np.interp(along, route.cum_m, route.lat)
        lon = np.interp(along, route.cum_m, route.lon)
        kin = plan.itinerary.at([t])
        assert float(haversine_m(kin.lat[0], kin.lon[0], lat, lon)) < TOL_M
    assert state(plan, [t0 - 1, t0 + dt - 1, t0 + dt + 1, t1 - dt - 1, t1 - dt + 1, t1 + 1]
                 ).tolist() == [ON, ON, OFF, OFF, ON, ON]


def test_ais_near_nm_longer_than_half_the_leg_keeps_the_transponder_on(tmp_path: Path) -> None:
    s = scenario(tmp_path, HEAD + vessel(  # 2 x 12 nm is more than the 23 nm leg
        '{ do = "sail", to = "b", speed_kn = 10, ais = "off", ais_near_nm = 12 }'))
    (plan,) = plans(s)
    sail = plan.itinerary.pieces[0]
    assert (state(plan, np.arange(sail.start_s, sail.end_s, 10.0)) == ON).all()


def test_dark_sail_without_ais_near_nm_is_off_from_berth_to_berth(tmp_path: Path) -> None:
    s = scenario(tmp_path, HEAD + vessel(
        '{ do = "hold", for = "1h" }', '{ do = "sail", to = "b", speed_kn = 10, ais = "off" }'))
    (plan,) = plans(s)
    sail = plan.itinerary.pieces[1]
    assert state(plan, [START, sail.start_s - 1, sail.start_s, sail.end_s - 1, sail.end_s]
                 ).tolist() == [ON, ON, OFF, OFF, OFF]  # the last step's state runs on


def test_each_vessel_has_its_own_berth_near_the_place() -> None:
    a = Place(id="a", lat=A[0], lon=A[1])
    spots = [berth(a, mmsi) for mmsi in range(538000001, 538000021)]
    assert len(set(spots)) == len(spots)
    assert all(100 - TOL_M <= float(haversine_m(*spot, *A)) <= 300 + TOL_M for spot in spots)
    assert berth(a, 538000001) == spots[0]  # from the MMSI alone


# -- mistakes the reader cannot see -----------------------------------------------------------

def test_hold_until_in_the_past_names_the_vessel_and_the_step(tmp_path: Path) -> None:
    s = scenario(tmp_path, HEAD + vessel(
        '{ do = "hold", for = "10h" }', '{ do = "hold", until = "2023-09-07T05:00:00Z" }',
        name="LATE", mmsi=538000009))
    with pytest.raises(InputError) as err:
        plans(s)
    assert str(err.value).startswith(f"{s.path}: vessel LATE (MMSI 538000009): steps[1]: ")
    assert ("hold until 2023-09-07T05:00:00Z, but the vessel is already at "
            "2023-09-07T10:00:00Z") in str(err.value)


@pytest.mark.parametrize(("dest", "lat", "lon"), [
    ("vost", 42.75, 133.0833),  # Vostochnyy in Wrangel Bay without its way out: the join
    # from the searoute network cuts across the headland
    ("ussuriysk", 43.80, 131.95),  # inland: 52 km from the shore by the land mask
])
def test_a_route_across_land_is_refused(tmp_path: Path, dest: str, lat: float,
                                        lon: float) -> None:
    text = HEAD + f"""
[[places]]
id = "najin"
lat = 42.2333
lon = 130.3000
approach = [[42.222, 130.30], [42.18, 130.30], [42.15, 130.35]]

[[places]]
id = "{dest}"
lat = {lat}
lon = {lon}

[[vessels]]
mmsi = 538000010
name = "ASHORE"
start_at = "najin"
steps = [{{ do = "hold", for = "1h" }}, {{ do = "sail", to = "{dest}", speed_kn = 10 }}]
"""
    s = scenario(tmp_path, text)
    with pytest.raises(InputError) as err:
        plans(s)
    assert str(err.value).startswith(f"{s.path}: vessel ASHORE (MMSI 538000010): steps[1]: "
                                     f"the route to {dest} crosses land near ")
    assert "approach points" in str(err.value)


# -- identity --------------------------------------------------------------------------------

def test_identity_change_carries_the_new_fields_and_keeps_the_others(tmp_path: Path) -> None:
    s = scenario(tmp_path, HEAD + vessel(
        '{ do = "hold", for = "2h" }',
        '{ do = "identity", mmsi = 667000001, name = "AFTER" }',
        '{ do = "hold", for = "2h" }',
        '{ do = "sail", to = "b", speed_kn = 10 }',
        name="BEFORE", extra='imo = 9300001\ncallsign = "V7AB1"\nship_type = 80\n'))
    (plan,) = plans(s)
    before = {"mmsi": 538000001, "name": "BEFORE", "imo": 9300001, "callsign": "V7AB1",
              "ship_type": 80, "destination": "A"}
    assert plan.identity_table() == [
        before,
        {**before, "mmsi": 667000001, "name": "AFTER"},
        {**before, "mmsi": 667000001, "name": "AFTER", "destination": "B"},  # sailing to b
    ]
    change, sail = START + 2 * HOUR, START + 4 * HOUR
    t = np.array([START, change - 1, change, change + HOUR, sail - 1, sail + 1, s.end_s])
    assert plan.identity_at(t).tolist() == [0, 0, 1, 1, 1, 2, 2]
    table = plan.identity_table()
    assert [table[i]["mmsi"] for i in plan.identity_at(t)] == [538000001] * 2 + [667000001] * 5


def test_identity_step_takes_no_time(tmp_path: Path) -> None:
    s = scenario(tmp_path, HEAD + vessel(
        '{ do = "hold", for = "2h" }', '{ do = "identity", callsign = "NEW" }',
        '{ do = "hold", for = "2h" }'))
    (plan,) = plans(s)
    assert [(r["step"], r["start_s"] - START, r["end_s"] - START) for r in plan.steps] == [
        ("hold", 0, 2 * HOUR), ("identity", 2 * HOUR, 2 * HOUR), ("hold", 2 * HOUR, 4 * HOUR)]


# -- repeating, and holding to the end ---------------------------------------------------------

SHUTTLE = ('{ do = "hold", for = "2h" }', '{ do = "sail", to = "b", speed_kn = 10 }',
           '{ do = "hold", for = "2h" }', '{ do = "sail", to = "a", speed_kn = 10 }')
LEG_S = 42_600 / (10 * KN_MS)  # about 2.3 h: a cycle of the shuttle is about 8.6 h


def test_repeat_runs_the_steps_again_until_the_end(tmp_path: Path) -> None:
    s = scenario(tmp_path, HEAD + vessel(*SHUTTLE, extra="repeat = true\n"))
    (plan,) = plans(s)
    indices = [r["index"] for r in plan.steps]
    assert indices == [i % 4 for i in range(len(indices))]
    assert len(indices) == 12  # 24 h / 8.6 h: the 12th step (a sail) starts before the end
    assert all(r["start_s"] < s.end_s for r in plan.steps)
    assert plan.steps[-1]["end_s"] >= s.end_s
    assert plan.itinerary.end_s >= s.end_s
    # each hold is at the berth it sailed to: a, b, a, b, ...
    mids = [(r["start_s"] + r["end_s"]) / 2 for r in plan.steps if r["step"] == "hold"]
    kin = plan.itinerary.at(mids)
    berths = [A, B] * 3
    assert [float(haversine_m(la, lo, *p)) < BERTH_M
            for la, lo, p in zip(kin.lat, kin.lon, berths)] == [True] * 6


def test_a_plan_that_ends_early_is_held_to_the_end(tmp_path: Path) -> None:
    s = scenario(tmp_path, HEAD + vessel(*SHUTTLE))
    (plan,) = plans(s)
    assert [r["index"] for r in plan.steps] == [0, 1, 2, 3]
    last = plan.steps[-1]["end_s"]
    assert last == pytest.approx(START + 4 * HOUR + 2 * LEG_S, abs=60)
    it = plan.itinerary
    assert it.end_s == s.end_s
    held = it.pieces[-1]
    assert held.kind == "hold" and held.start_s == last and held.start == it.pieces[-2].end
    assert float(haversine_m(*held.start, *A)) < BERTH_M  # back at a
    kin = it.at(np.linspace(last, s.end_s, 50))
    assert (dist_m(kin.lat, kin.lon, held.start) <= 2 * 30.0 + 1e-6).all()  # swinging there
    assert (kin.sog_kn <= 0.25 + 1e-9).all()


# -- fleets ----------------------------------------------------------------------------------

def dprk_fleets(*fleets: Fleet) -> Scenario:
    """The dprk-russia places (real harbours with their approach points), these fleets only."""
    return replace(load_scenario("dprk-russia"), vessels=(), fleets=fleets)


LINER = Fleet(kind="liner", count=3, mmsi_start=440000001, name_prefix="LINER", ship_type=70,
              places=("vostochny", "dunai"), speed_kn=(12.0, 14.0), stay_s=(3600.0, 7200.0))
FISHING = Fleet(kind="fishing", count=8, mmsi_start=273350001, name_prefix="PRIMORYE",
                ship_type=30, area=(41.8, 131.2, 42.5, 132.8), drift_kn=(0.3, 1.2),
                speed_kn=(7.0, 9.0))


@pytest.mark.parametrize("fleet", [LINER, FISHING], ids=["liner", "fishing"])
def test_same_seed_same_fleet_other_seed_other_fleet(fleet: Fleet) -> None:
    s = dprk_fleets(fleet)
    one = fleet_vessels(fleet, s, seed=3, end_s=s.end_s)
    again = fleet_vessels(fleet, s, seed=3, end_s=s.end_s)
    other = fleet_vessels(fleet, s, seed=4, end_s=s.end_s)
    assert one == again
    assert [v.mmsi for v in one] == [v.mmsi for v in other] == list(
        range(fleet.mmsi_start, fleet.mmsi_start + fleet.count))
    assert [v.name for v in one] == [f"{fleet.name_prefix} {i}" for i in range(1, fleet.count + 1)]
    assert all(a.steps != b.steps for a, b in zip(one, other))


def test_compiled_fleet_is_the_same_for_the_same_seed() -> None:
    s = dprk_fleets(LINER)
    first, second, third = plans(s, seed=7), plans(s, seed=7), plans(s, seed=8)
    t = np.linspace(s.start_s, s.end_s, 500)
    for a, b, c in zip(first, second, third):
        assert a.spec == b.spec
        assert np.array_equal(a.itinerary.at(t).lat, b.itinerary.at(t).lat)
        assert not np.array_equal(a.itinerary.at(t).lat, c.itinerary.at(t).lat)


def test_fishing_boats_start_at_sea_in_their_box_5_km_from_shore() -> None:
    s = dprk_fleets(FISHING)
    lat0, lon0, lat1, lon1 = FISHING.area  # type: ignore[misc]
    land = default_land_mask()
    for seed in (1, 2):
        boats = fleet_vessels(FISHING, s, seed=seed, end_s=s.end_s)
        grounds = [b.start_at for b in boats] + [
            step.to for b in boats for step in b.steps if step.kind == "goto"]
        pts = np.array(grounds, dtype=np.float64)
        assert ((pts[:, 0] >= lat0) & (pts[:, 0] <= lat1)).all()
        assert ((pts[:, 1] >= lon0) & (pts[:, 1] <= lon1)).all()
        assert not land.is_land(pts[:, 0], pts[:, 1]).any()
        assert (land.distance_to_shore_m(pts[:, 0], pts[:, 1]) >= 5000).all()
        for b in boats:  # work (a slow drift) and steam to the next ground, in turn
            assert [step.kind for step in b.steps] == ["drift", "goto"] * (len(b.steps) // 2)
            drifts = [step.speed_kn or 0.0 for step in b.steps if step.kind == "drift"]
            assert all(FISHING.drift_kn[0] <= v <= FISHING.drift_kn[1] for v in drifts)
            assert b.role == "fishing" and b.ship_type == 30


def test_liner_vessels_alternate_between_their_places() -> None:
    s = dprk_fleets(LINER)
    berths = {p: (s.places[p].lat, s.places[p].lon) for p in LINER.places}
    for plan in plans(s, seed=2):
        spec = plan.spec
        assert spec.repeat and spec.role == "liner" and spec.start_at in LINER.places
        kinds = [step.kind for step in spec.steps]
        assert kinds == ["hold", "sail"] * 2
        stays = [step.duration_s or 0.0 for step in spec.steps if step.kind == "hold"]
        assert all(3600.0 <= stay <= 7200.0 for stay in stays)
        # the compiled voyage: from its first place to the other and back, again and again
        sails = [r["place"] for r in plan.steps if r["step"] == "sail"]
        other = next(p for p in LINER.places if p != spec.start_at)
        assert sails == [other, spec.start_at] * (len(sails) // 2) + [other] * (len(sails) % 2)
        assert len(sails) >= 4
        holds = [r for r in plan.steps if r["step"] == "hold"]
        at = [spec.start_at] + sails
        kin = plan.itinerary.at([(r["start_s"] + r["end_s"]) / 2 for r in holds])
        for lat, lon, place in zip(kin.lat, kin.lon, at):
            assert float(haversine_m(lat, lon, *berths[place])) < BERTH_M


def test_an_mmsi_used_by_a_vessel_and_a_fleet_is_refused(tmp_path: Path) -> None:
    text = HEAD + vessel('{ do = "hold", for = "1h" }', mmsi=440000002, name="CLASH") + """
[[fleets]]
kind = "liner"
count = 3
mmsi_start = 440000001
name_prefix = "LINER"
places = ["a", "b"]
"""
    s = scenario(tmp_path, text)
    with pytest.raises(InputError, match=re.escape(
            f"{s.path}: MMSI 440000002 is used by CLASH and LINER 2; give the fleets MMSI "
            "ranges that do not overlap")):
        plans(s)


def test_fishing_boats_in_a_box_along_the_coast_stay_at_sea() -> None:
    coastal = replace(FISHING, count=4, area=(42.5, 131.3, 43.2, 133.2))  # Peter the Great Gulf
    s = dprk_fleets(coastal)
    land = default_land_mask()
    for plan in plans(s, seed=0):
        it = plan.itinerary
        kin = it.at(np.arange(it.start_s, it.end_s, 300.0))
        ashore = land.is_land(kin.lat, kin.lon) & (land.distance_to_shore_m(kin.lat, kin.lon)
                                                   > 2000)
        assert not ashore.any()
