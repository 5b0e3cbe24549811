"""Ports: the packaged World Port Index, user port files, and nearest-port lookups.

A port is a point with two radii: a vessel is *in* port once within ``entry_radius_m`` and
*leaves* once beyond ``exit_radius_m`` (hysteresis, exit > entry). Defaults follow the
WPI "Harbor Size" (``HARBOR_SIZE_ENTRY_RADIUS_M``, exit = entry + ``EXIT_MARGIN_M``): a WPI
point is often a town centre, rounded to the arc-minute, kilometres from the berths.
Definitions and the table are in ``docs/reference.md``.

``PortIndex`` is immutable and columnar (numpy arrays); ``PortIndex.nearest`` finds the
nearest port for millions of positions through a lat/lon bucket grid, so positions far from
every port cost one array lookup.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import CapGrid, haversine_m

__all__ = [
    "DEFAULT_ENTRY_RADIUS_M",
    "EXIT_MARGIN_M",
    "HARBOR_SIZE_ENTRY_RADIUS_M",
    "Port",
    "PortIndex",
    "default_radii",
    "load_port_file",
    "load_wpi",
    "normalise_locode",
    "resolve_radii",
    "search_key",
]

HARBOR_SIZE_ENTRY_RADIUS_M: Final[Mapping[str, float]] = {
    "Very Small": 3000.0,
    "Small": 3000.0,
    "Medium": 4000.0,
    "Large": 6000.0,
}
"""Default entry radius by WPI "Harbor Size"; see docs/reference.md for the reasons."""
DEFAULT_ENTRY_RADIUS_M: Final[float] = 3000.0
"""Entry radius when the size is blank or unknown (129 WPI ports), and for user points."""
EXIT_MARGIN_M: Final[float] = 1000.0
"""Exit radius = entry radius + this, unless a file or watchlist sets the exit radius."""
DEFAULT_RADII: Final[tuple[float, float]] = (DEFAULT_ENTRY_RADIUS_M,
                                             DEFAULT_ENTRY_RADIUS_M + EXIT_MARGIN_M)
"""(entry, exit) of a user point port that gives no radius."""

WPI_COLUMNS: Final[tuple[str, ...]] = (
    "port_id", "name", "alt_name", "locode", "country", "lat", "lon",
    "harbor_size", "harbor_type", "wpi_number",
)
_LOCODE = re.compile(r"([A-Z]{2})([A-Z0-9]{3})")


def search_key(name: str) -> str:
    """Name as a search key: no diacritics, apostrophes, punctuation or blanks; casefolded.

    ``"Ch'ongjin"``, ``"CHONGJIN"`` and ``"chongjin"`` all give ``"chongjin"``.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in bare.casefold() if ch.isalnum())


def normalise_locode(raw: str) -> str:
    """``"KP RJN"``, ``"kprjn"`` -> ``"KP RJN"``; not a UN/LOCODE -> ``""``."""
    match = _LOCODE.fullmatch(re.sub(r"\s+", "", raw).upper())
    return f"{match.group(1)} {match.group(2)}" if match else ""


def default_radii(harbor_size: str = "") -> tuple[float, float]:
    """(entry_radius_m, exit_radius_m) for a WPI harbour size ("" = unknown)."""
    entry = HARBOR_SIZE_ENTRY_RADIUS_M.get(harbor_size.strip(), DEFAULT_ENTRY_RADIUS_M)
    return entry, entry + EXIT_MARGIN_M


@dataclass(frozen=True)
class Port:
    """One port as a record; ``PortIndex`` holds many of them as columns."""

    port_id: str
    name: str
    lat: float
    lon: float
    entry_radius_m: float
    exit_radius_m: float
    alt_name: str = ""
    locode: str = ""
    country: str = ""
    harbor_size: str = ""
    harbor_type: str = ""
    wpi_number: str = ""
    watched: bool = False
    source: str = ""


_STR_FIELDS: Final = ("port_id", "name", "alt_name", "locode", "country",
                      "harbor_size", "harbor_type", "wpi_number", "source")
_NUM_FIELDS: Final = ("lat", "lon", "entry_radius_m", "exit_radius_m")


def _frozen(values: npt.ArrayLike, dtype: type) -> npt.NDArray[Any]:
    arr: npt.NDArray[Any] = np.array(values, dtype=dtype)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class PortIndex:
    """An immutable, columnar set of ports with nearest-port lookups.

    Numeric columns are read-only numpy arrays; text columns are tuples. Build one with
    ``load_wpi``, ``load_port_file``, ``PortIndex.from_ports`` or the combinators.
    """

    port_id: tuple[str, ...]
    name: tuple[str, ...]
    alt_name: tuple[str, ...]
    locode: tuple[str, ...]
    country: tuple[str, ...]
    harbor_size: tuple[str, ...]
    harbor_type: tuple[str, ...]
    wpi_number: tuple[str, ...]
    source: tuple[str, ...]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    entry_radius_m: npt.NDArray[np.float64]
    exit_radius_m: npt.NDArray[np.float64]
    watched: npt.NDArray[np.bool_]
    _grids: dict[float | None, CapGrid] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        n = len(self.port_id)
        for name in (*_STR_FIELDS, *_NUM_FIELDS, "watched"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"PortIndex column {name!r} has {len(getattr(self, name))} "
                                 f"values, port_id has {n}")
        if len(set(self.port_id)) != n:
            dup = sorted({p for p in self.port_id if self.port_id.count(p) > 1})
            raise ValueError(f"PortIndex: duplicate port ids {dup[:10]}")
        for name in _NUM_FIELDS:
            object.__setattr__(self, name, _frozen(getattr(self, name), np.float64))
        object.__setattr__(self, "watched", _frozen(self.watched, np.bool_))
        if not (np.all(self.exit_radius_m >= self.entry_radius_m)
                and np.all(self.entry_radius_m >= 0)):
            raise ValueError("PortIndex: radii must satisfy 0 <= entry_radius_m <= exit_radius_m")

    # --- construction -------------------------------------------------------------------

    @classmethod
    def from_ports(cls, ports: Sequence[Port]) -> PortIndex:
        """An index of ``ports``, in that order (ids must be unique)."""
        cols: dict[str, Any] = {
            name: tuple(getattr(p, name) for p in ports) for name in _STR_FIELDS
        }
        for name in _NUM_FIELDS:
            cols[name] = np.array([getattr(p, name) for p in ports], dtype=np.float64)
        cols["watched"] = np.array([p.watched for p in ports], dtype=np.bool_)
        return cls(**cols)

    @classmethod
    def empty(cls) -> PortIndex:
        return cls.from_ports([])

    def port(self, i: int) -> Port:
        """Row ``i`` as a ``Port`` record."""
        values: dict[str, Any] = {name: getattr(self, name)[i] for name in _STR_FIELDS}
        values.update({name: float(getattr(self, name)[i]) for name in _NUM_FIELDS})
        return Port(watched=bool(self.watched[i]), **values)

    def __iter__(self) -> Iterator[Port]:
        return (self.port(i) for i in range(len(self)))

    def __len__(self) -> int:
        return len(self.port_id)

    def subset(self, mask: npt.ArrayLike) -> PortIndex:
        """The ports selected by a boolean mask or an array of row numbers, in that order."""
        sel = np.asarray(mask)
        rows = np.flatnonzero(sel) if sel.dtype == np.bool_ else sel.astype(np.int64)
        if sel.dtype == np.bool_ and len(sel) != len(self):
            raise ValueError(f"mask has {len(sel)} values for {len(self)} ports")
        cols: dict[str, Any] = {name: tuple(getattr(self, name)[i] for i in rows)
                                for name in _STR_FIELDS}
        for name in (*_NUM_FIELDS, "watched"):
            cols[name] = getattr(self, name)[rows]
        return PortIndex(**cols)

    @classmethod
    def concat(cls, *indices: PortIndex) -> PortIndex:
        """All ports of ``indices`` in order; a port id found twice is a ``ValueError``."""
        return cls.from_ports([p for index in indices for p in index])

    def merge_override(self, other: PortIndex) -> PortIndex:
        """This index less the ports whose id ``other`` has, then all of ``other``."""
        replaced = set(other.port_id)
        keep = np.array([p not in replaced for p in self.port_id], dtype=np.bool_)
        return PortIndex.concat(self.subset(keep), other)

    def to_table(self) -> pa.Table:
        """The index as an Arrow table (one row per port)."""
        cols: dict[str, Any] = {"port_id": pa.array(self.port_id, pa.string())}
        for name in ("name", "alt_name", "locode", "country"):
            cols[name] = pa.array(getattr(self, name), pa.string())
        for name in _NUM_FIELDS:
            cols[name] = pa.array(getattr(self, name), pa.float64())
        for name in ("harbor_size", "harbor_type", "wpi_number", "source"):
            cols[name] = pa.array(getattr(self, name), pa.string())
        cols["watched"] = pa.array(self.watched, pa.bool_())
        return pa.table(cols)

    # --- lookups ------------------------------------------------------------------------

    @cached_property
    def _keys(self) -> dict[str, dict[str, tuple[int, ...]]]:
        tables: dict[str, dict[str, list[int]]] = {"id": {}, "locode": {}, "wpi": {}, "name": {}}
        for i in range(len(self)):
            tables["id"].setdefault(self.port_id[i].upper(), []).append(i)
            if self.locode[i]:
                tables["locode"].setdefault(self.locode[i], []).append(i)
            if self.wpi_number[i]:
                tables["wpi"].setdefault(self.wpi_number[i], []).append(i)
            names = [self.name[i], *re.split(r"[;/]", self.alt_name[i])]
            for key in {search_key(n) for n in names if search_key(n)}:
                tables["name"].setdefault(key, []).append(i)
        return {kind: {k: tuple(v) for k, v in t.items()} for kind, t in tables.items()}

    def by_id(self, port_id: str) -> int | None:
        """Row of the port with this id (case-insensitive), or None."""
        rows = self._keys["id"].get(port_id.strip().upper(), ())
        return rows[0] if rows else None

    def by_locode(self, locode: str) -> tuple[int, ...]:
        """Rows with this UN/LOCODE (``"KP RJN"`` or ``"KPRJN"``); WPI repeats a few."""
        return self._keys["locode"].get(normalise_locode(locode), ())

    def by_wpi(self, number: float | str) -> tuple[int, ...]:
        """Rows with this World Port Index number (``60510``, ``"60510"``, ``49454.5``)."""
        try:
            value = float(number)
        except ValueError:
            return ()
        key = str(int(value)) if value.is_integer() else repr(value)
        return self._keys["wpi"].get(key, ())

    def by_name(self, name: str) -> tuple[int, ...]:
        """Rows whose name or alternate name has the same ``search_key``."""
        return self._keys["name"].get(search_key(name), ())

    def find(self, query: str) -> tuple[int, ...]:
        """Rows matching ``query`` as an id, else a locode, else a WPI number, else a name."""
        row = self.by_id(query)
        if row is not None:
            return (row,)
        return self.by_locode(query) or self.by_wpi(query) or self.by_name(query)

    # --- nearest port -------------------------------------------------------------------

    def nearest(
        self,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        max_dist_m: float | npt.ArrayLike | None = None,
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        """(index int32, distance_m float64) of the nearest port to each position.

        -1 / inf where no port is within ``max_dist_m`` (a number, or one per position) or,
        when ``max_dist_m`` is None, within that port's own ``exit_radius_m``: then the
        answer is the nearest of the ports whose exit circle holds the position. Where
        circles overlap, the nearest port wins; equal distances go to the lower index.
        Distances are haversine (``geodesy.haversine_m``); a boundary distance counts as
        within. Non-finite positions give -1 / inf.
        """
        lat_a = np.asarray(lat, dtype=np.float64)
        lon_a = np.asarray(lon, dtype=np.float64)
        if lat_a.shape != lon_a.shape:
            raise ValueError(f"lat has shape {lat_a.shape}, lon {lon_a.shape}")
        shape = lat_a.shape
        lat_a, lon_a = lat_a.ravel(), lon_a.ravel()
        limit: npt.NDArray[np.float64] | None = None
        if max_dist_m is None:
            reach = float(self.exit_radius_m.max()) if len(self) else 0.0
            key: float | None = None
        else:
            limit = np.broadcast_to(np.asarray(max_dist_m, dtype=np.float64), shape).ravel()
            finite = limit[~np.isnan(limit)]
            reach = float(finite.max()) if finite.size else -1.0
            key = reach
        idx = np.full(lat_a.shape, -1, dtype=np.int32)
        dist = np.full(lat_a.shape, np.inf, dtype=np.float64)
        if len(self) == 0 or reach < 0 or lat_a.size == 0:
            return idx.reshape(shape), dist.reshape(shape)
        grid = self._grids.get(key)
        if grid is None:
            radii = self.exit_radius_m if key is None else np.full(len(self), reach)
            grid = CapGrid.build(self.lat, self.lon, radii)
            if len(self._grids) >= _GRID_CACHE:
                self._grids.pop(next(iter(self._grids)))
            self._grids[key] = grid
        for start in range(0, lat_a.size, _CHUNK):
            stop = min(start + _CHUNK, lat_a.size)
            pos, port = grid.candidates(lat_a[start:stop], lon_a[start:stop])
            if pos.size == 0:
                continue
            d = haversine_m(lat_a[start:stop][pos], lon_a[start:stop][pos],
                            self.lat[port], self.lon[port])
            bound = self.exit_radius_m[port] if limit is None else limit[start:stop][pos]
            ok = d <= bound
            pos, port, d = pos[ok], port[ok], d[ok]
            if pos.size == 0:
                continue
            # pairs are ordered by position, then port row: the first minimum wins ties
            group_start = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
            group = np.cumsum(np.r_[False, pos[1:] != pos[:-1]])
            at_min = np.flatnonzero(d == np.minimum.reduceat(d, group_start)[group])
            first = at_min[np.r_[True, group[at_min][1:] != group[at_min][:-1]]]
            idx[start + pos[first]] = port[first]
            dist[start + pos[first]] = d[first]
        return idx.reshape(shape), dist.reshape(shape)


_CHUNK: Final[int] = 1 << 21  # positions per pass, bounds the memory for pairs
_GRID_CACHE: Final[int] = 8  # grids kept per index (one per search radius)


# --- loaders --------------------------------------------------------------------------------


def load_wpi(path: str | Path | None = None) -> PortIndex:
    """The World Port Index as built by ``tools/build_wpi_ports.py`` (None: the packaged one)."""
    if path is None:
        ref = resources.files("vesselwatch.reference").joinpath("data", "wpi_ports.csv")
        text = ref.read_text(encoding="utf-8")
        return _read_wpi(io.StringIO(text, newline=""), "vesselwatch/reference/data/wpi_ports.csv")
    where = Path(path)
    try:
        with where.open("r", encoding="utf-8-sig", newline="") as handle:
            return _read_wpi(handle, str(where))
    except OSError as exc:
        raise InputError(f"{where}: cannot read the port list ({exc.strerror}); "
                         "check the path") from exc


def _read_wpi(handle: Any, name: str) -> PortIndex:
    reader = csv.DictReader(handle)
    header = tuple(reader.fieldnames or ())
    if header != WPI_COLUMNS:
        hint = ("a raw WPI export: convert it with tools/build_wpi_ports.py"
                if "World Port Index Number" in header else f"expected columns {WPI_COLUMNS}")
        raise InputError(f"{name}: not a vesselwatch WPI port list ({hint})")
    ports = []
    for line, row in enumerate(reader, start=2):
        lat = _number(row["lat"], name, f"line {line}", "lat", -90.0, 90.0)
        lon = _number(row["lon"], name, f"line {line}", "lon", -180.0, 180.0)
        entry, exit_ = default_radii(row["harbor_size"])
        ports.append(Port(
            port_id=row["port_id"], name=row["name"], lat=lat, lon=lon,
            entry_radius_m=entry, exit_radius_m=exit_, alt_name=row["alt_name"],
            locode=row["locode"], country=row["country"], harbor_size=row["harbor_size"],
            harbor_type=row["harbor_type"], wpi_number=row["wpi_number"], source="NGA WPI",
        ))
    return PortIndex.from_ports(ports)


def _number(value: Any, path: str, entry: str, fieldname: str,
            lo: float = -math.inf, hi: float = math.inf) -> float:
    """``value`` as a finite float in [lo, hi], else an ``InputError`` naming where."""
    try:
        if isinstance(value, bool):
            raise ValueError
        out = float(value)
    except (TypeError, ValueError):
        out = math.nan
    if not (math.isfinite(out) and lo <= out <= hi):
        raise InputError(f"{path}: {entry}: field {fieldname!r} must be a number from {lo:g} "
                         f"to {hi:g}, got {value!r}; correct it and load the file again")
    return out


def resolve_radii(entry: Any, exit_: Any, path: str, where: str,
                  base: tuple[float, float] = DEFAULT_RADII) -> tuple[float, float]:
    """(entry, exit) from optional overrides: entry alone gives exit = entry + margin."""
    has_entry = entry not in (None, "")
    has_exit = exit_ not in (None, "")
    e = _number(entry, path, where, "entry_radius_m", 0.0) if has_entry else base[0]
    x = (_number(exit_, path, where, "exit_radius_m", 0.0) if has_exit
         else (e + EXIT_MARGIN_M if has_entry else base[1]))
    if not e > 0 or not x > e:
        raise InputError(f"{path}: {where}: field 'exit_radius_m' ({x:g}) must be greater "
                         f"than entry_radius_m ({e:g}) and both positive; raise exit_radius_m "
                         "or drop it to use entry + 1000 m")
    return e, x


_CSV_REQUIRED: Final = ("port_id", "name", "lat", "lon")
_CSV_OPTIONAL: Final = ("entry_radius_m", "exit_radius_m", "locode", "country", "alt_name")


def load_port_file(path: str | Path,
                   radii: tuple[float, float] = DEFAULT_RADII) -> PortIndex:
    """User ports from GeoJSON (``.geojson``/``.json``) or CSV (``.csv``); see docs/reference.md.

    ``radii``: (entry, exit) metres for point ports that give none (the detection config's
    ``[port_visits]`` radii).
    """
    where = Path(path)
    try:
        text = where.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: cannot read the port file ({exc}); check the path") from exc
    suffix = where.suffix.lower()
    if suffix in (".geojson", ".json"):
        ports = _ports_from_geojson(text, str(where), radii)
    elif suffix == ".csv":
        ports = _ports_from_csv(text, str(where), radii)
    else:
        raise InputError(f"{where}: unknown port file type {suffix!r}; use .geojson or .csv")
    seen: dict[str, str] = {}
    for p in ports:
        if p.port_id in seen:
            raise InputError(f"{where}: {p.source}: field 'port_id': {p.port_id!r} is also "
                             f"used by {seen[p.port_id]}; give each port its own id")
        seen[p.port_id] = p.source
    return PortIndex.from_ports([dataclasses.replace(p, source=f"{where}") for p in ports])


def _ports_from_csv(text: str, path: str, radii: tuple[float, float]) -> list[Port]:
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in _CSV_REQUIRED if c not in header]
    unknown = [c for c in header if c not in _CSV_REQUIRED + _CSV_OPTIONAL]
    if missing or unknown:
        raise InputError(f"{path}: line 1: header lacks {missing} or has unknown columns "
                         f"{unknown}; columns are {list(_CSV_REQUIRED)} plus optional "
                         f"{list(_CSV_OPTIONAL)}")
    ports = []
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        where = f"line {line}"
        for col in ("port_id", "name"):
            if not row.get(col):
                raise InputError(f"{path}: {where}: field {col!r} is empty; every port needs "
                                 "a port_id and a name")
        entry, exit_ = resolve_radii(row.get("entry_radius_m"), row.get("exit_radius_m"),
                                     path, where, radii)
        ports.append(Port(
            port_id=row["port_id"], name=row["name"],
            lat=_number(row["lat"], path, where, "lat", -90.0, 90.0),
            lon=_number(row["lon"], path, where, "lon", -180.0, 180.0),
            entry_radius_m=entry, exit_radius_m=exit_,
            alt_name=row.get("alt_name", ""), country=row.get("country", ""),
            locode=normalise_locode(row.get("locode", "")), source=where,
        ))
    return ports


def _ports_from_geojson(text: str, path: str, radii: tuple[float, float]) -> list[Port]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features: Any = [doc]
    elif isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
    else:
        features = None
    if not isinstance(features, list):
        raise InputError(f"{path}: expected a GeoJSON FeatureCollection or Feature")
    return [_port_from_feature(f, path, f"features[{i}]", radii)
            for i, f in enumerate(features)]


def _port_from_feature(feature: Any, path: str, where: str,
                       radii: tuple[float, float]) -> Port:
    if not isinstance(feature, dict):
        raise InputError(f"{path}: {where}: not a GeoJSON Feature object")
    props = feature.get("properties") or {}
    geom = feature.get("geometry") or {}
    if not isinstance(props, dict) or not isinstance(geom, dict):
        raise InputError(f"{path}: {where}: 'properties' and 'geometry' must be objects")
    name = props.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{path}: {where}: field 'name' is missing; give every port a name")
    where = f'{where} "{name}"'
    locode = normalise_locode(str(props.get("locode") or ""))
    if props.get("locode") and not locode:
        raise InputError(f"{path}: {where}: field 'locode' {props.get('locode')!r} is not a "
                         'UN/LOCODE such as "KP RJN"')
    port_id = str(props.get("port_id") or locode.replace(" ", ""))
    if not port_id:
        raise InputError(f"{path}: {where}: field 'port_id' is missing; give a port_id "
                         "or a locode")
    kind = geom.get("type")
    if kind == "Point":
        coords = geom.get("coordinates")
        if not isinstance(coords, list) or len(coords) < 2:
            raise InputError(f"{path}: {where}: field 'geometry.coordinates' must be "
                             "[lon, lat]")
        lon = _number(coords[0], path, where, "geometry.coordinates[0] (lon)", -180, 180)
        lat = _number(coords[1], path, where, "geometry.coordinates[1] (lat)", -90, 90)
        base = radii
    elif kind in ("Polygon", "MultiPolygon"):
        lat, lon, radius = _polygon_circle(geom.get("coordinates"), kind, path, where)
        base = (radius, radius + EXIT_MARGIN_M)
    else:
        raise InputError(f"{path}: {where}: field 'geometry.type' is {kind!r}; use Point, "
                         "Polygon or MultiPolygon")
    entry, exit_ = resolve_radii(props.get("entry_radius_m"), props.get("exit_radius_m"),
                                 path, where, base)
    return Port(port_id=port_id, name=name.strip(), lat=lat, lon=lon, entry_radius_m=entry,
                exit_radius_m=exit_, locode=locode, country=str(props.get("country") or ""),
                source=where)


def _polygon_circle(coords: Any, kind: str, path: str, where: str) -> tuple[float, float, float]:
    """(lat, lon, radius_m) of a circle holding every vertex of the polygon(s).

    Centre: middle of the vertices' lat/lon box (longitudes unwrapped around the first
    vertex, so a harbour across the antimeridian works); radius: farthest vertex.
    """
    polys = [coords] if kind == "Polygon" else coords
    try:
        pts = np.array([pt[:2] for poly in polys for ring in poly[:1] for pt in ring],
                       dtype=np.float64)
    except (TypeError, ValueError, IndexError):
        pts = np.empty((0, 2))
    if pts.ndim != 2 or len(pts) < 3 or not np.all(np.isfinite(pts)) \
            or np.any(np.abs(pts[:, 1]) > 90):
        raise InputError(f"{path}: {where}: field 'geometry.coordinates' must hold rings of "
                         "at least 3 [lon, lat] positions")
    lon = pts[0, 0] + (pts[:, 0] - pts[0, 0] + 180.0) % 360.0 - 180.0
    c_lat = float((pts[:, 1].min() + pts[:, 1].max()) / 2)
    c_lon = float((lon.min() + lon.max()) / 2 + 180.0) % 360.0 - 180.0
    radius = float(haversine_m(c_lat, c_lon, pts[:, 1], pts[:, 0]).max())
    return c_lat, c_lon, max(radius, 1.0)
