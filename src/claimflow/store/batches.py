"""A batch's writes: the batch and document rows, its claims, notices and entry checks.

`BatchWrites` holds the queries that store what one ingest (or a later
stage) made of a batch, for `claimflow.store.Store`, which inherits them:
the batch row (`begin_batch`, `finish_batch`), its documents, the claims'
rows in bulk (`insert_claim_rows`, from `claimflow.store.rows.claim_rows`,
packed or as ``COPY`` text from a worker) with their first outcome, and the
dedupe keys and serials staged and then indexed in sorted order
(`index_claims`).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from claimflow.models import Claim, Decision, RawRecord
from claimflow.store.pg_ingest import CopyRows, copy_claim_rows, copy_rows_of
from claimflow.store.postgres import PgDatabase
from claimflow.store.rows import PACKED, ClaimRows, PackedRows, claim_rows
from claimflow.validate.notices import Notice

if TYPE_CHECKING:
    from claimflow.parse.checks import EntryCheck


#: The schema a packed chunk is attached as, and where its tables sit.
_PACK = "claimflow_chunk"
_PACKED_ROOTS = [(table, n) for n, table in enumerate(PACKED, start=2)]
_OUTCOMES_OF_CLAIMS = (
    "INSERT INTO outcomes (claim_id, batch_id, stage, outcome, decided_at) "
    "SELECT id, batch_id, ?, outcome, ? FROM claims WHERE rowid > ? ORDER BY rowid"
)
#: The page cache while the staged keys are sorted (KiB, as ``cache_size``
#: takes it): the size of the sorter's runs.
_SORT_CACHE = -8192
# The dedupe keys and serials of the claims just inserted (still in the page
# cache) wait in temporary tables, appended to; `index_claims` then inserts
# them in each index's own order (client, block, day, claim, value): a file's
# keys, inserted at random places chunk by chunk, cost four times as much,
# and read back from the claim rows they cost a second pass over them.
_STAGE = {
    "claimflow_keys": (
        "SELECT c.client, c.id AS claim_id, j.value ->> 0 AS block, "
        "j.value ->> 1 AS day, j.value ->> 2 AS value "
        "FROM claims c, json_each(c.keys) j WHERE c.rowid > ?",
        "INSERT OR IGNORE INTO claim_keys SELECT * FROM temp.claimflow_keys "
        "ORDER BY 1, 3, 4, 2, 5",
    ),
    "claimflow_serials": (
        "SELECT c.client, j.value AS serial, c.id AS claim_id "
        "FROM claims c, json_each(c.serials) j WHERE c.rowid > ?",
        "INSERT OR IGNORE INTO claim_serials SELECT * FROM temp.claimflow_serials "
        "ORDER BY 1, 2, 3",
    ),
}


def _stage_tables(conn: sqlite3.Connection) -> None:
    # Each time: a rolled-back savepoint takes a table it created with it.
    for table, (select, _) in _STAGE.items():
        conn.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {table} AS {select} LIMIT 0", [0]
        )


class BatchWrites:
    """A batch's writes `Store` inherits (see the module docstring)."""

    if TYPE_CHECKING:
        db: Any
        _pack_attached: bool

    def stored_document(self, digest: str) -> tuple[int, str] | None:
        """(the batch, its client) that stored this document, if one did."""
        row = self.db.execute(
            "SELECT batch_id, client FROM documents WHERE hash = ?", [digest]
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def begin_batch(
        self,
        client: str,
        operator: str,
        config_path: str,
        processed_at: datetime | None = None,
        started_at: datetime | None = None,
    ) -> int:
        """Record a new batch and return its id.

        With `processed_at` (an ingest), every claim the batch stores has a
        ``received`` event (its received time) and a ``first_response`` event
        (this instant) by the batch's operator, derived from the claim and
        batch rows (`claim_events`) rather than stored twice per claim.
        `started_at` (default: now) is the desk's clock the batch was read
        at: replay judges received times in the future against it.
        """
        cursor = self.db.execute(
            "INSERT INTO batches (client, operator, started_at, config_path, "
            "processed_at) VALUES (?,?,?,?,?)",
            [
                client,
                operator,
                started_at.isoformat() if started_at else datetime.now(UTC).isoformat(),
                config_path,
                processed_at.isoformat() if processed_at else None,
            ],
        )
        return int(cursor.lastrowid or 0)

    def add_document(
        self,
        client: str,
        digest: str,
        name: str,
        size: int,
        batch_id: int,
        records: int,
    ) -> None:
        """Record a document as ingested in a batch."""
        self.db.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?)",
            [digest, client, name, size, batch_id, records],
        )

    def add_claims(
        self,
        batch_id: int,
        digest: str,
        decided: Sequence[tuple[Claim, Decision]],
        stage: str,
        raws: Sequence[RawRecord] | None = None,
    ) -> None:
        """Store claims with their lines, problems, outcome and dedupe keys.

        `raws` (the records as read, in the same order) are kept for replay.
        """
        self.insert_claim_rows(claim_rows(batch_id, digest, decided, stage, raws))
        self.index_claims()

    def _claims_mark(self) -> int:
        (last,) = self.db.conn.execute(
            "SELECT coalesce(max(rowid), 0) FROM claims"
        ).fetchone()
        return int(last)

    def index_claims(self) -> None:
        """Index the dedupe keys and serials of the claims inserted since the last call.

        ``claim_keys`` and ``claim_serials`` get the rows `insert_claim_rows`
        staged from each claim's ``keys`` and ``serials`` columns in one
        sorted pass each, once a batch's claims are all in (nothing reads
        them before), rather than chunk by chunk or file by file. Until then
        `claimflow.dedupe` does not see them; call it in the same
        transaction as the inserts.

        Example: ``store.insert_claim_rows(rows); store.index_claims()``
        """
        if isinstance(self.db, PgDatabase):
            return  # `copy_claim_rows` wrote each chunk's index rows
        conn = self.db.conn
        _stage_tables(conn)
        # Sorting the staged rows is most of this step. SQLite's sorter sorts
        # runs of the page cache's size, in helper threads when allowed:
        # small runs on every core, merged, take half the time of one thread
        # sorting 64 MiB runs (2,000,000 keys and 1,600,000 serials: 8.9 s
        # -> 4.4 s, CPU 9.1 -> 7.4 s; 16 MiB runs, or 4 threads, were
        # slower). The rows go in in the index's order, leaf after leaf, so
        # the inserts need few cached pages at a time.
        settings = {
            name: int(conn.execute(f"PRAGMA {name}").fetchone()[0])
            for name in ("cache_size", "threads")
        }
        conn.execute(f"PRAGMA threads = {os.cpu_count() or 1}")
        conn.execute(f"PRAGMA cache_size = {_SORT_CACHE}")
        try:
            for table, (_, insert) in _STAGE.items():
                conn.execute(insert)
                conn.execute(f"DELETE FROM temp.{table}")
        finally:
            for name, value in settings.items():
                conn.execute(f"PRAGMA {name} = {value}")

    def chunk_packer(self) -> Callable[[ClaimRows], PackedRows | CopyRows]:
        """How a worker hands this store a chunk's rows: `ClaimRows.pack`
        for SQLite, `copy_rows_of` (``COPY`` text) for PostgreSQL.

        Example: ``out = store.chunk_packer()(claim_rows(...)); store.insert_claim_rows(out)``
        """
        if isinstance(self.db, PgDatabase):
            return copy_rows_of
        return ClaimRows.pack

    def insert_claim_rows(self, rows: ClaimRows | PackedRows | CopyRows) -> None:
        """Insert rows made by `claim_rows` (possibly in another process).

        Packed rows (`ClaimRows.pack`) are copied table by table in SQL.
        The claims' dedupe keys and serials are staged for `index_claims`
        (on PostgreSQL, `copy_claim_rows` writes them with the chunk, from
        `ClaimRows` or the ``COPY`` text a worker made, `CopyRows`).
        """
        if isinstance(self.db, PgDatabase):
            # PostgreSQL's bulk path: every table through COPY, index rows too
            copy_claim_rows(
                self.db, rows.unpack() if isinstance(rows, PackedRows) else rows
            )
            return
        if isinstance(rows, CopyRows):
            raise TypeError("COPY text is for a PostgreSQL store: use chunk_packer()")
        conn = self.db.conn
        last = self._claims_mark()
        if isinstance(rows, PackedRows) and self._attach_packed(rows):
            for table, (insert, _) in PACKED.items():
                conn.execute(f"{insert} SELECT * FROM {_PACK}.{table} ORDER BY rowid")
        else:
            unpacked = rows.unpack() if isinstance(rows, PackedRows) else rows
            for table, (insert, width) in PACKED.items():
                values = ",".join("?" * width)
                conn.executemany(
                    f"{insert} VALUES ({values})", getattr(unpacked, table)
                )
        # A claim's first outcome, keys and serials are read from the rows
        # just inserted (in SQLite, not sent and bound value by value).
        conn.execute(_OUTCOMES_OF_CLAIMS, [rows.stage, rows.decided_at, last])
        _stage_tables(conn)
        for table, (select, _) in _STAGE.items():
            conn.execute(f"INSERT INTO temp.{table} {select}", [last])

    def _attach_packed(self, rows: PackedRows) -> bool:
        """Put a packed chunk in the attached chunk schema; False if it can't be.

        Attached once (DETACH is refused inside a transaction); each chunk's
        database then replaces the last one's. SQLite keeps the schema it
        read from the first (the schema cookie is the same), so the chunk
        is used only if its tables sit where that schema says.
        """
        conn = self.db.conn
        if not hasattr(conn, "deserialize"):
            return False
        if not self._pack_attached:
            conn.execute(f"ATTACH ':memory:' AS {_PACK}")
            self._pack_attached = True
        conn.deserialize(rows.data, name=_PACK)
        roots = conn.execute(
            f"SELECT name, rootpage FROM {_PACK}.sqlite_master ORDER BY rowid"
        ).fetchall()
        return bool(roots == _PACKED_ROOTS)

    def add_notices(
        self, batch_id: int, notices: Sequence[Notice], stem: str | None = None
    ) -> None:
        """Store the notices written for a batch; a later stage's with the
        file stem they are written under (`claimflow.store.stage_notices`)."""
        self.db.conn.executemany(
            "INSERT INTO notices (batch_id, participant_id, language, claim_ids, text, "
            "stem) VALUES (?,?,?,?,?,?)",
            [
                (
                    batch_id,
                    n.participant_id,
                    n.language,
                    json.dumps(n.claim_ids),
                    n.text,
                    stem,
                )
                for n in notices
            ],
        )

    def finish_batch(
        self, batch_id: int, records: int, summary: dict[str, Any]
    ) -> None:
        """Record a batch's totals (the batch row is not part of the audit log)."""
        self.db.execute(
            "UPDATE batches SET records = ?, summary = ? WHERE id = ?",
            [records, json.dumps(summary), batch_id],
        )

    def drop_empty_batch(self, batch_id: int) -> None:
        """Forget a batch that stored nothing (every new file refused); a
        batch holding a claim or a document is kept."""
        self.db.execute(
            "DELETE FROM batches WHERE id = ? AND NOT EXISTS "
            "(SELECT 1 FROM claims WHERE batch_id = ?) AND NOT EXISTS "
            "(SELECT 1 FROM documents WHERE batch_id = ?)",
            [batch_id, batch_id, batch_id],
        )

    def add_entry_checks(
        self, client: str, checks: Sequence[EntryCheck], source: str
    ) -> None:
        """Append QA's entry checks (fields checked and errors, per operator)."""
        self.db.conn.executemany(
            "INSERT INTO entry_checks (client, batch_id, operator, field, day, "
            "checked, errors, source) VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    client,
                    c.batch_id,
                    c.operator,
                    c.field,
                    c.day.isoformat(),
                    c.checked,
                    c.errors,
                    source,
                )
                for c in checks
            ],
        )
