"""Shared fixtures: real data through one fixture, ``data_dir`` (``VESSELWATCH_DATA``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder of real public data (``VESSELWATCH_DATA``, default ``../shared/data``).

    Tests that need it are skipped when it is missing, or fail when
    ``VESSELWATCH_REQUIRE_DATA=1`` (CI runs with the data).
    """
    path = Path(os.environ.get("VESSELWATCH_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        reason = f"real data folder {path} not found; set VESSELWATCH_DATA to run these tests"
        if os.environ.get("VESSELWATCH_REQUIRE_DATA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path
