"""Serving the dashboard: the access rules, then uvicorn on a socket bound here (so
``port=0`` picks a free port and the address is known before the first request)."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from urllib.parse import quote

from vesselwatch.errors import InputError
from vesselwatch.web.auth import is_loopback_host

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "TOKEN_ENV", "check_access", "dashboard_url",
           "serve"]

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
TOKEN_ENV = "VESSELWATCH_TOKEN"


def check_access(host: str, token: str | None) -> None:
    """Refuse to serve beyond loopback without a token (:class:`InputError`)."""
    if token is not None and not token.strip():
        raise InputError("the access token is empty; give --token a value (or set "
                         f"{TOKEN_ENV}), or leave it out to serve on loopback only")
    if token is None and not is_loopback_host(host):
        raise InputError(f"refusing to serve on {host} without an access token: anyone who "
                         "can reach it could read the store and change it; give --token T "
                         f"(or set {TOKEN_ENV}), or serve on 127.0.0.1")


def dashboard_url(host: str, port: int, token: str | None = None) -> str:
    """The address to open: ``http://host:port/``, with ``?token=`` when there is one."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    url = f"http://{shown}:{port}/"
    return url + (f"?token={quote(token, safe='')}" if token is not None else "")


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise InputError(f"cannot serve on {host!r}: {exc.strerror}; give --host an address "
                         "of this machine such as 127.0.0.1") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host} port {port}: {exc.strerror}; choose "
                         "another --port (0 picks a free one)") from None
    sock.set_inheritable(True)
    return sock


def serve(store: str | os.PathLike[str], *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          token: str | None = None, ready: Callable[[str], None] | None = None) -> None:
    """Serve the dashboard of ``store`` until interrupted.

    Checks the access rules (:func:`check_access`), opens the store, binds ``host:port``
    (``port=0``: a free one), then runs uvicorn; ``ready(url)`` is called once the socket
    listens, with the real port and, when there is a token, ``?token=``. Ctrl-C (SIGINT)
    or SIGTERM shut the server down gracefully; a SIGINT then comes back as
    ``KeyboardInterrupt``.
    """
    import uvicorn

    from vesselwatch.web.app import create_app

    check_access(host, token)
    app = create_app(store, token=token)
    sock = _bind(host, port)
    url = dashboard_url(host, sock.getsockname()[1], token)

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and ready is not None:
                ready(url)

    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off",
                            server_header=False, timeout_graceful_shutdown=5)
    log.info("serving %s on %s", store, url)
    try:
        _Server(config).run(sockets=[sock])
    finally:
        sock.close()
