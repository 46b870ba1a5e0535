"""Source records: the distributor sales and hotel stays claims are verified against.

`claimflow.verify.source` reads a source file and types its rows; this
module stores and reads them back. ``source_documents`` holds one row per
file taken in (by content hash), ``source_records`` one row per record with
its exact-match key, its day and the record as JSON. Inputs and outputs are
plain values (rows, ids, JSON text): the stage makes the typed records.

- `source_import_of`: the record count of a file already taken in;
- `add_source_records`, `add_source_document`: a file's records, then the
  file itself (call both in one store transaction);
- `source_ids_by_key`, `source_ids_between`, `source_rows`: what the claim
  by claim verification (`claimflow.verify.run.StoreLookup`) asks.

No migration: the tables and indexes of migration 6 serve every query.
Every statement here is portable SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimflow.store import Store

#: A source record as stored: client, kind, key, day (ISO), document hash,
#: row in its file, the record as JSON.
SourceRow = tuple[str, str, str, str, str, int, str]
#: Ids per ``IN (...)`` list of `source_rows` (below SQLite's bound limit).
_IDS_PER_QUERY = 500


def source_import_of(store: Store, digest: str) -> int | None:
    """The records stored from the file with this content hash, if it was taken in.

    Example: ``source_import_of(store, content_hash(path))``
    """
    row = store.db.execute(
        "SELECT records FROM source_documents WHERE hash = ?", [digest]
    ).fetchone()
    return None if row is None else int(row[0])


def add_source_records(store: Store, rows: Sequence[SourceRow]) -> None:
    """Append source records (`SourceRow`), in the order given.

    Example: ``add_source_records(store, [("acme-tools", "sales", "INV1", ...)])``
    """
    store.db.conn.executemany(
        "INSERT INTO source_records (client, kind, key, day, document_hash, row, data) "
        "VALUES (?,?,?,?,?,?,?)",
        rows,
    )


def add_source_document(
    store: Store, digest: str, client: str, name: str, records: int, at: str
) -> None:
    """Record a source file as taken in: its hash, client, name, records, ISO instant.

    Example: ``add_source_document(store, digest, "acme-tools", "sales.csv", 9, at)``
    """
    store.db.execute(
        "INSERT INTO source_documents VALUES (?,?,?,?,?)",
        [digest, client, name, records, at],
    )


def source_ids_by_key(store: Store, client: str, key: str) -> list[int]:
    """The ids of a client's source records with exactly this key.

    Example: ``source_ids_by_key(store, "acme-tools", "INV20417")``
    """
    return [
        int(i)
        for (i,) in store.db.execute(
            "SELECT id FROM source_records WHERE client = ? AND key = ?",
            [client, key],
        )
    ]


def source_ids_between(store: Store, client: str, start: date, end: date) -> list[int]:
    """The ids of a client's source records dated in ``[start, end]``.

    Example: ``source_ids_between(store, "acme-tools", date(2026, 3, 1), date(2026, 3, 9))``
    """
    return [
        int(i)
        for (i,) in store.db.execute(
            "SELECT id FROM source_records WHERE client = ? AND day BETWEEN ? AND ?",
            [client, start.isoformat(), end.isoformat()],
        )
    ]


def source_rows(store: Store, ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """Source records by id: (id, kind, the record as JSON), a query per 500 ids.

    Example: ``source_rows(store, [17])[0][1] == "sales"``
    """
    found: list[tuple[int, str, str]] = []
    for start in range(0, len(ids), _IDS_PER_QUERY):
        part = list(ids[start : start + _IDS_PER_QUERY])
        marks = ",".join("?" * len(part))
        found += store.db.execute(
            f"SELECT id, kind, data FROM source_records WHERE id IN ({marks})", part
        ).fetchall()
    return found
