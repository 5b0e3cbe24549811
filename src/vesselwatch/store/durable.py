"""Durable file operations: fsync files and directories, replace a file atomically."""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def fsync_file(path: Path) -> None:
    """Flush one file's data to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (new names, renames) to disk; a no-op where unsupported."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - platforms that cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - e.g. some network file systems
        pass
    finally:
        os.close(fd)


# fsync waits on the disk, not the CPU: many at once let the file system flush them together
_FSYNC_WORKERS = 16


def fsync_tree(files: Iterable[Path], root: Path) -> None:
    """fsync every file, then every directory between those files and ``root`` (inclusive)."""
    paths = list(files)
    dirs: set[Path] = set()
    for f in paths:
        parent = f.parent
        while parent != root and root in parent.parents:
            dirs.add(parent)
            parent = parent.parent
    with ThreadPoolExecutor(max_workers=_FSYNC_WORKERS) as pool:
        list(pool.map(fsync_file, paths))
        # deepest first, so a directory's new entries are durable before its parent's
        for depth in sorted({len(d.parts) for d in dirs}, reverse=True):
            list(pool.map(fsync_dir, [d for d in dirs if len(d.parts) == depth]))
    fsync_dir(root)


def atomic_write_bytes(path: Path, data: bytes, temp_name: str) -> Path:
    """Write ``data`` to ``temp_name`` beside ``path`` and fsync it; return the temp path.

    The caller finishes with :func:`replace` so that it can act between the two steps.
    """
    temp = path.with_name(temp_name)
    with open(temp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return temp


def replace(temp: Path, path: Path) -> None:
    """Atomically move ``temp`` over ``path`` and make the rename durable."""
    os.replace(temp, path)
    fsync_dir(path.parent)
