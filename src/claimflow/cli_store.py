"""``claimflow store``: a store's backend, and moving a store between backends."""

from __future__ import annotations

from pathlib import Path

import click

from claimflow.cli import main
from claimflow.cli_options import StorePath


@main.group("store")
def store_group() -> None:
    """The store itself: copy it to another backend (SQLite <-> PostgreSQL).

    \b
    Example:
        claimflow store copy claims.db postgresql://desk@db.example/claimflow
    """


@store_group.command("copy")
@click.argument("source", type=StorePath(exists=True))
@click.argument("target", type=StorePath(exists=False))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def copy_command(source: Path | str, target: Path | str, as_json: bool) -> None:
    """Copy every table of SOURCE into the new, empty store TARGET, checked.

    Either may be a SQLite file or a PostgreSQL URL. The copy is kept only if
    both then hold the same claims, awards, postings and balances (checked
    by reading both back); else TARGET is left as it was and the command
    exits 2.

    \b
    Example:
        claimflow store copy claims.db postgresql://desk@db.example/claimflow
    """
    from claimflow import Store, copy_store
    from claimflow.cli import echo_json, fail_cleanly

    @fail_cleanly
    def run() -> None:
        with Store.open(source) as src, Store.open(target) as dst:
            report = copy_store(src, dst)
        if as_json:
            echo_json(report.to_dict())
            return
        copied = sum(report.rows.values())
        click.echo(f"copied {copied:,} rows in {len(report.rows)} tables")
        checks = report.checks
        click.echo(
            f"checked: {checks['claims']:,} claims, {checks['awards']:,} awards, "
            f"{checks['postings']:,} postings, {checks['balances']:,} balances "
            f"({checks['points']:,} points) the same in both"
        )

    run()
