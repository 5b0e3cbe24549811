"""The version the package reports is the one it is installed as."""

from __future__ import annotations

import tomllib
from pathlib import Path

import vesselwatch


def test_version_matches_pyproject() -> None:
    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    assert vesselwatch.__version__ == pyproject["project"]["version"]
