"""When a transponder transmits: position and static reports, at the ITU rates.

Nominal reporting intervals from Recommendation ITU-R M.1371-5 (02/2014), Annex 1,
Table 1 ("Class A shipborne mobile equipment reporting intervals") and the class B "CS"
rows of the same table; static and voyage data from §4.3.2 / Table 2 (every 6 min):

======================================================  ===========
class A, at anchor or moored, not faster than 3 kn       180 s
class A, 0-14 kn                                         10 s
class A, 14-23 kn                                        6 s
class A, faster than 23 kn                               2 s
class B "CS", not faster than 2 kn                       180 s
class B "CS", faster than 2 kn                           30 s
static/voyage data (msg 5, class A; msg 24, class B)     360 s
======================================================  ===========

Band edges belong to the slower band (14 kn: 10 s; 23 kn: 6 s; 2 kn for class B: 180 s),
give or take 1e-6 kn of floating-point noise.
The faster "changing course" rates (3 1/3 s and 2 s) are **not** modelled: course changes
in an itinerary are instantaneous turns at route points, with no rate of turn to trigger
them. "At anchor or moored" is a ``hold`` piece (its swinging never exceeds 0.25 kn); a
drifting ship is under way, so class A reports it every 10 s.

The rate is the one of the piece in force (its planned speed, and hold or not). Each
vessel starts at a random phase drawn from ``seed``; a report follows the previous one by
the interval in force at the previous report, except that when a new piece begins the next
report comes no later than one new interval after the piece's start (a ship weighing
anchor does not wait out the 3-minute interval). Times are whole epoch seconds (int64),
strictly increasing, in ``[t0, t1)``.
"""

from __future__ import annotations

import math
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from vesselwatch.errors import InputError
from vesselwatch.simulate.motion import Itinerary, Piece

__all__ = [
    "STATIC_INTERVAL_S",
    "AisClass",
    "piece_interval_s",
    "position_report_times",
    "report_interval_s",
    "static_report_times",
]

AisClass = Literal["A", "B"]
STATIC_INTERVAL_S: Final[int] = 360
"""Static and voyage data (message 5, class A; message 24, class B "CS"), seconds."""

# (upper speed bound in knots, inclusive; interval in seconds), by class
_CLASS_A_UNDER_WAY: Final = ((14.0, 10), (23.0, 6), (math.inf, 2))
_CLASS_A_ANCHORED: Final = ((3.0, 180), (math.inf, 10))
_CLASS_B: Final = ((2.0, 180), (math.inf, 30))
_SPEED_TOLERANCE_KN: Final = 1e-6  # a speed computed from an arrival time: 14.0000000001 is 14

Int64Array = npt.NDArray[np.int64]


def report_interval_s(ais_class: str, speed_kn: float, *, anchored: bool) -> int:
    """Nominal position-report interval (s) for a class at a speed (ITU-R M.1371-5 Table 1)."""
    cls = _check_class(ais_class)
    if cls == "A":
        table = _CLASS_A_ANCHORED if anchored else _CLASS_A_UNDER_WAY
    else:
        table = _CLASS_B
    for top, interval in table:
        if speed_kn <= top + _SPEED_TOLERANCE_KN:
            return interval
    raise ValueError(f"speed {speed_kn} kn is not a number")  # NaN


def piece_interval_s(ais_class: str, piece: Piece) -> int:
    """Interval in force during ``piece``: its planned speed, and whether it is a hold."""
    return report_interval_s(ais_class, piece.speed_kn, anchored=not piece.moving)


def position_report_times(itinerary: Itinerary, ais_class: str, t0: float, t1: float, *,
                          seed: int | np.random.Generator) -> Int64Array:
    """Whole seconds in ``[t0, t1)`` at which the transponder sends a position report.

    ``[t0, t1]`` must lie within the itinerary. ``seed`` sets the phase (a vessel's own
    seed, so two vessels do not transmit in step).
    """
    cls = _check_class(ais_class)
    if not (itinerary.start_s <= t0 <= itinerary.end_s and itinerary.start_s <= t1
            <= itinerary.end_s):
        raise ValueError(f"reports asked for [{t0}, {t1}) but itinerary {itinerary.name!r} "
                         f"runs from {itinerary.start_s:.0f} to {itinerary.end_s:.0f}; clip "
                         "the window to the itinerary")
    rng = np.random.default_rng(seed)
    lo, hi = math.ceil(t0), math.ceil(t1)  # whole seconds s with t0 <= s < t1
    if hi <= lo:
        return np.zeros(0, dtype=np.int64)
    parts: list[Int64Array] = []
    nxt: int | None = None
    for piece in itinerary.pieces:  # one step per piece, never per report
        a, b = max(math.ceil(piece.start_s), lo), min(math.ceil(piece.end_s), hi)
        if b <= a:
            continue
        interval = piece_interval_s(cls, piece)
        if nxt is None:
            nxt = a + int(rng.integers(0, interval))
        else:
            nxt = min(nxt, a + interval)
        times = np.arange(nxt, b, interval, dtype=np.int64)
        if times.size:
            parts.append(times)
            nxt = int(times[-1]) + interval
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def static_report_times(t0: float, t1: float, *, seed: int | np.random.Generator,
                        interval_s: int = STATIC_INTERVAL_S) -> Int64Array:
    """Whole seconds in ``[t0, t1)`` at which static/voyage data go out (every 6 min)."""
    if interval_s <= 0:
        raise ValueError(f"interval_s must be > 0, got {interval_s}")
    lo, hi = math.ceil(t0), math.ceil(t1)
    if hi <= lo:
        return np.zeros(0, dtype=np.int64)
    first = lo + int(np.random.default_rng(seed).integers(0, interval_s))
    return np.arange(first, hi, interval_s, dtype=np.int64)


def _check_class(ais_class: str) -> AisClass:
    cls = ais_class.strip().upper().removesuffix("-CS").removesuffix(" CS")
    if cls == "A":
        return "A"
    if cls == "B":
        return "B"
    raise InputError(f"AIS class {ais_class!r} is not known; give 'A' or 'B' (class B \"CS\")")
