"""The SQL of account merges and point adjustments (`claimflow.accounts`).

The decisions (whether a merge may go ahead, what it moves, who may
approve an adjustment) live in `claimflow.accounts`; these functions run
one question or one append each and hand back plain values. The ledger
stays append-only: a merge is ``transfer_out``/``transfer_in`` postings,
an adjustment an ``adjustment`` posting; the only updates are to the
reference rows a merge re-points (``claims.participant_id``,
``participants.status``), each recorded in ``account_merge_items`` or
``account_merges.status_before`` so an unmerge puts them back.

Portable SQL: explicit column lists, ``RETURNING id``, ``?`` placeholders.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from claimflow.store.instants import utc_text

if TYPE_CHECKING:
    from claimflow.models import ParticipantFacts
    from claimflow.store import Store

#: A posting as a merge reads it: (id, participant, claim, points,
#: available at, expires at or None).
Posting = tuple[int, str, str | None, int, str, str | None]
#: A merge row: (id, client, action, survivor, merged, undoes, status
#: before, at, actor, note).
MergeRow = tuple[int, str, str, str, str, int | None, str | None, str, str, str]
#: An adjustment row: (id, client, participant, points, reason code, note,
#: case, claim, requested by, requested at, point value, cost, decision,
#: decided by, decided at, posting).
AdjustmentRow = tuple[
    int,
    str,
    str,
    int,
    str,
    str,
    int | None,
    str | None,
    str,
    str,
    str,
    str,
    str | None,
    str | None,
    str | None,
    int | None,
]


def _new_id(store: Store, sql: str, params: Sequence[object]) -> int:
    return int(store.db.execute(sql + " RETURNING id", list(params)).fetchone()[0])


def participant_facts(
    store: Store, client: str, participant_id: str
) -> tuple[str, str | None] | None:
    """A member-list row's status and tax id, or None when not on the list.

    Example: ``participant_facts(store, "acme-tools", "104233")``
    """
    row = store.db.execute(
        "SELECT status, tax_id FROM participants WHERE client = ? AND id = ?",
        [client, participant_id],
    ).fetchone()
    return None if row is None else (str(row[0]), row[1])


def set_participant_status(
    store: Store, client: str, participant_id: str, status: str
) -> None:
    """Set a member-list row's status (a merge closes the merged account).

    Example: ``set_participant_status(store, "acme-tools", "104876", "closed")``
    """
    store.db.execute(
        "UPDATE participants SET status = ? WHERE client = ? AND id = ?",
        [status, client, participant_id],
    )


def redemption_references(
    store: Store, client: str, participant_id: str
) -> list[tuple[int, str]]:
    """A participant's redemptions: (posting id, reference as written).

    Example: ``redemption_references(store, "acme-tools", "104233")``
    """
    return [
        (int(i), str(r))
        for i, r in store.db.execute(
            "SELECT id, reason FROM ledger WHERE client = ? AND participant_id = ? "
            "AND entry_type = 'redemption' ORDER BY id",
            [client, participant_id],
        )
    ]


def live_merge(store: Store, client: str, merged: str) -> MergeRow | None:
    """The merge that closed `merged` and no unmerge undid, if any.

    Example: ``live_merge(store, "acme-tools", "104876")``
    """
    row = store.db.execute(
        "SELECT id, client, action, survivor, merged, undoes, status_before, at, "
        "actor, note FROM account_merges m WHERE client = ? AND merged = ? "
        "AND action = 'merge' AND NOT EXISTS (SELECT 1 FROM account_merges u "
        "WHERE u.undoes = m.id) ORDER BY id DESC LIMIT 1",
        [client, merged],
    ).fetchone()
    return None if row is None else tuple(row)


_LIVE_MERGES = (
    "SELECT id, survivor, merged FROM account_merges m WHERE client = ? "
    "AND action = 'merge' AND NOT EXISTS (SELECT 1 FROM account_merges u "
    "WHERE u.undoes = m.id) ORDER BY id"
)


def live_merges(store: Store, client: str) -> list[tuple[int, str, str]]:
    """The merges of `client` no unmerge undid: (id, survivor, merged), in order.

    Example: ``live_merges(store, "costa-azul") == [(1, "300120031", "300199990")]``
    """
    return [
        (int(i), str(s), str(m)) for i, s, m in store.db.execute(_LIVE_MERGES, [client])
    ]


def merged_accounts(store: Store, client: str) -> dict[str, tuple[str, ...]]:
    """The accounts the live merges (no unmerge undid) make one member: each
    account a live merge named -> every account of its member, sorted (a
    chain, M into S and S into T, is one member of three). Accounts no live
    merge named are left out: each is a member of one account.

    Example: ``merged_accounts(store, "costa-azul") == {"300120031":
    ("300120031", "300199990"), "300199990": ("300120031", "300199990")}``
    """
    parent: dict[str, str] = {}

    def root(account: str) -> str:
        while parent.setdefault(account, account) != account:
            account = parent[account]
        return account

    for _, survivor, merged in live_merges(store, client):
        parent[root(merged)] = root(survivor)
    members: dict[str, list[str]] = {}
    for account in parent:
        members.setdefault(root(account), []).append(account)
    return {
        account: tuple(sorted(group))
        for group in members.values()
        for account in group
    }


def stays_holding_nights(
    store: Store, client: str, participant_id: str
) -> list[tuple[str, str, str, str, str, bool]]:
    """A participant's stay claims that hold their nights: accepted now (paid
    by the next award) or with an award standing (paid, not reversed),
    whatever their outcome: (claim, where it came from, outcome, check-in,
    check-out (ISO dates), paid), in store order.

    Example: ``stays_holding_nights(store, "costa-azul", "300120031")``
    """
    paid = (
        "EXISTS (SELECT 1 FROM ledger l WHERE l.client = c.client AND l.claim_id = c.id "
        "AND l.entry_type = 'award' AND NOT EXISTS (SELECT 1 FROM ledger r "
        "WHERE r.reverses = l.id))"
    )
    return [
        (str(c), str(w), str(o), str(a), str(d), bool(p))
        for c, w, o, a, d, p in store.db.execute(
            "SELECT c.id, c.source, c.outcome, c.data ->> '$.check_in', "
            f"c.data ->> '$.check_out', CASE WHEN {paid} THEN 1 ELSE 0 END "
            "FROM claims c WHERE c.client = ? AND c.participant_id = ? "
            "AND c.kind = 'stay' AND (c.data ->> '$.check_in') IS NOT NULL "
            f"AND (c.data ->> '$.check_out') IS NOT NULL AND (c.outcome = 'accepted' "
            f"OR {paid}) ORDER BY c.rowid",
            [client, participant_id],
        )
    ]


def add_merge(
    store: Store,
    client: str,
    action: str,
    pair: tuple[str, str],
    undoes: int | None,
    status_before: str | None,
    at: str,
    actor: str,
    note: str,
) -> int:
    """Append a merge or unmerge row; `pair` is (survivor, merged). Returns its id.

    Example: ``add_merge(store, "x", "merge", ("S", "M"), None, "active", at, "ann", "")``
    """
    return _new_id(
        store,
        "INSERT INTO account_merges (client, action, survivor, merged, undoes, "
        "status_before, at, actor, note) VALUES (?,?,?,?,?,?,?,?,?)",
        [client, action, *pair, undoes, status_before, at, actor, note],
    )


def add_merge_items(
    store: Store, merge_id: int, items: Sequence[tuple[str, str, int]]
) -> None:
    """Record what a merge moved: (kind, item, points) rows.

    Example: ``add_merge_items(store, 1, [("claim", "c1", 0), ("lot", "17", 500)])``
    """
    store.db.conn.executemany(
        "INSERT INTO account_merge_items (merge_id, kind, item, points) "
        "VALUES (?,?,?,?)",
        [(merge_id, *item) for item in items],
    )


def merge_items(store: Store, merge_id: int) -> list[tuple[str, str, int]]:
    """What a merge moved, in the order recorded: (kind, item, points).

    Example: ``merge_items(store, 1)``
    """
    return [
        (str(k), str(i), int(p))
        for k, i, p in store.db.execute(
            "SELECT kind, item, points FROM account_merge_items WHERE merge_id = ? "
            "ORDER BY id",
            [merge_id],
        )
    ]


def posting(store: Store, posting_id: int) -> Posting:
    """One ledger posting as a merge reads it (`Posting`).

    Example: ``posting(store, 17)[3]``
    """
    row = store.db.execute(
        "SELECT id, participant_id, claim_id, points, available_at, expires_at "
        "FROM ledger WHERE id = ?",
        [posting_id],
    ).fetchone()
    return (int(row[0]), str(row[1]), row[2], int(row[3]), str(row[4]), row[5])


def lot_holder(store: Store, lot_id: int) -> tuple[int, str]:
    """Where a lot's points are now: the last ``transfer_in`` continuing it
    (following merges and unmerges), or the lot itself; (lot, participant).

    Example: ``lot_holder(store, 17)``
    """
    current = lot_id
    while True:
        row = store.db.execute(
            "SELECT id FROM ledger WHERE transfer_of = ? ORDER BY id DESC LIMIT 1",
            [current],
        ).fetchone()
        if row is None:
            break
        current = int(row[0])
    return current, posting(store, current)[1]


def add_posting(
    store: Store,
    client: str,
    participant_id: str,
    entry_type: str,
    points: int,
    key: str,
    at: tuple[str, str, str | None],
    reason: str,
    actor: str,
    *,
    claim_id: str | None = None,
    transfer_of: int | None = None,
) -> int:
    """Append a transfer or adjustment posting and return its id.

    Args:
        store: the store.
        client: the client key.
        participant_id: whose points.
        entry_type: ``transfer_in``, ``transfer_out`` or ``adjustment``.
        points: signed points.
        key: the idempotency key.
        at: (posted at, available at, expires at or None), ISO text.
        reason: why (the merge, the reason code).
        actor: who.
        claim_id: the claim a moved lot came from.
        transfer_of: the lot a ``transfer_in`` continues.

    Example: ``add_posting(store, "x", "S", "transfer_in", 500, "merge:1:in:7",
    (at, at, None), "merge #1 from M", "ann", transfer_of=7)``
    """
    posted, available, expires = (
        utc_text(at[0]),
        utc_text(at[1]),
        None if at[2] is None else utc_text(at[2]),
    )
    return _new_id(
        store,
        "INSERT INTO ledger (client, participant_id, claim_id, entry_type, points, "
        "idempotency_key, posted_at, available_at, expires_at, reason, actor, "
        "transfer_of) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            client,
            participant_id,
            claim_id,
            entry_type,
            points,
            key,
            posted,
            available,
            expires,
            reason,
            actor,
            transfer_of,
        ],
    )


def allocations_after(store: Store, lot_id: int, after: int) -> tuple[int, str] | None:
    """The first posting after id `after` that consumed part of a lot:
    (posting id, entry type), or None.

    Example: ``allocations_after(store, 31, 30)``
    """
    row = store.db.execute(
        "SELECT d.id, d.entry_type FROM ledger_allocations a "
        "JOIN ledger d ON d.id = a.debit_id WHERE a.lot_id = ? AND d.id > ? "
        "ORDER BY d.id LIMIT 1",
        [lot_id, after],
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def participant_claims(store: Store, client: str, participant_id: str) -> list[str]:
    """A participant's stored claims, in the order stored.

    Example: ``participant_claims(store, "acme-tools", "104233")``
    """
    return [
        str(c)
        for (c,) in store.db.execute(
            "SELECT id FROM claims WHERE client = ? AND participant_id = ? "
            "ORDER BY received_at, id",
            [client, participant_id],
        )
    ]


def claim_owners(store: Store, claim_ids: Sequence[str]) -> dict[str, str]:
    """The participant each claim is filed under now.

    Example: ``claim_owners(store, ["c1"])["c1"]``
    """
    owners: dict[str, str] = {}
    for claim in claim_ids:
        row = store.db.execute(
            "SELECT participant_id FROM claims WHERE id = ?", [claim]
        ).fetchone()
        if row is not None:
            owners[claim] = str(row[0])
    return owners


def set_claims_participant(
    store: Store, claim_ids: Sequence[str], participant_id: str
) -> None:
    """File claims under another participant (a merge moves them).

    Example: ``set_claims_participant(store, ["c1", "c2"], "104233")``
    """
    store.db.conn.executemany(
        "UPDATE claims SET participant_id = ? WHERE id = ?",
        [(participant_id, claim) for claim in claim_ids],
    )


def add_adjustment(store: Store, row: Sequence[object]) -> int:
    """Append an adjustment request and return its id.

    Args:
        store: the store.
        row: (client, participant, points, reason code, note, case id,
            claim id, requested by, requested at, point value, cost,
            reference or None).

    Example: ``add_adjustment(store, ("x", "R1", 500, "goodwill", "late", None,
    None, "ann", at, "0.01", "5.00", "TICKET-7"))``
    """
    return _new_id(
        store,
        "INSERT INTO adjustments (client, participant_id, points, reason_code, note, "
        "case_id, claim_id, requested_by, requested_at, point_value, cost, "
        "reference) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        row,
    )


def adjustments_like(
    store: Store, client: str, pattern: str
) -> list[tuple[int, str, str, str]]:
    """A client's adjustments whose lower-cased reference is LIKE `pattern`:
    (id, requested by, at, reference as written), oldest first.

    The pattern narrows the candidates in the database; the caller compares
    the references (`claimflow.award.references.reference_key`).

    Example: ``adjustments_like(store, "acme-tools", "%t%i%c%k%e%t%7%")``
    """
    return [
        (int(i), str(by), str(at), str(ref))
        for i, by, at, ref in store.db.execute(
            "SELECT id, requested_by, requested_at, reference FROM adjustments "
            "WHERE client = ? AND reference IS NOT NULL AND lower(reference) LIKE ? "
            "ORDER BY id",
            [client, pattern],
        )
    ]


def add_adjustment_decision(
    store: Store,
    adjustment_id: int,
    decision: str,
    by: str,
    at: str,
    posting_id: int | None,
) -> None:
    """Record an adjustment's approval (with its posting) or rejection.

    Example: ``add_adjustment_decision(store, 3, "approved", "sam", at, 41)``
    """
    store.db.execute(
        "INSERT INTO adjustment_decisions (adjustment_id, decision, decided_by, "
        "decided_at, posting_id) VALUES (?,?,?,?,?)",
        [adjustment_id, decision, by, at, posting_id],
    )


_ADJUSTMENTS = (
    "SELECT a.id, a.client, a.participant_id, a.points, a.reason_code, a.note, "
    "a.case_id, a.claim_id, a.requested_by, a.requested_at, a.point_value, a.cost, "
    "d.decision, d.decided_by, d.decided_at, d.posting_id FROM adjustments a "
    "LEFT JOIN adjustment_decisions d ON d.adjustment_id = a.id "
)


def adjustment_rows(
    store: Store, client: str, adjustment_id: int | None = None
) -> list[AdjustmentRow]:
    """A client's adjustments (or one), with their decision if made, by id.

    Example: ``adjustment_rows(store, "acme-tools", 3)[0][12]``
    """
    sql = _ADJUSTMENTS + "WHERE a.client = ?"
    params: list[object] = [client]
    if adjustment_id is not None:
        sql, params = sql + " AND a.id = ?", [client, adjustment_id]
    rows = store.db.execute(sql + " ORDER BY a.id", params).fetchall()
    return [tuple(r) for r in rows]


def postings_cost_rows(
    store: Store, posting_ids: Sequence[int]
) -> list[tuple[int, str, int]]:
    """Postings by id: (id, entry type, points), for the cost of a case.

    Example: ``postings_cost_rows(store, [41, 42])``
    """
    rows: list[tuple[int, str, int]] = []
    for posting_id in posting_ids:
        row = store.db.execute(
            "SELECT id, entry_type, points FROM ledger WHERE id = ?", [posting_id]
        ).fetchone()
        if row is not None:
            rows.append((int(row[0]), str(row[1]), int(row[2])))
    return rows


def claim_postings_of(
    store: Store, client: str, participant_id: str, claim_ids: Sequence[str]
) -> list[tuple[int, str, str]]:
    """Award and reversal postings of these claims on a participant:
    (posting id, entry type, claim).

    Example: ``claim_postings_of(store, "acme-tools", "104233", ["c1"])``
    """
    found: list[tuple[int, str, str]] = []
    for claim in claim_ids:
        found.extend(
            (int(i), str(t), claim)
            for i, t in store.db.execute(
                "SELECT id, entry_type FROM ledger WHERE client = ? AND claim_id = ? "
                "AND participant_id = ? AND entry_type IN ('award', 'reversal')",
                [client, claim, participant_id],
            )
        )
    return sorted(found)


def claims_under_merged(
    store: Store, client: str
) -> list[tuple[str, int, str, str, int, str]]:
    """Claims filed under an account a live merge closed (keyed under the
    merged number after the merge moved its claims): (claim, batch, outcome,
    merged, merge id, survivor), by claim id.

    Example: ``claims_under_merged(store, "acme-tools")``
    """
    return [
        (str(c), int(b), str(o), str(p), int(m), str(s))
        for c, b, o, p, m, s in store.db.execute(
            "SELECT c.id, c.batch_id, c.outcome, c.participant_id, m.id, m.survivor "
            "FROM claims c JOIN account_merges m ON m.client = c.client "
            "AND m.merged = c.participant_id AND m.action = 'merge' "
            "WHERE c.client = ? AND NOT EXISTS (SELECT 1 FROM account_merges u "
            "WHERE u.undoes = m.id) ORDER BY c.id",
            [client],
        )
    ]


def merge_participants(store: Store, client: str) -> set[str]:
    """Every participant a merge (live or undone) named, survivor or merged.

    Example: ``merge_participants(store, "acme-tools")``
    """
    return {
        str(who)
        for row in store.db.execute(
            "SELECT survivor, merged FROM account_merges WHERE client = ?", [client]
        )
        for who in row
    }


def claim_merge(
    store: Store, client: str, claim_id: str
) -> tuple[int, str, str, str] | None:
    """The live merge that filed a claim under its survivor: (merge id,
    merged, survivor, at), or None.

    Example: ``claim_merge(store, "acme-tools", "7b0be037608e-r3")``
    """
    row = store.db.execute(
        "SELECT m.id, m.merged, m.survivor, m.at FROM account_merge_items i "
        "JOIN account_merges m ON m.id = i.merge_id WHERE m.client = ? "
        "AND m.action = 'merge' AND i.kind = 'claim' AND i.item = ? "
        "AND NOT EXISTS (SELECT 1 FROM account_merges u WHERE u.undoes = m.id) "
        "ORDER BY m.id DESC LIMIT 1",
        [client, claim_id],
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]), str(row[2]), str(row[3]))


def claims_with_problem(store: Store, client: str, code: str) -> set[str]:
    """The client's claims with a stored problem of this code.

    Example: ``claims_with_problem(store, "acme-tools", "merged_participant")``
    """
    return {
        str(c)
        for (c,) in store.db.execute(
            "SELECT DISTINCT p.claim_id FROM problems p JOIN claims c "
            "ON c.id = p.claim_id WHERE c.client = ? AND p.code = ?",
            [client, code],
        )
    }


def add_participant_facts(
    store: Store,
    client: str,
    participant_id: str,
    facts: Sequence[ParticipantFacts],
    recorded_at: str,
    actor: str,
) -> None:
    """Append dated facts to a participant's history (a merge's tiers).

    Example: ``add_participant_facts(store, "x", "S", [fact], at, "ann")``
    """
    store.db.conn.executemany(
        "INSERT INTO participant_facts (client, participant_id, effective_from, "
        "tier, status, enrolled_on, tax_form_on, source, recorded_at, "
        "recorded_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (
                client,
                participant_id,
                f.effective_from.isoformat(),
                f.tier,
                f.status,
                None if f.enrolled_on is None else f.enrolled_on.isoformat(),
                None if f.tax_form_on is None else f.tax_form_on.isoformat(),
                f.source or "",
                recorded_at,
                actor,
            )
            for f in facts
        ],
    )
