"""A stable 64-bit hash (FNV-1a) over many byte strings at once, for the duplicate key.

Stable across library versions and machines, unlike the hash functions of dataframe
engines, so duplicates are recognised across ingests made months apart.
"""

from __future__ import annotations

import numpy as np

FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)


def fnv1a64_rows(chars: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """FNV-1a of each row of a 2-D ``uint8`` array, over its first ``lengths[i]`` bytes."""
    n, width = chars.shape
    h = np.full(n, FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(width):
            live = lengths > j
            if not live.any():
                break
            mixed = (h ^ chars[:, j].astype(np.uint64)) * FNV_PRIME
            h = np.where(live, mixed, h)
    return h
