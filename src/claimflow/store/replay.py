"""What replay reads from the store: stored claims with their record, matches.

Contract: every function only reads. `replay_rows` yields each stored claim
of a client (raw values, received time, outcome, the reasons, award,
verification and match codes recorded for it) in ingestion order, chunked;
`claim_match_rows` the `dedupe claims` matches of a client in the order they
were found; `batch_ids` and `was_verified` what the replay's plan needs;
`stored_claims` claims typed as stored (those a replay of a window takes as
recorded); `received_since` whether a stored received time is in a window.
`claimflow.replay` turns these rows into records.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from claimflow.store.dedupe_decisions import PROBLEM_STANDS
from claimflow.store.ledger import STANDS

if TYPE_CHECKING:
    from claimflow.models import Claim
    from claimflow.store import Store

#: One stored claim as replay reads it: id, raw JSON, document hash,
#: received time, outcome, validation reason codes (comma-separated), the
#: live award's points and JSON, the latest verification's details and the
#: store's last batch then (its own batch for a result stored before
#: migration 32; None when it was never verified), its last source record
#: then and the claims it left out of the member's stays (JSON ids; both
#: None for a result stored before migration 33).
ReplayRow = tuple[
    str,
    str | None,
    str,
    str,
    str,
    str | None,
    int | None,
    str | None,
    str | None,
    int | None,
    int | None,
    str | None,
]


def replay_rows(
    store: Store,
    client: str,
    batch_id: int | None,
    since: date | None,
    chunk: int,
) -> Iterator[list[ReplayRow]]:
    """A client's stored claims with what was recorded for them, in ingestion
    order, `chunk` rows at a time.

    The award is the claim's latest posting not reversed (its points column
    and its JSON, read only when a change must list its lines).

    Example: ``next(replay_rows(store, "acme-tools", 1, None, 20_000))[0][0]``
    """
    where: list[str] = ["c.client = ?"]
    params: list[object] = [client]
    if batch_id is not None:
        where.append("c.batch_id = ?")
        params.append(batch_id)
    if since is not None:
        where.append("substr(c.received_at, 1, 10) >= ?")
        params.append(since.isoformat())
    cursor = store.db.execute(
        f"""SELECT c.id, c.raw, c.document_hash, c.received_at, c.outcome,
                   (SELECT group_concat(DISTINCT code) FROM problems p
                    WHERE p.claim_id = c.id AND {PROBLEM_STANDS}),
                   aw.points, aw.data,
                   (SELECT v.details FROM verifications v WHERE v.claim_id = c.id
                    ORDER BY v.id DESC LIMIT 1),
                   (SELECT coalesce(v.last_batch, c.batch_id) FROM verifications v
                    WHERE v.claim_id = c.id ORDER BY v.id DESC LIMIT 1),
                   (SELECT v.last_source FROM verifications v
                    WHERE v.claim_id = c.id ORDER BY v.id DESC LIMIT 1),
                   (SELECT v.knew FROM verifications v
                    WHERE v.claim_id = c.id ORDER BY v.id DESC LIMIT 1)
            FROM claims c LEFT JOIN awards aw ON aw.rowid =
                   (SELECT a.rowid FROM awards a JOIN ledger l
                      ON l.idempotency_key = a.idempotency_key
                    WHERE a.claim_id = c.id AND {STANDS}
                    ORDER BY l.id DESC LIMIT 1)
            WHERE {" AND ".join(where)} ORDER BY c.rowid""",
        params,
    )
    while rows := cursor.fetchmany(chunk):
        yield rows


def claim_match_rows(store: Store, client: str) -> Iterator[tuple[str, str, str, str]]:
    """A client's claim matches (`dedupe claims`), in the order they were found:
    ``(claim id, original, reason code, decision)``.

    One pass over the client's matches: the table has no index that starts
    with the claim id, so a lookup per claim would scan it every time.

    Example: ``list(claim_match_rows(store, "acme-tools"))``
    """
    yield from store.db.execute(
        "SELECT claim_id, original, code, decision FROM claim_matches "
        "WHERE client = ? ORDER BY id",
        [client],
    )


def received_since(received_at: str, since: date | None) -> bool:
    """Whether a stored received time falls on or after `since` (its own
    calendar date, as `replay_rows` filters; None: no window).

    Example: ``received_since("2026-11-02T09:00:00+07:00", date(2026, 11, 1))``
    """
    return since is None or received_at[:10] >= since.isoformat()


def batch_ids(store: Store, client: str, since: date | None = None) -> list[int]:
    """The batches holding a client's claims (with `since`: a claim received
    on or after it), in order.

    Example: ``batch_ids(store, "acme-tools") == [1, 2]``
    """
    where, params = "client = ?", [client]
    if since is not None:
        where += " AND substr(received_at, 1, 10) >= ?"
        params.append(since.isoformat())
    return [
        int(b)
        for (b,) in store.db.execute(
            f"SELECT DISTINCT batch_id FROM claims WHERE {where} ORDER BY batch_id",
            params,
        )
    ]


def stored_claims(store: Store, ids: list[str]) -> dict[str, Claim]:
    """Stored claims by id, typed as stored.

    Example: ``stored_claims(store, ["e498d624fbcf-r2"])["e498d624fbcf-r2"].lines``
    """
    found: dict[str, Claim] = {}
    for start in range(0, len(ids), 900):
        part = ids[start : start + 900]
        marks = ",".join("?" * len(part))
        for claims in store.claims(f"WHERE c.id IN ({marks})", part):
            found.update((c.id, c) for c in claims)
    return found


def was_verified(store: Store, client: str) -> bool:
    """Whether any claim of the client was ever verified against source records.

    Example: ``was_verified(store, "acme-tools")``
    """
    found = store.db.execute(
        "SELECT 1 FROM verifications WHERE client = ? LIMIT 1", [client]
    ).fetchone()
    return found is not None
