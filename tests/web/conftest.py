"""Fixtures of the dashboard tests: one demo store per session and a client on it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from web_store import build_demo_store, copy_store, undetected_store

with warnings.catch_warnings():  # newer Starlette asks for httpx2; httpx works the same
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

LOOPBACK = "http://127.0.0.1"


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store; tests that write use ``store_copy`` instead."""
    return build_demo_store(tmp_path_factory.mktemp("web") / "demo")


@pytest.fixture(scope="session")
def client(demo_store: Path) -> Iterator[TestClient]:
    from vesselwatch.web.app import create_app

    with TestClient(create_app(demo_store), base_url=LOOPBACK) as c:
        yield c


@pytest.fixture()
def store_copy(demo_store: Path, tmp_path: Path) -> Path:
    return copy_store(demo_store, tmp_path / "store")


@pytest.fixture()
def copy_client(store_copy: Path) -> Iterator[TestClient]:
    """A client on a copy of the demo store, for tests that write."""
    from vesselwatch.web.app import create_app

    with TestClient(create_app(store_copy), base_url=LOOPBACK) as c:
        yield c


@pytest.fixture(scope="session")
def raw_client(demo_store: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[TestClient]:
    """A client on a store that was ingested but never detected nor screened."""
    from vesselwatch.web.app import create_app

    store = undetected_store(demo_store, tmp_path_factory.mktemp("web") / "raw")
    with TestClient(create_app(store), base_url=LOOPBACK) as c:
        yield c
