"""Rows the spreadsheet exports write: claims with outcomes, ledger postings.

`claimflow.report` writes what these queries return (CSV or Excel, every
cell made safe); it computes nothing new, and neither do they. Each returns
the rows as a stream in the order written, one tuple per row with the
columns of its header (`claimflow.report.CLAIM_EXPORT_HEADER`,
`AWARD_EXPORT_HEADER`).

SQLite's own: `claim_export_rows` reads the participant's name with
``json_extract`` and lists a claim's reason codes with ``group_concat
(DISTINCT ...)`` (a server backend writes its JSON operators and
``string_agg``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claimflow.store import Store


def claim_export_rows(
    store: Store, batch_id: int | None = None
) -> Iterator[tuple[Any, ...]]:
    """Claims with outcome and reason codes, by batch then store order.

    Returns:
        Rows (claim, batch, client, participant, participant or member name,
        received at, activity date, outcome, reason codes comma-separated,
        source).

    Example: ``next(claim_export_rows(store, batch_id=1))[0]``
    """
    where = "WHERE c.batch_id = ?" if batch_id is not None else ""
    query = f"""
        SELECT c.id, c.batch_id, c.client, c.participant_id,
               coalesce(json_extract(c.data, '$.participant_name'),
                        json_extract(c.data, '$.member_name')), c.received_at,
               c.activity_date, c.outcome,
               (SELECT group_concat(DISTINCT p.code) FROM problems p
                 WHERE p.claim_id = c.id), c.source
        FROM claims c {where} ORDER BY c.batch_id, c.rowid"""
    params = [batch_id] if batch_id is not None else []
    rows: Iterator[tuple[Any, ...]] = store.db.execute(query, params)
    return rows


def award_export_rows(
    store: Store, batch_id: int | None = None
) -> Iterator[tuple[Any, ...]]:
    """Ledger postings in the order posted (of claims of one batch, if given).

    Returns:
        Rows (posting id, client, participant, claim, entry type, points,
        rule set version, posted at, available at, expires at, idempotency
        key).

    Example: ``next(award_export_rows(store))[0] == 1``
    """
    where = (
        "WHERE l.claim_id IN (SELECT id FROM claims WHERE batch_id = ?)"
        if batch_id is not None
        else ""
    )
    query = f"""
        SELECT l.id, l.client, l.participant_id, l.claim_id, l.entry_type, l.points,
               l.version, l.posted_at, l.available_at, l.expires_at, l.idempotency_key
        FROM ledger l {where} ORDER BY l.id"""
    params = [batch_id] if batch_id is not None else []
    rows: Iterator[tuple[Any, ...]] = store.db.execute(query, params)
    return rows
