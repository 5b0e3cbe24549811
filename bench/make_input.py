"""Build a large NMEA input for the benchmarks by repeating real captures.

The input is the five real NMEA captures of the project's data folder (``VESSELWATCH_DATA``,
default ``../shared/data``), repeated until about ``--lines`` lines. Each repetition ``k``
(0, 1, 2, ...) is made unique and keeps the captures' structure:

- **MMSI**: ``k`` is added to the MMSI of every AIS message (bits 8-37 of the payload of
  part 1; for multi-part messages only part 1 carries it), the payload is re-armoured and
  the sentence's NMEA checksum recomputed. An MMSI that would pass 999,999,999 (nine
  digits) is kept as it is, so a valid MMSI stays valid and a broken one stays broken.
- **Times**: every clock of a capture is shifted by ``k x period`` where ``period`` is the
  capture's span (latest minus earliest clock, whole seconds) plus one second, so the
  repetitions never overlap in time: ``$PGHP`` times (sentence checksum recomputed),
  trailing ``,<epoch>`` receive times (seconds or milliseconds, as found) and tag-block
  ``c:`` times.
- **$PGHP binding**: a ``$PGHP`` binds to the AIS message that follows it within 3 lines
  whose checksum (XOR of the parts' checksums for multi-part messages) equals the
  ``$PGHP``'s last field (or, Gatehouse's convention, whose last field is 00 right before
  an own-ship ``!ccVDO``; such a ``$PGHP`` keeps its 00). When an edit changes that
  checksum, the bound ``$PGHP``'s last field follows it, so every binding of the capture
  survives; an unbound ``$PGHP`` whose value a new checksum would hit by chance moves to a
  value that binds nothing. One case
  cannot be undone: two messages within reach of one bound ``$PGHP`` whose new checksums
  are equal (the nearer binds, as the decoder does); these are counted
  (``pghp_binding_changes``: 480 of the 2.08 million messages of a 3M-line input) and
  the spot check allows them.
- **Untimed captures** (AMSA ``ais.nmea``, the pyais sample) get an IEC 61162-450 tag block
  ``\\c:<epoch s>*hh\\`` in front of every sentence, with non-decreasing times: for
  ``ais.nmea`` interpolated (by line number) between the 851 trailing receive times the
  capture itself carries (2012-01-27, about 6 minutes); for the pyais sample, which carries
  no clock at all, from :data:`UNTIMED_BASE_S` at :data:`UNTIMED_LINES_PER_S` lines a
  second (an assumption: its date is unknown).
- **Damaged lines stay damaged**: a sentence whose checksum or form is wrong is copied as
  it is (only its transport framing changes: tag block, trailing time).

A partial last repetition takes the same fraction of every capture (cut where no
multi-part message or ``$PGHP`` is left open), so even a small input (the CI smoke run's
20k lines) holds every capture. The output is a pure function of the data and ``--lines``.

After writing, the package's own decoder checks (spot check) the first two and the last
whole repetition: same counts, the MMSIs of repetition ``k`` are those of repetition 0 plus
``k``, and no ``(mmsi, ts)`` key of one repetition appears in another.

Run: ``python bench/make_input.py --lines 3000000 --out /tmp/vw-bench.nmea``
"""

from __future__ import annotations

import argparse
import calendar
import io
import json
import math
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LINES = 3_000_000
CAPTURES: list[tuple[str, bool]] = [  # (path in the data folder, needs a tag block)
    ("ais_nmea_amsa_risky/ais.nmea", True),
    ("ais_nmea_amsa_risky/exact-earth-augmented.txt", False),
    ("ais_nmea_amsa_risky/exact-earth-augmented-2.txt", False),
    ("ais_nmea_dma_aislib/stream_example.txt", False),
    ("ais_nmea_pyais/nmea_data_sample.txt", True),
]
UNTIMED_BASE_S = 1_609_459_200  # 2021-01-01T00:00:00Z: for a capture with no clock at all
UNTIMED_LINES_PER_S = 20
PGHP_LOOKBACK = 3  # as the decoder: a $PGHP stands at most 3 lines before its message
FRAGMENT_WINDOW = 200  # lines within which the parts of a message follow part 1
EPOCH_MS_MIN = 100_000_000_000  # a clock above this counts milliseconds
MMSI_VALID_MAX = 999_999_999  # an MMSI has 9 digits; a larger field value stays as it is
MMSI_FIELD = ((1 << 30) - 1) << 4  # bits 8-37 inside the 36 bits of payload chars 1..6

_TRAILING = re.compile(rb"^(.*\*[0-9A-Fa-f]{2}),(\d{1,13})$")
_SIX = {c: (c - 48 if c < 88 else c - 56) for c in list(range(48, 88)) + list(range(96, 120))}
_ARMOUR = bytes(v + 48 if v < 40 else v + 56 for v in range(64))


def data_dir() -> Path:
    return Path(os.environ.get("VESSELWATCH_DATA", REPO_ROOT.parent / "shared" / "data"))


def xor(data: bytes) -> int:
    x = 0
    for c in data:
        x ^= c
    return x


def _hexbyte(text: bytes) -> int:
    try:
        return int(text, 16) if len(text) == 2 else -1
    except ValueError:
        return -1


@dataclass
class Line:
    """One line of a capture, taken apart into what a repetition may change."""

    sentence: bytes  # the line without eol, tag block or trailing time
    eol: bytes
    trailing: int | None = None  # trailing receive time, as written
    tag_s: int | None = None  # tag-block time (seconds) to prefix, untimed captures only
    # AIS part 1 with an editable MMSI: payload chars 1..6 are sentence[a:a + 6]
    mmsi_at: int = -1
    mmsi: int = 0
    six36: int = 0  # the 36 bits of payload chars 1..6
    checksum: int = -1  # of a valid AIS sentence or $PGHP
    # $PGHP with a valid time: its fields and the message it binds to
    pghp_ms: int | None = None
    pghp_head: bytes = b""  # "$PGHP,1,"
    pghp_tail: bytes = b""  # ",mid,region,station,online,"
    pghp_target: int = -1
    pghp_bound: int = -1  # line index of part 1 of the bound message
    followers: list[int] = field(default_factory=list)  # messages within its reach
    leaders: list[int] = field(default_factory=list)  # on part 1: $PGHP in reach, nearest first
    msg_checksum: int = -1  # on part 1: XOR of the parts' checksums
    # AIS sentence fields used for reassembly
    total: int = 0
    num: int = 0
    key: bytes = b""
    own: bool = False  # an own-ship !ccVDO sentence


@dataclass
class Capture:
    path: str
    lines: list[Line]
    period_s: int  # time shift per repetition
    clock_min_ms: int
    clock_max_ms: int
    safe_cut: list[bool] = field(default_factory=list)  # may a prefix end after line i?
    stats: dict[str, int] = field(default_factory=dict)


def _parse_ais(line: Line) -> None:
    s = line.sentence
    star = s.rfind(b"*")
    if len(s) < 2 or s[0] != 33 or star < 0 or star + 3 != len(s):
        return
    given = _hexbyte(s[star + 1 :])
    if given < 0 or xor(s[1:star]) != given:
        return
    fields = s[:star].split(b",")
    if len(fields) != 7 or len(fields[0]) != 6 or fields[0][3:] not in (b"VDM", b"VDO"):
        return
    try:
        total, num = int(fields[1]), int(fields[2])
        fill = int(fields[6])
    except ValueError:
        return
    if not (1 <= num <= total <= 9) or not 0 <= fill <= 5:
        return
    line.checksum = given
    line.total, line.num = total, num
    line.own = fields[0][5:] == b"O"
    line.key = fields[3] + b"," + fields[4]
    payload = fields[5]
    if num != 1 or len(payload) < 7 or any(c not in _SIX for c in payload):
        return
    v = 0
    for c in payload[1:7]:
        v = (v << 6) | _SIX[c]
    line.six36 = v
    line.mmsi = (v & MMSI_FIELD) >> 4
    line.mmsi_at = sum(len(f) + 1 for f in fields[:5]) + 1


def _parse_pghp(line: Line) -> None:
    s = line.sentence
    star = s.rfind(b"*")
    if not s.startswith(b"$PGHP,") or star < 0 or star + 3 != len(s):
        return
    given = _hexbyte(s[star + 1 :])
    if given < 0 or xor(s[1:star]) != given:
        return
    f = s[:star].split(b",")
    if len(f) != 14 or f[1] != b"1" or _hexbyte(f[13]) < 0:
        return
    try:
        y, mo, d, h, mi, sec, ms = (int(x) for x in f[2:9])
    except ValueError:
        return
    if not (1970 <= y <= 2200 and 1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1]
            and 0 <= h <= 23 and 0 <= mi <= 59 and 0 <= sec <= 60 and 0 <= ms <= 999):
        return
    line.checksum = given
    line.pghp_ms = calendar.timegm((y, mo, d, h, mi, sec)) * 1000 + ms
    line.pghp_head = b"$PGHP,1,"
    line.pghp_tail = b"," + b",".join(f[9:13]) + b","
    line.pghp_target = _hexbyte(f[13])


def _bind(lines: list[Line]) -> tuple[int, list[bool]]:
    """Reassemble messages and bind $PGHP lines as the decoder does.

    Sets each message's checksum (``msg_checksum`` on part 1), each ``$PGHP``'s bound
    message and the messages within its reach (``followers``). Returns the number of bound
    ``$PGHP`` lines and, per line, whether it stands inside a multi-part message.
    """
    n = len(lines)
    open_until = [False] * n  # inside a multi-part message
    bound = 0
    for i, ln in enumerate(lines):
        if ln.checksum < 0 or ln.pghp_ms is not None or ln.num != 1:
            continue
        parts = [i]
        if ln.total > 1:
            j = i + 1
            while j < n and j - i <= FRAGMENT_WINDOW and len(parts) < ln.total:
                o = lines[j]
                same = o.key == ln.key and o.total == ln.total
                if o.checksum >= 0 and o.pghp_ms is None and same:
                    if o.num != len(parts) + 1:
                        break
                    parts.append(j)
                j += 1
            if len(parts) < ln.total:
                continue
            for p in range(i, parts[-1]):
                open_until[p] = True
        cs = 0
        for p in parts:
            cs ^= lines[p].checksum
        ln.msg_checksum = cs
        matched = False
        for d in range(1, PGHP_LOOKBACK + 1):
            c = i - d
            if c < 0 or lines[c].pghp_ms is None:
                continue
            lines[c].followers.append(i)
            ln.leaders.append(c)
            if not matched and _binds(ln, d, lines[c].pghp_target, cs):
                matched = True
                if lines[c].pghp_bound < 0:  # the nearest message wins a shared $PGHP
                    lines[c].pghp_bound = i
                    bound += 1
    return bound, open_until


def _binds(msg: Line, distance: int, target: int, checksum: int) -> bool:
    """Whether a ``$PGHP`` ``distance`` lines before a message binds to it (the decoder's rule).

    Its last field equals the message's checksum; or Gatehouse's 00 right before an
    own-ship ``!ccVDO`` sentence.
    """
    return target == checksum or (distance == 1 and msg.own and target == 0)


def load_capture(path: Path, tag: bool) -> Capture:
    raw = path.read_bytes()
    lines: list[Line] = []
    for text in raw.splitlines(keepends=True):
        body = text.rstrip(b"\r\n")
        ln = Line(sentence=body, eol=text[len(body) :])
        m = _TRAILING.match(body)
        if m:
            ln.sentence, ln.trailing = m.group(1), int(m.group(2))
        _parse_ais(ln)
        if ln.checksum < 0:
            _parse_pghp(ln)
        lines.append(ln)
    if raw and not raw.endswith(b"\n"):
        lines[-1].eol = b"\n"
    bound, open_until = _bind(lines)
    clocks = [ln.pghp_ms for ln in lines if ln.pghp_ms is not None]
    clocks += [_ms(ln.trailing) for ln in lines if ln.trailing is not None]
    if tag:
        _assign_tag_times(lines)
        clocks += [ln.tag_s * 1000 for ln in lines if ln.tag_s is not None]
    lo, hi = min(clocks), max(clocks)
    period = math.ceil((hi - lo) / 1000) + 1
    safe = [not open_until[i] and lines[i].pghp_ms is None for i in range(len(lines))]
    stats = {
        "lines": len(lines),
        "ais_valid": sum(ln.checksum >= 0 and ln.pghp_ms is None for ln in lines),
        "mmsi_editable": sum(ln.mmsi_at >= 0 for ln in lines),
        "pghp": sum(ln.pghp_ms is not None for ln in lines),
        "pghp_bound": bound,
        "trailing": sum(ln.trailing is not None for ln in lines),
        "tagged": sum(ln.tag_s is not None for ln in lines),
    }
    return Capture(str(path), lines, period, lo, hi, safe, stats)


def _ms(v: int) -> int:
    return v if v >= EPOCH_MS_MIN else v * 1000


def _assign_tag_times(lines: list[Line]) -> None:
    """Non-decreasing tag-block seconds: interpolated between the capture's own clocks."""
    anchors = [(i, _ms(ln.trailing) / 1000) for i, ln in enumerate(lines)
               if ln.trailing is not None]
    latest = -1
    for i, ln in enumerate(lines):
        if ln.sentence[:1] not in (b"!", b"$"):
            continue
        if not anchors:
            t = UNTIMED_BASE_S + i // UNTIMED_LINES_PER_S
        else:
            t = int(_interp(i, anchors))
        latest = max(latest, t)
        ln.tag_s = latest


def _interp(i: int, anchors: list[tuple[int, float]]) -> float:
    import bisect

    k = bisect.bisect_left(anchors, (i, -math.inf))
    if k == 0:
        return anchors[0][1]
    if k >= len(anchors):
        return anchors[-1][1]
    (x0, y0), (x1, y1) = anchors[k - 1], anchors[k]
    return y0 + (y1 - y0) * (i - x0) / (x1 - x0) if x1 != x0 else y0


def _armour6(v: int) -> bytes:
    return bytes(_ARMOUR[(v >> s) & 63] for s in (30, 24, 18, 12, 6, 0))


def render(cap: Capture, k: int, upto: int | None = None) -> bytes:
    """Repetition ``k`` of a capture (its first ``upto`` lines when given)."""
    lines = cap.lines if upto is None else cap.lines[:upto]
    shift_s = k * cap.period_s
    shift_ms = shift_s * 1000
    out: list[bytes] = []
    for ln in lines:
        s = ln.sentence
        if ln.mmsi_at >= 0 and k:
            mmsi = ln.mmsi + k
            if mmsi <= MMSI_VALID_MAX:
                a = ln.mmsi_at
                old = s[a : a + 6]
                new = _armour6((ln.six36 & ~MMSI_FIELD) | (mmsi << 4))
                delta = xor(old) ^ xor(new)
                cs = ln.checksum ^ delta
                s = b"%s%s%s%02X" % (s[:a], new, s[a + 6 : -2], cs)
        elif ln.pghp_ms is not None:
            t = ln.pghp_ms + shift_ms
            sec, ms = divmod(t, 1000)
            g = time.gmtime(sec)
            target = _pghp_target(cap, ln, k)
            body = b"%s%d,%d,%d,%d,%d,%d,%d%s%02X" % (
                ln.pghp_head[1:], g.tm_year, g.tm_mon, g.tm_mday, g.tm_hour, g.tm_min,
                g.tm_sec, ms, ln.pghp_tail, target)
            s = b"$%s*%02X" % (body, xor(body))
        if ln.trailing is not None:
            s = b"%s,%d" % (s, ln.trailing + (shift_ms if ln.trailing >= EPOCH_MS_MIN else shift_s))
        if ln.tag_s is not None:
            tb = b"c:%d" % (ln.tag_s + shift_s)
            s = b"\\%s*%02X\\%s" % (tb, xor(tb), s)
        out.append(s + ln.eol)
    return b"".join(out)


def _pghp_target(cap: Capture, ln: Line, k: int) -> int:
    """The last field of a ``$PGHP`` in repetition ``k``: it binds what it bound before.

    A bound ``$PGHP`` follows its message's new checksum. An unbound one keeps its value
    unless that value now equals the new checksum of a message within its reach (which
    would bind them by accident); then it takes the next value that binds nothing.
    """
    if ln.pghp_bound >= 0:
        if ln.pghp_target == 0 and cap.lines[ln.pghp_bound].own:
            return 0  # bound by the own-ship rule, not by checksum
        return ln.pghp_target ^ _delta_of(cap, ln.pghp_bound, k)
    if k == 0 or not ln.followers:
        return ln.pghp_target
    taken = {cap.lines[m].msg_checksum ^ _delta_of(cap, m, k) for m in ln.followers}
    if ln.pghp_target == 0 and any(cap.lines[m].own for m in ln.followers):
        return 0  # would be bound by the own-ship rule anyway: keep it
    target = ln.pghp_target
    while target in taken:
        target = (target + 1) & 0xFF
    return target


def binding_changes(cap: Capture, k: int) -> int:
    """Messages of repetition ``k`` that bind to another ``$PGHP`` than in the capture.

    This happens only when two messages within reach of one bound ``$PGHP`` get the same
    new checksum, which no edit of the ``$PGHP`` can undo (about 1 message in 4,000).
    """
    changed = 0
    for i, ln in enumerate(cap.lines):
        if not ln.leaders:
            continue
        new_cs = ln.msg_checksum ^ _delta_of(cap, i, k)
        before = next((c for c in ln.leaders
                       if _binds(ln, i - c, cap.lines[c].pghp_target, ln.msg_checksum)), -1)
        after = next((c for c in ln.leaders
                      if _binds(ln, i - c, _pghp_target(cap, cap.lines[c], k), new_cs)), -1)
        changed += before != after
    return changed


def _delta_of(cap: Capture, i: int, k: int) -> int:
    ln = cap.lines[i]
    if ln.mmsi_at < 0 or k == 0 or ln.mmsi + k > MMSI_VALID_MAX:
        return 0
    a = ln.mmsi_at
    new = _armour6((ln.six36 & ~MMSI_FIELD) | ((ln.mmsi + k) << 4))
    return xor(ln.sentence[a : a + 6]) ^ xor(new)


def _cut(cap: Capture, want: int) -> int:
    """The largest prefix length <= ``want`` that leaves no message or $PGHP open."""
    n = min(want, len(cap.lines))
    while n > 0 and not cap.safe_cut[n - 1]:
        n -= 1
    return n


def build(out_path: Path, n_lines: int, folder: Path) -> dict[str, Any]:
    caps = [load_capture(folder / rel, tag) for rel, tag in CAPTURES]
    per_rep = sum(len(c.lines) for c in caps)
    full, rest = divmod(n_lines, per_rep)
    reps: list[dict[str, int]] = []  # byte and line ranges of each repetition
    written = lines_out = 0
    with out_path.open("wb") as f:
        for k in range(full + (1 if rest else 0)):
            partial = k == full
            start_b, start_l = written, lines_out
            for c in caps:
                upto = _cut(c, round(len(c.lines) * rest / per_rep)) if partial else None
                block = render(c, k, upto)
                f.write(block)
                written += len(block)
                lines_out += len(c.lines) if upto is None else upto
            changes = 0 if partial else sum(binding_changes(c, k) for c in caps)
            reps.append({"k": k, "byte_start": start_b, "byte_end": written,
                         "line_start": start_l, "line_end": lines_out, "partial": int(partial),
                         "pghp_binding_changes": changes})
    return {
        "out": str(out_path),
        "lines": lines_out,
        "bytes": written,
        "lines_per_repetition": per_rep,
        "repetitions": len(reps),
        "whole_repetitions": full,
        "pghp_binding_changes": sum(r["pghp_binding_changes"] for r in reps),
        "captures": [{"path": c.path, "period_s": c.period_s, "clock_min_ms": c.clock_min_ms,
                      "clock_max_ms": c.clock_max_ms, **c.stats} for c in caps],
        "_reps": reps,
    }


def spot_check(path: Path, reps: list[dict[str, int]]) -> dict[str, Any]:
    """Decode repetitions 0, 1 and the last whole one with vesselwatch; compare them."""
    import numpy as np

    from vesselwatch.ingest.nmea import read_nmea

    whole = [r for r in reps if not r["partial"]]
    pick = sorted({r["k"] for r in whole[:2] + whole[-1:]})
    if not pick:  # only a partial repetition: nothing to compare, decode it anyway
        pick = [reps[0]["k"]]
    decoded: dict[int, dict[str, Any]] = {}
    with path.open("rb") as f:
        for k in pick:
            r = reps[k]
            f.seek(r["byte_start"])
            data = f.read(r["byte_end"] - r["byte_start"])
            mmsi: list[Any] = []
            ts: list[Any] = []
            src: dict[str, int] = {}
            rejects = reports = 0
            for batch in read_nmea(io.BytesIO(data), f"rep{k}"):
                mmsi.append(batch.positions.column("mmsi").to_numpy())
                ts.append(batch.positions.column("ts").cast("int64").to_numpy())
                for s in batch.positions.column("ts_source").to_pylist():
                    src[s] = src.get(s, 0) + 1
                rejects += batch.rejects.num_rows
                reports += batch.vessel_reports.num_rows
            m = np.concatenate(mmsi).astype(np.int64)
            decoded[k] = {"mmsi": m, "keys": set(zip(m.tolist(), np.concatenate(ts).tolist())),
                          "positions": len(m), "vessel_reports": reports, "rejects": rejects,
                          "ts_source": dict(sorted(src.items()))}
    problems: list[str] = []
    base = decoded[pick[0]]
    for k in pick[1:]:
        d = decoded[k]
        for what in ("positions", "vessel_reports", "rejects"):
            if d[what] != base[what]:
                problems.append(f"repetition {k}: {what} {d[what]} != {base[what]} of repetition 0")
        # clocks: the same, up to the predicted binding changes (a pghp <-> trailing swap)
        moved = sum(abs(d["ts_source"].get(s, 0) - base["ts_source"].get(s, 0))
                    for s in set(d["ts_source"]) | set(base["ts_source"])) // 2
        if moved > reps[k]["pghp_binding_changes"]:
            problems.append(f"repetition {k}: clocks {d['ts_source']} differ from repetition 0's "
                            f"{base['ts_source']} by {moved} messages, more than the "
                            f"{reps[k]['pghp_binding_changes']} predicted $PGHP binding changes")
        shifted = np.where(base["mmsi"] + k <= MMSI_VALID_MAX, base["mmsi"] + k, base["mmsi"])
        if not np.array_equal(np.sort(d["mmsi"]), np.sort(shifted)):
            problems.append(f"repetition {k}: MMSIs are not those of repetition 0 plus {k}")
    for i in pick:
        for j in pick:
            if i < j and decoded[i]["keys"] & decoded[j]["keys"]:
                n = len(decoded[i]["keys"] & decoded[j]["keys"])
                problems.append(f"repetitions {i} and {j} share {n} (mmsi, ts) keys")
    return {
        "repetitions_checked": pick,
        "per_repetition": {k: {x: decoded[k][x] for x in
                               ("positions", "vessel_reports", "rejects", "ts_source")}
                           for k in pick},
        "problems": problems,
        "ok": not problems,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=DEFAULT_LINES,
                    help=f"about how many lines to write (default {DEFAULT_LINES:,})")
    ap.add_argument("--out", type=Path, default=Path("vw-bench.nmea"), help="file to write")
    ap.add_argument("--data", type=Path, default=None,
                    help="data folder (default $VESSELWATCH_DATA, else ../shared/data)")
    ap.add_argument("--no-check", action="store_true", help="skip the decoder spot check")
    ap.add_argument("--json", type=Path, default=None, help="also write the summary as JSON")
    args = ap.parse_args(argv)
    folder = args.data or data_dir()
    missing = [rel for rel, _ in CAPTURES if not (folder / rel).is_file()]
    if missing:
        print(f"error: {folder}: missing {', '.join(missing)}; set VESSELWATCH_DATA",
              file=sys.stderr)
        return 1
    began = time.perf_counter()
    summary = build(args.out, args.lines, folder)
    summary["seconds"] = round(time.perf_counter() - began, 2)
    reps = summary.pop("_reps")
    print(f"wrote {summary['out']}: {summary['lines']:,} lines, {summary['bytes'] / 1e6:,.1f} MB, "
          f"{summary['whole_repetitions']} whole repetitions of "
          f"{summary['lines_per_repetition']:,} lines "
          f"(+{len(reps) - summary['whole_repetitions']} partial) in {summary['seconds']} s")
    for c in summary["captures"]:
        print(f"  {Path(c['path']).name}: {c['lines']:,} lines, period {c['period_s']:,} s, "
              f"{c['mmsi_editable']:,} MMSIs shifted, {c['pghp_bound']:,}/{c['pghp']:,} $PGHP "
              f"bound, {c['trailing']:,} trailing times, {c['tagged']:,} tag blocks added")
    if not args.no_check:
        check = spot_check(args.out, reps)
        summary["check"] = check
        verdict = "ok" if check["ok"] else "FAILED: " + "; ".join(check["problems"])
        first = check["per_repetition"][check["repetitions_checked"][0]]
        print(f"spot check (vesselwatch decoder) of repetitions {check['repetitions_checked']}: "
              f"{verdict}; per repetition {first['positions']:,} positions, "
              f"{first['vessel_reports']:,} vessel reports, {first['rejects']:,} rejects, "
              f"ts from {first['ts_source']}; {summary['pghp_binding_changes']} messages "
              f"in all bind to another $PGHP by checksum chance")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    return 0 if summary.get("check", {"ok": True})["ok"] else 2


if __name__ == "__main__":
    sys.exit(main())
