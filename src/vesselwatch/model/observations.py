"""Observations: evidence from outside AIS that analysts add to cases.

A satellite image, a rail shipment, a port record, a statement, a confirmation, a denial:
each has a time, a place and/or a vessel, a source, and the Admiralty grading used by NATO
(source reliability A-F, information credibility 1-6; STANAG 2511, AJP-2.1). The columns,
the scale's wording and the file formats are in ``docs/observations.md``; reading and
checking is ``vesselwatch.cases.observations``, keeping them ``vesselwatch.store.observations``.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

from vesselwatch.model.schema import TS

__all__ = [
    "CONTENT_COLUMNS",
    "CREDIBILITY",
    "KINDS",
    "OBSERVATIONS",
    "PARTY_KINDS",
    "RELIABILITY",
    "REQUIRED_COLUMNS",
    "WHERE_COLUMNS",
]

KINDS: Final = (
    "satellite_image",  # imagery: containers on a pier, a ship alongside, a ship at sea
    "rail_shipment",  # a train or wagons to or from a depot or port
    "port_record",  # a port authority's or agent's record of a call or cargo
    "statement",  # what a government, company or person says
    "confirmation",  # a statement that the transfer happened
    "denial",  # a statement that it did not
    "report",  # a published analysis (think tank, journalist, panel of experts)
    "other",
)
PARTY_KINDS: Final = ("statement", "confirmation", "denial")  # kinds where ``party`` speaks

# Admiralty grading (NATO AJP-2.1 / STANAG 2511): code -> wording
RELIABILITY: Final = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY: Final = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}

OBSERVATIONS = pa.schema([
    # given, or 16 hex digits of a hash of the content columns
    pa.field("observation_id", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),  # KINDS
    pa.field("ts", TS, nullable=False),  # when it was seen / said (start)
    pa.field("end_ts", TS),  # end of a span (a rail shipment, a stay alongside)
    pa.field("lat", pa.float64()),  # lat and lon together or neither
    pa.field("lon", pa.float64()),
    pa.field("place", pa.string()),  # a port id (UN/LOCODE, WPI) or a place name
    pa.field("mmsi", pa.uint32()),
    pa.field("imo", pa.uint32()),  # seven digits
    pa.field("vessel_name", pa.string()),
    pa.field("source", pa.string(), nullable=False),  # who produced it
    pa.field("party", pa.string()),  # statements, confirmations, denials: who states it
    pa.field("interested", pa.bool_(), nullable=False),  # party to the alleged transfer
    pa.field("reliability", pa.string(), nullable=False),  # Admiralty A-F
    pa.field("credibility", pa.int8(), nullable=False),  # Admiralty 1-6
    pa.field("claim", pa.string(), nullable=False),  # what it says, in words
    pa.field("url", pa.string()),
    pa.field("added_at", TS),  # when the store recorded it (null until stored)
])

# what an observation says: two rows with the same content are the same observation
CONTENT_COLUMNS: Final = tuple(n for n in OBSERVATIONS.names
                               if n not in ("observation_id", "added_at"))
REQUIRED_COLUMNS: Final = ("kind", "ts", "source", "reliability", "credibility", "claim")
# at least one of these places or names the vessel (lat and lon count together)
WHERE_COLUMNS: Final = ("lat", "place", "mmsi", "imo", "vessel_name")
