"""CLI command ``report``: SLA, QA and trend reports, and the desk's pack
(daily, weekly, monthly), in every format the presentation layer offers.

A thin call of `claimflow.report.sla.build_report` and `write_report`; the
terminal layout is `claimflow.report.tables.print_table`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from claimflow.cli import STORE_OPTION, fail_cleanly, main
from claimflow.cli_sla import _NOW, _now

if TYPE_CHECKING:
    from datetime import datetime

    from claimflow.report.sla import Report

KINDS = ("sla", "qa", "trends", "daily", "weekly", "monthly")
FORMATS = ("table", "csv", "zip", "xlsx", "html", "pdf")


@main.command("report")
@click.argument("kind", type=click.Choice(KINDS))
@click.option(
    "--client",
    "client_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--period",
    help="sla, qa, trends: 2026-10, 2026-Q4, 2026 or 2026-10-01..2026-10-31; "
    "daily: a day (default today); weekly: its last day (default the working "
    "day before today); monthly: a month (default the last complete one).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="csv: one file per table (a folder when there are several); "
    "zip: those files in one archive; pdf: the HTML printed by Chromium.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (csv, zip, xlsx, html, pdf).",
)
@click.option(
    "--by",
    type=click.Choice(["keyed", "adjudicated"]),
    default="keyed",
    show_default=True,
    help="QA checks counted by the day the fields were keyed or the day "
    "the check was recorded.",
)
@click.option("--top", default=6, show_default=True, help="monthly: reasons listed.")
@click.option(
    "--months", default=6, show_default=True, help="monthly: months of trend."
)
@STORE_OPTION
@_NOW
@fail_cleanly
def report_cmd(
    kind: str,
    client_path: Path,
    period: str | None,
    fmt: str,
    out: Path | None,
    by: str,
    top: int,
    months: int,
    db_path: Path,
    now: datetime | None,
) -> None:
    """SLA, QA, trend, daily, weekly and monthly reports, with their definitions.

    \b
    Example:
        claimflow report sla --client samples/clients/acme-tools.yaml --period 2026-10
        claimflow report daily --client samples/clients/acme-tools.yaml \\
            --format html --out daily.html
        claimflow report monthly --client samples/clients/acme-tools.yaml \\
            --period 2026-10 --format xlsx --out october.xlsx
        claimflow report qa --client samples/clients/acme-tools.yaml \\
            --by adjudicated --format csv --out qa.csv    # qa/01-by-operator.csv
    """
    from claimflow.config import load_client
    from claimflow.report.pack import PackOptions
    from claimflow.report.sla import build_report, write_report
    from claimflow.store import Store

    client = load_client(client_path)
    options = PackOptions(top=top, months=months, qa_by=by)  # type: ignore[arg-type]
    with Store.open(db_path) as store:
        report = build_report(kind, store, client, period, _now(now), options)  # type: ignore[arg-type]
    if fmt == "table":
        _print(report)
        return
    target = out or Path(f"{client.key}-{kind}-{period or 'latest'}.{fmt}")
    written = write_report(report, target.with_suffix(f".{fmt}"))
    where = f"{written}/" if written.is_dir() else str(written)
    click.echo(f"{report.title} written to {where}")


def _print(report: Report) -> None:
    """The report on the terminal: verdict, notes, tables, definitions."""
    import os
    import sys

    from rich.console import Console

    from claimflow.report.tables import print_table, shown_table

    # piped: wide, unless COLUMNS says how wide the reader's terminal is
    wide = sys.stdout.isatty() or "COLUMNS" in os.environ
    console = Console(width=None if wide else 200)
    console.print(f"[bold]{report.title}[/bold]", highlight=False)
    for note in filter(None, [report.verdict, *report.notes]):
        console.print(note, highlight=False, soft_wrap=True)
    for name, frame in report.tables.items():
        print_table(console, name, shown_table(frame, report.locale, report.currency))
    for line in report.definitions:
        console.print(f"[dim]{line}[/dim]", highlight=False, soft_wrap=True)
