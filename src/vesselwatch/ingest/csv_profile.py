"""CSV profiles: which vendor column holds which canonical column, and how to read its values.

A profile is a small TOML file. Two ship with the package (``noaa`` for NOAA MarineCadastre,
``dma`` for the Danish Maritime Authority); users write their own for other vendors::

    name = "acme"
    delimiter = ","
    time_format = "iso"        # "iso", "auto", "epoch_s", "epoch_ms", a strptime pattern, or a list
    dayfirst = false           # how "auto" reads 01/02/2024
    time_zone = "UTC"          # zone of times written without an offset
    required = ["mmsi", "ts", "lat", "lon"]

    [columns]                  # canonical column -> vendor names (any case, first found wins)
    mmsi = ["MMSI", "mmsi_id"]
    ts = ["Time"]

    [null_values]              # per column, texts that mean "no value" (any case)
    imo = ["Unknown"]
    [strip_prefix]             # per column, a prefix to drop (IMO1234567 -> 1234567)
    imo = "IMO"
    [scale]                    # per numeric column, a factor (speed in m/s -> knots)
    sog_kn = 1.943844
    [values.nav_status]        # per column, text codes -> canonical values (any case)
    "At anchor" = 1
    [fixes]
    cog_signed_12bit = false   # MarineCadastre 2015-2020: negative COG c means c + 409.6

Canonical column names and units are those of :data:`vesselwatch.model.schema.POSITIONS` and
:data:`vesselwatch.model.schema.VESSEL_REPORTS`.
"""

from __future__ import annotations

import tomllib
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from vesselwatch.errors import InputError

__all__ = [
    "BUILTIN_PROFILES",
    "COLUMN_KINDS",
    "POSITION_KEY",
    "STATIC_COLUMNS",
    "CsvProfile",
    "load_profile",
    "normalise_name",
    "profile_from_dict",
    "resolve_columns",
]

BUILTIN_PROFILES = ("noaa", "dma")
POSITION_KEY = ("mmsi", "ts", "lat", "lon")

# Canonical columns a CSV can fill, and how their text is read.
#   mmsi: 1-9 digits; time: a timestamp; coord: a number (bad -> BAD_POSITION);
#   motion: a number (bad -> BAD_VALUE); static: a number (bad -> null); text: trimmed text.
COLUMN_KINDS: dict[str, str] = {
    "mmsi": "mmsi",
    "ts": "time",
    "lat": "coord",
    "lon": "coord",
    "sog_kn": "motion",
    "cog_deg": "motion",
    "heading_deg": "motion",
    "rot_deg_min": "motion",
    "nav_status": "motion",
    "ais_class": "text",
    "station": "text",
    "imo": "static",
    "name": "text",
    "callsign": "text",
    "ship_type": "static",
    "to_bow_m": "static",
    "to_stern_m": "static",
    "to_port_m": "static",
    "to_starboard_m": "static",
    "length_m": "static",
    "width_m": "static",
    "draught_m": "static",
    "destination": "text",
    "eta": "static_time",
}

# Columns that describe the vessel rather than one position: they go to ``vessel_reports``.
STATIC_COLUMNS = (
    "imo",
    "name",
    "callsign",
    "ship_type",
    "to_bow_m",
    "to_stern_m",
    "to_port_m",
    "to_starboard_m",
    "length_m",
    "width_m",
    "draught_m",
    "destination",
    "eta",
)

_KEYS = frozenset(
    {
        "name",
        "description",
        "delimiter",
        "time_format",
        "dayfirst",
        "time_zone",
        "required",
        "columns",
        "null_values",
        "strip_prefix",
        "scale",
        "values",
        "fixes",
    }
)
_FIXES = frozenset({"cog_signed_12bit"})


def normalise_name(name: str) -> str:
    """A column name as profiles compare it: trimmed, lower case, no leading ``#``."""
    return name.strip().lstrip("#").strip().lower()


@dataclass(frozen=True)
class CsvProfile:
    """How to read one vendor's CSV layout. Build with :func:`load_profile`."""

    name: str
    columns: Mapping[str, tuple[str, ...]]
    description: str = ""
    delimiter: str = ","
    time_formats: tuple[str, ...] = ("iso",)
    dayfirst: bool = False
    time_zone: str = "UTC"
    required: tuple[str, ...] = POSITION_KEY
    null_values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    strip_prefix: Mapping[str, str] = field(default_factory=dict)
    scale: Mapping[str, float] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, int | str]] = field(default_factory=dict)
    cog_signed_12bit: bool = False


def _fail(source: str, what: str) -> InputError:
    return InputError(f"{source}: {what}; see the profile format in vesselwatch/profiles/noaa.toml")


def _strings(source: str, key: str, value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise _fail(source, f"{key} must be a text or a list of texts, found {value!r}")
    return tuple(items)


def _table(source: str, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(source, f"[{key}] must be a table, found {value!r}")
    unknown = sorted(set(value) - set(COLUMN_KINDS)) if key != "fixes" else []
    if unknown:
        raise _fail(
            source, f"[{key}] names unknown columns {unknown}; known: {sorted(COLUMN_KINDS)}"
        )
    return value


def profile_from_dict(data: Mapping[str, Any], source: str) -> CsvProfile:
    """A profile from parsed TOML; ``source`` names it in error messages."""
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise _fail(source, f"unknown keys {unknown}; known: {sorted(_KEYS)}")
    columns = {
        col: tuple(normalise_name(a) for a in _strings(source, f"columns.{col}", aliases))
        for col, aliases in _table(source, "columns", data.get("columns", {})).items()
    }
    required = _strings(source, "required", data.get("required", list(POSITION_KEY)))
    required = tuple(dict.fromkeys((*POSITION_KEY, *required)))
    missing = [c for c in required if c not in columns]
    if missing:
        raise _fail(source, f"[columns] has no entry for the required columns {missing}")
    delimiter = data.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise _fail(source, f"delimiter must be one character, found {delimiter!r}")
    time_zone = data.get("time_zone", "UTC")
    try:
        zoneinfo.ZoneInfo(str(time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _fail(
            source, f"unknown time_zone {time_zone!r}, expected e.g. 'UTC' or 'Europe/Copenhagen'"
        ) from None
    values: dict[str, dict[str, int | str]] = {}
    for col, entries in _table(source, "values", data.get("values", {})).items():
        if not isinstance(entries, dict) or not all(
            isinstance(v, int | str) and not isinstance(v, bool) for v in entries.values()
        ):
            raise _fail(source, f"[values.{col}] must map texts to numbers or texts")
        values[col] = {str(k).strip().lower(): v for k, v in entries.items()}
    scale = _table(source, "scale", data.get("scale", {}))
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in scale.values()):
        raise _fail(source, "[scale] must map columns to numbers")
    fixes = _table(source, "fixes", data.get("fixes", {}))
    if set(fixes) - _FIXES:
        raise _fail(source, f"[fixes] knows only {sorted(_FIXES)}, found {sorted(fixes)}")
    prefixes = _table(source, "strip_prefix", data.get("strip_prefix", {}))
    return CsvProfile(
        name=str(data.get("name", Path(source).stem)),
        description=str(data.get("description", "")),
        columns=columns,
        delimiter=delimiter,
        time_formats=_strings(source, "time_format", data.get("time_format", "iso")),
        dayfirst=bool(data.get("dayfirst", False)),
        time_zone=str(time_zone),
        required=required,
        null_values={
            col: tuple(v.strip().lower() for v in _strings(source, f"null_values.{col}", vals))
            for col, vals in _table(source, "null_values", data.get("null_values", {})).items()
        },
        strip_prefix={col: str(v) for col, v in prefixes.items()},
        scale={col: float(v) for col, v in scale.items()},
        values=values,
        cog_signed_12bit=bool(fixes.get("cog_signed_12bit", False)),
    )


def load_profile(spec: str | Path) -> CsvProfile:
    """A built-in profile by name (``"noaa"``, ``"dma"``) or a profile TOML file by path."""
    if isinstance(spec, str) and spec in BUILTIN_PROFILES:
        text = resources.files("vesselwatch").joinpath(f"profiles/{spec}.toml").read_text("utf-8")
        source = f"built-in profile {spec!r}"
    else:
        path = Path(spec)
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise InputError(
                f"{path}: cannot read the CSV profile ({exc.strerror}); pass a TOML file or "
                f"one of the built-in profiles {list(BUILTIN_PROFILES)}"
            ) from None
        source = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML ({exc}); fix the profile file") from None
    return profile_from_dict(data, source)


def resolve_columns(profile: CsvProfile, header: Sequence[str], path: str | Path) -> dict[str, int]:
    """Canonical column -> index in ``header`` for the columns the file has.

    Raises :class:`InputError` naming the missing required columns and the header found.
    """
    names = [normalise_name(h) for h in header]
    first: dict[str, int] = {}
    for i, n in enumerate(names):
        first.setdefault(n, i)
    found: dict[str, int] = {}
    for col, aliases in profile.columns.items():
        for alias in aliases:
            if alias in first:
                found[col] = first[alias]
                break
    missing = [c for c in profile.required if c not in found]
    if missing:
        wanted = "; ".join(f"{c} as one of {list(profile.columns[c])}" for c in missing)
        shown = ",".join(header)
        shown = shown if len(shown) <= 200 else shown[:197] + "..."
        raise InputError(
            f"{path}: the header lacks required columns for profile {profile.name!r} ({wanted}); "
            f"found header {shown!r}; pass a profile whose [columns] name this file's columns"
        )
    return found
