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

Where: a validation worker turns its chunk into ``COPY`` text
(`copy_rows_of`, a `CopyRows`; `Store.chunk_packer` picks it for a
PostgreSQL store), so the store's process only writes bytes to the server
while the workers build the next chunks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
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
    rows: ClaimRows,
) -> tuple[list[tuple[str, str, str, str, str]], list[tuple[str, str, str]]]:
    """The ``claim_keys`` and ``claim_serials`` rows of a chunk, each once,
    in the claims' order (a claim's keys are its own: its id is new).

    Made from the keys `claim_rows` kept (`ClaimRows.index`), else read
    from each claim's ``keys`` and ``serials`` columns (rows unpacked).

    Example: ``index_rows(rows)[1][0] == ("acme", "DR17", "c1")``
    """
    listed = rows.index or [
        ([tuple(k) for k in json.loads(str(c[_KEYS]))], json.loads(str(c[_SERIALS])))
        for c in rows.claims
    ]
    keys: list[tuple[str, str, str, str, str]] = []
    serials: list[tuple[str, str, str]] = []
    for claim, (claim_keys, claim_serials) in zip(rows.claims, listed, strict=True):
        client, claim_id = str(claim[_CLIENT]), str(claim[_ID])
        # a line listed twice: its key once
        once = dict.fromkeys(claim_keys) if len(claim_keys) > 1 else claim_keys
        keys += [(client, b, d, claim_id, v) for b, d, v in once]
        serials += [(client, serial, claim_id) for serial in claim_serials]
    return keys, serials


@dataclass
class CopyRows:
    """A chunk's rows as ``COPY`` text, made where the chunk was validated.

    What a validation worker sends back for a PostgreSQL store (the
    counterpart of `PackedRows`): each table's rows already in ``COPY``'s
    text format, which the store's process only writes to the server. In
    that process the rows cost nothing but the bytes; building them
    (`copy_rows_of`) runs on every core.
    """

    stage: str
    decided_at: str
    #: table -> its ``COPY`` text (the `COLUMNS` of the table, in order)
    tables: dict[str, bytes]
    #: (digest, JSON) of the header names the chunk's raw records refer to
    headers: list[Row]


#: The columns each table's ``COPY`` names, in the order `copy_rows_of` writes them.
COLUMNS = {
    "claims": CLAIM_COLUMNS,
    "problems": PROBLEM_COLUMNS,
    "outcomes": OUTCOME_COLUMNS,
    "claim_keys": KEY_COLUMNS,
    "claim_serials": SERIAL_COLUMNS,
}


def copy_rows_of(rows: ClaimRows) -> CopyRows:
    """A chunk's rows, its first outcomes and its dedupe index rows as ``COPY`` text.

    Example: ``copy_rows_of(claim_rows(batch_id, digest, decided, "validate"))``
    """
    keys, serials = index_rows(rows)
    outcomes = [
        (c[_ID], str(c[_BATCH]), rows.stage, c[_OUTCOME], rows.decided_at)
        for c in rows.claims
    ]
    tables = {
        "claims": copy_text(rows.claims, len(CLAIM_COLUMNS)),
        "problems": copy_text(rows.problems, len(PROBLEM_COLUMNS)),
        "outcomes": copy_text(outcomes, len(OUTCOME_COLUMNS), texts=True),
        # in the primary keys' order: the server's inserts meet each index
        # leaf after leaf (claim_keys' COPY 0.8 -> 0.6 s of server CPU per
        # 100,000 claims)
        "claim_keys": copy_text(keys, len(KEY_COLUMNS), texts=True, ordered=True),
        "claim_serials": copy_text(serials, len(SERIAL_COLUMNS), texts=True, ordered=True),
    }
    return CopyRows(rows.stage, rows.decided_at, tables, list(rows.headers))


#: What ``COPY``'s text format escapes in a value (PostgreSQL's COPY docs):
#: the backslash itself, and the characters that end a value or a row.
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _escaped(value: object) -> str:
    if value is None:
        return "\\N"
    text = value if value.__class__ is str else str(value)
    for char, escape in _ESCAPES:
        if char in text:
            text = text.replace(char, escape)
    return text


def copy_text(
    rows: Sequence[Row], width: int, texts: bool = False, ordered: bool = False
) -> bytes:
    """Rows of text, whole numbers and NULLs in ``COPY``'s text format.

    Each value is written as it is, NULL as ``\\N``, and the whole text is
    checked once instead of every value: if it holds no backslash but the
    NULLs' own, no carriage return, and exactly a tab between values and a
    newline after each row, no value needed escaping (the usual chunk).
    Otherwise every value is escaped (a backslash as two, tab, newline and
    carriage return as ``\\t``, ``\\n``, ``\\r``).

    `texts`: every value is text (no NULL, no number): joined as they are.
    `ordered`: the lines sorted (for text values without control
    characters, the rows' own order: a tab sorts before any of theirs).

    Example: ``copy_text([("a", 1, None)], 3) == b"a\\t1\\t\\\\N\\n"``
    """
    if not rows:
        return b""
    nulls = 0
    lines = []
    if texts:
        lines = ["\t".join(row) for row in rows]  # type: ignore[arg-type]
        if ordered:
            lines.sort()
    else:
        for row in rows:
            nulls += row.count(None)
            lines.append(
                "\t".join(
                    [
                        v if v.__class__ is str else "\\N" if v is None else str(v)
                        for v in row
                    ]
                )
            )
    lines.append("")
    text = "\n".join(lines)
    if (
        text.count("\\") != nulls
        or "\r" in text
        or text.count("\n") != len(rows)
        or text.count("\t") != len(rows) * (width - 1)
    ):
        escaped = ["\t".join([_escaped(v) for v in row]) for row in rows]
        if ordered:
            escaped.sort()
        text = "".join(line + "\n" for line in escaped)
    return text.encode()


def copy_claim_rows(db: PgDatabase, rows: ClaimRows | CopyRows) -> None:
    """Write a chunk's rows, its outcomes and its dedupe index rows with ``COPY``.

    Example: ``copy_claim_rows(store.db, claim_rows(batch_id, digest, decided, "validate"))``
    """
    copied = rows if isinstance(rows, CopyRows) else copy_rows_of(rows)
    for table, text in copied.tables.items():
        if text:
            db.copy_text(table, COLUMNS[table], text)
        if table == "problems":  # the order the SQLite path writes in
            db.conn.executemany(f"{PACKED['headers'][0]} VALUES (?, ?)", copied.headers)
