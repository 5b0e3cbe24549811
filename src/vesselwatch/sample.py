"""A small NMEA sample that vesselwatch writes itself, for the quick start and tests.

Three ships near the Rajin (Najin) approaches in the Sea of Japan, one of them carrying the
identity of ANGARA (IMO 9179842, listed by the EU on 25 June 2024), each with a static
report and a track at 10-second AIS intervals, stamped with IEC 61162-450 tag blocks. The
sample also holds what real feeds hold: a repeated sentence (a duplicate), and damaged lines
(a bad checksum, an orphan fragment, line noise, a sentence without a time), so the summary
shows every counter at work. Deterministic: the same bytes every time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from vesselwatch.ingest.nmea.encode import PositionReport, StaticReport, sentences

START_EPOCH_S = 1_693_526_400  # 2023-09-01T00:00:00Z


@dataclass(frozen=True)
class _Ship:
    mmsi: int
    name: str
    imo: int
    callsign: str
    lat: float
    lon: float
    sog_kn: float
    cog_deg: float


SHIPS = (
    _Ship(273_456_780, "ANGARA", 9_179_842, "UBCT8", 42.10, 130.60, 9.5, 70.0),
    _Ship(440_123_450, "EAST SEA TRADER", 9_300_001, "DSAB1", 41.90, 131.10, 12.0, 250.0),
    _Ship(351_987_000, "PACIFIC DAWN", 9_400_002, "3EAB2", 42.40, 131.50, 0.1, 0.0),
)

REPORTS_PER_SHIP = 120  # 20 minutes at 10 s


def _damaged() -> list[str]:
    """Lines as real feeds damage them: each ends up in the quarantine with its reason."""
    ship = SHIPS[0]
    plain = sentences(PositionReport(ship.mmsi, ship.lat, ship.lon, 9.5, 70.0, 70))[0]
    bad_checksum = plain[:-2] + ("00" if not plain.endswith("00") else "01")
    orphan = sentences(StaticReport(ship.mmsi, name=ship.name), seq_id=7)[0]  # part 1 of 2
    noise = "\x00\x17garbage\xff line noise from a serial port"
    return [bad_checksum, orphan, noise, plain]  # ``plain`` has no time of its own


def sample_lines() -> list[str]:
    """The sample's lines, in the order they are written."""
    lines: list[str] = []
    group = 1
    for i, ship in enumerate(SHIPS):
        static = StaticReport(ship.mmsi, imo=ship.imo, callsign=ship.callsign, name=ship.name,
                              ship_type=70, to_bow_m=90, to_stern_m=20, to_port_m=8,
                              to_starboard_m=8, eta=(9, 3, 6, 0), draught_m=6.2,
                              destination="VOSTOCHNYY")
        lines += sentences(static, epoch_s=START_EPOCH_S + i, station="rx-najin", seq_id=group)
        group += 1
    for k in range(REPORTS_PER_SHIP):
        for ship in SHIPS:
            hours = k * 10 / 3600
            dist_nm = ship.sog_kn * hours
            lat = ship.lat + dist_nm / 60 * math.cos(math.radians(ship.cog_deg))
            lon = ship.lon + dist_nm / 60 * math.sin(math.radians(ship.cog_deg)) / math.cos(
                math.radians(ship.lat))
            report = PositionReport(ship.mmsi, round(lat, 5), round(lon, 5), ship.sog_kn,
                                    ship.cog_deg, round(ship.cog_deg), nav_status=0)
            lines += sentences(report, epoch_s=START_EPOCH_S + 10 * k, station="rx-najin",
                               channel="AB"[k % 2])
    lines.insert(len(lines) // 2, lines[len(lines) // 2])  # a duplicate, as two receivers give
    lines[100:100] = _damaged()
    return lines


def write_sample(path: str | Path) -> Path:
    """Write the sample NMEA file to ``path`` (folders created) and return its path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(("\n".join(sample_lines()) + "\n").encode("latin-1"))
    return out
