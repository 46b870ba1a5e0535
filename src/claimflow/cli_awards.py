"""CLI commands for awards, the ledger and participants (registered on `main`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from claimflow.cli import (
    CLIENT_OPTION,
    JSON_OPTION,
    NEW_STORE_OPTION,
    OPERATOR_OPTION,
    STORE_OPTION,
    echo_json,
    fail_cleanly,
    main,
    notices_option,
    write_notice_emails,
)
from claimflow.errors import ClaimflowError

if TYPE_CHECKING:  # each command imports what it runs (see claimflow.cli)
    from claimflow.config import ResolvedClient
    from claimflow.store import Store
    from claimflow.values import DateOrder

_AS_OF = click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="The instant, in the desk's time zone; a date alone is its 00:00 "
    "(default: now).",
)


def _instant(value: datetime | None, client: ResolvedClient) -> datetime:
    """``--as-of`` as an instant: a time without an offset is the desk's."""
    if value is None:
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=client.zone)


@main.group("participants")
def participants_group() -> None:
    """The member list: import it; merge and unmerge duplicate accounts.

    \b
    Example:
        claimflow participants import samples/acme-tools/participants.csv \\
            --client samples/clients/acme-tools.yaml --db claims.db
    """


@participants_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@CLIENT_OPTION
@NEW_STORE_OPTION
@OPERATOR_OPTION
@click.option(
    "--date-order",
    type=click.Choice(["DMY", "MDY", "YMD"]),
    help="How the file writes dates (default: the client's date_order).",
)
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="When the list is taken in, in the desk's time zone: rows without an "
    "effective_from take effect on its day (default: today there).",
)
@fail_cleanly
def participants_cmd(
    file: Path,
    client_path: Path,
    db_path: Path,
    operator: str,
    date_order: DateOrder | None,
    as_of: datetime | None,
) -> None:
    """Import a client's participant list (tiers and enrolment dates for awards).

    Tiers, status and dates are kept as dated facts: a row's effective_from
    column (or the import's day) starts a fact where the list says something
    new; importing the same list again records nothing.

    \b
    Example:
        claimflow participants import samples/acme-tools/participants.csv \\
            --client samples/clients/acme-tools.yaml --db claims.db
    """
    from claimflow.config import load_client
    from claimflow.parse.participants import read_participants
    from claimflow.store import Store

    client = load_client(client_path)
    order = date_order or client.config.date_order
    people = list(read_participants(file, client.key, order))
    day = _instant(as_of, client).astimezone(client.zone).date()
    with Store.open(db_path) as store, store.transaction():
        done = store.record_participants(people, day, operator)
        store.audit(
            operator,
            "participants import",
            {"file": str(file), "count": done.participants, "facts": done.facts},
        )
    facts = f"{done.facts:,} new or changed fact{'s' * (done.facts != 1)} recorded"
    click.echo(
        f"{done.participants:,} participants of {client.key} imported from {file}; "
        f"{facts if done.facts else 'nothing changed'}"
    )


@main.group("award", invoke_without_command=True)
@click.option(
    "--client",
    "client_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The client's configuration file.",
)
@click.option(
    "--db",
    "db_path",
    default="claimflow.db",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option("--batch", "batch_id", type=int, help="Only claims of this batch.")
@click.option("--preview", is_flag=True, help="Compute and show; post nothing.")
@notices_option("explaining awards a cap cut")
@OPERATOR_OPTION
@JSON_OPTION
@click.pass_context
@fail_cleanly
def award_cmd(
    ctx: click.Context,
    client_path: Path | None,
    db_path: Path,
    batch_id: int | None,
    preview: bool,
    notices_dir: Path | None,
    operator: str,
    as_json: bool,
) -> None:
    """Compute and post awards for accepted claims (once each).

    \b
    Example:
        claimflow award --client samples/clients/acme-tools.yaml --db claims.db
        claimflow award --client samples/clients/acme-tools.yaml --preview
        claimflow award explain CLAIM_ID --db claims.db
    """
    if ctx.invoked_subcommand is not None:
        return
    if client_path is None or not db_path.exists():
        raise click.UsageError("award needs --client and an existing --db")
    from rich.console import Console
    from rich.table import Table

    from claimflow.award.run import award_claims, partial_award_notices
    from claimflow.config import load_client
    from claimflow.report import write_notice_files
    from claimflow.store import Store

    client = load_client(client_path)
    with Store.open(db_path) as store:
        result = award_claims(
            store,
            client,
            batch_id=batch_id,
            preview=preview,
            actor=operator,
            now=datetime.now(UTC),
        )
    if notices_dir is not None and result.partial:
        notices = partial_award_notices(result, client, datetime.now(UTC).date())
        stem = f"{client.key}-award-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
        write_notice_emails(notices, write_notice_files(notices, notices_dir, stem))
    if as_json:
        echo_json(result.to_dict())
        return
    table = Table(
        title=f"{client.key}: awards{' (preview)' if preview else ''}",
        title_justify="left",
    )
    for column in ("computed", "points", "posted", "already posted", "not awardable"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{result.computed:,}",
        f"{result.points:,}",
        f"{result.posted:,}",
        f"{result.skipped:,}",
        f"{len(result.problems):,}",
    )
    Console().print(table)
    for version, count in sorted(result.by_version.items()):
        click.echo(f"  rule set {version}: {count:,} awards")
    for problem in result.problems[:20]:
        click.echo(f"  {problem.render()} ({problem.code.value})")


@award_cmd.command("explain")
@click.argument("claim_id")
@click.option(
    "--db",
    "db_path",
    default="claimflow.db",
    show_default=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@JSON_OPTION
@fail_cleanly
def explain_cmd(claim_id: str, db_path: Path, as_json: bool) -> None:
    """Explain a claim's award line by line, as a person reads it aloud.

    CLAIM_ID is the claim's id or the reference the participant quotes.

    \b
    Example:
        claimflow award explain 7b0be037608e-r2 --db claims.db
    """
    from claimflow.award.run import explain, stored_award
    from claimflow.store import Store
    from claimflow.store.ledger import last_reversal, live_award_postings
    from claimflow.store.verify_claim import claim_outcome_and_batch

    with Store.open(db_path) as store:
        found = store.resolve_claim(claim_id)
        award = stored_award(store, found)
        hold = store.latest_hold(found) if award is None else None
        outcome, _ = claim_outcome_and_batch(store, found)
        reversed_ = None
        if award is not None and not live_award_postings(store, award.client, found):
            reversed_ = last_reversal(store, award.client, found)
    if hold is not None:
        held, code, message, at = hold
        text = f"Held by the award run of {at} ({code}): {message}.\n" + explain(held)
        if as_json:
            echo_json({"held": {"code": code, "message": message, "at": at},
                       **held.model_dump(mode="json")})  # fmt: skip
        else:
            click.echo(text)
        return
    if award is None:
        named = claim_id if found == claim_id else f"{claim_id} ({found})"
        if outcome != "accepted":  # a duplicate, pended or void claim is not paid
            raise ClaimflowError(
                f"claim {named} is {outcome}: only accepted claims are awarded"
            )
        raise ClaimflowError(f"claim {named}: no award computed yet")
    note = None
    if reversed_ is not None:  # the award was taken back (a refund, a correction)
        _, at, reason = reversed_
        still = "the claim is void" if outcome == "void" else "awaiting a new award"
        note = f"Reversed at {at} ({reason or 'no reason given'}): {still}."
    if as_json:
        echo_json(award.model_dump(mode="json") | ({"reversed": note} if note else {}))
    else:
        click.echo(explain(award) + (f"\n  {note}" if note else ""))


@main.group("ledger")
def ledger_cmd() -> None:
    """The points ledger: balances, reversals, redemptions, expiry.

    \b
    Example:
        claimflow ledger balance 104233 --client samples/clients/acme-tools.yaml
    """


@ledger_cmd.command("balance")
@click.argument("participant")
@CLIENT_OPTION
@STORE_OPTION
@_AS_OF
@JSON_OPTION
@fail_cleanly
def balance_cmd(
    participant: str,
    client_path: Path,
    db_path: Path,
    as_of: datetime | None,
    as_json: bool,
) -> None:
    """A participant's total, available and pending points.

    \b
    Example:
        claimflow ledger balance 104233 --client samples/clients/acme-tools.yaml
    """
    from claimflow.award.ledger import balance
    from claimflow.config import load_client
    from claimflow.store import Store

    client = load_client(client_path)
    with Store.open(db_path) as store:
        if not store.known_participant(client.key, participant):
            raise ClaimflowError(
                f"participant {participant}: not on {client.key}'s member list or "
                "ledger (check the number, or import the member list)"
            )
        found = balance(store, client.key, participant, _instant(as_of, client))
    if as_json:
        echo_json(found.to_dict())
    else:
        expired = (
            f", {found.expired:,} past their expiry date (not yet posted)"
            if found.expired
            else ""
        )
        click.echo(
            f"{participant}: {found.total:,} points ({found.available:,} available, "
            f"{found.pending:,} pending{expired})"
        )


@ledger_cmd.command("reverse")
@click.argument("claim_id")
@CLIENT_OPTION
@STORE_OPTION
@click.option("--reason", required=True, help="Why (kept on the reversal).")
@click.option(
    "--correction",
    is_flag=True,
    help="The award was wrong, not the claim: the next award run pays it "
    "afresh. Without it the claim is void (refund, cancellation).",
)
@click.option(
    "--preview", is_flag=True, help="Show what would be reversed; post nothing."
)
@OPERATOR_OPTION
@fail_cleanly
def reverse_cmd(
    claim_id: str,
    client_path: Path,
    db_path: Path,
    reason: str,
    correction: bool,
    preview: bool,
    operator: str,
) -> None:
    """Reverse a claim's award (a new negative posting; nothing is deleted).

    The claim is void unless --correction: a refunded stay or a cancelled
    sale is never awarded again.

    \b
    Example:
        claimflow ledger reverse 7b0be037608e-r2 --reason "invoice voided" \\
            --client samples/clients/acme-tools.yaml
    """
    from claimflow.award.ledger import balance, reverse_claim
    from claimflow.config import load_client
    from claimflow.store import Store
    from claimflow.store.accounts import lot_holder
    from claimflow.store.ledger import live_award_postings

    client = load_client(client_path)
    owed = ""
    with Store.open(db_path) as store, _previewing(store, preview):
        claim_id = store.resolve_claim(claim_id, client.key)
        live = live_award_postings(store, client.key, claim_id)
        points = reverse_claim(
            store,
            client.key,
            claim_id,
            reason,
            operator,
            datetime.now(UTC),
            void=not correction,
        )
        store.audit(
            operator,
            "ledger reverse",
            {
                "claim": claim_id,
                "points": points,
                "reason": reason,
                "void": not correction,
            },
        )
        if live:  # points already spent: the participant owes them now
            who = lot_holder(store, live[0][0])[1]  # after a merge, the survivor
            total = balance(store, client.key, who, datetime.now(UTC)).total
            if total < 0:
                owed = (
                    f"; participant {who}'s balance is now {total:,} points "
                    "(redeemed before the reversal): later awards make it up"
                )
    if preview:
        then = "would be awarded afresh" if correction else "would be void"
        click.echo(
            f"claim {claim_id}: {points:,} points would be reversed and the claim "
            f"{then}{owed}; preview: nothing posted"
        )
        return
    then = "it will be awarded afresh" if correction else "the claim is void"
    click.echo(f"claim {claim_id}: {points:,} points reversed; {then}{owed}")


@ledger_cmd.command("redeem")
@click.argument("participant")
@click.argument("points", type=int)
@CLIENT_OPTION
@STORE_OPTION
@click.option("--reference", required=True, help="The order or catalogue reference.")
@click.option("--preview", is_flag=True, help="Check and show it; post nothing.")
@OPERATOR_OPTION
@fail_cleanly
def redeem_cmd(
    participant: str,
    points: int,
    client_path: Path,
    db_path: Path,
    reference: str,
    preview: bool,
    operator: str,
) -> None:
    """Redeem available points, oldest-expiring first.

    \b
    Example:
        claimflow ledger redeem 104233 500 --reference ORDER-77 \\
            --client samples/clients/acme-tools.yaml
    """
    from claimflow.award.ledger import redeem
    from claimflow.config import load_client
    from claimflow.store import Store

    client = load_client(client_path)
    with Store.open(db_path) as store, _previewing(store, preview):
        redeem(
            store,
            client.key,
            participant,
            points,
            reference,
            operator,
            datetime.now(UTC),
        )
        store.audit(
            operator,
            "ledger redeem",
            {"participant": participant, "points": points, "reference": reference},
        )
    done = "would be redeemed (preview: nothing posted)" if preview else "redeemed"
    click.echo(f"{participant}: {points:,} points {done} ({reference})")


@ledger_cmd.command("expire")
@CLIENT_OPTION
@STORE_OPTION
@_AS_OF
@click.option("--preview", is_flag=True, help="Show what would expire; post nothing.")
@OPERATOR_OPTION
@fail_cleanly
def expire_cmd(
    client_path: Path,
    db_path: Path,
    as_of: datetime | None,
    preview: bool,
    operator: str,
) -> None:
    """Post expiry under the client's policy (running it twice changes nothing).

    An --as-of in the future would post points that have not expired yet:
    it is refused unless --preview.

    \b
    Example:
        claimflow ledger expire --client samples/clients/acme-tools.yaml
        claimflow ledger expire --client samples/clients/acme-tools.yaml \\
            --as-of 2027-12-31 --preview
    """
    from claimflow.award.ledger import expire
    from claimflow.award.run import settings_of
    from claimflow.config import load_client
    from claimflow.store import Store

    client = load_client(client_path)
    at = _instant(as_of, client)
    if at > datetime.now(UTC) and not preview:
        raise ClaimflowError(
            f"--as-of {at:%Y-%m-%d} is in the future: points would expire before "
            "their date; add --preview to see what would"
        )
    with Store.open(db_path) as store, _previewing(store, preview):
        points = expire(store, client.key, settings_of(client), at, operator)
        store.audit(operator, "ledger expire", {"points": points})
    if preview:
        click.echo(f"{points:,} points would expire (preview: nothing posted)")
        return
    click.echo(f"{points:,} points expired")


class _Preview(Exception):
    """Rolls a preview's transaction back once everything in it was checked."""


@contextmanager
def _previewing(store: Store, preview: bool) -> Iterator[None]:
    """One write transaction; with `preview`, run in full, then rolled back."""
    try:
        with store.transaction():
            yield
            if preview:
                raise _Preview
    except _Preview:
        pass


# The member account commands (merge, adjust, cases) join the participants and
# ledger groups above: registered here, once both exist, whichever module
# Python imports first.
from claimflow import cli_members as _cli_members  # noqa: E402, F401
