"""``reference.download`` against a local HTTP server serving the shared real files.

The server answers each source's official URL path (and query) with the file from the shared
data folder that the publisher's URL gives, so the code path is the real one with only the
host changed through ``base_urls``. No internet access.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from vesselwatch.errors import InputError
from vesselwatch.reference.download import (
    MANIFEST,
    REFERENCE_ENV,
    SOURCES,
    default_reference_dir,
    download,
)

pytestmark = pytest.mark.realdata

REPO = Path(__file__).resolve().parents[2]

# local file name -> (shared data folder, file name there)
SHARED = {
    "UpdatedPub150.csv": ("ports_nga_wpi", "UpdatedPub150.csv"),
    "sdn.csv": ("sanctions_ofac_sdn_2021", "sdn.csv"),
    "add.csv": ("sanctions_ofac_sdn_2021", "add.csv"),
    "alt.csv": ("sanctions_ofac_sdn_2021", "alt.csv"),
    "sdn_comments.csv": ("sanctions_ofac_sdn_2021", "sdn_comments.csv"),
    "UN_consolidated.xml": ("sanctions_un_consolidated", "UN_consolidated.xml"),
    "32014R0833.csv": ("sanctions_eu_vessels_opensanctions", "32014R0833.csv"),
    "32017R1509.csv": ("sanctions_eu_vessels_opensanctions", "32017R1509.csv"),
}
ALL_FILES = {name for s in SOURCES.values() for _, name in s.files}
GARBAGE = b"<!DOCTYPE html>\n<html><body><h1>Service unavailable</h1></body></html>\n"


def _target(url: str) -> str:
    """The request target the server sees for ``url``: path plus query."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


URL_OF = {name: url for s in SOURCES.values() for url, name in s.files}
TARGET_OF = {name: _target(url) for name, url in URL_OF.items()}


@dataclass
class Server:
    """What the test server answers: ``routes`` (target -> body), per-target ``status``,
    ``delay_s`` before answering, ``short_by`` bytes announced but not sent."""

    base: str = ""
    routes: dict[str, bytes] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    delay_s: float = 0.0
    short_by: int = 0
    seen: list[str] = field(default_factory=list)

    def base_urls(self) -> dict[str, str]:
        return {name: self.base for name in SOURCES}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        state: Server = self.server.state  # type: ignore[attr-defined]
        state.seen.append(self.path)
        time.sleep(state.delay_s)
        body = state.routes.get(self.path)
        code = state.status.get(self.path, 200 if body is not None else 404)
        if code != 200 or body is None:
            self.send_error(code)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body) + state.short_by))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (the timeout test) breaks the pipe: not news


@pytest.fixture(scope="module")
def shared(data_dir: Path) -> dict[str, bytes]:
    """Local file name -> the shared real file's bytes."""
    return {name: (data_dir / folder / file).read_bytes()
            for name, (folder, file) in SHARED.items()}


@pytest.fixture
def server(shared: dict[str, bytes], monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for var in ("no_proxy", "NO_PROXY"):  # never send 127.0.0.1 through a proxy
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    state = Server(routes={TARGET_OF[name]: body for name, body in shared.items()})
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    httpd.state = state  # type: ignore[attr-defined]
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_sources_table_covers_the_shared_files() -> None:
    assert set(SOURCES) == {"wpi", "ofac", "un", "eu"}
    assert ALL_FILES == set(SHARED)
    for source in SOURCES.values():
        assert source.publisher and source.terms and source.title
        assert all(url.startswith("https://") for url, _ in source.files)


def test_docs_list_every_url_and_publisher() -> None:
    doc = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    section = doc.split("## Downloading the lists", 1)[1]
    for source in SOURCES.values():
        assert f"`{source.name}`" in section
        for url, name in source.files:
            assert url in section, url
            assert name in section, name


def test_all_files_arrive_byte_identical(server: Server, shared: dict[str, bytes],
                                         tmp_path: Path) -> None:
    calls: dict[str, list[tuple[int, int | None]]] = {}
    report = download(tmp_path / "ref", base_urls=server.base_urls(),
                      progress=lambda name, done, total: calls.setdefault(name, []).append(
                          (done, total)))
    folder = tmp_path / "ref"
    assert _listing(folder) == ALL_FILES | {MANIFEST}
    assert {f.path.name for f in report.files} == ALL_FILES
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    entries = {e["path"]: e for e in manifest["files"]}
    assert set(entries) == ALL_FILES
    for f in report.files:
        expected = shared[f.path.name]
        assert f.path.read_bytes() == expected
        sha = hashlib.sha256(expected).hexdigest()
        assert f.sha256 == sha == entries[f.path.name]["sha256"]
        assert f.size_bytes == len(expected) == entries[f.path.name]["size_bytes"]
        assert f.http_status == 200 == entries[f.path.name]["http_status"]
        assert f.url == server.base + TARGET_OF[f.path.name] == entries[f.path.name]["url"]
        assert f.duration_s >= 0 and entries[f.path.name]["fetched_at"].endswith("Z")
        assert calls[f.path.name][-1] == (len(expected), len(expected))
    assert manifest["fetched_at"].endswith("Z")


def test_only_restricts(server: Server, tmp_path: Path) -> None:
    report = download(tmp_path, only=["ofac"], base_urls=server.base_urls())
    names = {name for _, name in SOURCES["ofac"].files}
    assert {f.path.name for f in report.files} == names
    assert _listing(tmp_path) == names | {MANIFEST}
    assert set(server.seen) == {TARGET_OF[n] for n in names}
    # a comma list as the CLI passes it; the manifest keeps the earlier entries
    download(tmp_path, only=["un,eu"], base_urls=server.base_urls())
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert {e["path"] for e in manifest["files"]} == ALL_FILES - {"UpdatedPub150.csv"}
    assert "UpdatedPub150.csv" not in _listing(tmp_path)


def test_unknown_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unknown reference source uk; choose from wpi, ofac"):
        download(tmp_path, only=["ofac", "uk"])
    with pytest.raises(InputError, match="base_urls names unknown sources ofc"):
        download(tmp_path, base_urls={"ofc": "http://127.0.0.1:1"})
    assert _listing(tmp_path) == set()


def test_http_404_names_source_url_and_fix(server: Server, tmp_path: Path) -> None:
    server.status[TARGET_OF["UN_consolidated.xml"]] = 404
    url = server.base + TARGET_OF["UN_consolidated.xml"]
    with pytest.raises(InputError) as info:
        download(tmp_path / "ref", base_urls=server.base_urls())
    message = str(info.value)
    assert message.startswith(
        f"cannot download the UN Security Council Consolidated List (XML) (un) from {url}: "
        "HTTP 404 Not Found; nothing was changed. Check the internet connection")
    assert message.endswith("or pass local files to the commands instead (every vesselwatch "
                            "command takes local files)")
    # WPI and OFAC arrived before the UN failed: all or nothing, so none is kept
    assert _listing(tmp_path / "ref") == set()


def test_http_500(server: Server, tmp_path: Path) -> None:
    server.status[TARGET_OF["sdn.csv"]] = 500
    with pytest.raises(InputError, match=r"\(ofac\) from http://127\.0\.0\.1:\d+/api/"
                                         r"PublicationPreview/exports/SDN\.CSV: HTTP 500"):
        download(tmp_path, only=["ofac"], base_urls=server.base_urls())
    assert _listing(tmp_path) == set()


def test_refused_connection(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(InputError, match=(
        rf"cannot download the World Port Index \(Pub 150\) \(wpi\) from "
        rf"http://127\.0\.0\.1:{port}/api/publications/download\?type=view&key=16920959/"
        r"SFH00000/UpdatedPub150\.csv: connection refused; nothing was changed\. "
        r"Check the internet connection")):
        download(tmp_path, only=["wpi"], base_urls={"wpi": f"http://127.0.0.1:{port}"})
    assert _listing(tmp_path) == set()


def test_timeout(server: Server, tmp_path: Path) -> None:
    server.delay_s = 1.0
    with pytest.raises(InputError, match=r"\(un\) from .*: no answer within 0\.2 s \(timeout\)"):
        download(tmp_path, only=["un"], base_urls=server.base_urls(), timeout_s=0.2)
    assert _listing(tmp_path) == set()


def test_truncated_body(server: Server, tmp_path: Path) -> None:
    server.short_by = 1000
    with pytest.raises(InputError, match=r"\(eu\) from .*32014R0833\.csv: the connection "
                                         r"closed before the whole file arrived"):
        download(tmp_path, only=["eu"], base_urls=server.base_urls())
    assert _listing(tmp_path) == set()


PROBLEMS = {
    "UpdatedPub150.csv": "the header lacks the columns World Port Index Number, Main Port Name",
    "sdn.csv": "line 1 has 1 columns, expected 12 (OFAC legacy CSV)",
    "add.csv": "line 1 has 1 columns, expected 6",
    "alt.csv": "line 1 has 1 columns, expected 5",
    "sdn_comments.csv": "line 1 has 1 columns, expected 2",
    "UN_consolidated.xml": "the XML root is <html>, expected <CONSOLIDATED_LIST>",
    "32014R0833.csv": "the header starts '<!DOCTYPE html>', expected 'celex,recordId,",
    "32017R1509.csv": "the header starts '<!DOCTYPE html>', expected 'celex,recordId,",
}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_garbage_is_refused(server: Server, tmp_path: Path, name: str) -> None:
    source = next(s for s in SOURCES.values() if name in {n for _, n in s.files})
    server.routes[TARGET_OF[name]] = GARBAGE
    with pytest.raises(InputError) as info:
        download(tmp_path, only=[source.name], base_urls=server.base_urls())
    message = str(info.value)
    assert message.startswith(f"refused the {source.title} ({source.name}) from "
                              f"{server.base}{TARGET_OF[name]}: {PROBLEMS[name]}")
    assert "nothing was kept" in message and "pass local files" in message
    assert _listing(tmp_path) == set()


def test_not_xml_wrong_root_and_empty_body(server: Server, tmp_path: Path) -> None:
    server.routes[TARGET_OF["UN_consolidated.xml"]] = b"DATAID,NAME\n6834,EXAMPLE\n"
    with pytest.raises(InputError, match=r"\(un\) from .*: it is not an XML document \("):
        download(tmp_path, only=["un"], base_urls=server.base_urls())
    server.routes[TARGET_OF["UN_consolidated.xml"]] = b'<?xml version="1.0"?>\n<sdnList/>\n'
    with pytest.raises(InputError, match="the XML root is <sdnList>, expected <CONSOLIDATED_LIST>"):
        download(tmp_path, only=["un"], base_urls=server.base_urls())
    server.routes[TARGET_OF["UN_consolidated.xml"]] = b""
    with pytest.raises(InputError, match=r"\(un\) from .*: the body is empty \(0 bytes\)"):
        download(tmp_path, only=["un"], base_urls=server.base_urls())
    assert _listing(tmp_path) == set()


def test_second_download_replaces_atomically(server: Server, shared: dict[str, bytes],
                                             tmp_path: Path) -> None:
    download(tmp_path, only=["ofac"], base_urls=server.base_urls())
    sdn = tmp_path / "sdn.csv"
    first_manifest = (tmp_path / MANIFEST).read_bytes()
    newer = b"".join(shared["sdn.csv"].splitlines(keepends=True)[:100])

    # a failed second download leaves the first files and manifest as they were
    server.routes[TARGET_OF["sdn_comments.csv"]] = GARBAGE
    server.routes[TARGET_OF["sdn.csv"]] = newer
    with pytest.raises(InputError, match=r"exports/SDN_COMMENTS\.CSV: line 1 has 1 columns"):
        download(tmp_path, only=["ofac"], base_urls=server.base_urls())
    assert sdn.read_bytes() == shared["sdn.csv"]
    assert (tmp_path / MANIFEST).read_bytes() == first_manifest
    assert _listing(tmp_path) == ALL_FILES & {n for _, n in SOURCES["ofac"].files} | {MANIFEST}

    # a complete one swaps the file by rename: a reader holding the old file keeps reading
    # the old bytes whole, and the name now gives a new file with the new bytes
    server.routes[TARGET_OF["sdn_comments.csv"]] = shared["sdn_comments.csv"]
    inode = sdn.stat().st_ino
    with sdn.open("rb") as reader:
        head = reader.read(10)
        report = download(tmp_path, only=["ofac"], base_urls=server.base_urls())
        assert head + reader.read() == shared["sdn.csv"]
    assert sdn.read_bytes() == newer
    assert sdn.stat().st_ino != inode
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    entry = next(e for e in json.loads((tmp_path / MANIFEST).read_text())["files"]
                 if e["path"] == "sdn.csv")
    assert entry["sha256"] == hashlib.sha256(newer).hexdigest() == report.files[0].sha256


def test_default_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(REFERENCE_ENV, str(tmp_path / "refs"))
    assert default_reference_dir() == tmp_path / "refs"
    monkeypatch.delenv(REFERENCE_ENV)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_reference_dir() == tmp_path / ".local/share/vesselwatch/reference"
