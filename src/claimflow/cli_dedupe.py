"""CLI commands for deduplication: find duplicates, review them, apply decisions."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

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
    counted,
    echo_json,
    fail_cleanly,
    main,
    notices_option,
    opened_store,
    write_stage_notices,
)
from claimflow.cli_options import (
    DB_ENV,
    InputFile,
    StorePath,
    echo_rows,
    out_option,
    progress,
    rows_options,
)

if TYPE_CHECKING:  # each command imports what it runs (see claimflow.cli)
    from claimflow import DateOrder, DedupeResult, Store


@main.group("dedupe")
def dedupe_cmd() -> None:
    """Find people enrolled twice; review and apply the doubtful pairs.

    \b
    Example:
        claimflow dedupe participants people.csv --json
    """


@dedupe_cmd.command("participants")
@click.argument("file", type=InputFile())
@OPTIONAL_CLIENT_OPTION
@click.option(
    "--date-order",
    type=click.Choice(["DMY", "MDY"]),
    help="Read birth dates like 09/04/1956 in this order "
    "[default: the client's; year-first dates are always read].",
)
@click.option("--duplicate", type=float, help="Probability for 'same' [default: 0.9].")
@click.option("--review", type=float, help="Probability for 'review' [default: 0.5].")
@click.option(
    "--db",
    "db_path",
    envvar=DB_ENV,
    show_envvar=True,
    type=StorePath(exists=False),
    help="A store whose review marks count: pairs marked 'different' are never "
    "flagged again nor joined through another record, pairs marked 'same' are "
    "duplicates (possible twins too), and the marks refit the weights (if a "
    "held-out check agrees).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Show the estimated weights, and which review marks moved which weight.",
)
@click.option(
    "--review-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every pair found (duplicates and pairs to review), each "
    "explained, to a .csv or .xlsx file for a person to mark.",
)
@click.option(
    "--pairs",
    "every_pair",
    is_flag=True,
    help="List every scored pair at or above --review, each explained, the "
    "duplicates too [default: only the pairs to review; duplicates are in the "
    "clusters].",
)
@rows_options
@ENCODING_OPTION
@fail_cleanly
def participants_cmd(
    file: Path,
    client_path: Path | None,
    date_order: DateOrder | None,
    duplicate: float | None,
    review: float | None,
    db_path: Path | str | None,
    review_out: Path | None,
    every_pair: bool,
    explain: bool,
    as_json: bool,
    rows_as: str | None = None,
    encoding: str | None = None,
) -> None:
    """Cluster the people in FILE that are the same person, with explained pairs.

    FILE is a .csv or .xlsx file (- reads a CSV from stdin; comma or
    semicolon separated, a title line above the header skipped). Columns: any
    of participant_id (required), first_name, last_name, date_of_birth, email,
    phone, address_line1, address_line2, city, region, postcode, country,
    tax_id, or the client's participant_columns aliases. --json lists the
    clusters and the pairs to review; --pairs lists every pair at or above
    --review, the duplicates too, as --review-out writes them. The weights are
    estimated from FILE (the client's levels, or the defaults, as the prior);
    with --db, the store's same/different marks refit them, and --explain
    shows which marks moved which weight. Exit 1 when duplicates or pairs to
    review exist.

    \b
    Example:
        claimflow dedupe participants people.csv --review-out review.csv
        claimflow dedupe participants people.csv --db desk.db --explain
        claimflow dedupe participants people.csv --json --pairs > pairs.json
    """
    from claimflow import dedupe_participants

    # The store only when one is named: it alone loads sqlite-utils.
    store = _open_if_there(db_path)
    try:
        result = dedupe_participants(
            file, client_path, store, duplicate=duplicate, review=review,
            date_order=date_order, encoding=encoding,
        )  # fmt: skip
    finally:
        if store is not None:
            store.close()
    if review_out is not None:
        from claimflow import write_participant_review

        written = write_participant_review(result, review_out)
        click.echo(
            f"{written:,} pair{'s' * (written != 1)} written to {review_out} "
            "(mark each pair to review same or different)",
            err=as_json or rows_as is not None,  # stdout holds the rows alone
        )
    if rows_as:
        echo_rows(None, result.to_dict(every_pair)["pairs"], rows_as)
    elif as_json:
        _echo_records_json(result.to_dict(every_pair))
    else:
        _echo_summary(result, every_pair)
        if explain:
            _echo_explanation(result)
    sys.exit(1 if len(result.pairs) else 0)


def _open_if_there(db_path: Path | str | None) -> Store | None:
    """The store named by --db, if it exists (its "different" marks count)."""
    if db_path is None or (isinstance(db_path, Path) and not db_path.exists()):
        return None
    from claimflow import Store

    return Store.open(db_path)


def _echo_summary(result: DedupeResult, every_pair: bool) -> None:
    counts = result.pairs["decision"].value_counts().to_dict()
    click.echo(
        f"{result.records:,} people, {result.candidates:,} candidate pairs: "
        f"{counts.get('duplicate', 0):,} duplicate pairs in "
        f"{len(result.clusters):,} clusters, {counts.get('review', 0):,} to review"
        + _band(result)
        + _twins(result)
        + _small(result)
    )
    for cluster in result.clusters[:20]:
        others = [i for i in cluster["participant_ids"] if i != cluster["original"]]
        click.echo(f"  {cluster['original']} <- {', '.join(others)}")
    if every_pair:
        rows = zip(
            *(result.pairs[c].tolist() for c in ("a", "b", "probability", "decision")),
            strict=True,
        )
        click.echo("\n".join(f"  {a} ~ {b}: {p:.4f} {d}" for a, b, p, d in rows))


def _twins(result: DedupeResult) -> str:
    """How many pairs to review are held as possible twins, whatever they
    scored, and how many links would have joined two people held apart."""
    twins, apart = result.held()
    return (f", {twins:,} of them possible twins" if twins else "") + (
        f", {apart:,} that would join two people held apart" if apart else ""
    )


def _small(result: DedupeResult) -> str:
    """Whether the hand-set weights stood because the file is too small."""
    if not result.model.get("small_file"):
        return ""
    return "; hand-set weights: too few people to estimate them"


def _band(result: DedupeResult) -> str:
    """What the model expects of the pairs to review (estimated weights only)."""
    model = result.model
    if not model.get("estimated") or not model["review_band"]:
        return ""
    return f" (about {model['expected_matches_in_band']:g} of them one person)"


def _echo_explanation(result: DedupeResult) -> None:
    """The estimated weights, and what the review marks did to them."""
    model = result.model
    origin = "estimated from the file" if model["estimated"] else "as set"
    if model.get("small_file"):
        origin = "as set (too few people to estimate them)"
    click.echo(
        f"weights {origin}"
        f" (prior log2 odds {model['prior_log2_odds']}; "
        f"{model['expected_matches_in_band']} matches expected among the "
        f"{model['review_band']:,} pairs to review):"
    )
    for name, levels in result.weights.items():
        shown = ", ".join(f"{label} {weight:+.2f}" for label, weight in levels.items())
        click.echo(f"  {name}: {shown}")
    learned = result.marks
    if learned is None:
        click.echo("no review marks (--db) for these people")
        return
    if not learned.kept:
        click.echo(
            f"{learned.marks:,} review marks, weights not refit: {learned.reason}"
        )
        return
    held = learned.held_out
    click.echo(
        f"{learned.marks:,} review marks refit the weights (held out: log loss "
        f"{held['log_loss_before']} -> {held['log_loss_after']}, wrong "
        f"{held['wrong_before']} -> {held['wrong_after']}):"
    )
    for moved in learned.moved:
        click.echo(
            f"  {moved['comparison']} {moved['level']}: {moved['before']:+.2f} -> "
            f"{moved['after']:+.2f} ({moved['same']} same, {moved['different']} "
            f"different; most: {'; '.join(moved['by'])})"
        )


def _echo_records_json(data: dict[str, Any]) -> None:
    """Print `data` as JSON, each record of a list of records on a line of its own.

    Written by the json module's C encoder, one record at a time: the
    indented output of `echo_json` goes through its pure-Python encoder,
    which took seconds for ten thousand pairs. NaN is refused, not written
    (`to_dict` gives None for a missing score).
    """
    encode = json.JSONEncoder(allow_nan=False).encode
    lines = []
    for key, value in data.items():
        if value and isinstance(value, list) and isinstance(value[0], dict):
            rows = ",\n".join(f"    {encode(v)}" for v in value)
            lines.append(f"  {encode(key)}: [\n{rows}\n  ]")
        else:
            lines.append(f"  {encode(key)}: {encode(value)}")
    click.echo("{\n" + ",\n".join(lines) + "\n}")


@dedupe_cmd.command("review")
@CLIENT_OPTION
@STORE_OPTION
@out_option(
    "The review file to write: .csv or .xlsx.",
    required=True,
    suffixes=(".csv", ".xlsx"),
)
@click.option(
    "--reopen",
    "closed",
    multiple=True,
    metavar="CLAIM",
    help="Also a claim closed as a duplicate by `dedupe claims` or a review "
    "(its id or reference; repeatable): its pairs, to mark different if wrongly "
    "closed.",
)
@JSON_OPTION
@fail_cleanly
def review_cmd(
    client_path: Path,
    db_path: Path | str,
    out: Path,
    closed: tuple[str, ...],
    as_json: bool,
) -> None:
    """Write the claim pairs waiting for a person to a file to mark same or different.

    One row per doubtful pair found by ``dedupe claims``: the later claim (a),
    the earlier one (b), their references and sources, the rule, what it
    compared and what it found. Fill the decision column and feed the file to
    ``dedupe apply``. With ``--reopen``, a claim closed as a certain duplicate
    is listed too: marked different from every claim it was matched with, it
    gets back its outcome before dedupe (left blank, the finding stands).

    \b
    Example:
        claimflow dedupe review --client samples/clients/acme-tools.yaml --db claims.db \\
            --out review.xlsx --reopen AC-1007
    """
    from claimflow import Store, write_claim_review

    with Store.open(db_path) as store:
        done = write_claim_review(client_path, store, out, closed)
    if as_json:
        echo_json(done.to_dict())
    else:
        click.echo(
            f"{done.client}: {done.pairs:,} claim pairs to review written to {out}"
        )


@dedupe_cmd.command("apply")
@click.argument("file", type=InputFile())
@NEW_STORE_OPTION
@OPERATOR_OPTION
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def apply_cmd(
    file: Path, db_path: Path | str, operator: str, at: datetime | None, as_json: bool
) -> None:
    """Store a reviewed file's same/different marks (different: never flagged again).

    Takes the file written by ``dedupe review`` (claims) or ``dedupe
    participants --review-out`` (.csv or .xlsx), every row marked ``same`` or
    ``different`` (a participant pair found a duplicate may be left blank:
    the finding stands). A claim marked same becomes a duplicate of the earlier
    claim; a claim whose every doubtful match is marked different gets back
    the outcome it had before dedupe. Nothing is stored if any row is unmarked.

    \b
    Example:
        claimflow dedupe apply review.xlsx --db claims.db --operator ann
    """
    from claimflow import apply_review

    with opened_store(db_path) as store:
        result, claims = apply_review(file, store, at=at, operator=operator)
    if as_json:
        echo_json(result.to_dict())
    else:
        settled = (
            f": {counted(result.duplicates, 'claim')} now "
            f"{'a duplicate' if result.duplicates == 1 else 'duplicates'}, "
            f"{result.restored:,} back to their earlier outcome"
            if claims
            else ""
        )
        click.echo(f"{counted(result.decisions, 'decision')} stored{settled}")


@dedupe_cmd.command("claims")
@CLIENT_OPTION
@STORE_OPTION
@BATCH_OPTION
@notices_option("to the participants of the duplicates")
@OPERATOR_OPTION
@AT_OPTION
@rows_options
@fail_cleanly
def claims_cmd(
    client_path: Path,
    db_path: Path | str,
    batch_id: int | None,
    notices_dir: Path | None,
    operator: str,
    at: datetime | None,
    as_json: bool,
    rows_as: str | None = None,
) -> None:
    """Check open claims against every earlier claim: the same sale or stay again.

    Duplicates end as ``duplicate`` (of the earlier claim), look-alikes as
    ``review``; each match names its rule and the earlier claim. A claim that
    repeats a pended claim of the same participant is its resubmission: the
    pended one is closed as ``superseded``. Exit 1 when any match is found.

    \b
    Example:
        claimflow dedupe claims --client samples/clients/acme-tools.yaml --db claims.db \\
            --notices build/notices
    """
    from claimflow import Store, dedupe_claims, instant, load_client

    client = load_client(client_path)
    now = instant(at, client)
    machine = as_json or rows_as is not None
    with (
        Store.open(db_path) as store,
        progress("checking claims", not machine) as advance,
    ):
        result = dedupe_claims(
            client, store, batch=batch_id, at=now, operator=operator, progress=advance
        )
    data = result.to_dict()
    write_stage_notices(result.notices, notices_dir, err=machine)
    if machine:
        echo_rows(data, data["matches"], rows_as)
    else:
        click.echo(
            f"{client.key}: {counted(result.checked, 'claim')} checked, "
            f"{counted(len(result.duplicate_claims), 'duplicate')}, {data['to_review']:,} to review"
        )
        for match in result.matches[:30]:
            click.echo(
                f"  {result.name(match.claim_id)} {match.decision} of "
                f"{result.name(match.original)}: {match.rule} ({match.compared})"
            )
        for new, old in result.superseded:
            click.echo(
                f"  {result.name(new)} resubmits pended claim {result.name(old)}, "
                "now superseded"
            )
    sys.exit(1 if result.matches else 0)
