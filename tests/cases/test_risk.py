"""The risk profile: each indicator's points worked out by hand, caps, and the weights file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from vesselwatch.cases.risk import RiskWeights, load_weights, risk_profile
from vesselwatch.errors import InputError

T = datetime(2023, 9, 7, tzinfo=UTC)
V = 273310100
WATCHED = {"KPRJN": {"name": "Najin", "lat": 42.2333, "lon": 130.3},
           "RUVYP": {"name": "Vostochnyy", "lat": 42.75, "lon": 133.0833}}


def event(kind: str, n: int, *, hours: float = 1.0, port: str | None = None,
          other: int | None = None, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"event_id": f"{kind}-{n}", "event_type": kind, "mmsi": V, "other_mmsi": other,
            "start_ts": T + timedelta(days=n), "end_ts": T + timedelta(days=n, hours=hours),
            "duration_s": hours * 3600, "port_id": port, "confidence": 3,
            "details": json.dumps(details or {})}


def hit(tier: str, false_positive: bool = False) -> dict[str, Any]:
    return {"hit_id": f"h-{tier}", "mmsi": V, "tier": tier, "entity_name": "Angara",
            "list_name": "EU", "false_positive": false_positive}


LEG = {"origin_port_id": "KPRJN", "dest_port_id": "RUVYP"}


def test_a_shuttle_scores_by_hand() -> None:
    events = [
        event("port_visit", 0, port="KPRJN"), event("port_visit", 1, port="RUVYP"),
        event("port_visit", 2, port="XXXXX"),  # not watched: no points
        event("gap", 3, hours=12, details={"off_lat": 42.20, "off_lon": 130.35,
                                           "on_lat": 42.70, "on_lon": 133.0}),
        event("gap", 4, hours=12, details={"off_lat": 38.0, "off_lon": 135.0,
                                           "on_lat": 38.5, "on_lon": 135.5}),  # far: none
        event("voyage", 5, hours=14, details=LEG),
        event("dark_voyage", 5, hours=12, details=LEG),  # the same leg, seen twice
        event("encounter", 6, other=440000001), event("encounter", 7, other=273000009),
        event("identity_change", 8), event("spoofing", 9),
    ]
    p = risk_profile(V, events, [hit("sanctioned"), hit("lead")], WATCHED, {273000009})
    points = {i["indicator"]: i["contribution"] for i in p["indicators"]}
    assert points == {"sanctions": 40, "watched_port_visits": 10,
                      "dark_near_watched_ports": 6, "encounters": 13,
                      "identity_changes": 5, "watched_legs": 10, "spoofing": 10}
    assert p["score"] == 94 and p["level"] == "high"
    (legs,) = [i for i in p["indicators"] if i["indicator"] == "watched_legs"]
    assert legs["evidence"] == ["voyage-5"]
    assert p["summary"].startswith("Risk high (94 of 100): screening tier sanctioned")


def test_caps_false_positives_and_a_clean_vessel() -> None:
    many = [event("port_visit", n, port="KPRJN") for n in range(20)]
    p = risk_profile(V, many, [hit("sanctioned", false_positive=True)], WATCHED, set())
    points = {i["indicator"]: i["contribution"] for i in p["indicators"]}
    assert points == {"watched_port_visits": 20}  # capped; the false positive counts 0
    assert p["level"] == "low"
    clean = risk_profile(V, [], [], WATCHED, set())
    assert (clean["score"], clean["level"], clean["indicators"]) == (0, "low", [])


def test_weights_come_from_a_toml_file_and_bad_ones_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "w.toml"
    f.write_text("[risk]\nsanctioned = 50\n")
    assert load_weights(f) == RiskWeights(sanctioned=50)
    f.write_text("[risk]\nsanctoined = 50\n")
    with pytest.raises(InputError, match="sanctoined: unknown weight"):
        load_weights(f)
    f.write_text("[risk]\nrisk = -1\n")
    with pytest.raises(InputError, match="give a number of 0 or more"):
        load_weights(f)
