"""What the compiled payload decoder covers, per AIS message type.

The bit layouts themselves live in ``_payload.pyx`` (``decode_payloads``).
"""

from __future__ import annotations

# The last bit read from a message of each type: a shorter payload is truncated.
MIN_BITS: dict[int, int] = {
    1: 137, 2: 137, 3: 137, 4: 134, 5: 420, 9: 128, 18: 133, 19: 301, 24: 160, 27: 94,
}
POSITION_TYPES = (1, 2, 3, 4, 9, 18, 19, 27)
REPORT_TYPES = (5, 19, 24)
AIS_CLASS = {1: "A", 2: "A", 3: "A", 5: "A", 27: "A", 18: "B", 19: "B", 24: "B"}
