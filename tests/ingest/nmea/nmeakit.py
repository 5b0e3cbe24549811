"""Helpers for the NMEA reader tests: read bytes in one call, build sentences by hand.

Not a test module. The pyais comparison lives in ``pyais_oracle.py``.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from functools import reduce

import pyarrow as pa

from vesselwatch.ingest.batch import Batch
from vesselwatch.ingest.nmea import read_nmea
from vesselwatch.ingest.nmea.reader import DEFAULT_CHUNK_BYTES

# 2012-01-31 00:00:00 UTC: the reference time the tests pass, in microseconds
REFERENCE_US = 1_327_968_000 * 1_000_000


@dataclass
class Result:
    """Every batch of one ``read_nmea`` call, concatenated."""

    positions: pa.Table
    vessel_reports: pa.Table
    rejects: pa.Table
    skipped: Counter[str] = field(default_factory=Counter)
    lines: int = 0
    parts_joined: int = 0
    batches: int = 0

    def rejects_by_line(self) -> dict[int, str]:
        """``{source_line: reason}`` of every reject."""
        return dict(zip(self.rejects.column("source_line").to_pylist(),
                        self.rejects.column("reason").to_pylist(), strict=True))

    def accounted(self) -> int:
        """Lines accounted for, as ``Batch``'s docstring promises (type 19 counted once)."""
        type19 = sum(1 for t in self.vessel_reports.column("msg_type").to_pylist() if t == 19)
        return (self.positions.num_rows + self.vessel_reports.num_rows - type19
                + self.parts_joined + self.rejects.num_rows + sum(self.skipped.values()))


def read(data: bytes, *, reference_us: int | None = REFERENCE_US, strict: bool = False,
         chunk_bytes: int = DEFAULT_CHUNK_BYTES, window_lines: int = 200) -> Result:
    """``read_nmea`` over ``data``, all batches joined."""
    batches = list(read_nmea(io.BytesIO(data), "test", path="test.nmea",
                             reference_us=reference_us, strict=strict,
                             chunk_bytes=chunk_bytes, window_lines=window_lines))
    skipped: Counter[str] = Counter()
    for b in batches:
        skipped.update(b.skipped)
    if not batches:
        batches = [Batch()]
    return Result(
        positions=pa.concat_tables([b.positions for b in batches]),
        vessel_reports=pa.concat_tables([b.vessel_reports for b in batches]),
        rejects=pa.concat_tables([b.rejects for b in batches]),
        skipped=+skipped,  # without the zero counts
        lines=sum(b.lines for b in batches),
        parts_joined=sum(b.parts_joined for b in batches),
        batches=len(batches),
    )


def checksum(body: str) -> str:
    """Two hex digits: XOR of the characters between the start character and ``*``."""
    return format(reduce(lambda acc, ch: acc ^ ord(ch), body, 0), "02X")


def sentence(payload: str, *, fill: int = 0, total: int = 1, num: int = 1, seq: str = "",
             channel: str = "A", talker: str = "AI", kind: str = "VDM") -> str:
    """One ``!ccVDM`` sentence with a correct checksum."""
    body = f"{talker}{kind},{total},{num},{seq},{channel},{payload},{fill}"
    return f"!{body}*{checksum(body)}"


def tag_block(**fields: str) -> str:
    """A tag block ``\\k:v,...*hh\\`` with a correct checksum (keys in the order given)."""
    body = ",".join(f"{k}:{v}" for k, v in fields.items())
    return f"\\{body}*{checksum(body)}\\"


def pghp(y: int, mo: int, d: int, h: int, mi: int, s: int, ms: int, target: str,
         station: str = "2190064") -> str:
    """A Gatehouse ``$PGHP,1,...`` time sentence bound to the checksum ``target``."""
    body = f"PGHP,1,{y},{mo},{d},{h},{mi},{s},{ms},219,,{station},1,{target}"
    return f"${body}*{checksum(body)}"


def checksum_of(line: str) -> str:
    """The checksum field (two hex digits) of a sentence."""
    return line.split("*")[-1][:2]


def u(value: int, width: int) -> str:
    """``value`` as ``width`` bits, two's complement for negatives."""
    return format(value & ((1 << width) - 1), f"0{width}b")


def armour(bits: str) -> tuple[str, int]:
    """Bits to AIS payload characters (ITU-R M.1371 6-bit armouring) and fill-bit count."""
    fill = (-len(bits)) % 6
    bits += "0" * fill
    values = [int(bits[i : i + 6], 2) for i in range(0, len(bits), 6)]
    return "".join(chr(v + 48 if v < 40 else v + 56) for v in values), fill


def six_bit_text(text: str, nchars: int) -> str:
    """AIS 6-bit text, padded with ``@``."""
    return "".join(u(ord(c) - 64 if ord(c) >= 64 else ord(c), 6)
                   for c in text.upper().ljust(nchars, "@")[:nchars])
