"""The ``claimflow`` command: thin click wrappers over the library.

Each command parses options, calls one library function, renders the result
and exits 0 (all accepted), 1 (findings that need attention) or 2 (usage or
unreadable input). `ClaimflowError`s become one-line messages here, in one
place; no traceback reaches the user.

Each command imports the library it calls inside its function: at module level
the CLI modules import only click and `claimflow.errors`, so that
``claimflow --help`` and ``--version`` start in a fraction of a second instead
of loading pandas, pandera, scipy and jinja2 (`tests/test_cli_startup.py`).
"""

from __future__ import annotations

import codecs
import functools
import json
import math
import sqlite3
import sys
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from claimflow.errors import ClaimflowError, StoreBusy

if TYPE_CHECKING:
    from rich.progress import Progress

    from claimflow.config import ResolvedClient
    from claimflow.results import BatchResult
    from claimflow.validate.notices import Notice, NoticeItem

F = TypeVar("F", bound=Callable[..., Any])


#: Exit code of a command that gave up waiting for another's write lock.
EXIT_BUSY = 3


def fail_cleanly(func: F) -> F:
    """Turn claimflow's exceptions into ``claimflow: <message>``: exit 2, or
    `EXIT_BUSY` when the store stayed locked by another command."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StoreBusy as exc:
            click.echo(f"claimflow: error: {exc}", err=True)
            sys.exit(EXIT_BUSY)
        except ClaimflowError as exc:
            click.echo(f"claimflow: error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:  # an output path that cannot be written
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"claimflow: error: {where}{exc.strerror or exc}", err=True)
            sys.exit(2)
        except sqlite3.Error as exc:  # never a traceback from the store
            if "locked" in str(exc) or "busy" in str(exc):
                from claimflow.store import busy_message

                click.echo(f"claimflow: error: {busy_message('the store')}", err=True)
                sys.exit(EXIT_BUSY)
            click.echo(f"claimflow: error: the store refused a write ({exc})", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def strict_json(data: Any, indent: int | None = 2) -> str:
    """JSON that every strict parser reads: NaN and infinities become null.

    Python's ``json`` writes ``NaN`` by default, which JSON forbids (and
    pandas and numpy hand over NaN for a missing score); dates, decimals and
    other values become their text.

    Example: ``strict_json({"score": float("nan")}) == '{"score": null}'``
    """
    return json.dumps(_finite(data), indent=indent, default=_text, allow_nan=False)


def _finite(data: Any) -> Any:
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


def _text(value: Any) -> Any:
    """Values json cannot write: numpy numbers as numbers, pandas' missing
    values (NA, NaT) as null, the rest as text."""
    pandas = sys.modules.get("pandas")  # a pandas value means pandas is loaded
    if pandas is not None and (value is pandas.NA or value is pandas.NaT):
        return None
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    if isinstance(value, date | time):
        return value.isoformat()
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str | bytes):
        try:
            return _finite(item())
        except ValueError:  # a numpy array of several values
            return _finite(value.tolist())
    return str(value)


def echo_json(data: Any, indent: int | None = 2) -> None:
    """Print `data` as strict JSON (`strict_json`)."""
    click.echo(strict_json(data, indent))


CLIENT_OPTION = click.option(
    "--client",
    "client_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The client's configuration file (YAML or TOML).",
)
#: A store that must exist already (reports, ledger, award).
STORE_OPTION = click.option(
    "--db",
    "db_path",
    default="claimflow.db",
    show_default=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The SQLite store.",
)
#: A store created if missing (commands that write the first rows).
NEW_STORE_OPTION = click.option(
    "--db",
    "db_path",
    default="claimflow.db",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The SQLite store (created if missing).",
)


JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON."
)
OPERATOR_OPTION = click.option(
    "--operator",
    default="unknown",
    show_default=True,
    help="Who does it (recorded in the audit log).",
)


def write_stage_notices(
    items: list[NoticeItem],
    client: ResolvedClient,
    folder: Path | None,
    stage: str,
    now: datetime,
    *,
    err: bool = False,
) -> None:
    """Render and write the notices a later stage (verify, dedupe) owes participants."""
    if folder is None or not items:
        return
    from claimflow.report import write_notice_files
    from claimflow.validate import render_notices

    notices = render_notices(items, client, now.date())
    stem = f"{client.key}-{stage}-{now.strftime('%Y%m%dT%H%M%S')}"
    written = write_notice_files(notices, folder, stem)
    write_notice_emails(notices, written)
    click.echo(f"{counted(len(written), 'notice')} written to {folder}", err=err)


def counted(count: int, noun: str) -> str:
    """``1 notice``, ``2 notices``: a count and its noun (English output)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def write_notice_emails(notices: list[Notice], written: list[Path]) -> list[Path]:
    """Write each notice as an e-mail (``.eml``) beside its ``.txt`` file.

    A file already there with the same bytes is left as it is (the bytes
    are the same on every run), so writing notices again adds only the
    missing ones.
    """
    from claimflow.validate.notice_mail import notice_email

    emails = []
    for notice, path in zip(notices, written, strict=True):
        eml = path.with_suffix(".eml")
        data = bytes(notice_email(notice))
        if not eml.is_file() or eml.read_bytes() != data:
            eml.write_bytes(data)
        emails.append(eml)
    return emails


def _notices_folder(
    ctx: click.Context, param: click.Parameter, value: Path | None
) -> Path | None:
    """Make the notices folder before any work: a folder that cannot be
    made stops the command before it posts or stores anything (it used to
    fail after an award run had posted, and the notices were lost)."""
    if value is not None:
        try:
            value.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.BadParameter(f"{value}: {exc.strerror or exc}") from None
    return value


def notices_option(what: str) -> Callable[[F], F]:
    """``--notices DIR``: where to write notices about `what`."""
    return click.option(
        "--notices",
        "notices_dir",
        callback=_notices_folder,
        type=click.Path(file_okay=False, path_type=Path),
        help=f"Write notices {what} into this folder (.txt, and .eml to send).",
    )


def batch_options(func: F) -> F:
    """Options shared by ``check`` and ``ingest``."""
    options = [
        click.argument(
            "files", nargs=-1, required=True, type=click.Path(path_type=Path)
        ),
        click.option(
            "--client",
            "client_path",
            required=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="The client's configuration file (YAML or TOML).",
        ),
        click.option(
            "--keep-going",
            is_flag=True,
            help="Process the readable files; list unreadable ones (exit 2).",
        ),
        click.option(
            "--received-at",
            type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
            help="Received time for records without one (default: now).",
        ),
        click.option("--sheet", help="Read only this sheet of each Excel workbook."),
        click.option(
            "--encoding",
            callback=_known_encoding,
            help="The text encoding of these CSV files (cp1253...), when not "
            "the client's.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            help="Processes validating a large file (default: one per core).",
        ),
        click.option(
            "--json", "as_json", is_flag=True, help="Print the result as JSON."
        ),
        click.option(
            "--verbose", "-v", is_flag=True, help="Show problems and stage timings."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _known_encoding(ctx: Any, param: Any, value: str | None) -> str | None:
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"unknown text encoding {value!r}") from None
    return value


def _run_options(client: ResolvedClient, options: dict[str, Any]) -> dict[str, Any]:
    """The library keyword arguments the shared options stand for."""
    received = options["received_at"]
    return {
        "keep_going": options["keep_going"],
        "sheet": options["sheet"],
        "encoding": options["encoding"],
        "received_at": received.replace(tzinfo=client.zone) if received else None,
        "workers": options["workers"],
    }


def _progress(
    enabled: bool,
) -> tuple[Progress | None, Callable[[str, int], None] | None]:
    if not enabled:
        return None, None
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} records"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        # No refresh thread: workers are forked, and a fork must not copy a
        # thread that might hold a lock. The bar redraws on each update.
        auto_refresh=False,
    )
    tasks: dict[str, Any] = {}

    def update(name: str, done: int) -> None:
        if name not in tasks:
            tasks[name] = bar.add_task(name, total=None)
        bar.update(tasks[name], completed=done, refresh=True)

    return bar, update


def _finish(result: BatchResult, as_json: bool, verbose: bool) -> None:
    if as_json:
        echo_json(result.to_dict())
    else:
        from rich.console import Console

        from claimflow.report import render_summary

        render_summary(result, Console(), verbose=verbose)
    sys.exit(result.exit_code)


@click.group()
@click.version_option(package_name="claimflow")
def main() -> None:
    """claimflow: parse, validate and store loyalty and incentive claims."""


@main.command("check")
@batch_options
@fail_cleanly
def check_cmd(files: tuple[Path, ...], client_path: Path, **options: Any) -> None:
    """Validate claim files without writing anything.

    \b
    Example:
        claimflow check samples/acme-tools/claims/* \\
            --client samples/clients/acme-tools.yaml
    """
    from claimflow.config import load_client
    from claimflow.pipeline import check

    client = load_client(client_path)
    bar, update = _progress(not options["as_json"] and sys.stderr.isatty())
    with bar or nullcontext():
        result = check(files, client, progress=update, **_run_options(client, options))
    _finish(result, options["as_json"], options["verbose"])


@main.command("ingest")
@batch_options
@NEW_STORE_OPTION
@OPERATOR_OPTION
@notices_option("(one file per participant)")
@fail_cleanly
def ingest_cmd(
    files: tuple[Path, ...],
    client_path: Path,
    db_path: Path,
    operator: str,
    notices_dir: Path | None,
    **options: Any,
) -> None:
    """Parse, validate and store claim files as one batch; write notices.

    \b
    Example:
        claimflow ingest samples/acme-tools/claims/* \\
            --client samples/clients/acme-tools.yaml --db claims.db --notices out/
    """
    from claimflow.config import load_client
    from claimflow.pipeline import ingest
    from claimflow.report import write_batch_notices, write_notices
    from claimflow.store import Store

    client = load_client(client_path)
    created = not db_path.exists()
    store = Store.open(db_path)
    bar, update = _progress(not options["as_json"] and sys.stderr.isatty())
    try:
        with bar or nullcontext():
            result = ingest(
                files,
                client,
                store,
                operator=operator,
                progress=update,
                **_run_options(client, options),
            )
    except ClaimflowError:
        store.close()
        if created:  # leave no empty database behind for a command that failed
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        raise
    if notices_dir is not None:
        # The notices are stored with their batch: a file ingested before
        # (by a run stopped before writing them, or run without --notices)
        # gets its batch's missing notice files now.
        earlier = {
            store.document_batch(f.content_hash)
            for f in result.files
            if f.status.startswith("already ingested")
        }
        for batch in sorted(b for b in earlier if b is not None):
            write_batch_notices(store, batch, notices_dir)
    store.close()
    if notices_dir is not None and result.notices:
        write_notice_emails(result.notices, write_notices(result, notices_dir))
    _finish(result, options["as_json"], options["verbose"])


@main.command("export")
@click.argument("what", type=click.Choice(["claims", "awards"]))
@click.option(
    "--db",
    "db_path",
    default="claimflow.db",
    show_default=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--batch", "batch_id", type=int, help="Only this batch.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A .csv or .xlsx file.",
)
@fail_cleanly
def export_cmd(what: str, db_path: Path, batch_id: int | None, out: Path) -> None:
    """Export claims (outcome, reason codes) or award postings to CSV or Excel.

    ``awards`` is the posting file a fulfilment system loads: one row per
    ledger posting. Cells a spreadsheet would run as formulas are written as
    text.

    \b
    Example:
        claimflow export claims --db claims.db --batch 1 --out batch1.xlsx
        claimflow export awards --db claims.db --out postings.csv
    """
    from claimflow.report import export_awards, export_claims
    from claimflow.store import Store

    store = Store.open(db_path)
    try:
        if batch_id is not None:
            store.require_batch(batch_id)  # not an empty file for a mistyped batch
        exporter = export_claims if what == "claims" else export_awards
        count = exporter(store, out, batch_id)
    finally:
        store.close()
    click.echo(f"{count:,} {what} written to {out}")


@main.command("show")
@click.argument("claim")
@STORE_OPTION
@JSON_OPTION
@fail_cleanly
def show_cmd(claim: str, db_path: Path, as_json: bool) -> None:
    """A claim's whole story, by its id or the reference the participant quotes.

    As received (with where each value came from), outcome and reasons,
    matches and replacements, verification, ledger postings, notices, its
    clock's events and the audit trail.

    \b
    Example:
        claimflow show AC-1001 --db claims.db
    """
    from claimflow.report.story import claim_story, render_story
    from claimflow.store import Store

    with Store.open(db_path) as store:
        story = claim_story(store, claim)
    if as_json:
        echo_json(story)
    else:
        click.echo(render_story(story))


@main.group("notices")
def notices_cmd() -> None:
    """Participant notices stored with their batches.

    \b
    Example:
        claimflow notices write --batch 1 --db claims.db --out notices/
    """


@notices_cmd.command("write")
@click.option("--batch", "batch_id", type=int, required=True, help="The batch.")
@STORE_OPTION
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder the notice files go to.",
)
@fail_cleanly
def notices_write_cmd(batch_id: int, db_path: Path, out: Path) -> None:
    """Write a batch's stored notices to files (those missing or changed).

    \b
    Example:
        claimflow notices write --batch 1 --db claims.db --out notices/
    """
    from claimflow.report import write_batch_notices
    from claimflow.store import Store

    with Store.open(db_path) as store:
        paths = write_batch_notices(store, batch_id, out)
    click.echo(f"batch {batch_id}: {counted(len(paths), 'notice')} in {out}")


# The award, ledger and participant commands live in their own module.
from claimflow import cli_awards as _cli_awards  # noqa: E402, F401
from claimflow import cli_dedupe as _cli_dedupe  # noqa: E402, F401
from claimflow import cli_partners as _cli_partners  # noqa: E402, F401
from claimflow import cli_reports as _cli_reports  # noqa: E402, F401
from claimflow import cli_sla as _cli_sla  # noqa: E402, F401
from claimflow import cli_store as _cli_store  # noqa: E402, F401
from claimflow import cli_verify as _cli_verify  # noqa: E402, F401
