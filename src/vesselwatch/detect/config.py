"""Every detection threshold, with its unit in its name, in one config object.

Defaults and their sources are written down in ``docs/events.md``; a test checks that the
two agree. A TOML file overrides any of them by section, e.g.::

    [gaps]
    min_gap_h = 8

    [encounters]
    max_distance_m = 300

Each event records the values used (``params``), so a result can be reproduced.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from vesselwatch.errors import InputError

NM_M = 1852.0  # metres in a nautical mile
MAX_OPEN_SEGMENTS = 64  # the compiled segmenter's limit (detect/_segment.pyx)
KN_MS = NM_M / 3600.0  # metres per second in a knot


@dataclass(frozen=True)
class TrackParams:
    """Track preparation: segments, impossible jumps, positions on land."""

    max_implied_sog_kn: float = 50.0  # AISdb's limit; GFW's segmenter uses 30 kn with margins
    jump_noise_m: float = 500.0  # moves this short are never impossible (GNSS noise, clock jitter)
    max_open_segments: int = 4  # transmitters one MMSI may carry at once before the oldest closes
    min_segment_positions: int = 3  # a shorter overlapping segment is an outlier, not a transmitter
    land_margin_m: float = 2000.0  # on land only this far inland (coarse coastlines)


@dataclass(frozen=True)
class GapParams:
    """AIS gaps (going dark)."""

    min_gap_h: float = 6.0  # GFW gap events start at 6 h
    intentional_min_gap_h: float = 12.0  # GFW's AIS-disabling rule
    intentional_min_shore_nm: float = 50.0  # GFW: the gap starts at least 50 nm from shore
    intentional_min_positions: int = 14  # GFW: positions in the window before the gap
    positions_window_h: float = 12.0


@dataclass(frozen=True)
class PortVisitParams:
    """Port visits: GFW's anchorage state machine."""

    entry_radius_m: float = 3000.0  # used for ports that carry no radius of their own
    exit_radius_m: float = 4000.0
    stop_start_sog_kn: float = 0.2
    stop_end_sog_kn: float = 0.5
    port_gap_h: float = 4.0


@dataclass(frozen=True)
class EncounterParams:
    """Ship-to-ship encounters: GFW's published definition."""

    max_distance_m: float = 500.0
    min_duration_h: float = 2.0
    min_port_distance_m: float = 10000.0
    max_median_sog_kn: float = 2.0
    grid_min: float = 10.0  # resampling step
    max_interpolation_gap_h: float = 1.0
    merge_gap_h: float = 4.0


@dataclass(frozen=True)
class LoiteringParams:
    """Loitering: slow, far from shore."""

    max_avg_sog_kn: float = 2.0
    min_duration_h: float = 2.0
    min_shore_nm: float = 20.0
    max_step_gap_h: float = 2.0  # a longer silence ends a loitering run


@dataclass(frozen=True)
class SpoofingParams:
    """Position spoofing: jumps, on land, two places at once, shared positions."""

    shared_position_min_vessels: int = 3
    shared_position_gap_min: float = 15.0  # a silence this long at a spot ends a burst
    two_places_min_distance_m: float = 10000.0


@dataclass(frozen=True)
class VoyageParams:
    """Voyages between port visits and inferred dark voyages between watched ports."""

    dark_port_radius_nm: float = 20.0
    max_sog_kn: float = 20.0  # a faster crossing than this is not believed


@dataclass(frozen=True)
class DetectConfig:
    """All detection parameters; ``DetectConfig()`` gives the documented defaults."""

    tracks: TrackParams = field(default_factory=TrackParams)
    gaps: GapParams = field(default_factory=GapParams)
    port_visits: PortVisitParams = field(default_factory=PortVisitParams)
    encounters: EncounterParams = field(default_factory=EncounterParams)
    loitering: LoiteringParams = field(default_factory=LoiteringParams)
    spoofing: SpoofingParams = field(default_factory=SpoofingParams)
    voyages: VoyageParams = field(default_factory=VoyageParams)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return asdict(self)

    def params_for(self, section: str) -> dict[str, Any]:
        """The values an event of ``section`` records: its section plus the track section."""
        out = {f"tracks.{k}": v for k, v in asdict(self.tracks).items()}
        out.update({f"{section}.{k}": v for k, v in asdict(getattr(self, section)).items()})
        return out


SECTIONS = tuple(f.name for f in fields(DetectConfig))


def config_from_dict(data: dict[str, Any], where: str = "config") -> DetectConfig:
    """A config from a mapping of section -> {name: value}; unknown names are errors."""
    config = DetectConfig()
    for section, values in data.items():
        if section not in SECTIONS:
            raise InputError(
                f"{where}: unknown section [{section}]; the sections are {', '.join(SECTIONS)}"
            )
        if not isinstance(values, dict):
            raise InputError(f"{where}: [{section}] must be a table of name = value")
        current = getattr(config, section)
        known = {f.name: f for f in fields(current)}
        changes: dict[str, Any] = {}
        for name, value in values.items():
            if name not in known:
                raise InputError(
                    f"{where}: [{section}] has no parameter {name!r}; it has "
                    f"{', '.join(known)} (see docs/events.md)"
                )
            default = getattr(current, name)
            changes[name] = _checked(value, default, f"{where}: [{section}] {name}")
        config = replace(config, **{section: replace(current, **changes)})
    return config


MAX_VALUE = 1e9  # no threshold is this large in any unit used here

# parameters for which 0 makes no sense (a step, a size, a count, a speed limit)
MUST_BE_POSITIVE = frozenset({
    "max_implied_sog_kn", "max_open_segments", "min_segment_positions", "min_gap_h",
    "positions_window_h", "max_distance_m", "grid_min", "max_median_sog_kn",
    "max_avg_sog_kn", "shared_position_min_vessels", "shared_position_gap_min",
    "max_sog_kn", "min_duration_h",
})


def _checked(value: Any, default: Any, where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where} = {value!r}: expected a number like {default!r}")
    if isinstance(default, int) and not isinstance(default, bool):
        if not isinstance(value, int):
            raise InputError(f"{where} = {value!r}: expected a whole number like {default!r}")
    if not math.isfinite(value) or abs(value) > MAX_VALUE:
        raise InputError(f"{where} = {value!r}: must be a finite number below {MAX_VALUE:g}")
    if value < 0:
        raise InputError(f"{where} = {value!r}: must not be negative")
    if value == 0 and where.rsplit(" ", 1)[-1] in MUST_BE_POSITIVE:
        raise InputError(f"{where} = {value!r}: must be greater than 0")
    return type(default)(value)


def load_config(path: str | Path | None) -> DetectConfig:
    """The defaults, overridden by a TOML file if one is given."""
    if path is None:
        return DetectConfig()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{p}: no such config file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a folder; give the config's TOML file") from None
    except UnicodeDecodeError:
        raise InputError(f"{p}: not UTF-8 text; save the config as UTF-8 TOML") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror}); check its permissions") \
            from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: not valid TOML ({exc}); fix the file") from None
    return _consistent(config_from_dict(data, str(p)), str(p))


def _consistent(config: DetectConfig, where: str) -> DetectConfig:
    """Checks across parameters: hysteresis pairs the right way round, kernel limits."""
    pv = config.port_visits
    if not pv.exit_radius_m > pv.entry_radius_m:
        raise InputError(f"{where}: [port_visits] exit_radius_m = {pv.exit_radius_m:g} must be "
                         f"greater than entry_radius_m = {pv.entry_radius_m:g}")
    if pv.stop_end_sog_kn < pv.stop_start_sog_kn:
        raise InputError(f"{where}: [port_visits] stop_end_sog_kn = {pv.stop_end_sog_kn:g} "
                         f"must be at least stop_start_sog_kn = {pv.stop_start_sog_kn:g}")
    if not 1 <= config.tracks.max_open_segments <= MAX_OPEN_SEGMENTS:
        raise InputError(f"{where}: [tracks] max_open_segments = "
                         f"{config.tracks.max_open_segments}: must be 1 to {MAX_OPEN_SEGMENTS}")
    return config
