"""Open an input file whatever its wrapping (plain, gzip, zip) and tell which format it holds.

Compression is recognised from the file's first bytes, not its name. A zip must hold exactly
one data file. :func:`sniff_format` reads only the first :data:`SNIFF_BYTES` bytes.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zipfile
from pathlib import Path
from typing import IO, cast

from vesselwatch.errors import InputError

__all__ = ["FORMATS", "SNIFF_BYTES", "Utf8Stream", "header_names", "open_input", "sniff_format"]

FORMATS = ("nmea", "noaa", "dma", "parquet")
SNIFF_BYTES = 16 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"
_NOAA_COLUMNS = frozenset({"mmsi", "basedatetime", "lat", "lon"})
_DMA_COLUMNS = frozenset({"mmsi", "latitude", "longitude"})
_EXPECTED = (
    "expected NMEA sentences (lines starting with '!', '$' or a '\\' tag block), "
    "a NOAA MarineCadastre CSV header (MMSI,BaseDateTime,LAT,LON), "
    "a DMA CSV header ('# Timestamp,...,MMSI,Latitude,Longitude,...') or a Parquet file"
)


def _magic(path: Path) -> bytes:
    """The first four bytes of ``path``, with a clear error when it cannot be read."""
    try:
        with path.open("rb") as f:
            return f.read(4)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file; pass the files inside it") from None
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read ({exc.strerror}); check its permissions"
        ) from None


def _zip_member(path: Path, zf: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = [
        m
        for m in zf.infolist()
        if not m.is_dir()
        and not m.filename.startswith("__MACOSX/")
        and not Path(m.filename).name.startswith(".")
    ]
    if len(members) == 1:
        return members[0]
    if not members:
        raise InputError(f"{path}: the zip holds no file; expected one CSV or NMEA file inside")
    names = ", ".join(m.filename for m in members[:5]) + (", ..." if len(members) > 5 else "")
    raise InputError(
        f"{path}: the zip holds {len(members)} files ({names}); vesselwatch reads zips with "
        "one data file: unzip it and ingest the files one by one"
    )


def open_input(path: str | Path) -> IO[bytes]:
    """A binary stream of the decompressed content of ``path`` (plain, gzip or one-file zip).

    The caller closes it. Raises :class:`InputError` when the file is missing or unreadable.
    """
    p = Path(path)
    magic = _magic(p)
    try:
        if magic.startswith(_GZIP_MAGIC):
            return cast(IO[bytes], gzip.open(p, "rb"))
        if magic == _ZIP_MAGIC:
            with zipfile.ZipFile(p) as zf:  # the member stream keeps the file open
                return zf.open(_zip_member(p, zf))
        return p.open("rb")
    except zipfile.BadZipFile as exc:
        raise InputError(f"{p}: damaged zip file ({exc}); download it again") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc}); check the file") from None


class Utf8Stream(io.RawIOBase):
    """A binary stream that always yields valid UTF-8: bad bytes become U+FFFD.

    Wraps a stream from :func:`open_input` for parsers that stop at the first invalid byte;
    a leading byte-order mark is dropped. ``bytes_read`` counts bytes taken from the source.
    """

    def __init__(self, inner: IO[bytes], chunk_bytes: int = 1 << 20) -> None:
        super().__init__()
        self._inner = inner
        self._chunk = chunk_bytes
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")("replace")
        self._buf = memoryview(b"")
        self._eof = False
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        data = self._inner.read(self._chunk)
        if not data:
            self._eof = True
            self._buf = memoryview(self._decoder.decode(b"", final=True).encode("utf-8"))
            return
        self.bytes_read += len(data)
        self._buf = memoryview(self._decoder.decode(data).encode("utf-8"))

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buf and not self._eof:
            self._fill()
        n = min(len(buffer), len(self._buf))
        buffer[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
        super().close()


def _first_line(path: Path) -> str:
    with open_input(path) as stream:
        head = stream.read(SNIFF_BYTES)
    if not head:
        raise InputError(f"{path}: the file is empty; {_EXPECTED}")
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    raise InputError(f"{path}: the first {len(head)} bytes hold only blank lines; {_EXPECTED}")


def header_names(line: str, delimiter: str = ",") -> list[str]:
    """Column names of a CSV header line, normalised: trimmed, lower case, no leading ``#``."""
    try:
        fields = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a field over csv.field_size_limit(): not a header
        return []
    return [f.strip().lstrip("#").strip().lower() for f in fields]


def sniff_format(path: str | Path) -> str:
    """One of :data:`FORMATS` for ``path``, judged from its first few KB.

    Raises :class:`InputError` naming what was found when the format is not recognised.
    """
    p = Path(path)
    if _magic(p) == _PARQUET_MAGIC:
        return "parquet"
    line = _first_line(p)
    if line[0] in "!$\\":
        return "nmea"
    if line.startswith(_PARQUET_MAGIC.decode()):
        raise InputError(f"{p}: a compressed Parquet file; decompress it first, then ingest it")
    names = header_names(line)
    if _NOAA_COLUMNS <= set(names):
        return "noaa"
    if names and names[0] == "timestamp" and _DMA_COLUMNS <= set(names):  # "# Timestamp"
        return "dma"
    shown = line if len(line) <= 100 else line[:97] + "..."
    raise InputError(
        f"{p}: cannot tell the format from its first line {shown!r}; {_EXPECTED}; "
        "for another CSV layout pass a profile TOML (see vesselwatch/profiles/noaa.toml)"
    )
