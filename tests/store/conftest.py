"""Fixtures of the store tests; the builders live in ``storekit``."""

from __future__ import annotations

from pathlib import Path

import pytest

from vesselwatch.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh store with 4 buckets and a short lock timeout."""
    return Store.open(tmp_path / "store", n_buckets=4, lock_timeout=2.0)
