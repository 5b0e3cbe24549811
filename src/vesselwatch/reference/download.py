"""Fetch the public reference lists from their publishers (``vesselwatch reference download``).

Every vesselwatch command reads these lists from local files; this module only fetches the
current copies for users with internet access. ``SOURCES`` is the one table of what is
fetched, from where, and under what terms (``docs/reference.md``, "Downloading the lists",
shows the same table; a test checks that they agree).

Each file is streamed to a hidden temporary name in the target folder, checked (non-empty,
and in the layout vesselwatch reads), and only when every selected file has arrived and
passed are they renamed over the final names, so a failed or interrupted download leaves the
previous files untouched and no half file under a final name. ``manifest.json`` beside the
files records, per file, the URL, size, SHA-256, HTTP status, duration and time fetched.

Standard library only (``urllib.request``); no progress bar: a face passes ``progress``.
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import json
import logging
import os
import secrets
import socket
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vesselwatch.errors import InputError

__all__ = [
    "DEFAULT_REFERENCE",
    "MANIFEST",
    "REFERENCE_ENV",
    "SOURCES",
    "DownloadReport",
    "FileReport",
    "Source",
    "default_reference_dir",
    "download",
]

log = logging.getLogger(__name__)

REFERENCE_ENV = "VESSELWATCH_REFERENCE"
DEFAULT_REFERENCE = Path("~/.local/share/vesselwatch/reference")
MANIFEST = "manifest.json"
CHUNK_BYTES = 1 << 16

# (file name, bytes received so far, total bytes when the server says, else None)
ProgressCallback = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Source:
    """One publisher's list: the files to fetch as (url, file name), and their terms."""

    name: str
    title: str
    publisher: str
    terms: str
    files: tuple[tuple[str, str], ...]


_OFAC = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
_EU = ("https://raw.githubusercontent.com/opensanctions/opensanctions/main/"
       "datasets/eu/journal_sanctions/data/consolidated/")

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "wpi", "World Port Index (Pub 150)",
            "US National Geospatial-Intelligence Agency (NGA), https://msi.nga.mil/Publications/WPI",
            "US Government work, public domain; updated monthly",
            (("https://msi.nga.mil/api/publications/download?type=view&"
              "key=16920959/SFH00000/UpdatedPub150.csv", "UpdatedPub150.csv"),),
        ),
        Source(
            "ofac", "OFAC SDN list, legacy CSV set",
            "US Treasury, Office of Foreign Assets Control (OFAC), Sanctions List Service",
            "US Government work, public domain; the Federal Register governs if they differ",
            tuple((_OFAC + remote, local) for remote, local in (
                ("SDN.CSV", "sdn.csv"), ("ADD.CSV", "add.csv"), ("ALT.CSV", "alt.csv"),
                ("SDN_COMMENTS.CSV", "sdn_comments.csv"),
            )),
        ),
        Source(
            "un", "UN Security Council Consolidated List (XML)",
            "United Nations Security Council, https://www.un.org/securitycouncil/content/un-sc-consolidated-list",
            "public UN document, free to use with attribution",
            (("https://scsanctions.un.org/resources/xml/en/consolidated.xml",
              "UN_consolidated.xml"),),
        ),
        Source(
            "eu", "EU Official Journal sanctions annexes with vessels (Reg. 833/2014, 2017/1509)",
            "OpenSanctions (github.com/opensanctions/opensanctions), parsed from the EU Official Journal",
            "files in the MIT-licensed OpenSanctions repository; the content is EU legislation",
            tuple((_EU + name, name) for name in ("32014R0833.csv", "32017R1509.csv")),
        ),
    )
}


# ---------------------------------------------------------------- plausibility checks
# Each returns what is wrong with the file, or None when it looks like what vesselwatch reads.

_WPI_HEADER = ("World Port Index Number", "Main Port Name", "Alternate Port Name", "UN/LOCODE",
               "Country Code", "Latitude", "Longitude", "Harbor Size", "Harbor Type")
_EU_HEADER = ("celex", "recordId", "programKey", "annex", "measure", "startDate", "reason",
              "schema", "name")
_OFAC_COLUMNS = {"sdn.csv": 12, "add.csv": 6, "alt.csv": 5, "sdn_comments.csv": 2}
_OFAC_EOF = "\x1a"  # OFAC's legacy files end with a DOS end-of-file mark on a line of its own


def _first_row(path: Path, encoding: str) -> list[str]:
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        try:
            return next(csv.reader(handle), [])
        except csv.Error:
            return []


def _check_wpi(path: Path) -> str | None:
    header = _first_row(path, "utf-8-sig")
    missing = [c for c in _WPI_HEADER if c not in header]
    return f"the header lacks the columns {', '.join(missing)}" if missing else None


def _check_eu(path: Path) -> str | None:
    header = tuple(_first_row(path, "utf-8-sig")[: len(_EU_HEADER)])
    if header != _EU_HEADER:
        return f"the header starts {','.join(header)[:80]!r}, expected {','.join(_EU_HEADER)!r}"
    return None


def _check_ofac(columns: int) -> Callable[[Path], str | None]:
    def check(path: Path) -> str | None:
        rows = 0
        with path.open(encoding="latin-1", newline="") as handle:
            reader = csv.reader(handle)
            try:
                for row in reader:
                    if not row or row == [_OFAC_EOF]:
                        continue
                    if len(row) != columns:
                        return (f"line {reader.line_num} has {len(row)} columns, expected "
                                f"{columns} (OFAC legacy CSV)")
                    rows += 1
            except csv.Error as exc:
                return f"it does not parse as CSV (line {reader.line_num}: {exc})"
        return None if rows else "it holds no CSV rows"

    return check


def _check_un(path: Path) -> str | None:
    with path.open("rb") as handle:
        try:
            for _event, element in ET.iterparse(handle, events=("start",)):
                if element.tag == "CONSOLIDATED_LIST":
                    return None
                return f"the XML root is <{element.tag}>, expected <CONSOLIDATED_LIST>"
        except ET.ParseError as exc:
            return f"it is not an XML document ({exc})"
    return "it is not an XML document"


_CHECKS: dict[str, Callable[[Path], str | None]] = {
    "UpdatedPub150.csv": _check_wpi,
    "UN_consolidated.xml": _check_un,
    "32014R0833.csv": _check_eu,
    "32017R1509.csv": _check_eu,
    **{name: _check_ofac(n) for name, n in _OFAC_COLUMNS.items()},
}


# ---------------------------------------------------------------- reports


@dataclass(frozen=True)
class FileReport:
    """One file fetched: where from, where to, its size (bytes) and SHA-256, how long it took."""

    source: str
    url: str
    path: Path
    size_bytes: int
    sha256: str
    http_status: int
    duration_s: float
    fetched_at: str  # ISO 8601 UTC, when the download finished

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "url": self.url, "path": self.path.name,
                "size_bytes": self.size_bytes, "sha256": self.sha256,
                "http_status": self.http_status, "duration_s": round(self.duration_s, 3),
                "fetched_at": self.fetched_at}


@dataclass(frozen=True)
class DownloadReport:
    """What ``download`` fetched into ``to``; ``manifest`` is the ``manifest.json`` written."""

    to: Path
    manifest: Path
    files: tuple[FileReport, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"to": str(self.to), "manifest": str(self.manifest),
                "files": [f.to_dict() | {"path": str(f.path)} for f in self.files]}


def default_reference_dir() -> Path:
    """``$VESSELWATCH_REFERENCE``, else ``~/.local/share/vesselwatch/reference``."""
    env = os.environ.get(REFERENCE_ENV)
    return Path(env).expanduser() if env else DEFAULT_REFERENCE.expanduser()


# ---------------------------------------------------------------- fetching

_LOCAL_HINT = ("or pass local files to the commands instead (every vesselwatch command takes "
               "local files)")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _rebase(url: str, base: str) -> str:
    """``url`` with its scheme and host replaced by ``base`` (path and query kept)."""
    parts = urlsplit(url)
    return base.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")


def _cause(exc: BaseException, timeout_s: float) -> str:
    """One readable phrase for a network failure."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    reason: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, http.client.IncompleteRead):
        return "the connection closed before the whole file arrived"
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout_s:g} s (timeout)"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return f"host name not found ({reason.strerror})"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__


def _network_error(source: Source, url: str, cause: str) -> InputError:
    return InputError(
        f"cannot download the {source.title} ({source.name}) from {url}: "
        f"{cause}; nothing was changed. Check the internet connection "
        f"(and any proxy) and try again, {_LOCAL_HINT}"
    )


def _user_agent() -> str:
    from vesselwatch import __version__

    return f"vesselwatch/{__version__} (reference download; Python urllib)"


@contextmanager
def _temp_file(folder: Path, name: str) -> Iterator[tuple[Path, Any]]:
    """A new hidden ``.name.<random>.part`` in ``folder`` (mode as the umask allows)."""
    path = folder / f".{name}.{secrets.token_hex(4)}.part"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as handle:
        yield path, handle


def _fetch(source: Source, url: str, name: str, folder: Path, timeout_s: float,
           progress: ProgressCallback | None, temps: list[Path]) -> FileReport:
    """Stream ``url`` into a temporary file in ``folder``; the caller renames it."""
    start = time.monotonic()
    request = urllib.request.Request(url, headers={"User-Agent": _user_agent()})
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        if isinstance(exc, urllib.error.HTTPError):
            exc.close()
        raise _network_error(source, url, _cause(exc, timeout_s)) from exc
    digest = hashlib.sha256()
    done = 0
    with response, _temp_file(folder, name) as (temp, handle):
        temps.append(temp)
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if progress:
            progress(name, 0, total)
        while True:
            try:
                chunk = response.read(CHUNK_BYTES)
            except (OSError, http.client.HTTPException) as exc:
                raise _network_error(source, url, _cause(exc, timeout_s)) from exc
            if not chunk:
                break
            handle.write(chunk)
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(name, done, total)
        status = int(response.status)
    if total is not None and done != total:
        raise _network_error(source, url, "the connection closed before the whole file "
                                          f"arrived ({done:,} of {total:,} bytes)")
    check = _CHECKS.get(name)
    problem = "the body is empty (0 bytes)" if done == 0 else (check(temp) if check else None)
    if problem:
        raise InputError(
            f"refused the {source.title} ({source.name}) from {url}: {problem}; nothing was "
            f"kept. The publisher may have moved or changed the file: open the URL in a "
            f"browser and check, {_LOCAL_HINT}"
        )
    log.info("fetched %s: %d bytes from %s", name, done, url)
    return FileReport(source.name, url, folder / name, done, digest.hexdigest(), status,
                      time.monotonic() - start, _now())


def _selected(only: Sequence[str] | None) -> list[Source]:
    if only is None:
        return list(SOURCES.values())
    names = {n.strip().lower() for item in only for n in item.split(",") if n.strip()}
    unknown = sorted(names - SOURCES.keys())
    if unknown or not names:
        raise InputError(
            f"unknown reference source {', '.join(unknown) or '(none given)'}; choose from "
            f"{', '.join(SOURCES)} (e.g. --only ofac,un)"
        )
    return [s for s in SOURCES.values() if s.name in names]


def _write_manifest(folder: Path, files: Sequence[FileReport]) -> Path:
    """Merge ``files`` into ``manifest.json`` (entries of files not fetched now are kept)."""
    path = folder / MANIFEST
    entries: dict[str, dict[str, Any]] = {}
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        entries = {e["path"]: e for e in old.get("files", []) if isinstance(e, dict)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # no manifest yet, or an unreadable one: start afresh
    entries.update({f.path.name: f.to_dict() for f in files})
    from vesselwatch import __version__

    text = json.dumps({"written_by": f"vesselwatch {__version__}", "fetched_at": _now(),
                       "files": [entries[k] for k in sorted(entries)]}, indent=2) + "\n"
    with _temp_file(folder, MANIFEST) as (temp, handle):
        handle.write(text.encode("utf-8"))
    os.replace(temp, path)
    return path


def download(
    to: Path,
    *,
    only: Sequence[str] | None = None,
    base_urls: Mapping[str, str] | None = None,
    timeout_s: float = 60,
    progress: ProgressCallback | None = None,
) -> DownloadReport:
    """Fetch the reference lists of ``SOURCES`` into the folder ``to`` (created if missing).

    ``only``: source names (``wpi``, ``ofac``, ``un``, ``eu``; ``"ofac,un"`` works too);
    default all. ``base_urls``: source name -> a base URL (``http://mirror:8000/prefix``)
    that replaces the scheme and host of that source's URLs, keeping their paths, to fetch
    from a mirror or a test server. ``timeout_s``: seconds to wait for a connection and for
    each read. ``progress(file_name, bytes_done, bytes_total_or_None)`` is called as bytes
    arrive.

    All or nothing: files replace the previous ones only after every selected file has
    arrived and passed its check. Raises :class:`InputError` on a network error (naming the
    source, URL, cause and what to do), on an implausible file, or on an unknown name.
    """
    sources = _selected(only)
    unknown = sorted(set(base_urls or {}) - SOURCES.keys())
    if unknown:
        raise InputError(f"base_urls names unknown sources {', '.join(unknown)}; "
                         f"use {', '.join(SOURCES)}")
    folder = Path(to).expanduser()
    temps: list[Path] = []
    fetched: list[tuple[Path, FileReport]] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for source in sources:
            base = (base_urls or {}).get(source.name)
            for url, name in source.files:
                report = _fetch(source, _rebase(url, base) if base else url, name, folder,
                                timeout_s, progress, temps)
                fetched.append((temps[-1], report))
        for temp, report in fetched:
            os.replace(temp, report.path)
        manifest = _write_manifest(folder, [r for _, r in fetched])
    except OSError as exc:
        raise InputError(
            f"cannot write the reference lists into {folder}: {exc.strerror or exc}; "
            "choose another folder (--to) or free some space"
        ) from exc
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    return DownloadReport(folder, manifest, tuple(r for _, r in fetched))


def downloaded_sanctions(folder: Path) -> list[Path]:
    """The sanctions lists a download left in ``folder`` (OFAC as its ``sdn.csv``, whose
    sibling files come with it), for the commands that screen; [] when there are none."""
    names = [name for key in ("ofac", "un", "eu") for _, name in SOURCES[key].files
             if key != "ofac" or name == "sdn.csv"]
    return [folder / name for name in names if (folder / name).is_file()]
