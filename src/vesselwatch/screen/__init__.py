"""Sanctions screening: vessel identities against sanctions entities, hit by hit
(``docs/screening.md``). Pure functions on Arrow tables; the engine does the I/O."""

from vesselwatch.screen.identities import identity_features
from vesselwatch.screen.matching import ScreenParams, hit_id, screen_identities
from vesselwatch.screen.watched import watchlist_entities

__all__ = ["ScreenParams", "hit_id", "identity_features", "screen_identities",
           "watchlist_entities"]
