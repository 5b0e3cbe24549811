"""Canonical Arrow schemas: every reader produces these, the store keeps them.

Units are in the column names. Times are UTC, microseconds. The documentation of each
column lives in ``docs/schema.md``; ``tests/model/test_schema_doc.py`` keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum

import pyarrow as pa

SCHEMA_VERSION = 1

TS = pa.timestamp("us", tz="UTC")

# Plausible report times: none before 1980 (no AIS), none from 2100 on. Outside: bad_time.
TS_MIN_US = 315_532_800 * 1_000_000  # 1980-01-01T00:00:00Z
TS_MAX_US = 4_102_444_800 * 1_000_000  # 2100-01-01T00:00:00Z


class TsSource(StrEnum):
    """Which clock gave a row its ``ts``."""

    TAG_BLOCK = "tag_block"  # IEC 61162-450 tag block ``c:`` field
    PGHP = "pghp"  # Gatehouse ``$PGHP`` sentence bound to the AIS sentence
    TRAILING = "trailing"  # trailing ``,<epoch ms>`` receive time after the checksum
    REFERENCE = "reference"  # the reference time the user passed
    CSV = "csv"  # the time column of a CSV export
    PARQUET = "parquet"  # carried over from a canonical Parquet file


class RejectReason(StrEnum):
    """Why an input line or row was quarantined. Documented in ``docs/schema.md``."""

    BAD_FORMAT = "bad_format"  # not a sentence / row of the expected shape
    BAD_CHECKSUM = "bad_checksum"  # NMEA checksum does not match
    BAD_TAG_BLOCK = "bad_tag_block"  # tag block malformed or its checksum wrong
    LINE_TOO_LONG = "line_too_long"  # longer than the reader's line limit
    ORPHAN_FRAGMENT = "orphan_fragment"  # a part of a multi-sentence message never completed
    BAD_PAYLOAD = "bad_payload"  # payload has characters outside the AIS 6-bit alphabet
    TRUNCATED_PAYLOAD = "truncated_payload"  # payload shorter than its message type needs
    UNKNOWN_MSG_TYPE = "unknown_msg_type"  # message type 0 or above 27
    NO_TIMESTAMP = "no_timestamp"  # no clock for the sentence and no reference time
    BAD_TIME = "bad_time"  # a time that cannot be parsed or is out of range
    BAD_MMSI = "bad_mmsi"  # missing, non-numeric or longer than 9 digits
    BAD_POSITION = "bad_position"  # latitude/longitude outside the earth (and not "n/a")
    BAD_VALUE = "bad_value"  # sog/cog/heading out of range (and not "n/a")


class Skip(StrEnum):
    """Lines that are not bad but carry nothing for the store: counted, never quarantined."""

    NON_AIS_SENTENCE = "non_ais_sentence"  # other NMEA talkers ($GPVTG, $BSALR, ...)
    OTHER_MSG_TYPE = "other_msg_type"  # valid AIS types vesselwatch does not store yet
    EMPTY_LINE = "empty_line"
    HEADER = "header"  # CSV header / comment lines
    EMPTY_PAYLOAD = "empty_payload"  # a sentence with an empty payload field
    TIME_SENTENCE = "time_sentence"  # a $PGHP line: its time went to an AIS sentence


POSITIONS = pa.schema(
    [
        pa.field("mmsi", pa.uint32(), nullable=False),
        pa.field("ts", TS, nullable=False),
        pa.field("ts_source", pa.string(), nullable=False),
        pa.field("received_ts", TS),
        pa.field("lat", pa.float64()),  # null where "not available" (91)
        pa.field("lon", pa.float64()),  # null where "not available" (181)
        pa.field("sog_kn", pa.float32()),
        pa.field("cog_deg", pa.float32()),
        pa.field("heading_deg", pa.uint16()),
        pa.field("rot_deg_min", pa.float32()),
        pa.field("nav_status", pa.uint8()),
        pa.field("position_accuracy", pa.bool_()),
        pa.field("msg_type", pa.uint8()),
        pa.field("ais_class", pa.string()),
        pa.field("mmsi_issue", pa.string()),
        pa.field("station", pa.string()),
        pa.field("channel", pa.string()),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("source_line", pa.int64(), nullable=False),
        pa.field("msg_hash", pa.uint64(), nullable=False),
    ]
)

VESSEL_REPORTS = pa.schema(
    [
        pa.field("mmsi", pa.uint32(), nullable=False),
        pa.field("ts", TS, nullable=False),
        pa.field("ts_source", pa.string(), nullable=False),
        pa.field("received_ts", TS),
        pa.field("msg_type", pa.uint8()),
        pa.field("part", pa.uint8()),  # type 24 part number (0 = A, 1 = B)
        pa.field("ais_class", pa.string()),
        pa.field("mmsi_issue", pa.string()),
        pa.field("imo", pa.uint32()),
        pa.field("name", pa.string()),
        pa.field("callsign", pa.string()),
        pa.field("ship_type", pa.uint8()),
        pa.field("to_bow_m", pa.uint16()),
        pa.field("to_stern_m", pa.uint16()),
        pa.field("to_port_m", pa.uint16()),
        pa.field("to_starboard_m", pa.uint16()),
        pa.field("length_m", pa.float32()),
        pa.field("width_m", pa.float32()),
        pa.field("draught_m", pa.float32()),
        pa.field("destination", pa.string()),
        pa.field("eta", TS),
        pa.field("station", pa.string()),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("source_line", pa.int64(), nullable=False),
        pa.field("msg_hash", pa.uint64(), nullable=False),
    ]
)

QUARANTINE = pa.schema(
    [
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("source_line", pa.int64(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        pa.field("raw", pa.string()),  # the original line, first RAW_KEEP_CHARS characters
        pa.field("raw_len", pa.int64()),  # its full length in bytes
    ]
)

RAW_KEEP_CHARS = 4096

TABLES: dict[str, pa.Schema] = {
    "positions": POSITIONS,
    "vessel_reports": VESSEL_REPORTS,
    "quarantine": QUARANTINE,
}


def wire_schema(rows: pa.Schema, canonical: pa.Schema) -> pa.Schema:
    """``canonical``, but keeping the dictionary encoding of string columns that ``rows`` has.

    Readers may deliver a string column dictionary-encoded (``ts_source``, ``ais_class``,
    ``channel``, ``source_id``...): the values are the same, the rows are smaller and
    cheaper to sort. Everything downstream treats such a column as a string column.
    """
    fields = []
    for f in canonical:
        i = rows.get_field_index(f.name)
        given = rows.field(i).type if i >= 0 else None
        if (given is not None and pa.types.is_dictionary(given) and f.type == pa.string()
                and given.value_type == pa.string()):
            fields.append(pa.field(f.name, given, f.nullable))
        else:
            fields.append(f)
    return pa.schema(fields)


def plain(table: pa.Table) -> pa.Table:
    """``table`` with every dictionary-encoded column decoded to its value type."""
    fields = [pa.field(f.name, f.type.value_type, f.nullable) if pa.types.is_dictionary(f.type)
              else f for f in table.schema]
    return table.cast(pa.schema(fields))


def empty(schema: pa.Schema) -> pa.Table:
    """A table with no rows in ``schema``."""
    return schema.empty_table()
