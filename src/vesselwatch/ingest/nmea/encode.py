"""Write AIS messages as NMEA sentences: for samples, fixtures and the simulator.

Not a hot path: plain Python, one message at a time. Bit layouts as in ``_payload.pyx``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

MAX_PAYLOAD_CHARS = 60  # per sentence, so a sentence stays within 82 characters


def _armour(bits: str) -> tuple[str, int]:
    fill = (-len(bits)) % 6
    bits += "0" * fill
    chars = []
    for i in range(0, len(bits), 6):
        v = int(bits[i : i + 6], 2)
        chars.append(chr(v + 48 if v < 40 else v + 56))
    return "".join(chars), fill


def _u(value: int, width: int) -> str:
    return format(value & ((1 << width) - 1), f"0{width}b")


def _text(value: str, nchars: int) -> str:
    out = []
    for ch in value.upper()[:nchars].ljust(nchars, "@"):
        c = ord(ch)
        out.append(_u(c - 64 if c >= 64 else c, 6))
    return "".join(out)


def checksum(body: str) -> str:
    """The two hex digits of an NMEA checksum over ``body`` (between ``!``/``\\`` and ``*``)."""
    return format(reduce(lambda acc, ch: acc ^ ord(ch), body, 0), "02X")


@dataclass(frozen=True)
class PositionReport:
    """A class A (type 1) or class B (type 18) position report, in canonical units."""

    mmsi: int
    lat: float
    lon: float
    sog_kn: float | None = None
    cog_deg: float | None = None
    heading_deg: int | None = None
    nav_status: int = 15
    msg_type: int = 1

    def bits(self) -> str:
        sog = 1023 if self.sog_kn is None else round(self.sog_kn * 10)
        cog = 3600 if self.cog_deg is None else round(self.cog_deg * 10)
        hdg = 511 if self.heading_deg is None else self.heading_deg
        lon = round(self.lon * 600_000)
        lat = round(self.lat * 600_000)
        if self.msg_type == 18:
            return (_u(18, 6) + _u(0, 2) + _u(self.mmsi, 30) + _u(0, 8) + _u(sog, 10) + _u(1, 1)
                    + _u(lon, 28) + _u(lat, 27) + _u(cog, 12) + _u(hdg, 9) + _u(60, 6)
                    + _u(0, 2) + "0" * 5 + _u(0, 1) + _u(0, 1) + _u(0, 20))
        return (_u(self.msg_type, 6) + _u(0, 2) + _u(self.mmsi, 30) + _u(self.nav_status, 4)
                + _u(-128, 8) + _u(sog, 10) + _u(1, 1) + _u(lon, 28) + _u(lat, 27) + _u(cog, 12)
                + _u(hdg, 9) + _u(60, 6) + _u(0, 2) + _u(0, 3) + _u(0, 1) + _u(0, 19))


@dataclass(frozen=True)
class StaticReport:
    """A type 5 static and voyage report."""

    mmsi: int
    imo: int = 0
    callsign: str = ""
    name: str = ""
    ship_type: int = 0
    to_bow_m: int = 0
    to_stern_m: int = 0
    to_port_m: int = 0
    to_starboard_m: int = 0
    eta: tuple[int, int, int, int] = (0, 0, 24, 60)  # month, day, hour, minute
    draught_m: float = 0.0
    destination: str = ""

    def bits(self) -> str:
        month, day, hour, minute = self.eta
        return (_u(5, 6) + _u(0, 2) + _u(self.mmsi, 30) + _u(0, 2) + _u(self.imo, 30)
                + _text(self.callsign, 7) + _text(self.name, 20) + _u(self.ship_type, 8)
                + _u(self.to_bow_m, 9) + _u(self.to_stern_m, 9) + _u(self.to_port_m, 6)
                + _u(self.to_starboard_m, 6) + _u(1, 4) + _u(month, 4) + _u(day, 5)
                + _u(hour, 5) + _u(minute, 6) + _u(round(self.draught_m * 10), 8)
                + _text(self.destination, 20) + _u(0, 1) + _u(0, 1))


def sentences(message: PositionReport | StaticReport, *, channel: str = "A", seq_id: int = 0,
              talker: str = "AI", epoch_s: int | None = None, station: str | None = None
              ) -> list[str]:
    """The NMEA sentences of one message, with a tag block when a time or station is given."""
    payload, fill = _armour(message.bits())
    parts = [payload[i : i + MAX_PAYLOAD_CHARS] for i in range(0, len(payload), MAX_PAYLOAD_CHARS)]
    total = len(parts)
    out = []
    for num, part in enumerate(parts, start=1):
        seq = str(seq_id % 10) if total > 1 else ""
        body = f"{talker}VDM,{total},{num},{seq},{channel},{part},{fill if num == total else 0}"
        line = f"!{body}*{checksum(body)}"
        tags = []
        if station is not None and num == 1:
            tags.append(f"s:{station}")
        if epoch_s is not None and num == 1:
            tags.append(f"c:{epoch_s}")
        if total > 1:
            tags.append(f"g:{num}-{total}-{seq_id}")
        if tags:
            tag = ",".join(tags)
            line = f"\\{tag}*{checksum(tag)}\\{line}"
        out.append(line)
    return out
