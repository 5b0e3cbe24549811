"""``vesselwatch serve`` and ``vesselwatch demo --serve``: the access rules at start-up, a
real server on a free port, and a clean stop on Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

from vesselwatch.cli import EXIT_OK, EXIT_USER, main
from web_store import read_address, start_cli


def get(url: str, opener: urllib.request.OpenerDirector | None = None) -> tuple[int, bytes]:
    with (opener or urllib.request.build_opener()).open(url, timeout=30) as r:
        return r.status, r.read()


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Ctrl-C, then the exit code and the rest of standard output."""
    proc.send_signal(signal.SIGINT)
    try:
        rest, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, rest


@pytest.mark.parametrize("args", [["serve"], ["demo", "--serve"]])
def test_a_public_host_without_a_token_is_refused(args: list[str], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VESSELWATCH_TOKEN", raising=False)
    capsys.readouterr()
    code = main([*args, "--store", str(tmp_path / "s"), "--host", "0.0.0.0"])
    err = capsys.readouterr().err
    assert code == EXIT_USER
    assert len(err.strip().splitlines()) == 1
    assert "refusing to serve on 0.0.0.0 without an access token" in err
    assert "--token" in err and "VESSELWATCH_TOKEN" in err
    assert not (tmp_path / "s").exists()  # refused before any work


def test_the_token_may_come_from_the_environment(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import vesselwatch.web.server as server

    seen: dict[str, Any] = {}

    def fake_serve(store: Path, **kwargs: Any) -> None:
        seen.update(kwargs, store=store)
        kwargs["ready"]("http://0.0.0.0:1/?token=t")

    monkeypatch.setattr(server, "serve", fake_serve)
    monkeypatch.setenv("VESSELWATCH_TOKEN", "from-env")
    assert main(["serve", "--store", str(tmp_path), "--host", "0.0.0.0", "--port", "0"]) \
        == EXIT_OK
    assert seen == {"store": tmp_path, "host": "0.0.0.0", "port": 0, "token": "from-env",
                    "ready": seen["ready"]}


def test_the_cli_starts_without_loading_the_web_stack() -> None:
    code = ("import sys; from vesselwatch.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('fastapi', 'uvicorn', 'starlette', 'pydantic')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_serve_answers_on_a_free_port_and_stops_on_ctrl_c(demo_store: Path,
                                                          tmp_path: Path) -> None:
    proc = start_cli(["serve", "--store", str(demo_store), "--port", "0"], tmp_path)
    try:
        url, _ = read_address(proc, 30)
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0/")
        status, body = get(url + "api/info")
        assert status == 200 and json.loads(body)["store"] == str(demo_store)
    finally:
        code, rest = stop(proc)
    assert code == 0 and "dashboard stopped" in rest


def test_the_printed_address_with_its_token_opens_the_page(demo_store: Path,
                                                           tmp_path: Path) -> None:
    proc = start_cli(["serve", "--store", str(demo_store), "--port", "0", "--token", "t0k"],
                     tmp_path)
    try:
        url, _ = read_address(proc, 30)
        assert url.endswith("/?token=t0k")
        base = url.split("?")[0]
        with pytest.raises(urllib.request.HTTPError) as refused:
            get(base + "api/info")
        assert refused.value.code == 401
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        status, page = get(url, browser)  # redirect, cookie, page
        assert status == 200 and page == get(base, browser)[1]
        assert json.loads(get(base + "api/info", browser)[1])["positions"] > 0
    finally:
        stop(proc)


def test_demo_serve_builds_the_demo_then_serves_it(tmp_path: Path) -> None:
    store = tmp_path / "demo"
    proc = start_cli(["demo", "--serve", "--port", "0", "--store", str(store), "--days", "1"],
                     tmp_path)
    try:
        url, before = read_address(proc, 90)
        assert any("dprk-russia" in line for line in before)  # the summary came first
        status, page = get(url)
        assert status == 200 and page.strip()
        info = json.loads(get(url + "api/info")[1])
        assert info["store"] == str(store.resolve()) and info["detected"] and info["cases"] >= 1
    finally:
        code, rest = stop(proc)
    assert code == 0 and "dashboard stopped" in rest


def test_a_port_in_use_or_a_missing_store_is_one_clear_line(
        demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        capsys.readouterr()
        assert main(["serve", "--store", str(demo_store), "--port", str(port)]) == EXIT_USER
        err = capsys.readouterr().err
        assert f"cannot listen on 127.0.0.1 port {port}" in err and "--port" in err
    assert main(["serve", "--store", str(tmp_path / "nothing"), "--port", "0"]) == EXIT_USER
    assert "there is no vesselwatch store" in capsys.readouterr().err
    assert not (tmp_path / "nothing").exists()
