"""CLI commands for partner transfers and reconciliation (registered on `main`)."""

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
    main,
)
from claimflow.cli_options import InputFile, client_locale

if TYPE_CHECKING:  # each command imports what it runs (see claimflow.cli)
    from claimflow import PartnerDiscrepancy, Reconciliation, ResolvedClient

_PARTNER = click.option(
    "--partner", required=True, help="The partner's key in the client's partners."
)


@main.group("partners")
def partners_cmd() -> None:
    """Points-to-miles partners: transfers and statement reconciliation.

    \b
    Example:
        claimflow partners reconcile statement.csv --partner vuelaclub \\
            --client samples/clients/costa-azul.yaml
    """


@partners_cmd.command("transfer", context_settings={"ignore_unknown_options": True})
@click.argument("participant")
@click.argument("points", type=int)
@_PARTNER
@click.option("--member-number", required=True, help="The partner account to credit.")
@click.option(
    "--reference",
    required=True,
    help="The transfer's reference, unique per partner: running it again is a no-op.",
)
@CLIENT_OPTION
@STORE_OPTION
@OPERATOR_OPTION
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def transfer_cmd(
    participant: str,
    points: int,
    partner: str,
    member_number: str,
    reference: str,
    client_path: Path,
    db_path: Path | str,
    operator: str,
    at: datetime | None,
    as_json: bool,
) -> None:
    """Transfer a participant's points to a partner as miles (a ledger debit).

    \b
    Example:
        claimflow partners transfer 300112457 60000 --partner vuelaclub \\
            --member-number VC10000001 --reference CAZ-VC-0001 \\
            --client samples/clients/costa-azul.yaml
    """
    from claimflow import Store, format_points, points_word, transfer_points

    with Store.open(db_path) as store:
        done = transfer_points(
            participant, points, client_path, store, partner=partner,
            member_number=member_number, reference=reference, at=at,
            operator=operator,
        )  # fmt: skip
    if as_json:
        echo_json(done.to_dict())
        return
    locale = client_locale(client_path)  # nb_NO: 6 000, where 6,000 is six
    bonus = (
        f" incl. {format_points(done.bonus_miles, locale)} bonus"
        if done.bonus_miles
        else ""
    )
    again = " (transferred before: nothing posted)" if done.repeated else ""
    click.echo(
        f"{participant}: {format_points(done.points, locale)} "
        f"{points_word(done.points)} -> "
        f"{format_points(done.miles, locale)} {partner} "
        f"{'mile' if done.miles == 1 else 'miles'}"
        f"{bonus} to {done.member_number} ({done.reference}){again}"
    )


@partners_cmd.command("reconcile")
@click.argument("statement", type=InputFile(exists=False))
@_PARTNER
@click.option(
    "--through",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The last day the statement covers (default: its last credit day).",
)
@CLIENT_OPTION
@STORE_OPTION
@OPERATOR_OPTION
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def reconcile_cmd(
    statement: Path,
    partner: str,
    through: datetime | None,
    client_path: Path,
    db_path: Path | str,
    operator: str,
    at: datetime | None,
    as_json: bool,
) -> None:
    """Match a partner's credit statement (CSV or xlsx) to the transfers.

    Reports missing credits, wrong ratios, duplicates, credits without a
    transfer and unknown member numbers, each opening a discrepancy; exits 1
    when there is any.

    \b
    Example:
        claimflow partners reconcile \\
            samples/costa-azul/partners/vuelaclub_noviembre.csv \\
            --partner vuelaclub --client samples/clients/costa-azul.yaml
    """
    from claimflow import Store, reconcile_statement

    with Store.open(db_path) as store:
        found = reconcile_statement(
            statement, client_path, store, partner=partner,
            through=through.date() if through else None, at=at, operator=operator,
        )  # fmt: skip
    if as_json:
        echo_json(found.to_dict())
    else:
        _show(found)
    raise SystemExit(1 if found.findings else 0)


def _show(found: Reconciliation) -> None:
    done = (
        "reconciled before: nothing opened"
        if found.repeated
        else f"{found.opened:,} opened now, {found.resolved:,} resolved"
    )
    click.echo(
        f"{found.file}: {len(found.lines):,} lines through {found.through}, "
        f"{found.credited:,} credited as expected, {len(found.findings):,} "
        f"discrepancies ({done})"
    )
    for note in found.notes:
        click.echo(f"note: {found.file}: {note}")
    for finding in found.findings:
        click.echo(f"  {finding.code.value}: {finding.message}")


def _discrepancy_line(found: PartnerDiscrepancy, client: ResolvedClient) -> str:
    where = f" ({found.statement_file} row {found.row})" if found.row else ""
    state = (
        "open"
        if found.status == "open"
        else f"closed by {found.closed_by} at {client.desk.time(found.closed_at)}: "
        f"{found.resolution}"
        + (f" ({found.note})" if found.note else "")
    )
    return f"#{found.id} {found.partner} {found.code}{where}: {found.message} [{state}]"


@partners_cmd.command("discrepancies")
@click.option("--partner", help="Only this partner's.")
@click.option(
    "--statement", help="Only those raised by lines of this statement (file name)."
)
@click.option(
    "--state",
    type=click.Choice(["open", "closed", "all"]),
    default="all",
    show_default=True,
)
@CLIENT_OPTION
@STORE_OPTION
@JSON_OPTION
@fail_cleanly
def discrepancies_cmd(
    partner: str | None,
    statement: str | None,
    state: str,
    client_path: Path,
    db_path: Path | str,
    as_json: bool,
) -> None:
    """List the partner discrepancies reconciliation opened, open or closed.

    \b
    Example:
        claimflow partners discrepancies --state open --partner vuelaclub \\
            --client samples/clients/costa-azul.yaml
    """
    from claimflow import Store, list_discrepancies, load_client

    with Store.open(db_path) as store:
        found = list_discrepancies(
            client_path, store, partner=partner, statement=statement,
            state=state,  # type: ignore[arg-type]
        )  # fmt: skip
    if as_json:
        echo_json([d.to_dict() for d in found])
        return
    for discrepancy in found:
        click.echo(_discrepancy_line(discrepancy, load_client(client_path)))
    if not found:
        click.echo("no partner discrepancies" + ("" if state == "all" else f" {state}"))


@partners_cmd.command("close")
@click.argument("discrepancy", type=int)
@click.option("--adjustment", type=int, help="The posted adjustment that settled it.")
@click.option("--transfer", type=int, help="The transfer that settled it.")
@click.option("--no-action", is_flag=True, help="Nothing was done (say why: --note).")
@click.option("--note", help="The closer's words.")
@CLIENT_OPTION
@STORE_OPTION
@OPERATOR_OPTION
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def close_cmd(
    discrepancy: int,
    adjustment: int | None,
    transfer: int | None,
    no_action: bool,
    note: str | None,
    client_path: Path,
    db_path: Path | str,
    operator: str,
    at: datetime | None,
    as_json: bool,
) -> None:
    """Close a partner discrepancy with the adjustment or transfer that
    settled it, or no action with a note; a closed one is not closed again.

    \b
    Example:
        claimflow partners close 3 --no-action --note "partner re-credited" \\
            --client samples/clients/costa-azul.yaml
    """
    from claimflow import Store, close_discrepancy, load_client

    with Store.open(db_path) as store:
        closed = close_discrepancy(
            discrepancy, client_path, store, adjustment=adjustment,
            transfer=transfer, no_action=no_action, note=note, at=at,
            operator=operator,
        )  # fmt: skip
    if as_json:
        echo_json(closed.to_dict())
        return
    click.echo(_discrepancy_line(closed, load_client(client_path)))
