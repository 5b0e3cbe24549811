"""Times as the project writes them: microseconds since the Unix epoch, and ISO 8601 UTC
text ending in ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["EPOCH", "to_us", "utc_iso"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(when: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (exact, no float)."""
    return (when - EPOCH) // timedelta(microseconds=1)


def utc_iso(when: datetime) -> str:
    """UTC ISO 8601 text ending in ``Z`` (microseconds only when there are any)."""
    when = when.astimezone(UTC)
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{when.microsecond:06d}" if when.microsecond else "") + "Z"
