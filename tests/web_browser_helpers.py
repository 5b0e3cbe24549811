"""Driving Debian's Chromium from the tests (never a downloaded browser): whether it is
there, and how to start it so that WebGL works headless."""

from __future__ import annotations

import glob
import importlib.util
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# WebGL headless: ANGLE on Mesa's software OpenGL (llvmpipe) where Mesa's EGL is installed,
# several times faster than ANGLE's own SwiftShader, which is the fallback
MESA_EGL = "/usr/lib/*/libEGL_mesa.so.0"
WEBGL_MESA = ["--use-gl=angle", "--use-angle=gl-egl", "--ignore-gpu-blocklist"]
WEBGL_SWIFTSHADER = ["--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


def browser_missing() -> str:
    """What is missing to drive the browser ("" when nothing is)."""
    missing = [str(CHROMIUM)] * (not CHROMIUM.exists()) \
        + ["playwright"] * (importlib.util.find_spec("playwright") is None)
    return ", ".join(missing)


def require_browser() -> None:
    """Skip the test, saying why, when the browser is missing; fail instead when
    ``VESSELWATCH_REQUIRE_BROWSER=1`` (CI installs it)."""
    missing = browser_missing()
    if not missing:
        return
    reason = (f"needs {CHROMIUM} (a system Chromium; never downloaded) and the playwright "
              f"Python package; missing: {missing}")
    if os.environ.get("VESSELWATCH_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def webgl_args() -> list[str]:
    """Chromium flags for WebGL without a GPU."""
    return WEBGL_MESA if glob.glob(MESA_EGL) else WEBGL_SWIFTSHADER
