"""The canonical event table: what every detector returns and the store keeps.

One row per event. Definitions of every event type, their thresholds and the meaning of
``confidence`` live in ``docs/events.md``; ``tests/detect/test_events_doc.py`` keeps the doc,
this schema and the defaults of :mod:`vesselwatch.detect.config` in step.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

import numpy as np
import pyarrow as pa

from vesselwatch.model.schema import TS


class EventType(StrEnum):
    """Event types; names follow Global Fishing Watch where GFW has one."""

    PORT_VISIT = "port_visit"
    GAP = "gap"
    ENCOUNTER = "encounter"
    LOITERING = "loitering"
    SPOOFING = "spoofing"
    IDENTITY_CHANGE = "identity_change"
    VOYAGE = "voyage"
    DARK_VOYAGE = "dark_voyage"


# A stable small code per type, part of the event id (never renumber; append only).
TYPE_CODE: dict[str, int] = {
    EventType.PORT_VISIT: 1,
    EventType.GAP: 2,
    EventType.ENCOUNTER: 3,
    EventType.LOITERING: 4,
    EventType.SPOOFING: 5,
    EventType.IDENTITY_CHANGE: 6,
    EventType.VOYAGE: 7,
    EventType.DARK_VOYAGE: 8,
}

EVENTS = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("event_type", pa.string(), nullable=False),
        pa.field("mmsi", pa.uint32(), nullable=False),
        pa.field("other_mmsi", pa.uint32()),  # the other vessel of an encounter
        pa.field("start_ts", TS, nullable=False),
        pa.field("end_ts", TS),  # null while the event is open
        pa.field("duration_s", pa.float64()),  # null while open
        pa.field("lat", pa.float64()),  # a representative position
        pa.field("lon", pa.float64()),
        pa.field("port_id", pa.string()),
        pa.field("port_name", pa.string()),
        pa.field("confidence", pa.uint8(), nullable=False),  # 1 (weakest) .. 4 (strongest)
        pa.field("params", pa.string(), nullable=False),  # JSON: the thresholds used
        pa.field("details", pa.string(), nullable=False),  # JSON: type-specific fields
    ]
)

_MASK64 = (1 << 64) - 1


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser over uint64 values (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        out: np.ndarray = x ^ (x >> np.uint64(31))
        return out


def _text_key(values: Sequence[str | None]) -> np.ndarray:
    """A stable 64-bit key per string (FNV-1a of its UTF-8 bytes; 0 for None)."""
    out = np.zeros(len(values), dtype=np.uint64)
    for i, v in enumerate(values):
        if v:
            h = 0xCBF29CE484222325
            for b in v.encode():
                h = ((h ^ b) * 0x100000001B3) & _MASK64
            out[i] = h
    return out


def event_ids(
    event_type: str,
    mmsi: np.ndarray,
    start_ts_us: np.ndarray,
    other_mmsi: np.ndarray | None = None,
    key: Sequence[str | None] | None = None,
) -> list[str]:
    """Stable, deterministic ids: 16 hex digits from type, vessel(s), start and a key.

    The id never depends on ``end_ts``, so an open event keeps its id when it closes.
    ``key`` separates events of one vessel that start at the same moment (a port id, a
    spoofing kind, an identity field).
    """
    n = len(mmsi)
    h = np.full(n, np.uint64(TYPE_CODE[event_type]), dtype=np.uint64)
    parts = [np.asarray(mmsi, dtype=np.uint64), np.asarray(start_ts_us, dtype=np.int64).view(np.uint64)]
    if other_mmsi is not None:
        parts.append(np.asarray(other_mmsi, dtype=np.uint64))
    if key is not None:
        parts.append(_text_key(key))
    with np.errstate(over="ignore"):
        for part in parts:
            h = _mix(h * np.uint64(0x9E3779B97F4A7C15) + part)
    return [f"{int(v):016x}" for v in h]


def params_json(params: Mapping[str, Any]) -> str:
    """The thresholds of a run as canonical JSON (sorted keys), echoed into each event."""
    return json.dumps(dict(params), sort_keys=True, separators=(",", ":"))


def details_json(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Type-specific fields as JSON, one per event; NaN and inf become null."""
    return [json.dumps({k: _jsonable(v) for k, v in r.items()}, sort_keys=True,
                       separators=(",", ":")) for r in rows]


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


def events_table(columns: Mapping[str, Any]) -> pa.Table:
    """An EVENTS table from a mapping of column name to values (missing columns are null)."""
    n = len(columns["mmsi"])
    arrays = []
    for f in EVENTS:
        if f.name in columns:
            values = columns[f.name]
            if isinstance(values, pa.Array | pa.ChunkedArray):
                arrays.append(values.cast(f.type))
            else:
                arrays.append(pa.array(values, type=f.type))
        else:
            arrays.append(pa.nulls(n, type=f.type))
    return pa.Table.from_arrays(arrays, schema=EVENTS)


def sort_events(table: pa.Table) -> pa.Table:
    """Events in their canonical order: (mmsi, start_ts, event_type, event_id)."""
    return table.sort_by([("mmsi", "ascending"), ("start_ts", "ascending"),
                          ("event_type", "ascending"), ("event_id", "ascending")])
