"""Double entry: what `claimflow.verify.double_entry` reads and writes.

Two operators key the same forms; a reviewer adjudicates the differences.
The store keeps each operator error found (``entry_errors``, with the
points it would have mis-awarded) beside QA's entry checks
(`Store.add_entry_checks`), and gives the keyed records of a batch back
for a QA sample.

- `add_entry_errors`: one adjudication's operator errors, appended;
- `keyed_records`: a batch's claims as keyed (raw JSON), in store order.

No migration: ``entry_errors`` and ``claims.raw`` exist already. Every
statement here is portable SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimflow.store import Store

#: An operator error: client, operator, field, claim key, value keyed,
#: value decided, points at stake (None: not awardable), day (ISO).
EntryError = tuple[str, str, str, str, str, str, int | None, str]


def add_entry_errors(store: Store, rows: Sequence[EntryError]) -> None:
    """Append operator errors found by an adjudication (`EntryError` rows).

    Example: ``add_entry_errors(store, [("acme-tools", "ana", "sku", ...)])``
    """
    store.db.conn.executemany(
        "INSERT INTO entry_errors (client, operator, field, claim_key, keyed, corrected, "
        "points_at_stake, day) VALUES (?,?,?,?,?,?,?,?)",
        rows,
    )


def keyed_records(store: Store, batch_id: int) -> Iterator[tuple[str, str, str]]:
    """A batch's claims as keyed: (claim id, raw record JSON, document hash).

    Claims stored without their raw record are left out. Rows stream in
    store order; read them back with `claimflow.store.raw_from_json`.

    Example: ``next(keyed_records(store, 1))[0]``
    """
    rows: Iterator[tuple[str, str, str]] = store.db.execute(
        "SELECT id, raw, document_hash FROM claims "
        "WHERE batch_id = ? AND raw IS NOT NULL ORDER BY rowid",
        [batch_id],
    )
    return rows
