"""What every module of the ``vesselwatch`` command shares: the consoles, the common
options, JSON output and the progress displays."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

__all__ = ["JsonOption", "StoreOption", "err", "out", "print_json", "progress_bar", "steps_bar"]

err = Console(stderr=True)
out = Console()

StoreOption = Annotated[
    Path | None,
    typer.Option("--store", help="Store folder (default: $VESSELWATCH_STORE, else "
                 "~/.local/share/vesselwatch/store).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def progress_bar(enabled: bool) -> Progress:
    """Bytes done of a total, with speed and time left (ingest, downloads)."""
    return Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
        TransferSpeedColumn(), TimeRemainingColumn(), console=err, disable=not enabled,
        transient=True,
    )


def steps_bar(enabled: bool) -> Progress:
    """Steps done of a total (detect, simulate, demo)."""
    return Progress("[progress.description]{task.description}", BarColumn(), console=err,
                    disable=not enabled, transient=True)
