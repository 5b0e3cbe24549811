"""The dashboard app: the API routes, the static front end, the access rules."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

from vesselwatch import __version__
from vesselwatch.engine import DEFAULT_WATCHLIST
from vesselwatch.web import (
    api_analyst,
    api_cases,
    api_events,
    api_info,
    api_positions,
    api_reference,
    api_vessels,
)
from vesselwatch.web.auth import TokenGate
from vesselwatch.web.errors import error_response, install_error_handlers
from vesselwatch.web.state import Dashboard

__all__ = ["STATIC_DIR", "create_app"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
_ROUTERS = (api_info, api_positions, api_events, api_vessels, api_cases, api_analyst,
            api_reference)


def create_app(store: str | os.PathLike[str], *, token: str | None = None,
               watchlist: str = DEFAULT_WATCHLIST) -> FastAPI:
    """The whole dashboard (API + static front end) over the store at ``store``.

    With ``token`` every request needs it (``docs/dashboard.md``, Access); without one,
    only requests to a loopback host name are answered. Raises
    :class:`~vesselwatch.errors.StoreError` when ``store`` is not a store.
    """
    if token is not None and not token:
        raise ValueError("token must not be empty; pass None for no token")
    board = Dashboard(store, watchlist, STATIC_DIR)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the map's positions are the first and biggest request of every page: build them
        # while the browser is still loading the page
        threading.Thread(target=api_positions.warm_map_stream, args=(board,),
                         name="vesselwatch-warm-map", daemon=True).start()
        yield

    app = FastAPI(lifespan=lifespan, title="vesselwatch dashboard", version=__version__,
                  description="The analyst's dashboard over one vesselwatch store; "
                  "docs/dashboard.md is the contract.",
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    app.state.dashboard = board
    install_error_handlers(app)
    for module in _ROUTERS:
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        page = board.static / "index.html"
        if not page.is_file():
            return error_response(404, f"the front end is missing ({page} not found); "
                                  "reinstall vesselwatch, or build it from web/")
        return FileResponse(page, media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=board.static, check_dir=False), name="static")
    app.add_middleware(TokenGate, token=token)
    return app
