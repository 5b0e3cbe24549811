"""The AIS 6-bit payload armouring (ITU-R M.1371-5, Annex 8, Table 47).

A payload character ``c`` carries six bits: ``c - 48``, minus 8 more when that is above 40.
"""

from __future__ import annotations

import numpy as np

INVALID = np.uint8(255)


def _armour_table() -> np.ndarray:
    lut = np.full(256, INVALID, dtype=np.uint8)
    for c in range(48, 88):  # '0'..'W'
        lut[c] = c - 48
    for c in range(96, 120):  # '`'..'w'
        lut[c] = c - 56
    return lut


SIX_LUT = _armour_table()
