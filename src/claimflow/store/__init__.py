"""The store: SQLite through sqlite-utils, one file, WAL mode, migrated schema;
or the same store on a PostgreSQL server (`claimflow.store.postgres`).

Contract: `Store.open(path)` migrates the file to the current schema;
`Store.transaction()` wraps one command's writes so they land whole or not
at all; writers take typed records (claims, decisions, notices) and never
update the append-only tables (``audit_log``, ``outcomes``), which triggers
enforce. Documents are keyed by (client, content hash), so the same file is
never stored twice.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from claimflow.errors import StoreBusy, StoreError
from claimflow.models import (
    Claim,
    Participant,
    SalesClaim,
    StayClaim,
)

# Registers migrations 2-26 in order: accounts_schema (26) imports holds
# (25), which imports participants (24), which imports claims_schema (2-23).
from claimflow.store import accounts_schema as _accounts_schema  # noqa: F401

# Registers migration 29 (after partners' 28); stage_notices (below) registers
# 30, dedupe_decisions 31.
from claimflow.store import batch_reading as _batch_reading  # noqa: F401
from claimflow.store import claims_schema as _claims_schema  # noqa: F401
from claimflow.store import dedupe_decisions as _dedupe_decisions  # noqa: F401

# Registers migrations 27 and 28 (after accounts_schema's 26).
from claimflow.store import partners as _partners  # noqa: F401
from claimflow.store import postgres

# Registers migration 34 (after verify_claim's 32 and 33, which it imports).
from claimflow.store import review_decisions as _review_decisions  # noqa: F401
from claimflow.store import stage_notices as _stage_notices  # noqa: F401

# Registers migrations 32 and 33 (after dedupe_decisions' 31).
from claimflow.store import verify_claim as _verify_claim  # noqa: F401

# isort: split
# Registers migration 35 (after review_decisions' 34: it imports the modules
# of 2-34 first).
from claimflow.store import dedupe as _dedupe  # noqa: F401
from claimflow.store.batches import BatchWrites
from claimflow.store.holds import AwardHolds
from claimflow.store.lifecycle import ClaimLifecycle
from claimflow.store.participants import ParticipantImport, ParticipantRecords
from claimflow.store.pg_ingest import (
    EVENT_COLUMNS,
    CopyRows,
)
from claimflow.store.postgres import PgDatabase
from claimflow.store.rows import (
    CLAIM_JSON,
    ClaimRows,
    PackedRows,
    RawHeader,
    claim_rows,
    raw_from_data,
    raw_from_json,
    raw_header,
    raw_json,
)
from claimflow.store.schema import migrations, schema_version
from claimflow.store.verification import VerificationRows, VerificationSets

_CLAIM_MODELS: dict[str, type[SalesClaim] | type[StayClaim]] = {
    "sales": SalesClaim,
    "stay": StayClaim,
}


# Received and first response of ingested claims come from the claim and
# batch rows (batches with a processed_at); everything else is stored.
# One pass over the claims gives both derived events (the two-row table
# names them).
_EVENTS_SQL = """
SELECT claim_id, batch_id, event, at, operator FROM (
    SELECT c.id AS claim_id, c.batch_id, e.event,
           CASE e.part WHEN 0 THEN c.received_at ELSE b.processed_at END AS at,
           b.operator, e.part, c.rowid AS n
    FROM claims c CROSS JOIN batches b
    CROSS JOIN (SELECT 0 AS part, 'received' AS event
                UNION ALL SELECT 1, 'first_response') e
    WHERE b.id = c.batch_id AND c.client = ? AND b.processed_at IS NOT NULL
    UNION ALL
    SELECT claim_id, batch_id, event, at, operator, 2, id
    FROM claim_events WHERE client = ?
) AS events ORDER BY part, n
"""


def _now() -> str:
    return datetime.now(UTC).isoformat()


def busy_seconds() -> float:
    """How long a command waits for another's write lock on the store:
    ``CLAIMFLOW_BUSY_TIMEOUT`` seconds, 60 by default."""
    try:
        return max(0.0, float(os.environ.get("CLAIMFLOW_BUSY_TIMEOUT", "60")))
    except ValueError:
        return 60.0


def _busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def busy_message(path: str | Path) -> str:
    """What a command says when it gave up waiting for the store."""
    path = postgres.redact(str(path)) if postgres.is_url(path) else path
    return (
        f"{path}: the store is busy: another claimflow command has held it for "
        f"{busy_seconds():g} s; try again when it finishes "
        "(CLAIMFLOW_BUSY_TIMEOUT sets the wait)"
    )


def _refuse_foreign(db: Database, path: str | Path) -> None:
    """Refuse a SQLite database that is not a claimflow store: ``--db`` on
    another program's database made claimflow's tables beside its own (and
    switched its journal to WAL). An empty database, or one claimflow has
    migrated, is a store.

    Raises:
        StoreError: naming a few of its tables.
    """
    tables = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    ]
    if not tables or "_sqlite_migrations" in tables:
        return
    shown = ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")
    raise StoreError(
        f"{path}: a SQLite database of another program (tables {shown}), not a "
        "claimflow store: give a new file or a claimflow store"
    )


class Store(
    BatchWrites, ClaimLifecycle, ParticipantRecords, AwardHolds, VerificationSets
):
    """A claimflow SQLite store.

    Attributes:
        path: the database file (a SQLite store's; a URL is no path).
        location: what opens the store again: the file, or the URL as given.
        db: the sqlite-utils database, for the thread that opened the
            store: a store is one connection; each thread or process opens
            its own, and their writes take turns (``BEGIN IMMEDIATE``).
    """

    def __init__(self, path: str | Path, db: Database | PgDatabase) -> None:
        self.path: Path = Path(path)
        # not `str(self.path)`: a Path folds a URL's "//" into "/"
        self.location = str(path)
        #: What messages name the store by: the file, or the URL (no password).
        self.name = postgres.redact(str(path)) if postgres.is_url(path) else str(path)
        self._db: Any = db
        # one connection, for the thread that opened it (`db`)
        self._thread = threading.get_ident()
        self._pack_attached = False

    @property
    def db(self) -> Any:
        """The sqlite-utils database (or the PostgreSQL one), for the thread
        that opened the store.

        A store is one connection, and one transaction at a time on it: two
        threads sharing it would interleave their writes (SQLite refuses
        with a ``ProgrammingError`` traceback from inside a command). Each
        thread opens its own store (``Store.open(path)``), and their writes
        take turns as two processes' do.

        Raises:
            StoreError: called from a thread other than the one that opened
                the store.
        """
        if threading.get_ident() != self._thread:
            raise StoreError(
                f"{self.name}: this store was opened in another thread: a Store "
                "is one connection for the thread that opened it; open one in "
                "each thread (Store.open), and their writes take turns"
            )
        return self._db

    @db.setter
    def db(self, db: Any) -> None:
        self._db = db

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``: which backend holds this store."""
        return "postgresql" if isinstance(self._db, PgDatabase) else "sqlite"

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and migrate a store.

        Args:
            path: the SQLite file, or a PostgreSQL URL
                (``postgresql://user@host/db``; ``?options=-csearch_path=S``
                picks a schema other than ``public``).

        Returns:
            The store.

        Raises:
            StoreError: the file is not a SQLite database, or the server
                cannot be reached or holds something else.

        Example: ``store = Store.open("claimflow.db")``
        """
        if postgres.is_url(path):
            return cls(str(path), postgres.open_database(str(path)))
        try:
            db = Database(path)
            # Writers wait their turn (several clerks on one store): a command
            # that finds the store locked waits up to `busy_seconds()`.
            db.execute(f"PRAGMA busy_timeout={int(busy_seconds() * 1000)}")
            _refuse_foreign(db, path)
            # 32 KiB pages for a new file (an existing one keeps its own): a
            # batch's ~1.4 KB claim rows are written to the WAL and then into
            # the file page by page, two system calls a page; against 8 KiB
            # pages, a sixth less time storing 1,000,000 claims and 6% less
            # for the whole ingest, while dedupe and award reads of the same
            # store took the same time (measured side by side).
            db.execute("PRAGMA page_size=32768")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            # 64 MiB of page cache (default 2 MiB): a batch's inserts land in
            # several indexes at random places; a quarter less time storing.
            db.execute("PRAGMA cache_size=-65536")
            store = cls(path, db)
            with store.transaction():
                migrations.apply(db)
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise StoreBusy(busy_message(path)) from None
            raise StoreError(
                f"{path}: not a usable claimflow database ({exc})"
            ) from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path}: not a usable claimflow database ({exc})"
            ) from None
        return store

    @property
    def schema_version(self) -> int:
        """The number of migrations applied."""
        if isinstance(self.db, PgDatabase):
            return len(postgres.applied_migrations(self.db))
        return schema_version(self.db)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All writes inside land together, or none do.

        The outermost transaction takes the write lock at once (``BEGIN
        IMMEDIATE``), waiting for another command's to end, so that two
        clerks' commands run one after the other instead of one failing
        halfway with "database is locked"; inner ones are savepoints.

        Raises:
            StoreBusy: another command held the store longer than
                `busy_seconds()`.

        Example: ``with store.transaction(): store.audit("ann", "ingest", {})``
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise StoreBusy(busy_message(self.name)) from None
            if self.dialect == "postgresql":
                raise StoreError(f"{self.name}: {exc}") from None
            raise
        try:
            yield self
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def upsert_participants(self, participants: Sequence[Participant]) -> None:
        """Insert or replace participants' latest copy (the member list is
        reference data); `record_participants` also keeps their dated facts."""
        self.db.conn.executemany(
            "INSERT INTO participants (client, id, first_name, last_name, "
            "email, company, tier, enrolled_on, status, tax_form_on, tax_id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (client, id) DO UPDATE SET "
            + ", ".join(
                f"{c} = excluded.{c}"
                for c in (
                    "first_name", "last_name", "email", "company", "tier",
                    "enrolled_on", "status", "tax_form_on", "tax_id",
                )
            ),
            [
                (
                    p.client,
                    p.id,
                    p.first_name,
                    p.last_name,
                    p.email,
                    p.company,
                    p.tier,
                    p.enrolled_on.isoformat() if p.enrolled_on else None,
                    p.status,
                    p.tax_form_on.isoformat() if p.tax_form_on else None,
                    p.tax_id,
                )
                for p in participants
            ],
        )

    def add_events(
        self, rows: Sequence[tuple[str, str, int | None, str, str, str]]
    ) -> None:
        """Append claim events: (client, claim id, batch id, event, ISO instant, operator)."""
        if isinstance(self.db, PgDatabase):
            self.db.copy_rows("claim_events", EVENT_COLUMNS, rows)
            return
        self.db.conn.executemany(
            "INSERT INTO claim_events (client, claim_id, batch_id, event, at, operator) "
            "VALUES (?,?,?,?,?,?)",
            rows,
        )

    def claim_events(self, client: str) -> list[tuple[str, int | None, str, str, str]]:
        """A client's claim events, in the order they happened to each claim.

        Args:
            client: the client key.

        Returns:
            Rows (claim id, batch id, event, ISO instant, operator): the
            ``received`` and ``first_response`` events of the claims an ingest
            stored (derived from the claim and its batch), then the stored
            events in the order recorded.

        Example: ``[e[2] for e in store.claim_events("acme-tools")][:2]``
        """
        return list(self.db.execute(_EVENTS_SQL, [client, client]).fetchall())

    def audit(
        self,
        actor: str,
        action: str,
        detail: dict[str, Any],
        batch_id: int | None = None,
    ) -> None:
        """Append an audit event (who ran what, when, on which files)."""
        self.db.execute(
            "INSERT INTO audit_log (at, actor, action, batch_id, detail) "
            "VALUES (?,?,?,?,?)",
            [_now(), actor, action, batch_id, json.dumps(detail, default=str)],
        )

    def raw_headers(self) -> dict[str, str]:
        """What stored raw records share, by digest: their file's header names
        (and, for records stored by this release, the file name and the keys
        of their values), as JSON (see `raw_from_json`).

        Example: ``raw_from_json(text, store.raw_headers(), document_hash)``
        """
        return dict(self.db.execute("SELECT digest, field_sources FROM raw_headers"))

    def claims(
        self, rest: str, params: Sequence[object] = (), chunk: int = 20_000
    ) -> Iterator[list[Claim]]:
        """Stored claims, whole (`CLAIM_JSON`), typed by their kind, in chunks.

        Args:
            rest: what follows ``SELECT ... FROM claims c``: joins, ``WHERE``
                and ``ORDER BY``, naming the claims table ``c``.
            params: the values of its placeholders.
            chunk: claims per list yielded.

        Example: ``next(store.claims("WHERE c.batch_id = ? ORDER BY c.rowid", [1]))``
        """
        cursor = self.db.execute(
            f"SELECT c.kind, {CLAIM_JSON} FROM claims c {rest}", list(params)
        )
        while rows := cursor.fetchmany(chunk):
            yield [_CLAIM_MODELS[kind].model_validate_json(text) for kind, text in rows]

    def count(self, table: str) -> int:
        """Rows in a table (for summaries and tests)."""
        return int(self.db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0])


__all__ = [
    "CLAIM_JSON",
    "ClaimRows",
    "CopyRows",
    "PackedRows",
    "ParticipantImport",
    "RawHeader",
    "Store",
    "VerificationRows",
    "claim_rows",
    "migrations",
    "raw_from_data",
    "raw_from_json",
    "raw_header",
    "raw_json",
    "schema_version",
]
