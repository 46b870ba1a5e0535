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

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from claimflow.errors import ClaimflowError

#: The advisory lock key every writing transaction takes (``claimflow`` in
#: ASCII, as a 64-bit number).
WRITE_LOCK = 0x636C61696D666C6F

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


# --------------------------------------------------------------------------
# SQL translation


_STRING = re.compile(r"'(?:[^']|'')*'")
_GLOB = re.compile(r"(\bNOT\s+)?\bGLOB\s+('(?:[^']|'')*')", re.IGNORECASE)
_GROUP_CONCAT = re.compile(
    r"\bgroup_concat\(\s*(DISTINCT\s+)?([^(),]+(?:\([^()]*\))?)\s*(?:,\s*('[^']*'))?\)",
    re.IGNORECASE,
)


def _glob_regex(pattern: str) -> str:
    """A GLOB pattern as an anchored POSIX regular expression (same text)."""
    out = ["^"]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("]", "^") else i + 1)
            if pattern[i + 1 : i + 3] == "^]":
                end = pattern.find("]", i + 3)
            out.append(pattern[i : end + 1])
            i = end
        else:
            out.append(re.escape(ch))
        i += 1
    out.append("$")
    return "".join(out)


def _code_parts(sql: str) -> Iterator[tuple[bool, str]]:
    """The statement as (is code, text) pieces: string literals apart."""
    last = 0
    for match in _STRING.finditer(sql):
        yield True, sql[last : match.start()]
        yield False, match.group()
        last = match.end()
    yield True, sql[last:]


def _params_and_names(code: str) -> str:
    code = code.replace("%", "%%")
    code = re.sub(r"\?", "%s", code)
    code = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", code)
    code = re.sub(r"\[(\w+)\]", r'"\1"', code)
    code = re.sub(r"\btemp\.", "pg_temp.", code)
    code = re.sub(r"\bAS\s+INTEGER\)", "AS bigint)", code, flags=re.IGNORECASE)
    code = re.sub(r"\bAS\s+REAL\)", "AS float8)", code, flags=re.IGNORECASE)
    code = re.sub(
        r"\bINTEGER\s+PRIMARY\s+KEY\b",
        "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        code,
        flags=re.IGNORECASE,
    )
    return code


#: `claimflow.store.rows.CLAIM_JSON` spliced as text: the claim's JSON is
#: not parsed (PostgreSQL's JSON cannot hold every string SQLite keeps).
_CLAIM_JSON = (
    "claimflow_claim_json(c.data, c.id, c.client, c.kind, c.participant_id, c.received_at)"
)


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """A statement written for SQLite, as PostgreSQL writes it.

    Example: ``translate("SELECT x FROM t WHERE a = ?") == "SELECT x FROM t WHERE a = %s"``
    """
    from claimflow.store.rows import CLAIM_JSON

    sql = sql.replace(CLAIM_JSON, _CLAIM_JSON)
    stripped = sql.strip()
    upper = stripped[:20].upper()
    if upper.startswith("BEGIN IMMEDIATE"):
        return f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
    sql = _GLOB.sub(
        lambda m: ("!~ " if m.group(1) else "~ ")
        + "'"
        + _glob_regex(m.group(2)[1:-1].replace("''", "'")).replace("'", "''")
        + "'",
        sql,
    )
    sql = _GROUP_CONCAT.sub(
        lambda m: f"string_agg({m.group(1) or ''}({m.group(2)})::text, "
        f"{m.group(3) or chr(39) + ',' + chr(39)})",
        sql,
    )
    ignore = re.match(r"\s*INSERT\s+OR\s+IGNORE\s+", sql, re.IGNORECASE)
    if ignore:
        sql = "INSERT " + sql[ignore.end() :]
    parts = [
        _params_and_names(text) if code else text.replace("%", "%%")
        for code, text in _code_parts(sql)
    ]
    out = "".join(parts)
    if ignore:
        out = _before_returning(out, " ON CONFLICT DO NOTHING")
    return out


def _before_returning(sql: str, clause: str) -> str:
    match = re.search(r"\bRETURNING\b", sql, re.IGNORECASE)
    if match is None:
        return sql.rstrip().rstrip(";") + clause
    return sql[: match.start()] + clause.strip() + " " + sql[match.start() :]


_INSERT_INTO = re.compile(r"^\s*INSERT\s+INTO\s+\"?(\w+)\"?", re.IGNORECASE)


@lru_cache(maxsize=2048)
def _returns_id(text: str, identity_tables: frozenset[str]) -> bool:
    """Whether a translated statement is a one-row INSERT into a table with an
    identity id, which answers ``lastrowid`` through ``RETURNING id`` (once
    per statement text, as `translate`)."""
    table = _INSERT_INTO.match(text)
    upper = text.upper()
    return (
        table is not None
        and table.group(1) in identity_tables
        and "RETURNING" not in upper
        and "SELECT" not in upper
    )


def sqlite_value(text: object) -> object:
    """A JSON value read as JSON text (``->``), as SQLite's ``->>`` gives it.

    PostgreSQL's ``->>`` (`FUNCTIONS`) gives text whatever the JSON type;
    where Python looks at the type (a quantity must be an ``int``), a
    statement reads ``->`` and this types it: numbers as ``int`` or
    ``float``, ``true``/``false`` as 1/0, ``null`` as None, arrays and
    objects as their compact JSON text.

    Example: ``sqlite_value("2") == 2`` and ``sqlite_value('"2"') == "2"``
    """
    if text is None:
        return None
    value = json.loads(str(text))
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


# --------------------------------------------------------------------------
# Connection


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
        returning = not isinstance(params, dict) and _returns_id(text, self.identity_tables)
        if returning:
            text = _before_returning(text, " RETURNING id")
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


# --------------------------------------------------------------------------
# Schema

#: SQLite's built-in functions that the store's SQL uses, with SQLite's
#: meaning, for JSON kept as text. Created in the store's schema.
FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION claimflow_path(p text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p = '$' THEN ARRAY[]::text[] ELSE string_to_array(
    regexp_replace(regexp_replace(substr(p, 2), '\[(\d+)\]', '.\1', 'g'), '^\.', ''),
    '.') END
$$;
CREATE OR REPLACE FUNCTION claimflow_scalar(e json) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE json_typeof(e) WHEN 'string' THEN e #>> '{}' WHEN 'null' THEN NULL
         WHEN 'boolean' THEN CASE WHEN e::text = 'true' THEN '1' ELSE '0' END
         ELSE e::text END
$$;
CREATE OR REPLACE FUNCTION json_extract(t text, p text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT claimflow_scalar(t::json #> claimflow_path(p)) $$;
CREATE OR REPLACE FUNCTION json_extract(t text, p1 text, p2 text, VARIADIC ps text[])
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT json_agg(t::json #> claimflow_path(p) ORDER BY n)::text
  FROM unnest(ARRAY[p1, p2] || ps) WITH ORDINALITY AS x(p, n)
$$;
CREATE OR REPLACE FUNCTION json_each(t text) RETURNS TABLE(key bigint, value text, type text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT n - 1, claimflow_scalar(e), json_typeof(e)
  FROM json_array_elements(CASE WHEN json_typeof(t::json) = 'array' THEN t::json
                                ELSE '[]'::json END) WITH ORDINALITY AS a(e, n)
  UNION ALL
  -- an object's members (their names are not kept: no claimflow statement
  -- walks an object), and a lone value as one row, as SQLite gives them
  SELECT NULL, claimflow_scalar(m.value), json_typeof(m.value)
  FROM json_each(CASE WHEN json_typeof(t::json) = 'object' THEN t::json
                      ELSE '{}'::json END) AS m
  UNION ALL
  SELECT NULL, claimflow_scalar(t::json), json_typeof(t::json)
  WHERE json_typeof(t::json) NOT IN ('array', 'object')
$$;
CREATE OR REPLACE FUNCTION json_each(t text, p text)
RETURNS TABLE(key bigint, value text, type text) LANGUAGE sql IMMUTABLE AS $$
  SELECT * FROM json_each((t::json #> claimflow_path(p))::text) $$;
CREATE OR REPLACE FUNCTION claimflow_get(t text, k text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN left(k, 1) = '$' THEN claimflow_scalar(t::json #> claimflow_path(k))
              WHEN json_typeof(t::json) = 'object' THEN claimflow_scalar(t::json -> k) END
$$;
CREATE OR REPLACE FUNCTION claimflow_get(t text, k integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN json_typeof(t::json) = 'array' THEN claimflow_scalar(t::json -> k) END
$$;
DO $$ BEGIN  -- once: a view depends on them (their functions are replaced above)
  IF NOT EXISTS (SELECT 1 FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
                 WHERE n.nspname = current_schema() AND o.oprname = '->>'
                   AND o.oprright = 'integer'::regtype) THEN
    CREATE OPERATOR ->> (LEFTARG = text, RIGHTARG = text, FUNCTION = claimflow_get);
    CREATE OPERATOR ->> (LEFTARG = text, RIGHTARG = integer, FUNCTION = claimflow_get);
  END IF;
END $$;
CREATE OR REPLACE FUNCTION json_set(t text, VARIADIC kv text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE j jsonb := t::jsonb;
BEGIN
  FOR i IN 1 .. coalesce(array_length(kv, 1), 0) BY 2 LOOP
    j := jsonb_set(j, claimflow_path(kv[i]), coalesce(to_jsonb(kv[i + 1]), 'null'::jsonb), true);
  END LOOP;
  RETURN j::text;
END $$;
CREATE OR REPLACE FUNCTION json_type(t text, p text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE json_typeof(t::json #> claimflow_path(p))
    WHEN 'string' THEN 'text' WHEN 'boolean' THEN (t::json #>> claimflow_path(p))
    WHEN 'number' THEN CASE WHEN (t::json #>> claimflow_path(p)) ~ '^-?[0-9]+$'
                            THEN 'integer' ELSE 'real' END
    ELSE json_typeof(t::json #> claimflow_path(p)) END
$$;
CREATE OR REPLACE FUNCTION json_array_length(t text, p text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN json_typeof(t::json #> claimflow_path(p)) = 'array'
              THEN json_array_length(t::json #> claimflow_path(p)) ELSE 0 END
$$;
CREATE OR REPLACE FUNCTION claimflow_json_at(t text, k text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN left(k, 1) = '$' THEN (t::json #> claimflow_path(k))::text
              WHEN json_typeof(t::json) = 'object' THEN (t::json -> k)::text END
$$;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
                 WHERE n.nspname = current_schema() AND o.oprname = '->'
                   AND o.oprleft = 'text'::regtype) THEN
    CREATE OPERATOR -> (LEFTARG = text, RIGHTARG = text, FUNCTION = claimflow_json_at);
  END IF;
END $$;
CREATE OR REPLACE FUNCTION claimflow_claim_json(
  d text, id text, client text, kind text, participant text, received text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT '{"id":' || to_json(id)::text || ',"client":' || to_json(client)::text
      || ',"kind":' || to_json(kind)::text
      || ',"participant_id":' || coalesce(to_json(participant)::text, 'null')
      || ',"received_at":' || to_json(received)::text
      || CASE WHEN btrim(d) = '{}' THEN '}' ELSE ',' || substr(btrim(d), 2) END
$$;
CREATE OR REPLACE FUNCTION date(d text, m text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN to_char((d::timestamptz AT TIME ZONE 'UTC') + m::interval, 'YYYY-MM-DD');
EXCEPTION WHEN others THEN RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION round(x float8, n integer) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT round(x::numeric, n)::float8 $$;
CREATE OR REPLACE FUNCTION unixepoch(d text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN floor(extract(epoch FROM d::timestamptz))::bigint;
EXCEPTION WHEN others THEN RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION date(d text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN to_char(d::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD');
EXCEPTION WHEN others THEN RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION min(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE least(a, b) END $$;
CREATE OR REPLACE FUNCTION max(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE greatest(a, b) END $$;
CREATE OR REPLACE FUNCTION ifnull(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(a, b) $$;
CREATE OR REPLACE FUNCTION instr(a text, b text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT strpos(a, b) $$;
DO $$ BEGIN
  IF to_regprocedure(current_schema() || '.total(float8)') IS NULL THEN
    CREATE AGGREGATE total(float8) (SFUNC = float8pl, STYPE = float8, INITCOND = '0');
  END IF;
END $$;
CREATE OR REPLACE FUNCTION claimflow_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: add a correcting entry', TG_TABLE_NAME
    USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE OR REPLACE FUNCTION claimflow_references() RETURNS trigger
LANGUAGE plpgsql
-- one index probe per new row, never a scan of the table referred to (the
-- claims, a million rows, for each chunk's 10,000 outcomes)
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE missing text;
BEGIN
  -- TG_ARGV: the column, the table it refers to, that table's key
  IF TG_LEVEL = 'ROW' THEN  -- an update that changes the column
    EXECUTE format('SELECT ($1).%1$I::text WHERE NOT EXISTS '
                   '(SELECT 1 FROM %4$I.%2$I p WHERE p.%3$I = ($1).%1$I)',
                   TG_ARGV[0], TG_ARGV[1], TG_ARGV[2], TG_TABLE_SCHEMA)
      USING NEW INTO missing;
  ELSE EXECUTE format(
    'SELECT n.%1$I::text FROM claimflow_new n WHERE n.%1$I IS NOT NULL AND NOT EXISTS '
    '(SELECT 1 FROM %4$I.%2$I p WHERE p.%3$I = n.%1$I) LIMIT 1',
    TG_ARGV[0], TG_ARGV[1], TG_ARGV[2], TG_TABLE_SCHEMA) INTO missing;
  END IF;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key: %=% is not in "%"',
      TG_TABLE_NAME, TG_ARGV[0], missing, TG_ARGV[1]
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION claimflow_referenced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE i integer := 0; found boolean;
BEGIN
  -- TG_ARGV: this table's key, then pairs (table, column) that refer to it
  WHILE i + 2 < array_length(TG_ARGV, 1) + 1 LOOP
    -- waits for writers of the referring table, so none adds a row that
    -- refers to this one after the look below (the check a foreign key's
    -- row lock makes)
    EXECUTE format('LOCK TABLE %I.%I IN SHARE MODE', TG_TABLE_SCHEMA, TG_ARGV[i + 1]);
    IF TG_OP = 'TRUNCATE' THEN
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_ARGV[i + 1])
        INTO found;
    ELSE
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I WHERE %I = ($1).%I)',
                     TG_TABLE_SCHEMA, TG_ARGV[i + 1], TG_ARGV[i + 2], TG_ARGV[0])
        USING OLD INTO found;
    END IF;
    IF found THEN
      RAISE EXCEPTION 'update or delete on table "%" violates foreign key: "%" refers to it',
        TG_TABLE_NAME, TG_ARGV[i + 1] USING ERRCODE = 'foreign_key_violation';
    END IF;
    i := i + 2;
  END LOOP;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;  -- NULL for a statement's trigger (TRUNCATE)
END $$;
"""

#: Foreign keys of the tables ingest fills with ``COPY``, checked once per
#: statement (one anti-join over the statement's new rows) instead of by a
#: foreign key, whose check is a query per row: on 100,000 claims the
#: claims' and outcomes' checks cost the server 1.8 s of its 6.9 s
#: (``EXPLAIN ANALYZE``). The table referred to refuses a delete, or a change
#: of its key, while a row refers to it, as the foreign key does.
STATEMENT_CHECKED = frozenset({("claims", "batch_id"), ("outcomes", "claim_id"),
                               ("problems", "claim_id")})  # fmt: skip

#: ``claim_lines`` (a view over the claims' typed lines), as PostgreSQL writes it.
CLAIM_LINES_VIEW = """
CREATE VIEW claim_lines AS
SELECT c.id AS claim_id, l.key + 1 AS line_no,
       l.value ->> 'sku' AS sku, l.value ->> 'quantity' AS quantity,
       l.value ->> 'unit_price' AS unit_price, l.value ->> 'line_total' AS line_total,
       coalesce((SELECT string_agg(s.value, ' ' ORDER BY s.key)
                 FROM json_each(l.value, '$.serial_numbers') s), '') AS serial_numbers
FROM claims c, json_each(c.data, '$.lines') l
"""

#: Text compares byte by byte, as SQLite's does, whatever the database's own
#: collation: under a language's (en_US) punctuation is ignored at first, so
#: "09:14+05:00" sorted after "09:14-04:00" there and before it on SQLite
#: (award order, reports), and JSON read out of a column (``->>``) keeps its
#: column's collation.
_TYPES = {
    "INTEGER": "bigint", "TEXT": 'text COLLATE "C"', "REAL": "float8", "": 'text COLLATE "C"'
}  # fmt: skip


@lru_cache(maxsize=1)
def reference_ddl() -> dict[str, list[str]]:
    """`schema_ddl` of this release's schema (made once per process)."""
    return schema_ddl(_reference_schema())


def _reference_schema() -> sqlite3.Connection:
    """A new SQLite store in memory, migrated: the schema to translate."""
    from sqlite_utils import Database

    from claimflow.store.schema import migrations

    db = Database(memory=True)
    migrations.apply(db)
    return db.conn


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_ddl(ref: sqlite3.Connection, table: str) -> dict[str, list[str]]:
    """A table's ``CREATE TABLE`` and each column's ``ADD COLUMN``."""
    out: dict[str, list[str]] = {}
    cols = ref.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
    pk = [c for c in sorted(cols, key=lambda c: c[5]) if c[5]]
    fks = {
        row[3]: (row[2], row[4])
        for row in ref.execute(f"PRAGMA foreign_key_list({_quote(table)})")
    }
    integer_id = len(pk) == 1 and pk[0][2].upper() == "INTEGER"
    defs = []
    for _cid, name, kind, notnull, default, _pk in cols:
        if integer_id and name == pk[0][1]:
            col = f"{_quote(name)} bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        else:
            col = f"{_quote(name)} {_TYPES.get(kind.upper(), _TYPES['TEXT'])}"
            col += " NOT NULL" if notnull else ""
            col += f" DEFAULT {default}" if default is not None else ""
        if name in fks and (table, name) not in STATEMENT_CHECKED:
            col += f" REFERENCES {_quote(fks[name][0])}({_quote(fks[name][1])})"
        defs.append(col)
        out[f"column:{table}.{name}"] = [f"ALTER TABLE {_quote(table)} ADD COLUMN {col}"]
    if integer_id:
        defs.append(f"rowid bigint GENERATED ALWAYS AS ({_quote(pk[0][1])}) STORED")
    else:
        # A ``WITHOUT ROWID`` table has no order but its key's, on SQLite
        # too (nothing reads a rowid of it): one index less per row.
        (sql,) = ref.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
        ).fetchone()
        if not re.search(r"\bWITHOUT\s+ROWID\s*$", sql, re.IGNORECASE):
            defs.append("rowid bigint GENERATED BY DEFAULT AS IDENTITY UNIQUE")
        if pk:
            defs.append("PRIMARY KEY (" + ", ".join(_quote(c[1]) for c in pk) + ")")
    for _seq, index, unique, origin, _partial in ref.execute(
        f"PRAGMA index_list({_quote(table)})"
    ):
        if unique and origin == "u":
            names = [r[2] for r in ref.execute(f"PRAGMA index_info({_quote(index)})")]
            defs.append("UNIQUE (" + ", ".join(map(_quote, names)) + ")")
    out[f"table:{table}"] = [
        f"CREATE TABLE {_quote(table)} (\n  " + ",\n  ".join(defs) + "\n)"
    ]
    return out


def schema_ddl(ref: sqlite3.Connection) -> dict[str, list[str]]:
    """The PostgreSQL statements of each object of the SQLite schema.

    Keys: ``table:NAME``, ``column:TABLE.NAME`` (an ``ALTER TABLE ADD``),
    ``index:NAME``, ``trigger:NAME``, ``view:NAME``. Every table gets a
    ``rowid`` (the statements order rows by it, as SQLite's): the ``id``
    itself where the table has an integer key, else its own identity.
    """
    out: dict[str, list[str]] = {}
    tables = ref.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations' ORDER BY rowid"
    ).fetchall()
    for (table,) in tables:
        out.update(_table_ddl(ref, table))
    for name, sql in ref.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name != '_sqlite_migrations' ORDER BY rowid"
    ):
        out[f"index:{name}"] = [sql]
    for name, table in ref.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY rowid"
    ):
        verb = name.rsplit("_no_", 1)[-1]
        if verb in ("update", "delete"):
            out[f"trigger:{name}"] = [
                f"CREATE TRIGGER {_quote(name)} BEFORE {verb.upper()} ON {_quote(table)} "
                "FOR EACH ROW EXECUTE FUNCTION claimflow_append_only()"
            ]
        # ``_no_replace`` guards SQLite's INSERT OR REPLACE, which PostgreSQL
        # does not have: a plain INSERT of an existing key is refused anyway.
    out.update(_statement_checks(ref))
    views = ref.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall()
    for (name,) in views:
        if name != "claim_lines":
            raise RuntimeError(f"no PostgreSQL form of the view {name}")
        out["view:claim_lines"] = [CLAIM_LINES_VIEW]
    for name, table in ref.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' "
        "AND name LIKE '%\\_no\\_delete' ESCAPE '\\' ORDER BY rowid"
    ):
        truncate = name.rsplit("_no_", 1)[0] + "_no_truncate"
        out[f"trigger:{truncate}"] = [
            f"CREATE TRIGGER {_quote(truncate)} BEFORE TRUNCATE ON {_quote(table)} "
            "FOR EACH STATEMENT EXECUTE FUNCTION claimflow_append_only()"
        ]
    return out


def _statement_checks(ref: sqlite3.Connection) -> dict[str, list[str]]:
    """The triggers that stand for the `STATEMENT_CHECKED` foreign keys."""
    out: dict[str, list[str]] = {}
    referred: dict[tuple[str, str], list[str]] = {}
    for table, column in sorted(STATEMENT_CHECKED):
        parent, key = next(
            (row[2], row[4])
            for row in ref.execute(f"PRAGMA foreign_key_list({_quote(table)})")
            if row[3] == column
        )
        args = f"'{column}', '{parent}', '{key}'"
        out[f"trigger:{table}_{column}_refs"] = [
            f"CREATE TRIGGER {_quote(f'{table}_{column}_refs')} AFTER INSERT ON "
            f"{_quote(table)} REFERENCING NEW TABLE AS claimflow_new "
            f"FOR EACH STATEMENT EXECUTE FUNCTION claimflow_references({args})"
        ]
        out[f"trigger:{table}_{column}_refs_update"] = [
            f"CREATE TRIGGER {_quote(f'{table}_{column}_refs_update')} BEFORE UPDATE ON "
            f"{_quote(table)} FOR EACH ROW WHEN (OLD.{_quote(column)} IS DISTINCT FROM "
            f"NEW.{_quote(column)}) EXECUTE FUNCTION claimflow_references({args})"
        ]
        referred.setdefault((parent, key), []).extend([f"'{table}'", f"'{column}'"])
    for (parent, key), children in referred.items():
        args = ", ".join([f"'{key}'", *children])
        name = f"{parent}_referenced"
        out[f"trigger:{name}"] = [
            f"CREATE TRIGGER {_quote(name)} BEFORE DELETE ON {_quote(parent)} "
            f"FOR EACH ROW EXECUTE FUNCTION claimflow_referenced({args})"
        ]
        out[f"trigger:{name}_update"] = [
            f"CREATE TRIGGER {_quote(name + '_update')} BEFORE UPDATE ON {_quote(parent)} "
            f"FOR EACH ROW WHEN (OLD.{_quote(key)} IS DISTINCT FROM NEW.{_quote(key)}) "
            f"EXECUTE FUNCTION claimflow_referenced({args})"
        ]
        out[f"trigger:{name}_truncate"] = [
            f"CREATE TRIGGER {_quote(name + '_truncate')} BEFORE TRUNCATE ON "
            f"{_quote(parent)} FOR EACH STATEMENT EXECUTE FUNCTION claimflow_referenced({args})"
        ]
    return out


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


def migration_names() -> list[str]:
    """The migrations this release has, by name, in order."""
    from claimflow.store.schema import migrations

    return [m.name for m in migrations._migrations]


def applied_migrations(db: PgDatabase) -> list[str]:
    """The migrations a PostgreSQL store holds."""
    rows = db.conn.raw.execute(
        "SELECT name FROM claimflow_migrations WHERE name NOT LIKE 'pg:%' "
        "ORDER BY applied_at, name"
    ).fetchall()
    return [r[0] for r in rows]


def _functions_mark() -> str:
    """What `claimflow_migrations` records of this release's `FUNCTIONS`."""
    import hashlib

    return "pg:functions:" + hashlib.sha256(FUNCTIONS.encode()).hexdigest()[:16]


def _functions_current(db: PgDatabase) -> bool:
    row = db.conn.raw.execute(
        "SELECT 1 FROM claimflow_migrations WHERE name = %s", [_functions_mark()]
    ).fetchone()
    return row is not None


def _refuse_foreign(db: PgDatabase) -> None:
    """Refuse a schema holding another program's tables and no claimflow
    store (as `claimflow.store` refuses such a SQLite file): claimflow's
    tables would be made beside them.

    Raises:
        StoreError: naming the schema and a few of its tables.
    """
    from claimflow.errors import StoreError

    rows = db.conn.raw.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() ORDER BY table_name"
    ).fetchall()
    tables = [str(r[0]) for r in rows]
    if not tables:
        return
    shown = ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")
    raise StoreError(
        f"{redact(db.url)}: schema {db.schema} holds another program's tables "
        f"({shown}), not a claimflow store: name an empty schema "
        "(options=-csearch_path=claimflow) or a new database"
    )


def ensure_schema(db: PgDatabase) -> None:
    """Create the store's schema, or add what a newer release has and it lacks.

    Done under a lock of its own, in one transaction: two commands opening
    a new store at once make it once.
    """
    from claimflow.errors import StoreError

    raw = db.conn.raw
    names = migration_names()
    exists = raw.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_name = 'claimflow_migrations'"
    ).fetchone()
    if exists and len(applied_migrations(db)) >= len(names) and _functions_current(db):
        unknown = set(applied_migrations(db)) - set(names)
        if unknown:
            raise StoreError(
                f"{redact(db.url)}: the store was made by a newer claimflow "
                f"(migrations {', '.join(sorted(unknown))}); upgrade claimflow"
            )
        return
    if not exists:
        _refuse_foreign(db)
    with raw.transaction():
        raw.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK + 1})")
        raw.execute(
            "CREATE TABLE IF NOT EXISTS claimflow_migrations "
            "(name text PRIMARY KEY, applied_at text NOT NULL)"
        )
        done = set(applied_migrations(db))
        stamp = _now_text(raw)
        if not _functions_current(db):
            # SQLite's functions as this release writes them (a store made
            # by an earlier release gets the corrected ones)
            raw.execute(FUNCTIONS)
            raw.execute("DELETE FROM claimflow_migrations WHERE name LIKE 'pg:functions:%'")
            raw.execute(
                "INSERT INTO claimflow_migrations (name, applied_at) VALUES (%s, %s)",
                [_functions_mark(), stamp],
            )
        if len(done) >= len(names):
            return
        _apply_ddl(db)
        for name in names:
            if name not in done:
                raw.execute(
                    "INSERT INTO claimflow_migrations (name, applied_at) VALUES (%s, %s)",
                    [name, stamp],
                )


def _now_text(raw: Any) -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()


def _apply_ddl(db: PgDatabase) -> None:
    from claimflow.errors import StoreError

    raw = db.conn.raw
    ddl = reference_ddl()
    tables = {
        r[0]
        for r in raw.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()"
        )
    }
    columns = {
        (r[0], r[1])
        for r in raw.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
    }
    indexes = {
        r[0]
        for r in raw.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        )
    }
    triggers = {
        r[0]
        for r in raw.execute(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT t.tgisinternal"
        )
    }
    made: set[str] = set()
    wanted_columns = set()
    script = []
    for key, statements in ddl.items():
        kind, _, name = key.partition(":")
        if kind == "table" and name not in tables:
            made.add(name)
            script += statements
        elif kind == "column":
            table, _, column = name.partition(".")
            wanted_columns.add((table, column))
    for key, statements in ddl.items():
        kind, _, name = key.partition(":")
        present = (
            (kind == "column" and (tuple(name.split(".", 1)) in columns
                                   or name.split(".", 1)[0] in made))
            or (kind == "index" and name in indexes)
            or (kind == "trigger" and name in triggers)
            or (kind == "view" and name in tables)
            or kind == "table"
        )
        if not present:
            script += statements
    raw.execute(";\n".join(script))
    extra = sorted(
        f"{t}.{c}"
        for t, c in columns
        if t in {k.partition(":")[2] for k in ddl if k.startswith("table:")}
        and (t, c) not in wanted_columns
        and c != "rowid"
    )
    if extra:
        raise StoreError(
            f"{redact(db.url)}: the store has columns this release does not "
            f"know ({', '.join(extra)}); it needs a migration written for PostgreSQL"
        )
