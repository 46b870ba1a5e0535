"""The SQL of award runs: the claims to award, read lean, and the postings.

`lean_claim_rows` reads only what the award rules look at (id, kind,
participant, received time, the activity date and the lines as JSON), in
the order the caller gives; `claims_by_id` reads whole claims for the few
that need the full engine. `insert_awards` and `insert_award_postings`
write an award run's rows in bulk; `reversal_counts` and `existing_keys`
are what the idempotency keys are made from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from claimflow.models import Claim
from claimflow.store import Store
from claimflow.store.instants import utc_text
from claimflow.store.ledger import STANDS
from claimflow.store.review_decisions import ACCEPTED_IN_REVIEW

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
#: The same on PostgreSQL, with its own JSON operators: the values keep their
#: JSON types (a quantity stays a number), as SQLite's ``->>`` gives them.
_LINES_PG = (
    "SELECT coalesce(json_agg(json_build_array(e -> 'sku', e -> 'quantity', "
    "e -> 'unit_price', e -> 'line_total') ORDER BY n), '[]') "
    "FROM json_array_elements(CASE WHEN json_typeof(c.data::json -> 'lines') = 'array' "
    "THEN c.data::json -> 'lines' ELSE '[]' END) WITH ORDINALITY AS a(e, n)"
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
        f"({_LINES_PG if store.dialect == 'postgresql' else _LINES}) FROM claims c {rest}",
        list(params),
    )
    while rows := cursor.fetchmany(chunk):
        yield rows


def pending_award_rows(
    store: Store,
    client: str,
    *,
    batch_id: int | None,
    verified_only: bool,
    activity_field: str | None,
    desk_day: Callable[[str], str],
    chunk: int,
) -> Iterator[list[LeanRow]]:
    """A client's accepted claims without a live award posting, in award
    order (activity day, received time, id), as `LeanRow` chunks.

    Args:
        store: the store.
        client: the client key.
        batch_id: only this batch's claims.
        verified_only: only claims whose latest verification is ``verified``,
            or that a person accepted in review.
        activity_field: the claim field holding the activity date, or None
            when the day is the desk's day of the received time.
        desk_day: received ISO time -> the desk's ISO day (when
            `activity_field` is None; registered as the SQL function
            ``claimflow_desk_day``).
        chunk: rows per list.

    Example: ``next(pending_award_rows(store, "acme-tools", batch_id=None,
    verified_only=False, activity_field="invoice_date", desk_day=str, chunk=500))``
    """
    by_desk_day = activity_field is None and store.dialect == "postgresql"
    if by_desk_day:
        # no Python function runs inside PostgreSQL: read in received order,
        # then order by the desk's day here (the same order, all at once)
        day_sql = "c.received_at"
    elif activity_field is None:
        store.db.register_function(
            desk_day, deterministic=True, replace=True, name="claimflow_desk_day"
        )
        day_sql = "claimflow_desk_day(c.received_at)"
    else:
        day_sql = f"c.data ->> '{activity_field}'"
    where = "AND c.batch_id = ?" if batch_id is not None else ""
    if verified_only:
        # verified, or accepted by a person after verification sent it to
        # review (`claimflow.store.review_decisions`). A claim dedupe or the
        # batch rules sent to review before any verification, accepted, is
        # checked by the next `verify` first: paid unchecked, a split
        # invoice line's 2 units were paid on top of 1 paid of 2 invoiced.
        where += f" AND {_VERIFIED}"
    rest = f"""
        WHERE c.client = ? AND c.outcome = 'accepted' {where}
          AND NOT EXISTS (
            SELECT 1 FROM ledger l WHERE l.claim_id = c.id AND l.entry_type = 'award'
              AND {STANDS})
        ORDER BY {day_sql}, c.received_at, c.id"""
    params: list[object] = [client] + ([batch_id] if batch_id is not None else [])
    rows = lean_claim_rows(store, activity_field, rest, params, chunk)
    if not by_desk_day:
        return rows
    every = [row for part in rows for row in part]
    every.sort(key=lambda row: (desk_day(row[3]), row[3], row[0]))
    return iter([every[i : i + chunk] for i in range(0, len(every), chunk)])


#: A claim (``c``) an award may pay where verification is required.
_VERIFIED = (
    "(COALESCE((SELECT v.result FROM verifications v WHERE v.claim_id = c.id "
    "ORDER BY v.id DESC LIMIT 1), '') = 'verified' OR (COALESCE("
    f"{ACCEPTED_IN_REVIEW}, FALSE)"
    " AND EXISTS (SELECT 1 FROM verifications v WHERE v.claim_id = c.id)))"
)


def unverified_claim_count(store: Store, client: str, batch_id: int | None) -> int:
    """How many of a client's accepted claims (of one batch), not paid, an
    award run leaves for `verify` where verification is required: accepted
    and not yet verified, or verified with another result.

    Example: ``unverified_claim_count(store, "acme-tools", None)``
    """
    where = " AND c.batch_id = ?" if batch_id is not None else ""
    params: list[object] = [client] + ([batch_id] if batch_id is not None else [])
    row = store.db.execute(
        f"SELECT COUNT(*) FROM claims c WHERE c.client = ? AND c.outcome = 'accepted'"
        f"{where} AND NOT {_VERIFIED} AND NOT EXISTS (SELECT 1 FROM ledger l "
        f"WHERE l.claim_id = c.id AND l.entry_type = 'award' AND {STANDS})",
        params,
    ).fetchone()
    return int(row[0])


def awarded_claim_count(store: Store, client: str, batch_id: int | None) -> int:
    """How many of a client's claims (of one batch) have a live award posting:
    what an award run finds paid already and does not compute again.

    Example: ``awarded_claim_count(store, "acme-tools", None)``
    """
    where = " AND c.batch_id = ?" if batch_id is not None else ""
    params: list[object] = [client] + ([batch_id] if batch_id is not None else [])
    row = store.db.execute(
        "SELECT COUNT(DISTINCT l.claim_id) FROM ledger l JOIN claims c ON c.id = "
        f"l.claim_id WHERE c.client = ? AND l.entry_type = 'award' AND {STANDS}{where}",
        params,
    ).fetchone()
    return int(row[0])


def latest_award_data(store: Store, claim_id: str) -> str | None:
    """The JSON of the award most recently computed for a claim, if any."""
    row = store.db.execute(
        "SELECT data FROM awards WHERE claim_id = ? "
        "ORDER BY computed_at DESC, rowid DESC LIMIT 1",
        [claim_id],
    ).fetchone()
    return None if row is None else str(row[0])


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
    # The ledger's indexes are probed in key order (an IN list is sorted
    # first), not in award order: at a million postings a probe in random
    # order reads a page from disk, one in order finds it in the cache.
    # (no DROP TABLE: the run's cursor over the pending claims is still
    # open, and SQLite refuses to drop a table then: "table is locked")
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS award_generations "
        "(claim_id TEXT PRIMARY KEY, n INTEGER)"
    )
    conn.execute("DELETE FROM award_generations")
    conn.execute(
        "INSERT INTO award_generations SELECT r.claim_id, count(*) "
        "FROM ledger r WHERE r.claim_id IN (SELECT claim_id FROM award_stage) "
        "AND r.entry_type = 'reversal' GROUP BY r.claim_id"
    )
    conn.execute(
        "UPDATE award_stage SET key = client || ':' || claim_id || ':' || version "
        "|| ':' || coalesce((SELECT g.n FROM award_generations g "
        "WHERE g.claim_id = award_stage.claim_id), 0)"
    )
    conn.execute(
        "DELETE FROM award_stage WHERE key IN (SELECT l.idempotency_key FROM ledger l "
        "WHERE l.idempotency_key IN (SELECT key FROM award_stage))"
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
        [
            utc_text(at),
            utc_text(available_at),
            None if expires_at is None else utc_text(expires_at),
            actor,
        ],
    )
    return int(posted), len(rows) - int(posted), int(points)
