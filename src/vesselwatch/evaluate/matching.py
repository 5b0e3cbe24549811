"""Match detected events against ground truth: precision, recall and timing per type.

Pure functions on Arrow tables, no I/O. The rule (``docs/evaluate.md``): a detected event
matches a true event of the same type, the same vessel (for encounters the same unordered
pair) and, where the truth gives one, the same ``kind``, when their closed time intervals
overlap once the detected one is widened by ``tolerance_s`` on each side (an open end
reaches the end of the data). Matching is one-to-one: per (type, vessel) the assignment
with the most pairs, and of those the largest total overlap (a minimum-cost flow over each
cluster of mutually reachable events; clusters are a handful of events).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from vesselwatch.errors import InputError
from vesselwatch.model.events import EventType
from vesselwatch.model.schema import TS

__all__ = ["Evaluation", "TypeScore", "assign", "evaluate"]

_TYPES = tuple(t.value for t in EventType)
_KIND_TYPES = frozenset({EventType.SPOOFING.value, EventType.IDENTITY_CHANGE.value})
_US = 1_000_000

PAIRS = pa.schema([
    ("event_type", pa.string()), ("mmsi", pa.uint32()), ("other_mmsi", pa.uint32()),
    ("kind", pa.string()), ("event_id", pa.string()), ("label", pa.string()),
    ("truth_start_ts", TS), ("truth_end_ts", TS), ("detected_start_ts", TS),
    ("detected_end_ts", TS), ("start_error_s", pa.float64()), ("end_error_s", pa.float64()),
])
MISSES = pa.schema([
    ("outcome", pa.string()),  # false_positive (a detection) or false_negative (a truth)
    ("event_type", pa.string()), ("mmsi", pa.uint32()), ("other_mmsi", pa.uint32()),
    ("kind", pa.string()), ("start_ts", TS), ("end_ts", TS), ("event_id", pa.string()),
    ("confidence", pa.uint8()), ("port_id", pa.string()), ("label", pa.string()),
    ("cause", pa.string()),
])


@dataclass(frozen=True)
class _Event:
    """One side's event, normalised: the vessel pair ordered, the open end resolved."""

    event_type: str
    vessel: tuple[int, int | None]  # (mmsi, None) or (low, high) for an encounter
    start_us: int
    end_us: int | None  # None: open
    kind: str | None
    event_id: str | None = None
    confidence: int | None = None
    port_id: str | None = None
    label: str | None = None
    cause: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (self.start_us, -1 if self.end_us is None else self.end_us, self.kind or "",
                self.event_id or "", self.label or "", self.port_id or "")


@dataclass(frozen=True)
class TypeScore:
    """The score of one event type. A ratio whose denominator is 0 is ``None``."""

    event_type: str
    truth: int
    detected: int
    tp: int
    fp: int
    fn: int
    precision: float | None  # tp / (tp + fp); None without detections
    recall: float | None  # tp / (tp + fn); None without true events
    f1: float | None  # 2 tp / (2 tp + fp + fn); None when both sides are empty
    start_error_mean_s: float | None  # over matched pairs; None without pairs
    start_error_max_s: float | None
    end_error_mean_s: float | None  # over matched pairs with both ends closed
    end_error_max_s: float | None
    end_pairs: int  # matched pairs with both ends closed
    # per cause of the true events that give one (gaps): {cause: {"truth": n, "tp": n}}
    by_cause: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class Evaluation:
    """Scores per type, every matched pair, every miss, and the parameters used."""

    scores: list[TypeScore]
    pairs: pa.Table
    misses: pa.Table
    params: dict[str, Any] = field(default_factory=dict)

    def score(self, event_type: str) -> TypeScore:
        for s in self.scores:
            if s.event_type == event_type:
                return s
        raise KeyError(event_type)

    def totals(self) -> dict[str, Any]:
        """Counts summed over types, with precision and recall of the sums."""
        tp = sum(s.tp for s in self.scores)
        fp = sum(s.fp for s in self.scores)
        fn = sum(s.fn for s in self.scores)
        return {"tp": tp, "fp": fp, "fn": fn, "precision": _ratio(tp, tp + fp),
                "recall": _ratio(tp, tp + fn)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "params": self.params,
            "scores": [asdict(s) for s in self.scores],
            "totals": self.totals(),
            "misses": [_jsonable(r) for r in self.misses.to_pylist()],
            "pairs": [_jsonable(r) for r in self.pairs.to_pylist()],
        }


def evaluate(
    detected: pa.Table,
    truth: pa.Table,
    *,
    until_us: int | None = None,
    tolerance_s: float = 0.0,
    min_confidence: int = 1,
    types: Iterable[str] | None = None,
    vessels: Iterable[int] | None = None,
) -> Evaluation:
    """Score ``detected`` (columns of ``EVENTS``) against ``truth`` (columns of ``TRUTH``).

    ``until_us``: the end of the data, where open events end (None: the latest time in
    either table). ``min_confidence``: detections below it are left out. ``types``: only
    these event types (None: every type present on either side). ``vessels``: the vessels
    the truth covers (a scenario mixed into real traffic); detections that involve none of
    them are left out (None: every vessel).
    """
    wanted = list(dict.fromkeys(types)) if types is not None else None
    unknown = sorted(set(wanted or []) - set(_TYPES))
    if unknown:
        raise InputError(f"unknown event type {', '.join(unknown)}; the types are "
                         f"{', '.join(_TYPES)}")
    if tolerance_s < 0:
        raise InputError(f"tolerance {tolerance_s} s is negative; give 0 or more seconds")
    covered = None if vessels is None else frozenset(vessels)
    det = _dedupe([e for e in _detected_events(detected, min_confidence, wanted)
                   if covered is None or e.vessel[0] in covered or e.vessel[1] in covered])
    tru = _dedupe(_truth_events(truth, wanted))
    if until_us is None:
        times = [t for e in det + tru for t in (e.start_us, e.end_us) if t is not None]
        until_us = max(times, default=0)
    tol_us = round(tolerance_s * _US)
    kinds = sorted({e.event_type for e in det + tru}) if wanted is None else wanted
    groups_d: dict[tuple[Any, ...], list[_Event]] = defaultdict(list)
    groups_t: dict[tuple[Any, ...], list[_Event]] = defaultdict(list)
    for e in det:
        groups_d[(e.event_type, e.vessel)].append(e)
    for e in tru:
        groups_t[(e.event_type, e.vessel)].append(e)
    pairs: list[tuple[_Event, _Event]] = []
    fps: list[_Event] = []
    fns: list[_Event] = []
    for key in sorted(set(groups_d) | set(groups_t), key=_group_order):
        ds = sorted(groups_d.get(key, []), key=_Event.sort_key)
        ts = sorted(groups_t.get(key, []), key=_Event.sort_key)
        edges = [(i, j, w) for i, d in enumerate(ds) for j, t in enumerate(ts)
                 if (w := _overlap(d, t, until_us, tol_us)) is not None]
        matched = assign(len(ds), len(ts), edges)
        pairs.extend((ds[i], ts[j]) for i, j in matched)
        used_d = {i for i, _ in matched}
        used_t = {j for _, j in matched}
        fps.extend(d for i, d in enumerate(ds) if i not in used_d)
        fns.extend(t for j, t in enumerate(ts) if j not in used_t)
    scores = [_score(k, det, tru, pairs, fps, fns) for k in kinds]
    params = {"tolerance_s": tolerance_s, "min_confidence": min_confidence,
              "types": wanted, "until": _iso(until_us),
              "vessels": None if covered is None else len(covered)}
    return Evaluation(scores, _pairs_table(pairs), _misses_table(fps, fns), params)


def assign(n_left: int, n_right: int, edges: Sequence[tuple[int, int, int]]
           ) -> list[tuple[int, int]]:
    """A one-to-one matching with the most pairs, and of those the largest total weight.

    ``edges``: (left, right, weight). Successive shortest paths (Bellman-Ford, so weights
    may be negative) on each connected cluster: after k augmentations the flow is the
    cheapest of value k, and it stops at the maximum. Deterministic for a given edge order.
    """
    parent = list(range(n_left + n_right))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j, _ in edges:
        parent[find(i)] = find(n_left + j)
    clusters: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for e in edges:
        clusters[find(e[0])].append(e)
    out: list[tuple[int, int]] = []
    for root in sorted(clusters):
        out.extend(_min_cost_matching(clusters[root]))
    return sorted(out)


def _min_cost_matching(edges: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    lefts = sorted({i for i, _, _ in edges})
    rights = sorted({j for _, j, _ in edges})
    li = {v: k + 1 for k, v in enumerate(lefts)}
    ri = {v: k + 1 + len(lefts) for k, v in enumerate(rights)}
    source, sink = 0, len(lefts) + len(rights) + 1
    # residual graph: per node a list of [to, capacity, cost, index of the reverse edge]
    graph: list[list[list[int]]] = [[] for _ in range(sink + 1)]

    def add(a: int, b: int, cost: int) -> None:
        graph[a].append([b, 1, cost, len(graph[b])])
        graph[b].append([a, 0, -cost, len(graph[a]) - 1])

    for v in lefts:
        add(source, li[v], 0)
    for i, j, w in edges:
        add(li[i], ri[j], -w)
    for v in rights:
        add(ri[v], sink, 0)
    while True:
        dist: list[int | None] = [None] * (sink + 1)
        back: list[tuple[int, int] | None] = [None] * (sink + 1)
        dist[0] = 0
        for _ in range(sink):
            changed = False
            for a in range(sink + 1):
                da = dist[a]
                if da is None:
                    continue
                for k, (b, cap, cost, _) in enumerate(graph[a]):
                    db = dist[b]
                    if cap and (db is None or da + cost < db):
                        dist[b], back[b], changed = da + cost, (a, k), True
            if not changed:
                break
        if dist[sink] is None:
            break
        node = sink
        while node != source:
            step = back[node]
            assert step is not None
            a, k = step
            edge = graph[a][k]
            edge[1] -= 1
            graph[node][edge[3]][1] += 1
            node = a
    left_of = {n: v for v, n in li.items()}
    right_of = {n: v for v, n in ri.items()}
    return [(left_of[a], right_of[b]) for a in left_of for b, cap, _, _ in graph[a]
            if b in right_of and cap == 0]


def _overlap(d: _Event, t: _Event, until_us: int, tol_us: int) -> int | None:
    """The overlap (µs, negative within the tolerance) of a detected and a true event, or
    None when they cannot match."""
    if t.kind is not None and d.kind != t.kind:
        return None
    d_end = max(d.start_us, until_us) if d.end_us is None else d.end_us
    t_end = max(t.start_us, until_us) if t.end_us is None else t.end_us
    lo = max(d.start_us - tol_us, t.start_us)
    hi = min(d_end + tol_us, t_end)
    if lo > hi:
        return None
    return min(d_end, t_end) - max(d.start_us, t.start_us)


def _detected_events(table: pa.Table, min_confidence: int, types: list[str] | None
                     ) -> list[_Event]:
    cols = set(table.column_names)
    out = []
    for r in table.to_pylist():
        if types is not None and r["event_type"] not in types:
            continue
        confidence = r.get("confidence")
        if confidence is not None and confidence < min_confidence:
            continue
        kind = None
        if r["event_type"] in _KIND_TYPES and "details" in cols and r["details"]:
            kind = json.loads(r["details"]).get("kind")
        out.append(_event(r, kind=kind, event_id=r.get("event_id"), confidence=confidence))
    return out


def _truth_events(table: pa.Table, types: list[str] | None) -> list[_Event]:
    return [_event(r, kind=r.get("kind"), label=r.get("label"), cause=r.get("cause"))
            for r in table.to_pylist() if types is None or r["event_type"] in types]


def _event(r: dict[str, Any], **extra: Any) -> _Event:
    vessel: tuple[int, int | None] = (r["mmsi"], None)
    if r["event_type"] == EventType.ENCOUNTER and r.get("other_mmsi") is not None:
        a, b = r["mmsi"], r["other_mmsi"]
        vessel = (min(a, b), max(a, b))
    end = r.get("end_ts")
    return _Event(r["event_type"], vessel, _us(r["start_ts"]),
                  None if end is None else _us(end), port_id=r.get("port_id"), **extra)


def _dedupe(events: list[_Event]) -> list[_Event]:
    """One event per encounter: the two rows of a pair with one interval count once (the
    one with the lowest id stays)."""
    seen: dict[tuple[Any, ...], _Event] = {}
    out = []
    for e in sorted(events, key=lambda e: (e.event_id or "", e.label or "", e.vessel[0],
                                           -1 if e.vessel[1] is None else e.vessel[1],
                                           e.start_us)):
        if e.event_type != EventType.ENCOUNTER:
            out.append(e)
            continue
        key = (e.vessel, e.start_us, e.end_us)
        if key not in seen:
            seen[key] = e
            out.append(e)
    return out


def _score(kind: str, det: list[_Event], tru: list[_Event], pairs: list[tuple[_Event, _Event]],
           fps: list[_Event], fns: list[_Event]) -> TypeScore:
    mine = [(d, t) for d, t in pairs if d.event_type == kind]
    starts = [abs(d.start_us - t.start_us) / _US for d, t in mine]
    ends = [abs(d.end_us - t.end_us) / _US for d, t in mine
            if d.end_us is not None and t.end_us is not None]
    tp = len(mine)
    fp = sum(e.event_type == kind for e in fps)
    fn = sum(e.event_type == kind for e in fns)
    return TypeScore(
        event_type=kind, truth=sum(e.event_type == kind for e in tru),
        detected=sum(e.event_type == kind for e in det), tp=tp, fp=fp, fn=fn,
        precision=_ratio(tp, tp + fp), recall=_ratio(tp, tp + fn),
        f1=_ratio(2 * tp, 2 * tp + fp + fn),
        start_error_mean_s=sum(starts) / len(starts) if starts else None,
        start_error_max_s=max(starts, default=None),
        end_error_mean_s=sum(ends) / len(ends) if ends else None,
        end_error_max_s=max(ends, default=None), end_pairs=len(ends),
        by_cause=_by_cause(kind, tru, mine))


def _by_cause(kind: str, tru: list[_Event], pairs: list[tuple[_Event, _Event]]
              ) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for t in tru:
        if t.event_type == kind and t.cause is not None:
            out.setdefault(t.cause, {"truth": 0, "tp": 0})["truth"] += 1
    for _, t in pairs:
        if t.cause is not None:
            out[t.cause]["tp"] += 1
    return dict(sorted(out.items()))


def _pairs_table(pairs: list[tuple[_Event, _Event]]) -> pa.Table:
    rows = [{
        "event_type": d.event_type, "mmsi": t.vessel[0], "other_mmsi": t.vessel[1],
        "kind": d.kind, "event_id": d.event_id, "label": t.label,
        "truth_start_ts": t.start_us, "truth_end_ts": t.end_us,
        "detected_start_ts": d.start_us, "detected_end_ts": d.end_us,
        "start_error_s": abs(d.start_us - t.start_us) / _US,
        "end_error_s": None if d.end_us is None or t.end_us is None
        else abs(d.end_us - t.end_us) / _US,
    } for d, t in pairs]
    return pa.Table.from_pylist(rows, schema=PAIRS)


def _misses_table(fps: list[_Event], fns: list[_Event]) -> pa.Table:
    rows = [{
        "outcome": outcome, "event_type": e.event_type, "mmsi": e.vessel[0],
        "other_mmsi": e.vessel[1], "kind": e.kind, "start_ts": e.start_us,
        "end_ts": e.end_us, "event_id": e.event_id, "confidence": e.confidence,
        "port_id": e.port_id, "label": e.label, "cause": e.cause,
    } for outcome, side in (("false_positive", fps), ("false_negative", fns)) for e in side]
    return pa.Table.from_pylist(rows, schema=MISSES)


def _group_order(key: tuple[Any, ...]) -> tuple[Any, ...]:
    event_type, (a, b) = key
    return (event_type, a, -1 if b is None else b)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _us(value: Any) -> int:
    if isinstance(value, int):
        return value
    when: datetime = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _iso(us: int) -> str:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                if isinstance(v, datetime) else v) for k, v in row.items()}
