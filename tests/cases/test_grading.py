"""The grading rules of docs/cases.md: hand-worked grades and the properties the issue
asks for (one source once, more evidence never lowers, a denial never lowers, remove and
add back restores)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.cases.grading import admiralty_weight, grade
from vesselwatch.model.cases import LIKELIHOOD


def item(kind: str, source: str = "AIS", *, weight: int = 1, ref: str = "x",
         reliability: str | None = None, credibility: int | None = None,
         party: str | None = None, interested: bool | None = None) -> dict[str, Any]:
    return {"kind": kind, "ref": ref, "source": source, "reliability": reliability,
            "credibility": credibility, "ts": None, "summary": f"{kind} from {source}",
            "weight": weight, "party": party, "interested": interested}


def outside(source: str, grading: str, kind: str = "observation", ref: str = "o"
            ) -> dict[str, Any]:
    r, c = grading[0], int(grading[1])
    return item(kind, source, weight=admiralty_weight(r, c), ref=ref, reliability=r,
                credibility=c)


SEEN = item("voyage", weight=0)
INFERRED = item("dark_voyage", weight=0)


def test_admiralty_weights() -> None:
    assert [admiralty_weight(r, c) for r, c in (("A", 1), ("B", 2), ("B", 3), ("C", 3),
                                                  ("C", 4), ("D", 1), ("F", 6))] == \
        [2, 2, 1, 1, 0, 0, 0]
    assert admiralty_weight(None, 2) == 0


def test_a_seen_leg_starts_at_even_chance_an_inferred_one_lower() -> None:
    assert grade([SEEN]).likelihood == "roughly even chance"
    assert grade([INFERRED]).likelihood == "unlikely"


def test_worked_example_from_the_flagship_case() -> None:
    # seen in both ports, dark 10 h inside the leg, the ship is listed, US imagery of the
    # containers at the destination graded B2, and the CSIS pier imagery graded B2
    g = grade([SEEN, item("dark_period", ref="g1"), item("sanctions", "EU 833/2014"),
               outside("US Government", "B2"), outside("CSIS Beyond Parallel", "B2")])
    assert g.step == 3 + 1 + 1 + 2 + 2 - 3  # capped at the top: almost certain
    assert g.likelihood == "almost certain"
    assert g.reasons[0].startswith("start at roughly even chance")
    one_strong = grade([SEEN, item("dark_period"), item("sanctions", "EU 833/2014"),
                        outside("US Government", "B2")])
    assert one_strong.likelihood == "very likely"
    assert any(r.startswith("capped at very likely") for r in one_strong.reasons)


def test_one_source_counts_once() -> None:
    base = [SEEN, outside("Think tank", "C3", ref="a")]
    more = [*base, outside("Think tank", "C3", ref="b"), outside("Think tank", "C3", ref="c")]
    assert grade(base).step == grade(more).step == 4
    ais = [SEEN, item("dark_period", ref="g1"), item("dark_period", ref="g2"),
           item("encounter", ref="e1"), item("spoofing", ref="s1")]
    assert grade(ais).step == 4  # AIS is one source


def test_a_denial_is_recorded_and_never_lowers() -> None:
    before = grade([SEEN, outside("US Government", "B2")])
    denied = grade([SEEN, outside("US Government", "B2"),
                    item("denial", "TASS", weight=0, party="Russia", interested=True)])
    assert denied.step == before.step
    assert denied.denied_by[0]["party"] == "Russia" and denied.denied_by[0]["interested"]
    assert any("denied by Russia (an interested party)" in r for r in denied.reasons)


def test_confirmations_are_listed_and_count_as_outside_sources() -> None:
    g = grade([SEEN, outside("South Korea", "B2", kind="confirmation", ref="c1"),
               outside("Japan", "B2", kind="confirmation", ref="c2")])
    assert g.likelihood == "almost certain"
    assert [c["party"] for c in g.confirmed_by] == ["Japan", "South Korea"]


KINDS = st.sampled_from(["voyage", "dark_voyage", "dark_period", "encounter", "sanctions",
                         "observation", "confirmation", "denial"])
SOURCES = st.sampled_from(["AIS", "EU", "OFAC", "US Government", "CSIS", "TASS"])
GRADES = st.sampled_from(["A1", "B2", "B3", "C3", "D4", "F6"])


@st.composite
def evidence(draw: Any) -> dict[str, Any]:
    kind = draw(KINDS)
    source = draw(SOURCES)
    ref = draw(st.text("abcdef", min_size=1, max_size=3))
    if kind in ("observation", "confirmation", "denial"):
        e = outside(source, draw(GRADES), kind=kind, ref=ref)
        if kind == "denial":
            e.update(weight=0, party=source, interested=draw(st.booleans()))
        return e
    return item(kind, source, ref=ref, weight=0 if kind in ("voyage", "dark_voyage") else 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(evidence(), max_size=8), evidence())
def test_adding_evidence_never_lowers_and_removing_it_restores(items: list[dict[str, Any]],
                                                               extra: dict[str, Any]) -> None:
    before = grade(items)
    after = grade([*items, extra])
    assert after.step >= before.step
    assert 0 <= after.step < len(LIKELIHOOD)
    assert grade([e for e in [*items, extra] if e is not extra]).step == before.step


@settings(max_examples=200, deadline=None)
@given(st.lists(evidence(), max_size=8), st.randoms())
def test_the_grade_is_a_function_of_the_set(items: list[dict[str, Any]], rnd: Any) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert grade(items) == grade(shuffled)
