"""What the compiled payload decoder covers, per AIS message type.

The bit layouts themselves live in ``_payload.pyx`` (``decode_messages``), which takes these
rules as :data:`TYPE_TABLE`.
"""

from __future__ import annotations

import numpy as np

# The last bit read from a message of each type: a shorter payload is truncated.
MIN_BITS: dict[int, int] = {
    1: 137, 2: 137, 3: 137, 4: 134, 5: 420, 9: 128, 18: 133, 19: 301, 24: 160, 27: 94,
}
POSITION_TYPES = (1, 2, 3, 4, 9, 18, 19, 27)
REPORT_TYPES = (5, 19, 24)
AIS_CLASS = {1: "A", 2: "A", 3: "A", 5: "A", 27: "A", 18: "B", 19: "B", 24: "B"}
CLASS_NAMES = ("A", "B")


def _type_table() -> np.ndarray:
    """One row per message type 0..63: minimum bits (at least the 38 of type and MMSI),
    flags (1 decoded, 2 a position, 4 a vessel report), class (index into CLASS_NAMES or -1).
    """
    table = np.zeros((64, 3), dtype=np.int16)
    for t in range(64):
        table[t, 0] = max(MIN_BITS.get(t, 0), 38)
        table[t, 1] = ((t in MIN_BITS) * 1 + (t in POSITION_TYPES) * 2
                       + (t in REPORT_TYPES) * 4)
        cls = AIS_CLASS.get(t)
        table[t, 2] = CLASS_NAMES.index(cls) if cls else -1
    return table


TYPE_TABLE = _type_table()
