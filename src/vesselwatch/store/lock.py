"""The writer lock: one writer at a time per store; readers never take it.

An OS-level lock (``fcntl``/``msvcrt`` through :mod:`filelock`) on ``<store>/.lock``: the
operating system releases it when the holder dies, so a killed ingest never leaves a stale
lock behind.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Self

import filelock

from vesselwatch.errors import StoreLockedError
from vesselwatch.store.layout import LOCK


class WriterLock:
    """The exclusive write lock of the store at ``root``."""

    def __init__(self, root: Path, timeout: float) -> None:
        self.root = root
        self.timeout = timeout
        self._lock = filelock.FileLock(str(root / LOCK), timeout=timeout)

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return bool(self._lock.is_locked)

    def acquire(self) -> None:
        """Take the lock, waiting up to ``timeout`` seconds; raise :class:`StoreLockedError`."""
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise StoreLockedError(
                f"the store {self.root} is being written by another process "
                f"(waited {self.timeout:g} s for {self.root / LOCK}); wait for that ingest "
                "to finish and try again, or pass a longer lock timeout"
            ) from None

    def release(self) -> None:
        """Give the lock back (a no-op if not held)."""
        if self._lock.is_locked:
            self._lock.release(force=True)

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
