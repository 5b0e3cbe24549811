"""Scenario files: the shipped ones read and hold what they say; bad files are refused
with the file, the entry and the fix; durations need their units."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vesselwatch.errors import InputError
from vesselwatch.model.imo import is_valid_imo
from vesselwatch.reference.land import default_land_mask
from vesselwatch.simulate.plans import fleet_vessels
from vesselwatch.simulate.scenario import load_scenario, parse_duration_s, scenario_names

SHIPPED = ("dprk-russia", "thresholds")
START_2023_09_07 = 1_694_044_800  # 2023-09-07T00:00:00Z: 19,607 days after 1970-01-01
EU_LISTED = {9179842: "ANGARA", 8517839: "MARIA", 9161003: "LADY R", 9358010: "MAIA-1"}
SHORE_MARGIN_M = 2000.0  # berths may sit on the 1' land bitmap this close to the coast


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the shipped scenarios ------------------------------------------------------------------

def test_scenario_names_lists_the_shipped_scenarios() -> None:
    names = scenario_names()
    assert names == sorted(names)
    assert set(SHIPPED) <= set(names)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_loads_by_name(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.path == f"scenario {name}"
    assert scenario.start_s == START_2023_09_07
    assert scenario.vessels and scenario.places


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_places_are_at_sea_or_within_2_km_of_the_shore(name: str) -> None:
    land = default_land_mask()
    for place in load_scenario(name).places.values():
        pts = np.array([(place.lat, place.lon), *place.approach])
        wet = ~land.is_land(pts[:, 0], pts[:, 1])
        near = land.distance_to_shore_m(pts[:, 0], pts[:, 1]) <= SHORE_MARGIN_M
        assert (wet | near).all(), (place.id, pts[~(wet | near)])
        # the approach points themselves lead out to open water: all at sea
        assert wet[1:].all(), (place.id, pts[1:][~wet[1:]])


def test_dprk_russia_hand_checked_facts() -> None:
    s = load_scenario("dprk-russia")
    assert s.days == 7 and s.end_s == START_2023_09_07 + 7 * 86400
    assert s.watchlist == "dprk-russia"
    assert set(s.places) == {"najin", "vostochny", "dunai", "vladivostok", "busan", "donghae",
                             "niigata", "transfer"}
    by_imo = {v.imo: v for v in s.vessels}
    assert {imo: by_imo[imo].name for imo in EU_LISTED} == EU_LISTED
    for imo in EU_LISTED:  # the real numbers carry correct check digits
        assert is_valid_imo(imo)
        assert "EU-listed" in by_imo[imo].real_identity
    assert {v.imo for v in s.vessels if v.real_identity} == set(EU_LISTED)
    # fleets are fictional: none of their vessels carries a real identity or an IMO
    assert [(f.kind, f.count) for f in s.fleets] == [("liner", 2), ("liner", 3), ("liner", 2),
                                                     ("fishing", 8)]
    for i, fleet in enumerate(s.fleets):
        drawn = fleet_vessels(fleet, s, seed=i, end_s=s.end_s)
        assert len(drawn) == fleet.count
        assert all(v.real_identity == "" and v.imo == 0 for v in drawn)
    # the reflagging: MAIA-1 becomes MAYA with a Sierra Leone (MID 667) MMSI
    maia = by_imo[9358010]
    (change,) = [step for step in maia.steps if step.kind == "identity"]
    assert change.identity == {"mmsi": 667001234, "name": "MAYA", "callsign": "9LY1234"}
    # MARIA broadcasts an anchorage off Busan while loading at Najin
    maria = by_imo[8517839]
    assert [step.spoof_at for step in maria.steps if step.ais == "spoof"] == [(35.02, 129.20)]
    # two satellites, 100 min apart, half a revisit out of phase
    assert [(x.revisit_s, x.pass_s, x.phase_s) for x in s.reception.satellites] == [
        (6000.0, 720.0, 0.0), (6000.0, 720.0, 3000.0)]
    assert s.reception.keep_every_s == 60.0


def test_thresholds_hand_checked_facts() -> None:
    s = load_scenario("thresholds")
    assert s.days == 1.5 and s.end_s == START_2023_09_07 + 129_600
    assert all(not v.real_identity for v in s.vessels)
    assert s.fleets == () and s.reception.satellites == ()
    imos = {v.name: v.imo for v in s.vessels if v.imo}
    assert imos == {"NAME BEFORE": 9300001, "BAD CHECK": 9179843, "NEW FLAG": 9400007}
    # the planted bad check digit is bad, the others good: 9·7+1·6+7·5+9·4+8·3+4·2 = 172
    assert [is_valid_imo(i) for i in imos.values()] == [True, False, True]
    gap_seven = next(v for v in s.vessels if v.name == "GAP SEVEN")
    assert [(step.ais, step.duration_s) for step in gap_seven.steps] == [
        ("on", 3 * 3600.0), ("off", 7 * 3600.0), ("on", 2 * 86400.0)]


# -- strictness -----------------------------------------------------------------------------

HEAD = """\
name = "tiny"
start = "2023-09-07T00:00:00Z"
days = 1

[[places]]
id = "a"
lat = 40.0
lon = 133.0

[[places]]
id = "b"
lat = 40.0
lon = 133.5
"""


def vessel(*steps: str, mmsi: int = 538000001, extra: str = "") -> str:
    body = ",\n  ".join(steps)
    return (f'\n[[vessels]]\nmmsi = {mmsi}\nname = "V{mmsi}"\nstart_at = "a"\n{extra}'
            f"steps = [\n  {body},\n]\n")


HOLD = '{ do = "hold", for = "1h" }'
LINER = '\n[[fleets]]\nkind = "liner"\ncount = 2\nmmsi_start = 440000001\nname_prefix = "L"\n'
SAT = '\n[[reception.satellites]]\nid = "S1"\nrevisit = "100min"\n'

# (case, TOML text, the entry the message names, the part of the message after it)
BAD = [
    ("unknown top-level key", 'colour = "red"\n' + HEAD,
     "top level", "unknown key 'colour'; the keys are"),
    ("unknown step key", HEAD + vessel(HOLD, '{ do = "hold", for = "1h", speed = 3 }'),
     "vessels[0].steps[1]", "unknown key 'speed'"),
    ("missing vessel name", HEAD + '[[vessels]]\nmmsi = 1\nstart_at = "a"\n',
     "vessels[0].name", "must be non-empty text"),
    ("missing scenario name", HEAD.replace('name = "tiny"\n', ""),
     "name", "must be non-empty text"),
    ("start without zone", HEAD.replace('"2023-09-07T00:00:00Z"', '"2023-09-07T00:00:00"'),
     "start", "has no time zone: end it with Z (UTC)"),
    ("start as a TOML local time", HEAD.replace('"2023-09-07T00:00:00Z"', "2023-09-07T00:00:00"),
     "start", "has no time zone: end it with Z (UTC)"),
    ("until without zone", HEAD + vessel(HOLD, '{ do = "hold", until = "2023-09-07T05:00:00" }'),
     "vessels[0].steps[1].until", "has no time zone"),
    ("hold with for and until",
     HEAD + vessel(HOLD, '{ do = "hold", for = "1h", until = "2023-09-07T05:00:00Z" }'),
     "vessels[0].steps[1]", "a hold needs exactly one of 'for' (a duration) or 'until'"),
    ("hold with neither", HEAD + vessel('{ do = "hold" }'),
     "vessels[0].steps[0]", "a hold needs exactly one of 'for'"),
    ("sail to an unknown place", HEAD + vessel(HOLD, '{ do = "sail", to = "c", speed_kn = 10 }'),
     "vessels[0].steps[1].to", "unknown place 'c'; the places are a, b"),
    ("sail to a point", HEAD + vessel(HOLD, '{ do = "sail", to = [40.1, 133.2], speed_kn = 10 }'),
     "vessels[0].steps[1].to", "sail goes to a place id; use 'goto' for a point"),
    ("sail with speed and arrive",
     HEAD + vessel('{ do = "sail", to = "b", speed_kn = 10, arrive = "2023-09-07T05:00:00Z" }'),
     "vessels[0].steps[0]", "a sail needs exactly one of 'speed_kn' or 'arrive'"),
    ("spoof without spoof_at", HEAD + vessel(HOLD, '{ do = "hold", for = "1h", ais = "spoof" }'),
     "vessels[0].steps[1]", 'ais = "spoof" and spoof_at = [lat, lon] go together'),
    ("spoof_at without spoof",
     HEAD + vessel('{ do = "hold", for = "1h", spoof_at = [39.0, 132.0] }'),
     "vessels[0].steps[0]", 'ais = "spoof" and spoof_at = [lat, lon] go together'),
    ("ais_near_nm on a hold",
     HEAD + vessel('{ do = "hold", for = "1h", ais = "off", ais_near_nm = 6 }'),
     "vessels[0].steps[0].ais_near_nm", "a hold step does not take it; it takes for, "
     "spoof_at, until"),
    ("ais_near_nm on a sail with ais on",
     HEAD + vessel('{ do = "sail", to = "b", speed_kn = 10, ais_near_nm = 6 }'),
     "vessels[0].steps[0].ais_near_nm", 'only a sail with ais = "off" takes it'),
    ("identity keys on a hold",
     HEAD + vessel(HOLD, '{ do = "hold", for = "1h", name = "NEW", callsign = "X1" }'),
     "vessels[0].steps[1].callsign", "a hold step does not take it"),
    ("a place on a hold",
     HEAD + vessel('{ do = "hold", for = "1h", to = "b" }'),
     "vessels[0].steps[0].to", "a hold step does not take it"),
    ("empty identity step", HEAD + vessel(HOLD, '{ do = "identity" }'),
     "vessels[0].steps[1]", "an identity step names at least one of"),
    ("identity to MMSI 0", HEAD + vessel(HOLD, '{ do = "identity", mmsi = 0 }'),
     "vessels[0].steps[1].mmsi", "0 is out of range: give 1 to 999999999"),
    ("identity to a text MMSI", HEAD + vessel(HOLD, '{ do = "identity", mmsi = "abc" }'),
     "vessels[0].steps[1].mmsi", "must be a whole number, got 'abc'"),
    ("identity to IMO -4", HEAD + vessel(HOLD, '{ do = "identity", imo = -4 }'),
     "vessels[0].steps[1].imo", "-4 is out of range: give 0 to 9999999"),
    ("identity to ship type 300", HEAD + vessel(HOLD, '{ do = "identity", ship_type = 300 }'),
     "vessels[0].steps[1].ship_type", "300 is out of range: give 0 to 99"),
    ("identity to an empty name", HEAD + vessel(HOLD, '{ do = "identity", name = "" }'),
     "vessels[0].steps[1].name", "must be non-empty text"),
    ("unknown step kind", HEAD + vessel('{ do = "teleport" }'),
     "vessels[0].steps[0].do", "'teleport': give one of hold, sail"),
    ("duplicate MMSI", HEAD + vessel(HOLD) + vessel(HOLD, mmsi=538000002) + vessel(HOLD),
     "vessels[2].mmsi", "MMSI 538000001 is used by two vessels"),
    ("duplicate place id", HEAD + '\n[[places]]\nid = "a"\nlat = 41.0\nlon = 134.0\n',
     "places[2].id", "'a' is defined twice"),
    ("fishing fleet without area",
     HEAD + '\n[[fleets]]\nkind = "fishing"\ncount = 3\nmmsi_start = 1\nname_prefix = "F"\n',
     "fleets[0].area", "a fishing fleet needs area = [lat0, lon0, lat1, lon1]"),
    ("liner with one place", HEAD + LINER + 'places = ["a"]\n',
     "fleets[0].places", "a liner fleet needs at least two places"),
    ("liner to an unknown place", HEAD + LINER + 'places = ["a", "z"]\n',
     "fleets[0].places", "unknown place 'z'"),
    ("fleet speeds the wrong way round", HEAD + LINER + 'places = ["a", "b"]\n'
     "speed_kn = [14, 10]\n", "fleets[0].speed_kn", "low is above high"),
    ("satellite pass longer than its revisit", HEAD + SAT + 'pass = "2h"\n',
     "reception.satellites[0].pass", "a pass lasts more than 0 and at most 'revisit'"),
    ("satellite pass of zero", HEAD + SAT + 'pass = "0s"\n',
     "reception.satellites[0].pass", "a pass lasts more than 0"),
    ("$VESSELWATCH_DATA without a data folder",
     HEAD + '\n[background]\nfile = "$VESSELWATCH_DATA/x/y.csv"\n',
     "background.file", "names $VESSELWATCH_DATA: pass the data folder"),
    ("latitude 95", HEAD.replace("lat = 40.0\nlon = 133.5", "lat = 95.0\nlon = 133.5"),
     "places[1].lat", "95.0 is out of range: give -90 to 90"),
    ("longitude -181", HEAD.replace("lon = 133.0", "lon = -181"),
     "places[0].lon", "-181 is out of range: give -180 to 180"),
    ("ten-digit MMSI", HEAD + vessel(HOLD, mmsi=1_234_567_890),
     "vessels[0].mmsi", "1234567890 is out of range: give 1 to 999999999"),
    ("eight-digit IMO", HEAD + vessel(HOLD, extra="imo = 12345678\n"),
     "vessels[0].imo", "12345678 is out of range: give 0 to 9999999"),
    ("MMSI as text", HEAD + vessel(HOLD).replace("mmsi = 538000001", 'mmsi = "538000001"'),
     "vessels[0].mmsi", "must be a whole number, got '538000001'"),
    ("speed of 45 kn", HEAD + vessel('{ do = "sail", to = "b", speed_kn = 45 }'),
     "vessels[0].steps[0].speed_kn", "45 is out of range: give 0 to 40"),
    ("course of 361", HEAD + vessel(
        '{ do = "course", for = "1h", speed_kn = 5, course_deg = 361 }'),
     "vessels[0].steps[0].course_deg", "361 is out of range: give 0 to 360"),
    ("p_loss of 1", HEAD + "\n[reception]\np_loss = 1.0\n",
     "reception.p_loss", "1.0 is out of range: give 0 to 0.99"),
    ("400 days", HEAD.replace("days = 1", "days = 400"),
     "days", "400 is out of range: give 0.0416667 to 366"),
    ("negative noise", HEAD + "\n[noise]\nposition_sigma_m = -1\n",
     "noise.position_sigma_m", "-1 is out of range: give 0 to 1000"),
    ("corrupt share above a half", HEAD + "\n[output]\ncorrupt_share = 0.6\n",
     "output.corrupt_share", "0.6 is out of range: give 0 to 0.5"),
    ("days as text", HEAD.replace("days = 1", 'days = "1"'),
     "days", "must be a number, got '1'"),
    ("duration without units", HEAD + vessel('{ do = "hold", for = "6" }'),
     "vessels[0].steps[0].for", "'6' is not a duration; write it with units"),
]


@pytest.mark.parametrize(("text", "at", "message"), [c[1:] for c in BAD],
                         ids=[c[0] for c in BAD])
def test_bad_scenario_is_refused_naming_the_file_and_the_entry(
        tmp_path: Path, text: str, at: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}: {at}: "), str(err.value)
    assert message in str(err.value)


def test_the_base_of_the_bad_cases_is_good(tmp_path: Path) -> None:
    """Each bad case differs from a good file by its mistake only."""
    s = load_scenario(write(tmp_path, HEAD + vessel(HOLD) + vessel(HOLD, mmsi=538000002)
                            + LINER + 'places = ["a", "b"]\n' + SAT + 'pass = "12min"\n'))
    assert [v.mmsi for v in s.vessels] == [538000001, 538000002]
    assert s.fleets[0].places == ("a", "b")
    assert s.reception.satellites[0].pass_s == 720.0


def test_vesselwatch_data_in_a_background_path_is_resolved(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "y.csv").write_text("MMSI,BaseDateTime,LAT,LON\n", encoding="utf-8")
    text = HEAD + '\n[background]\nfile = "$VESSELWATCH_DATA/x/y.csv"\nshift_to_start = true\n'
    s = load_scenario(write(tmp_path, text), data_dir=tmp_path)
    assert s.background is not None
    assert s.background.path == tmp_path / "x" / "y.csv"
    assert s.background.shift_to_start is True


def test_a_missing_file_lists_the_shipped_scenarios(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no such scenario file.*dprk-russia, thresholds"):
        load_scenario(tmp_path / "nope.toml")


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "x"\nname = "y"\n')
    with pytest.raises(InputError, match=f"^{re.escape(str(path))}: not valid TOML"):
        load_scenario(path)


def test_a_stay_with_one_value_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + LINER + 'places = ["a", "b"]\nstay = ["1h"]\n')
    with pytest.raises(InputError, match=r"fleets\[0\]\.stay"):
        load_scenario(path)


def test_repeat_must_be_true_or_false(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + vessel(HOLD, extra='repeat = "no"\n'))
    with pytest.raises(InputError, match=r"vessels\[0\]\.repeat"):
        load_scenario(path)


# -- durations ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "seconds"), [
    ("6h", 21_600.0), ("1h30min", 5_400.0), ("2d", 172_800.0), ("90s", 90.0),
    ("1.5h", 5_400.0), ("100min", 6_000.0), (" 1d 2h 3min 4s ", 93_784.0), ("0s", 0.0),
])
def test_parse_duration_hand_cases(text: str, seconds: float) -> None:
    assert parse_duration_s(text, "here") == seconds


UNITS = {"d": 86_400, "h": 3_600, "min": 60, "s": 1}


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 99), st.sampled_from(
    list(UNITS)), st.sampled_from(["", " "])), min_size=1, max_size=6))
def test_parse_duration_reads_back_a_written_sum(
        parts: list[tuple[int, int, str, str]]) -> None:
    text = "".join(f"{whole}.{hundredths:02d}{space}{unit}{space}"
                   for whole, hundredths, unit, space in parts)
    expected = sum((whole + hundredths / 100) * UNITS[unit]
                   for whole, hundredths, unit, _ in parts)
    assert math.isclose(parse_duration_s(text, "here"), expected, rel_tol=1e-12, abs_tol=1e-9)


@pytest.mark.parametrize("value", ["6", "h", "", "   ", "6 hours", "1h30", "5mins", "-6h",
                                   "6H", 6, 6.0, None, True, ["6h"]])
def test_parse_duration_refuses_a_duration_without_units(value: object) -> None:
    with pytest.raises(InputError) as err:
        parse_duration_s(value, "file.toml: vessels[0].steps[0].for")
    message = str(err.value)
    assert message.startswith(f"file.toml: vessels[0].steps[0].for: {value!r} is not a duration")
    assert 'write it with units, e.g. "6h", "1h30min", "2d", "90s"' in message
