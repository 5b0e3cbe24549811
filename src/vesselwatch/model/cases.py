"""Cases: a shipment hypothesis, the evidence for and against it, and its grade.

The likelihood scale is the one US intelligence analysis uses (ICD 203, "Analytic
Standards", 2015): seven terms with their probability ranges. Evidence from outside AIS
carries the Admiralty grading used by NATO (source reliability A-F, information
credibility 1-6; see ``model.observations``). ``docs/cases.md`` gives the rules.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["CASES", "EVIDENCE", "EVIDENCE_KINDS", "LIKELIHOOD", "LIKELIHOOD_RANGES"]

# ICD 203, section 6.b(2)(a): the terms, weakest first, and their ranges in percent
LIKELIHOOD = ("almost no chance", "very unlikely", "unlikely", "roughly even chance",
              "likely", "very likely", "almost certain")
LIKELIHOOD_RANGES = ((1, 5), (5, 20), (20, 45), (45, 55), (55, 80), (80, 95), (95, 99))

EVIDENCE_KINDS = (
    "voyage",  # AIS: port calls at both ends of the leg
    "dark_voyage",  # AIS: a gap from near one watched port to near the other
    "dark_period",  # AIS: gaps inside the leg (the transponder off or out of reach)
    "encounter",  # AIS: a meeting at sea during the leg
    "spoofing",  # AIS: a false position during the leg
    "identity_change",  # AIS: a new name, IMO, MMSI or flag around the leg
    "sanctions",  # a screening hit on the vessel (sanctioned or risk)
    "observation",  # outside evidence: imagery, rail, records, reports
    "confirmation",  # a statement confirming the shipment
    "denial",  # a statement denying it
)

_TS = pa.timestamp("us", tz="UTC")

CASES = pa.schema([
    pa.field("case_id", pa.string(), nullable=False),  # 16 hex digits of (mmsi, ports, start)
    # "leg": one vessel from port to port; "chain": from a port to a ship-to-ship transfer
    # at sea, and on in the other vessel to a port
    pa.field("case_kind", pa.string(), nullable=False),
    pa.field("mmsi", pa.uint32(), nullable=False),
    pa.field("vessel_name", pa.string()),
    pa.field("imo", pa.uint32()),
    pa.field("origin_port_id", pa.string(), nullable=False),
    pa.field("origin_port_name", pa.string()),
    pa.field("dest_port_id", pa.string(), nullable=False),
    pa.field("dest_port_name", pa.string()),
    pa.field("departed_ts", _TS, nullable=False),
    pa.field("arrived_ts", _TS, nullable=False),
    pa.field("hypothesis", pa.string(), nullable=False),  # in words
    pa.field("likelihood", pa.string(), nullable=False),  # a LIKELIHOOD term
    pa.field("likelihood_step", pa.int8(), nullable=False),  # its index, 0-6
    pa.field("reasons", pa.string(), nullable=False),  # JSON list: how the grade was reached
    pa.field("confirmed_by", pa.string()),  # JSON list of {party, ts, source}
    pa.field("denied_by", pa.string()),  # JSON list of {party, ts, source, interested}
    pa.field("dark_hours", pa.float64(), nullable=False),
    pa.field("other_vessels", pa.list_(pa.uint32())),  # met at sea during the leg
    pa.field("evidence", pa.string(), nullable=False),  # JSON list of EVIDENCE rows
])

EVIDENCE = pa.schema([
    pa.field("kind", pa.string(), nullable=False),  # EVIDENCE_KINDS
    pa.field("ref", pa.string(), nullable=False),  # event id, hit id or observation id
    pa.field("source", pa.string(), nullable=False),  # who produced it ("AIS" for events)
    pa.field("reliability", pa.string()),  # Admiralty A-F (AIS events: none)
    pa.field("credibility", pa.int8()),  # Admiralty 1-6
    pa.field("ts", _TS),
    pa.field("summary", pa.string(), nullable=False),
    pa.field("weight", pa.int8(), nullable=False),  # steps it may add (docs/cases.md)
    pa.field("party", pa.string()),  # confirmations and denials: who states it
    pa.field("interested", pa.bool_()),  # the party is a party to the alleged transfer
])
