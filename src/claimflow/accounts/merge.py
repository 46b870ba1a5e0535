"""Merging two accounts of one member, and undoing it.

`merge_accounts` runs only after a reviewer marked the two participants
the same (``dedupe apply``). It moves everything of the merged account to
the survivor, in one transaction:

- points, lot by lot: each lot with points left (pending, available, or
  past its expiry date and not yet expired) gets a ``transfer_out`` on the
  merged account that consumes it and a ``transfer_in`` on the survivor
  with the same points, available and expiry instants, naming the lot it
  continues (``transfer_of``); whatever balance is left beyond the lots (a
  debt from a reversal after a redemption) moves as one more pair, so the
  merged account ends at 0;
- its claims (filed under the survivor from now on) and open cases;
- its tier history: the survivor holds the higher tier of the two on each
  day, or keeps its own (`claimflow.accounts.tiers`, by the client's
  ``accounts.tier_on_merge``);
- its status: closed, with the merge as the pointer to the survivor
  (`merged_into`);
- its stays, now one member's with the survivor's: a stay holding nights
  one of the survivor's holds goes to review unless both are paid, and
  each such pair is reported (`claimflow.accounts.merged_nights`).

The ledger is never updated: a merge is postings, and `unmerge_accounts`
is the mirror postings, refused when anything moved has been used since
(a transferred lot redeemed, reversed or expired, an award posted on a
moved claim, the survivor merged on), because then the undo would not be
exact. A merge is refused when the two accounts disagree on facts a person
must settle: two different tax ids, or both having redeemed the same
order reference.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from claimflow.accounts.merged_nights import SharedNights, shared_nights
from claimflow.award.ledger import LedgerError
from claimflow.award.references import reference_key as _reference
from claimflow.dedupe.decisions import latest_decisions
from claimflow.shown import PLAIN_DESK, Desk
from claimflow.store import Store
from claimflow.store.accounts import (
    add_merge,
    add_merge_items,
    add_posting,
    allocations_after,
    claim_owners,
    claim_postings_of,
    live_merge,
    lot_holder,
    merge_items,
    participant_claims,
    participant_facts,
    posting,
    redemption_references,
    set_claims_participant,
    set_participant_status,
)
from claimflow.store.cases import add_case_events, open_cases_of
from claimflow.store.instants import utc_text
from claimflow.store.ledger import add_allocation, award_lots, posted_total


class AccountError(LedgerError):
    """An account service cannot be done as asked (one line says why)."""


@dataclass(frozen=True)
class MergeResult:
    """What a merge or unmerge moved.

    Attributes:
        merge_id: the ``account_merges`` row recorded.
        action: ``merge`` or ``unmerge``.
        survivor, merged: the two accounts.
        points: points moved (lots and balance, signed).
        lots: lots moved.
        claims: claims re-filed.
        cases: open cases moved.
        shared_nights: the merged account's stays holding nights one of
            the survivor's holds, now one member's (`claimflow.accounts.
            merged_nights`): each sent to review unless both are paid.
    """

    merge_id: int
    action: str
    survivor: str
    merged: str
    points: int
    lots: int
    claims: list[str] = field(default_factory=list)
    cases: list[int] = field(default_factory=list)
    shared_nights: list[SharedNights] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """As plain data."""
        return asdict(self)


_utc = utc_text  # the ledger's one writer of instants (UTC ISO text)


def _tax(text: str | None) -> str | None:
    return re.sub(r"[\W_]+", "", text).upper() or None if text else None


def merged_into(store: Store, client: str, participant_id: str) -> str | None:
    """The account a participant was merged into (and not unmerged), if any.

    Example: ``merged_into(store, "acme-tools", "104876")``
    """
    row = live_merge(store, client, participant_id)
    return None if row is None else row[3]


def _refusal(
    store: Store, client: str, survivor: str, merged: str, desk: Desk = PLAIN_DESK
) -> str | None:
    """Why the two may not be merged now, or None."""
    if survivor == merged:
        return f"participant {merged}: cannot be merged into itself"
    for who in (survivor, merged):
        if not store.known_participant(client, who):
            return f"participant {who}: not on {client}'s member list or ledger"
        row = live_merge(store, client, who)
        if row is not None:
            return (
                f"participant {who}: closed, merged into {row[3]} by merge #{row[0]} "
                f"at {desk.time(row[7])}"
            )
    first, second = sorted((survivor, merged))
    if latest_decisions(store.db.conn, "participant").get((first, second)) != "same":
        return (
            f"participants {survivor} and {merged}: no reviewer marked them the same; "
            "mark the pair same in a review file and run `dedupe apply` first"
        )
    facts = [participant_facts(store, client, who) for who in (survivor, merged)]
    taxes = [_tax(f[1]) if f else None for f in facts]
    if taxes[0] and taxes[1] and taxes[0] != taxes[1]:
        return (
            f"participants {survivor} and {merged}: different tax ids "
            f"({facts[0][1]} and {facts[1][1]}); a person must settle which is right"  # type: ignore[index]
        )
    theirs = {
        _reference(r): (i, r) for i, r in redemption_references(store, client, merged)
    }
    for posting_id, reference in redemption_references(store, client, survivor):
        other = theirs.get(_reference(reference))
        if other is not None:
            return (
                f"participants {survivor} and {merged}: both redeemed reference "
                f"{reference!r} (postings #{posting_id} and #{other[0]}): a possible "
                "double redemption; settle it before merging"
            )
    return None


def merge_accounts(
    store: Store,
    client: str,
    survivor: str,
    merged: str,
    actor: str,
    at: datetime,
    note: str = "",
    tier_policy: tuple[str, Sequence[str]] = ("survivor", ()),
    locale: str | None = None,
    desk: Desk = PLAIN_DESK,
) -> MergeResult:
    """Merge account `merged` into `survivor` (see the module docstring).

    Args:
        store: the store.
        client: the client key.
        survivor: the account that stays.
        merged: the account closed into it.
        actor: who merges (audited).
        at: when (timezone-aware).
        note: why, kept on the merge.
        tier_policy: the client's ``accounts.tier_on_merge`` and
            ``accounts.tiers`` (`claimflow.accounts.tiers.merge_tiers`;
            `claimflow.api.merge_accounts` passes them); without it the
            survivor's tier history stands.
        locale: the client's locale: tiers are ranked in any case, as its
            language writes capitals (``ALTIN`` is ``altın`` in tr_TR).
        desk: the client's desk, whose zone a refusal writes times in.

    Returns:
        What moved.

    Raises:
        AccountError: the merge is refused (no ``same`` mark, conflicting
            facts, tiers that cannot be ranked, an account already merged);
            nothing is written.

    Example: ``merge_accounts(store, "acme-tools", "104233", "104876", "ann", now)``
    """
    when = _utc(at)
    # Checked inside the write transaction: a second clerk's merge of the
    # same account waits for this one and then sees it.
    with store.transaction():
        refusal = _refusal(store, client, survivor, merged, desk)
        if refusal is not None:
            raise AccountError(refusal)
        facts = participant_facts(store, client, merged)
        merge_id = add_merge(
            store,
            client,
            "merge",
            (survivor, merged),
            None,
            facts[0] if facts else None,
            when,
            actor,
            note,
        )
        items: list[tuple[str, str, int]] = []
        reason = f"merge #{merge_id}: {merged} into {survivor}"
        moved = 0
        for lot_id, left, _, _ in sorted(
            award_lots(store, client, merged, when, every_debit=True)
        ):
            if left <= 0:
                continue
            in_id = _move_lot(
                store,
                client,
                (merged, survivor),
                lot_id,
                left,
                when,
                (f"merge:{client}:{merge_id}", reason, actor),
            )
            items.append(("lot", str(in_id), left))
            moved += left
        rest = posted_total(store, client, merged, when)
        if rest:
            in_id = _move_balance(
                store,
                client,
                (merged, survivor),
                rest,
                when,
                (f"merge:{client}:{merge_id}", reason, actor),
            )
            items.append(("balance", str(in_id), rest))
            moved += rest
        claims = participant_claims(store, client, merged)
        set_claims_participant(store, claims, survivor)
        items += [("claim", claim, 0) for claim in claims]
        shared = shared_nights(
            store, client, (survivor, merged), claims, (merge_id, when)
        )
        cases = open_cases_of(store, client, merged)
        add_case_events(
            store, [(c, "participant", survivor, when, actor, reason) for c in cases]
        )
        items += [("case", str(c), 0) for c in cases]
        items += [
            ("tier", day.isoformat(), 0)
            for day in _merge_tiers(
                store, client, (survivor, merged), (tier_policy, locale), merge_id,
                (at, actor),
            )
        ]
        add_merge_items(store, merge_id, items)
        if facts is not None:
            set_participant_status(store, client, merged, "closed")
        result = MergeResult(
            merge_id,
            "merge",
            survivor,
            merged,
            moved,
            sum(k == "lot" for k, _, _ in items),
            claims,
            cases,
            shared,
        )
        store.audit(actor, "participants merge", result.to_dict() | {"note": note})
    return result


def _merge_tiers(
    store: Store,
    client: str,
    pair: tuple[str, str],
    policy: tuple[tuple[str, Sequence[str]], str | None],
    merge_id: int,
    when: tuple[datetime, str],
) -> list[date]:
    """The survivor's tiers combined with the merged account's (both on the
    member list), per `claimflow.accounts.tiers`; the days written. `policy`
    is (the tier policy, the client's locale)."""
    from claimflow.accounts.tiers import merge_tiers

    people = store.participants(client)
    if pair[0] not in people or pair[1] not in people:
        return []
    both = (people[pair[0]], people[pair[1]])
    rule, locale = policy
    return merge_tiers(store, client, both, rule, f"merge #{merge_id}", when, locale)


def _move_lot(
    store: Store,
    client: str,
    pair: tuple[str, str],
    lot_id: int,
    points: int,
    when: str,
    how: tuple[str, str, str],
) -> int:
    """Move a lot's `points` from pair[0] to pair[1]; return the new lot's id."""
    key, reason, actor = how
    _, _, claim, _, available, expires = posting(store, lot_id)
    out_id = add_posting(
        store,
        client,
        pair[0],
        "transfer_out",
        -points,
        f"{key}:out:{lot_id}",
        (when, when, None),
        reason,
        actor,
        claim_id=claim,
    )
    add_allocation(store, out_id, lot_id, points)
    return add_posting(
        store,
        client,
        pair[1],
        "transfer_in",
        points,
        f"{key}:in:{lot_id}",
        (when, available, expires),
        reason,
        actor,
        claim_id=claim,
        transfer_of=lot_id,
    )


def _move_balance(
    store: Store,
    client: str,
    pair: tuple[str, str],
    points: int,
    when: str,
    how: tuple[str, str, str],
) -> int:
    """Move a balance that no lot holds (signed) from pair[0] to pair[1]."""
    key, reason, actor = how
    add_posting(
        store,
        client,
        pair[0],
        "transfer_out",
        -points,
        f"{key}:out:balance",
        (when, when, None),
        reason,
        actor,
    )
    return add_posting(
        store,
        client,
        pair[1],
        "transfer_in",
        points,
        f"{key}:in:balance",
        (when, when, None),
        reason,
        actor,
    )


def _unmerge_refusal(
    store: Store,
    client: str,
    row: tuple[object, ...],
    items: list[tuple[str, str, int]],
) -> str | None:
    merge_id, survivor, merged = row[0], str(row[3]), str(row[4])
    onward = live_merge(store, client, survivor)
    if onward is not None:
        return (
            f"merge #{merge_id}: {survivor} was merged into {onward[3]} since "
            f"(merge #{onward[0]}); unmerge that first"
        )
    for kind, item, _ in items:
        if kind != "lot":
            continue
        used = allocations_after(store, int(item), int(item))
        if used is not None:
            return (
                f"merge #{merge_id}: points it moved to {survivor} were used since "
                f"(posting #{used[0]}, {used[1]} of lot #{item}); an unmerge would "
                "not be exact: reverse that posting first"
            )
    claims = [item for kind, item, _ in items if kind == "claim"]
    later = claim_postings_of(store, client, survivor, claims)
    if later:
        posting_id, kind, claim = later[0]
        return (
            f"merge #{merge_id}: claim {claim} moved to {survivor} has had its "
            f"{kind} posted since (posting #{posting_id}); an unmerge would not be "
            f"exact for {merged}"
        )
    return None


def unmerge_accounts(
    store: Store,
    client: str,
    merged: str,
    actor: str,
    at: datetime,
    note: str = "",
    desk: Desk = PLAIN_DESK,
) -> MergeResult:
    """Undo the live merge of `merged` exactly: the mirror postings, the
    claims and open cases moved back, its status as before.

    Raises:
        AccountError: `merged` is not merged, or something moved was used
            since (named); nothing is written.

    Example: ``unmerge_accounts(store, "acme-tools", "104876", "ann", now)``
    """
    when = _utc(at)
    with store.transaction():
        row = live_merge(store, client, merged)
        if row is None:
            raise AccountError(f"participant {merged}: not merged into another account")
        merge_id, survivor, status_before = row[0], row[3], row[6]
        items = merge_items(store, merge_id)
        refusal = _unmerge_refusal(store, client, row, items)
        if refusal is not None:
            raise AccountError(refusal)
        undo_id = add_merge(
            store,
            client,
            "unmerge",
            (survivor, merged),
            merge_id,
            None,
            when,
            actor,
            note,
        )
        how = (
            f"unmerge:{client}:{undo_id}",
            f"unmerge #{undo_id} of merge #{merge_id}",
            actor,
        )
        back: list[tuple[str, str, int]] = []
        moved = 0
        for kind, item, points in items:
            if kind == "lot":
                in_id = _move_lot(
                    store, client, (survivor, merged), int(item), points, when, how
                )
            elif kind == "balance":
                in_id = _move_balance(
                    store, client, (survivor, merged), points, when, how
                )
            else:
                continue
            back.append((kind, str(in_id), points))
            moved += points
        claims = [i for k, i, _ in items if k == "claim"]
        claims = [
            c for c, who in claim_owners(store, claims).items() if who == survivor
        ]
        set_claims_participant(store, claims, merged)
        back += [("claim", c, 0) for c in claims]
        cases = [int(i) for k, i, _ in items if k == "case"]
        cases = [c for c in cases if c in open_cases_of(store, client, survivor)]
        add_case_events(
            store, [(c, "participant", merged, when, actor, how[1]) for c in cases]
        )
        back += [("case", str(c), 0) for c in cases]
        add_merge_items(store, undo_id, back)
        days = [date.fromisoformat(i) for k, i, _ in items if k == "tier"]
        if days:
            from claimflow.accounts.tiers import restore_tiers

            restore_tiers(
                store,
                client,
                store.participants(client)[survivor],
                (f"merge #{merge_id}", f"unmerge #{undo_id} of merge #{merge_id}"),
                days,
                (at, actor),
                desk,
            )
        back += [("tier", day.isoformat(), 0) for day in days]
        if status_before is not None:
            set_participant_status(store, client, merged, status_before)
        result = MergeResult(
            undo_id,
            "unmerge",
            survivor,
            merged,
            moved,
            sum(k == "lot" for k, _, _ in back),
            claims,
            cases,
        )
        store.audit(
            actor, "participants unmerge", result.to_dict() | {"undoes": merge_id}
        )
    return result


__all__ = [
    "AccountError",
    "MergeResult",
    "lot_holder",
    "merge_accounts",
    "merged_into",
    "unmerge_accounts",
]
