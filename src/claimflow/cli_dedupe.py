"""CLI commands for deduplication: find duplicates, review them, apply decisions."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import pandas as pd

from claimflow.cli import (
    CLIENT_OPTION,
    JSON_OPTION,
    NEW_STORE_OPTION,
    OPERATOR_OPTION,
    STORE_OPTION,
    fail_cleanly,
    main,
)
from claimflow.dedupe.people import dedupe_people
from claimflow.errors import UnreadableInput
from claimflow.store import Store

REVIEW_COLUMNS = [
    "a",
    "b",
    "probability",
    "name_level",
    "dob_level",
    "email_level",
    "phone_level",
    "address_level",
    "found_by",
    "decision",
]


def _read_people(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() == ".xlsx":
            return pd.read_excel(path, dtype=str)
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UnreadableInput(
            str(path), f"not a readable people file ({exc})"
        ) from None


def _different(db: Path | None) -> set[tuple[str, str]]:
    if db is None or not db.exists():
        return set()
    with Store.open(db) as store:
        rows = store.db.execute(
            "SELECT a, b, decision FROM dedupe_decisions WHERE kind = 'participant' "
            "ORDER BY id"
        ).fetchall()
    latest = {(a, b): d for a, b, d in rows}
    return {pair for pair, decision in latest.items() if decision == "different"}


@main.group("dedupe")
def dedupe_cmd() -> None:
    """Find people enrolled twice; review and apply the doubtful pairs.

    \b
    Example:
        claimflow dedupe participants people.csv --json
    """


@dedupe_cmd.command("participants")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--duplicate", default=0.9, show_default=True, help="Probability for 'same'."
)
@click.option(
    "--review", default=0.5, show_default=True, help="Probability for 'review'."
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A store whose 'different' decisions are respected.",
)
@click.option(
    "--review-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the pairs to review to a .csv file for a person to mark.",
)
@JSON_OPTION
@fail_cleanly
def participants_cmd(
    file: Path,
    duplicate: float,
    review: float,
    db_path: Path | None,
    review_out: Path | None,
    as_json: bool,
) -> None:
    """Cluster the people in FILE that are the same person, with explained pairs.

    Columns: any of participant_id (required), first_name, last_name,
    date_of_birth, email, phone, address_line1, address_line2, city, region,
    postcode, country, tax_id. Exit 1 when duplicates or pairs to review exist.

    \b
    Example:
        claimflow dedupe participants people.csv --review-out review.csv
    """
    people = _read_people(file)
    if "participant_id" not in people.columns:
        raise UnreadableInput(str(file), "expected a participant_id column", "row 1")
    result = dedupe_people(
        people, duplicate=duplicate, review=review, different=_different(db_path)
    )
    if review_out is not None:
        doubtful = result.pairs[result.pairs["decision"] == "review"].copy()
        doubtful["found_by"] = doubtful["found_by"].map(", ".join)
        doubtful["decision"] = ""
        doubtful[REVIEW_COLUMNS].to_csv(review_out, index=False)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        counts = result.pairs["decision"].value_counts().to_dict()
        click.echo(
            f"{len(people):,} people, {result.candidates:,} candidate pairs: "
            f"{counts.get('duplicate', 0):,} duplicate pairs in "
            f"{len(result.clusters):,} clusters, {counts.get('review', 0):,} to review"
        )
        for cluster in result.clusters[:20]:
            others = [i for i in cluster["participant_ids"] if i != cluster["original"]]
            click.echo(f"  {cluster['original']} <- {', '.join(others)}")
    sys.exit(1 if len(result.pairs) else 0)


@dedupe_cmd.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@NEW_STORE_OPTION
@OPERATOR_OPTION
@fail_cleanly
def apply_cmd(file: Path, db_path: Path, operator: str) -> None:
    """Store a reviewed file's same/different marks (different: never flagged again).

    \b
    Example:
        claimflow dedupe apply review.csv --db claims.db --operator ann
    """
    rows = []
    with file.open(encoding="utf-8-sig", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            decision = (row.get("decision") or "").strip().lower()
            if decision not in ("same", "different"):
                raise UnreadableInput(
                    str(file),
                    f"expected same or different, found {decision!r}",
                    f"row {n}",
                )
            if not row.get("a") or not row.get("b"):
                raise UnreadableInput(
                    str(file),
                    "expected the columns a and b as written by "
                    "'dedupe participants --review-out'",
                    f"row {n}",
                )
            a, b = sorted((row["a"], row["b"]))
            rows.append(
                ("participant", a, b, decision, operator, datetime.now(UTC).isoformat())
            )
    with Store.open(db_path) as store, store.transaction():
        store.db.conn.executemany(
            "INSERT INTO dedupe_decisions (kind, a, b, decision, decided_by, decided_at) "
            "VALUES (?,?,?,?,?,?)",
            rows,
        )
        store.audit(
            operator, "dedupe apply", {"file": str(file), "decisions": len(rows)}
        )
    click.echo(f"{len(rows):,} decisions stored")


@dedupe_cmd.command("claims")
@CLIENT_OPTION
@STORE_OPTION
@click.option("--batch", "batch_id", type=int, help="Only claims of this batch.")
@JSON_OPTION
@fail_cleanly
def claims_cmd(
    client_path: Path, db_path: Path, batch_id: int | None, as_json: bool
) -> None:
    """Check open claims against every earlier claim: the same sale or stay again.

    Duplicates end as ``duplicate`` (of the earlier claim), look-alikes as
    ``review``; each match names its rule and the earlier claim. Exit 1 when
    any is found.

    \b
    Example:
        claimflow dedupe claims --client samples/clients/acme-tools.yaml --db claims.db
    """
    from claimflow.config import load_client
    from claimflow.dedupe.claims import dedupe_claims

    client = load_client(client_path)
    with Store.open(db_path) as store:
        result = dedupe_claims(store, client, batch_id=batch_id, now=datetime.now(UTC))
    data = result.to_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(
            f"{client.key}: {result.checked:,} claims checked, {data['duplicates']:,} "
            f"duplicates, {data['to_review']:,} to review"
        )
        for match in result.matches[:30]:
            click.echo(
                f"  {match.claim_id} {match.decision} of {match.original}: "
                f"{match.rule} ({match.compared})"
            )
    sys.exit(1 if result.matches else 0)
