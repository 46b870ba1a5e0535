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
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from claimflow import ClaimflowError, StoreBusy, strict_json
from claimflow.cli_options import (
    AT_OPTION,
    BATCH_OPTION,
    CLIENT_OPTION,
    JSON_OPTION,
    NEW_STORE_OPTION,
    OPERATOR_OPTION,
    OPTIONAL_CLIENT_OPTION,
    ROWS_FILE,
    STORE_OPTION,
    InputFile,
    out_option,
    time_option,
    writing,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from claimflow import BatchResult, Notice, ResolvedClient, Store

__all__ = [  # the shared options, for the command modules that register on main
    "AT_OPTION",
    "BATCH_OPTION",
    "CLIENT_OPTION",
    "JSON_OPTION",
    "NEW_STORE_OPTION",
    "OPERATOR_OPTION",
    "OPTIONAL_CLIENT_OPTION",
    "STORE_OPTION",
    "counted",
    "echo_json",
    "fail_cleanly",
    "main",
    "notices_option",
    "opened_store",
    "strict_json",
    "write_notice_emails",
    "write_stage_notices",
]

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
        except BrokenPipeError:  # `claimflow queue --csv | head`: the reader left
            # Python would report the pipe again while flushing at exit.
            with suppress(OSError, ValueError):  # a stdout with no descriptor
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:  # an output path that cannot be written
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"claimflow: error: {where}{exc.strerror or exc}", err=True)
            sys.exit(2)
        except sqlite3.Error as exc:  # never a traceback from the store
            if "locked" in str(exc) or "busy" in str(exc):
                click.echo(f"claimflow: error: {StoreBusy.__doc__}", err=True)
                sys.exit(EXIT_BUSY)
            click.echo(f"claimflow: error: the store refused a write ({exc})", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@contextmanager
def opened_store(db_path: Path | str) -> Iterator[Store]:
    """The store `db_path` names; a file this command created is removed again
    when the command fails, so that a failed first command leaves no empty
    database behind (its transaction wrote nothing)."""
    from claimflow import Store

    created = isinstance(db_path, Path) and not db_path.exists()
    store = Store.open(db_path)
    try:
        yield store
    except Exception:
        store.close()
        if created:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        raise
    store.close()


def echo_json(data: Any, indent: int | None = 2, *, err: bool = False) -> None:
    """Print `data` as strict JSON (`strict_json`); on stderr with `err`."""
    click.echo(strict_json(data, indent), err=err)


def write_stage_notices(
    stored: list[tuple[str, list[Notice]]],
    folder: Path | None,
    *,
    err: bool = False,
    unchanged: int = 0,
) -> None:
    """Write the notices a later stage (verify, dedupe) rendered and stored
    with their batches ((file stem, notices) per batch); ``notices write
    --batch`` writes them again later, with or without a folder now.
    `unchanged`: claims that said what they said before (verify), not
    noticed again, which the line counts."""
    if folder is None or not (stored or unchanged):
        return
    from claimflow import write_stage_notices as write

    again = (
        f"{counted(unchanged, 'claim')} unchanged since their last verification, "
        "not noticed again"
    )
    if not stored:
        click.echo(f"no notices written to {folder}: {again}", err=err)
        return
    written = write(stored, folder)
    click.echo(
        f"{counted(len(written), 'notice')} written to {folder}"
        + (f"; {again}" if unchanged else ""),
        err=err,
    )


def counted(count: int, noun: str) -> str:
    """``1 notice``, ``2 notices``: a count and its noun (English output;
    the library's messages say it with `claimflow.shown.plural`, a name the
    CLI does not import)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def write_notice_emails(notices: list[Notice], written: list[Path]) -> list[Path]:
    """Write each notice as an e-mail beside its .txt file (`claimflow.write_notice_emails`)."""
    from claimflow import write_notice_emails as write

    emails: list[Path] = write(notices, written)
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


def _known_encoding(ctx: Any, param: Any, value: str | None) -> str | None:
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"unknown text encoding {value!r}") from None
    return value


#: ``--encoding``: the text encoding of the CSV file(s) a command reads.
ENCODING_OPTION = click.option(
    "--encoding",
    callback=_known_encoding,
    help="The text encoding of the CSV file(s) (cp1250, cp1253...), when not "
    "the client's.",
)


def batch_options(func: F) -> F:
    """Options shared by ``check`` and ``ingest``."""
    options = [
        click.argument("files", nargs=-1, required=True, type=InputFile(exists=False)),
        CLIENT_OPTION,
        click.option(
            "--keep-going",
            is_flag=True,
            help="Process the readable files; list unreadable ones (exit 2).",
        ),
        time_option(
            "--at",
            "When it happens: the received time of records without one (and "
            "for ingest the first response)",
            deprecated=("--received-at",),
        ),
        click.option("--sheet", help="Read only this sheet of each Excel workbook."),
        ENCODING_OPTION,
        click.option(
            "--number-locale",
            help="The locale these files write numbers in (fr_CH, de_DE, C...), "
            "when not the client's: a bilingual client's other forms. Ingest "
            "keeps it with the batch; replay reads the batch in it again.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            help="Processes validating a large file (default: one per core).",
        ),
        JSON_OPTION,
        click.option(
            "--verbose", "-v", is_flag=True, help="Show problems and stage timings."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run_options(client: ResolvedClient, options: dict[str, Any]) -> dict[str, Any]:
    """The library keyword arguments the shared options stand for.

    An ``--at`` later than now is refused here, before a store is opened
    (`FutureTime`: one line, exit 2, the store untouched).
    """
    from claimflow import received_instant

    received = options["at"]
    at = received_instant(received, client, "--at") if received else None
    return {
        "keep_going": options["keep_going"],
        "sheet": options["sheet"],
        "encoding": options["encoding"],
        "number_locale": options["number_locale"],
        "received_at": at,
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

        from claimflow import render_summary

        render_summary(result, Console(), verbose=verbose)
    sys.exit(result.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="claimflow")
def main() -> None:
    """claimflow: parse, validate and store loyalty and incentive claims.

    Every command shares one vocabulary: --db (default: CLAIMFLOW_DB),
    --client (a file, or a key in CLAIMFLOW_CLIENTS), --operator (default:
    CLAIMFLOW_OPERATOR, else the login name), --at (when a write happens),
    --as-of (what a read looks at; both in the client's desk zone unless an
    offset is given), --batch, --out (format from the suffix; - is stdout),
    --json, and --csv or --nl (one JSON object a line) where a command
    prints rows.
    """


@main.command("check")
@batch_options
@fail_cleanly
def check_cmd(files: tuple[Path, ...], client_path: Path, **options: Any) -> None:
    """Validate claim files without writing anything (- reads a CSV from stdin).

    \b
    Example:
        claimflow check samples/acme-tools/claims/* \\
            --client samples/clients/acme-tools.yaml
    """
    from claimflow import check, load_client

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
    db_path: Path | str,
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
    from claimflow import ingest, load_client, write_ingest_notices

    client = load_client(client_path)
    run = _run_options(client, options)
    bar, update = _progress(not options["as_json"] and sys.stderr.isatty())
    with opened_store(db_path) as store:
        with bar or nullcontext():
            result = ingest(
                files,
                client,
                store,
                operator=operator,
                progress=update,
                # the batch happens at --at: its first response too
                processed_at=run["received_at"],
                **run,
            )
        if notices_dir is not None:
            write_ingest_notices(result, store, notices_dir)
    _finish(result, options["as_json"], options["verbose"])


@main.command("export")
@click.argument("what", type=click.Choice(["claims", "awards"]))
@OPTIONAL_CLIENT_OPTION
@click.option(
    "--all-clients",
    is_flag=True,
    help="Every client's rows in one file (instead of --client).",
)
@STORE_OPTION
@BATCH_OPTION
@out_option(
    "A .csv, .xlsx, .json, .jsonl or .ndjson file (- writes CSV to stdout).",
    required=True,
    suffixes=ROWS_FILE,
)
@JSON_OPTION
@fail_cleanly
def export_cmd(
    what: str,
    client_path: Path | None,
    all_clients: bool,
    db_path: Path | str,
    batch_id: int | None,
    out: Path,
    as_json: bool,
) -> None:
    """Export a client's claims (outcome, reason codes) or award postings.

    ``awards`` is the posting file a fulfilment system loads: one row per
    ledger posting. The file holds one client's rows (--client), or every
    client's when asked (--all-clients): never another client's by a
    forgotten filter. Cells a spreadsheet would run as formulas are written
    as text in .csv and .xlsx.

    \b
    Example:
        claimflow export claims --client acme-tools --batch 1 --out batch1.xlsx
        claimflow export awards --client acme-tools --out postings.csv
        claimflow export awards --all-clients --out all-postings.jsonl
    """
    from claimflow import Store, export_rows

    if (client_path is None) == (not all_clients):
        raise click.UsageError("export needs --client or --all-clients (one of them)")
    with Store.open(db_path) as store, writing(out) as path:
        done = export_rows(
            what,  # type: ignore[arg-type]
            client_path,
            store,
            path,
            batch=batch_id,
        )
    if as_json:
        echo_json(done.to_dict() | {"file": str(out)}, err=str(out) == "-")
    elif str(out) != "-":
        # awards: one row per ledger posting (reversals, redemptions too)
        noun = "claims" if what == "claims" else "ledger postings"
        click.echo(f"{done.rows:,} {noun} written to {out}")


@main.command("show")
@click.argument("claim")
@STORE_OPTION
@OPTIONAL_CLIENT_OPTION
@JSON_OPTION
@fail_cleanly
def show_cmd(
    claim: str, db_path: Path | str, client_path: Path | None, as_json: bool
) -> None:
    """A claim's whole story, by its id or the reference the participant quotes.

    As received (with where each value came from), outcome and reasons,
    matches and replacements, verification, ledger postings, notices, its
    clock's events and the audit trail. Times are in the client's desk zone
    (--client, else the claim's client key in CLAIMFLOW_CLIENTS, else UTC);
    --json keeps them as stored (ISO-8601, UTC).

    \b
    Example:
        claimflow show AC-1001 --db claims.db --client acme-tools
    """
    from claimflow import Store, claim_story

    with Store.open(db_path) as store:
        story = claim_story(claim, client_path, store)
    if as_json:
        echo_json(story.to_dict())
    else:
        click.echo(story.text)


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
@out_option("The folder the notice files go to.", required=True, folder=True)
@JSON_OPTION
@fail_cleanly
def notices_write_cmd(
    batch_id: int, db_path: Path | str, out: Path, as_json: bool
) -> None:
    """Write a batch's stored notices to files (those missing or changed).

    \b
    Example:
        claimflow notices write --batch 1 --db claims.db --out notices/
    """
    from claimflow import Store, write_batch_notices

    with Store.open(db_path) as store:
        paths = write_batch_notices(batch_id, store, out)
    if as_json:
        echo_json({"batch": batch_id, "files": [str(p) for p in paths]})
    else:
        click.echo(f"batch {batch_id}: {counted(len(paths), 'notice')} in {out}")


# The award, ledger and participant commands live in their own module.
from claimflow import cli_awards as _cli_awards  # noqa: E402, F401
from claimflow import cli_clients as _cli_clients  # noqa: E402, F401
from claimflow import cli_dedupe as _cli_dedupe  # noqa: E402, F401
from claimflow import cli_partners as _cli_partners  # noqa: E402, F401
from claimflow import cli_reports as _cli_reports  # noqa: E402, F401
from claimflow import cli_sla as _cli_sla  # noqa: E402, F401
from claimflow import cli_store as _cli_store  # noqa: E402, F401
from claimflow import cli_verify as _cli_verify  # noqa: E402, F401
