"""CLI commands for SLA and QA: the work queue, entry-check import (reports:
`claimflow.cli_reports`)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from claimflow.cli import (
    JSON_OPTION,
    OPERATOR_OPTION,
    STORE_OPTION,
    echo_json,
    fail_cleanly,
    main,
    strict_json,
)
from claimflow.sla.events import EVENTS

_NOW = click.option(
    "--now",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="Report as of this instant, UTC (default: now).",
)


def _now(value: datetime | None) -> datetime:
    return value.replace(tzinfo=UTC) if value else datetime.now(UTC)


@main.command("queue")
@click.option(
    "--client",
    "client_paths",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@STORE_OPTION
@_NOW
@JSON_OPTION
@click.option("--limit", default=50, show_default=True)
@fail_cleanly
def queue_cmd(
    client_paths: tuple[Path, ...],
    db_path: Path,
    now: datetime | None,
    as_json: bool,
    limit: int,
) -> None:
    """Open work, most urgent first: business time left before each SLA breach.

    \b
    Example:
        claimflow queue --client samples/clients/acme-tools.yaml \\
            --client samples/clients/costa-azul.yaml
    """
    from rich.console import Console
    from rich.table import Table

    from claimflow.config import load_client
    from claimflow.sla.queue import work_queue
    from claimflow.store import Store

    clients = [load_client(p) for p in client_paths]
    with Store.open(db_path) as store:
        queue = work_queue(store, clients, _now(now))
    if as_json:
        click.echo(
            queue.head(limit).to_json(orient="records", date_format="iso", indent=2)
        )
        return
    table = Table(title=f"{len(queue):,} open claims", title_justify="left")
    for column in ("client", "claim", "due", "business hours left", "flag"):
        table.add_column(column)
    for row in queue.head(limit).itertuples(index=False):
        flag = (
            "will breach" if row.breaches_anyway else ("at risk" if row.at_risk else "")
        )
        table.add_row(
            str(row.client),
            str(row.claim_id),
            str(row.due_date)[:10],
            f"{row.remaining_hours:,.1f}",
            flag,
        )
    Console().print(table)


@main.command("qa")
@click.argument("action", type=click.Choice(["import"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--client",
    "client_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@STORE_OPTION
@fail_cleanly
def qa_cmd(action: str, file: Path, client_path: Path, db_path: Path) -> None:
    """Import entry-check results (operator, field, day, checked, errors).

    \b
    Example:
        claimflow qa import checks.csv --client samples/clients/acme-tools.yaml
    """
    from claimflow.config import load_client
    from claimflow.parse.checks import read_entry_checks
    from claimflow.parse.common import content_hash
    from claimflow.store import Store

    client = load_client(client_path)
    checks = list(read_entry_checks(file, client))
    digest = content_hash(file)
    with Store.open(db_path) as store, store.transaction():
        earlier = store.imported("entry checks", client.key, digest)
        if earlier is not None:
            click.echo(f"{file}: already imported (as {earlier[0]} at {earlier[1]})")
            return
        store.add_entry_checks(client.key, checks, str(file))
        store.add_import("entry checks", client.key, digest, str(file), len(checks))
        store.audit("qa", "qa import", {"file": str(file), "rows": len(checks)})
    echo_json({"imported": len(checks)})


@main.command("replay")
@click.option(
    "--client",
    "client_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The client's configuration as recorded.",
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A new configuration to replay under (default: --client's).",
)
@click.option("--batch", "batch_id", type=int, help="Only this batch.")
@click.option("--all", "all_claims", is_flag=True, help="Every stored claim (default).")
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), help="Received on or after."
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
@click.option(
    "--db",
    "db_path",
    default="claimflow.db",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every changed claim to a .csv or .xlsx file.",
)
@_NOW
@JSON_OPTION
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
    db_path: Path,
    out: Path | None,
    now: datetime | None,
    as_json: bool,
) -> None:
    """Re-run stored claims under the current code and rules; show what changes.

    Exit 0 when nothing changed, 1 when something did, 2 on error: a
    deployment gate.

    \b
    Example:
        claimflow replay --client samples/clients/acme-tools.yaml --rules acme-2027.yaml
        claimflow replay --golden samples/golden
    """
    from claimflow.config import load_client
    from claimflow.replay import replay
    from claimflow.report.replay import render_replay, write_replay_changes
    from claimflow.store import Store

    if golden_dir is not None:
        sys.exit(_golden(golden_dir, update, as_json))
    if client_path is None:
        raise click.UsageError("replay needs --client and --db (or --golden)")
    if not db_path.exists():
        raise click.UsageError(f"--db: path {str(db_path)!r} does not exist")
    if baseline and rules_path is None:
        raise click.UsageError("--baseline compares a rule change: give --rules")
    client = load_client(client_path)
    rules = load_client(rules_path) if rules_path else None
    with Store.open(db_path) as store:
        result = replay(
            store,
            client,
            rules=rules,
            batch_id=batch_id,
            since=since.date() if since else None,
            now=_now(now),
            baseline=baseline,
        )
    if out is not None:
        write_replay_changes(result, out)
    click.echo(strict_json(result.to_dict()) if as_json else render_replay(result))
    sys.exit(result.exit_code)


def _golden(folder: Path, update: bool, as_json: bool) -> int:
    from claimflow.replay import golden

    differences = golden(folder, update=update)
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
@STORE_OPTION
@click.option(
    "--at",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="When it happened, UTC (default: now).",
)
@OPERATOR_OPTION
@fail_cleanly
def event_cmd(
    claim_id: str, event: str, db_path: Path, at: datetime | None, operator: str
) -> None:
    """Record what happened to a claim (the SLA figures derive from these events).

    ``resubmitted`` restarts a clock paused while the participant owed us
    something; ``escalated`` counts towards the escalation share.

    \b
    Example:
        claimflow event 7b0be037608e-r5 resubmitted --operator ann
    """
    from claimflow.sla.events import record_event
    from claimflow.store import Store

    when = _now(at)
    with Store.open(db_path) as store, store.transaction():
        claim_id = record_event(
            store, claim_id, event, when, operator, datetime.now(UTC)
        )
    click.echo(f"claim {claim_id}: {event} at {when.isoformat()}")
