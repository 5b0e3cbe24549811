"""What the simulated receivers received: the two tables the output writers take.

One row per message as one station heard it. Units are in the names; ``NaN`` in a float
column means AIS "not available". The writers (:mod:`vesselwatch.simulate.output`) check a
table against these schemas and cast it; a missing column is an error naming it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.errors import InputError
from vesselwatch.model.schema import TS_MAX_US, TS_MIN_US

__all__ = ["RECEIVED_POSITIONS", "RECEIVED_STATICS", "conform"]

_TS = pa.timestamp("us", tz="UTC")

RECEIVED_POSITIONS = pa.schema(
    [
        pa.field("mmsi", pa.uint32(), nullable=False),
        pa.field("ts", _TS, nullable=False),  # whole seconds
        pa.field("msg_type", pa.uint8(), nullable=False),  # 1, 2, 3 (class A) or 18 (class B)
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("sog_kn", pa.float64()),
        pa.field("cog_deg", pa.float64()),
        pa.field("heading_deg", pa.float64()),
        pa.field("nav_status", pa.uint8()),  # 0-15; ignored for type 18
        pa.field("station", pa.string()),  # receiver id, e.g. "RU-VVO-1" or "SAT-2"
        pa.field("channel", pa.string()),  # "A" or "B"
    ]
)

RECEIVED_STATICS = pa.schema(
    [
        pa.field("mmsi", pa.uint32(), nullable=False),
        pa.field("ts", _TS, nullable=False),
        pa.field("msg_type", pa.uint8(), nullable=False),  # 5 (class A) or 24 (class B, parts A+B)
        pa.field("imo", pa.uint32()),  # 0 = none
        pa.field("name", pa.string()),
        pa.field("callsign", pa.string()),
        pa.field("ship_type", pa.uint8()),
        pa.field("to_bow", pa.uint16()),  # metres
        pa.field("to_stern", pa.uint16()),
        pa.field("to_port", pa.uint16()),
        pa.field("to_starboard", pa.uint16()),
        pa.field("draught_m", pa.float64()),
        pa.field("destination", pa.string()),
        pa.field("station", pa.string()),
        pa.field("channel", pa.string()),
    ]
)

_TYPES = {"positions": (1, 2, 3, 18), "statics": (5, 24)}


def conform(table: pa.Table, schema: pa.Schema, what: str) -> pa.Table:
    """``table`` with exactly the columns of ``schema``, cast to its types.

    ``what`` (``"positions"`` or ``"statics"``) names the table in errors. Raises
    :class:`InputError` for a missing column, a value that does not fit its type, a null
    in ``mmsi``/``ts``/``msg_type``, a message type the table cannot hold, and (naming the
    row) a value no receiver could have received: a time that is not a whole second or lies
    outside 1980-2099, a 10-digit MMSI, a latitude beyond 90, a station text that would
    break the NMEA tag block, ...
    """
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise InputError(
            f"received {what}: lacks the columns {missing}; found {table.column_names}; "
            f"build the table with vesselwatch.simulate.received.RECEIVED_{what.upper()}"
        )
    cols = []
    for f in schema:
        col = table.column(f.name)
        try:
            cols.append(col.cast(f.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InputError(
                f"received {what}: column {f.name!r} of type {col.type} does not fit "
                f"{f.type} ({exc}); fix the values or the column type"
            ) from None
        if not f.nullable and col.null_count:
            raise InputError(
                f"received {what}: column {f.name!r} has {col.null_count} nulls; every row "
                "needs an mmsi, a ts and a msg_type"
            )
    out = pa.table(cols, schema=schema)
    kinds = set(out.column("msg_type").unique().to_pylist())
    wrong = sorted(kinds - set(_TYPES[what]))
    if wrong:
        raise InputError(
            f"received {what}: message types {wrong} cannot be written; {what} hold types "
            f"{list(_TYPES[what])}"
        )
    _check(out, what)
    return out


def _first(bad: npt.NDArray[np.bool_]) -> int | None:
    hit = np.flatnonzero(bad)
    return int(hit[0]) if len(hit) else None


def _check(t: pa.Table, what: str) -> None:
    """Raise :class:`InputError` at the first value no receiver could have received."""

    def fail(row: int, col: str, why: str) -> InputError:
        value = t.column(col)[row].as_py()
        return InputError(f"received {what}, row {row}: {col}={value!r} {why}")

    us = np.asarray(t.column("ts").cast(pa.int64()).to_numpy(), dtype=np.int64)
    row = _first((us % 1_000_000) != 0)
    if row is not None:
        raise fail(row, "ts", "is not a whole second; AIS tag-block and CSV times carry whole "
                              "seconds: floor the times first")
    row = _first((us < TS_MIN_US) | (us >= TS_MAX_US))
    if row is not None:
        raise fail(row, "ts", "lies before 1980 or after 2099, which ingest rejects as bad_time")
    mmsi = np.asarray(t.column("mmsi").to_numpy(), dtype=np.int64)
    row = _first(mmsi > _MMSI_MAX)
    if row is not None:
        raise fail(row, "mmsi", "has more than 9 digits")
    for col, lo, hi in _RANGES[what]:
        x = np.asarray(pc.fill_null(t.column(col).cast(pa.float64()), np.nan).to_numpy(),
                       dtype=np.float64)
        with np.errstate(invalid="ignore"):
            row = _first(~np.isnan(x) & ~((x >= lo) & (x <= hi)))
        if row is not None:
            raise fail(row, col, f"is outside {lo}..{hi} (NaN or null: not available)")
    for col, pattern, hint in _TEXTS:
        text = pc.fill_null(t.column(col), "")
        ok = pc.match_substring_regex(text, pattern).to_numpy(zero_copy_only=False)
        row = _first(~np.asarray(ok, dtype=bool))
        if row is not None:
            raise fail(row, col, hint)


_MMSI_MAX = 999_999_999
_RANGES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "positions": (("lat", -90.0, 90.0), ("lon", -180.0, 180.0), ("sog_kn", 0.0, 1e6),
                  ("cog_deg", -1e6, 1e6), ("heading_deg", -1e6, 1e6), ("nav_status", 0, 15)),
    "statics": (("imo", 0, (1 << 30) - 1), ("draught_m", 0.0, 1e6)),
}
_TEXTS = (
    # printable ASCII without '!', '*', ',' and '\\'
    ("station", r"^[\x22-\x29\x2b\x2d-\x5b\x5d-\x7e]*$",
     "holds a blank, a character beyond ASCII or one of , * \\ ! which would break the NMEA "
     "tag block; use e.g. RU-VVO-1"),
    ("channel", r"^[AB12]?$", "is not a VHF channel: use A or B (or null)"),
)
