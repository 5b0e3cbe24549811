"""Small columnar helpers shared by the per-track detectors: runs, forward fill, spans."""

from __future__ import annotations

import numpy as np

from vesselwatch.detect.tracks import Tracks


def track_ends(starts: np.ndarray) -> np.ndarray:
    """Bool: the row is the last of its track, given the track-start flags."""
    ends = np.ones(len(starts), dtype=bool)
    if len(starts) > 1:
        ends[:-1] = starts[1:]
    return ends


def forward_fill(values: np.ndarray, defined: np.ndarray) -> np.ndarray:
    """``values`` where ``defined``, else the last defined value before (row 0 must be defined)."""
    idx = np.where(defined, np.arange(len(values)), 0)
    np.maximum.accumulate(idx, out=idx)
    return values[idx]


def run_bounds(key: np.ndarray, starts: np.ndarray, member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, last) row of each maximal run of equal ``key`` within a track, where ``member``.

    A run breaks at a track start, at a change of ``key`` and wherever ``member`` is false.
    """
    n = len(key)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    new = starts.copy()
    new[1:] |= key[1:] != key[:-1]
    new[1:] |= ~member[:-1]
    begins = np.flatnonzero(new & member)
    brk = np.ones(n, dtype=bool)  # the row ends a run
    brk[:-1] = new[1:] | ~member[1:]
    finish = np.flatnonzero(brk & member)
    return begins, finish


def prepared_for_detection(tracks: Tracks) -> Tracks:
    """Non-outlier rows ordered by (mmsi, seg, ts): what the per-track detectors scan."""
    rows = tracks.detection_rows()
    return tracks if rows is None else tracks.take(rows)


def speed_source(reported: np.ndarray) -> str:
    """``reported``, ``implied`` or ``mixed`` for a set of positions."""
    if reported.all():
        return "reported"
    return "implied" if not reported.any() else "mixed"


def iso(ts_us: int | np.integer | None) -> str | None:
    """An ISO 8601 UTC time for ``details`` (None stays None)."""
    if ts_us is None:
        return None
    return str(np.datetime64(int(ts_us), "us")) + "Z"
