"""Byte-range helpers over a whole buffer at once."""

from __future__ import annotations

import numpy as np

from vesselwatch.ingest.nmea import _lines  # type: ignore[attr-defined]


def take(buf: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``buf[idx]``, with 0 for indices outside the buffer."""
    inside = (idx >= 0) & (idx < len(buf))
    return np.where(inside, buf[np.where(inside, idx, 0)], 0)


def gather_ranges(buf: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate ``buf[a:b]`` for all ranges: the bytes and each range's new start."""
    data, starts = _lines.gather_ranges(buf, np.ascontiguousarray(a, dtype=np.int64),
                                         np.ascontiguousarray(b, dtype=np.int64))
    return data, starts
