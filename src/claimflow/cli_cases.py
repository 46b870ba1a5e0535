"""CLI commands of the ``cases`` group: thin calls of `claimflow`'s case stages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from claimflow.cli import (
    AT_OPTION,
    CLIENT_OPTION,
    JSON_OPTION,
    OPERATOR_OPTION,
    STORE_OPTION,
    echo_json,
    fail_cleanly,
)
from claimflow.cli_members import cases_cmd
from claimflow.cli_options import echo_rows, rows_options

if TYPE_CHECKING:  # each command imports what it runs (see claimflow.cli)
    from claimflow import Case, CaseGroup

_TYPES = [
    "inquiry",
    "complaint",
    "retro_claim",
    "status_question",
    "rate_discrepancy",
    "partner_discrepancy",
]


def _line(case: Case) -> str:
    state = f"closed ({case.resolution})" if case.closed_at else "open"
    return (
        f"case #{case.id} {case.case_type}/{case.category} for {case.participant}: "
        f"{case.owner} at {case.level}, {len(case.contacts)} contacts, "
        f"{len(case.links)} links, {state}"
    )


@cases_cmd.command("open")
@click.argument("participant")
@click.option("--type", "case_type", type=click.Choice(_TYPES), required=True)
@click.option("--owner", required=True, help="Who works the case.")
@click.option("--category", default="general", show_default=True)
@click.option("--subject", default="", help="One line.")
@click.option("--level", type=click.Choice(["L1", "L2", "senior"]), default="L1")
@click.option(
    "--link", "links", multiple=True, help="claim:ID, participant:ID or posting:ID."
)
@AT_OPTION
@CLIENT_OPTION
@STORE_OPTION
@OPERATOR_OPTION
@JSON_OPTION
@fail_cleanly
def open_cmd(
    participant: str,
    case_type: str,
    owner: str,
    category: str,
    subject: str,
    level: str,
    links: tuple[str, ...],
    at: datetime | None,
    client_path: Path,
    db_path: Path | str,
    operator: str,
    as_json: bool,
) -> None:
    """Open a case for a participant (the SLA clock starts at --at).

    \b
    Example:
        claimflow cases open 104233 --type complaint --owner ann --category points \\
            --link claim:AC-1001 --client samples/clients/acme-tools.yaml
    """
    from claimflow import Store, open_case

    with Store.open(db_path) as store:
        case = open_case(
            participant, client_path, store, case_type=case_type, owner=owner,
            category=category, subject=subject, level=level, links=links, at=at,
            operator=operator,
        )  # fmt: skip
    if as_json:
        echo_json(case.to_dict())
        return
    again = " (opened before: nothing recorded)" if case.repeated else ""
    click.echo(f"case #{case.id} opened for {participant} ({case_type}, {owner}){again}")


def _event_command(name: str, event: str, value: str | None, doc: str) -> None:
    """Register ``cases NAME CASE [VALUE]``: one event on an open case."""
    params = [click.Argument(["case_id"], type=int)]
    if value is not None:
        params.append(click.Argument(["value"], metavar=value))

    @fail_cleanly
    def command(
        case_id: int,
        client_path: Path,
        db_path: Path | str,
        operator: str,
        at: datetime | None,
        note: str | None,
        as_json: bool,
        value: str | None = None,
    ) -> None:
        from claimflow import Store, record_case_event

        with Store.open(db_path) as store:
            case = record_case_event(
                case_id, event, client_path, store, value=value, note=note, at=at,
                operator=operator,
            )  # fmt: skip
        again = f" (this {event} was recorded before: nothing recorded)"
        if as_json:
            echo_json(case.to_dict())
        else:
            click.echo(_line(case) + (again if case.repeated else ""))

    for option in (
        CLIENT_OPTION,
        STORE_OPTION,
        OPERATOR_OPTION,
        AT_OPTION,
        JSON_OPTION,
    ):
        command = option(command)
    command = click.option("--note", help="Free text kept with the event.")(command)
    cmd = click.command(name, help=doc)(command)
    cmd.params[:0] = params
    cases_cmd.add_command(cmd)


_event_command(
    "respond",
    "contact",
    None,
    """Record a contact with the member:
the first is the first response, later ones follow-ups.

\b
Example:
    claimflow cases respond 3 --note "called back" --client samples/clients/acme-tools.yaml
""",
)
_event_command(
    "escalate",
    "escalated",
    "LEVEL",
    """Raise a case to L2 or senior.

\b
Example:
    claimflow cases escalate 3 L2 --client samples/clients/acme-tools.yaml
""",
)
_event_command(
    "assign",
    "owner",
    "OWNER",
    """Give a case to another owner.

\b
Example:
    claimflow cases assign 3 sam --client samples/clients/acme-tools.yaml
""",
)
_event_command(
    "link",
    "link",
    "KIND:ID",
    """Link a claim, participant or ledger posting.

\b
Example:
    claimflow cases link 3 posting:41 --client samples/clients/acme-tools.yaml
""",
)
_event_command(
    "close",
    "closed",
    "RESOLUTION",
    """Close a case with its resolution.

\b
Example:
    claimflow cases close 3 "points credited" --client samples/clients/acme-tools.yaml
""",
)


@cases_cmd.command("list")
@click.option("--open", "only_open", is_flag=True, help="Only open cases.")
@CLIENT_OPTION
@STORE_OPTION
@rows_options
@fail_cleanly
def list_cmd(
    only_open: bool,
    client_path: Path,
    db_path: Path | str,
    as_json: bool,
    rows_as: str | None = None,
) -> None:
    """List cases with their owner, level and state.

    \b
    Example:
        claimflow cases list --open --client samples/clients/acme-tools.yaml
    """
    from claimflow import Store, list_cases

    with Store.open(db_path) as store:
        found = list_cases(client_path, store, open_only=only_open)
    if as_json or rows_as:
        rows = [c.to_dict() for c in found]
        echo_rows(rows, rows, rows_as)
        return
    for case in found:
        click.echo(_line(case))


def _group_line(group: CaseGroup, currency: str) -> str:
    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    cost = "-" if group.cost_per_escalation is None else f"{group.cost_per_escalation}"
    return (
        f"{group.key}: {group.cases} cases, {group.closed} closed, {group.within_sla} "
        f"within SLA ({share(group.within_sla_share)}); {group.escalated} escalated "
        f"({share(group.escalation_share)}{', over the limit' if group.over_limit else ''}), "
        f"{currency} {cost} per escalation, {group.repeat_escalations} repeat"
    )


@cases_cmd.command("report")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day.")
@click.option(
    "--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (included)."
)
@CLIENT_OPTION
@STORE_OPTION
@JSON_OPTION
@fail_cleanly
def report_cmd(
    start: datetime | None,
    end: datetime | None,
    client_path: Path,
    db_path: Path | str,
    as_json: bool,
) -> None:
    """Case SLA figures: resolved within SLA, escalations, cost, by owner and category.

    \b
    Example:
        claimflow cases report --from 2026-12-01 --to 2026-12-31 \\
            --client samples/clients/acme-tools.yaml
    """
    from claimflow import Store, case_report

    with Store.open(db_path) as store:
        figures = case_report(
            client_path, store, start=start.date() if start else None,
            end=end.date() if end else None,
        )  # fmt: skip
    if as_json:
        echo_json(figures.to_dict())
        return
    currency = figures.currency
    click.echo(
        f"{figures.client} cases (escalation limit {figures.escalation_limit:.0%})"
    )
    click.echo(_group_line(figures.total, currency))
    for title, groups in (
        ("by owner", figures.by_owner),
        ("by category", figures.by_category),
    ):
        click.echo(title + ":")
        for group in groups:
            click.echo("  " + _group_line(group, currency))
