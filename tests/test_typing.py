"""The package type-checks under ``mypy --strict`` and passes ruff (both set in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_is_clean() -> None:
    pytest.importorskip("mypy", reason="mypy comes with the [dev] extra")
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True,
                          check=False,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_is_clean() -> None:
    pytest.importorskip("ruff", reason="ruff comes with the [dev] extra")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "bench"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
