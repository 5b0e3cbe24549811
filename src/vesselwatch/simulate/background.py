"""Real positions to mix a scenario into: a MarineCadastre-style CSV or a Parquet file.

Columns are found by name, case-insensitively: the MMSI (``MMSI``/``mmsi``), the time
(``BaseDateTime`` or ``ts``; ISO 8601 text without a zone is UTC), ``LAT``/``lat``,
``LON``/``lon`` and, where present, ``SOG``/``sog_kn``. Rows with a missing or impossible
value are left out and counted. The rows are taken as received and as observable: real
traffic has no ground truth of its own, so the truth file lists the simulated vessels it
covers and the benchmark scores only those.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.errors import InputError
from vesselwatch.model.schema import TS

__all__ = ["BackgroundRows", "read_background"]

_NAMES = {"mmsi": ("mmsi",), "ts": ("basedatetime", "ts"), "lat": ("lat",), "lon": ("lon",),
          "sog_kn": ("sog", "sog_kn")}


@dataclass(frozen=True)
class BackgroundRows:
    positions: pa.Table  # mmsi uint32, ts, lat, lon, sog_kn (float64; NaN when unknown)
    dropped: int  # rows left out (a value missing or impossible, or outside the window)
    vessels: int


def read_background(path: Path, *, start_s: int, end_s: int, shift_to_start: bool
                    ) -> BackgroundRows:
    """The positions of ``path`` inside [start, end) (after the shift, if asked)."""
    table = _read(path)
    lower = {name.lower(): name for name in table.column_names}
    cols: dict[str, pa.ChunkedArray] = {}
    for key, options in _NAMES.items():
        found = next((lower[o] for o in options if o in lower), None)
        if found is None and key != "sog_kn":
            raise InputError(f"{path}: no {key} column (looked for "
                             f"{', '.join(options)}); background traffic needs MMSI, time, "
                             "LAT and LON columns")
        if found is not None:
            cols[key] = table[found]
    ts = cols["ts"]
    if not pa.types.is_timestamp(ts.type):
        ts = _parse_times(ts.cast(pa.string()))
    t_us = np.asarray(pc.fill_null(ts.cast(pa.int64()), -1).to_numpy(), dtype=np.int64)
    if ts.type.unit != "us":
        t_us = np.where(t_us >= 0, t_us * {"s": 1_000_000, "ms": 1000, "ns": 1}[ts.type.unit]
                        // (1000 if ts.type.unit == "ns" else 1), -1)
    mmsi = _floats(cols["mmsi"])
    lat, lon = _floats(cols["lat"]), _floats(cols["lon"])
    sog = _floats(cols["sog_kn"]) if "sog_kn" in cols else np.full(len(lat), np.nan)
    ok = (np.isfinite(mmsi) & (mmsi > 0) & (mmsi <= 999_999_999) & np.isfinite(lat)
          & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180) & (t_us > 0))
    if shift_to_start and ok.any():
        t_us = t_us + (start_s * 1_000_000 - int(t_us[ok].min()))
    ok &= (t_us >= start_s * 1_000_000) & (t_us < end_s * 1_000_000)
    sog = np.where((sog >= 0) & (sog < 102.2), sog, np.nan)
    positions = pa.table({
        "mmsi": pa.array(mmsi[ok].astype(np.uint32)),
        "ts": pa.array(t_us[ok]).cast(TS), "lat": lat[ok], "lon": lon[ok], "sog_kn": sog[ok],
    })
    return BackgroundRows(positions, int((~ok).sum()),
                          len(np.unique(mmsi[ok])) if ok.any() else 0)


def _read(path: Path) -> pa.Table:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    try:
        with path.open("rb") as f:
            magic = f.read(4)
        if magic == b"PAR1":
            return pq.read_table(path)
        return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={"BaseDateTime": pa.string(), "ts": pa.string()}))
    except OSError as exc:
        raise InputError(f"{path}: cannot read background traffic ({exc})") from None
    except pa.ArrowInvalid as exc:
        raise InputError(f"{path}: not a CSV or Parquet file of positions ({exc})") from None


def _parse_times(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO 8601 text to UTC: with a zone (``Z``, ``+05:00``) as written, without one as UTC;
    unparsable text becomes null (the row is dropped and counted)."""
    zoned = pc.strptime(text, format="%Y-%m-%dT%H:%M:%S%z", unit="us", error_is_null=True)
    naive = pc.strptime(pc.utf8_slice_codeunits(text, 0, 19), format="%Y-%m-%dT%H:%M:%S",
                        unit="us", error_is_null=True)
    has_zone = pc.match_substring_regex(text, r"(Z|[+-]\d\d:?\d\d)$")
    naive_utc = pc.cast(naive.cast(pa.int64()), pa.timestamp("us", tz="UTC"))
    return pc.if_else(pc.fill_null(has_zone, False), zoned, naive_utc)


def _floats(col: pa.ChunkedArray) -> np.ndarray:
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        numeric = pc.match_substring_regex(col, r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
        col = pc.if_else(pc.fill_null(numeric, False), pc.utf8_trim_whitespace(col), None)
    try:
        arr = pc.cast(col, pa.float64(), safe=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        arr = pc.cast(pc.cast(col, pa.string()), pa.float64(), safe=False)
    return np.asarray(pc.fill_null(arr, np.nan).to_numpy(zero_copy_only=False),
                      dtype=np.float64)
