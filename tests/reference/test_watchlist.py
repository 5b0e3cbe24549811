"""Watchlists: the packaged dprk-russia file, resolution against the WPI, and bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import haversine_m
from vesselwatch.reference.ports import PortIndex, load_wpi
from vesselwatch.reference.watchlist import (
    Watchlist,
    load_watchlist,
    packaged_watchlists,
)

# (locode, WPI number) of every port the brief asks for; Dunai is not in the WPI
WPI_PORTS = {
    "Najin": ("KP RJN", "60510"),
    "Ch'ongjin": ("KP CHO", "60500"),
    "Nampo": ("KP NAM", "60280"),
    "Wonsan": ("KP WON", "60440"),
    "Hungnam": ("KP HGM", "60450"),
    "Kyomip'o": ("KP SGN", "60290"),
    "Kimch'aek": ("KP SON", "60480"),
    "Haeju Hang": ("KP HAE", "60310"),
    "Vostochnyy": ("RU VYP", "60725"),
    "Nakhodka": ("RU NJK", "60730"),
    "Vladivostok": ("RU VVO", "60610"),
    "Slavyanka": ("RU SKA", "62535"),
    "Zarubino": ("RU ZAR", "60582"),
    "Pos'yet": ("RU PSE", "60540"),
}


@pytest.fixture(scope="module")
def wpi() -> PortIndex:
    return load_wpi()


@pytest.fixture(scope="module")
def dprk() -> Watchlist:
    return load_watchlist("dprk-russia")


def test_packaged_watchlist_loads(dprk: Watchlist) -> None:
    assert "dprk-russia" in packaged_watchlists()
    assert dprk.name == "dprk-russia" and dprk.description
    assert {c.iso2: c.mids for c in dprk.countries} == {"KP": (445,), "RU": (273,)}
    assert dprk.mids == frozenset({445, 273})
    kp = next(c for c in dprk.countries if c.iso2 == "KP")
    for resolution in ("1718", "2270", "2321", "2371", "2375", "2397"):
        assert resolution in kp.reason and any(resolution in s for s in kp.sources)
    entries = [*dprk.countries, *dprk.ports, *dprk.zones]
    assert all(e.reason and e.sources and all(s.strip() for s in e.sources) for e in entries)
    assert all(v["reason"] and v["source"] for v in dprk.vessels)
    assert {v["imo"] for v in dprk.vessels} == {9179842, 8517839, 9161003, 9358010}


def test_every_brief_port_is_watched_with_sources(dprk: Watchlist, wpi: PortIndex) -> None:
    watched = dprk.port_index(wpi)
    assert watched.watched.all()
    for name, (locode, number) in WPI_PORTS.items():
        rows = watched.by_locode(locode)
        assert len(rows) == 1, name
        i = rows[0]
        assert (watched.name[i], watched.wpi_number[i]) == (name, number)
        assert watched.source[i].startswith("watchlist dprk-russia: ")
    assert len(watched) == len(WPI_PORTS) + 1  # + Dunai


def test_najin_and_vostochnyy_radii(dprk: Watchlist, wpi: PortIndex) -> None:
    watched = dprk.port_index(wpi)
    najin, vyp = watched.by_id("KPRJN"), watched.by_id("RUVYP")
    assert najin is not None and vyp is not None
    assert (watched.lat[najin], watched.lon[najin]) == pytest.approx((42.2333, 130.3), abs=1e-4)
    assert (watched.entry_radius_m[najin], watched.exit_radius_m[najin]) == (3000.0, 4000.0)
    assert (watched.entry_radius_m[vyp], watched.exit_radius_m[vyp]) == (5000.0, 6000.0)


def test_dunai_is_explicit_with_uncertainty(dprk: Watchlist, wpi: PortIndex) -> None:
    dunai = next(p for p in dprk.ports if p.name == "Dunai")
    assert dunai.explicit and dunai.uncertainty_m is not None and dunai.uncertainty_m >= 3000
    assert not wpi.by_name("Dunai") and not wpi.by_name("Dunay")
    assert any("RUSI" in s for s in dunai.sources)
    assert any("13 October 2023" in s for s in dunai.sources)
    assert "APPROXIMATE" in dunai.reason
    watched = dprk.port_index(wpi)
    i = watched.by_id("WL-DUNAI")
    assert i is not None
    assert watched.entry_radius_m[i] >= dunai.uncertainty_m
    assert watched.exit_radius_m[i] > watched.entry_radius_m[i]
    # about 9 km south of Fokino (42.967 N, 132.400 E) is inside the entry circle
    fokino_south = (42.967 - 9000 / 111_195, 132.400)
    assert haversine_m(watched.lat[i], watched.lon[i], *fokino_south) < watched.entry_radius_m[i]


def test_merged_ports_override_wpi(dprk: Watchlist, wpi: PortIndex) -> None:
    merged = dprk.merged_ports(wpi)
    assert len(merged) == len(wpi) + 1
    assert int(merged.watched.sum()) == len(WPI_PORTS) + 1
    vyp = merged.by_id("RUVYP")
    assert vyp is not None and merged.watched[vyp] and merged.entry_radius_m[vyp] == 5000.0
    idx, _ = merged.nearest(np.array([42.8803]), np.array([132.3375]))
    assert merged.port_id[idx[0]] == "WL-DUNAI"


def test_load_by_path_equals_by_name(dprk: Watchlist) -> None:
    path = (Path(__file__).resolve().parents[2] / "src" / "vesselwatch" / "reference"
            / "watchlists" / "dprk-russia.toml")
    by_path = load_watchlist(path)
    assert by_path.ports == dprk.ports and by_path.countries == dprk.countries


# --- broken files ----------------------------------------------------------------------------

GOOD_HEAD = '''name = "t"
description = "test"
[[countries]]
iso2 = "KP"
name = "DPRK"
mids = [445]
reason = "r"
source = "s"
'''
NAJIN = '[[ports]]\nname = "Najin"\nlocode = "KP RJN"\nreason = "r"\nsource = "s"\n'


def _write(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "broken.toml"
    f.write_text(GOOD_HEAD + body)
    return f


@pytest.mark.parametrize(("body", "needle"), [
    # a port placed by hand without its uncertainty: the brief's example
    (NAJIN * 2 + '[[ports]]\nname = "Dunai"\nlat = 42.88\nlon = 132.34\nreason = "r"\n'
     'source = "s"\n', "ports[3] \"Dunai\": field 'uncertainty_m'"),
    ('[[ports]]\nname = "Dunai"\nlat = 42.88\nlon = 132.34\nuncertainty_m = 5000\n'
     'reason = "r"\n', "ports[1] \"Dunai\": field 'source'"),
    (NAJIN + '[[ports]]\nname = "X"\nlocode = "KP RJN"\nsource = "s"\n',
     "ports[2] \"X\": field 'reason'"),
    ('[[ports]]\nname = "X"\nlat = 95\nlon = 1\nuncertainty_m = 1\nreason = "r"\nsource = "s"\n',
     "ports[1] \"X\": field 'lat'"),
    ('[[ports]]\nname = "X"\nlocode = "KP"\nreason = "r"\nsource = "s"\n',
     "ports[1] \"X\": field 'locode'"),
    ('[[ports]]\nname = "X"\nlocode = "KP RJN"\nentry_radius = 9\nreason = "r"\nsource = "s"\n',
     "ports[1] \"X\": field 'entry_radius'"),
    ('[[ports]]\nname = "X"\nlocode = "KP RJN"\nentry_radius_m = 5000\nexit_radius_m = 4000\n'
     'reason = "r"\nsource = "s"\n', "ports[1] \"X\": field 'exit_radius_m'"),
    ('[[zones]]\nname = "Z"\npolygon = [[1, 2], [3, 4]]\nreason = "r"\nsource = "s"\n',
     "zones[1] \"Z\": field 'polygon'"),
    ('[[zones]]\nname = "Z"\nlat = 1\nlon = 2\nreason = "r"\nsource = "s"\n',
     "zones[1] \"Z\": field 'radius_m'"),
    ('[[vessels]]\nname = "Angara"\nimo = 9179842\nreason = "r"\n',
     "vessels[1] \"Angara\": field 'source'"),
    ('[[countries]]\niso2 = "RU"\nname = "Russia"\nmids = [445]\nreason = "r"\nsource = "s"\n',
     "countries[2] \"Russia\": field 'mids'"),
    ('[[ports]]\nname = "X"\nlocode = "KP RJN"\nreason = "r"\nsource = []\n',
     "ports[1] \"X\": field 'source'"),
    ('name = "again"\n', "not valid TOML"),
])
def test_broken_watchlist_names_file_entry_and_field(tmp_path: Path, body: str,
                                                     needle: str) -> None:
    f = _write(tmp_path, body)
    with pytest.raises(InputError) as err:
        load_watchlist(f)
    assert str(f) in str(err.value)
    assert needle in str(err.value)


@pytest.mark.parametrize(("body", "needle"), [
    ('[[ports]]\nname = "Nowhere"\nlocode = "ZZ ZZZ"\nreason = "r"\nsource = "s"\n',
     "ports[1] \"Nowhere\": field 'locode'"),
    ('[[ports]]\nname = "Sey"\nlocode = "IS SEY"\nreason = "r"\nsource = "s"\n',
     "matches 2 WPI ports"),
    ('[[ports]]\nname = "Mix"\nlocode = "KP RJN"\nwpi = 60500\nreason = "r"\nsource = "s"\n',
     "ports[1] \"Mix\": field 'wpi'"),
    (NAJIN + '[[ports]]\nname = "Again"\nwpi = 60510\nreason = "r"\nsource = "s"\n',
     "ports[2] \"Again\": field 'port_id'"),
    ('[[ports]]\nname = "Shrunk"\nlocode = "KP RJN"\nexit_radius_m = 2000\nreason = "r"\n'
     'source = "s"\n', "ports[1] \"Shrunk\": field 'exit_radius_m'"),
])
def test_unresolvable_ports_name_file_entry_and_field(tmp_path: Path, wpi: PortIndex,
                                                      body: str, needle: str) -> None:
    f = _write(tmp_path, body)
    wl = load_watchlist(f)
    with pytest.raises(InputError) as err:
        wl.port_index(wpi)
    assert str(f) in str(err.value) and needle in str(err.value)


def test_zones_and_overrides(tmp_path: Path, wpi: PortIndex) -> None:
    f = _write(tmp_path, NAJIN.replace('reason', 'exit_radius_m = 9000\nreason') +
               '[[zones]]\nname = "C"\nlat = 42\nlon = 131\nradius_m = 5000\nreason = "r"\n'
               'source = ["a", "b"]\n'
               '[[zones]]\nname = "P"\npolygon = [[130, 42], [131, 42], [131, 43]]\n'
               'reason = "r"\nsource = "s"\n')
    wl = load_watchlist(f)
    assert [z.name for z in wl.zones] == ["C", "P"]
    assert wl.zones[0].sources == ("a", "b") and wl.zones[1].polygon[2] == (131.0, 43.0)
    ports = wl.port_index(wpi)
    assert (ports.entry_radius_m[0], ports.exit_radius_m[0]) == (3000.0, 9000.0)


def test_unknown_packaged_name() -> None:
    with pytest.raises(InputError, match="no such packaged watchlist"):
        load_watchlist("no-such-list")


def test_a_misspelt_vessel_field_is_refused_with_its_place() -> None:
    from vesselwatch.reference.watchlist import parse_watchlist

    text = ('name = "x"\ndescription = "d"\n[[vessels]]\nname = "A"\nimoo = 9179842\n'
            'reason = "r"\nsource = ["s"]\n')
    with pytest.raises(InputError, match=r"w\.toml: vessels\[1\] \"A\": field 'imoo' is not known"):
        parse_watchlist(text, "w.toml")
