"""CLI command ``report``: SLA, QA and trend reports, and the desk's pack
(daily, weekly, monthly), in every format the presentation layer offers.

A thin call of `claimflow.build_report`, `write_report` and `show_report`.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import click

from claimflow.cli import (
    CLIENT_OPTION,
    JSON_OPTION,
    STORE_OPTION,
    echo_json,
    fail_cleanly,
    main,
)
from claimflow.cli_options import out_option, progress
from claimflow.cli_sla import AS_OF

KINDS = ("sla", "qa", "trends", "daily", "weekly", "monthly")
#: What ``--out``'s suffix may be (``--format``, deprecated, names one).
FORMATS = ("csv", "zip", "xlsx", "html", "pdf")


@main.command("report")
@click.argument("kind", type=click.Choice(KINDS))
@CLIENT_OPTION
@click.option(
    "--period",
    help="sla, qa, trends: 2026-10, 2026-Q4, 2026 or 2026-10-01..2026-10-31; "
    "daily: a day (default today); weekly: its last day (default the working "
    "day before today); monthly: a month (default the last complete one).",
)
@out_option(
    "Write the report to a .csv (one file per table: a folder when there are "
    "several), .zip (those files in one archive), .xlsx, .html or .pdf (the "
    "HTML printed by Chromium) file."
)
@click.option("--format", "fmt", type=click.Choice(["table", *FORMATS]), hidden=True)
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
@AS_OF
@JSON_OPTION
@fail_cleanly
def report_cmd(
    kind: str,
    client_path: Path,
    period: str | None,
    out: Path | None,
    fmt: str | None,
    by: str,
    top: int,
    months: int,
    db_path: Path | str,
    as_of: datetime | None,
    as_json: bool,
) -> None:
    """SLA, QA, trend, daily, weekly and monthly reports, with their definitions.

    \b
    Example:
        claimflow report sla --client samples/clients/acme-tools.yaml --period 2026-10
        claimflow report daily --client samples/clients/acme-tools.yaml \\
            --out daily.html
        claimflow report monthly --client samples/clients/acme-tools.yaml \\
            --period 2026-10 --out october.xlsx
        claimflow report qa --client samples/clients/acme-tools.yaml \\
            --by adjudicated --out qa.csv    # qa/01-by-operator.csv, ...
    """
    from rich.console import Console

    from claimflow import Store, build_report, show_report, write_report

    target = _report_target(out, fmt, client_path, kind, period)
    with (
        Store.open(db_path) as store,
        progress(f"building the {kind} report: tables", not as_json) as advance,
    ):
        report = build_report(
            kind, client_path, store, period=period, as_of=as_of,  # type: ignore[arg-type]
            qa_by=by, top=top, months=months, progress=advance,  # type: ignore[arg-type]
        )  # fmt: skip
    if target is not None:
        written = write_report(report, target)
        where = f"{written}/" if written.is_dir() else str(written)
        click.echo(f"{report.title} written to {where}", err=as_json)
    if as_json:
        echo_json(report.to_dict())
    elif target is None:
        # piped: wide, unless COLUMNS says how wide the reader's terminal is
        wide = sys.stdout.isatty() or "COLUMNS" in os.environ
        show_report(report, Console(width=None if wide else 200))


def _report_target(
    out: Path | None, fmt: str | None, client: Path | str, kind: str, period: str | None
) -> Path | None:
    """The file a report goes to: --out, its format from the suffix."""
    if fmt is not None:
        click.echo("claimflow: warning: --format is deprecated; use --out with "
                   "the suffix", err=True)  # fmt: skip
        if fmt == "table":
            return None
        stem = Path(client).stem  # a client file, or a client's key
        return (out or Path(f"{stem}-{kind}-{period or 'latest'}")).with_suffix(
            f".{fmt}"
        )
    if out is None:
        return None
    if out.suffix.lstrip(".").lower() not in FORMATS:
        raise click.BadParameter(
            f"{out}: expected a .csv, .zip, .xlsx, .html or .pdf file",
            param_hint="--out",
        )
    return out
