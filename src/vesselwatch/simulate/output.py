"""Write what the simulated receivers received as NMEA, with known damage.

CSV and Parquet are in :mod:`vesselwatch.simulate.output_rows`, what the writers share in
:mod:`vesselwatch.simulate.writing`. Every writer orders its output by (``ts``, positions before statics, input row), spoils a
``corrupt_share`` of the messages (rows) in ways whose quarantine reason in ``vesselwatch
ingest`` is known, repeats a ``duplicate_share`` of the others exactly a few lines later (as
merged feeds do), and reports precisely what it did (:class:`OutputReport`). The same input
and ``seed`` give the same bytes.

Damage, by format (kind -> the reject reason ``vesselwatch ingest`` gives):

NMEA (one kind per message; the line is the message's first line)
    ``checksum`` -> bad_checksum, ``tag_checksum`` -> bad_tag_block, ``tag_time`` (a letter
    in the tag block's ``c:``) -> bad_time, ``cut_line`` (the sentence cut in half) ->
    bad_format, ``missing_part`` (part 2 of a two-sentence message dropped) ->
    orphan_fragment, ``truncated_payload`` (checksum recomputed) -> truncated_payload,
    ``bad_character`` (``X`` in the payload, checksum recomputed) -> bad_payload,
    ``impossible_position`` (latitude 95 encoded) -> bad_position.
NOAA CSV (line numbers count the header as line 1)
    ``time_text`` (hour 25) -> bad_time, ``impossible_position`` (LAT 95) -> bad_position,
    ``mmsi_text`` (a digit written as the letter O) -> bad_mmsi, ``speed_out_of_range``
    (SOG 150) -> bad_value, ``cut_row`` (only the first five fields) -> bad_format.
Parquet (line = 1-based row number)
    ``clock_reset`` (the time of day on 1970-01-01) -> bad_time, ``impossible_position`` ->
    bad_position, ``mmsi_10_digits`` (MMSI + 1,000,000,000) -> bad_mmsi,
    ``speed_out_of_range`` -> bad_value.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vesselwatch.model.schema import RejectReason
from vesselwatch.simulate import encode as enc
from vesselwatch.simulate.received import RECEIVED_POSITIONS, RECEIVED_STATICS, conform
from vesselwatch.simulate.writing import (
    OutputReport,
    arrange,
    check_shares,
    choose,
    corrupt_table,
    duplicates,
    repeats,
    substitute,
    write_bytes,
)

__all__ = ["NMEA_KINDS", "write_nmea"]

I64 = npt.NDArray[np.int64]
R = RejectReason

NMEA_KINDS: dict[str, RejectReason] = {
    "checksum": R.BAD_CHECKSUM, "tag_checksum": R.BAD_TAG_BLOCK, "tag_time": R.BAD_TIME,
    "cut_line": R.BAD_FORMAT, "missing_part": R.ORPHAN_FRAGMENT,
    "truncated_payload": R.TRUNCATED_PAYLOAD, "bad_character": R.BAD_PAYLOAD,
    "impossible_position": R.BAD_POSITION,
}

# -- NMEA ---------------------------------------------------------------------------------


def write_nmea(positions: pa.Table, statics: pa.Table, path: str | os.PathLike[str], *,
               seed: int, corrupt_share: float = 0.001,
               duplicate_share: float = 0.005) -> OutputReport:
    """Write every received message as NMEA sentences behind IEC 61162-450 tag blocks.

    ``\\s:<station>,c:<epoch s>*hh\\!AIVDM,...``; two-sentence messages (type 5) carry
    ``g:<n>-2-<group id>`` (ids count from 1 in file order) and the sequence id
    ``group id % 10``. A type 24 row becomes part A and part B, at the same time. The damage
    is listed in the module's documentation.
    """
    check_shares(corrupt_share, duplicate_share)
    msgs = enc.nmea_messages(conform(positions, RECEIVED_POSITIONS, "positions"),
                             conform(statics, RECEIVED_STATICS, "statics"))
    n = len(msgs)
    rng = np.random.default_rng(seed)
    single = np.flatnonzero(msgs.nparts == 1)
    pools = {k: single for k in ("checksum", "tag_checksum", "tag_time", "cut_line")}
    pools["missing_part"] = np.flatnonzero(msgs.nparts > 1)
    pools["truncated_payload"] = pools["bad_character"] = np.arange(n, dtype=np.int64)
    pools["impossible_position"] = np.flatnonzero(np.isin(msgs.msg_type, (1, 2, 3, 18)))
    spoilt, kind = choose(rng, n, corrupt_share, pools)
    dup, offset = duplicates(rng, n, duplicate_share, spoilt)
    kinds = list(NMEA_KINDS)
    lines, payload = enc.nmea_base_lines(msgs, spoilt[kind == kinds.index("impossible_position")])
    first = (np.cumsum(msgs.nparts) - msgs.nparts).astype(np.int64)
    patched, removed = _patch_nmea(lines, first, spoilt, kind, kinds)
    take, where, _ = arrange(msgs.nparts, dup, offset, np.array(removed, dtype=np.int64))
    out = substitute(lines, take, patched)
    p = Path(path)
    write_bytes(p, b"", out)
    keep = np.ones(n, dtype=bool)
    keep[spoilt] = False
    identical = repeats([msgs.mmsi, msgs.ts_s, payload], keep)
    corrupt = corrupt_table(where[first[spoilt]] + 1, kind, NMEA_KINDS,
                             msgs.mmsi[spoilt], msgs.ts_s[spoilt])
    return OutputReport((p,), "nmea", len(out), n, len(dup), identical, corrupt)


def _split(line: str) -> tuple[str, str]:
    """(tag block text, sentence body) of a line ``\\tag*hh\\!body*hh``."""
    star = line.index("*")
    return line[1:star], line[star + 5 : -3]


def _line(tag: str, body: str, *, bad_tag: bool = False, bad_body: bool = False) -> str:
    tag_cs = (enc.checksum(tag) + bad_tag) % 256
    body_cs = (enc.checksum(body) + bad_body) % 256
    return f"\\{tag}*{tag_cs:02X}\\!{body}*{body_cs:02X}"


def _with_payload(body: str, keep: int | None = None, bad_at: int | None = None) -> str:
    fields = body.split(",")
    payload = fields[5]
    if keep is not None:
        payload, fields[6] = payload[:keep], "0"
    if bad_at is not None:
        payload = payload[:bad_at] + "X" + payload[bad_at + 1 :]
    fields[5] = payload
    return ",".join(fields)


def _patch_nmea(lines: pa.Array, first: I64, spoilt: I64, kind: I64,
                kinds: list[str]) -> tuple[dict[int, str], list[int]]:
    """New text of the damaged base lines, and the base lines dropped (cold path)."""
    patched: dict[int, str] = {}
    removed: list[int] = []
    for m, k in zip(spoilt.tolist(), kind.tolist()):
        name = kinds[k]
        i = int(first[m])
        line = str(lines[i].as_py())
        tag, body = _split(line)
        if name == "checksum":
            patched[i] = _line(tag, body, bad_body=True)
        elif name == "tag_checksum":
            patched[i] = _line(tag, body, bad_tag=True)
        elif name == "tag_time":  # c:1700000000 -> c:1700O00000
            at = (0 if tag.startswith("c:") else tag.index(",c:") + 1) + 6
            patched[i] = _line(tag[:at] + "O" + tag[at + 1 :], body)
        elif name == "cut_line":  # the tag block whole, the sentence cut before its '*'
            start = line.index("\\", 1) + 1
            patched[i] = line[: start + (len(line) - start) // 2]
        elif name == "missing_part":
            removed.append(i + 1)
        elif name == "truncated_payload":  # the last part keeps 20 (or 2) characters
            total = int(body.split(",")[1])
            j = i + total - 1
            tag_j, body_j = _split(str(lines[j].as_py()))
            patched[j] = _line(tag_j, _with_payload(body_j, keep=20 if total == 1 else 2))
        elif name == "bad_character":
            patched[i] = _line(tag, _with_payload(body, bad_at=7))
    return patched, removed
