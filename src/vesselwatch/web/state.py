"""What the app keeps between requests: the engine on one store, and answers that are slow
to build (cases, the vessel list, the store summary) cached per *store state*.

The state is the store's manifest generation (every ingest and detection run moves it on)
and the size and modification time of the screening hits, the false-positive marks and the
observations files, so any write, by this app or by the CLI, makes the next request build
afresh; the app also drops the cache itself after each of its writes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa

from vesselwatch.engine import DEFAULT_WATCHLIST, Engine

__all__ = ["Dashboard", "DashboardEngine", "StateCache", "store_state"]

T = TypeVar("T")
_WATCHED_FILES = ("screening/hits.parquet", "screening/false_positives.json",
                  "observations/observations.parquet")


def store_state(engine: Engine) -> tuple[Any, ...]:
    """A key that changes whenever what the dashboard shows may change."""
    root = engine.store.path
    stats: list[tuple[int, int] | None] = []
    for rel in _WATCHED_FILES:
        try:
            st = (root / rel).stat()
        except FileNotFoundError:
            stats.append(None)
            continue
        stats.append((st.st_mtime_ns, st.st_size))
    return (engine.store.snapshot().generation, *stats)


class StateCache:
    """Values by name, valid for one store state; a new state drops them all."""

    def __init__(self, state: Callable[[], tuple[Any, ...]]) -> None:
        self._state = state
        self._key: tuple[Any, ...] | None = None
        self._values: dict[Any, Any] = {}
        self._lock = threading.RLock()

    def get(self, name: Any, build: Callable[[], T]) -> T:
        """The value of ``name`` in the current state, built by ``build`` when missing."""
        with self._lock:
            key = self._state()
            if key != self._key:
                self._key, self._values = key, {}
            if name not in self._values:
                self._values[name] = build()
            value: T = self._values[name]
            return value

    def __contains__(self, name: Any) -> bool:
        """Whether ``name`` is built for the current state."""
        with self._lock:
            return self._key == self._state() and name in self._values

    def clear(self) -> None:
        with self._lock:
            self._key, self._values = None, {}


class DashboardEngine(Engine):
    """The engine with :meth:`cases` cached per store state: ``Engine.case``, the vessel
    profile and the dossiers all go through it, and building cases is the slow part."""

    def __init__(self, store: str | os.PathLike[str]) -> None:
        super().__init__(store, create=False)
        self.cache = StateCache(lambda: store_state(self))

    def cases(self, *, watchlist: str = DEFAULT_WATCHLIST,
              min_likelihood: str | None = None) -> pa.Table:
        return self.cache.get(("cases", watchlist, min_likelihood),
                              lambda: super(DashboardEngine, self).cases(
                                  watchlist=watchlist, min_likelihood=min_likelihood))


class Dashboard:
    """The app's state: the engine, the watchlist whose ports and cases it shows, the
    static folder and the cache."""

    def __init__(self, store: str | os.PathLike[str], watchlist: str, static: Path) -> None:
        import pyarrow.dataset  # noqa: F401 - the positions reader's; load it before the map asks

        self.engine = DashboardEngine(store)
        self.engine.store  # noqa: B018 - open it now: a missing store fails at start-up
        self.watchlist = watchlist
        self.static = static

    @property
    def cache(self) -> StateCache:
        return self.engine.cache

    def cached(self, name: str, build: Callable[[], T]) -> T:
        return self.cache.get(name, build)

    @property
    def detected(self) -> bool:
        return self.engine.store.detection() is not None

    @property
    def screened(self) -> bool:
        from vesselwatch.store.screening import read_run

        return read_run(self.engine.store.path) is not None

    def require_detection(self) -> None:
        """409 unless the store has events."""
        from vesselwatch.web.errors import conflict

        if not self.detected:
            raise conflict(f"the store {self.engine.store.path} has no events yet; run "
                           "vesselwatch detect on it (vesselwatch demo does every step)")

    def require_screening(self) -> None:
        """409 unless the store has a screening run."""
        from vesselwatch.web.errors import conflict

        if not self.screened:
            raise conflict(f"the store {self.engine.store.path} has no screening yet; run "
                           "vesselwatch screen on it (vesselwatch demo does every step)")
