"""The exceptions vesselwatch raises: one root, narrow subclasses, one-line messages.

Every message names the input, what went wrong and what to do about it, so a face (the CLI,
the web app) can show ``str(error)`` as it is.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "InputError",
    "SchemaVersionError",
    "StoreError",
    "StoreLockedError",
    "StrictModeError",
    "VesselwatchError",
]

_RAW_SHOWN = 120  # characters of a bad line shown in a message


def _shown(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, as a repr (so line breaks show as ``\\n``)."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


class VesselwatchError(Exception):
    """Root of every error vesselwatch raises on purpose."""


class InputError(VesselwatchError):
    """An input cannot be read: missing, unreadable, or in a layout vesselwatch does not know.

    The message says which file, what was found, what was expected and what to do.
    """


class StrictModeError(VesselwatchError):
    """A bad line or row under ``strict=True``; carries where it is, why, and the line itself."""

    def __init__(
        self, path: str | Path, line: int, reason: str, raw: str, detail: str = ""
    ) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        self.raw = raw
        self.detail = detail
        why = f"{reason} ({detail})" if detail else reason
        super().__init__(
            f"{self.path}, line {line}: {why}: {_shown(raw, _RAW_SHOWN)}; "
            "fix the line or drop --strict to quarantine bad lines and go on"
        )


class StoreError(VesselwatchError):
    """The store cannot be opened or written."""


class StoreLockedError(StoreError):
    """Another process holds the store's write lock."""


class SchemaVersionError(StoreError):
    """The store was written with a schema version this vesselwatch does not read."""
