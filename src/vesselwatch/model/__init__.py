"""Canonical schemas and small typed records shared by every package."""

from vesselwatch.model.schema import (
    POSITIONS,
    QUARANTINE,
    SCHEMA_VERSION,
    VESSEL_REPORTS,
    RejectReason,
    Skip,
    TsSource,
)

__all__ = [
    "POSITIONS",
    "QUARANTINE",
    "SCHEMA_VERSION",
    "VESSEL_REPORTS",
    "RejectReason",
    "Skip",
    "TsSource",
]
