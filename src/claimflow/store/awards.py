"""The SQL of award runs: the claims to award, read lean, and the postings.

`lean_claim_rows` reads only what the award rules look at (id, kind,
participant, received time, the activity date and the lines as JSON), in
the order the caller gives; `claims_by_id` reads whole claims for the few
that need the full engine. `insert_awards` and `insert_award_postings`
write an award run's rows in bulk; `reversal_counts` and `existing_keys`
are what the idempotency keys are made from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from claimflow.models import Claim
from claimflow.store import Store

#: (id, kind, participant id, received ISO time, activity date text, lines as
#: compact JSON: see `_LINES`)
LeanRow = tuple[str, str, str | None, str, str | None, str | None]
_PART = 500
#: A claim's lines as compact JSON, [[sku, quantity, unit price, line
#: total], ...], in their order (json_each walks an array in order, and the
#: aggregate takes its rows as they come).
_LINES = (
    "SELECT json_group_array(json_array(j.value ->> 'sku', j.value ->> 'quantity', "
    "j.value ->> 'unit_price', j.value ->> 'line_total')) "
    "FROM json_each(c.data, '$.lines') j"
)


def lean_claim_rows(
    store: Store,
    activity_field: str | None,
    rest: str,
    params: Sequence[object],
    chunk: int,
) -> Iterator[list[LeanRow]]:
    """Claims as `LeanRow` tuples, in chunks.

    Args:
        store: the store.
        activity_field: the claim's field holding its activity date
            (``invoice_date``), or None when the day comes from the
            received time (the column is then NULL).
        rest: what follows ``FROM claims c`` (``WHERE`` and ``ORDER BY``).
        params: its placeholders' values.
        chunk: rows per list.

    Example: ``next(lean_claim_rows(store, "invoice_date", "WHERE c.client = ?",
    ["acme-tools"], 1000))``
    """
    day = "NULL" if activity_field is None else f"c.data ->> '{activity_field}'"
    cursor = store.db.execute(
        f"SELECT c.id, c.kind, c.participant_id, c.received_at, {day}, "
        f"({_LINES}) FROM claims c {rest}",
        list(params),
    )
    while rows := cursor.fetchmany(chunk):
        yield rows


def claims_by_id(store: Store, ids: Sequence[str]) -> dict[str, Claim]:
    """Whole claims by id (those the lean path leaves to the engine)."""
    found: dict[str, Claim] = {}
    for start in range(0, len(ids), _PART):
        part = list(ids[start : start + _PART])
        marks = ",".join("?" * len(part))
        for claims in store.claims(f"WHERE c.id IN ({marks})", part, _PART):
            found.update((c.id, c) for c in claims)
    return found


#: (client, claim, participant, version, points, desired points, JSON)
StagedAward = tuple[str, str, str, str, int, int, str]


def post_award_rows(
    store: Store,
    rows: Sequence[StagedAward],
    at: str,
    available_at: str,
    expires_at: str | None,
    actor: str,
) -> tuple[int, int, int]:
    """Append awards and their ledger postings, once each, in the given order.

    Each award's idempotency key is ``client:claim:version:generation``,
    the generation counting the claim's reversals; an award whose key the
    ledger holds already is skipped. The rows are staged in a temporary
    table, so the keys, the check and the three inserts (awards, ledger,
    ``decided`` events) are set-based statements.

    Returns:
        (posted, skipped, points posted).

    Example: ``post_award_rows(store, rows, now, now, None, "ann")``
    """
    conn = store.db.conn
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS award_stage (n INTEGER PRIMARY KEY, "
        "client TEXT, claim_id TEXT, participant_id TEXT, version TEXT, "
        "points INTEGER, desired INTEGER, data TEXT, key TEXT)"
    )
    conn.execute("DELETE FROM award_stage")
    conn.executemany(
        "INSERT INTO award_stage (client, claim_id, participant_id, version, "
        "points, desired, data) VALUES (?,?,?,?,?,?,?)",
        rows,
    )
    conn.execute(
        "UPDATE award_stage SET key = client || ':' || claim_id || ':' || version "
        "|| ':' || (SELECT count(*) FROM ledger r WHERE r.claim_id = "
        "award_stage.claim_id AND r.entry_type = 'reversal')"
    )
    conn.execute(
        "DELETE FROM award_stage WHERE key IN (SELECT idempotency_key FROM ledger)"
    )
    posted, points = conn.execute(
        "SELECT count(*), coalesce(sum(points), 0) FROM award_stage"
    ).fetchone()
    conn.execute(
        "INSERT INTO awards SELECT key, client, claim_id, participant_id, version, "
        "points, desired, data, ? FROM award_stage ORDER BY n",
        [at],
    )
    conn.execute(
        "INSERT INTO ledger (client, participant_id, claim_id, entry_type, points, "
        "version, idempotency_key, posted_at, available_at, expires_at, actor) "
        "SELECT client, participant_id, claim_id, 'award', points, version, key, "
        "?, ?, ?, ? FROM award_stage ORDER BY n",
        [at, available_at, expires_at, actor],
    )
    return int(posted), len(rows) - int(posted), int(points)
