"""CLI commands for SLA and QA: the work queue, entry-check import (reports:
`claimflow.cli_reports`)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from claimflow import EVENTS
from claimflow.cli import (
    AT_OPTION,
    BATCH_OPTION,
    CLIENT_OPTION,
    JSON_OPTION,
    NEW_STORE_OPTION,
    OPERATOR_OPTION,
    OPTIONAL_CLIENT_OPTION,
    STORE_OPTION,
    counted,
    echo_json,
    fail_cleanly,
    main,
)
from claimflow.cli_options import (
    ROWS_FILE,
    ClientFile,
    InputFile,
    echo_rows,
    out_option,
    progress,
    rows_options,
    time_option,
)

if TYPE_CHECKING:  # each command imports what it runs (see claimflow.cli)
    from claimflow import CaseQueue

#: Reports, the queue and replay look at one instant (``--now`` before).
AS_OF = time_option("--as-of", "The instant to look at", deprecated=("--now",))


@main.command("queue")
@click.option(
    "--client",
    "client_paths",
    multiple=True,
    required=True,
    type=ClientFile(),
    help="A client's configuration file, or its key in CLAIMFLOW_CLIENTS "
    "(repeat for several).",
)
@STORE_OPTION
@AS_OF
@rows_options
@click.option("--limit", default=50, show_default=True, help="Show this many.")
@click.option(
    "--cases",
    "show_cases",
    is_flag=True,
    help="Open member-service cases instead of claims: the term each owes next "
    "and the business hours left to it.",
)
@fail_cleanly
def queue_cmd(
    client_paths: tuple[Path, ...],
    db_path: Path | str,
    as_of: datetime | None,
    as_json: bool,
    limit: int,
    rows_as: str | None = None,
    show_cases: bool = False,
) -> None:
    """Open work, most urgent first: business time left before each SLA breach.

    A --as-of without an offset is read in each client's desk zone.

    \b
    Example:
        claimflow queue --client samples/clients/acme-tools.yaml \\
            --client samples/clients/costa-azul.yaml
    """
    from rich.console import Console
    from rich.table import Table

    from claimflow import Store, case_queue, work_queue

    clients = list(client_paths)
    with Store.open(db_path) as store:
        if show_cases:
            _cases_queue(case_queue(clients, store, as_of=as_of, limit=limit), as_json, rows_as)
            return
        queue = work_queue(clients, store, as_of=as_of, limit=limit)
        if as_json or rows_as:
            echo_rows(queue.to_dict(), queue.to_dict(), rows_as)
            return
        # the cases' line is for people reading the table
        open_cases = case_queue(clients, store, as_of=as_of)
    table = Table(title=f"{len(queue.rows):,} open claims", title_justify="left")
    for column in ("client", "claim", "due", "business hours left", "flag"):
        table.add_column(column)
    for row in queue.rows.head(limit).itertuples(index=False):
        flag = (
            "in breach"
            if row.breached
            else "will breach"
            if row.breaches_anyway
            else ("at risk" if row.at_risk else "")
        )
        table.add_row(
            str(row.client),
            str(row.claim),  # as people know it: reference and file
            str(row.due_date)[:10],
            queue.hours_shown(str(row.client), row.remaining_hours),
            flag,
        )
    Console().print(table)
    if open_cases.rows:
        overdue = sum(row.breached for row in open_cases.rows)
        click.echo(
            f"and {counted(len(open_cases.rows), 'open case')} ({overdue:,} overdue): "
            "claimflow queue --cases"
        )


def _cases_queue(queue: CaseQueue, as_json: bool, rows_as: str | None) -> None:
    """Print the open cases (`claimflow queue --cases`)."""
    from rich.console import Console
    from rich.table import Table

    for key in queue.without_accounts:
        click.echo(f"{key}: no accounts section: it keeps no cases", err=True)
    if as_json or rows_as:
        echo_rows(queue.to_dict(), queue.to_dict(), rows_as)
        return
    several = len({row.client for row in queue.rows}) > 1
    table = Table(
        title=f"{len(queue.rows):,} open cases (due: the desk's time, month-day)",
        title_justify="left",
    )
    for column in (["client"] if several else []) + ["case", "owner", "owes", "due"]:
        table.add_column(column, no_wrap=column != "client")
    table.add_column("hours left", justify="right")
    table.add_column("flag")
    shown = queue.rows if queue.limit is None else queue.rows[: queue.limit]
    for row in shown:
        cells = [row.client] if several else []
        table.add_row(
            *cells,
            f"#{row.case_id} {row.category}",
            f"{row.owner} ({row.level})",
            row.term or "",
            "" if row.due is None else row.due.strftime("%m-%d %H:%M"),
            queue.hours_shown(row.client, row.hours_left),
            "overdue" if row.breached else "",
        )
    Console().print(table)


@main.command("qa")
@click.argument("action", type=click.Choice(["import"]))
@click.argument("file", type=InputFile())
@CLIENT_OPTION
@STORE_OPTION
@OPERATOR_OPTION
@JSON_OPTION
@fail_cleanly
def qa_cmd(
    action: str,
    file: Path,
    client_path: Path,
    db_path: Path | str,
    operator: str,
    as_json: bool,
) -> None:
    """Import entry-check results (operator, field, day, checked, errors).

    \b
    Example:
        claimflow qa import checks.csv --client samples/clients/acme-tools.yaml
    """
    from claimflow import Store, import_entry_checks

    with Store.open(db_path) as store:
        done = import_entry_checks(file, client_path, store, operator=operator)
    if as_json:
        echo_json(done.to_dict())
    elif done.already_imported is not None:
        when = done.already_imported
        click.echo(f"{file}: already imported (as {when[0]} at {when[1]})")
    else:
        click.echo(f"{file}: {done.imported:,} entry checks imported")


@main.command("replay")
@OPTIONAL_CLIENT_OPTION
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A new configuration to replay under (default: --client's).",
)
@BATCH_OPTION
@click.option("--all", "all_claims", is_flag=True, help="Every stored claim (default).")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Only claims received on or after this day (a filter).",
)
@click.option(
    "--baseline",
    is_flag=True,
    help="With --rules: compare with a same-rules replay, not the record, so "
    "only the rule change shows (net of what this release changes anyway).",
)
@click.option(
    "--golden",
    "golden_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Run the golden cases in this folder instead of the store.",
)
@click.option(
    "--update", is_flag=True, help="With --golden: rewrite the expected outputs."
)
@NEW_STORE_OPTION
@out_option(
    "Write every changed claim to a .csv, .xlsx, .json, .jsonl or .ndjson file.",
    suffixes=ROWS_FILE,
)
@AS_OF
@rows_options
@fail_cleanly
def replay_cmd(
    client_path: Path | None,
    rules_path: Path | None,
    batch_id: int | None,
    all_claims: bool,
    since: datetime | None,
    baseline: bool,
    golden_dir: Path | None,
    update: bool,
    db_path: Path | str,
    out: Path | None,
    as_of: datetime | None,
    as_json: bool,
    rows_as: str | None = None,
) -> None:
    """Re-run stored claims under the current code and rules; show what changes.

    Exit 0 when nothing changed, 1 when something did, 2 on error: a
    deployment gate.

    \b
    Example:
        claimflow replay --client samples/clients/acme-tools.yaml --rules acme-2027.yaml
        claimflow replay --golden samples/golden
    """
    from claimflow import (
        Store,
        render_replay,
        replay_claims,
        resolve_client,
        write_replay_changes,
    )

    if golden_dir is not None:
        sys.exit(_golden(golden_dir, update, as_json))
    if client_path is None:
        raise click.UsageError("replay needs --client and --db (or --golden)")
    if isinstance(db_path, Path) and not db_path.exists():
        raise click.UsageError(f"--db: path {str(db_path)!r} does not exist")
    if baseline and rules_path is None:
        raise click.UsageError("--baseline compares a rule change: give --rules")
    with (
        Store.open(db_path) as store,
        progress("replaying claims", not (as_json or rows_as)) as advance,
    ):
        result = replay_claims(
            client_path, store, rules=rules_path, batch=batch_id,
            since=since.date() if since else None, as_of=as_of, baseline=baseline,
            progress=advance,
        )  # fmt: skip
    if out is not None:
        write_replay_changes(result, out)
    if as_json or rows_as:
        data = result.to_dict()
        echo_rows(data, data["changes"], rows_as)
    else:
        # figures as the client's desk writes them, as ledger balance does
        click.echo(render_replay(result, desk=resolve_client(client_path).desk))
    sys.exit(result.exit_code)


def _golden(folder: Path, update: bool, as_json: bool) -> int:
    from claimflow import run_golden

    differences = run_golden(folder, update=update)
    if as_json:
        echo_json(differences)
        return 1 if differences else 0
    for case, lines in differences.items():
        click.echo(f"{case}: {len(lines)} differences")
        for line in lines:
            click.echo(f"  {line}")
    if not differences:
        click.echo("golden cases " + ("updated" if update else "unchanged"))
    return 1 if differences else 0


@main.command("event")
@click.argument("claim_id")
@click.argument("event", type=click.Choice(EVENTS))
@OPTIONAL_CLIENT_OPTION
@STORE_OPTION
@AT_OPTION
@OPERATOR_OPTION
@JSON_OPTION
@fail_cleanly
def event_cmd(
    claim_id: str,
    event: str,
    client_path: Path | None,
    db_path: Path | str,
    at: datetime | None,
    operator: str,
    as_json: bool,
) -> None:
    """Record what happened to a claim (the SLA figures derive from these events).

    ``resubmitted`` restarts a clock paused while the participant owed us
    something; ``escalated`` counts towards the escalation share. A --at
    without an offset needs --client (its desk zone reads it).

    \b
    Example:
        claimflow event 7b0be037608e-r5 resubmitted --operator ann
    """
    from claimflow import Store, record_event

    with Store.open(db_path) as store:
        done = record_event(claim_id, event, client_path, store, at=at, operator=operator)
    if as_json:
        echo_json(done.to_dict())
    else:
        click.echo(f"claim {done.name}: {event} at {done.at.isoformat()}")
