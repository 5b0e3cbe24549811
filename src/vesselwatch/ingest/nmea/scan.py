"""Byte-range helpers over a whole buffer at once."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.ingest.nmea import _lines  # type: ignore[attr-defined]


def take(buf: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``buf[idx]``, with 0 for indices outside the buffer."""
    inside = (idx >= 0) & (idx < len(buf))
    return np.where(inside, buf[np.where(inside, idx, 0)], 0)


def ranges_to_arrow(buf: np.ndarray, a: np.ndarray, b: np.ndarray) -> pa.Array:
    """The text of each range as an Arrow string array (null for empty ranges)."""
    data, starts = gather_ranges(buf, a, b)
    lengths = np.maximum(b - a, 0)
    offsets = np.concatenate([starts, [starts[-1] + lengths[-1]]] if len(a) else [[0]]).astype(np.int32)
    valid = lengths > 0
    arr = pa.Array.from_buffers(
        pa.binary(),
        len(a),
        [pa.py_buffer(np.packbits(valid, bitorder="little")), pa.py_buffer(offsets), pa.py_buffer(data)],
    )
    return pc.cast(arr, pa.string(), safe=False) if len(a) else pa.array([], pa.string())


def gather_ranges(buf: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate ``buf[a:b]`` for all ranges: the bytes and each range's new start."""
    data, starts = _lines.gather_ranges(buf, np.ascontiguousarray(a, dtype=np.int64),
                                         np.ascontiguousarray(b, dtype=np.int64))
    return data, starts
