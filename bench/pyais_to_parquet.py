"""The baseline: decode an NMEA file with pyais and write its positions to Parquet.

What a careful pyais user would write to get the columns vesselwatch stores, and no more:

- read with ``pyais.FileReaderStream`` (it joins multi-part messages and attaches
  ``$PGHP`` sentences and tag blocks), with a preprocessor that takes a trailing
  ``,<epoch>`` receive time off a line (pyais would otherwise fail the checksum);
- drop sentences whose checksum is wrong (``msg.is_valid``), as vesselwatch does;
- decode each message; keep position reports (types 1, 2, 3, 4, 9, 18, 19, 27);
- ``ts``: the tag block ``c:`` time, else the ``$PGHP`` time pyais attached, else the
  trailing receive time, else ``--reference-time`` (the order vesselwatch uses);
- AIS "not available" values (lat 91, lon 181, sog 102.3, cog 360, heading 511) as nulls;
- write ``mmsi, ts, lat, lon, sog_kn, cog_deg, heading_deg, nav_status, msg_type`` with
  pyarrow.

Not done (vesselwatch does them; the ingest benchmark counts the difference): removing
exact duplicates, range checks (a row with lat 95 is written), the MMSI check, the
quarantine of bad lines with their reason, partitioning, the catalogue.

Run: ``python bench/pyais_to_parquet.py FILE --out positions.parquet``
"""

from __future__ import annotations

import argparse
import calendar
import itertools
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

POSITION_TYPES = frozenset((1, 2, 3, 4, 9, 18, 19, 27))
EPOCH_MS_MIN = 100_000_000_000  # a clock above this counts milliseconds
COLUMNS = ("mmsi", "ts", "lat", "lon", "sog_kn", "cog_deg", "heading_deg", "nav_status",
           "msg_type")


class TrailingTime:
    """pyais preprocessor: take a trailing ``,<epoch>`` off a line and remember it.

    pyais joins the parts of a message as it reads them, so when a message comes out,
    :attr:`last` holds the receive time of its last line (None when it had none).
    """

    def __init__(self) -> None:
        self.last: int | None = None

    def process(self, line: bytes) -> bytes:
        line = line.rstrip()
        star = line.rfind(b"*")
        if star >= 0 and len(line) > star + 4 and line[star + 3] == 44:  # "*hh,<epoch>"
            tail = line[star + 4 :]
            if tail.isdigit():
                v = int(tail)
                self.last = v if v >= EPOCH_MS_MIN else v * 1000
                return line[: star + 3]
        self.last = None
        return line


def _clock_ms(value: str) -> int | None:
    try:
        v = int(value)
    except (TypeError, ValueError):
        return None
    return v if v >= EPOCH_MS_MIN else v * 1000


def _na(value: Any, sentinel: float) -> Any:
    return None if value is None or abs(value - sentinel) < 1e-3 else value


def decode(stream: BinaryIO, *, reference_ms: int | None = None,
           positions_only: bool = True) -> tuple[dict[str, list[Any]], dict[str, int]]:
    """Decode ``stream`` with pyais: the columns (one list each) and counts."""
    from pyais.stream import BinaryIOStream

    cols: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    mmsi_c, ts_c, lat_c, lon_c = cols["mmsi"], cols["ts"], cols["lat"], cols["lon"]
    sog_c, cog_c, hdg_c, nav_c, type_c = (cols["sog_kn"], cols["cog_deg"], cols["heading_deg"],
                                          cols["nav_status"], cols["msg_type"])
    counts = {"messages": 0, "bad_checksum": 0, "decode_errors": 0, "rows": 0, "no_time": 0}
    trailing = TrailingTime()
    for msg in BinaryIOStream(stream, preprocessor=trailing):
        counts["messages"] += 1
        if not msg.is_valid:
            counts["bad_checksum"] += 1
            continue
        try:
            m = msg.decode()
            t = m.msg_type
        except Exception:
            counts["decode_errors"] += 1
            continue
        if positions_only and t not in POSITION_TYPES:
            continue
        ts = None
        tb = msg.tag_block
        if tb is not None:
            tb.init()
            ts = _clock_ms(tb.receiver_timestamp)
        if ts is None and msg.wrapper_msg is not None:
            w = msg.wrapper_msg.timestamp  # naive UTC datetime
            ts = calendar.timegm(w.timetuple()) * 1000 + w.microsecond // 1000
        if ts is None:
            ts = trailing.last if trailing.last is not None else reference_ms
        if ts is None:
            counts["no_time"] += 1
        lat = getattr(m, "lat", None)
        lon = getattr(m, "lon", None)
        sog = getattr(m, "speed", None)
        cog = getattr(m, "course", None)
        hdg = getattr(m, "heading", None)
        nav = getattr(m, "status", None)
        if t == 9:
            sog = _na(sog, 1023)
        elif t == 27:
            sog, cog = _na(sog, 63), _na(cog, 511)
        mmsi_c.append(m.mmsi)
        ts_c.append(ts)
        lat_c.append(_na(lat, 91.0))
        lon_c.append(_na(lon, 181.0))
        sog_c.append(_na(sog, 102.3))
        cog_c.append(_na(cog, 360.0))
        hdg_c.append(_na(hdg, 511))
        nav_c.append(None if nav is None else int(nav))
        type_c.append(t)
    counts["rows"] = len(mmsi_c)
    return cols, counts


def write_parquet(cols: dict[str, list[Any]], out: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "mmsi": pa.array(cols["mmsi"], pa.uint32()),
        "ts": pa.array(cols["ts"], pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
        "lat": pa.array(cols["lat"], pa.float64()),
        "lon": pa.array(cols["lon"], pa.float64()),
        "sog_kn": pa.array(cols["sog_kn"], pa.float32()),
        "cog_deg": pa.array(cols["cog_deg"], pa.float32()),
        "heading_deg": pa.array(cols["heading_deg"], pa.uint16()),
        "nav_status": pa.array(cols["nav_status"], pa.uint8()),
        "msg_type": pa.array(cols["msg_type"], pa.uint8()),
    })
    pq.write_table(table, out)


def parse_time_ms(text: str) -> int:
    when = datetime.fromisoformat(text)
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return int(when.timestamp() * 1000)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path, help="NMEA file")
    ap.add_argument("--out", type=Path, required=True, help="Parquet file to write")
    ap.add_argument("--reference-time", default=None,
                    help="ISO 8601 time for sentences with no clock (as vesselwatch's option)")
    ap.add_argument("--lines", type=int, default=None, help="read only the first N lines")
    ap.add_argument("--json", type=Path, default=None, help="also write the counts as JSON")
    args = ap.parse_args(argv)
    ref = parse_time_ms(args.reference_time) if args.reference_time else None
    counts_lines = count_lines(args.file, args.lines)  # before the clock starts
    began = time.perf_counter()
    with args.file.open("rb") as f:
        source: Any = f
        if args.lines is not None:
            source = _Prefix(f, args.lines)
        cols, counts = decode(source, reference_ms=ref)
    decoded = time.perf_counter()
    write_parquet(cols, args.out)
    done = time.perf_counter()
    summary: dict[str, Any] = {
        **counts, "lines": counts_lines, "seconds": round(done - began, 3),
        "decode_seconds": round(decoded - began, 3), "write_seconds": round(done - decoded, 3),
        "out": str(args.out),
    }
    print(f"pyais: {summary['lines']:,} lines, {summary['messages']:,} messages, "
          f"{summary['rows']:,} position rows to {args.out} in {summary['seconds']:.2f} s "
          f"(decode {summary['decode_seconds']:.2f} s, write {summary['write_seconds']:.2f} s)")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


def count_lines(path: Path, limit: int | None = None) -> int:
    """Lines of ``path`` (at most ``limit``); a last line without a newline counts."""
    n = 0
    last = b"\n"
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            n += block.count(b"\n")
            last = block[-1:]
            if limit is not None and n >= limit:
                return limit
    n += last != b"\n"
    return n if limit is None else min(n, limit)


class _Prefix:
    """The first ``n`` lines of a binary file, as pyais's BinaryIOStream reads it."""

    def __init__(self, f: BinaryIO, n: int) -> None:
        self._f, self._n = f, n

    def __iter__(self) -> Any:
        return itertools.islice(self._f, self._n)

    def close(self) -> None:
        self._f.close()


if __name__ == "__main__":
    sys.exit(main())
