"""Migrations 20 onward: how the claims' own rows are kept.

Registered after `claimflow.store.ledger_schema` (migrations 2-19), which
this module imports first, so that `sqlite_utils.migrations.Migrations`
applies them in their numbered order.
"""

from __future__ import annotations

from sqlite_utils import Database

from claimflow.store import ledger_schema as _earlier  # noqa: F401 (registers 2-19)
from claimflow.store.schema import migrations

#: A claim's lines as rows, read from the claim as typed (``claims.data``).
CLAIM_LINES_VIEW = """
CREATE VIEW claim_lines AS
SELECT c.id AS claim_id,
       l.key + 1 AS line_no,
       l.value ->> 'sku' AS sku,
       l.value ->> 'quantity' AS quantity,
       l.value ->> 'unit_price' AS unit_price,
       l.value ->> 'line_total' AS line_total,
       coalesce((SELECT group_concat(s.value, ' ')
                 FROM json_each(l.value, '$.serial_numbers') s), '') AS serial_numbers
FROM claims c, json_each(c.data, '$.lines') l
"""


@migrations()
def m020_claim_lines_view(db: Database) -> None:
    """``claim_lines`` becomes a view over the claims' typed lines.

    Every ingest wrote each line a second time (its claim's ``data`` holds
    it), checked its foreign key and kept a B-tree of them, while no
    command reads the table: the view gives the same columns and rows,
    read from ``claims.data``, for anyone who queries it.
    """
    db.execute("DROP TABLE claim_lines")
    db.execute(CLAIM_LINES_VIEW)


@migrations()
def m021_claim_links(db: Database) -> None:
    """``claim_links``: a claim that supersedes another (a participant's
    corrected resubmission of a pended claim), both ways, with who and when.
    Append-only, like the other records of decisions."""
    from claimflow.store.schema import APPEND_ONLY

    db.execute(
        "CREATE TABLE claim_links (id INTEGER PRIMARY KEY, client TEXT NOT NULL, "
        "claim_id TEXT NOT NULL, supersedes TEXT NOT NULL, at TEXT NOT NULL, "
        "actor TEXT NOT NULL, UNIQUE (claim_id, supersedes))"
    )
    db.execute("CREATE INDEX claim_links_supersedes ON claim_links(supersedes)")
    for verb in ("update", "delete"):
        db.execute(APPEND_ONLY.format(table="claim_links", verb=verb))


#: Tables whose rows are never changed or removed once written.
APPEND_ONLY_TABLES = (
    "audit_log",
    "outcomes",
    "awards",
    "ledger",
    "ledger_allocations",
    "claim_events",
    "entry_checks",
    "verifications",
    "entry_errors",
    "claim_matches",
    "claim_links",
    "participant_facts",
    "award_holds",
)


@migrations()
def m022_append_only_against_replace(db: Database) -> None:
    """Append-only tables refuse ``INSERT OR REPLACE`` of an existing row.

    REPLACE removes the row in its way without firing DELETE triggers
    (unless ``recursive_triggers`` is on, which a plain ``sqlite3`` shell
    leaves off): 20 points became 999,999 that way. A BEFORE INSERT trigger
    refuses a row whose rowid or any unique key is already taken, which a
    plain INSERT would be refused for anyway.
    """
    for table in APPEND_ONLY_TABLES:
        # A table a later migration creates is guarded by that migration.
        if db[table].exists():
            refuse_replace(db, table)


def refuse_replace(db: Database, table: str) -> None:
    """Make `table` refuse an INSERT that would replace a row (see migration 22)."""
    keys = ["rowid"] + [
        " AND ".join(f'"{c}" = NEW."{c}"' for c in columns)
        for columns in _unique_keys(db, table)
    ]
    taken = " OR ".join("rowid = NEW.rowid" if k == "rowid" else f"({k})" for k in keys)
    db.execute(
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {taken}) BEGIN SELECT "
        f"RAISE(ABORT, '{table} is append-only: add a correcting entry'); END"
    )


def _unique_keys(db: Database, table: str) -> list[list[str]]:
    """The column lists of a table's unique indexes (its primary key included)."""
    keys = []
    for _, name, unique, *_ in db.execute(f"PRAGMA index_list('{table}')").fetchall():
        if unique:
            columns = [row[2] for row in db.execute(f"PRAGMA index_info('{name}')")]
            if columns and all(columns):
                keys.append(columns)
    return keys


@migrations()
def m023_imports(db: Database) -> None:
    """``imports``: reference files taken in once (QA's entry checks), by content."""
    db.execute(
        "CREATE TABLE imports (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
        "client TEXT NOT NULL, hash TEXT NOT NULL, file TEXT NOT NULL, "
        "rows INTEGER NOT NULL, at TEXT NOT NULL, UNIQUE (kind, client, hash))"
    )
