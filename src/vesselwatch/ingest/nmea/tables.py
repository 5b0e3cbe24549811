"""Turn decoded message columns into the canonical positions and vessel-report tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.ingest import validate
from vesselwatch.ingest.nmea import _payload  # type: ignore[attr-defined]
from vesselwatch.ingest.nmea import decode as dec
from vesselwatch.model.mmsi import ALLOWED_KINDS, ISSUE_NAMES, MID_ALLOCATED
from vesselwatch.model.schema import POSITIONS, TS, VESSEL_REPORTS, wire_schema


def _int(values: np.ndarray, dtype: pa.DataType, null_below: int = 0) -> pa.Array:
    return pa.array(values, dtype, mask=values < null_below)


def _ts(us: np.ndarray) -> pa.Array:
    return pa.array(us, pa.int64(), mask=us < 0).cast(TS)


def _text(chars: np.ndarray, rows: np.ndarray) -> pa.Array:
    """Rows ``rows`` of (n, k) 6-bit ASCII as strings: trailing ``@`` padding and blanks
    removed, empty -> null (compiled: ``_payload.text_buffers``)."""
    valid, offsets, data, nulls = _payload.text_buffers(
        np.ascontiguousarray(chars, np.uint8), np.ascontiguousarray(rows, np.int64))
    return pa.Array.from_buffers(
        pa.string(), len(rows), [pa.py_buffer(valid), pa.py_buffer(offsets), pa.py_buffer(data)],
        null_count=nulls)


def labels(codes: np.ndarray, names: pa.Array, null: np.ndarray | None = None) -> pa.Array:
    """Strings ``names[codes]``, dictionary-encoded (see ``model.schema.wire_schema``)."""
    idx = pa.array(codes.astype(np.int32, copy=False), pa.int32(), mask=null)
    return pa.DictionaryArray.from_arrays(idx, names)


_CHANNELS = pa.array([chr(c) if 32 <= c < 127 else "?" for c in range(256)], pa.string())
_ISSUE_NAMES = pa.array(ISSUE_NAMES, pa.string())


def _mmsi_issue(mmsi: np.ndarray, msg_type: np.ndarray) -> pa.Array:
    """``model.mmsi.mmsi_issue`` computed by the kernel's compiled twin of it."""
    code = _payload.mmsi_issue_codes(
        np.ascontiguousarray(mmsi, np.int64), np.ascontiguousarray(msg_type, np.int64),
        MID_ALLOCATED, ALLOWED_KINDS).astype(np.int32) - 1
    return labels(code, _ISSUE_NAMES, code < 0)


_CLASS_NAMES = pa.array(["A", "B"], pa.string())
_CLASS_CODE = np.array([{"A": 0, "B": 1}.get(dec.AIS_CLASS.get(t, ""), -1) for t in range(64)])


def _ais_class(msg_type: np.ndarray) -> pa.Array:
    code = _CLASS_CODE[np.clip(msg_type, 0, 63)]
    return labels(code, _CLASS_NAMES, code < 0)


def _common(common: dict[str, Any], rows: np.ndarray) -> dict[str, pa.Array]:
    channel = np.asarray(common["channel"])[rows]
    ts_source = np.asarray(common["ts_source"])[rows]
    return {
        "ts": _ts(np.asarray(common["ts"])[rows]),
        "ts_source": labels(ts_source, common["ts_sources"], ts_source < 0),
        "received_ts": _ts(np.asarray(common["received_ts"])[rows]),
        "station": pc.take(common["station"], pa.array(rows)),
        "channel": labels(channel, _CHANNELS, channel == 0),
        "source_id": labels(np.zeros(len(rows), np.int32), pa.array([common["source_id"]])),
        "source_line": pa.array(np.asarray(common["source_line"])[rows], pa.int64()),
        "msg_hash": pa.array(np.asarray(common["msg_hash"])[rows], pa.uint64()),
    }


def position_table(fields: dict[str, np.ndarray], rows: np.ndarray, common: dict[str, Any]
                   ) -> tuple[pa.Table, tuple[np.ndarray, np.ndarray]]:
    """Positions of the messages at ``rows``; also (message index, reason) of range rejects.

    The kernel has already applied the rules of :mod:`vesselwatch.ingest.validate` ("not
    available" to null, range checks as ``problem`` codes into ``validate.PROBLEMS``).
    """
    codes = fields["problem"][rows]
    bad = codes != 0
    bad_msgs = rows[bad]
    reasons = np.asarray(validate.PROBLEMS, dtype=object)[codes[bad]]
    rows = rows[~bad]
    msg_type = fields["msg_type"][rows]
    mmsi = fields["mmsi"][rows]
    heading = fields["heading_deg"][rows]
    nav_status = fields["nav_status"][rows]
    c = _common(common, rows)
    table = pa.table({
        "mmsi": pa.array(mmsi, pa.uint32()),
        "ts": c["ts"], "ts_source": c["ts_source"], "received_ts": c["received_ts"],
        "lat": pa.array(fields["lat"][rows], from_pandas=True),
        "lon": pa.array(fields["lon"][rows], from_pandas=True),
        "sog_kn": pa.array(fields["sog_kn"][rows], from_pandas=True),
        "cog_deg": pa.array(fields["cog_deg"][rows], from_pandas=True),
        "heading_deg": pa.array(heading.astype(np.uint16), mask=heading < 0),
        "rot_deg_min": pa.array(np.round(fields["rot_deg_min"][rows], 1), from_pandas=True),
        "nav_status": pa.array(nav_status.astype(np.uint8), mask=nav_status < 0),
        "position_accuracy": pa.array(fields["position_accuracy"][rows], pa.bool_()),
        "msg_type": pa.array(msg_type, pa.uint8()),
        "ais_class": _ais_class(msg_type),
        "mmsi_issue": _mmsi_issue(mmsi, msg_type),
        "station": c["station"], "channel": c["channel"], "source_id": c["source_id"],
        "source_line": c["source_line"], "msg_hash": c["msg_hash"],
    })
    return table.cast(wire_schema(table.schema, POSITIONS)), (bad_msgs, reasons)


def _eta(ts_us: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """The ETA (``parts``: month, day, hour, minute; no year) as the instant nearest the
    report time, -1 where not available (compiled: ``_payload.eta_us``).

    Month or day 0 means not available (null); hour 24 or minute 60 means the time of day
    is not available, so the ETA is taken as midnight of that day.
    """
    return np.asarray(_payload.eta_us(np.ascontiguousarray(ts_us, np.int64),
                                      np.ascontiguousarray(parts, np.int64)))


def report_table(fields: dict[str, np.ndarray], rows: np.ndarray, common: dict[str, Any]
                 ) -> pa.Table:
    """Vessel reports (types 5, 19, 24) of the messages at ``rows``."""
    msg_type = fields["msg_type"][rows]
    text_rows = fields["text_row"][rows]  # every report type carries text
    dims = fields["dims"][rows]
    eta_parts = fields["eta"][rows]
    ts = np.asarray(common["ts"])[rows]
    eta = _eta(ts, eta_parts)
    eta = np.where(msg_type == 5, eta, -1)
    length = np.where((dims[:, 0] > 0) & (dims[:, 1] > 0), dims[:, 0] + dims[:, 1], 0)
    width = np.where((dims[:, 2] > 0) & (dims[:, 3] > 0), dims[:, 2] + dims[:, 3], 0)
    draught = fields["draught_m"][rows]
    c = _common(common, rows)
    table = pa.table({
        "mmsi": pa.array(fields["mmsi"][rows], pa.uint32()),
        "ts": c["ts"], "ts_source": c["ts_source"], "received_ts": c["received_ts"],
        "msg_type": pa.array(msg_type, pa.uint8()),
        "part": _int(fields["part"][rows], pa.uint8()),
        "ais_class": _ais_class(msg_type),
        "mmsi_issue": _mmsi_issue(fields["mmsi"][rows], msg_type),
        "imo": _int(fields["imo"][rows], pa.uint32(), null_below=1),
        "name": _text(fields["name"], text_rows),
        "callsign": _text(fields["callsign"], text_rows),
        "ship_type": _int(fields["ship_type"][rows], pa.uint8(), null_below=1),
        "to_bow_m": _int(dims[:, 0], pa.uint16(), null_below=1),
        "to_stern_m": _int(dims[:, 1], pa.uint16(), null_below=1),
        "to_port_m": _int(dims[:, 2], pa.uint16(), null_below=1),
        "to_starboard_m": _int(dims[:, 3], pa.uint16(), null_below=1),
        "length_m": pa.array(length, pa.float32(), mask=length <= 0),
        "width_m": pa.array(width, pa.float32(), mask=width <= 0),
        "draught_m": pa.array(draught, pa.float32(), mask=draught <= 0),
        "destination": _text(fields["destination"], text_rows),
        "eta": _ts(eta),
        "station": c["station"], "source_id": c["source_id"], "source_line": c["source_line"],
        "msg_hash": c["msg_hash"],
    })
    return table.cast(wire_schema(table.schema, VESSEL_REPORTS))
