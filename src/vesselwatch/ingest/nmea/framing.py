"""Take every line of a buffer of NMEA text apart, all lines in one compiled pass.

A line is one of:
- an AIS sentence ``!ccVDM``/``!ccVDO`` (any two-character talker), optionally behind an
  IEC 61162-450 tag block ``\\s:station,c:epoch,g:1-2-99*hh\\`` and optionally followed by a
  trailing receive time ``,<epoch>`` (seconds or milliseconds) after its checksum;
- a Gatehouse ``$PGHP,1,...`` sentence that carries the time of the AIS sentence whose
  checksum equals its last field (for a multi-sentence message: the XOR of the parts'
  checksums; Gatehouse writes 00 there for the own-ship ``!ccVDO`` sentence right after it);
- another NMEA sentence (``$GPGGA``, ``$PSHI``, ...): counted, not an error;
- an empty line;
- anything else: a reject with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vesselwatch.ingest.nmea import _lines  # type: ignore[attr-defined]
from vesselwatch.model.schema import RejectReason

# line kinds, as the kernel numbers them
EMPTY, AIS, PGHP, OTHER_NMEA, REJECT = 0, 1, 2, 3, 4

# the kernel's reject reasons, in its order
REASONS: list[str] = [RejectReason(r).value for r in _lines.REASONS]


@dataclass
class Lines:
    """Every line of a buffer, taken apart. Arrays are one entry per line; -1 is "absent"."""

    buf: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray  # EMPTY / AIS / PGHP / OTHER_NMEA / REJECT
    reason: np.ndarray  # index into REASONS where kind == REJECT
    total: np.ndarray  # AIS sentence fields (where kind == AIS)
    num: np.ndarray
    seq: np.ndarray
    channel: np.ndarray  # byte value, 0 when empty
    own: np.ndarray  # 1 for an own-ship ``!ccVDO`` sentence, else 0
    pay_start: np.ndarray
    pay_len: np.ndarray
    fill: np.ndarray
    checksum: np.ndarray
    tag_ts: np.ndarray  # clocks: microseconds since the epoch
    trailing_ts: np.ndarray
    pghp_ts: np.ndarray  # on PGHP lines
    pghp_target: np.ndarray  # on PGHP lines: the checksum it binds to
    pghp_station_start: np.ndarray
    pghp_station_end: np.ndarray
    station_start: np.ndarray  # tag block ``s:``
    station_end: np.ndarray
    group_id: np.ndarray  # tag block ``g:``
    group_num: np.ndarray
    group_total: np.ndarray

    def __len__(self) -> int:
        return len(self.start)


def parse(buf: np.ndarray) -> Lines:
    """Take apart every line of ``buf`` (a ``uint8`` array that ends with a newline)."""
    fields = _lines.frame_lines(buf)
    return Lines(buf=buf, **fields)
