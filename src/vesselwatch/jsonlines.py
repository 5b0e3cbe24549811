"""JSON Lines as the project reads it: one object per line, blank lines skipped, the first
bad line an :class:`~vesselwatch.errors.InputError` naming the file and the line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vesselwatch.errors import InputError

__all__ = ["json_objects"]


def json_objects(text: str, path: str | Path, *, hint: str = ""
                 ) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number from 1, object) for every non-blank line of ``text``. ``hint`` ends the
    error for a line that is not an object (e.g. "; write one observation per line")."""
    # split on "\n" only: a JSON string may hold U+2028, which splitlines() would cut
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg}); write one JSON object "
                             "per line") from None
        if not isinstance(obj, dict):
            raise InputError(f"{where}: a line must be a JSON object ({{...}}), found "
                             f"{type(obj).__name__}{hint}")
        yield number, obj
