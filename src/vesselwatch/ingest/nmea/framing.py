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


_FIELDS = frozenset(_lines.LINE.names)


@dataclass
class Lines:
    """Every line of a buffer, taken apart: a record per line (``_line.pxd`` says what each
    field holds; -1 is "absent"), and each field as a NumPy view of them (``lines.kind``,
    ``lines.pay_start``, ...)."""

    buf: np.ndarray
    records: np.ndarray  # one ``_lines.LINE`` record per line
    single: np.ndarray  # line indices of the AIS sentences that are messages of their own
    multi: np.ndarray  # line indices of the AIS sentences of multi-sentence messages
    rejects: np.ndarray  # line indices of the REJECT lines
    counts: np.ndarray  # how many lines of each kind (indexed by kind)

    def __getattr__(self, name: str) -> np.ndarray:
        """A field of every line (``start``, ``kind``, ``tag_ts``...), as a view."""
        if name in _FIELDS:
            field: np.ndarray = self.records[name]
            return field
        raise AttributeError(name)

    def __len__(self) -> int:
        return len(self.records)


def parse(buf: np.ndarray, spare: dict[str, np.ndarray] | None = None) -> Lines:
    """Take apart every line of ``buf`` (a ``uint8`` array that ends with a newline).

    ``spare``: a dict the caller keeps from one buffer to the next; the arrays then live in
    it and the next call reuses (overwrites) them, so the previous ``Lines`` must be done with.
    """
    fields = _lines.frame_lines(buf, spare)
    return Lines(buf=buf, **fields)
