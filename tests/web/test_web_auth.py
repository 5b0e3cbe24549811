"""The access rules of ``docs/dashboard.md``: open on loopback without a token; with one,
every request needs it (header, cookie, or ``?token=`` once)."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vesselwatch.web.app import create_app
from vesselwatch.web.auth import COOKIE, is_loopback_host

TOKEN = "s3cret-token/with+odd=chars"
ROUTES = ["/", "/static/index.html", "/api/docs", "/api/openapi.json", "/api/info",
          "/api/positions.arrow?limit=10", "/api/events?limit=1", "/api/cases", "/api/hits",
          "/api/ports"]


@pytest.fixture(scope="module")
def guarded(demo_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(demo_store, token=TOKEN), base_url="http://10.1.2.3:8765",
                    follow_redirects=False) as c:
        yield c


def test_loopback_without_a_token_is_open(client: TestClient) -> None:
    for route in ROUTES:
        assert client.get(route).status_code == 200, route


def test_without_a_token_other_host_names_are_refused(demo_store: Path) -> None:
    with TestClient(create_app(demo_store), base_url="http://attacker.example") as c:
        r = c.get("/api/info")
        assert r.status_code == 400 and "loopback" in r.json()["error"]
    for host in ("localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"):
        assert is_loopback_host(host), host
    for host in ("0.0.0.0", "10.0.0.1", "example.org", "::"):
        assert not is_loopback_host(host), host


def test_every_route_needs_the_token(guarded: TestClient) -> None:
    for route in ROUTES:
        r = guarded.get(route)
        assert r.status_code == 401, route
        assert "token" in r.json()["error"]
    assert guarded.post("/api/observations", json={}).status_code == 401


def test_the_bearer_header_lets_every_route_through(guarded: TestClient) -> None:
    for route in ROUTES:
        r = guarded.get(route, headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200, route
    assert guarded.get("/api/info", headers={"Authorization": "Bearer wrong"}
                       ).status_code == 401
    assert guarded.get("/api/info", headers={"Authorization": f"Basic {TOKEN}"}
                       ).status_code == 401


def test_token_in_the_address_redirects_and_sets_the_cookie(demo_store: Path) -> None:
    from urllib.parse import quote

    with TestClient(create_app(demo_store, token=TOKEN), base_url="http://10.1.2.3:8765",
                    follow_redirects=False) as c:
        r = c.get(f"/api/events?type=gap&token={quote(TOKEN, safe='')}&limit=2")
        assert r.status_code == 303
        assert r.headers["location"] == "/api/events?type=gap&limit=2"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        after = c.get(r.headers["location"])  # the client keeps the cookie
        assert after.status_code == 200 and len(after.json()["items"]) == 2
        assert c.get("/").status_code == 200
        assert c.get("/api/docs").status_code == 200
        c.cookies.clear()
        assert c.get("/api/info").status_code == 401


def test_a_wrong_token_is_401_and_sets_nothing(guarded: TestClient) -> None:
    r = guarded.get("/?token=guess")
    assert r.status_code == 401 and "set-cookie" not in r.headers
    r = guarded.get("/api/info", headers={"Cookie": f"{COOKIE}=guess"})
    assert r.status_code == 401
    # a token in the address of a write is not accepted: only GET redirects
    r = guarded.post(f"/api/hits/x/false-positive?token={TOKEN}", json={})
    assert r.status_code == 401


def test_tokens_are_compared_in_constant_time(guarded: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert guarded.get("/api/info", headers={"Authorization": f"Bearer {TOKEN}"}
                       ).status_code == 200
    assert (TOKEN.encode(), TOKEN.encode()) in calls


def test_writes_from_another_site_are_refused(client: TestClient) -> None:
    # a page elsewhere cannot make the browser write to the loopback dashboard
    url = "/api/hits/0000/false-positive"
    r = client.post(url, json={}, headers={"Origin": "http://attacker.example"})
    assert r.status_code == 403 and "Origin" in r.json()["error"]
    # the dashboard's own page (same origin) and scripts without an Origin get through to
    # the route, which then answers for the unknown hit
    own = client.post(url, json={}, headers={"Origin": "http://127.0.0.1"})
    assert own.status_code == 404
    assert client.post(url, json={}).status_code == 404
    # reads are not affected
    assert client.get("/api/info", headers={"Origin": "http://attacker.example"}
                      ).status_code == 200
