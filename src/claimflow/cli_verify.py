"""CLI commands for verification: source import, verify, double entry."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from claimflow.cli import (
    CLIENT_OPTION,
    JSON_OPTION,
    NEW_STORE_OPTION,
    STORE_OPTION,
    echo_json,
    fail_cleanly,
    main,
    notices_option,
    write_stage_notices,
)

if TYPE_CHECKING:  # each command imports what it runs (see claimflow.cli)
    from claimflow.verify.run import VerifyResult


def _show(result: VerifyResult, as_json: bool) -> None:
    if as_json:
        echo_json(result.to_dict())
        return
    click.echo(
        f"{result.client}: {result.verified:,} claims verified: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(result.results.items()))
    )
    for detail in result.details[:30]:
        click.echo(f"  {detail['claim_id']}: {detail['result']} -> {detail['outcome']}")
        for problem in detail["problems"]:
            click.echo(f"    {problem}")


@main.command("source")
@click.argument("action", type=click.Choice(["import"]))
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@CLIENT_OPTION
@NEW_STORE_OPTION
@notices_option("for claims that did not verify")
@JSON_OPTION
@fail_cleanly
def source_cmd(
    action: str,
    files: tuple[Path, ...],
    client_path: Path,
    db_path: Path,
    notices_dir: Path | None,
    as_json: bool,
) -> None:
    """Import distributor sales or hotel stay exports, then re-check waiting claims.

    Re-importing a file is a no-op. Claims waiting for source data are
    verified again at once.

    \b
    Example:
        claimflow source import samples/acme-tools/source/dealer_sales.csv \\
            --client samples/clients/acme-tools.yaml
    """
    from claimflow.config import load_client
    from claimflow.store import Store
    from claimflow.verify.run import verify_claims
    from claimflow.verify.source import import_source

    client = load_client(client_path)
    now = datetime.now(UTC)
    with Store.open(db_path) as store:
        with store.transaction():
            for path in files:
                stored, earlier = import_source(store, client, path, now)
                click.echo(
                    f"{path}: already imported ({earlier:,} records)"
                    if earlier is not None
                    else f"{path}: {stored:,} source records imported",
                    err=as_json,  # stdout holds the JSON alone
                )
        result = verify_claims(store, client, now=now, actor="source import")
    _show(result, as_json)
    write_stage_notices(
        result.notice_items, client, notices_dir, "verify", now, err=as_json
    )


@main.command("verify")
@CLIENT_OPTION
@STORE_OPTION
@click.option("--batch", "batch_id", type=int, help="Only claims of this batch.")
@notices_option("for claims that did not verify")
@JSON_OPTION
@fail_cleanly
def verify_cmd(
    client_path: Path,
    db_path: Path,
    batch_id: int | None,
    notices_dir: Path | None,
    as_json: bool,
) -> None:
    """Verify accepted claims (and those awaiting source data) against source records.

    Exit 1 when any claim is not verified.

    \b
    Example:
        claimflow verify --client samples/clients/acme-tools.yaml --db claims.db
    """
    from claimflow.config import load_client
    from claimflow.store import Store
    from claimflow.verify.run import verify_claims

    client = load_client(client_path)
    now = datetime.now(UTC)
    with Store.open(db_path) as store:
        result = verify_claims(store, client, batch_id=batch_id, now=now)
    _show(result, as_json)
    write_stage_notices(
        result.notice_items, client, notices_dir, "verify", now, err=as_json
    )
    sys.exit(0 if result.results["verified"] == result.verified else 1)


@main.group("entry")
def entry_cmd() -> None:
    """Double entry: compare two keyings, adjudicate, sample fields for QA.

    \b
    Example:
        claimflow entry compare ana.csv ben.csv --client acme.yaml --out decisions.csv
    """


@entry_cmd.command("compare")
@click.argument("first", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("second", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@CLIENT_OPTION
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a decisions file (.csv or .xlsx) for the adjudicator.",
)
@JSON_OPTION
@fail_cleanly
def compare_cmd(
    first: Path, second: Path, client_path: Path, out: Path | None, as_json: bool
) -> None:
    """List, field by field, where two keyings of the same forms differ.

    Exit 1 when they differ.

    \b
    Example:
        claimflow entry compare samples/acme-tools/double-entry/keying_ana.csv \\
            samples/acme-tools/double-entry/keying_ben.csv \\
            --client samples/clients/acme-tools.yaml --out decisions.csv
    """
    from claimflow.config import load_client
    from claimflow.verify.double_entry import compare, write_decisions

    differences = compare(first, second, load_client(client_path))
    if out is not None:
        write_decisions(differences, out)
    if as_json:
        echo_json([d.__dict__ for d in differences])
    else:
        click.echo(
            f"{len(differences):,} differences between {first.name} and {second.name}"
        )
        for d in differences:
            where = f"{d.key}" + (f" line {d.line}" if d.line else "")
            click.echo(f"  {where}: {d.field}: {d.first!r} vs {d.second!r} ({d.slip})")
    sys.exit(1 if differences else 0)


@entry_cmd.command("adjudicate")
@click.argument(
    "decisions", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.argument("first", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("second", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@CLIENT_OPTION
@NEW_STORE_OPTION
@click.option(
    "--operators",
    nargs=2,
    default=("first", "second"),
    show_default=True,
    help="Who keyed FIRST and SECOND (their error counts).",
)
@click.option(
    "--final",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the reconciled keying (ready to ingest).",
)
@click.option(
    "--operator",
    "actor",
    default="unknown",
    show_default=True,
    help="The adjudicator (audit log).",
)
@fail_cleanly
def adjudicate_cmd(
    decisions: Path,
    first: Path,
    second: Path,
    client_path: Path,
    db_path: Path,
    operators: tuple[str, str],
    final: Path,
    actor: str,
) -> None:
    """Apply a decisions file: final values, audited corrections, operator errors.

    Decisions: first, second, other (with a value), or source (the document
    itself is illegible or contradictory: a deficiency, not an operator error).

    \b
    Example:
        claimflow entry adjudicate decisions.csv ana.csv ben.csv --operators ana ben \\
            --client samples/clients/acme-tools.yaml --final reconciled.csv
    """
    from claimflow.config import load_client
    from claimflow.store import Store
    from claimflow.verify.double_entry import adjudicate

    client = load_client(client_path)
    with Store.open(db_path) as store, store.transaction():
        done = adjudicate(
            decisions,
            first,
            second,
            client,
            store,
            operators=operators,
            actor=actor,
            final=final,
            now=datetime.now(UTC),
        )
    echo_json(done.to_dict())


@entry_cmd.command("sample")
@click.option("--batch", "batch_id", type=int, required=True)
@STORE_OPTION
@click.option("--max-error-rate", required=True, help="The SLA limit, e.g. 0.5%.")
@click.option("--confidence", default="95%", show_default=True)
@click.option("--seed", default=0, show_default=True, help="Same seed, same fields.")
@fail_cleanly
def sample_cmd(
    batch_id: int, db_path: Path, max_error_rate: str, confidence: str, seed: int
) -> None:
    """How many keyed fields to audit to show the error rate is within the limit.

    \b
    Example:
        claimflow entry sample --batch 1 --max-error-rate 0.5% --confidence 95%
    """
    from claimflow.numbers import NumberError, read_percent
    from claimflow.store import Store
    from claimflow.verify.double_entry import sample

    def share(text: str) -> float:
        try:
            value = read_percent(text)
        except NumberError as exc:
            raise click.BadParameter(str(exc)) from None
        if not 0 < value < 1:
            raise click.BadParameter(f"expected a share between 0 and 1, found {text}")
        return float(value)

    with Store.open(db_path) as store:
        needed, picked = sample(
            store, batch_id, share(max_error_rate), share(confidence), seed
        )
    click.echo(
        f"audit {needed:,} fields with no error to show < {max_error_rate} at "
        f"{confidence} confidence; {len(picked):,} picked (seed {seed}):"
    )
    for claim_id, field in picked:
        click.echo(f"  {claim_id} {field}")
