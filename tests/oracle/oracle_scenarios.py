"""Realistic but adversarial synthetic AIS for comparing the fast detectors with the oracle.

A coast runs along latitude 10.5 (land to the north, see ``compare_helpers.StubLand``);
four ports sit near it (two 7.3 km apart so their rings touch, one with its own radii, one
far east), and the open sea to the south (over 50 nm from shore) holds loitering and
encounters. Each vessel follows a plan (port calls, transits, loitering, meeting another
vessel) drawn from a ``random.Random``; then adversities are added: silences around 6 h
and 12 h, duplicate rows (with other SOGs), a second transmitter, an outlier spike, rows
without a place, positions on land, SOG missing for the whole vessel, exact shared
positions. Distances are continuous, so they never sit on a threshold to the last bit;
times are whole seconds, so time thresholds (6 h, 12 h, 2 h, grid times) are hit exactly.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0
S = 1_000_000
MIN = 60 * S
H = 3600 * S
T0 = 1_717_200_000 * S  # 2024-06-01T00:00:00Z
COAST_LAT = 10.5

# (port_id, name, lat, lon, entry_radius_m, exit_radius_m, watched)
PORTS = [
    ("P1", "Near One", 10.40, 20.00, 3000.0, 4000.0, True),
    ("P2", "Near Two", 10.40, 20.00 + 7300.0 / (M_PER_DEG * math.cos(math.radians(10.4))),
     3000.0, 4000.0, False),
    ("P3", "Wide", 10.30, 20.40, 2000.0, 5000.0, True),
    ("P4", "Far East", 10.35, 21.20, 3000.0, 4000.0, True),
]
SEA = (9.45, 20.50)  # the meeting and loitering area, ~117 km from the coast
SOGS = [0.0, 0.1, 0.15, 0.2, 0.3, 0.5, 0.6, 1.0, 1.5, 1.9, 2.0, 2.1]
SILENCES_S = [45 * 60, 61 * 60, 2 * 3600, 2 * 3600 + 1, 4 * 3600, 4 * 3600 + 60,
              6 * 3600 - 1, 6 * 3600, 6 * 3600 + 1, 12 * 3600 - 60, 12 * 3600, 12 * 3600 + 60]
MMSIS = [273000001, 273000002, 613000003, 636000004, 366000005, 219000006, 244000007,
         351000008, 538000009, 412000010, 477000011, 257000012]
IMOS = [9074729, 9319466, 9074728, 0, 1234567]
NAMES = ["OCEAN STAR", "ocean star@@", " OCEAN STAR ", "SEA BREEZE", "", None, "NORD@"]


def port_ref(port_id: str) -> tuple:
    return next(p for p in PORTS if p[0] == port_id)


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (lat + north_m / M_PER_DEG,
            lon + east_m / (M_PER_DEG * math.cos(math.radians(lat))))


def dist_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Vessel:
    mmsi: int
    rng: random.Random
    t: int
    pos: tuple[float, float]
    sog_known: bool = True
    rows: list[tuple] = field(default_factory=list)

    def emit(self, pos: tuple[float, float], sog: float | None) -> None:
        self.rows.append((self.mmsi, self.t, pos[0], pos[1],
                          sog if self.sog_known else None))

    def every_s(self) -> int:
        return self.rng.choice([60, 120, 180, 300, 600, 600, 900, 1200])

    def sail(self, to: tuple[float, float], speed_kn: float) -> None:
        """Straight line to ``to`` at ``speed_kn``, reporting every few minutes."""
        d = dist_m(self.pos, to)
        total_s = max(1, int(d / (speed_kn * 1852.0 / 3600.0)))
        start, t_start = self.pos, self.t
        step = self.every_s()
        k = 1
        while k * step < total_s:
            f = k * step / total_s
            self.t = t_start + k * step * S
            self.pos = (start[0] + f * (to[0] - start[0]), start[1] + f * (to[1] - start[1]))
            self.emit(self.pos, round(speed_kn + self.rng.uniform(-0.5, 0.5), 1))
            k += 1
        self.t = t_start + total_s * S
        self.pos = to
        self.emit(to, speed_kn)

    def dwell(self, hours: float, jitter_m: float, slow: bool = True) -> None:
        """Stay near the current place, with low (sometimes borderline) speeds."""
        end = self.t + int(hours * 3600) * S
        centre = self.pos
        while True:
            self.t += self.every_s() * S
            if self.t > end:
                break
            if self.rng.random() < 0.04:  # a silence inside the dwell
                self.t += self.rng.choice(SILENCES_S) * S
            p = offset(*centre, self.rng.uniform(-jitter_m, jitter_m),
                       self.rng.uniform(-jitter_m, jitter_m))
            self.pos = p
            sog = self.rng.choice(SOGS if slow else SOGS[6:])
            self.emit(p, sog)

    def silence(self) -> None:
        self.t += self.rng.choice(SILENCES_S) * S


def _port_call(v: Vessel, port_id: str) -> None:
    p = port_ref(port_id)
    # approach through the exit ring, sometimes pausing in it
    ring = offset(p[2], p[3], -(p[4] + p[5]) / 2, v.rng.uniform(-500, 500))
    v.sail(ring, v.rng.choice([6.0, 9.0, 12.0]))
    if v.rng.random() < 0.5:
        v.dwell(v.rng.uniform(0.2, 1.0), 200.0, slow=False)
    v.sail(offset(p[2], p[3], v.rng.uniform(-800, 800), v.rng.uniform(-800, 800)), 5.0)
    v.dwell(v.rng.uniform(0.5, 9.0), v.rng.choice([0.0, 20.0, 150.0]))
    if port_id == "P1" and v.rng.random() < 0.5:
        # straight across the touching rings into the neighbour port
        q = port_ref("P2")
        v.sail(offset(q[2], q[3], v.rng.uniform(-300, 300), v.rng.uniform(-300, 300)), 4.0)
        v.dwell(v.rng.uniform(0.5, 3.0), 30.0)
    v.sail(offset(p[2], p[3], -(p[5] + 3000), 0.0), v.rng.choice([5.0, 8.0]))


def _dark_transit(v: Vessel) -> None:
    """Leave near one watched port, go dark, reappear near another one."""
    a, b = v.rng.sample(["P1", "P3", "P4"], 2)
    pa, pb = port_ref(a), port_ref(b)
    v.sail(offset(pa[2], pa[3], -v.rng.choice([3000.0, 4500.0, 15_000.0]), 0.0), 10.0)
    v.t += v.rng.choice([2 * 3600, 6 * 3600, 6 * 3600 + 1, 9 * 3600, 13 * 3600]) * S
    v.pos = offset(pb[2], pb[3], -v.rng.choice([3500.0, 5500.0, 30_000.0]), 0.0)
    v.emit(v.pos, 9.0)


def _loiter(v: Vessel) -> None:
    v.sail(offset(*SEA, v.rng.uniform(-20_000, 20_000), v.rng.uniform(-20_000, 20_000)), 12.0)
    v.dwell(v.rng.uniform(1.5, 6.0), v.rng.choice([50.0, 400.0, 2000.0]))


def _build(rng: random.Random, n_vessels: int) -> list[tuple]:
    rows: list[tuple] = []
    mmsis = rng.sample(MMSIS, n_vessels)
    pairs = list(zip(mmsis[0::2], mmsis[1::2]))
    meeting = set(rng.sample(pairs, k=min(len(pairs), rng.choice([0, 1, 1, 2, 3]))))
    vessels: dict[int, Vessel] = {}
    for m in mmsis:
        start = offset(*SEA, rng.uniform(-60_000, 60_000), rng.uniform(-60_000, 60_000))
        v = Vessel(m, random.Random(rng.random()), T0 + rng.randint(0, 6 * 3600) * S, start,
                   sog_known=rng.random() > 0.3)
        vessels[m] = v
        v.emit(start, 10.0)
    # meetings: both sail to one point; the second stays ~300-700 m off, both slow
    for a, b in meeting:
        va, vb = vessels[a], vessels[b]
        spot = offset(*SEA, rng.uniform(-10_000, 10_000), rng.uniform(-10_000, 10_000))
        t_meet = max(va.t, vb.t) + 4 * H
        apart = rng.choice([250.0, 400.0, 480.0, 495.0, 505.0, 700.0]) + rng.uniform(-3, 3)
        hours = rng.choice([1.9, 2.0, 2.2, 2.5, 3.0, 4.0])
        for v, off_m in ((va, 0.0), (vb, apart)):
            v.sail(offset(*spot, off_m, 0.0), 10.0)
            v.t = max(v.t, t_meet - 10 * MIN) + rng.randint(0, 300) * S
            end = t_meet + int(hours * H)
            step = rng.choice([300, 600, 600, 900])
            while v.t < end:
                v.t += step * S
                if rng.random() < 0.03:
                    v.t += rng.choice([30 * 60, 50 * 60, 70 * 60]) * S
                v.pos = offset(*spot, off_m + rng.uniform(-20, 20), rng.uniform(-20, 20))
                v.emit(v.pos, rng.choice(SOGS[:9]))
    # plans
    for v in vessels.values():
        for _ in range(v.rng.randint(2, 5)):
            what = v.rng.random()
            if what < 0.45:
                _port_call(v, v.rng.choice(["P1", "P1", "P2", "P3", "P4"]))
            elif what < 0.6:
                _loiter(v)
            elif what < 0.7:
                _dark_transit(v)
            elif what < 0.85:
                v.silence()
                # reappear somewhere else (a jump when too far for the time)
                if v.rng.random() < 0.5:
                    v.pos = offset(*v.pos, v.rng.uniform(-300_000, 300_000), 0.0)
                    v.emit(v.pos, 10.0)
            else:
                # along the coast, crossing the land for a few positions
                lat = COAST_LAT + v.rng.choice([-0.03, 0.005, 0.03])
                v.sail((lat, 19.6), 12.0)
                v.sail((lat, 19.3), 12.0)
        rows += v.rows
    rows = _adversities(rng, rows, vessels)
    return rows


def _adversities(rng: random.Random, rows: list[tuple], vessels: dict[int, Vessel]
                 ) -> list[tuple]:
    out = list(rows)
    for m, v in vessels.items():
        mine = [r for r in rows if r[0] == m]
        if not mine:
            continue
        t_first, t_last = mine[0][1], mine[-1][1]
        # duplicates, some with another (or no) SOG
        for r in rng.sample(mine, k=min(len(mine), rng.randint(0, 4))):
            sog = rng.choice([r[4], None, 0.0, 3.0])
            out.append((m, r[1], r[2], r[3], sog))
        # a second transmitter: short (outlier-ish) or long (two places at once)
        if rng.random() < 0.3:
            n = rng.choice([1, 2, 3, 12, 40])
            t = rng.randint(t_first // S, t_last // S) * S
            base = offset(*SEA, rng.uniform(-80_000, 80_000), rng.uniform(-80_000, 80_000))
            for k in range(n):
                out.append((m, t + k * 600 * S, *offset(*base, 30.0 * k, 0.0),
                            None if not v.sog_known else 0.4))
        # an outlier spike inside the track
        if rng.random() < 0.3 and len(mine) > 4:
            r = rng.choice(mine[1:-1])
            out.append((m, r[1] + 30 * S, *offset(r[2], r[3], 50_000.0, 0.0), r[4]))
        # rows without a place (they still count for the end of the data)
        if rng.random() < 0.2:
            out.append((m, t_last + rng.choice([60, 7 * 3600]) * S, None, None, None))
        # two positions at one time, a little apart
        if rng.random() < 0.2 and len(mine) > 2:
            r = rng.choice(mine)
            out.append((m, r[1], *offset(r[2], r[3], 120.0, 0.0), None))
        # an MMSI flag on some rows
        if rng.random() < 0.15:
            issue = rng.choice(["unallocated_mid", "placeholder"])
            out = [r + (issue,) if r[0] == m and rng.random() < 0.5 else r for r in out]
    # exact shared positions: three or four vessels report one point (a placeholder fix)
    if rng.random() < 0.4 and len(vessels) >= 3:
        spot = offset(*SEA, 12_345.0, -6_789.0)
        for m in rng.sample(sorted(vessels), k=min(len(vessels), rng.choice([3, 4]))):
            t = rng.choice([r for r in rows if r[0] == m])[1] + 5 * S
            out.append((m, t, *spot, None))
    rng.shuffle(out)
    return out


def _reports(rng: random.Random, rows: list[tuple]) -> list[tuple]:
    """Static reports: names with padding and case, IMOs valid/invalid/shared, call signs."""
    out = []
    for m in sorted({r[0] for r in rows}):
        times = sorted(r[1] for r in rows if r[0] == m)
        imo = rng.choice(IMOS)
        for _ in range(rng.randint(0, 6)):
            t = rng.randint(times[0] // S, times[-1] // S) * S
            if rng.random() < 0.2:
                imo = rng.choice(IMOS)
            out.append((m, t, imo, rng.choice(NAMES), rng.choice(["ABCD", "abcd ", None, "WXYZ"]),
                        rng.choice([70, 70, 0, 80, None]),
                        rng.choice([None, None, None, "wrong_kind"])))
    return out


def scenario(rng: random.Random, n_vessels: int) -> dict[str, Any]:
    """Positions rows, report rows, for ``n_vessels`` vessels drawn from ``rng``."""
    rows = _build(rng, n_vessels)
    return {"positions": rows, "reports": _reports(rng, rows)}
