"""Two observations the observation tests share: imagery of Najin and a denial by an
interested party."""

from __future__ import annotations

from typing import Any

NAJIN: dict[str, Any] = {
    "kind": "satellite_image", "ts": "2023-09-12T02:00:00Z", "lat": 42.2333, "lon": 130.3,
    "place": "KPRJN", "source": "CSIS Beyond Parallel", "reliability": "B", "credibility": 2,
    "claim": "containers on Pier 1 at Najin",
}
DENIAL: dict[str, Any] = {
    "observation_id": "ru-denial-1", "kind": "denial", "ts": "2023-10-14T10:00:00+03:00",
    "place": "Dunai", "source": "Russian Ministry of Foreign Affairs", "party": "Russia",
    "interested": True, "reliability": "F", "credibility": 6,
    "claim": "no munitions were received from the DPRK",
}
