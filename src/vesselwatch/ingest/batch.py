"""What a reader yields: canonical tables for one slice of an input, plus its counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from vesselwatch.model.schema import POSITIONS, QUARANTINE, RAW_KEEP_CHARS, VESSEL_REPORTS


@dataclass
class Batch:
    """Decoded rows of one slice of an input file.

    ``lines`` counts the input lines (or CSV rows) the slice consumed, so a caller can show
    progress and check that every line is accounted for: each one is a position, a vessel
    report, part of a multi-sentence message, a quarantined reject or a counted skip:
    ``lines == len(positions) + len(vessel_reports) + parts_joined + len(rejects)
    + sum(skipped.values())``, except that a type 19 message gives one row of each.
    """

    positions: pa.Table = field(default_factory=POSITIONS.empty_table)
    vessel_reports: pa.Table = field(default_factory=VESSEL_REPORTS.empty_table)
    rejects: pa.Table = field(default_factory=QUARANTINE.empty_table)
    skipped: Counter[str] = field(default_factory=Counter)
    lines: int = 0
    parts_joined: int = 0  # lines that were parts 2..N of a multi-sentence message
    bytes_read: int = 0


def quarantine_table(
    source_id: str,
    lines: np.ndarray,
    reasons: list[str] | np.ndarray,
    raw: list[bytes] | list[str],
    details: list[str | None] | None = None,
) -> pa.Table:
    """Build quarantine rows; ``raw`` holds the original lines (bytes or text)."""
    texts: list[str] = []
    lengths: list[int] = []
    for r in raw:
        b = r if isinstance(r, bytes) else r.encode("utf-8", "surrogateescape")
        lengths.append(len(b))
        texts.append(b[: RAW_KEEP_CHARS * 4].decode("utf-8", "replace")[:RAW_KEEP_CHARS])
    n = len(texts)
    return pa.table(
        {
            "source_id": pa.array([source_id] * n, pa.string()),
            "source_line": pa.array(np.asarray(lines, dtype=np.int64)),
            "reason": pa.array(list(reasons), pa.string()),
            "detail": pa.array(details if details is not None else [None] * n, pa.string()),
            "raw": pa.array(texts, pa.string()),
            "raw_len": pa.array(lengths, pa.int64()),
        },
        schema=QUARANTINE,
    )
