"""GNSS and sensor noise on true kinematics: seeded, vectorised, bounded at 5 sigma.

- **Position**: a horizontal error of independent Gaussian north and east components, each
  with ``position_sigma_m`` (default 10 m, a fair figure for an AIS unit's GNSS fix); the
  error's length is capped at 5 sigma, so no point ever moves farther than that.
- **SOG**: Gaussian, ``sog_sigma_kn`` (0.1 kn), capped at 5 sigma, then clipped at 0 (so a
  still ship's reported SOG is biased slightly upwards, as real ones are).
- **COG** and **heading**: Gaussian, ``cog_sigma_deg`` (1°) and ``heading_sigma_deg``
  (1°), capped at 5 sigma, wrapped to [0, 360).

Every function takes ``seed`` (an int, or a ``numpy.random.Generator`` to draw from; it is
required, positional or by name); the same seed and input give the same output. Rounding to AIS resolutions (1/10 000 min,
0.1 kn, 0.1°, 1°) is the output writer's job, not this module's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from vesselwatch.errors import InputError
from vesselwatch.reference.geodesy import EARTH_RADIUS_M
from vesselwatch.simulate.motion import Kinematics

__all__ = [
    "MAX_SIGMAS",
    "NoiseModel",
    "add_noise",
    "angle_noise",
    "cog_noise",
    "heading_noise",
    "position_noise",
    "sog_noise",
]

FloatArray = npt.NDArray[np.float64]
Seed = int | np.random.Generator
MAX_SIGMAS: Final[float] = 5.0
"""No error exceeds this many standard deviations."""


@dataclass(frozen=True)
class NoiseModel:
    """Standard deviations of the sensor errors; all 0 means no noise."""

    position_sigma_m: float = 10.0
    sog_sigma_kn: float = 0.1
    cog_sigma_deg: float = 1.0
    heading_sigma_deg: float = 1.0

    def __post_init__(self) -> None:
        for name in ("position_sigma_m", "sog_sigma_kn", "cog_sigma_deg", "heading_sigma_deg"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"noise {name}={value}; give a standard deviation of 0 or more")


def position_noise(lat: npt.ArrayLike, lon: npt.ArrayLike, sigma_m: float = 10.0,
                   seed: Seed | None = None) -> tuple[FloatArray, FloatArray]:
    """(lat, lon) moved by a Gaussian horizontal error (north and east each ``sigma_m``,
    length capped at 5 sigma), along the great circle on the error's bearing."""
    la = np.asarray(lat, dtype=np.float64)
    lo = np.asarray(lon, dtype=np.float64)
    if not 0.0 <= sigma_m <= 1000.0:
        raise InputError(f"position noise sigma_m={sigma_m}; give 0 to 1000 m")
    rng = _rng(seed, "position_noise")
    z = rng.standard_normal((2, *la.shape))  # drawn even for sigma 0: the stream stays aligned
    if sigma_m == 0:
        return la.copy(), lo.copy()
    r = np.hypot(z[0], z[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_b = np.where(r > 0, z[0] / r, 1.0)  # the error's bearing, from north
        sin_b = np.where(r > 0, z[1] / r, 0.0)
    # move along the great circle on that bearing by exactly the error's length (capped)
    d = np.minimum(r, MAX_SIGMAS) * (sigma_m / EARTH_RADIUS_M)  # radians
    d2 = d * d  # d < 1e-3 for sigma < 1 km: these series are exact to float64
    sin_d = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0))
    cos_d = 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0)
    p1 = np.radians(la)
    sin_p1, cos_p1 = np.sin(p1), np.cos(p1)
    sin_p2 = sin_p1 * cos_d + cos_p1 * sin_d * cos_b
    out_lat: FloatArray = np.degrees(np.arcsin(np.clip(sin_p2, -1.0, 1.0)))
    dl = np.arctan2(sin_b * sin_d * cos_p1, cos_d - sin_p1 * sin_p2)
    out_lon: FloatArray = np.mod(lo + np.degrees(dl) + 180.0, 360.0) - 180.0
    return out_lat, out_lon


def sog_noise(sog_kn: npt.ArrayLike, sigma_kn: float = 0.1, seed: Seed | None = None
              ) -> FloatArray:
    """SOG plus a Gaussian error (capped at 5 sigma), clipped at 0."""
    s = np.asarray(sog_kn, dtype=np.float64)
    out: FloatArray = np.maximum(s + _bounded(_rng(seed, "sog_noise"), s.shape) * sigma_kn, 0.0)
    return out


def angle_noise(deg: npt.ArrayLike, sigma_deg: float = 1.0, seed: Seed | None = None
                ) -> FloatArray:
    """An angle plus a Gaussian error (capped at 5 sigma), wrapped to [0, 360)."""
    a = np.asarray(deg, dtype=np.float64)
    out: FloatArray = np.mod(a + _bounded(_rng(seed, "angle_noise"), a.shape) * sigma_deg,
                             360.0)
    out[out >= 360.0] = 0.0  # mod can round a tiny negative up to 360.0
    return out


def cog_noise(cog_deg: npt.ArrayLike, sigma_deg: float = 1.0, seed: Seed | None = None
              ) -> FloatArray:
    """COG plus a Gaussian error (default 1°, capped at 5 sigma), wrapped to [0, 360)."""
    return angle_noise(cog_deg, sigma_deg, _rng(seed, "cog_noise"))


def heading_noise(heading_deg: npt.ArrayLike, sigma_deg: float = 1.0,
                  seed: Seed | None = None) -> FloatArray:
    """Heading plus a Gaussian error (default 1°, capped at 5 sigma), wrapped to [0, 360)."""
    return angle_noise(heading_deg, sigma_deg, _rng(seed, "heading_noise"))


def add_noise(kin: Kinematics, model: NoiseModel = NoiseModel(), *, seed: Seed
              ) -> Kinematics:
    """``kin`` with every field's noise added (``piece`` and ``moving`` unchanged).

    Draws position, SOG, COG and heading errors in that order from one generator.
    """
    rng = _rng(seed, "add_noise")
    lat, lon = position_noise(kin.lat, kin.lon, model.position_sigma_m, rng)
    return replace(
        kin, lat=lat, lon=lon,
        sog_kn=sog_noise(kin.sog_kn, model.sog_sigma_kn, rng),
        cog_deg=cog_noise(kin.cog_deg, model.cog_sigma_deg, rng),
        heading_deg=heading_noise(kin.heading_deg, model.heading_sigma_deg, rng))


def _rng(seed: Seed | None, what: str) -> np.random.Generator:
    if seed is None:
        raise TypeError(f"{what} needs a seed (an int or a numpy Generator), so that a run "
                        "can be reproduced")
    return np.random.default_rng(seed)


def _bounded(rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
    z: FloatArray = np.clip(rng.standard_normal(shape), -MAX_SIGMAS, MAX_SIGMAS)
    return z
