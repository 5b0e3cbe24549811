"""Rows of the engine's tables as JSON the front end reads: times as ISO 8601 UTC with
``Z``, dates as ``YYYY-MM-DD``, absent or non-finite numbers as ``null``, JSON text columns
decoded. Pure functions; no I/O."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from starlette.responses import Response

from vesselwatch.model.times import utc_iso

__all__ = ["decode_json", "json_bytes", "json_response", "jsonable", "listing"]


def jsonable(value: Any) -> Any:
    """``value`` with every datetime, date, NaN and numpy scalar made JSON-safe (deep)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return jsonable(item())
    return str(value)


def decode_json(row: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """``row`` with the JSON text of ``keys`` decoded (a missing or null value stays)."""
    out = dict(row)
    for key in keys:
        text = out.get(key)
        if isinstance(text, str):
            out[key] = json.loads(text)
    return out


def json_bytes(data: Any) -> bytes:
    """Compact UTF-8 JSON of already JSON-safe ``data``."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def json_response(data: Any, status: int = 200) -> Response:
    """``data`` made JSON-safe, as an ``application/json`` answer."""
    return Response(json_bytes(jsonable(data)), status_code=status,
                    media_type="application/json")


def listing(items: list[Any], total: int | None = None, **extra: Any) -> Response:
    """A list answer: ``{"items": [...], "total": N}`` (``total`` before paging)."""
    return json_response({"items": items, "total": len(items) if total is None else total,
                          **extra})
