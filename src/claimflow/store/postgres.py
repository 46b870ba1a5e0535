"""The PostgreSQL backend: the same store, its SQL run through a small dialect layer.

Contract: `connect(url)` gives a `PgDatabase`, which `claimflow.store.Store`
uses where it would use a sqlite-utils ``Database``: ``execute`` and
``executemany`` with SQLite's ``?`` placeholders, ``conn.in_transaction``,
savepoints (`PgDatabase.atomic`), ``cursor.lastrowid``. The store modules
keep one SQL text; `translate` rewrites the few SQLite spellings that
PostgreSQL writes another way (placeholders, ``INSERT OR IGNORE``, ``GLOB``,
``group_concat``, casts, ``temp.``), once per statement text, and the
functions SQLite has built in that PostgreSQL lacks (``json_each``,
``json_extract``, ``json_set``, the ``->>`` operator on JSON kept as text,
``date(day, '+n days')``, two-argument ``min``/``max``, ``total``) are
created in the store's schema (`FUNCTIONS`) with SQLite's meaning.

Why psycopg 3 and not SQLAlchemy Core: the store's SQL is already written
and tuned for SQLite (sorted inserts, staged temporary tables, JSON in
SQL); Core would mean writing all of it again as expressions for both
dialects, while a dialect layer keeps one text per statement, and bulk
paths that suit PostgreSQL (``COPY``) are psycopg's own.

The schema is SQLite's, translated (`create_schema`): the migrations
registry stays the one source of truth. A store created by this release
holds every migration; a store made by an earlier release is brought up to
date by adding what the current schema has and it lacks (tables, columns,
indexes, triggers), the only kind of change the migrations since the
PostgreSQL backend exists make; anything else is refused with a line
naming it.

Concurrency (several clerks and services at once): each command's
transaction (`Store.transaction`) runs at READ COMMITTED and first takes
the store's write lock, a transaction-level advisory lock, so writers take
turns exactly as on SQLite (no lost update, no doubled posting, no
overdraw: every read-check-write of a balance happens under the lock) while
readers never wait. See `WRITE_LOCK`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from claimflow.errors import ClaimflowError
from claimflow.store.pg_functions import FUNCTIONS
from claimflow.store.pg_schema import (
    CLAIM_LINES_VIEW,
    STATEMENT_CHECKED,
    applied_migrations,
    ensure_schema,
    migration_names,
    reference_ddl,
    schema_ddl,
)
from claimflow.store.pg_translate import (
    WRITE_LOCK,
    before_returning,
    returns_id,
    sqlite_value,
    translate,
)

__all__ = [
    "CLAIM_LINES_VIEW",
    "FUNCTIONS",
    "STATEMENT_CHECKED",
    "WRITE_LOCK",
    "PgConnection",
    "PgCursor",
    "PgDatabase",
    "applied_migrations",
    "ensure_schema",
    "is_url",
    "migration_names",
    "open_database",
    "redact",
    "reference_ddl",
    "schema_ddl",
    "sqlite_value",
    "translate",
]

#: Columns that hold JSON text (kept as ``text``, like SQLite, so that the
#: bytes stored are the bytes read back).
_URL = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)


def is_url(target: object) -> bool:
    """Whether a ``--db`` value names a PostgreSQL store."""
    return isinstance(target, str) and bool(_URL.match(target))


def redact(url: str) -> str:
    """The URL without its password (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = parts.username or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


class PgCursor:
    """What the store reads from a cursor: rows, ``lastrowid``, ``rowcount``."""

    def __init__(self, cursor: Any, lastrowid: int | None = None) -> None:
        self._cursor = cursor
        self.lastrowid = lastrowid

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    @property
    def description(self) -> Any:
        return self._cursor.description

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall()) if self._cursor.description else []

    def fetchmany(self, size: int = 1) -> list[Any]:
        if not self._cursor.description:
            return []
        return list(self._cursor.fetchmany(size))

    def __iter__(self) -> Iterator[Any]:
        if self._cursor.description:
            yield from self._cursor


class PgConnection:
    """A psycopg connection that takes the store's SQLite-spelled statements."""

    def __init__(self, conn: Any, identity_tables: frozenset[str]) -> None:
        self.raw = conn
        self.identity_tables = identity_tables

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> PgCursor:
        text = translate(sql)
        returning = not isinstance(params, dict) and returns_id(text, self.identity_tables)
        if returning:
            text = before_returning(text, " RETURNING id")
        cursor = self.raw.cursor()
        try:
            cursor.execute(text, _values(params) if params else None)
        except Exception as exc:
            raise _sqlite_error(exc, [params]) from exc
        if returning:
            row = cursor.fetchone()
            return PgCursor(cursor, None if row is None else int(row[0]))
        return PgCursor(cursor)

    def executemany(self, sql: str, rows: Any) -> PgCursor:
        text = translate(sql)
        cursor = self.raw.cursor()
        values = [_values(r) for r in rows]
        try:
            cursor.executemany(text, values)
        except Exception as exc:
            raise _sqlite_error(exc, values) from exc
        return PgCursor(cursor)

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()


def _values(params: Any) -> Any:
    if isinstance(params, dict):
        return params
    return [bytes(v) if isinstance(v, memoryview) else v for v in params]


def _sqlite_error(exc: Exception, params: Sequence[Any] = ()) -> Exception:
    """A PostgreSQL error as the sqlite3 error the stages already handle.

    Integrity errors (a unique key, a trigger's refusal) become
    ``sqlite3.IntegrityError``, others ``sqlite3.OperationalError``, with
    PostgreSQL's first line as the message. A text holding a NUL character,
    which PostgreSQL cannot store (only a library caller can pass one: the
    readers refuse it in files, and a command line cannot hold it), is a
    `ClaimflowError` quoting the text.
    """
    import psycopg

    nul = _nul_text(params)
    if nul is not None and isinstance(exc, psycopg.DataError):
        return ClaimflowError(
            f"{nul!r}: a NUL character (U+0000) in a value is not text the store can keep"
        )
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        # what `claimflow.store` reads as "another command holds the store"
        return sqlite3.OperationalError(f"database is locked ({message})")
    if isinstance(exc, psycopg.errors.RaiseException):
        return sqlite3.IntegrityError(message)
    if isinstance(exc, psycopg.IntegrityError):
        return sqlite3.IntegrityError(message)
    if isinstance(exc, psycopg.OperationalError):
        return sqlite3.OperationalError(message)
    if isinstance(exc, psycopg.Error):
        return sqlite3.OperationalError(f"{message} [{type(exc).__name__}]")
    return exc


def _nul_text(params: Sequence[Any]) -> str | None:
    """The first text holding a NUL character among rows of parameters."""
    for row in params:
        values = row.values() if isinstance(row, dict) else row
        for value in values or ():
            if isinstance(value, str) and "\x00" in value:
                return value
    return None


class PgDatabase:
    """The part of sqlite-utils' ``Database`` the store uses, on PostgreSQL."""

    dialect = "postgresql"

    def __init__(self, url: str, conn: Any, schema: str) -> None:
        self.url = url
        self.schema = schema
        self.conn = PgConnection(conn, frozenset())
        self._savepoints = 0

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> PgCursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> PgCursor:
        return self.conn.executemany(sql, rows)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """A savepoint inside the command's transaction (or a transaction)."""
        if not self.conn.in_transaction:
            self.conn.raw.execute("BEGIN")
            try:
                yield
            except BaseException:
                self.conn.raw.execute("ROLLBACK")
                raise
            self.conn.raw.execute("COMMIT")
            return
        self._savepoints += 1
        name = f"claimflow_{self._savepoints}"
        self.conn.raw.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.raw.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self.conn.raw.execute(f"RELEASE SAVEPOINT {name}")
            raise
        finally:
            self._savepoints -= 1
        self.conn.raw.execute(f"RELEASE SAVEPOINT {name}")

    def copy_rows(self, table: str, columns: Sequence[str], rows: Any) -> int:
        """Rows into a table through ``COPY ... FROM STDIN`` (the bulk path)."""
        names = ", ".join(columns)
        count = 0
        cursor = self.conn.raw.cursor()
        try:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        except Exception as exc:
            raise _sqlite_error(exc) from exc
        return count

    def copy_text(self, table: str, columns: Sequence[str], text: bytes) -> None:
        """Rows already in ``COPY``'s text format into a table (see
        `claimflow.store.pg_ingest.copy_text`)."""
        cursor = self.conn.raw.cursor()
        try:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(text)
        except Exception as exc:
            raise _sqlite_error(exc) from exc

    def table_names(self) -> list[str]:
        rows = self.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
            "ORDER BY table_name"
        ).fetchall()
        return [r[0] for r in rows]

    def close(self) -> None:
        self.conn.close()


def _loaders(conn: Any) -> None:
    """Values come back as SQLite gives them: whole numbers (``sum``,
    ``count``) as ``int``, fractions as ``float``, JSON as its text."""
    from psycopg.adapt import Loader

    class NumberLoader(Loader):
        def load(self, data: Any) -> int | float:
            text = bytes(data).decode()
            return float(text) if ("." in text or "e" in text.lower()) else int(text)

    class TextLoader(Loader):
        def load(self, data: Any) -> str:
            return bytes(data).decode()

    conn.adapters.register_loader("numeric", NumberLoader)
    for name in ("json", "jsonb"):
        conn.adapters.register_loader(name, TextLoader)


def open_database(url: str) -> PgDatabase:
    """Connect to a PostgreSQL store, creating or completing its schema.

    Raises:
        StoreError: psycopg is not installed, the server cannot be reached,
            or the schema holds what this release would not make.
    """
    from claimflow.errors import StoreError

    try:
        import psycopg
    except ImportError:  # pragma: no cover - a dependency
        raise StoreError(
            f"{redact(url)}: a PostgreSQL store needs psycopg (pip install 'psycopg[binary]')"
        ) from None
    try:
        try:
            raw = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
        except psycopg.OperationalError as exc:
            # Like a new SQLite file: the database is made on first use.
            if getattr(exc, "sqlstate", None) != "3D000" and not _no_database(str(exc)):
                raise
            _create_database(url)
            raw = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"{redact(url)}: cannot connect ({first})") from None
    try:
        from claimflow.store import busy_seconds

        raw.execute("SET TIME ZONE 'UTC'")
        # A writer waits this long for another's write lock (as on SQLite).
        raw.execute(f"SET lock_timeout = '{int(busy_seconds() * 1000)}ms'")
        _loaders(raw)
        row = raw.execute("SELECT current_schema()").fetchone()
        schema = str(row[0] or "") if row else ""
        if not schema:
            # Like the database: the schema the URL names is made on first use.
            schema = _create_schema(raw)
        if not schema:
            raise StoreError(
                f"{redact(url)}: no schema to hold the store (the search_path "
                "names none that exists); create it first"
            )
        db = PgDatabase(url, raw, schema)
        ensure_schema(db)
        db.conn.identity_tables = frozenset(_identity_tables(db))
    except StoreError:
        raw.close()
        raise
    except psycopg.Error as exc:
        raw.close()
        first = str(exc).strip().splitlines()[0]
        raise StoreError(f"{redact(url)}: not a usable claimflow store ({first})") from None
    return db


def _create_schema(raw: Any) -> str:
    """Create the first schema of the search_path, if one is named (not
    ``$user``); return it, or "" when none is named."""
    from psycopg import sql

    (path,) = raw.execute("SHOW search_path").fetchone()
    names = [n.strip().strip('"') for n in str(path).split(",") if n.strip()]
    names = [n for n in names if n and n != "$user"]
    if not names:
        return ""
    raw.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(names[0])))
    row = raw.execute("SELECT current_schema()").fetchone()
    return str(row[0] or "") if row else ""


def _no_database(message: str) -> bool:
    return "does not exist" in message and 'database "' in message


def _create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            pass  # another command made it first


def _identity_tables(db: PgDatabase) -> list[str]:
    rows = db.conn.raw.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND column_name = 'id' AND is_identity = 'YES'"
    ).fetchall()
    return [r[0] for r in rows]
