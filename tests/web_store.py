"""What the dashboard tests share: a small demo store, copies of it to write into, a store
that was never detected, and reading the address a ``vesselwatch serve`` process prints."""

from __future__ import annotations

import io
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa

DEMO_DAYS = 2.0  # three cases, screening hits, an encounter and a spoofing event
ADDRESS = re.compile(r"http://\S+")


def build_demo_store(root: Path) -> Path:
    """The dprk-russia demo, two days, seed 1 (a couple of seconds)."""
    from vesselwatch.demo import run_demo

    run_demo(root, seed=1, days=DEMO_DAYS, sanctions=[])
    return root


def copy_store(store: Path, dest: Path) -> Path:
    """A copy of ``store`` without the simulator's files and the dossiers."""
    shutil.copytree(store, dest, ignore=shutil.ignore_patterns("scenario", "dossiers"))
    return dest


def undetected_store(demo: Path, dest: Path) -> Path:
    """A store holding the demo's AIS, ingested but never detected nor screened."""
    from vesselwatch.engine import Engine

    Engine(dest).ingest(sorted((demo / "scenario").glob("*.nmea")))
    return dest


def arrow_of(body: bytes) -> pa.Table:
    """The table of an Arrow IPC stream."""
    return pa.ipc.open_stream(io.BytesIO(body)).read_all()


def start_cli(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    """``python -m vesselwatch ARGS`` with its output piped (text)."""
    env = dict(os.environ)
    env.pop("VESSELWATCH_TOKEN", None)
    return subprocess.Popen([sys.executable, "-m", "vesselwatch", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_address(proc: subprocess.Popen[str], timeout_s: float) -> tuple[str, list[str]]:
    """The first address the process prints on standard output, and the lines before it."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        line = proc.stdout.readline()
        if not line:
            break
        found = ADDRESS.search(line)
        if found:
            return found.group(0), lines
        lines.append(line)
    err = proc.stderr.read() if proc.stderr is not None and proc.poll() is not None else ""
    raise AssertionError(f"no address printed within {timeout_s} s; stdout: {lines}; "
                         f"stderr: {err}")
