"""The ``vesselwatch`` command: a thin face over :class:`vesselwatch.engine.Engine`.

Exit codes (documented in ``docs/cli.md``):
0 success; 1 a user error (bad input, unreadable file, store problem); 2 wrong usage;
3 the store is locked by another writer; 4 ``--strict`` stopped at a bad line;
70 an internal error (a bug: please report it with the traceback from ``--debug``).
"""

from __future__ import annotations

import logging
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from vesselwatch import __version__
from vesselwatch.cli_analyst import register as _register_analyst
from vesselwatch.cli_common import JsonOption, StoreOption, err, out
from vesselwatch.cli_common import print_json as _print_json
from vesselwatch.cli_common import progress_bar as _progress
from vesselwatch.cli_common import steps_bar as _steps
from vesselwatch.cli_web import HostOption, PortOption, TokenOption
from vesselwatch.cli_web import register as _register_web
from vesselwatch.engine import Engine, IngestReport, parse_time
from vesselwatch.errors import StoreLockedError, StrictModeError, VesselwatchError
from vesselwatch.web.server import DEFAULT_HOST, DEFAULT_PORT

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_LOCKED, EXIT_STRICT, EXIT_INTERNAL = 0, 1, 2, 3, 4, 70

app = typer.Typer(
    name="vesselwatch",
    help="Maritime sanctions monitoring: ingest AIS, detect behaviour, screen vessels, build cases.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
class Format(StrEnum):
    auto = "auto"
    nmea = "nmea"
    noaa = "noaa"
    dma = "dma"
    csv = "csv"
    parquet = "parquet"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    geojson = "geojson"


def _version(value: bool) -> None:
    if value:
        out.print(f"vesselwatch {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="NMEA, CSV or Parquet files (.gz/.zip too).")],
    store: StoreOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="Input format; auto recognises it.")] = Format.auto,
    reference_time: Annotated[str | None, typer.Option(
        "--reference-time", help="Time (ISO 8601) for sentences that carry no time of their own.",
    )] = None,
    profile: Annotated[Path | None, typer.Option(
        "--profile", help="Column-mapping profile (TOML) for other vendors' CSV.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad line.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Read AIS files into the store: idempotent, atomic, bad lines quarantined."""
    ref = parse_time(reference_time, "--reference-time") if reference_time else None
    engine = Engine(store)
    with _progress(sys.stderr.isatty() and not as_json) as bar:
        task = bar.add_task("ingest", total=None)

        def tick(_what: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = engine.ingest(files, fmt=fmt.value, reference_time=ref, strict=strict,
                               profile=profile, progress=tick)
    if as_json:
        _print_json(report.to_dict())
    else:
        _print_ingest(report)


def _print_ingest(report: IngestReport) -> None:
    r = report.result
    table = Table(title=f"ingested into {report.store}", show_header=False, title_justify="left")
    table.add_row("lines read", f"{r.lines:,}")
    table.add_row("positions accepted", f"{r.positions:,}")
    table.add_row("vessel reports accepted", f"{r.vessel_reports:,}")
    table.add_row("duplicates removed", f"{sum(r.duplicates.values()):,}")
    table.add_row("rejected (quarantined)", f"{r.rejected:,}")
    for reason, n in sorted(r.rejects.items(), key=lambda kv: -kv[1]):
        table.add_row(f"  {reason}", f"{n:,}")
    for reason, n in sorted(r.skipped.items(), key=lambda kv: -kv[1]):
        if n:
            table.add_row(f"skipped: {reason}", f"{n:,}")
    table.add_row("vessels", f"{r.vessels:,}")
    span = f"{r.ts_min:%Y-%m-%d %H:%M:%S} .. {r.ts_max:%Y-%m-%d %H:%M:%S} UTC" if r.ts_min and r.ts_max else "-"
    table.add_row("time span", span)
    for s in report.sources:
        state = "already in the store, skipped" if s.already_ingested else s.format
        table.add_row("source", f"{s.path} ({state})")
    table.add_row("took", f"{report.seconds:.2f} s")
    out.print(table)


@app.command()
def info(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """What the store holds: rows, vessels, time span, sources, quarantine."""
    data = Engine(store).info().to_dict()
    if as_json:
        _print_json(data)
        return
    table = Table(title=f"store {data['path']}", show_header=False, title_justify="left")
    table.add_row("schema version", str(data["schema_version"]))
    for name, n in data["rows"].items():
        table.add_row(f"{name} rows", f"{n:,}")
    table.add_row("vessels", f"{data['vessels']:,}")
    table.add_row("time span", f"{data['ts_min'] or '-'} .. {data['ts_max'] or '-'}")
    table.add_row("sources", f"{len(data['sources']):,}")
    for reason, n in data["quarantine"].items():
        table.add_row(f"quarantined: {reason}", f"{n:,}")
    table.add_row("size on disk", f"{data['bytes_on_disk'] / 1e6:,.1f} MB")
    out.print(table)


@app.command()
def positions(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")],
    store: StoreOption = None,
    mmsi: Annotated[list[int] | None, typer.Option("--mmsi", help="Only this vessel (repeatable).")] = None,
    start: Annotated[str | None, typer.Option("--start", help="From this time (ISO 8601, inclusive).")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Until this time (ISO 8601, exclusive).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: standard output).")] = None,
) -> None:
    """Export positions in canonical columns as CSV, Parquet or GeoJSON."""
    from vesselwatch.export import write_positions  # loads on use: ingest does not need it

    t0 = parse_time(start, "--start") if start else None
    t1 = parse_time(end, "--end") if end else None
    if fmt is ExportFormat.parquet and output is None:
        raise typer.BadParameter("Parquet is binary: give a file with -o", param_hint="--format")
    table = Engine(store, create=False).positions(mmsi=mmsi, start=t0, end=t1)
    write_positions(table, fmt.value, output if output is not None else sys.stdout.buffer)


@app.command()
def sample(output: Annotated[Path, typer.Argument(help="Where to write the NMEA sample.")]) -> None:
    """Write a small NMEA sample (tag-block times, a duplicate and damaged lines)."""
    from vesselwatch.sample import write_sample

    out.print(str(write_sample(output)))


@app.command()
def simulate(
    scenario: Annotated[str, typer.Argument(
        help="A shipped scenario (dprk-russia, thresholds, ...) or a scenario TOML file.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the AIS file and truth/.")],
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed: same seed, same bytes.")] = 1,
    days: Annotated[float | None, typer.Option(
        "--days", help="Days to simulate (default: the scenario's).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="nmea, noaa (CSV) or parquet.")] = "nmea",
    data: Annotated[Path | None, typer.Option(
        "--data", help="Folder that $VESSELWATCH_DATA in a scenario's background file "
        "names (default: $VESSELWATCH_DATA, else ../shared/data).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Simulate a scenario: AIS as receivers get it, plus the ground truth in truth/."""
    import os

    from vesselwatch.simulate.run import simulate as run_simulation

    data_dir = data or Path(os.environ.get("VESSELWATCH_DATA", "../shared/data"))
    with _steps(sys.stderr.isatty() and not as_json) as bar:
        task = bar.add_task("simulate", total=None)
        report = run_simulation(scenario, out_dir, seed=seed, days=days, fmt=fmt,
                                data_dir=data_dir,
                                progress=lambda what: bar.update(task, description=what))
    if as_json:
        _print_json(report.to_dict())
        return
    table = Table(title=f"simulated {report.scenario} (seed {report.seed}, {report.days:g} days)",
                  show_header=False, title_justify="left")
    table.add_row("vessels", f"{report.vessels:,}" + (
        f" (+{report.background_vessels:,} background)" if report.background_vessels else ""))
    table.add_row("time", f"{report.start} to {report.end}")
    table.add_row("transponder slots", f"{report.slots:,}")
    table.add_row("positions received", f"{report.received_positions:,}")
    table.add_row("static reports received", f"{report.received_statics:,}")
    table.add_row("lines written", f"{report.lines:,} ({report.duplicates:,} duplicates, "
                  f"{report.corrupt:,} damaged)")
    table.add_row("true events", ", ".join(f"{k} {v:,}" for k, v in report.true_events.items()))
    out.print(table)
    out.print("AIS file: " + ", ".join(escape(f) for f in report.files), soft_wrap=True,
              highlight=False)
    out.print(f"ground truth: {escape(report.truth)} (and beside it the corrupt lines, "
              "the transponder slots, the steps and the vessels)", soft_wrap=True,
              highlight=False)
    out.print(f"{report.seconds:.1f} s")


@app.command()
def demo(
    store: Annotated[Path | None, typer.Option(
        "--store", help="Store folder for the demo (default: $VESSELWATCH_STORE, else "
        "./vesselwatch-demo). It must be new, empty, or an earlier demo store.",
        show_default=False)] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Scenario seed.")] = 1,
    days: Annotated[float | None, typer.Option(
        "--days", help="Days to simulate (default: the scenario's).")] = None,
    sanctions: Annotated[list[Path] | None, typer.Option(
        "--sanctions", help="Sanctions lists to screen the fleet against (repeatable; "
        "default: those in $VESSELWATCH_REFERENCE, if any).")] = None,
    as_json: JsonOption = False,
    serve: Annotated[bool, typer.Option(
        "--serve", help="Then serve the dashboard of the demo store (Ctrl-C stops it).")
    ] = False,
    host: HostOption = DEFAULT_HOST,
    port: PortOption = DEFAULT_PORT,
    token: TokenOption = None,
) -> None:
    """The main job: simulate the dprk-russia scenario, ingest it, detect, screen the
    fleet, and show what an analyst looks at first; with --serve, then open the dashboard."""
    import os

    from vesselwatch.demo import run_demo
    from vesselwatch.reference.download import default_reference_dir, downloaded_sanctions

    if serve:
        from vesselwatch.cli_web import check_serve_access

        check_serve_access(host, token)  # refuse before the work, not after it
    root = store or Path(os.environ.get("VESSELWATCH_STORE") or "vesselwatch-demo")
    lists = list(sanctions or []) or downloaded_sanctions(default_reference_dir())
    with _steps(sys.stderr.isatty() and not as_json) as bar:
        task = bar.add_task("demo", total=5)

        def tick(what: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=what)

        report = run_demo(root, seed=seed, days=days, sanctions=lists, progress=tick)
    if as_json:
        _print_json(report.to_dict())
    else:
        from vesselwatch.cli_tables import print_demo

        print_demo(out, report)
    if serve:
        from vesselwatch.cli_web import serve_store

        sys.stdout.flush()
        serve_store(root, host, port, token, to_stderr=as_json)


class EventFormat(StrEnum):
    csv = "csv"
    json = "json"
    geojson = "geojson"
    parquet = "parquet"


@app.command()
def detect(
    store: StoreOption = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Detection parameters (TOML); defaults in docs/events.md.")] = None,
    ports: Annotated[Path | None, typer.Option(
        "--ports", help="Extra ports (GeoJSON or CSV); they override the World Port Index.")] = None,
    watchlist: Annotated[str, typer.Option(
        "--watchlist", help="Watchlist TOML file, or the name of a packaged one; "
        "'none' for no watchlist.")] = "dprk-russia",
    as_json: JsonOption = False,
) -> None:
    """Detect port visits, gaps, encounters, loitering, spoofing, identity changes and
    voyages over the whole store; the events replace those of the previous run."""
    from vesselwatch.engine import DetectReport

    engine = Engine(store, create=False)
    with _steps(sys.stderr.isatty() and not as_json) as bar:
        task = bar.add_task("detect", total=None)

        def tick(what: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"detect: {what}")

        report: DetectReport = engine.detect(
            config=config, ports_file=ports,
            watchlist=None if watchlist.lower() == "none" else watchlist, progress=tick)
    if as_json:
        _print_json(report.to_dict())
        return
    table = Table(title=f"events in {report.store}", title_justify="left")
    table.add_column("event type")
    table.add_column("events", justify="right")
    table.add_column("by confidence (1..4)")
    for kind, n in report.events.items():
        grades = report.by_confidence.get(kind, {})
        table.add_row(kind, f"{n:,}", " ".join(f"{g}:{grades[g]:,}" for g in sorted(grades)))
    out.print(table)
    out.print(f"{report.positions:,} positions of {report.vessels:,} vessels, "
              f"{report.ports:,} ports ({report.watched_ports} watched), "
              f"{report.seconds:.2f} s")


@app.command()
def events(
    fmt: Annotated[EventFormat, typer.Option("--format", help="Output format.")],
    store: StoreOption = None,
    event_type: Annotated[list[str] | None, typer.Option(
        "--type", help="Only this event type (repeatable).")] = None,
    mmsi: Annotated[list[int] | None, typer.Option("--mmsi", help="Only this vessel (repeatable).")] = None,
    start: Annotated[str | None, typer.Option("--start", help="Events reaching this time or later (ISO 8601).")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Events starting before this time (ISO 8601).")] = None,
    min_confidence: Annotated[int | None, typer.Option(
        "--min-confidence", min=1, max=4, help="Only events of this confidence or more.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: standard output).")] = None,
) -> None:
    """Export the events of the latest detect run as CSV, JSON, GeoJSON or Parquet."""
    from vesselwatch.export.events import write_events

    t0 = parse_time(start, "--start") if start else None
    t1 = parse_time(end, "--end") if end else None
    if fmt is EventFormat.parquet and output is None:
        raise typer.BadParameter("Parquet is binary: give a file with -o", param_hint="--format")
    engine = Engine(store, create=False)
    table = engine.events(event_type, mmsi, t0, t1, min_confidence)
    current = engine.store.detection_is_current()
    if current is None:
        err.print("note: no detection run in this store yet; run vesselwatch detect first",
                  highlight=False)
    elif not current:
        err.print("note: data came into the store after the last detection run; run "
                  "vesselwatch detect again for events over all of it", highlight=False)
    write_events(table, fmt.value, output if output is not None else sys.stdout.buffer)


@app.command()
def evaluate(
    truth: Annotated[Path, typer.Option(
        "--truth", help="Truth file (JSON Lines or Parquet; see docs/evaluate.md).")],
    store: StoreOption = None,
    event_type: Annotated[list[str] | None, typer.Option(
        "--type", "--types", help="Only this event type (repeatable).")] = None,
    min_confidence: Annotated[int, typer.Option(
        "--min-confidence", min=1, max=4, help="Leave out detections below this confidence.")] = 1,
    tolerance_s: Annotated[float, typer.Option(
        "--tolerance-s", min=0.0, help="Widen each detected interval by this many seconds "
        "before checking overlap.")] = 0.0,
    as_json: JsonOption = False,
) -> None:
    """Score the detected events against ground truth: precision, recall and timing error
    per event type, and the false positives and negatives."""
    result = Engine(store, create=False).evaluate(
        truth, event_types=event_type, min_confidence=min_confidence, tolerance_s=tolerance_s)
    if as_json:
        _print_json(result.to_dict())
        return
    table = Table(title=f"{result.params['store']} against {truth}", title_justify="left")
    table.add_column("event type")
    for name in ("truth", "detected", "TP", "FP", "FN", "precision", "recall",
                 "start err s (mean / max)", "end err s (mean / max)"):
        table.add_column(name, justify="right")

    def ratio(v: float | None) -> str:
        return "-" if v is None else f"{v:.3f}"

    def secs(mean: float | None, top: float | None) -> str:
        return "-" if mean is None or top is None else f"{mean:,.0f} / {top:,.0f}"

    for s in result.scores:
        table.add_row(s.event_type, f"{s.truth:,}", f"{s.detected:,}", f"{s.tp:,}",
                      f"{s.fp:,}", f"{s.fn:,}", ratio(s.precision), ratio(s.recall),
                      secs(s.start_error_mean_s, s.start_error_max_s),
                      secs(s.end_error_mean_s, s.end_error_max_s))
    out.print(table)
    misses = result.misses.to_pylist()
    if misses:
        shown = Table(title="false positives and negatives", title_justify="left")
        for name in ("outcome", "event type", "mmsi", "other", "start", "end", "event id / label"):
            shown.add_column(name)
        for m in misses[:_MISSES_SHOWN]:
            shown.add_row(m["outcome"].replace("_", " "), m["event_type"], str(m["mmsi"]),
                          str(m["other_mmsi"] or ""), f"{m['start_ts']:%Y-%m-%d %H:%M:%S}",
                          f"{m['end_ts']:%Y-%m-%d %H:%M:%S}" if m["end_ts"] else "open",
                          escape(m["event_id"] or m["label"] or ""))
        out.print(shown)
        if len(misses) > _MISSES_SHOWN:
            out.print(f"{len(misses) - _MISSES_SHOWN:,} more; --json lists them all")
    p = result.params
    out.print(f"min confidence {p['min_confidence']}, tolerance {p['tolerance_s']:g} s, "
              f"open events end at {p['until']} (from {p['until_from']})")



_MISSES_SHOWN = 30  # rows of the miss table printed; --json gives every one

_register_analyst(app)
_register_web(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to one clear line and a documented exit code."""
    _use_system_allocator()
    debug = "--debug" in (argv if argv is not None else sys.argv)
    args = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--debug"]
    try:
        app(args=args, standalone_mode=False)
    except StrictModeError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_STRICT
    except StoreLockedError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_LOCKED
    except VesselwatchError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_USER
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        return 130
    except Exception as exc:
        # click's usage errors (typer vendors click in newer releases: match by shape)
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()
            return EXIT_USAGE
        if debug:
            raise
        err.print(f"[red]internal error:[/red] {type(exc).__name__}: {escape(str(exc))}; "
                  "run again with --debug for the traceback and please report it",
                  highlight=False, soft_wrap=True)
        return EXIT_INTERNAL
    return EXIT_OK


def _use_system_allocator() -> None:
    """Arrow on the C library's allocator: the ingest's many short-lived large buffers
    cost a third less system time than with Arrow's default pool (bench/README.md)."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


class _NoPandas:
    """An import hook for the console script's own process: ``import pandas`` fails there.

    vesselwatch never uses pandas, but pyarrow imports it (when it is installed) on the
    first array it builds, only to recognise pandas arguments: 0.2 to 0.3 s at the start
    of every command. Without pandas pyarrow skips that check. Python code that imports
    vesselwatch as a library (notebooks, tests) is not affected.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("the vesselwatch command does not use pandas", name=name)


def run() -> Any:
    """Console-script entry point.

    Exits without tearing down the interpreter: every command has closed its files and
    released its lock by the time :func:`main` returns, and freeing a large ingest's
    objects one by one only costs time (about 0.1 s after a 3M-line ingest).
    """
    import gc

    sys.meta_path.insert(0, _NoPandas())
    gc.freeze()  # the modules' objects stay put: later collections need not scan them
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            code = code or EXIT_USER
    os._exit(code)
