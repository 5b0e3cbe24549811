"""vesselwatch and pyais decode the real captures alike, except where a listed reason says why.

The oracle (``pyais_oracle.py``) decodes each file both ways, ties messages by the line of
part 1, maps pyais's values to vesselwatch's null conventions and lists every difference:
a message one side decodes and the other does not, a field that differs, a ``ts`` that is
not the ``$PGHP`` time pyais attached, a trailing receive time that is neither ``ts`` nor
``received_ts``. Each one must be in ``tests/known_differences/nmea_pyais.csv`` with its
reason, and each row there must still occur.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nmeakit import pghp, sentence
from pyais_oracle import FILES, KNOWN, Comparison, compare, compare_bytes, load_known

pytestmark = pytest.mark.realdata

POSITION = "15M67FC000G?ufbE`FepT@3n00Sa"  # type 1 from pyais's own docs


@pytest.fixture(scope="module")
def comparisons(data_dir: Path) -> dict[str, Comparison]:
    return {name: compare(data_dir, name) for name in FILES}


def test_every_listed_difference_has_a_reason() -> None:
    known = load_known()
    assert known, f"{KNOWN} lists no differences"
    assert all(reason.strip() for reason in known.values())
    assert {key[0] for key in known} <= set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_differences_are_exactly_the_listed_ones(comparisons: dict[str, Comparison],
                                                 name: str) -> None:
    found = {d.key() for d in comparisons[name].differences}
    listed = {key for key in load_known() if key[0] == name}
    unlisted = sorted(found - listed)
    gone = sorted(listed - found)
    assert not unlisted, (
        f"{len(unlisted)} new differences from pyais (fix vesselwatch, or list them with a "
        f"reason in {KNOWN.name}): {unlisted[:20]}")
    assert not gone, f"listed differences that no longer occur (remove them): {gone}"


def test_match_rate_of_position_reports(comparisons: dict[str, Comparison]) -> None:
    total = sum(c.pyais_positions for c in comparisons.values())
    same = sum(c.identical_positions for c in comparisons.values())
    assert total > 38_000  # every file contributed
    assert same / total >= 0.9999, f"{same}/{total} position reports identical"


def test_clocks_were_compared(comparisons: dict[str, Comparison]) -> None:
    dma = comparisons["ais_nmea_dma_aislib/stream_example.txt"]
    assert dma.pghp_checked > 3_500  # every DMA message carries a pyais $PGHP time
    # exactEarth: pyais cannot read its $PGHP lines, the trailing epochs are checked instead
    for name in FILES[1:3]:
        assert comparisons[name].trailing_checked > 1_000


def test_oracle_reports_planted_differences() -> None:
    """The oracle is not blind: a bad checksum and a mis-bound $PGHP show up."""
    good = sentence(POSITION)
    bad = good[:-2] + ("00" if not good.endswith("00") else "01")
    # a $PGHP whose checksum field names another sentence: pyais attaches it anyway
    stray = pghp(2010, 6, 11, 11, 46, 12, 0, target="7E")
    data = f"{bad}\n{stray}\n{good}\n".encode()
    diffs = {(d.line, d.field, d.vesselwatch, d.pyais)
             for d in compare_bytes("planted", data).differences}
    assert (1, "message", "reject:bad_checksum", "type 1") in diffs
    assert (3, "ts", "reference:1327968000000000", "pghp:1276256772000000") in diffs
