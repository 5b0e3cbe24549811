"""How the API answers errors: ``{"error": "what was wrong and what to do"}`` with a status.

400 a bad parameter (and every :class:`~vesselwatch.errors.InputError` of the engine, so a
write refused by the engine says what the CLI says), 404 an unknown id, 409 a store that
lacks what the route needs (no detection or screening yet; locked by a writer), 500 a
store that cannot be read.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from vesselwatch.errors import InputError, StoreLockedError, VesselwatchError

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

__all__ = ["ApiError", "conflict", "install_error_handlers", "not_found"]

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer other than 200, with the message the client shows."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def conflict(message: str) -> ApiError:
    return ApiError(409, message)


def error_response(status: int, message: str) -> JSONResponse:
    from fastapi.responses import JSONResponse

    return JSONResponse({"error": message}, status_code=status)


def _status_of(exc: VesselwatchError) -> int:
    if isinstance(exc, InputError):
        return 400
    if isinstance(exc, StoreLockedError):
        return 409
    return 500


def _validation_message(exc: Exception) -> str:
    """One line from FastAPI's validation errors: which parameter, what was wrong."""
    errors: list[dict[str, Any]] = list(getattr(exc, "errors", list)())
    if not errors:
        return f"bad request: {exc}"
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ())]
    where = f"{loc[0]} parameter {loc[1]!r}" if len(loc) > 1 else "the request"
    given = first.get("input")
    shown = "" if given is None or isinstance(given, dict) else f" (got {given!r})"
    return f"{where}: {first.get('msg', 'invalid')}{shown}; docs/dashboard.md lists the " \
        "parameters of each route"


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error as ``{"error": ...}``."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    async def api_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.message)

    async def engine_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, VesselwatchError)
        return error_response(_status_of(exc), str(exc))

    async def bad_request(_request: Request, exc: Exception) -> JSONResponse:
        return error_response(400, _validation_message(exc))

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        message = {404: "no such page or route; docs/dashboard.md lists the routes",
                   405: "this route does not take that method; docs/dashboard.md lists "
                        "the routes"}.get(exc.status_code, str(exc.detail))
        return error_response(exc.status_code, message)

    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error_response(500, f"internal error: {type(exc).__name__}: {exc}; the "
                              "server log has the traceback, please report it")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(VesselwatchError, engine_error)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, internal)
