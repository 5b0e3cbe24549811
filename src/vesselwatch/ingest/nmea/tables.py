"""The canonical positions and vessel-report tables of a buffer, from the decoder's buffers.

``_payload.decode_messages`` writes every column straight into its final buffer (values,
validity bitmap, null count, dictionary indices); here they become Arrow arrays without a
copy or a pass over the rows. The kernel has already applied the rules of
:mod:`vesselwatch.ingest.validate` ("not available" to null, range checks as rejects).
String columns that repeat come dictionary-encoded (see ``model.schema.wire_schema``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from vesselwatch.ingest.nmea import _payload  # type: ignore[attr-defined]
from vesselwatch.ingest.nmea.assemble import TS_SOURCES
from vesselwatch.ingest.nmea.decode import CLASS_NAMES
from vesselwatch.ingest.nmea.scan import gather_ranges
from vesselwatch.model.mmsi import ISSUE_NAMES
from vesselwatch.model.schema import POSITIONS, TS, VESSEL_REPORTS

_LABEL = pa.dictionary(pa.int32(), pa.string())
_CHANNELS = pa.array([chr(c) if 32 <= c < 127 else "?" for c in range(256)], pa.string())
_ISSUE_NAMES = pa.array(ISSUE_NAMES, pa.string())
_CLASS_NAMES = pa.array(CLASS_NAMES, pa.string())
_TS_SOURCES = pa.array(TS_SOURCES, pa.string())
_POSITION_BITMAPS = {name: i for i, name in enumerate(_payload.POSITION_BITMAPS)}
_REPORT_BITMAPS = {name: i for i, name in enumerate(_payload.REPORT_BITMAPS)}
_LABELS = ("ts_source", "ais_class", "mmsi_issue", "station", "channel", "source_id")


def _wire(canonical: pa.Schema) -> pa.Schema:
    """``canonical`` with the label columns dictionary-encoded."""
    return pa.schema([pa.field(f.name, _LABEL, f.nullable) if f.name in _LABELS else f
                      for f in canonical])


_POSITIONS_WIRE = _wire(POSITIONS)
_REPORTS_WIRE = _wire(VESSEL_REPORTS)


class _Columns:
    """Arrow arrays over the kernel's buffers of one table."""

    def __init__(self, values: dict[str, np.ndarray], rows: int, valid: np.ndarray,
                 valid_count: np.ndarray, bitmaps: dict[str, int]) -> None:
        self.values = values
        self.rows = rows
        self.valid = valid
        self.valid_count = valid_count
        self.bitmaps = bitmaps

    def validity(self, name: str) -> tuple[pa.Buffer | None, int]:
        """The validity bitmap of ``name`` (``None`` without nulls) and its null count."""
        if name not in self.bitmaps:
            return None, 0
        row = self.bitmaps[name]
        nulls = self.rows - int(self.valid_count[row])
        return (pa.py_buffer(self.valid[row]) if nulls else None), nulls

    def array(self, name: str, dtype: pa.DataType, data: np.ndarray | None = None,
              bitmap: str | None = None) -> pa.Array:
        values = self.values[name][: self.rows] if data is None else data[: self.rows]
        valid, nulls = self.validity(bitmap or name)
        return pa.Array.from_buffers(dtype, self.rows, [valid, pa.py_buffer(values)],
                                     null_count=nulls)

    def label(self, name: str, names: pa.Array) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(self.array(name, pa.int32()), names, safe=False)

    def text(self, name: str, data_bytes: int) -> pa.Array:
        offsets = self.values[f"{name}_offsets"][: self.rows + 1]
        data = self.values[f"{name}_data"][:data_bytes]
        valid, nulls = self.validity(name)
        return pa.Array.from_buffers(
            pa.string(), self.rows, [valid, pa.py_buffer(offsets), pa.py_buffer(data)],
            null_count=nulls)

    def common(self, source_id: str, stations: pa.Array) -> dict[str, pa.Array]:
        n = self.rows
        return {
            "mmsi": self.array("mmsi", pa.uint32()),
            "ts": self.array("ts", TS),
            "ts_source": self.label("ts_source", _TS_SOURCES),
            "received_ts": self.array("received_ts", TS),
            "station": self.label("station", stations),
            "source_id": pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, np.int32)), pa.array([source_id], pa.string())),
            "source_line": self.array("source_line", pa.int64()),
            "msg_hash": self.array("msg_hash", pa.uint64()),
        }


def stations(decoded: dict[str, Any], buf: np.ndarray) -> pa.Array:
    """The station dictionary of a buffer's messages: the distinct texts, in order of first
    appearance (the kernel's ranges into ``buf``)."""
    ranges = decoded["stations"]
    data, starts = gather_ranges(buf, ranges[0], ranges[1])
    offsets = np.append(starts, len(data)).astype(np.int32)
    return pa.Array.from_buffers(pa.string(), ranges.shape[1],
                                 [None, pa.py_buffer(offsets), pa.py_buffer(data)], null_count=0)


def position_table(decoded: dict[str, Any], source_id: str, station_names: pa.Array
                   ) -> pa.Table:
    """The positions of a buffer (``decoded``: what ``assemble.decode_messages`` returned)."""
    c = _Columns(decoded["positions"], decoded["position_rows"], decoded["position_valid"],
                 decoded["position_valid_count"], _POSITION_BITMAPS)
    common = c.common(source_id, station_names)
    cols = {
        **common,
        "lat": c.array("lat", pa.float64()),
        "lon": c.array("lon", pa.float64()),
        "sog_kn": c.array("sog_kn", pa.float32()),
        "cog_deg": c.array("cog_deg", pa.float32()),
        "heading_deg": c.array("heading_deg", pa.uint16()),
        "rot_deg_min": c.array("rot_deg_min", pa.float32()),
        "nav_status": c.array("nav_status", pa.uint8()),
        "position_accuracy": pa.Array.from_buffers(
            pa.bool_(), c.rows,
            [None, pa.py_buffer(c.valid[_POSITION_BITMAPS["position_accuracy"]])],
            null_count=0),
        "msg_type": c.array("msg_type", pa.uint8()),
        "ais_class": c.label("ais_class", _CLASS_NAMES),
        "mmsi_issue": c.label("mmsi_issue", _ISSUE_NAMES),
        "channel": c.label("channel", _CHANNELS),
    }
    return pa.Table.from_arrays([cols[f.name] for f in _POSITIONS_WIRE], schema=_POSITIONS_WIRE)


def report_table(decoded: dict[str, Any], source_id: str, station_names: pa.Array
                 ) -> pa.Table:
    """The vessel reports (types 5, 19, 24) of a buffer."""
    c = _Columns(decoded["reports"], decoded["report_rows"], decoded["report_valid"],
                 decoded["report_valid_count"], _REPORT_BITMAPS)
    dims = c.values["dims"]
    text_bytes = decoded["text_bytes"]
    cols = {
        **c.common(source_id, station_names),
        "msg_type": c.array("msg_type", pa.uint8()),
        "part": c.array("part", pa.uint8()),
        "ais_class": c.label("ais_class", _CLASS_NAMES),
        "mmsi_issue": c.label("mmsi_issue", _ISSUE_NAMES),
        "imo": c.array("imo", pa.uint32()),
        "name": c.text("name", text_bytes["name"]),
        "callsign": c.text("callsign", text_bytes["callsign"]),
        "ship_type": c.array("ship_type", pa.uint8()),
        "length_m": c.array("length_m", pa.float32()),
        "width_m": c.array("width_m", pa.float32()),
        "draught_m": c.array("draught_m", pa.float32()),
        "destination": c.text("destination", text_bytes["destination"]),
        "eta": c.array("eta", TS),
    }
    for i, name in enumerate(("to_bow_m", "to_stern_m", "to_port_m", "to_starboard_m")):
        cols[name] = c.array(name, pa.uint16(), data=dims[i], bitmap=name)
    return pa.Table.from_arrays([cols[f.name] for f in _REPORTS_WIRE], schema=_REPORTS_WIRE)
