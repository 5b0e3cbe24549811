"""Sanctions lists read into FollowTheMoney entities and two flat tables.

``load_sanctions(paths)`` recognises each path, reads it with its reader and concatenates:

- an OFAC SDN legacy CSV set (a folder holding sdn.csv, or sdn.csv itself): ``ofac``;
- the UN Security Council consolidated list XML: ``un``;
- an EU regulation table as OpenSanctions transcribes it (CSV, by its header): ``eu``;
- FollowTheMoney JSON lines (OpenSanctions exports): ``ftm``.

The result holds ``entities`` (``SANCTION_ENTITIES``), ``features`` (``SANCTION_FEATURES``,
the join keys for screening), ``problems`` (:data:`SANCTION_PROBLEMS`: records and values
that could not be used, never dropped silently) and ``counts`` per file read. What is read
from each source, the ids and the counts on the shared files are in ``docs/sanctions.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import pyarrow as pa

from vesselwatch.errors import InputError
from vesselwatch.reference.sanctions.eu import looks_like_eu, read_eu
from vesselwatch.reference.sanctions.flatten import (
    PROBLEM_REASONS,
    SANCTION_PROBLEMS,
    SourceRead,
    entities_table,
    features_table,
    problems_table,
)
from vesselwatch.reference.sanctions.ftm import looks_like_ftm, read_ftm
from vesselwatch.reference.sanctions.ofac import read_ofac
from vesselwatch.reference.sanctions.un import read_un

__all__ = [
    "KINDS",
    "PROBLEM_REASONS",
    "SANCTION_PROBLEMS",
    "SanctionsLists",
    "SourceRead",
    "load_sanctions",
    "read_path",
]

KINDS: Final = (
    "an OFAC SDN legacy CSV set (a folder holding sdn.csv, or sdn.csv itself), the UN "
    "Security Council consolidated list XML, an EU regulation CSV as OpenSanctions "
    "transcribes it (header starting celex,recordId,programKey), or FollowTheMoney JSON "
    "lines (one entity per line)")

Reader = Callable[..., SourceRead]


@dataclass(frozen=True)
class SanctionsLists:
    """Sanctions lists as tables.

    ``counts`` is keyed ``"<source>/<file name>"`` (``"eu/32014R0833.csv"``): records
    read, entities, vessels (designated and derived), vessels with an IMO or MMSI, IMO
    numbers with a bad check digit, records dropped and ``problem_<reason>`` per reason,
    plus what the reader counts of its own (see ``docs/sanctions.md``).
    """

    entities: pa.Table
    features: pa.Table
    problems: pa.Table
    counts: dict[str, dict[str, int]]


def _first_line(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); check the path") from e
    return head.decode("utf-8-sig", errors="replace").lstrip().split("\n", 1)[0]


def _reader(path: Path) -> Reader:
    if path.is_dir():
        if (path / "sdn.csv").is_file():
            return read_ofac
        raise InputError(f"{path}: a folder without sdn.csv; vesselwatch reads {KINDS}")
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder; check the path")
    if path.name.lower() == "sdn.csv":
        return read_ofac
    first = _first_line(path)
    if first.startswith("<"):
        return read_un
    if looks_like_ftm(first):
        return read_ftm
    if looks_like_eu(first):
        return read_eu
    raise InputError(f"{path}: not a sanctions list vesselwatch knows (it starts "
                     f"{first[:60]!r}); vesselwatch reads {KINDS}")


def read_path(path: str | Path, *, as_of: date | None = None) -> SourceRead:
    """Read one list with the reader its kind needs (see :data:`KINDS`)."""
    path = Path(path)
    return _reader(path)(path, as_of=as_of)


def load_sanctions(paths: Sequence[str | Path], *,
                   as_of: date | None = None) -> SanctionsLists:
    """Read every path and concatenate. ``as_of`` is the lists' date where the file does
    not carry one (OFAC, EU, FtM; the UN list says its own). The same entity id from two
    files (or twice in one) is an :class:`InputError` naming both."""
    if isinstance(paths, str | Path):
        paths = [paths]
    reads = [read_path(p, as_of=as_of) for p in paths]
    seen: dict[str, Path] = {}
    for read in reads:
        for listing in read.listings:
            if listing.id in seen:
                raise InputError(
                    f"entity id {listing.id} is in {seen[listing.id]} and in {read.path}; "
                    "give each list once (an OpenSanctions export already holds the lists "
                    "it was built from)")
            seen[listing.id] = read.path
    counts: dict[str, dict[str, int]] = {}
    for read in reads:
        key = f"{read.source}/{read.path.name}"
        counts[key if key not in counts else f"{read.source}/{read.path}"] = read.summary()
    listings = [x for read in reads for x in read.listings]
    return SanctionsLists(
        entities=entities_table(listings),
        features=features_table(listings),
        problems=problems_table(p for read in reads for p in read.problems),
        counts=counts,
    )
