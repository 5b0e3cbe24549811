"""Decode a real NMEA file with vesselwatch and with pyais, and list where they differ.

Used by ``test_differential_pyais.py``; run it as a script to print the match rate and the
differences (``--write`` adds unlisted ones to the known-differences file with an empty reason,
for a person to explain or fix)::

    python tests/ingest/nmea/pyais_oracle.py [--write]

How pyais is used: ``pyais.stream.ByteStream`` over the file's lines, exactly as
``FileReaderStream`` reads a file (lines of 10 bytes or less and lines not starting with
``!``, ``$`` or ``\\`` are dropped; checksums are not checked; fragments are joined per
(sequence id, channel, talker, sentence type, fragment count), a new part 1 replaces a
pending one, out-of-order parts are dropped; a ``$PGHP`` sentence is attached to the next
message it yields). Each message is tied to the line number of its part 1.

The comparison covers messages of the types vesselwatch stores (positions 1, 2, 3, 4, 9,
18, 19, 27; vessel reports 5, 19, 24) as either side types them. pyais values are mapped to
vesselwatch's conventions first: "not available" sentinels to null (lat 91, lon 181, speed
102.3 / 1023 (type 9) / 63 (type 27), course 360 / 511 (type 27), heading 511, turn -128 and
+-127, IMO / ship type / dimensions / draught 0, empty text); fields a message type does not
carry are null. Rate of turn: pyais rounds to whole degrees a minute, vesselwatch keeps 0.1,
so they must agree within 0.55. Ship type of types 5 and 19: pyais folds reserved codes into
one member per class (86..88 -> 85) and unknown codes into 0, vesselwatch keeps the code it
received; ours is folded the same way before comparing.
"""

from __future__ import annotations

import csv
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nmeakit import REFERENCE_US, Result, read
from pyais.constants import ShipType, TurnRate
from pyais.messages import GatehouseSentence, NMEASentenceFactory
from pyais.stream import ByteStream

FILES = [
    "ais_nmea_amsa_risky/ais.nmea",
    "ais_nmea_amsa_risky/exact-earth-augmented.txt",
    "ais_nmea_amsa_risky/exact-earth-augmented-2.txt",
    "ais_nmea_dma_aislib/stream_example.txt",
    "ais_nmea_pyais/nmea_data_sample.txt",
]
KNOWN = Path(__file__).resolve().parents[2] / "known_differences" / "nmea_pyais.csv"
COLUMNS = ["file", "line", "field", "vesselwatch", "pyais", "reason"]

POSITION_TYPES = {1, 2, 3, 4, 9, 18, 19, 27}
REPORT_TYPES = {5, 19, 24}
STORED_TYPES = POSITION_TYPES | REPORT_TYPES
POSITION_FIELDS = ["mmsi", "msg_type", "lat", "lon", "sog_kn", "cog_deg", "heading_deg",
                   "rot_deg_min", "nav_status", "position_accuracy"]
REPORT_FIELDS = ["mmsi", "msg_type", "imo", "name", "callsign", "ship_type", "to_bow_m",
                 "to_stern_m", "to_port_m", "to_starboard_m", "draught_m", "destination"]
FLOAT_TOLERANCE = {"lat": 1e-6, "lon": 1e-6, "sog_kn": 1e-4, "cog_deg": 1e-4,
                   "draught_m": 1e-4, "rot_deg_min": 0.55}
TRAILING = re.compile(rb"\*[0-9A-Fa-f]{2},(\d+)\s*$")


@dataclass(frozen=True)
class Difference:
    """One field (or a whole message, ``field == "message"``) that the two decoders disagree on."""

    file: str
    line: int
    field: str
    vesselwatch: str
    pyais: str

    def key(self) -> tuple[str, int, str, str, str]:
        return (self.file, self.line, self.field, self.vesselwatch, self.pyais)


@dataclass
class PyaisMessage:
    first_line: int
    raw: bytes
    decoded: Any  # the pyais payload object, or None
    error: str | None  # the exception pyais raised while decoding
    pghp_us: int | None  # the time of the $PGHP sentence pyais attached


def show(value: object) -> str:
    """A value as the known-differences file writes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return format(round(value, 6), "g") if math.isfinite(value) else str(value)
    return str(value)


def _us(t: datetime) -> int:
    t = t.replace(tzinfo=UTC) if t.tzinfo is None else t
    return int(t.timestamp()) * 1_000_000 + t.microsecond


def pyais_messages(data: bytes) -> list[PyaisMessage]:
    """Every message pyais's stream yields from ``data``, tied to the line of its part 1."""
    lines = data.split(b"\n")
    current = 0

    def feed() -> Iterator[bytes]:
        nonlocal current
        for number, line in enumerate(lines, start=1):
            current = number
            yield line + b"\n"

    out: list[PyaisMessage] = []
    for msg in ByteStream(feed()):
        parts = msg.raw.split(b"\n")
        first = current  # the stream yields a message right after reading its last part
        if len(parts) > 1:
            first = next(n for n in range(current - 1, 0, -1) if lines[n - 1].strip() == parts[0])
        try:
            decoded, error = msg.decode(), None
        except Exception as exc:
            decoded, error = None, type(exc).__name__
        wrapper = msg.wrapper_msg
        pghp_us = _us(wrapper.timestamp) if wrapper is not None else None
        out.append(PyaisMessage(first, parts[0], decoded, error, pghp_us))
    return out


def pyais_parses_pghp(data: bytes) -> bool:
    """Whether pyais reads the ``$PGHP`` sentences of ``data`` (it cannot read exactEarth's)."""
    for line in data.split(b"\n"):
        if line.startswith(b"$PGHP"):
            try:
                return isinstance(NMEASentenceFactory.produce(line), GatehouseSentence)
            except Exception:
                return False
    return False


def _na(value: Any, *sentinels: float) -> Any:
    if value is None:
        return None
    return None if any(value == s for s in sentinels) else value


def pyais_fields(d: Any) -> dict[str, Any]:
    """A pyais payload's fields in vesselwatch's names, units and null conventions."""
    t = int(d.msg_type)
    f: dict[str, Any] = {"mmsi": int(d.mmsi), "msg_type": t}
    if t in POSITION_TYPES:
        f["lat"] = _na(d.lat, 91.0)
        f["lon"] = _na(d.lon, 181.0)
        f["sog_kn"] = f["cog_deg"] = f["heading_deg"] = f["rot_deg_min"] = f["nav_status"] = None
        if t in (1, 2, 3, 18, 19):
            f["sog_kn"] = _na(d.speed, 102.3)
            f["cog_deg"] = _na(d.course, 360.0)
            f["heading_deg"] = _na(d.heading, 511)
        elif t == 9:
            f["sog_kn"] = _na(d.speed, 1023)
            f["cog_deg"] = _na(d.course, 360.0)
        elif t == 27:
            f["sog_kn"] = _na(d.speed, 63)
            f["cog_deg"] = _na(d.course, 511)
        if t in (1, 2, 3):
            turn = d.turn  # a TurnRate member for the raw sentinels -128 and +-127
            f["rot_deg_min"] = None if turn is None or isinstance(turn, TurnRate) else float(turn)
        if t in (1, 2, 3, 27):
            f["nav_status"] = None if d.status is None else int(d.status)
        f["position_accuracy"] = None if d.accuracy is None else bool(d.accuracy)
    if t in REPORT_TYPES:
        def get(name: str) -> Any:  # fields differ by type and part
            return getattr(d, name, None)

        aux = t == 24 and get("mothership_mmsi") is not None
        f["imo"] = _na(get("imo"), 0)
        f["name"] = get("shipname") or None
        f["callsign"] = get("callsign") or None
        f["ship_type"] = _na(None if get("ship_type") is None else int(get("ship_type")), 0)
        for side in ("bow", "stern", "port", "starboard"):
            f[f"to_{side}_m"] = None if aux else _na(get(f"to_{side}"), 0)
        f["draught_m"] = _na(get("draught"), 0)
        f["destination"] = get("destination") or None
    return f


def _equal(name: str, a: Any, b: Any, msg_type: int) -> bool:
    if name == "ship_type" and a is not None and msg_type in (5, 19):
        a = _na(int(ShipType(a)), 0)  # pyais folds reserved and unknown codes; fold ours alike
    if a is None or b is None:
        return a is None and b is None
    if name in FLOAT_TOLERANCE:
        return abs(float(a) - float(b)) <= FLOAT_TOLERANCE[name]
    return bool(a == b)


def _by_line(table: Any) -> dict[int, dict[str, Any]]:
    return {row["source_line"]: row for row in table.to_pylist()}


@dataclass
class Comparison:
    file: str
    differences: list[Difference]
    pyais_positions: int  # position reports pyais decodes
    identical_positions: int  # of those, the ones vesselwatch gives identically
    pghp_checked: int  # messages whose ts was checked against the $PGHP time pyais attached
    trailing_checked: int  # messages whose clocks were checked against a trailing epoch


def compare(data_dir: Path, name: str) -> Comparison:
    """Decode ``data_dir / name`` both ways and list every difference."""
    return compare_bytes(name, (data_dir / name).read_bytes())


def compare_bytes(name: str, data: bytes) -> Comparison:
    """Decode ``data`` both ways and list every difference (``name`` labels them)."""
    lines = data.split(b"\n")
    ours: Result = read(data, reference_us=REFERENCE_US)
    positions = _by_line(ours.positions)
    reports = _by_line(ours.vessel_reports)
    rejects = ours.rejects_by_line()
    theirs = {m.first_line: m for m in pyais_messages(data)}
    check_pghp = pyais_parses_pghp(data)

    diffs: list[Difference] = []
    pyais_positions = identical = pghp_checked = trailing_checked = 0

    def differ(line: int, field: str, mine: Any, other: Any) -> None:
        diffs.append(Difference(name, line, field, show(mine), show(other)))

    stored = {n for n, m in theirs.items()
              if m.decoded is not None and m.decoded.msg_type in STORED_TYPES}
    scope = set(positions) | set(reports) | stored
    for n in sorted(scope):
        m = theirs.get(n)
        mine = [r for r in (positions.get(n), reports.get(n)) if r is not None]
        expected = pyais_fields(m.decoded) if m is not None and m.decoded is not None else None
        is_position = expected is not None and expected["msg_type"] in POSITION_TYPES
        pyais_positions += is_position
        if not mine or m is None or expected is None or expected["msg_type"] not in STORED_TYPES:
            ours_says = (f"type {mine[0]['msg_type']}" if mine
                         else f"reject:{rejects[n]}" if n in rejects else "absent")
            theirs_says = ("absent" if m is None else f"error:{m.error}" if expected is None
                           else f"type {expected['msg_type']}")
            differ(n, "message", ours_says, theirs_says)
            continue
        before = len(diffs)
        names: list[str] = []
        if expected["msg_type"] in POSITION_TYPES:
            names += POSITION_FIELDS
        if expected["msg_type"] in REPORT_TYPES:
            names += [f for f in REPORT_FIELDS if f not in names]
        row = {k: v for r in mine for k, v in r.items()}
        for f in names:
            if not _equal(f, row.get(f), expected.get(f), expected["msg_type"]):
                differ(n, f, row.get(f), expected.get(f))
        # clocks: the $PGHP time pyais attached, and the trailing receive time of part 1
        ts = _us(row["ts"])
        received = None if row["received_ts"] is None else _us(row["received_ts"])
        if check_pghp:
            pghp_checked += 1
            if m.pghp_us is not None and ts != m.pghp_us:
                differ(n, "ts", f"{row['ts_source']}:{ts}", f"pghp:{m.pghp_us}")
            elif m.pghp_us is None and row["ts_source"] == "pghp":
                differ(n, "ts", f"pghp:{ts}", "no pghp")
        trailing = TRAILING.search(lines[n - 1])
        if trailing is not None:
            trailing_checked += 1
            epoch = int(trailing.group(1))
            epoch_us = epoch * (1000 if epoch >= 100_000_000_000 else 1_000_000)
            got = ts if row["ts_source"] == "trailing" else received
            if got != epoch_us:
                differ(n, "trailing_ts", f"{row['ts_source']}:{ts},received:{received}",
                       f"trailing:{epoch_us}")
        identical += is_position and len(diffs) == before
    return Comparison(name, diffs, pyais_positions, identical, pghp_checked, trailing_checked)


def load_known(path: Path = KNOWN) -> dict[tuple[str, int, str, str, str], str]:
    """``{difference key: reason}`` from the known-differences file (``#`` lines are notes)."""
    with path.open(newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {(r["file"], int(r["line"]), r["field"], r["vesselwatch"], r["pyais"]): r["reason"]
                for r in rows}


def main(argv: list[str]) -> int:
    from os import environ

    data_dir = Path(environ.get("VESSELWATCH_DATA", Path(__file__).resolve().parents[3].parent
                                / "shared" / "data"))
    known = load_known() if KNOWN.exists() else {}
    total = same = 0
    new: list[Difference] = []
    for name in FILES:
        c = compare(data_dir, name)
        total += c.pyais_positions
        same += c.identical_positions
        print(f"{name}: {c.identical_positions}/{c.pyais_positions} positions identical, "
              f"{len(c.differences)} differences; clocks checked: {c.pghp_checked} against "
              f"$PGHP, {c.trailing_checked} against trailing epochs")
        for d in c.differences:
            print(f"  {d.line}: {d.field}: vesselwatch {d.vesselwatch} / pyais {d.pyais}"
                  f"  [{known.get(d.key(), 'NOT LISTED')}]")
            if d.key() not in known:
                new.append(d)
    print(f"match rate: {same}/{total} = {same / total:.4%} of pyais position reports")
    if "--write" in argv and new:
        with KNOWN.open("a", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for d in new:
                writer.writerow([*d.key(), ""])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
