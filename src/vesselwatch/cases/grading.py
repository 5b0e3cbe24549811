"""The likelihood of a shipment hypothesis, from its evidence, by written rules
(``docs/cases.md``). A pure function of the evidence items; its properties are tested:

- one source counts once, however many items it supplies (its strongest item counts);
- adding evidence never lowers the likelihood;
- a denial is recorded and shown, and never lowers it;
- the grade is a function of the set of items, so removing one and adding it back
  restores it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vesselwatch.model.cases import LIKELIHOOD

__all__ = ["Grade", "admiralty_weight", "grade"]

BASE_SEEN = LIKELIHOOD.index("roughly even chance")  # port calls at both ends
BASE_INFERRED = LIKELIHOOD.index("unlikely")  # only inferred from a gap
CAP_WITHOUT_TWO_STRONG = LIKELIHOOD.index("very likely")
STRONG = 2  # an A/B source with information graded 1/2


@dataclass(frozen=True)
class Grade:
    step: int  # index into LIKELIHOOD
    reasons: tuple[str, ...]
    confirmed_by: tuple[dict[str, Any], ...]
    denied_by: tuple[dict[str, Any], ...]

    @property
    def likelihood(self) -> str:
        return LIKELIHOOD[self.step]


def admiralty_weight(reliability: str | None, credibility: int | None) -> int:
    """Steps an outside item may add: 2 for a usually reliable source (A, B) with
    information probably true (1, 2); 1 for a fairly reliable one (A-C) with information
    possibly true (1-3); else 0 (recorded, not counted)."""
    if reliability is None or credibility is None:
        return 0
    if reliability in "AB" and credibility <= 2:
        return 2
    if reliability in "ABC" and credibility <= 3:
        return 1
    return 0


def grade(evidence: Iterable[Mapping[str, Any]]) -> Grade:
    """The grade of a case from its evidence items (rows of ``model.cases.EVIDENCE``)."""
    items = sorted((dict(e) for e in evidence),
                   key=lambda e: (e["kind"], e["source"], e["ref"], e.get("reliability") or "",
                                  e.get("credibility") or 0, e["weight"], e["summary"],
                                  e.get("party") or "", bool(e.get("interested")),
                                  str(e.get("ts"))))
    kinds = {e["kind"] for e in items}
    reasons: list[str] = []
    if "voyage" in kinds:
        step = BASE_SEEN
        reasons.append(f"start at {LIKELIHOOD[step]}: the vessel was seen in port at both "
                       "ends of the leg")
    else:
        step = BASE_INFERRED
        reasons.append(f"start at {LIKELIHOOD[step]}: the leg is inferred from a gap "
                       "between the two ports, not seen")
    best: dict[str, dict[str, Any]] = {}  # source -> its strongest supporting item
    for e in items:
        if e["kind"] in ("voyage", "denial") or (e["kind"] == "dark_voyage"
                                                 and "voyage" not in kinds):
            continue
        if e["weight"] > best.get(e["source"], {"weight": -1})["weight"]:
            best[e["source"]] = e
    strong = 0
    for source in sorted(best):
        e = best[source]
        if e["weight"] <= 0:
            graded = (f"graded {e['reliability']}{e['credibility']}: "
                      if e.get("reliability") and e.get("credibility") else "")
            if e["kind"] == "sanctions":
                reasons.append(f"+0 {source}: {e['summary']}")
            else:
                reasons.append(f"+0 {source}: {e['summary']} ({graded}recorded, not counted)")
            continue
        step += e["weight"]
        grading = (f" ({e['reliability']}{e['credibility']})"
                   if e.get("reliability") and e.get("credibility") else "")
        reasons.append(f"+{e['weight']} {source}{grading}: {e['summary']}")
        if e["weight"] >= STRONG and e["kind"] in ("observation", "confirmation"):
            strong += 1
    top = len(LIKELIHOOD) - 1
    cap = top if strong >= 2 else CAP_WITHOUT_TWO_STRONG
    if step > cap:
        reasons.append(f"capped at {LIKELIHOOD[cap]}: "
                       + ("the scale's top" if cap == top else
                          "almost certain needs two independent strong outside sources"))
        step = cap
    confirmed = tuple({"party": e.get("party") or e["source"], "source": e["source"],
                       "ts": e.get("ts"), "summary": e["summary"]}
                      for e in items if e["kind"] == "confirmation")
    denied = tuple({"party": e.get("party") or e["source"], "source": e["source"],
                    "ts": e.get("ts"), "interested": bool(e.get("interested")),
                    "summary": e["summary"]} for e in items if e["kind"] == "denial")
    for d in denied:
        who = "an interested party" if d["interested"] else "a party"
        reasons.append(f"denied by {d['party']} ({who}): recorded; a denial does not lower "
                       "the likelihood")
    return Grade(step, tuple(reasons), confirmed, denied)
