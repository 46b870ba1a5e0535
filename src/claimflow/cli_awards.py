"""CLI commands for awards, the ledger and participants (registered on `main`)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from claimflow import format_points
from claimflow.cli import (
    AT_OPTION,
    BATCH_OPTION,
    CLIENT_OPTION,
    ENCODING_OPTION,
    JSON_OPTION,
    NEW_STORE_OPTION,
    OPERATOR_OPTION,
    OPTIONAL_CLIENT_OPTION,
    STORE_OPTION,
    echo_json,
    fail_cleanly,
    main,
    notices_option,
    opened_store,
)
from claimflow.cli_options import (
    InputFile,
    client_locale,
    echo_rows,
    progress,
    rows_options,
    time_option,
)

if TYPE_CHECKING:  # each command imports what it runs (see claimflow.cli)
    from claimflow import AwardRunResult, Balance, DateOrder

AS_OF_OPTION = time_option("--as-of", "The instant to look at")


@main.group("participants")
def participants_group() -> None:
    """The member list: import it; merge and unmerge duplicate accounts.

    \b
    Example:
        claimflow participants import samples/acme-tools/participants.csv \\
            --client samples/clients/acme-tools.yaml --db claims.db
    """


@participants_group.command("import")
@click.argument("file", type=InputFile())
@CLIENT_OPTION
@NEW_STORE_OPTION
@OPERATOR_OPTION
@click.option(
    "--date-order",
    type=click.Choice(["DMY", "MDY", "YMD"]),
    help="How the file writes dates (default: the client's date_order).",
)
@time_option(
    "--as-of", "The day undated rows take effect from (default: --at's day)"
)
@AT_OPTION
@ENCODING_OPTION
@JSON_OPTION
@fail_cleanly
def participants_cmd(
    file: Path,
    client_path: Path,
    db_path: Path | str,
    operator: str,
    date_order: DateOrder | None,
    as_of: datetime | None,
    at: datetime | None,
    encoding: str | None,
    as_json: bool,
) -> None:
    """Import a client's participant list (tiers and enrolment dates for awards).

    Tiers, status and dates are kept as dated facts: a row's effective_from
    column (or the import's day) starts a fact where the list says something
    new; importing the same list again records nothing. --at is when the
    store learns the list: an award run --at an earlier instant does not
    read it (as its replay would not).

    \b
    Example:
        claimflow participants import samples/acme-tools/participants.csv \\
            --client samples/clients/acme-tools.yaml --db claims.db
    """
    from claimflow import import_participants

    with opened_store(db_path) as store:
        done = import_participants(
            file, client_path, store, as_of=as_of, date_order=date_order,
            operator=operator, encoding=encoding, at=at,
        )  # fmt: skip
    for note in done.notes:
        click.echo(f"note: {file}: {note}", err=as_json)  # stdout: the JSON alone
    if as_json:
        echo_json(done.to_dict())
        return
    locale = client_locale(client_path)
    facts = (
        f"{format_points(done.facts, locale)} new or changed "
        f"fact{'s' * (done.facts != 1)} recorded"
    )
    click.echo(
        f"{format_points(done.participants, locale)} "
        f"participant{'s' * (done.participants != 1)} of {done.client} "
        f"imported from {file}; "
        f"{facts if done.facts else 'nothing changed'}"
    )


@main.group("award", invoke_without_command=True)
@OPTIONAL_CLIENT_OPTION
@NEW_STORE_OPTION
@BATCH_OPTION
@click.option("--preview", is_flag=True, help="Compute and show; post nothing.")
@notices_option("explaining awards a cap cut")
@OPERATOR_OPTION
@AT_OPTION
@rows_options
@click.pass_context
@fail_cleanly
def award_cmd(
    ctx: click.Context,
    client_path: Path | None,
    db_path: Path | str,
    batch_id: int | None,
    preview: bool,
    notices_dir: Path | None,
    operator: str,
    at: datetime | None,
    as_json: bool,
    rows_as: str | None = None,
) -> None:
    """Compute and post awards for accepted claims (once each).

    --csv and --nl print one row per award (its lines as JSON text in CSV).

    \b
    Example:
        claimflow award --client samples/clients/acme-tools.yaml --db claims.db
        claimflow award --client samples/clients/acme-tools.yaml --preview
        claimflow award explain CLAIM_ID --db claims.db
    """
    if ctx.invoked_subcommand is not None:
        return
    if client_path is None or (isinstance(db_path, Path) and not db_path.exists()):
        raise click.UsageError("award needs --client and an existing --db")
    from claimflow import Store, award_claims

    with (
        Store.open(db_path) as store,
        progress("awarding claims", not (as_json or rows_as)) as advance,
    ):
        result = award_claims(
            client_path, store, batch=batch_id, preview=preview, at=at,
            operator=operator, notices=notices_dir, progress=advance,
        )  # fmt: skip
    if as_json or rows_as:
        data = result.to_dict()
        echo_rows(data, data["awards"], rows_as)
    else:
        _show_awards(result, client_locale(client_path))
    if result.problems or result.earned_nothing:
        sys.exit(1)  # claims not awardable, held, or earning nothing: to attend


def _show_awards(result: AwardRunResult, locale: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{result.client}: awards{' (preview)' if result.preview else ''}",
        title_justify="left",
    )
    columns = ("computed", "points", "posted", "already awarded", "not awardable",
               "earned nothing")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    table.add_row(
        *(
            format_points(n, locale)
            for n in (
                result.computed,
                result.points,
                result.posted,
                # by earlier runs, or by one running beside this one
                result.already_awarded + result.skipped,
                len(result.problems),
                len(result.earned_nothing),
            )
        )
    )
    Console().print(table)
    if result.computed == 0:
        paid = result.already_awarded
        claims = "claim" if paid == 1 else "claims"
        click.echo(
            f"  nothing new to award; {format_points(paid, locale)} {claims} "
            "already awarded by earlier runs"
        )
    if result.awaiting_verification:
        waiting = result.awaiting_verification
        click.echo(
            f"  {format_points(waiting, locale)} accepted "
            f"{'claim waits' if waiting == 1 else 'claims wait'} for verify before "
            "an award can pay "
            f"{'it' if waiting == 1 else 'them'} (verification.required)"
        )
    for version, count in sorted(result.by_version.items()):
        noun = "award" if count == 1 else "awards"
        click.echo(f"  rule set {version}: {format_points(count, locale)} {noun}")
    for problem in result.problems[:20]:
        click.echo(f"  {result.problem_line(problem)} ({problem.code.value})")
    for claim, codes in result.earned_nothing[:20]:
        click.echo(f"  {claim}: 0 points ({', '.join(codes) or 'no rule earned'})")


@award_cmd.command("explain")
@click.argument("claim_id")
@STORE_OPTION
@OPTIONAL_CLIENT_OPTION
@JSON_OPTION
@fail_cleanly
def explain_cmd(
    claim_id: str, db_path: Path | str, client_path: Path | None, as_json: bool
) -> None:
    """Explain a claim's award line by line, as a person reads it aloud.

    CLAIM_ID is the claim's id or the reference the participant quotes.
    Points are written in the client's locale (--client, else the claim's
    client key in CLAIMFLOW_CLIENTS).

    \b
    Example:
        claimflow award explain 7b0be037608e-r2 --db claims.db
    """
    from claimflow import Store, explain_award

    with Store.open(db_path) as store:
        found = explain_award(claim_id, client_path, store)
    if as_json:
        echo_json(found.to_dict())
    else:
        click.echo(found.text)


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
@AS_OF_OPTION
@JSON_OPTION
@fail_cleanly
def balance_cmd(
    participant: str,
    client_path: Path,
    db_path: Path | str,
    as_of: datetime | None,
    as_json: bool,
) -> None:
    """A participant's total, available and pending points.

    An account a merge closed shows its 0, the merge, and the balance of the
    account its points moved to (the member's figure).

    \b
    Example:
        claimflow ledger balance 104233 --client samples/clients/acme-tools.yaml
    """
    from claimflow import Store, balance

    with Store.open(db_path) as store:
        found = balance(participant, client_path, store, as_of=as_of)
    if as_json:
        echo_json(found.to_dict())
        return
    locale = client_locale(client_path)
    shown: Balance | None = found
    name = participant  # as keyed (١٠٠٠٠٠٠١ stays so), the survivors by their ids
    while shown is not None:
        click.echo(_balance_line(name, shown, locale))
        if shown.merged_into is not None:
            click.echo(
                f"  closed, merged into {shown.merged_into} by {shown.merge}: "
                f"its points are {shown.merged_into}'s"
            )
        shown = shown.survivor
        name = shown.participant_id if shown else name


def _balance_line(name: str, found: Balance, locale: str) -> str:
    """``104233: 1 point (1 available, 0 pending)``."""
    from claimflow import points_word

    def pts(value: int) -> str:
        return format_points(value, locale)

    expired = (
        f", {pts(found.expired)} past their expiry date (not yet posted)"
        if found.expired
        else ""
    )
    return (
        f"{name}: {pts(found.total)} {points_word(found.total)} "
        f"({pts(found.available)} available, {pts(found.pending)} pending{expired})"
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
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def reverse_cmd(
    claim_id: str,
    client_path: Path,
    db_path: Path | str,
    reason: str,
    correction: bool,
    preview: bool,
    operator: str,
    at: datetime | None,
    as_json: bool,
) -> None:
    """Reverse a claim's award (a new negative posting; nothing is deleted).

    The claim is void unless --correction: a refunded stay or a cancelled
    sale is never awarded again.

    \b
    Example:
        claimflow ledger reverse 7b0be037608e-r2 --reason "invoice voided" \\
            --client samples/clients/acme-tools.yaml
    """
    from claimflow import Store, points_word, reverse_claim

    with Store.open(db_path) as store:
        done = reverse_claim(
            claim_id, client_path, store, reason=reason, correction=correction,
            preview=preview, at=at, operator=operator,
        )  # fmt: skip
    if as_json:
        echo_json(done.to_dict())
        return
    locale = client_locale(client_path)
    owed = ""
    if done.balance is not None:
        owed = (
            f"; participant {done.participant}'s balance is now "
            f"{format_points(done.balance, locale)} {points_word(done.balance)} "
            "(redeemed before the "
            "reversal): later awards make it up"
        )
    reversed_ = (
        f"claim {done.name}: {format_points(done.points, locale)} {points_word(done.points)}"
    )
    if preview:
        then = "would be awarded afresh" if correction else "would be void"
        click.echo(
            f"{reversed_} would be reversed and the claim {then}{owed}; "
            "preview: nothing posted"
        )
        return
    then = "it will be awarded afresh" if correction else "the claim is void"
    click.echo(f"{reversed_} reversed; {then}{owed}")


@ledger_cmd.command("redeem", context_settings={"ignore_unknown_options": True})
@click.argument("participant")
@click.argument("points", type=int)
@CLIENT_OPTION
@STORE_OPTION
@click.option(
    "--reference",
    required=True,
    help="The order or catalogue reference, used once: running it again is a no-op.",
)
@click.option("--preview", is_flag=True, help="Check and show it; post nothing.")
@OPERATOR_OPTION
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def redeem_cmd(
    participant: str,
    points: int,
    client_path: Path,
    db_path: Path | str,
    reference: str,
    preview: bool,
    operator: str,
    at: datetime | None,
    as_json: bool,
) -> None:
    """Redeem available points, oldest-expiring first.

    \b
    Example:
        claimflow ledger redeem 104233 500 --reference ORDER-77 \\
            --client samples/clients/acme-tools.yaml
    """
    from claimflow import Store, points_word, redeem

    with Store.open(db_path) as store:
        done = redeem(
            participant, points, client_path, store, reference=reference,
            preview=preview, at=at, operator=operator,
        )  # fmt: skip
    if as_json:
        echo_json(done.to_dict())
        return
    did = "would be redeemed (preview: nothing posted)" if preview else "redeemed"
    if done.repeated:
        did = "redeemed before (nothing posted)"
    shown_points = format_points(points, client_locale(client_path))
    click.echo(f"{participant}: {shown_points} {points_word(points)} {did} ({reference})")


@ledger_cmd.command("expire")
@CLIENT_OPTION
@STORE_OPTION
@AS_OF_OPTION
@click.option("--preview", is_flag=True, help="Show what would expire; post nothing.")
@OPERATOR_OPTION
@JSON_OPTION
@fail_cleanly
def expire_cmd(
    client_path: Path,
    db_path: Path | str,
    as_of: datetime | None,
    preview: bool,
    operator: str,
    as_json: bool,
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
    from claimflow import Store, expire_points, points_word

    with Store.open(db_path) as store:
        done = expire_points(
            client_path, store, as_of=as_of, preview=preview, operator=operator
        )
    expiring = (
        f"{format_points(done.points, client_locale(client_path))} "
        f"{points_word(done.points)}"
    )
    if as_json:
        echo_json(done.to_dict())
    elif preview:
        click.echo(f"{expiring} would expire (preview: nothing posted)")
    else:
        click.echo(f"{expiring} expired")


# The member account commands (merge, adjust, cases) join the participants and
# ledger groups above: registered here, once both exist, whichever module
# Python imports first.
from claimflow import cli_members as _cli_members  # noqa: E402, F401
