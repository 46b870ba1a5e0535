"""The SQL of the points ledger: what `claimflow.award.ledger` reads and writes.

The ledger logic (FIFO order, the checks, the errors, the idempotency keys)
stays in `claimflow.award.ledger`; these functions only run its statements,
one question or one append each, and hand back plain typed values:

- `live_award_postings`, `last_reversal`: a claim's award postings not
  reversed yet, and the reversal that took the last one;
- `posted_total`, `award_lots`, `owed_points`: a participant's sum of
  postings, award lots with the points left in each (an outstanding debt
  paid from them), and what is owed, at an instant;
- `posting_by_key`, `ledger_participants`, `last_activity`: what redemption
  and expiry check first;
- `add_reversal`, `add_debit`, `add_allocation`: the appends (a negative
  posting, then the lots it consumes).

Instants are written as UTC text (`claimflow.store.instants.utc_text`,
whatever offset the caller's carries) and compared as instants, never as
text: rows written by earlier releases carry the posting desk's offset
(``10:00:00+07:00``), and their text does not sort in time order. The
comparisons are made here in Python on the participant's rows, exactly
(SQLite's ``unixepoch`` and its PostgreSQL emulation keep whole seconds).
Nothing here updates or deletes (the ledger is append-only, and triggers
refuse it). Call the writers inside
`Store.transaction()`.

No migration: the tables and indexes of migration 2 serve every query.
SQLite's own: `add_reversal` and `add_debit` return the new posting's id
through ``cursor.lastrowid`` (a server backend writes ``RETURNING id``),
`add_allocation` inserts by column position.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from claimflow.store.instants import instant, utc_text

if TYPE_CHECKING:
    from claimflow.store import Store

#: A live award posting of a claim: (id, participant, points, rule version).
LivePosting = tuple[int, str, int, str | None]
#: An award lot: (id, points left, available at, expires at or None).
Lot = tuple[int, int, datetime, datetime | None]

#: Sorts after every expiry instant: lots that never expire go last.
_NEVER = datetime.max.replace(tzinfo=UTC)

#: A participant's lots: award postings, credit adjustments, and transfers
#: in (a merge moved a lot: its points, available and expiry instants).
_LOTS = """
    SELECT id, points, posted_at, available_at, expires_at FROM ledger
    WHERE client = ? AND participant_id = ?
      AND entry_type IN ('award', 'transfer_in', 'adjustment') AND points > 0
"""

#: What debits took from those lots, with each debit's posting instant.
_TAKEN = """
    SELECT a.lot_id, a.points, d.posted_at FROM ledger_allocations a
    JOIN ledger d ON d.id = a.debit_id JOIN ledger l ON l.id = a.lot_id
    WHERE l.client = ? AND l.participant_id = ?
      AND l.entry_type IN ('award', 'transfer_in', 'adjustment') AND l.points > 0
"""


#: The participant's other postings (debits, and whatever is no lot), with
#: what each took from lots: a debit that took less than its points owes
#: the rest (a refund of points already spent), and a positive posting that
#: is no lot (a merge moving a debt away) pays that much of it.
_OWING = """
    SELECT d.points, d.posted_at,
           (SELECT COALESCE(SUM(a.points), 0) FROM ledger_allocations a
            WHERE a.debit_id = d.id)
    FROM ledger d
    WHERE d.client = ? AND d.participant_id = ?
      AND NOT (d.entry_type IN ('award', 'transfer_in', 'adjustment') AND d.points > 0)
"""


#: SQL: the posting ``l`` stands (no reversal points at it).
STANDS = "NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id)"


def live_award_postings(store: Store, client: str, claim_id: str) -> list[LivePosting]:
    """A claim's award postings that no reversal points at, as `LivePosting`.

    Example: ``live_award_postings(store, "acme-tools", "3fa2...-r14")``
    """
    return [
        (int(i), str(p), int(points), v)
        for i, p, points, v in store.db.execute(
            "SELECT id, participant_id, points, version FROM ledger l "
            f"WHERE client = ? AND claim_id = ? AND entry_type = 'award' AND {STANDS}",
            [client, claim_id],
        ).fetchall()
    ]


def last_reversal(
    store: Store, client: str, claim_id: str
) -> tuple[int, str, str | None] | None:
    """The latest reversal of a claim's award postings: (id, posted at, reason).

    Example: ``last_reversal(store, "acme-tools", "3fa2...-r14")``
    """
    row = store.db.execute(
        "SELECT r.id, r.posted_at, r.reason FROM ledger r JOIN ledger a ON a.id = r.reverses "
        "WHERE a.client = ? AND a.claim_id = ? ORDER BY r.id DESC LIMIT 1",
        [client, claim_id],
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]), row[2])


def add_reversal(
    store: Store,
    client: str,
    participant_id: str,
    claim_id: str,
    points: int,
    version: str | None,
    key: str,
    at: str,
    reverses: int,
    reason: str,
    actor: str,
) -> int:
    """Append a reversal posting (`points` as given, negative) and return its id.

    Args:
        store: the store.
        client: the client key.
        participant_id: whose points.
        claim_id: the claim reversed.
        points: the posting's points (the reversed posting's, negated).
        version: the rule version of the reversed posting.
        key: the idempotency key.
        at: posted and available at (ISO text).
        reverses: the id of the posting reversed.
        reason: why.
        actor: who.

    Example: ``add_reversal(store, "acme-tools", "104233", "c1", -500, "3", "reversal:7",
    at, at, 7, "refund", "ann")``
    """
    cursor = store.db.execute(
        "INSERT INTO ledger (client, participant_id, claim_id, entry_type, points, "
        "version, idempotency_key, posted_at, available_at, reverses, reason, actor) "
        "VALUES (?,?,?,'reversal',?,?,?,?,?,?,?,?)",
        [
            client,
            participant_id,
            claim_id,
            points,
            version,
            key,
            utc_text(at),
            utc_text(at),
            reverses,
            reason,
            actor,
        ],
    )
    return int(cursor.lastrowid or 0)


def add_debit(
    store: Store,
    client: str,
    participant_id: str,
    entry_type: str,
    points: int,
    key: str,
    at: str,
    reason: str,
    actor: str,
) -> int:
    """Append a posting with no claim (a redemption, an expiry) and return its id.

    Args:
        store: the store.
        client: the client key.
        participant_id: whose points.
        entry_type: ``redemption`` or ``expiry``.
        points: the posting's points (negative for a debit).
        key: the idempotency key.
        at: posted and available at (ISO text).
        reason: the reference or why.
        actor: who.

    Example: ``add_debit(store, "acme-tools", "104233", "redemption", -500,
    "redemption:acme-tools:order 77", at, "order 77", "ann")``
    """
    cursor = store.db.execute(
        "INSERT INTO ledger (client, participant_id, entry_type, points, idempotency_key, "
        "posted_at, available_at, reason, actor) VALUES (?,?,?,?,?,?,?,?,?)",
        [
            client,
            participant_id,
            entry_type,
            points,
            key,
            utc_text(at),
            utc_text(at),
            reason,
            actor,
        ],
    )
    return int(cursor.lastrowid or 0)


def add_allocation(store: Store, debit_id: int, lot_id: int, points: int) -> None:
    """Record that a debit posting consumes `points` of a lot (an award posting).

    Example: ``add_allocation(store, 12, 7, 500)``
    """
    store.db.execute(
        "INSERT INTO ledger_allocations VALUES (?,?,?)", [debit_id, lot_id, points]
    )


def posted_total(
    store: Store, client: str, participant_id: str, at: datetime | str
) -> int:
    """The sum of a participant's postings up to an instant (compared as instants).

    Example: ``posted_total(store, "acme-tools", "104233", "2026-12-03T00:00:00+00:00")``
    """
    moment = instant(at)
    return sum(
        int(points)
        for points, posted in store.db.execute(
            "SELECT points, posted_at FROM ledger WHERE client = ? AND participant_id = ?",
            [client, participant_id],
        )
        if instant(posted) <= moment
    )


def award_lots(
    store: Store,
    client: str,
    participant_id: str,
    at: datetime | str,
    *,
    every_debit: bool = False,
) -> list[Lot]:
    """A participant's award lots posted by an instant, with the points left then.

    Points left are a lot's points less what debits took from it, and less
    what the participant owes (`owed_points`: a refund of points already
    spent), which the lots pay oldest expiring first: the points that pay a
    debt are spent, and no expiry takes them again.

    Allocations of debits posted after `at` do not count, unless
    `every_debit`: a write (a redemption, an expiry, a merge) counts every
    debit already in the ledger, whatever its instant, so a clerk whose
    instant was taken before another's later-dated debit committed cannot
    take the same points again. The lots come in no particular order (the
    caller sorts them). Instants are compared as instants, whatever offset
    each row was written with.

    Example: ``award_lots(store, "acme-tools", "104233", "2026-12-03T00:00:00+00:00")``
    """
    moment = instant(at)
    taken: dict[int, int] = {}
    for lot_id, points, posted in store.db.execute(_TAKEN, [client, participant_id]):
        if every_debit or instant(posted) <= moment:
            taken[int(lot_id)] = taken.get(int(lot_id), 0) + int(points)
    lots = [
        (
            int(i),
            int(points) - taken.get(int(i), 0),
            instant(available),
            None if expires is None else instant(expires),
        )
        for i, points, posted, available, expires in store.db.execute(
            _LOTS, [client, participant_id]
        )
        if instant(posted) <= moment
    ]
    return _settle_owed(lots, owed_points(store, client, participant_id, moment, every_debit))


def owed_points(
    store: Store, client: str, participant_id: str, at: datetime, every_debit: bool
) -> int:
    """Points a participant owes that no lot held: what debits posted by `at`
    (every debit, with `every_debit`) could not take from a lot, less what
    positive postings that are no lot paid back; never below zero.

    Example: ``owed_points(store, "acme-tools", "104233", now, False)``
    """
    owed = sum(
        -int(points) - int(allocated)
        for points, posted, allocated in store.db.execute(
            _OWING, [client, participant_id]
        )
        if every_debit or instant(posted) <= at
    )
    return max(owed, 0)


def _settle_owed(lots: list[Lot], owed: int) -> list[Lot]:
    """`lots` with what is `owed` taken from them, oldest expiring first
    (never expiring last), as a redemption takes points.

    A refund of points already spent leaves the balance negative; the points
    earned later pay that debt, so they are spent, not left in their lots
    for expiry to take again (trial 36: 10,000 refunded after they were
    redeemed, then 5,000 earned: the balance was -5,000, yet 18 months on
    the 5,000 expired, to -10,000). Derived at each reading, like the rest
    of a lot's points, so it holds for every ledger written before too.
    """
    if owed <= 0:
        return lots
    order = sorted(
        (lot for lot in lots if lot[1] > 0),
        key=lambda lot: (lot[3] or _NEVER, lot[0]),
    )
    paid: dict[int, int] = {}
    for lot_id, remaining, _, _ in order:
        if owed <= 0:
            break
        paid[lot_id] = min(owed, remaining)
        owed -= paid[lot_id]
    return [(i, r - paid.get(i, 0), a, e) for i, r, a, e in lots]


def posting_by_key(store: Store, key: str) -> tuple[str, int, str] | None:
    """The posting with an idempotency key: (participant, points negated, posted at).

    Example: ``posting_by_key(store, "redemption:acme-tools:order 77")``
    """
    row = store.db.execute(
        "SELECT participant_id, -points, posted_at FROM ledger WHERE idempotency_key = ?",
        [key],
    ).fetchone()
    return None if row is None else (str(row[0]), int(row[1]), str(row[2]))


def redemptions_like(
    store: Store, client: str, pattern: str
) -> list[tuple[str, int, str, str]]:
    """A client's redemptions whose lower-cased reference is LIKE `pattern`:
    (participant, points redeemed, posted at, reference as written).

    The pattern narrows the candidates in the database; the caller compares
    the references exactly.

    Example: ``redemptions_like(store, "acme-tools", "%r%e%s%7%7%7%")``
    """
    return [
        (str(p), int(n), str(at), str(r))
        for p, n, at, r in store.db.execute(
            "SELECT participant_id, -points, posted_at, reason FROM ledger "
            "WHERE client = ? AND entry_type = 'redemption' AND lower(reason) LIKE ? "
            "ORDER BY id",
            [client, pattern],
        )
    ]


def ledger_participants(store: Store, client: str) -> list[str]:
    """The participants with any posting for a client.

    Example: ``ledger_participants(store, "acme-tools")``
    """
    return [
        str(p)
        for (p,) in store.db.execute(
            "SELECT DISTINCT participant_id FROM ledger WHERE client = ?", [client]
        )
    ]


def last_activity(store: Store, client: str, participant_id: str) -> datetime | None:
    """When a participant last had an award or a redemption posted, if ever
    (the latest instant: the latest text may be an earlier instant).

    Example: ``last_activity(store, "acme-tools", "104233")``
    """
    return max(
        (
            instant(posted)
            for (posted,) in store.db.execute(
                "SELECT posted_at FROM ledger WHERE client = ? AND participant_id = ? "
                "AND entry_type IN ('award', 'redemption')",
                [client, participant_id],
            )
        ),
        default=None,
    )
