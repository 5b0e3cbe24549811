"""Build the packaged port list ``src/vesselwatch/reference/data/wpi_ports.csv`` from the WPI.

Source
    NGA World Port Index (Pub 150), the raw "UpdatedPub150.csv" export (UTF-8 with BOM,
    one row per port, 100+ columns). The WPI is a publication of the US National
    Geospatial-Intelligence Agency, a work of the US Government: public domain.
    https://msi.nga.mil/Publications/WPI

What it writes (UTF-8, no BOM, ``\\n`` line ends, one row per WPI port, sorted by WPI
number, then name, latitude, longitude):

    port_id, name, alt_name, locode, country, lat, lon, harbor_size, harbor_type, wpi_number

- ``locode``: the WPI "UN/LOCODE" normalised to ``"CC LLL"`` (upper case, one space after
  the country code). WPI spells a few without the space (``INKRI``) or with stray blanks;
  a value that is not two letters plus three letters/digits after that (``LB``,
  ``GB ME""``) is dropped (blank).
- ``port_id``: the locode without the space (``KPRJN``) when exactly one WPI port carries
  that locode; otherwise ``WPI-<number>`` (``WPI-60470``). Where two WPI rows share a number
  and have no unique locode, each gets ``-1``, ``-2`` ... in (lat, lon, name) order.
- ``lat``/``lon``: decimal degrees, WGS 84, rounded to 6 decimals (0.1 m; WPI gives most
  positions to the arc-minute).
- ``name``/``alt_name``/``country``/``harbor_size``/``harbor_type``: as WPI spells them,
  blanks stripped. ``country`` is WPI's "Country Code" column, which holds a country name.
- ``wpi_number``: "World Port Index Number" without a trailing ``.0`` (``60510``,
  ``49454.5``).

Entry/exit radii are not stored: ``vesselwatch.reference.ports`` derives them from
``harbor_size`` at load time, so the table of defaults lives in one place.

Run: ``python tools/build_wpi_ports.py ../shared/data/ports_nga_wpi/UpdatedPub150.csv``
(writes the packaged file; ``--out FILE`` to write elsewhere). Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

OUT_COLUMNS = (
    "port_id", "name", "alt_name", "locode", "country", "lat", "lon",
    "harbor_size", "harbor_type", "wpi_number",
)
DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent
    / "src" / "vesselwatch" / "reference" / "data" / "wpi_ports.csv"
)
_WPI_COLUMNS = {
    "number": "World Port Index Number",
    "name": "Main Port Name",
    "alt_name": "Alternate Port Name",
    "locode": "UN/LOCODE",
    "country": "Country Code",
    "lat": "Latitude",
    "lon": "Longitude",
    "harbor_size": "Harbor Size",
    "harbor_type": "Harbor Type",
}
_LOCODE = re.compile(r"([A-Z]{2})([A-Z0-9]{3})")


def normalise_locode(raw: str) -> str:
    """``"KP RJN"``/``"kprjn"``/``" KP RJN"`` -> ``"KP RJN"``; anything else -> ``""``."""
    compact = re.sub(r"\s+", "", raw).upper()
    match = _LOCODE.fullmatch(compact)
    return f"{match.group(1)} {match.group(2)}" if match else ""


def _number(raw: str) -> str:
    value = float(raw)
    return str(int(value)) if value.is_integer() else repr(value)


def _coord(raw: str) -> str:
    text = f"{round(float(raw), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def derive_rows(source: Path) -> list[dict[str, str]]:
    """The compact rows for a raw WPI export, sorted and with ids assigned."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _WPI_COLUMNS.values() if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{source}: not a WPI Pub 150 CSV export, missing columns {missing}")
        rows = []
        for line_no, raw in enumerate(reader, start=2):
            try:
                row = {
                    "name": raw[_WPI_COLUMNS["name"]].strip(),
                    "alt_name": raw[_WPI_COLUMNS["alt_name"]].strip(),
                    "locode": normalise_locode(raw[_WPI_COLUMNS["locode"]]),
                    "country": raw[_WPI_COLUMNS["country"]].strip(),
                    "lat": _coord(raw[_WPI_COLUMNS["lat"]]),
                    "lon": _coord(raw[_WPI_COLUMNS["lon"]]),
                    "harbor_size": raw[_WPI_COLUMNS["harbor_size"]].strip(),
                    "harbor_type": raw[_WPI_COLUMNS["harbor_type"]].strip(),
                    "wpi_number": _number(raw[_WPI_COLUMNS["number"]]),
                }
            except ValueError as exc:
                raise SystemExit(f"{source}, line {line_no}: {exc}") from exc
            rows.append(row)
    rows.sort(key=lambda r: (float(r["wpi_number"]), r["name"], float(r["lat"]), float(r["lon"])))
    locodes = Counter(r["locode"] for r in rows if r["locode"])
    for row in rows:
        unique = row["locode"] and locodes[row["locode"]] == 1
        row["port_id"] = row["locode"].replace(" ", "") if unique else f"WPI-{row['wpi_number']}"
    by_id: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_id[row["port_id"]].append(row)
    for same in by_id.values():
        if len(same) > 1:
            same.sort(key=lambda r: (float(r["lat"]), float(r["lon"]), r["name"]))
            for k, row in enumerate(same, start=1):
                row["port_id"] = f"{row['port_id']}-{k}"
    assert len({r["port_id"] for r in rows}) == len(rows)
    return rows


def render(rows: list[dict[str, str]]) -> str:
    """The rows as CSV text (``\\n`` line ends, minimal quoting)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=OUT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row[c] for c in OUT_COLUMNS})
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("wpi_csv", type=Path, help="raw WPI export (UpdatedPub150.csv)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write")
    args = ap.parse_args(argv)
    rows = derive_rows(args.wpi_csv)
    args.out.write_text(render(rows), encoding="utf-8", newline="")
    with_locode = sum(1 for r in rows if r["port_id"] == r["locode"].replace(" ", ""))
    sys.stdout.write(f"{args.out}: {len(rows)} ports, {with_locode} with UN/LOCODE ids\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
