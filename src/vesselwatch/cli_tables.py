"""The tables ``vesselwatch demo`` and ``vesselwatch screen`` print: presentation only,
from the reports the engine returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["print_case", "print_cases", "print_demo", "print_screen", "print_vessel"]


def print_demo(out: Console, report: Any) -> None:
    sim, got = report.simulated, report.ingested
    out.print(f"[bold]dprk-russia[/bold]: {sim['vessels']} vessels over {report.days:g} days "
              f"(seed {report.seed}); {got['positions']:,} positions and "
              f"{got['vessel_reports']:,} static reports ingested from {got['lines']:,} "
              f"lines, {sum(got['rejects'].values()):,} damaged lines quarantined, "
              f"{sum(got['duplicates'].values()):,} duplicates dropped", highlight=False)
    shuttles = Table(title="vessels that sailed between watched ports (UTC)",
                     title_justify="left")
    for name in ("vessel", "leg", "departed", "arrived", "dark h", "seen by"):
        shuttles.add_column(name)
    for v in report.shuttles:
        for n, leg in enumerate(v["legs"]):
            who = f"{v['name'] or v['mmsi']}" if n == 0 else (
                f"{v['dark_hours']:g} h dark" if n == 1 else "")
            shuttles.add_row(escape(who), escape(f"{leg['from']} -> {leg['to']}"),
                             leg["departed"][5:], leg["arrived"][5:], f"{leg['dark_h']:g}",
                             leg["seen"])
        shuttles.add_section()
    out.print(shuttles)
    if report.encounters:
        enc = Table(title="ship-to-ship encounters", title_justify="left")
        for name in ("vessels", "from", "to", "where", "median distance", "confidence"):
            enc.add_column(name)
        for e in report.encounters:
            enc.add_row(escape(f"{e['name'] or e['mmsi']} + {e['other_name'] or e['other_mmsi']}"),
                        e["start"], e["end"], f"{e['lat']:.3f} N {e['lon']:.3f} E",
                        f"{e['median_distance_m']} m", str(e["confidence"]))
        out.print(enc)
    if report.identity_changes or report.spoofing:
        odd = Table(title="identity changes and spoofing", title_justify="left")
        for name in ("mmsi", "name", "what", "when"):
            odd.add_column(name)
        for c in report.identity_changes:
            odd.add_row(str(c["mmsi"]), escape(c["name"] or "?"),
                        escape(c["what"]), c["at"])
        for sp in report.spoofing:
            odd.add_row(str(sp["mmsi"]), escape(sp["name"] or "?"),
                        f"spoofing ({sp['kind']}"
                        + (f", {sp['distance_km']:g} km away)" if sp["distance_km"] else ")"),
                        f"{sp['start']} to {sp['end']}")
        out.print(odd)
    against = ", ".join(report.screened_against) or "nothing"
    scr = Table(title=f"screening against {against}", title_justify="left")
    for name in ("tier", "score", "vessel", "listed as", "list", "listed on"):
        scr.add_column(name)
    for h in report.screening:
        scr.add_row(h["tier"], f"{h['score']:.2f}", escape(f"{h['vessel_name']} ({h['mmsi']})"),
                    escape(h["entity_name"]), escape(h["list_name"]),
                    str(h["listed_on"] or "-"))
    out.print(scr)
    if report.cases:
        print_cases(out, report.cases)
        folder = escape(str(Path(report.cases[0]["dossier"]).parent))
        out.print(f"case dossiers (HTML, open offline): {folder}", highlight=False,
                  soft_wrap=True)
    acc = Table(title="detections against the scenario's ground truth (timing tolerance 15 min)",
                title_justify="left")
    for name in ("event type", "true", "detected", "precision", "recall"):
        acc.add_column(name)
    for a in report.accuracy:
        acc.add_row(a["event_type"], str(a["truth"]), str(a["detected"]),
                    "-" if a["precision"] is None else f"{a['precision']:.2f}",
                    "-" if a["recall"] is None else f"{a['recall']:.2f}")
    out.print(acc)
    st = escape(report.store)
    out.print(f"store: {st}  (scenario files and ground truth in {escape(report.scenario_dir)})",
              highlight=False, soft_wrap=True)
    out.print(f"next: vesselwatch events --store {st} --format csv --type dark_voyage\n"
              f"      vesselwatch evaluate --store {st} --truth {escape(report.truth)}",
              highlight=False, soft_wrap=True)
    total = sum(report.seconds.values())
    out.print(f"{total:.1f} s (" + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
              + ")", highlight=False)


def print_screen(out: Console, report: Any, hits: Any) -> None:
    table = Table(title=f"screening of {report.store}", title_justify="left")
    for name in ("tier", "score", "mmsi", "vessel", "listed as", "list", "hit id"):
        table.add_column(name)
    for h in hits.to_pylist():
        tier = h["tier"] + (" (false positive)" if h["false_positive"] else "")
        table.add_row(tier, f"{h['score']:.2f}", str(h["mmsi"]), escape(h["vessel_name"] or ""),
                      escape(h["entity_name"]), escape(h["list_name"]), h["hit_id"])
    out.print(table)
    for h in hits.to_pylist():
        out.print(f"[bold]{h['hit_id']}[/bold] {escape(h['explanation'])}", soft_wrap=True,
                  highlight=False)
    lists = ", ".join(f"{k} {v.get('entities', v.get('vessels', ''))}"
                      for k, v in report.lists.items())
    out.print(f"{report.vessels:,} vessels ({report.identities:,} identities) against "
              f"{report.entities:,} entities ({escape(lists)}); "
              + ", ".join(f"{t} {n}" for t, n in report.tiers.items())
              + f"; {report.false_positives} marked false positive; {report.seconds:.2f} s",
              highlight=False, soft_wrap=True)


def print_cases(out: Console, cases: list[dict[str, Any]]) -> None:
    table = Table(title="shipment cases (legs between watched ports), most likely first",
                  title_justify="left")
    for name in ("case", "likelihood", "vessel", "leg", "departed", "arrived", "dark h"):
        table.add_column(name)
    for c in cases:
        table.add_row(c["case_id"], c["likelihood"], escape(c["vessel_name"] or str(c["mmsi"])),
                      escape(f"{c['origin_port_name']} -> {c['dest_port_name']}"),
                      f"{c['departed_ts']:%m-%d %H:%M}", f"{c['arrived_ts']:%m-%d %H:%M}",
                      f"{c['dark_hours']:g}")
    out.print(table)
    out.print(f"{len(cases)} cases; vesselwatch case ID shows one with its evidence",
              highlight=False)


def print_case(out: Console, c: dict[str, Any]) -> None:
    out.print(f"[bold]{escape(c['hypothesis'])}[/bold]", soft_wrap=True)
    out.print(f"likelihood: [bold]{c['likelihood']}[/bold] (ICD 203)", highlight=False)
    for reason in c["reasons"]:
        out.print(f"  - {escape(reason)}", soft_wrap=True, highlight=False)
    for who in c["confirmed_by"]:
        out.print(f"confirmed by {escape(str(who['party']))} ({escape(str(who['ts']))})",
                  highlight=False)
    for who in c["denied_by"]:
        out.print(f"denied by {escape(str(who['party']))} ({escape(str(who['ts']))})"
                  + (", an interested party" if who["interested"] else ""), highlight=False)
    table = Table(title="evidence", title_justify="left")
    for name in ("kind", "source", "grade", "when", "what", "ref"):
        table.add_column(name)
    for e in c["evidence"]:
        grade = f"{e['reliability'] or ''}{e['credibility'] or ''}" or "-"
        table.add_row(e["kind"], escape(e["source"]), grade, str(e["ts"] or "")[:16],
                      escape(e["summary"]), e["ref"])
    out.print(table)


def print_vessel(out: Console, v: dict[str, Any]) -> None:
    ids = Table(title=f"identities of {v['key']} (MMSIs {', '.join(map(str, v['mmsis']))})",
                title_justify="left")
    for name in ("mmsi", "imo", "name", "call sign", "type", "first seen", "last seen"):
        ids.add_column(name)
    for i in v["identities"]:
        ids.add_row(str(i["mmsi"]), str(i["imo"] or ""), escape(i["name"] or ""),
                    escape(i["callsign"] or ""), str(i["ship_type"] or ""),
                    f"{i['first_seen']:%Y-%m-%d %H:%M}", f"{i['last_seen']:%Y-%m-%d %H:%M}")
    out.print(ids)
    out.print("events: " + (", ".join(f"{k} {n}" for k, n in v["events"].items()) or "none"),
              highlight=False)
    for h in v["hits"]:
        out.print(f"{h['tier']}: {escape(h['explanation'])}", soft_wrap=True, highlight=False)
    for r in v["risk"]:
        out.print(f"MMSI {r['mmsi']}: {escape(r['summary'])}", soft_wrap=True, highlight=False)
    for c in v["cases"]:
        out.print(f"case {c['case_id']} ({c['likelihood']}): {escape(c['hypothesis'])}",
                  soft_wrap=True, highlight=False)
