"""``vesselwatch serve``: the analyst's dashboard in a browser. Registered on the
``vesselwatch`` app by :func:`register`; FastAPI and uvicorn load only when a server starts
(``vesselwatch.web.server`` imports neither at import time), so the other commands start as
fast as before."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from vesselwatch.cli_common import StoreOption, err, out
from vesselwatch.web.server import DEFAULT_HOST, DEFAULT_PORT, TOKEN_ENV

__all__ = ["HostOption", "PortOption", "TokenOption", "check_serve_access", "register",
           "serve_store"]

HostOption = Annotated[str, typer.Option(
    "--host", help="Address to listen on; anything but loopback needs a token.")]
PortOption = Annotated[int, typer.Option(
    "--port", min=0, max=65535, help="Port to listen on; 0 picks a free one.")]
TokenOption = Annotated[str | None, typer.Option(
    "--token", envvar=TOKEN_ENV, show_envvar=True, show_default=False,
    help="Access token every request must carry (the printed address has it).")]


def check_serve_access(host: str, token: str | None) -> None:
    """Refuse a non-loopback host without a token before any work is done."""
    from vesselwatch.web.server import check_access

    check_access(host, token)


def serve_store(store: Path, host: str, port: int, token: str | None, *,
                to_stderr: bool = False) -> None:
    """Serve ``store`` until Ctrl-C, printing its address once it listens."""
    from vesselwatch.web.server import serve

    console = err if to_stderr else out

    def ready(url: str) -> None:
        console.print(f"dashboard of {escape(str(store))} at {url} (Ctrl-C stops it)",
                      highlight=False, soft_wrap=True)
        (sys.stderr if to_stderr else sys.stdout).flush()

    try:
        serve(store, host=host, port=port, token=token, ready=ready)
    except KeyboardInterrupt:
        pass
    console.print("dashboard stopped", highlight=False)


def serve_command(
    store: StoreOption = None,
    host: HostOption = DEFAULT_HOST,
    port: PortOption = DEFAULT_PORT,
    token: TokenOption = None,
) -> None:
    """Serve the analyst's dashboard of a store: map, timeline, events, vessels, cases
    (docs/dashboard.md)."""
    from vesselwatch.engine import default_store_path

    check_serve_access(host, token)
    serve_store(store if store is not None else default_store_path(), host, port, token)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command(name="serve")(serve_command)
