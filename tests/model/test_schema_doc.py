"""docs/schema.md and model/schema.py name the same columns, reasons and skips."""

from __future__ import annotations

import re
from pathlib import Path

from vesselwatch.model.schema import SCHEMA_VERSION, TABLES, RejectReason, Skip

DOC = (Path(__file__).resolve().parents[2] / "docs" / "schema.md").read_text()


def _section(title: str) -> str:
    return DOC.split(title, 1)[1].split("\n#", 1)[0]


def _first_column(section: str) -> list[str]:
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M)


def test_every_table_documented_column_by_column_in_order() -> None:
    for name, schema in TABLES.items():
        assert _first_column(_section(f"## {name}\n")) == schema.names, name


def test_documented_types_match() -> None:
    for name, schema in TABLES.items():
        rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", _section(f"## {name}\n"), flags=re.M)
        for column, doc_type in rows:
            assert _spelled(schema.field(column).type) == doc_type.strip(), (name, column)


def _spelled(t: object) -> str:
    """Arrow's type names as the doc spells them (float64, not double)."""
    text = str(t).replace("tz=UTC", "UTC")
    return {"double": "float64", "float": "float32"}.get(text, text)


def test_every_reject_reason_and_skip_documented() -> None:
    assert set(_first_column(_section("### Reject reasons"))) == {r.value for r in RejectReason}
    assert set(_first_column(_section("### Skips"))) == {s.value for s in Skip}


def test_schema_version_stated() -> None:
    assert f"Schema version: **{SCHEMA_VERSION}**" in DOC
