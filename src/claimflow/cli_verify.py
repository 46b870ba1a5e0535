"""CLI commands for verification: source import, verify, double entry."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from claimflow.cli import (
    AT_OPTION,
    BATCH_OPTION,
    CLIENT_OPTION,
    ENCODING_OPTION,
    JSON_OPTION,
    NEW_STORE_OPTION,
    OPERATOR_OPTION,
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
    ROWS_FILE,
    InputFile,
    echo_rows,
    out_option,
    progress,
    rows_options,
    writing,
)

if TYPE_CHECKING:  # each command imports what it runs (see claimflow.cli)
    from claimflow import VerifyResult


def _show(result: VerifyResult, as_json: bool, rows_as: str | None = None) -> None:
    if as_json or rows_as:
        data = result.to_dict()
        echo_rows(data, data["details"], rows_as)
        return
    results = ", ".join(f"{k} {v:,}" for k, v in sorted(result.results.items()))
    click.echo(
        f"{result.client}: {counted(result.verified, 'claim')} verified"
        + (f": {results}" if results else "")
    )
    for detail in result.details[:30]:
        click.echo(f"  {detail['claim']}: {detail['result']} -> {detail['outcome']}")
        for problem in detail["problems"]:
            click.echo(f"    {problem}")


@main.command("source")
@click.argument("action", type=click.Choice(["import"]))
@click.argument("files", nargs=-1, required=True, type=InputFile())
@CLIENT_OPTION
@NEW_STORE_OPTION
@notices_option("for claims that did not verify")
@OPERATOR_OPTION
@AT_OPTION
@ENCODING_OPTION
@JSON_OPTION
@fail_cleanly
def source_cmd(
    action: str,
    files: tuple[Path, ...],
    client_path: Path,
    db_path: Path | str,
    notices_dir: Path | None,
    operator: str,
    at: datetime | None,
    encoding: str | None,
    as_json: bool,
) -> None:
    """Import distributor sales or hotel stay exports, then re-check waiting claims.

    Re-importing a file is a no-op. Claims waiting for source data are
    verified again at once. Exit 1 when a claim checked is not verified,
    as ``verify`` exits.

    \b
    Example:
        claimflow source import samples/acme-tools/source/dealer_sales.csv \\
            --client samples/clients/acme-tools.yaml
    """
    from claimflow import import_source, instant, load_client

    client = load_client(client_path)
    now = instant(at, client)
    with opened_store(db_path) as store:
        done = import_source(
            list(files), client, store, at=now, operator=operator, encoding=encoding
        )
    for path, stored, earlier in done.files:
        for note in done.notes.get(path, []):
            click.echo(f"note: {path}: {note}", err=as_json)
        click.echo(
            f"{path}: already imported ({counted(earlier, 'record')})"
            if earlier is not None
            else f"{path}: {counted(stored, 'source record')} imported",
            err=as_json,  # stdout holds the JSON alone
        )
    if as_json:
        echo_json(done.to_dict())
    else:
        _show(done.verification, as_json=False)
    write_stage_notices(
        done.verification.notices,
        notices_dir,
        err=as_json,
        unchanged=done.verification.unchanged,
    )
    checked = done.verification
    sys.exit(0 if checked.results["verified"] == checked.verified else 1)


@main.command("verify")
@CLIENT_OPTION
@STORE_OPTION
@BATCH_OPTION
@notices_option("for claims that did not verify")
@OPERATOR_OPTION
@AT_OPTION
@rows_options
@fail_cleanly
def verify_cmd(
    client_path: Path,
    db_path: Path | str,
    batch_id: int | None,
    notices_dir: Path | None,
    operator: str,
    at: datetime | None,
    as_json: bool,
    rows_as: str | None = None,
) -> None:
    """Verify accepted claims (and those awaiting source data) against source records.

    Exit 1 when any claim is not verified.

    \b
    Example:
        claimflow verify --client samples/clients/acme-tools.yaml --db claims.db
    """
    from claimflow import Store, instant, load_client, verify_claims

    client = load_client(client_path)
    now = instant(at, client)
    machine = as_json or rows_as is not None
    with (
        Store.open(db_path) as store,
        progress("verifying claims", not machine) as advance,
    ):
        result = verify_claims(
            client, store, batch=batch_id, at=now, operator=operator, progress=advance
        )
    _show(result, as_json, rows_as)
    write_stage_notices(
        result.notices, notices_dir, err=machine, unchanged=result.unchanged
    )
    sys.exit(0 if result.results["verified"] == result.verified else 1)


@main.command("decide")
@click.argument("claim")
@click.argument("decision", type=click.Choice(["accept", "reject"]))
@click.option("--reason", required=True, help="Why, as the audit log keeps it.")
@CLIENT_OPTION
@STORE_OPTION
@OPERATOR_OPTION
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def decide_cmd(
    claim: str,
    decision: str,
    reason: str,
    client_path: Path,
    db_path: Path | str,
    operator: str,
    at: datetime | None,
    as_json: bool,
) -> None:
    """Accept or reject a claim (its id or reference) that verification sent to review.

    An accepted claim is paid by the next ``award`` (also where awards wait
    for a verified result); a rejected one never is. The decision is kept
    with the reasons it settled, and a replay under the same rules applies
    it again. Only a claim in review is decided here.

    \b
    Example:
        claimflow decide HB-1001 accept --reason "folio KIM/MINJUN is the member" \\
            --client hanbit.yaml
    """
    from claimflow import decide_claim, load_client

    client = load_client(client_path)
    with opened_store(db_path) as store:
        done = decide_claim(
            claim, decision, client, store, reason=reason, operator=operator, at=at
        )
    if as_json:
        echo_json(done.to_dict())
        return
    # one line, as a refusal is: the claim, the decision, what it settled, why
    settled = ", ".join(done.codes) or "no standing reason"
    click.echo(
        f"claim {done.claim}: {done.outcome} by {done.operator} "
        f"(in review for {settled}): {done.reason}"
    )


@main.group("entry")
def entry_cmd() -> None:
    """Double entry: compare two keyings, adjudicate, sample fields for QA.

    \b
    Example:
        claimflow entry compare ana.csv ben.csv --client acme.yaml --out decisions.csv
    """


@entry_cmd.command("compare")
@click.argument("first", type=InputFile())
@click.argument("second", type=InputFile())
@CLIENT_OPTION
@out_option(
    "Write a decisions file (.csv or .xlsx) for the adjudicator.",
    suffixes=(".csv", ".xlsx"),
)
@rows_options
@fail_cleanly
def compare_cmd(
    first: Path,
    second: Path,
    client_path: Path,
    out: Path | None,
    as_json: bool,
    rows_as: str | None = None,
) -> None:
    """List, field by field, where two keyings of the same forms differ.

    Exit 1 when they differ.

    \b
    Example:
        claimflow entry compare samples/acme-tools/double-entry/keying_ana.csv \\
            samples/acme-tools/double-entry/keying_ben.csv \\
            --client samples/clients/acme-tools.yaml --out decisions.csv
    """
    from claimflow import compare_keyings

    differences = compare_keyings(first, second, client_path, out=out)
    if as_json or rows_as:
        rows = [d.__dict__ for d in differences]
        echo_rows(rows, rows, rows_as)
    else:
        click.echo(
            f"{counted(len(differences), 'difference')} between {first.name} and "
            f"{second.name}"
        )
        for d in differences:
            click.echo(f"  {d.shown()}")
    sys.exit(1 if differences else 0)


@entry_cmd.command("adjudicate")
@click.argument("decisions", type=InputFile())
@click.argument("first", type=InputFile())
@click.argument("second", type=InputFile())
@CLIENT_OPTION
@NEW_STORE_OPTION
@click.option(
    "--keyed-by",
    "keyed_by",
    nargs=2,
    default=("first", "second"),
    show_default=True,
    help="Who keyed FIRST and SECOND (their error counts).",
)
@click.option("--operators", "old_keyed_by", nargs=2, hidden=True)
@click.option(
    "--final",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the reconciled keying (ready to ingest).",
)
@OPERATOR_OPTION
@AT_OPTION
@JSON_OPTION
@fail_cleanly
def adjudicate_cmd(
    decisions: Path,
    first: Path,
    second: Path,
    client_path: Path,
    db_path: Path | str,
    keyed_by: tuple[str, str],
    old_keyed_by: tuple[str, str] | None,
    final: Path,
    operator: str,
    at: datetime | None,
    as_json: bool,
) -> None:
    """Apply a decisions file: final values, audited corrections, operator errors.

    Decisions: first, second, other (with a value), or source (the document
    itself is illegible or contradictory: a deficiency, not an operator error).

    \b
    Example:
        claimflow entry adjudicate decisions.csv ana.csv ben.csv --keyed-by ana ben \\
            --client samples/clients/acme-tools.yaml --final reconciled.csv
    """
    from claimflow import adjudicate_keyings

    if old_keyed_by:
        click.echo("claimflow: warning: --operators is deprecated; use --keyed-by",
                   err=True)  # fmt: skip
        keyed_by = old_keyed_by
    with opened_store(db_path) as store:
        done = adjudicate_keyings(
            decisions, (first, second), client_path, store, final=final,
            keyed_by=keyed_by, at=at, operator=operator,
        )  # fmt: skip
    if as_json:
        echo_json(done.to_dict())
        return
    errors = ", ".join(f"{k} {v:,}" for k, v in done.errors.items())
    click.echo(
        f"{done.corrections:,} corrections, {len(done.document_faults):,} document "
        f"faults; operator errors: {errors or 'none'}; final keying in {final}"
    )


@entry_cmd.command("sample")
@click.option("--batch", "batch_id", type=int, required=True, help="The batch.")
@STORE_OPTION
@click.option("--max-error-rate", required=True, help="The SLA limit, e.g. 0.5%.")
@click.option("--confidence", default="95%", show_default=True)
@click.option("--seed", default=0, show_default=True, help="Same seed, same fields.")
@out_option(
    "Write the fields to audit to a .csv, .xlsx, .json, .jsonl or .ndjson file "
    "(- is CSV on stdout).",
    suffixes=ROWS_FILE,
)
@rows_options
@fail_cleanly
def sample_cmd(
    batch_id: int,
    db_path: Path | str,
    max_error_rate: str,
    confidence: str,
    seed: int,
    out: Path | None,
    as_json: bool,
    rows_as: str | None = None,
) -> None:
    """How many keyed fields to audit to show the error rate is within the limit.

    \b
    Example:
        claimflow entry sample --batch 1 --max-error-rate 0.5% --confidence 95% \\
            --out audit.xlsx
    """
    from claimflow import Store, sample_fields, write_field_sample

    if str(out) == "-" and rows_as:
        raise click.UsageError(f"--out - and --{rows_as} both write to stdout")
    with Store.open(db_path) as store:
        done = sample_fields(
            batch_id, store, max_error_rate=_share(max_error_rate),
            confidence=_share(confidence), seed=seed,
        )  # fmt: skip
    if out is not None:
        with writing(out) as path:
            write_field_sample(done, path)
    if as_json or rows_as:
        data = done.to_dict()
        if str(out) == "-":  # stdout holds the CSV alone
            echo_json(data, err=True)
        else:
            echo_rows(data, data["fields"], rows_as)
        return
    click.echo(
        f"audit {done.needed:,} fields with no error to show < {max_error_rate} at "
        f"{confidence} confidence; {len(done.fields):,} picked (seed {seed})"
        + (f", written to {out}" if out is not None else ":"),
        err=str(out) == "-",
    )
    if out is None:
        for picked in done.fields:
            click.echo(f"  {picked.claim} {picked.field}")


def _share(text: str) -> float:
    from claimflow import read_share

    try:
        return read_share(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
