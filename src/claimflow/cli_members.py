"""CLI commands for member account services (registered on `main`).

``participants merge|unmerge``, ``ledger adjust|approve|adjustments`` and
the ``cases`` group: thin calls of `claimflow`'s account stages.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from claimflow import format_points
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
from claimflow.cli_awards import ledger_cmd, participants_group
from claimflow.cli_options import client_locale, echo_rows, rows_options

if TYPE_CHECKING:  # each command imports what it runs (see claimflow.cli)
    from claimflow import Adjustment, ResolvedClient

_REASONS = [
    "goodwill",
    "service_recovery",
    "missing_credit",
    "correction",
    "partner_discrepancy",
]


def _merge_line(data: dict[str, Any], locale: str) -> str:
    moved = "into" if data["action"] == "merge" else "back out of"

    def n(value: int, noun: str) -> str:
        # one lot, one claim: "1 lots" read wrong (nouns with a plain -s plural)
        return f"{format_points(value, locale)} {noun}{'' if value == 1 else 's'}"

    return (
        f"{data['action']} #{data['merge_id']}: {data['merged']} {moved} "
        f"{data['survivor']}: {n(data['points'], 'point')} in "
        f"{n(data['lots'], 'lot')}, {n(len(data['claims']), 'claim')}, "
        f"{n(len(data['cases']), 'open case')} moved"
    )


@participants_group.command("merge")
@click.argument("survivor")
@click.argument("merged")
@CLIENT_OPTION
@STORE_OPTION
@click.option("--note", default="", help="Why (kept on the merge).")
@OPERATOR_OPTION
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def merge_cmd(
    survivor: str,
    merged: str,
    client_path: Path,
    db_path: Path | str,
    note: str,
    operator: str,
    at: datetime | None,
    as_json: bool,
) -> None:
    """Merge account MERGED into SURVIVOR (after `dedupe apply` marked them same).

    Points move lot by lot with their dates, claims and open cases follow,
    MERGED is closed. Refused when the two have different tax ids or both
    redeemed one reference.

    \b
    Example:
        claimflow participants merge 104233 104876 --operator rita \\
            --client samples/clients/acme-tools.yaml --db claims.db
    """
    from claimflow import Store, merge_accounts

    with Store.open(db_path) as store:
        done = merge_accounts(
            survivor, merged, client_path, store, note=note, at=at, operator=operator
        )
    _echo(done.to_dict(), as_json, client_path)


@participants_group.command("unmerge")
@click.argument("merged")
@CLIENT_OPTION
@STORE_OPTION
@click.option("--note", default="", help="Why (kept on the unmerge).")
@OPERATOR_OPTION
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def unmerge_cmd(
    merged: str,
    client_path: Path,
    db_path: Path | str,
    note: str,
    operator: str,
    at: datetime | None,
    as_json: bool,
) -> None:
    """Undo the merge of MERGED exactly (refused once moved points were used).

    \b
    Example:
        claimflow participants unmerge 104876 --operator rita \\
            --client samples/clients/acme-tools.yaml --db claims.db
    """
    from claimflow import Store, unmerge_accounts

    with Store.open(db_path) as store:
        done = unmerge_accounts(
            merged, client_path, store, note=note, at=at, operator=operator
        )
    _echo(done.to_dict(), as_json, client_path)


def _echo(data: dict[str, Any], as_json: bool, client: Path) -> None:
    if as_json:
        echo_json(data)
    else:
        click.echo(_merge_line(data, client_locale(client)))
        for shared in data.get("shared_nights", []):
            click.echo(f"  {shared['message']}")
    if data.get("shared_nights"):
        raise SystemExit(1)  # stays to decide or awards to reverse


def _adjustment_line(found: Adjustment, client: ResolvedClient) -> str:
    from claimflow import points_word
    state = {
        "posted": f"posted by {found.decided_by} (posting #{found.posting_id})",
        "pending": "pending: above the requester's limit, waits for "
        f"`ledger approve {found.id}` by someone else",
        "rejected": f"rejected by {found.decided_by}",
    }[found.status]
    if found.repeated:
        state = f"requested before: nothing recorded or posted now ({state})"
    return (
        f"adjustment #{found.id}: {found.participant_id} "
        f"{client.desk.signed(found.points)} {points_word(found.points)} ({found.reason}, cost "
        f"{client.desk.money(found.cost, client.config.currency)}) {state}"
    )


@ledger_cmd.command("adjust", context_settings={"ignore_unknown_options": True})
@click.argument("participant")
@click.argument("points", type=int)
@click.option(
    "--reason", type=click.Choice(_REASONS), required=True, help="The reason code."
)
@click.option("--note", required=True, help="Why, in words.")
@click.option("--case", "case_id", type=int, help="The case it resolves.")
@click.option("--claim", "claim_id", help="The claim it concerns (id or reference).")
@click.option(
    "--reference",
    help="Your ticket number, used once: running it again is a no-op.",
)
@CLIENT_OPTION
@STORE_OPTION
@OPERATOR_OPTION
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def adjust_cmd(
    participant: str,
    points: int,
    reason: str,
    note: str,
    case_id: int | None,
    claim_id: str | None,
    reference: str | None,
    client_path: Path,
    db_path: Path | str,
    operator: str,
    at: datetime | None,
    as_json: bool,
) -> None:
    """Adjust a participant's points (goodwill, correction...), with its cost.

    Within the operator's approval limit it posts at once; above it, it
    waits for `ledger approve` by someone else. POINTS may be negative.

    \b
    Example:
        claimflow ledger adjust 104233 500 --reason goodwill --note "late parcel" \\
            --case 3 --operator ann --client samples/clients/acme-tools.yaml
    """
    from claimflow import Store, request_adjustment

    with Store.open(db_path) as store:
        done = request_adjustment(
            participant, points, client_path, store, reason=reason, note=note,
            case=case_id, claim=claim_id, reference=reference, at=at,
            operator=operator,
        )  # fmt: skip
    _echo_adjustment(done, as_json, client_path)


def _echo_adjustment(done: Adjustment, as_json: bool, client: Path) -> None:
    from claimflow import resolve_client

    if as_json:
        echo_json(done.to_dict())
    else:
        click.echo(_adjustment_line(done, resolve_client(client)))


@ledger_cmd.command("approve")
@click.argument("adjustment_id", type=int)
@click.option("--reject", is_flag=True, help="Reject it instead (nothing is posted).")
@CLIENT_OPTION
@STORE_OPTION
@OPERATOR_OPTION
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def approve_cmd(
    adjustment_id: int,
    reject: bool,
    client_path: Path,
    db_path: Path | str,
    operator: str,
    at: datetime | None,
    as_json: bool,
) -> None:
    """Approve (post) or reject a pending adjustment, as someone other than its maker.

    \b
    Example:
        claimflow ledger approve 7 --operator sam --client samples/clients/acme-tools.yaml
    """
    from claimflow import Store, approve_adjustment

    with Store.open(db_path) as store:
        done = approve_adjustment(
            adjustment_id, client_path, store, reject=reject, at=at, operator=operator
        )
    _echo_adjustment(done, as_json, client_path)


@ledger_cmd.command("adjustments")
@click.option("--pending", is_flag=True, help="Only those waiting for approval.")
@CLIENT_OPTION
@STORE_OPTION
@rows_options
@fail_cleanly
def adjustments_cmd(
    pending: bool,
    client_path: Path,
    db_path: Path | str,
    as_json: bool,
    rows_as: str | None = None,
) -> None:
    """List adjustments with their status and cost.

    \b
    Example:
        claimflow ledger adjustments --pending --client samples/clients/acme-tools.yaml
    """
    from claimflow import Store, list_adjustments, resolve_client

    with Store.open(db_path) as store:
        found = list_adjustments(client_path, store, pending=pending)
    if as_json or rows_as:
        rows = [a.to_dict() for a in found]
        echo_rows(rows, rows, rows_as)
        return
    desk = resolve_client(client_path)
    for item in found:
        click.echo(_adjustment_line(item, desk))
    if not found:
        click.echo("no adjustments" + (" pending" if pending else ""))


@main.group("cases")
def cases_cmd() -> None:
    """Member service cases: open, respond, escalate, assign, link, close, report.

    \b
    Example:
        claimflow cases open 104233 --type complaint --owner ann \\
            --client samples/clients/acme-tools.yaml
    """


from claimflow import cli_cases as _cli_cases  # noqa: E402, F401
