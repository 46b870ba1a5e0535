"""The command line's one option vocabulary, shared by every command module.

=================  ==========================================================
``--db``           the store: a SQLite file or a ``postgresql://`` URL
                   (default: ``CLAIMFLOW_DB``, else ``claimflow.db``)
``--client``       a client file, or a key looked up in ``CLAIMFLOW_CLIENTS``
``--operator``     who does it, for the audit log (default:
                   ``CLAIMFLOW_OPERATOR``, else the login name); on every
                   command that writes
``--at``           when a write happens (default: now)
``--as-of``        the instant a read looks at (default: now)
``--batch``        only claims of this batch
``--out``          a file whose suffix gives the format; ``-`` is stdout
``--json``         the result as JSON (the library's ``to_dict()``)
``-h``             help, as ``--help``
=================  ==========================================================

``--at`` and ``--as-of`` take ``2026-10-01``, ``2026-10-01T09:30`` or an ISO
time with an offset (``2026-10-01T14:30Z``). Without an offset the time is the
client's desk zone (its ``calendar.timezone``); a date alone is 00:00 there.
The old names (``--now``, ``--received-at``) still work, hidden, with a warning.
An input file given as ``-`` is read from stdin (as CSV).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

DB_ENV = "CLAIMFLOW_DB"
DEFAULT_DB = "claimflow.db"
#: How ``--at``/``--as-of`` are read (the help says it once, here).
ZONE_HELP = (
    "a date or ISO time; without an offset, in the client's desk zone (default: now)"
)


class StorePath(click.ParamType[Path | str]):
    """``--db``: a SQLite file (a `Path`) or a database URL, passed on as given."""

    name = "PATH|URL"

    def __init__(self, exists: bool) -> None:
        self.exists = exists

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Path | str:
        if isinstance(value, Path) or "://" not in str(value):
            path = Path(value)
            if self.exists and not path.exists():
                self.fail(f"path {str(path)!r} does not exist.", param, ctx)
            if path.is_dir():
                self.fail(f"{str(path)!r} is a folder, not a store file.", param, ctx)
            return path
        return str(value)  # a URL: Store.open reads it


class ClientFile(click.ParamType[Path]):
    """``--client``: a configuration file, or a key in ``CLAIMFLOW_CLIENTS``."""

    name = "FILE|KEY"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Path:
        from claimflow import ConfigError, client_file

        try:
            found: Path = client_file(value)
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)
        return found


class InputFile(click.ParamType[Path]):
    """A file to read; ``-`` is stdin, spooled to a temporary .csv file."""

    name = "FILE"

    def __init__(self, exists: bool = True) -> None:
        self.exists = exists

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Path:
        if str(value) != "-":
            path = Path(value)
            if not self.exists:  # the library names a missing file itself
                return path
            if not path.exists():
                self.fail(f"file {str(path)!r} does not exist.", param, ctx)
            if path.is_dir():
                self.fail(f"file {str(path)!r} is a directory.", param, ctx)
            return path
        spool = tempfile.NamedTemporaryFile(  # noqa: SIM115 (removed at exit)
            prefix="stdin-", suffix=".csv", delete=False
        )
        with spool:
            spool.write(sys.stdin.buffer.read())
        if ctx is not None:
            ctx.call_on_close(lambda: Path(spool.name).unlink(missing_ok=True))
        return Path(spool.name)


class Instant(click.ParamType[datetime]):
    """A date or ISO time, naive (the desk's zone, resolved by the library) or not."""

    name = "TIME"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                return datetime(day.year, day.month, day.day)
            return datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError:
            self.fail(
                f"expected a date (2026-10-01) or ISO time (2026-10-01T09:30, "
                f"2026-10-01T14:30Z), found {text!r}",
                param,
                ctx,
            )


def _alias_key(dest: str) -> str:
    return f"claimflow.alias.{dest}"


def time_option(
    name: str, help: str, *, deprecated: tuple[str, ...] = ()
) -> Callable[[F], F]:
    """``--at`` or ``--as-of``, with its old names as hidden aliases that warn."""
    dest = name.lstrip("-").replace("-", "_")

    def prefer_alias(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        return value if value is not None else ctx.meta.get(_alias_key(dest))

    def decorate(func: F) -> F:
        for old in deprecated:
            func = click.option(
                old,
                hidden=True,
                expose_value=False,
                type=Instant(),
                callback=_warn_alias(old, name, dest),
            )(func)
        return click.option(
            name,
            dest,
            type=Instant(),
            callback=prefer_alias,
            help=f"{help}: {ZONE_HELP}.",
        )(func)

    return decorate


def _warn_alias(old: str, new: str, dest: str) -> Callable[..., None]:
    def store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is None:
            return
        click.echo(f"claimflow: warning: {old} is deprecated; use {new}", err=True)
        ctx.meta[_alias_key(dest)] = value
        if ctx.params.get(dest) is None:  # the new name was processed first
            ctx.params[dest] = value

    return store


AT_OPTION = time_option("--at", "When it happens")
AS_OF_OPTION = time_option("--as-of", "The instant to look at")

CLIENT_OPTION = click.option(
    "--client",
    "client_path",
    required=True,
    type=ClientFile(),
    help="The client's configuration file, or its key in CLAIMFLOW_CLIENTS.",
)
#: ``--client`` where a command can do without one.
OPTIONAL_CLIENT_OPTION = click.option(
    "--client",
    "client_path",
    type=ClientFile(),
    help="The client's configuration file, or its key in CLAIMFLOW_CLIENTS.",
)


def _store_option(exists: bool, help: str) -> Callable[[F], F]:
    """``--db``: from CLAIMFLOW_DB, else the default file."""
    return click.option(
        "--db",
        "db_path",
        default=DEFAULT_DB,
        envvar=DB_ENV,
        show_default=True,
        show_envvar=True,
        type=StorePath(exists=exists),
        help=help,
    )


#: A store that must exist already (reports, ledger, award).
STORE_OPTION = _store_option(True, "The store: a SQLite file or a postgresql:// URL.")
#: A store created if missing (commands that write the first rows).
NEW_STORE_OPTION = _store_option(
    False, "The store: a SQLite file (created if missing) or a postgresql:// URL."
)
JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON."
)
BATCH_OPTION = click.option(
    "--batch", "batch_id", type=int, help="Only claims of this batch."
)


def _operator() -> str:
    from claimflow import default_operator

    name: str = default_operator()
    return name


OPERATOR_OPTION = click.option(
    "--operator",
    default=_operator,
    show_default="CLAIMFLOW_OPERATOR, else the login name",
    help="Who does it (recorded in the audit log).",
)


def out_option(
    help: str,
    *,
    required: bool = False,
    folder: bool = False,
    suffixes: tuple[str, ...] = (),
) -> Callable[[F], F]:
    """``--out``: a file whose suffix gives the format (``-``: stdout, as CSV).

    With `suffixes`, another suffix is refused before any work, in one line.
    """

    def known(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None or str(value) == "-" or not suffixes:
            return value
        if Path(value).suffix.lower() not in suffixes:
            *most, last = suffixes
            raise click.BadParameter(
                f"{value}: expected a {', '.join(most)} or {last} file"
            )
        return value

    return click.option(
        "--out",
        "out",
        required=required,
        callback=known,
        type=click.Path(
            dir_okay=folder, file_okay=not folder, allow_dash=True, path_type=Path
        ),
        help=help,
    )


#: The suffixes of a rows file: a spreadsheet, or the `rows_options` formats.
ROWS_FILE = (".csv", ".xlsx", ".json", ".jsonl", ".ndjson")
_FORMATS_GIVEN = "claimflow.formats"


def _one_format(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Refuse a second output format (``--json --csv``) in one line."""
    if value:
        given = ctx.meta.setdefault(_FORMATS_GIVEN, [])
        given.append(param.opts[0])
        if len(given) > 1:
            raise click.UsageError(
                f"{given[0]} and {given[1]} cannot be used together: pick one format"
            )
    return value


def _rows_as(fmt: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def choose(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        _one_format(ctx, param, value)
        if value:
            ctx.params["rows_as"] = fmt
        else:
            ctx.params.setdefault("rows_as", None)

    return choose


def rows_options(func: F) -> F:
    """``--json`` (the whole result), ``--csv`` and ``--nl`` (its rows): one of them.

    The command gets ``as_json`` and ``rows_as`` (``"csv"``, ``"nl"`` or
    None); `echo_rows` prints what they ask for.
    """
    func = click.option(
        "--nl",
        is_flag=True,
        expose_value=False,
        callback=_rows_as("nl"),
        help="Print the rows as newline-delimited JSON (one object a line).",
    )(func)
    func = click.option(
        "--csv",
        is_flag=True,
        expose_value=False,
        callback=_rows_as("csv"),
        help="Print the rows as CSV (the values --json prints).",
    )(func)
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        callback=_one_format,
        help="Print the result as JSON.",
    )(func)


def echo_rows(data: Any, rows: Any, rows_as: str | None) -> None:
    """Print `data` whole as JSON, or its `rows` as CSV or newline-delimited JSON.

    The one place a command's rows become text (`claimflow.write_rows`).
    """
    from claimflow import strict_json, write_rows

    if rows_as is None:
        click.echo(strict_json(data))
        return
    write_rows(rows, sys.stdout, "csv" if rows_as == "csv" else "nl")


@contextmanager
def writing(out: Path) -> Iterator[Path]:
    """The path to write `out` to: ``-`` is a temporary .csv copied to stdout."""
    if str(out) != "-":
        yield out
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.csv"
        yield path
        sys.stdout.flush()
        sys.stdout.buffer.write(path.read_bytes())
        sys.stdout.flush()


@contextmanager
def progress(label: str, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress line on stderr (spinner, count, time), when a person watches.

    Yields a callback taking the number of records done so far, for a
    library function's ``progress=``; without one, the line still shows the
    time elapsed. Off when stdout or stderr is not a terminal (a pipe, a
    log, a test): then the callback does nothing.
    """
    if not (enabled and sys.stderr.isatty() and sys.stdout.isatty()):
        yield lambda done: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn(label),
        TextColumn("{task.completed:,}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=None)
        yield lambda done: bar.update(task, completed=done)


def client_locale(client: Path | str) -> str:
    """The locale a client's people read figures in (its ``locale``).

    Example: ``client_locale("samples/clients/costa-azul.yaml") == "es_ES"``
    """
    from claimflow import resolve_client

    return resolve_client(client).config.locale
