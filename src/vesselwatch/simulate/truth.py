"""Ground truth from what happened: the event definitions applied to the observable stream.

The observable stream is every message the transponders sent (on or spoofing) while a
receiver could hear them, at the ITU-R M.1371 rates, with the exact positions and speeds
sent: no random loss, no provider thinning, no GNSS noise, no duplicates, no damage.
Each event type of ``docs/events.md`` is derived from it by its definition (the same
definitions the detectors implement; ``tests/oracle`` holds them to those definitions),
so the truth says what a perfect receiver of everything on the air would call a port
visit, a gap, an encounter... The detectors see the received stream instead, and the
benchmark measures what the losses, thinning, noise and damage cost them.

What the definitions cannot say, the truth adds from the world itself: each gap's cause
(the transponder was off, the vessel was out of every receiver's reach, or both) from the
transponder state and the coverage at every slot, and each event's label from the
scenario steps it overlaps.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.suite import References, detect_all
from vesselwatch.evaluate.truth import TRUTH
from vesselwatch.model.mmsi import mmsi_issue
from vesselwatch.model.schema import TS
from vesselwatch.simulate.plans import VesselPlan

__all__ = ["derive_truth", "gap_causes"]

_KIND_TYPES = ("spoofing", "identity_change")


def derive_truth(observable_positions: pa.Table, observable_statics: pa.Table,
                 slots: pa.Table, plans: list[VesselPlan], config: DetectConfig,
                 refs: References, *, until_us: int, covered: set[int] | None = None
                 ) -> pa.Table:
    """The true events (columns of :data:`~vesselwatch.evaluate.truth.TRUTH`).

    ``covered``: keep only events of these vessels (an encounter: either vessel); None
    keeps all.
    """
    positions = observable_positions.append_column(
        "mmsi_issue", pa.array(mmsi_issue(observable_positions["mmsi"].to_numpy(),
                                          observable_positions["msg_type"].to_numpy()),
                               pa.string()))
    reports = observable_statics.append_column(
        "mmsi_issue", pa.array(mmsi_issue(observable_statics["mmsi"].to_numpy(),
                                          observable_statics["msg_type"].to_numpy()),
                               pa.string()))
    events = detect_all(positions, config, refs, vessel_reports=reports, until_us=until_us)
    rows: list[dict[str, Any]] = []
    steps = _steps_by_mmsi(plans)
    for ev in events.to_pylist():
        mmsi, other = ev["mmsi"], ev["other_mmsi"]
        if covered is not None and mmsi not in covered and other not in covered:
            continue
        kind = None
        if ev["event_type"] in _KIND_TYPES:
            kind = json.loads(ev["details"]).get("kind")
        rows.append({"event_type": ev["event_type"], "mmsi": mmsi, "other_mmsi": other,
                     "start_ts": ev["start_ts"], "end_ts": ev["end_ts"],
                     "port_id": ev["port_id"], "kind": kind,
                     "label": _label(steps.get(mmsi, []), ev["start_ts"], ev["end_ts"],
                                     until_us),
                     "cause": None})
    table = pa.Table.from_pylist(rows, schema=TRUTH)
    # an encounter is one true event: keep the row with the lower MMSI first
    if table.num_rows:
        enc = pc.equal(table["event_type"], "encounter")
        keep = pc.or_(pc.invert(enc), pc.less(table["mmsi"], table["other_mmsi"]))
        table = table.filter(pc.fill_null(keep, True))
    causes = gap_causes(table, slots)
    return table.set_column(table.schema.get_field_index("cause"), "cause",
                            pa.array(causes, pa.string()))


def gap_causes(truth: pa.Table, slots: pa.Table) -> list[str | None]:
    """Per true event: for a gap, why nobody heard the vessel between its OFF and ON
    positions (``transponder_off``, ``coverage`` or ``transponder_off+coverage``, from the
    slots strictly inside the gap); None for other types."""
    order = np.lexsort((slots["ts"].cast(pa.int64()).to_numpy(), slots["mmsi"].to_numpy()))
    mmsi = slots["mmsi"].to_numpy()[order]
    ts = slots["ts"].cast(pa.int64()).to_numpy()[order]
    off = (slots["transponder"].to_numpy(zero_copy_only=False) == "off")[order]
    hole = ~off & ~slots["covered"].to_numpy(zero_copy_only=False)[order]
    until = int(ts.max()) if len(ts) else 0
    out: list[str | None] = []
    for row in truth.select(["event_type", "mmsi", "start_ts", "end_ts"]).to_pylist():
        if row["event_type"] != "gap":
            out.append(None)
            continue
        lo = np.searchsorted(mmsi, row["mmsi"], side="left")
        hi = np.searchsorted(mmsi, row["mmsi"], side="right")
        start = _us(row["start_ts"])
        end = until + 1 if row["end_ts"] is None else _us(row["end_ts"])
        a = lo + np.searchsorted(ts[lo:hi], start, side="right")
        b = lo + np.searchsorted(ts[lo:hi], end, side="left")
        was_off, was_out = bool(off[a:b].any()), bool(hole[a:b].any())
        out.append("transponder_off+coverage" if was_off and was_out
                   else "coverage" if was_out else "transponder_off")
    return out


def _steps_by_mmsi(plans: list[VesselPlan]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for plan in plans:
        mmsis = {row["mmsi"] for row in plan.identity_table()}
        for m in mmsis:
            out.setdefault(m, []).extend(s for s in plan.steps if s["label"])
    return out


def _label(steps: list[dict[str, Any]], start: Any, end: Any, until_us: int) -> str | None:
    s = _us(start) / 1e6
    e = (until_us if end is None else _us(end)) / 1e6
    labels = [st["label"] for st in steps if st["start_s"] <= e and s <= st["end_s"]]
    return "; ".join(dict.fromkeys(labels)) or None


def _us(value: Any) -> int:
    return int(pa.scalar(value, TS).cast(pa.int64()).as_py())
