"""Many vessels at one spot: the join splits its grid times, and finds the same encounters."""

from __future__ import annotations

import numpy as np
import pytest
from track_builders import make_tracks, us

from vesselwatch.detect import encounters
from vesselwatch.detect.config import DetectConfig


def test_a_small_pair_budget_gives_the_same_encounters(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    t0 = us("2024-03-01T22:00:00")  # across midnight
    rows = [(200_000_000 + m, t0 + k * 600_000_000 + m * 1_000_000, 30.0 + 1e-4 * rng.random(),
             150.0 + 1e-4 * rng.random(), 0.5) for m in range(12) for k in range(30)]
    tracks = make_tracks(rows)
    whole = encounters.detect_encounters(tracks, DetectConfig())
    assert whole.num_rows == 12 * 11  # every pair, once per vessel
    monkeypatch.setattr(encounters, "PAIR_BUDGET", 50)
    assert encounters.detect_encounters(tracks, DetectConfig()).equals(whole)
