"""The source file's SHA-256 (the store's identity of an input) is the file's, however read."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.engine import file_sha256
from vesselwatch.errors import InputError


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=5000))
def test_sha_and_size_equal_hashlib(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("sha") / "input.nmea"
    path.write_bytes(data)
    assert file_sha256(path) == (hashlib.sha256(data).hexdigest(), len(data))


def test_empty_file_has_the_empty_digest(tmp_path: Path) -> None:
    path = tmp_path / "empty.nmea"
    path.write_bytes(b"")
    assert file_sha256(path) == (hashlib.sha256(b"").hexdigest(), 0)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_a_pipe_is_read_in_blocks(tmp_path: Path) -> None:
    data = b"!AIVDM,1,1,,A,13aEOK?P00PD2wVMdLDRhgvL289?,0*26\n" * 50_000  # beyond one block
    fifo = tmp_path / "feed.nmea"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=(data,))
    writer.start()
    try:
        assert file_sha256(fifo) == (hashlib.sha256(data).hexdigest(), len(data))
    finally:
        writer.join()


def test_missing_file_and_folder_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file; check the path"):
        file_sha256(tmp_path / "absent.nmea")
    with pytest.raises(InputError, match="is a folder"):
        file_sha256(tmp_path)
