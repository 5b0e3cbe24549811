"""The analyst's commands: screening, cases, observations, dossiers, vessels and the
reference lists. Registered on the ``vesselwatch`` app by :func:`register`; like every
face, a thin layer over :class:`vesselwatch.engine.Engine`."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from vesselwatch.cli_common import JsonOption, StoreOption, out, print_json, progress_bar
from vesselwatch.engine import Engine

__all__ = ["register"]


class HitFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"



def screen(
    sanctions: Annotated[list[Path] | None, typer.Option(
        "--sanctions", help="A sanctions list: an OFAC SDN folder or sdn.csv, the UN "
        "consolidated XML, an EU table CSV, or OpenSanctions FtM JSON lines (repeatable). "
        "Default: the lists in $VESSELWATCH_REFERENCE (vesselwatch reference download), "
        "if any.")] = None,
    store: StoreOption = None,
    watchlist: Annotated[str, typer.Option(
        "--watchlist", help="Watchlist whose vessels are screened too; 'none' for none.")
    ] = "dprk-russia",
    tier: Annotated[list[str] | None, typer.Option(
        "--tier", help="Only hits of this tier: sanctioned, risk, lead (repeatable).")] = None,
    fmt: Annotated[HitFormat, typer.Option("--format", help="Output format.")] = HitFormat.table,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Screen every vessel identity in the store against sanctions lists: each hit with
    its tier (sanctioned, risk, lead), score, the features matched, and why."""
    from vesselwatch.reference.download import default_reference_dir, downloaded_sanctions

    lists = list(sanctions or []) or downloaded_sanctions(default_reference_dir())
    engine = Engine(store, create=False)
    report = engine.screen(lists, watchlist=None if watchlist.lower() == "none" else watchlist)
    hits = engine.hits(tier or None)
    if as_json or fmt is HitFormat.json:
        data = report.to_dict()
        data["hits"] = [_jsonable(h) for h in hits.to_pylist()]
        if output is not None:
            output.write_text(json.dumps(data, indent=2, default=str) + "\n", "utf-8")
        else:
            print_json(data)
        return
    if fmt in (HitFormat.csv, HitFormat.parquet):
        if output is None and fmt is HitFormat.parquet:
            raise typer.BadParameter("Parquet is binary: give a file with -o",
                                     param_hint="--format")
        from vesselwatch.export.hits import write_hits

        write_hits(hits, fmt.value, output)
        return
    from vesselwatch.cli_tables import print_screen

    print_screen(out, report, hits)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    if isinstance(out.get("matched"), str):
        out["matched"] = json.loads(out["matched"])
    return out



def mark_false_positive(
    hit_id: Annotated[str, typer.Argument(help="The hit id (vesselwatch screen shows it).")],
    note: Annotated[str, typer.Option("--note", help="Why it is a false positive.")] = "",
    undo: Annotated[bool, typer.Option("--undo", help="Remove the mark.")] = False,
    store: StoreOption = None,
) -> None:
    """Mark a screening hit as a false positive; the mark stays on every re-run."""
    n = Engine(store, create=False).mark_false_positive(hit_id, note, undo=undo)
    out.print(f"{'unmarked' if undo else 'marked'} {hit_id}; {n} hits marked as false "
              "positives", highlight=False)



def cases(
    store: StoreOption = None,
    min_likelihood: Annotated[str | None, typer.Option(
        "--min-likelihood", help="Only cases at least this likely (ICD 203 term, e.g. "
        "'likely').")] = None,
    watchlist: Annotated[str, typer.Option(
        "--watchlist", help="The watchlist whose ports make a leg.")] = "dprk-russia",
    as_json: JsonOption = False,
) -> None:
    """Shipment cases: legs between watched ports, each with its evidence and a graded
    likelihood (docs/cases.md)."""
    table = Engine(store, create=False).cases(watchlist=watchlist,
                                                min_likelihood=min_likelihood)
    if as_json:
        rows = table.to_pylist()
        for r in rows:
            for key in ("reasons", "confirmed_by", "denied_by", "evidence"):
                r[key] = json.loads(r[key])
        print_json(rows)
        return
    from vesselwatch.cli_tables import print_cases

    print_cases(out, table.to_pylist())



def case(
    case_id: Annotated[str, typer.Argument(help="The case id (vesselwatch cases lists them).")],
    store: StoreOption = None,
    watchlist: Annotated[str, typer.Option("--watchlist", help="As for cases.")] = "dprk-russia",
    as_json: JsonOption = False,
) -> None:
    """One case: the hypothesis, its likelihood and why, and every item of evidence."""
    row = Engine(store, create=False).case(case_id, watchlist=watchlist)
    if as_json:
        print_json(row)
        return
    from vesselwatch.cli_tables import print_case

    print_case(out, row)


observe_app = typer.Typer(help="Outside evidence for cases: imagery, rail shipments, "
                          "statements, denials (docs/observations.md).", no_args_is_help=True)


@observe_app.command("import")
def observe_import(
    file: Annotated[Path, typer.Argument(help="A CSV or JSON-lines file of observations.")],
    store: StoreOption = None,
) -> None:
    """Add the observations of a file: all of them, or none when one is refused."""
    n = Engine(store, create=False).observe(file)
    out.print(f"{n} new observations from {escape(str(file))}", highlight=False)


@observe_app.command("add")
def observe_add(
    kind: Annotated[str, typer.Option("--kind", help="satellite_image, rail_shipment, "
                                      "port_record, statement, confirmation, denial, report, "
                                      "other.")],
    ts: Annotated[str, typer.Option("--ts", help="When (ISO 8601 with a zone).")],
    source: Annotated[str, typer.Option("--source", help="Who produced it.")],
    reliability: Annotated[str, typer.Option("--reliability", help="Admiralty A-F.")],
    credibility: Annotated[int, typer.Option("--credibility", help="Admiralty 1-6.")],
    claim: Annotated[str, typer.Option("--claim", help="What it says.")],
    place: Annotated[str | None, typer.Option("--place", help="A port id or a place.")] = None,
    lat: Annotated[float | None, typer.Option("--lat")] = None,
    lon: Annotated[float | None, typer.Option("--lon")] = None,
    mmsi: Annotated[int | None, typer.Option("--mmsi")] = None,
    imo: Annotated[int | None, typer.Option("--imo")] = None,
    vessel_name: Annotated[str | None, typer.Option("--vessel-name")] = None,
    party: Annotated[str | None, typer.Option("--party", help="Who states it.")] = None,
    interested: Annotated[bool, typer.Option(
        "--interested", help="The party is a party to the alleged transfer.")] = False,
    url: Annotated[str | None, typer.Option("--url")] = None,
    store: StoreOption = None,
) -> None:
    """Add one observation."""
    fields: dict[str, Any] = {k: v for k, v in {
        "kind": kind, "ts": ts, "source": source, "reliability": reliability,
        "credibility": credibility, "claim": claim, "place": place, "lat": lat, "lon": lon,
        "mmsi": mmsi, "imo": imo, "vessel_name": vessel_name, "party": party,
        "interested": interested, "url": url}.items() if v is not None}
    n = Engine(store, create=False).observe(**fields)
    out.print("added" if n else "already there", highlight=False)


@observe_app.command("list")
def observe_list(store: StoreOption = None) -> None:
    """Every observation in the store, as JSON."""
    print_json(Engine(store, create=False).observations().to_pylist())


class DossierFormat(StrEnum):
    html = "html"
    kml = "kml"
    geojson = "geojson"
    ftm = "ftm"
    parquet = "parquet"



def report(
    case_id: Annotated[str, typer.Argument(help="The case id (vesselwatch cases lists them).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
    fmt: Annotated[DossierFormat, typer.Option("--format", help="Output format.")] = DossierFormat.html,
    store: StoreOption = None,
    watchlist: Annotated[str, typer.Option("--watchlist", help="As for cases.")] = "dprk-russia",
) -> None:
    """Write a case's dossier: a self-contained HTML page (map, timeline, evidence,
    sanctions, parameters, provenance), KML for Google Earth's time slider, GeoJSON,
    FollowTheMoney JSON lines, or GeoParquet (docs/dossier.md)."""
    from vesselwatch.export.dossier import write_dossier

    path = write_dossier(Engine(store, create=False), case_id, fmt.value, output,
                         watchlist=watchlist)
    out.print(f"wrote {escape(str(path))}", highlight=False, soft_wrap=True)



def vessel(
    key: Annotated[int, typer.Argument(help="An MMSI (9 digits) or an IMO number (7 digits).")],
    store: StoreOption = None,
    watchlist: Annotated[str, typer.Option("--watchlist", help="Watched ports and vessels.")
                         ] = "dprk-russia",
    weights: Annotated[Path | None, typer.Option(
        "--weights", help="Risk weights (TOML, a [risk] table; defaults in docs/cases.md).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """One vessel: identity history, events, sanctions hits, risk profile and cases."""
    profile = Engine(store, create=False).vessel(key, watchlist=watchlist, weights=weights)
    if as_json:
        print_json(profile)
        return
    from vesselwatch.cli_tables import print_vessel

    print_vessel(out, profile)


reference_app = typer.Typer(help="Reference lists: fetch the public ports and sanctions lists.",
                            no_args_is_help=True)


@reference_app.command("download")
def reference_download(
    to: Annotated[Path | None, typer.Option(
        "--to", help="Folder for the files (default: $VESSELWATCH_REFERENCE, else "
        "~/.local/share/vesselwatch/reference).", show_default=False)] = None,
    only: Annotated[str | None, typer.Option(
        "--only", help="Sources, comma-separated: wpi,ofac,un,eu (default: all).",
        show_default=False)] = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", help="Seconds to wait for a connection or a read.")] = 60.0,
    as_json: JsonOption = False,
) -> None:
    """Fetch the current WPI, OFAC SDN, UN and EU lists from their publishers."""
    from vesselwatch.reference.download import default_reference_dir, download

    with progress_bar(sys.stderr.isatty() and not as_json) as bar:
        tasks: dict[str, Any] = {}

        def tick(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        report = download(to or default_reference_dir(),
                          only=only.split(",") if only else None, timeout_s=timeout,
                          progress=tick)
    if as_json:
        print_json(report.to_dict())
        return
    table = Table(title=f"reference lists in {report.to}", title_justify="left")
    for column in ("source", "file", "size", "sha256", "took"):
        table.add_column(column)
    for f in report.files:
        table.add_row(f.source, f.path.name, f"{f.size_bytes / 1e6:,.2f} MB", f.sha256[:16],
                      f"{f.duration_s:.1f} s")
    out.print(table)
    out.print(f"manifest: {report.manifest}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the analyst's commands to ``app``."""
    app.command()(screen)
    app.command(name="mark-false-positive")(mark_false_positive)
    app.command()(cases)
    app.command()(case)
    app.command()(report)
    app.command()(vessel)
    app.add_typer(observe_app, name="observe")
    app.add_typer(reference_app, name="reference")
