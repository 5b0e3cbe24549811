"""Watchlists: flags, ports, zones and vessels to watch, each with a reason and a source.

A watchlist is a TOML file (format in ``docs/reference.md``). ``load_watchlist`` checks
every entry and raises ``InputError`` naming the file, the entry (``ports[3] "Dunai"``,
counted from 1 in file order) and the field. ``Watchlist.port_index`` resolves the ports
against the World Port Index and gives them their radii and ``watched=True``.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from vesselwatch.errors import InputError
from vesselwatch.model.mid import MID_COUNTRY
from vesselwatch.reference.ports import (
    DEFAULT_ENTRY_RADIUS_M,
    EXIT_MARGIN_M,
    Port,
    PortIndex,
    normalise_locode,
    resolve_radii,
    search_key,
)

__all__ = [
    "WatchCountry",
    "WatchPort",
    "WatchZone",
    "Watchlist",
    "load_watchlist",
    "packaged_watchlists",
]

_TOP_KEYS: Final = {"name", "description", "countries", "ports", "zones", "vessels"}
_COUNTRY_KEYS: Final = {"iso2", "name", "mids", "reason", "source"}
_PORT_KEYS: Final = {"name", "locode", "wpi", "port_id", "lat", "lon", "uncertainty_m",
                     "entry_radius_m", "exit_radius_m", "reason", "source"}
_ZONE_KEYS: Final = {"name", "lat", "lon", "radius_m", "polygon", "reason", "source"}


@dataclass(frozen=True)
class WatchCountry:
    """A flag to watch: vessels whose MMSI starts with one of ``mids``."""

    iso2: str
    name: str
    mids: tuple[int, ...]
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class WatchPort:
    """A port to watch: a WPI reference (``locode`` or ``wpi``) or an explicit position."""

    name: str
    reason: str
    sources: tuple[str, ...]
    locode: str = ""
    wpi: float | None = None
    port_id: str = ""
    lat: float | None = None
    lon: float | None = None
    uncertainty_m: float | None = None
    entry_radius_m: float | None = None
    exit_radius_m: float | None = None

    @property
    def explicit(self) -> bool:
        """True when the port is placed by ``lat``/``lon`` rather than found in the WPI."""
        return self.lat is not None


@dataclass(frozen=True)
class WatchZone:
    """A zone to watch: a circle (lat, lon, radius_m) or a polygon of (lon, lat) vertices."""

    name: str
    reason: str
    sources: tuple[str, ...]
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    polygon: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Watchlist:
    """A loaded, checked watchlist."""

    name: str
    description: str
    path: str
    countries: tuple[WatchCountry, ...]
    ports: tuple[WatchPort, ...]
    zones: tuple[WatchZone, ...]
    vessels: tuple[Mapping[str, Any], ...]  # raw records; a later issue gives them a schema

    @property
    def mids(self) -> frozenset[int]:
        """Every MID of every watched flag."""
        return frozenset(m for c in self.countries for m in c.mids)

    def port_index(self, wpi: PortIndex) -> PortIndex:
        """The watched ports: WPI ports resolved, explicit ones added, radii set, watched."""
        out: list[Port] = []
        seen: dict[str, str] = {}
        for i, wp in enumerate(self.ports, start=1):
            where = f'ports[{i}] "{wp.name}"'
            port = self._explicit(wp) if wp.explicit else self._resolve(wp, wpi, where)
            if port.port_id in seen:
                raise InputError(f"{self.path}: {where}: field 'port_id': port "
                                 f"{port.port_id} is already listed as {seen[port.port_id]}; "
                                 "list each port once")
            seen[port.port_id] = where
            entry, exit_ = resolve_radii(wp.entry_radius_m, wp.exit_radius_m, self.path,
                                         where, (port.entry_radius_m, port.exit_radius_m))
            out.append(dataclasses.replace(
                port, entry_radius_m=entry, exit_radius_m=exit_, watched=True,
                source=f"watchlist {self.name}: " + "; ".join(wp.sources)))
        return PortIndex.from_ports(out)

    def merged_ports(self, wpi: PortIndex) -> PortIndex:
        """The WPI plus the watched ports; a watched port replaces the WPI port of its id."""
        return wpi.merge_override(self.port_index(wpi))

    def _resolve(self, wp: WatchPort, wpi: PortIndex, where: str) -> Port:
        by_locode = wpi.by_locode(wp.locode) if wp.locode else None
        by_number = wpi.by_wpi(wp.wpi) if wp.wpi is not None else None
        for fieldname, rows, value in (("locode", by_locode, wp.locode),
                                       ("wpi", by_number, wp.wpi)):
            if rows is None:
                continue
            if not rows:
                raise InputError(f"{self.path}: {where}: field {fieldname!r}: {value!r} is "
                                 "not in the World Port Index; give lat/lon/uncertainty_m "
                                 "instead")
            if len(rows) > 1:
                ids = [wpi.port_id[r] for r in rows]
                raise InputError(f"{self.path}: {where}: field {fieldname!r}: {value!r} "
                                 f"matches {len(rows)} WPI ports {ids}; use the other key")
        if by_locode and by_number and set(by_locode) != set(by_number):
            raise InputError(f"{self.path}: {where}: field 'wpi': {wp.wpi!r} is another port "
                             f"than locode {wp.locode!r}; fix one of them")
        rows = by_locode or by_number
        assert rows
        return wpi.port(rows[0])

    def _explicit(self, wp: WatchPort) -> Port:
        assert wp.lat is not None and wp.lon is not None
        entry = max(DEFAULT_ENTRY_RADIUS_M, wp.uncertainty_m or 0.0)
        port_id = wp.port_id or wp.locode.replace(" ", "") or "WL-" + search_key(wp.name).upper()
        return Port(port_id=port_id, name=wp.name, lat=wp.lat, lon=wp.lon,
                    entry_radius_m=entry, exit_radius_m=entry + EXIT_MARGIN_M,
                    locode=wp.locode)


def packaged_watchlists() -> list[str]:
    """Names of the watchlists shipped with vesselwatch (``dprk-russia``, ...)."""
    folder = resources.files("vesselwatch.reference").joinpath("watchlists")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_watchlist(path_or_name: str | Path) -> Watchlist:
    """Load and check a watchlist file, or a packaged one by bare name (``"dprk-russia"``)."""
    text_name = str(path_or_name)
    is_name = (isinstance(path_or_name, str) and "/" not in text_name and "\\" not in text_name
               and not text_name.endswith(".toml") and not Path(text_name).exists())
    if is_name:
        if text_name not in packaged_watchlists():
            raise InputError(f"{text_name!r}: no such packaged watchlist (have "
                             f"{packaged_watchlists()}); give a path to a .toml file")
        ref = resources.files("vesselwatch.reference").joinpath("watchlists", text_name + ".toml")
        return parse_watchlist(ref.read_text(encoding="utf-8"), f"watchlists/{text_name}.toml")
    where = Path(path_or_name)
    try:
        text = where.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: cannot read the watchlist ({exc}); check the path") from exc
    return parse_watchlist(text, str(where))


def parse_watchlist(text: str, path: str) -> Watchlist:
    """A watchlist from TOML text; ``path`` names it in error messages."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc}); fix the syntax") from exc
    _no_unknown(doc, _TOP_KEYS, path, "top level")
    name = _text(doc, "name", path, "top level")
    description = _text(doc, "description", path, "top level", required=False)
    return Watchlist(
        name=name, description=description, path=path,
        countries=tuple(_country(e, path, w) for w, e in _entries(doc, "countries", path)),
        ports=tuple(_port(e, path, w) for w, e in _entries(doc, "ports", path)),
        zones=tuple(_zone(e, path, w) for w, e in _entries(doc, "zones", path)),
        vessels=tuple(_vessel(e, path, w) for w, e in _entries(doc, "vessels", path)),
    )


def _entries(doc: Mapping[str, Any], key: str, path: str) -> list[tuple[str, dict[str, Any]]]:
    items = doc.get(key, [])
    if not isinstance(items, list):
        raise InputError(f"{path}: top level: field {key!r} must be an array of tables "
                         f"([[{key}]])")
    out = []
    for i, item in enumerate(items, start=1):
        label = item.get("name") if isinstance(item, dict) else None
        where = f'{key}[{i}] "{label}"' if isinstance(label, str) else f"{key}[{i}]"
        if not isinstance(item, dict):
            raise InputError(f"{path}: {where}: must be a table ([[{key}]])")
        out.append((where, item))
    return out


def _no_unknown(entry: Mapping[str, Any], allowed: set[str], path: str, where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise InputError(f"{path}: {where}: field {unknown[0]!r} is not known; allowed "
                         f"fields are {sorted(allowed)}")


def _text(entry: Mapping[str, Any], key: str, path: str, where: str,
          required: bool = True) -> str:
    value = entry.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        what = "is missing" if value is None else f"must be non-empty text, got {value!r}"
        raise InputError(f"{path}: {where}: field {key!r} {what}; add it")
    return value.strip()


def _sources(entry: Mapping[str, Any], path: str, where: str) -> tuple[str, ...]:
    value = entry.get("source")
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(
            isinstance(s, str) and s.strip() for s in items):
        raise InputError(f"{path}: {where}: field 'source' must be a citation or a list of "
                         f"citations, got {value!r}; every entry needs a public source")
    return tuple(s.strip() for s in items)


def _num(entry: Mapping[str, Any], key: str, path: str, where: str,
         lo: float = -math.inf, hi: float = math.inf, positive: bool = False) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    ok = isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value) and lo <= value <= hi and (value > 0 or not positive)
    if not ok:
        rule = "a positive number" if positive else f"a number from {lo:g} to {hi:g}"
        raise InputError(f"{path}: {where}: field {key!r} must be {rule}, got {value!r}")
    return float(value)


def _country(e: dict[str, Any], path: str, where: str) -> WatchCountry:
    _no_unknown(e, _COUNTRY_KEYS, path, where)
    iso2 = _text(e, "iso2", path, where).upper()
    mids = e.get("mids")
    if not isinstance(mids, list) or not mids or not all(
            isinstance(m, int) and not isinstance(m, bool) for m in mids):
        raise InputError(f"{path}: {where}: field 'mids' must be a list of ITU maritime "
                         f"identification digits such as [445], got {mids!r}")
    for m in mids:
        if MID_COUNTRY.get(m, ("",))[0] != iso2:
            owner = MID_COUNTRY.get(m)
            raise InputError(f"{path}: {where}: field 'mids': {m} is not an ITU MID of {iso2} "
                             f"(ITU table: {owner[0] if owner else 'unallocated'}); fix it")
    return WatchCountry(iso2=iso2, name=_text(e, "name", path, where), mids=tuple(mids),
                        reason=_text(e, "reason", path, where),
                        sources=_sources(e, path, where))


def _port(e: dict[str, Any], path: str, where: str) -> WatchPort:
    _no_unknown(e, _PORT_KEYS, path, where)
    name, reason = _text(e, "name", path, where), _text(e, "reason", path, where)
    sources = _sources(e, path, where)
    locode = ""
    if "locode" in e:
        locode = normalise_locode(str(e["locode"]))
        if not isinstance(e["locode"], str) or not locode:
            raise InputError(f"{path}: {where}: field 'locode' must be a UN/LOCODE such as "
                             f'"KP RJN", got {e["locode"]!r}')
    wpi = _num(e, "wpi", path, where, positive=True)
    lat = _num(e, "lat", path, where, -90.0, 90.0)
    lon = _num(e, "lon", path, where, -180.0, 180.0)
    unc = _num(e, "uncertainty_m", path, where, 0.0)
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        raise InputError(f"{path}: {where}: field {missing!r} is missing; give lat and lon "
                         "together")
    if lat is None and not locode and wpi is None:
        raise InputError(f"{path}: {where}: field 'locode' is missing; give locode or wpi "
                         "to use the World Port Index, or lat/lon/uncertainty_m")
    if lat is not None:
        if wpi is not None:
            raise InputError(f"{path}: {where}: field 'wpi' cannot go with lat/lon; use one")
        if unc is None:
            raise InputError(f"{path}: {where}: field 'uncertainty_m' is missing; a port "
                             "placed by lat/lon must say how far off it may be (metres)")
    elif unc is not None or "port_id" in e:
        bad = "uncertainty_m" if unc is not None else "port_id"
        raise InputError(f"{path}: {where}: field {bad!r} only goes with lat/lon")
    entry = _num(e, "entry_radius_m", path, where, positive=True)
    exit_ = _num(e, "exit_radius_m", path, where, positive=True)
    if entry is not None:  # exit alone is checked against the WPI radii in port_index
        resolve_radii(entry, exit_, path, where)
    port_id = _text(e, "port_id", path, where) if "port_id" in e else ""
    return WatchPort(name=name, reason=reason, sources=sources, locode=locode, wpi=wpi,
                     port_id=port_id, lat=lat, lon=lon, uncertainty_m=unc,
                     entry_radius_m=entry, exit_radius_m=exit_)


def _zone(e: dict[str, Any], path: str, where: str) -> WatchZone:
    _no_unknown(e, _ZONE_KEYS, path, where)
    name, reason = _text(e, "name", path, where), _text(e, "reason", path, where)
    sources = _sources(e, path, where)
    lat = _num(e, "lat", path, where, -90.0, 90.0)
    lon = _num(e, "lon", path, where, -180.0, 180.0)
    radius = _num(e, "radius_m", path, where, positive=True)
    circle = lat is not None and lon is not None and radius is not None
    poly = e.get("polygon")
    if poly is None:
        if not circle:
            raise InputError(f"{path}: {where}: field 'radius_m' or 'polygon' is missing; a "
                             "zone is a circle (lat, lon, radius_m) or a polygon")
        return WatchZone(name, reason, sources, lat, lon, radius)
    if lat is not None or lon is not None or radius is not None:
        raise InputError(f"{path}: {where}: field 'polygon' cannot go with lat/lon/radius_m")
    ok = isinstance(poly, list) and len(poly) >= 3 and all(
        isinstance(p, list) and len(p) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p)
        and -180 <= p[0] <= 180 and -90 <= p[1] <= 90 for p in poly)
    if not ok:
        raise InputError(f"{path}: {where}: field 'polygon' must be at least 3 [lon, lat] "
                         "pairs in degrees")
    return WatchZone(name, reason, sources,
                     polygon=tuple((float(p[0]), float(p[1])) for p in poly))


_VESSEL_KEYS = {"name", "imo", "mmsi", "callsign", "flag", "former_names", "reason", "source"}


def _vessel(e: dict[str, Any], path: str, where: str) -> Mapping[str, Any]:
    _no_unknown(e, _VESSEL_KEYS, path, where)
    _text(e, "reason", path, where)
    _sources(e, path, where)
    if not any(k in e for k in ("imo", "mmsi", "name")):
        raise InputError(f"{path}: {where}: field 'imo' is missing; a vessel needs an imo, "
                         "mmsi or name")
    return dict(e)

