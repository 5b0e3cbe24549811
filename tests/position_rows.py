"""Positions tables from plain rows, for the detector and oracle tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from vesselwatch.model.schema import POSITIONS


def positions_table(rows: Sequence[tuple[Any, ...]], source_id: str = "synthetic") -> pa.Table:
    """Rows (mmsi, ts_us, lat|None, lon|None, sog|None[, mmsi_issue]) in the POSITIONS
    schema; other columns null, ``source_line`` and ``msg_hash`` the row number."""
    n = len(rows)
    cols: dict[str, Any] = {
        "mmsi": [r[0] for r in rows],
        "ts": [r[1] for r in rows],
        "ts_source": ["csv"] * n,
        "lat": [r[2] for r in rows],
        "lon": [r[3] for r in rows],
        "sog_kn": [r[4] for r in rows],
        "mmsi_issue": [r[5] if len(r) > 5 else None for r in rows],
        "source_id": [source_id] * n,
        "source_line": list(range(n)),
        "msg_hash": list(range(n)),
    }
    arrays = [pa.array(cols[f.name], type=f.type) if f.name in cols else pa.nulls(n, f.type)
              for f in POSITIONS]
    return pa.Table.from_arrays(arrays, schema=POSITIONS)
