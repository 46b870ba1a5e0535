"""PostgreSQL's bulk path for a chunk of claim rows: every table through ``COPY``.

Contract: `copy_claim_rows(db, rows)` writes one chunk of `ClaimRows` into a
PostgreSQL store, the same rows `Store.insert_claim_rows` followed by
`Store.index_claims` leave on SQLite: the claims, their problems, the raw
headers, each claim's first outcome (ids in the claims' order), and the
dedupe indexes ``claim_keys`` and ``claim_serials`` made from each claim's
``keys`` and ``serials`` columns (a key a claim lists twice is indexed
once, as ``INSERT OR IGNORE`` leaves it). It runs inside the caller's
transaction or savepoint, so a chunk rolled back takes its index rows
with it.

Why not SQLite's statements: SQLite reads a chunk's outcomes, keys and
serials back from the rows just inserted (its page cache) and stages the
keys in temporary tables for one sorted insert per batch. On PostgreSQL
the same statements cost more than the claims' own ``COPY``: the keys
through the emulated ``json_each`` and ``->>`` (functions in SQL, a JSON
parse per call), and ``INSERT ... ON CONFLICT DO NOTHING`` from the staged
tables (a speculative insertion per row, twice the time of a plain insert).
Here the rows are built from the chunk's tuples already in memory, each
claim's keys made distinct in Python (the only duplicates a new claim's
rows can hold: the claim ids are new, ``claims``' primary key refuses a
repeated one) and sent with ``COPY``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from claimflow.store.rows import PACKED, ClaimRows, Row

if TYPE_CHECKING:
    from claimflow.store.postgres import PgDatabase

#: The columns `ClaimRows.claims` fill, in their order (``COPY`` names them).
CLAIM_COLUMNS = (
    "id", "client", "batch_id", "document_hash", "kind", "participant_id",
    "received_at", "activity_date", "outcome", "source", "data", "raw", "keys", "serials",
)  # fmt: skip
PROBLEM_COLUMNS = ("claim_id", "batch_id", "code", "field", "source", "message")
OUTCOME_COLUMNS = ("claim_id", "batch_id", "stage", "outcome", "decided_at")
KEY_COLUMNS = ("client", "block", "day", "claim_id", "value")
SERIAL_COLUMNS = ("client", "serial", "claim_id")
EVENT_COLUMNS = ("client", "claim_id", "batch_id", "event", "at", "operator")

_ID, _CLIENT, _BATCH, _OUTCOME, _KEYS, _SERIALS = (
    CLAIM_COLUMNS.index(c)
    for c in ("id", "client", "batch_id", "outcome", "keys", "serials")
)


def index_rows(
    claims: Sequence[Row],
) -> tuple[list[tuple[str, str, str, str, str]], list[tuple[str, str, str]]]:
    """The ``claim_keys`` and ``claim_serials`` rows of claim rows: each once,
    in the claims' order.

    Not sorted: in one process's measurements (20,000 claims) sorting the
    rows in the indexes' order cost the main process more (0.2 s) than it
    saved the server (under 0.1 s).

    Example: ``index_rows(rows.claims)[1][0] == ("acme", "DR17", "c1")``
    """
    keys: dict[tuple[str, str, str, str, str], None] = {}
    serials: dict[tuple[str, str, str], None] = {}
    loads = json.loads
    for claim in claims:
        client, claim_id = str(claim[_CLIENT]), str(claim[_ID])
        for block, day, value in loads(str(claim[_KEYS])):
            keys[client, block, day, claim_id, value] = None
        for serial in loads(str(claim[_SERIALS])):
            serials[client, serial, claim_id] = None
    return list(keys), list(serials)


def copy_claim_rows(db: PgDatabase, rows: ClaimRows) -> None:
    """Write a chunk's rows, its outcomes and its dedupe index rows with ``COPY``.

    Example: ``copy_claim_rows(store.db, claim_rows(batch_id, digest, decided, "validate"))``
    """
    db.copy_rows("claims", CLAIM_COLUMNS, rows.claims)
    db.copy_rows("problems", PROBLEM_COLUMNS, rows.problems)
    db.conn.executemany(f"{PACKED['headers'][0]} VALUES (?, ?)", rows.headers)
    db.copy_rows(
        "outcomes",
        OUTCOME_COLUMNS,
        (
            (claim[_ID], claim[_BATCH], rows.stage, claim[_OUTCOME], rows.decided_at)
            for claim in rows.claims
        ),
    )
    keys, serials = index_rows(rows.claims)
    db.copy_rows("claim_keys", KEY_COLUMNS, keys)
    db.copy_rows("claim_serials", SERIAL_COLUMNS, serials)
