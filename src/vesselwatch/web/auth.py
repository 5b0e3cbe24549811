"""Access to the dashboard: a token, or loopback only.

With a token every request must carry it, as ``Authorization: Bearer T``, as the cookie
``vesselwatch_token`` or, on a GET, as ``?token=T``, which answers with a redirect to the
same address without the token and sets the cookie (HttpOnly, SameSite=Strict), so the token
leaves the address bar and the history. Everything else gets 401: pages, static files, the
API and its docs. Tokens are compared in constant time.

Without a token (the server listens on loopback only) a request must name a loopback host
(``localhost``, ``127.0.0.1``, ``[::1]``): a web page elsewhere that points a DNS name of
its own at 127.0.0.1 (DNS rebinding) gets 400, not the store.

A write (any method but GET, HEAD, OPTIONS) whose ``Origin`` header names another address
gets 403 with or without a token: another site's page cannot make the browser mark a false
positive or add an observation (cross-site request forgery).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

__all__ = ["COOKIE", "TokenGate", "is_loopback_host"]

COOKIE = "vesselwatch_token"
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_loopback_host(host: str) -> bool:
    """``localhost``, ``::1`` or an address in 127.0.0.0/8."""
    import ipaddress

    name = host.strip().lower().strip("[]")
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_name(header: str) -> str:
    """The host of a Host header, without the port."""
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class TokenGate:
    """ASGI middleware enforcing the access rules above (``token=None``: loopback only)."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token.encode("utf-8") if token is not None else None

    def _matches(self, given: str | None) -> bool:
        if given is None or self.token is None:
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # the dashboard has none
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":  # lifespan
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        if scope.get("method") not in _SAFE_METHODS and not _same_origin(headers):
            await _json(send, 403, "a write must come from the dashboard's own pages (the "
                        "Origin header names another site)")
            return
        if self.token is None:
            if not is_loopback_host(_host_name(headers.get("host", "localhost"))):
                await _json(send, 400, "this dashboard serves loopback addresses only "
                            "(http://127.0.0.1:PORT/ or http://localhost:PORT/); to reach it "
                            "under another name, start vesselwatch serve with --token")
                return
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                          keep_blank_values=True)
        given = [v for k, v in query if k == "token"]
        if given and scope.get("method") in ("GET", "HEAD"):
            if self._matches(given[-1]):
                await _redirect_without_token(send, scope, query, given[-1])
            else:
                await _json(send, 401, "wrong access token; open the address vesselwatch "
                            "serve printed, with its ?token=")
            return
        if self._matches(_bearer(headers.get("authorization"))) or \
                self._matches(_cookie(headers.get("cookie"))):
            await self.app(scope, receive, send)
            return
        await _json(send, 401, "this dashboard needs its access token: open the address "
                    "vesselwatch serve printed (it ends in ?token=...), or send the header "
                    "Authorization: Bearer TOKEN", [(b"www-authenticate", b"Bearer")])


def _same_origin(headers: dict[str, str]) -> bool:
    """Whether a request's ``Origin`` (browsers send it on every cross-site write) is the
    address it was sent to; a request without one (curl, scripts) passes."""
    origin = headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()


def _bearer(header: str | None) -> str | None:
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _cookie(header: str | None) -> str | None:
    if header is None:
        return None
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return unquote(value.strip().strip('"'))
    return None


async def _json(send: Send, status: int, message: str,
                extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"error": message}).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


async def _redirect_without_token(send: Send, scope: Scope, query: list[tuple[str, str]],
                                  token: str) -> None:
    rest = urlencode([(k, v) for k, v in query if k != "token"])
    path = quote(scope.get("root_path", "") + scope["path"], safe="/:@!$&'()*+,;=-._~")
    location = path + (f"?{rest}" if rest else "")
    cookie = f"{COOKIE}={quote(token, safe='')}; Path=/; HttpOnly; SameSite=Strict"
    await send({"type": "http.response.start", "status": 303, "headers": [
        (b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1")),
        (b"cache-control", b"no-store"), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
