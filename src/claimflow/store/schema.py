"""Schema migrations: one ``@migrations()`` function per schema change.

Never edit a released migration: add a new one. The applied list lives in
sqlite-utils' ``_sqlite_migrations`` table, so the schema version of any
store can be read back (`schema_version`).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("claimflow")

APPEND_ONLY = (
    "CREATE TRIGGER {table}_no_{verb} BEFORE {verb} ON {table} BEGIN SELECT "
    "RAISE(ABORT, '{table} is append-only: add a correcting entry'); END"
)


def run_script(db: Database, script: str) -> None:
    # executescript() would COMMIT the surrounding transaction first; running
    # statement by statement keeps a migration inside the command's transaction.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_initial(db: Database) -> None:
    """Batches, documents, claims, lines, problems, outcomes, notices, audit log."""
    run_script(
        db,
        """
        CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            operator TEXT NOT NULL,
            started_at TEXT NOT NULL,
            config_path TEXT NOT NULL,
            records INTEGER NOT NULL DEFAULT 0,
            summary TEXT
        );
        CREATE TABLE documents (
            hash TEXT PRIMARY KEY,
            client TEXT NOT NULL,
            file_name TEXT NOT NULL,
            size INTEGER NOT NULL,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            records INTEGER NOT NULL
        );
        CREATE TABLE claims (
            id TEXT PRIMARY KEY,
            client TEXT NOT NULL,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            document_hash TEXT NOT NULL,
            kind TEXT NOT NULL,
            participant_id TEXT,
            received_at TEXT NOT NULL,
            activity_date TEXT,
            outcome TEXT NOT NULL,
            source TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX claims_batch ON claims(batch_id);
        CREATE INDEX claims_participant ON claims(client, participant_id);
        CREATE TABLE claim_lines (
            claim_id TEXT NOT NULL REFERENCES claims(id),
            line_no INTEGER NOT NULL,
            sku TEXT,
            quantity INTEGER,
            unit_price TEXT,
            line_total TEXT,
            serial_numbers TEXT,
            PRIMARY KEY (claim_id, line_no)
        ) WITHOUT ROWID;
        CREATE TABLE problems (
            id INTEGER PRIMARY KEY,
            claim_id TEXT NOT NULL REFERENCES claims(id),
            batch_id INTEGER NOT NULL,
            code TEXT NOT NULL,
            field TEXT,
            source TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX problems_claim ON problems(claim_id);
        CREATE TABLE outcomes (
            id INTEGER PRIMARY KEY,
            claim_id TEXT NOT NULL REFERENCES claims(id),
            batch_id INTEGER NOT NULL,
            stage TEXT NOT NULL,
            outcome TEXT NOT NULL,
            decided_at TEXT NOT NULL
        );
        CREATE INDEX outcomes_claim ON outcomes(claim_id);
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            participant_id TEXT NOT NULL,
            language TEXT NOT NULL,
            claim_ids TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            batch_id INTEGER,
            detail TEXT NOT NULL
        );
        """,
    )
    for table in ("audit_log", "outcomes"):
        for verb in ("update", "delete"):
            db.execute(APPEND_ONLY.format(table=table, verb=verb))


def schema_version(db: Database) -> int:
    """How many claimflow migrations this store has applied."""
    return len(migrations.applied(db))
