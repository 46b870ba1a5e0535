"""The points ledger: append-only postings, derived balances, FIFO lots.

Every award posting is a *lot*, as are credit adjustments and the transfers
in of an account merge (`claimflow.accounts`). Reversals, redemptions and
expiry are negative postings that record which lots they consume (``ledger_allocations``),
oldest-expiring first. Nothing is ever updated or deleted (triggers refuse
it): a correction is a reversal plus a new posting. Posting the same award
again is a no-op through its idempotency key ``client:claim:version:generation``,
where the generation counts the claim's reversals, so a re-post after a
reversal is a new posting and a second run of the same batch is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from claimflow.award.expiry import add_months, expirable_lots, inactive
from claimflow.award.references import (
    differences,
    earlier_redemption,
    not_whole_points,
    reference_key,
)
from claimflow.award.rules import AwardSettings, Expiry
from claimflow.award.sets import LeanAward
from claimflow.errors import ClaimflowError
from claimflow.models import Award
from claimflow.shown import PLAIN_DESK, Desk, points_word
from claimflow.store import Store
from claimflow.store.accounts import live_merge, lot_holder
from claimflow.store.awards import post_award_rows
from claimflow.store.instants import instant, utc_text
from claimflow.store.ledger import (
    Lot,
    add_allocation,
    add_debit,
    add_reversal,
    award_lots,
    last_reversal,
    ledger_participants,
    live_award_postings,
    posted_total,
    posting_by_key,
)


class LedgerError(ClaimflowError):
    """A ledger operation cannot be done (unknown claim, not enough points)."""


@dataclass(frozen=True)
class PostResult:
    """What `post_awards` did: postings made, awards already posted, points."""

    posted: int
    skipped: int
    points: int

    def to_dict(self) -> dict[str, int]:
        """As plain data."""
        return {"posted": self.posted, "skipped": self.skipped, "points": self.points}


@dataclass(frozen=True)
class Balance:
    """A participant's points, derived from the ledger at one instant.

    Attributes:
        total: every posting up to the instant.
        available: what `redeem` would let the participant spend: total
            less pending points and less points that `ledger expire` would
            take at the instant and has not posted yet (a ``fixed`` lot past
            its date; every available point of a participant ``inactivity``
            expiry finds inactive).
        pending: award points not yet available.
        expired: points `ledger expire` would take, not yet posted as expired.
        merged_into: the account a merge closed this one into (and no
            unmerge undid), if any: its points moved there, so its own 0 is
            not the member's figure.
        merge: that merge as a person reads it (``merge #1 at 2026-11-06
            14:00 CST``).
        survivor: the balance of the account it was merged into, at the
            same instant (itself followed on when that one was merged on).
    """

    participant_id: str
    total: int
    available: int
    pending: int
    expired: int = 0
    merged_into: str | None = None
    merge: str | None = None
    survivor: Balance | None = None

    def to_dict(self) -> dict[str, object]:
        """As plain data (the survivor's balance as its own dict)."""
        data = dict(self.__dict__)
        data["survivor"] = self.survivor.to_dict() if self.survivor else None
        return data


def posting_key(award: Award | LeanAward, generation: int) -> str:
    """The idempotency key of an award posting."""
    return f"{award.client}:{award.claim_id}:{award.version}:{generation}"


def post_awards(
    store: Store,
    awards: Sequence[Award | LeanAward],
    settings: AwardSettings,
    posted_at: datetime,
    actor: str,
) -> PostResult:
    """Post awards to the ledger, once each; call inside a store transaction.

    Args:
        store: the store.
        awards: computed awards.
        settings: the client's award settings (pending days, expiry).
        posted_at: the posting instant (timezone-aware).
        actor: who posts.

    Returns:
        Postings made and awards skipped because already posted.

    Example: ``post_awards(store, awards, client.config.award, now, "ann")``
    """
    lean = [a if isinstance(a, LeanAward) else LeanAward.of(a) for a in awards]
    # Months and pending days count on the posting desk's calendar (its
    # zone), then every instant is written in UTC (`utc_text`).
    expires = (
        utc_text(add_months(posted_at, settings.expiry.months or 0))
        if settings.expiry.policy == "fixed"
        else None
    )
    posted, skipped, points = post_award_rows(
        store,
        [
            (
                a.client,
                a.claim_id,
                a.participant_id,
                a.version,
                a.points,
                a.desired_points,
                a.data,
            )
            for a in lean
        ],
        utc_text(posted_at),
        utc_text(posted_at + timedelta(days=settings.pending_days)),
        expires,
        actor,
    )
    return PostResult(posted, skipped, points)


def reverse_claim(
    store: Store,
    client: str,
    claim_id: str,
    reason: str,
    actor: str,
    at: datetime,
    *,
    void: bool = True,
    desk: Desk = PLAIN_DESK,
) -> int:
    """Reverse every live award posting of a claim; return the points reversed.

    A reversal is the exact negative of its posting (integers), so an award
    plus its reversal is zero. By default the claim is void as well (a
    refund, a cancellation: its outcome becomes ``void`` and no later award
    run pays it again); with ``void=False`` it is a correction, and the next
    award run posts the claim afresh. Call inside a store transaction. A
    refusal writes times and figures as the client's `desk` reads them.

    Raises:
        LedgerError: the claim has no live award posting.

    Example: ``reverse_claim(store, "acme-tools", "3fa2...-r14", "refund", "ann", now)``
    """
    live = live_award_postings(store, client, claim_id)
    if not live:
        raise LedgerError(_nothing_to_reverse(store, client, claim_id, desk))
    total = 0
    for entry_id, _, points, version in live:
        # A merge may have moved the lot: the reversal takes the points
        # from whoever holds them now (the lot's last transfer in).
        lot_id, participant = lot_holder(store, entry_id)
        # Read before the reversal is written: once written, what it has
        # not taken yet counts as owed, and the lots would look paid out.
        lots = award_lots(store, client, participant, instant(at), every_debit=True)
        reversal_id = add_reversal(
            store,
            client,
            participant,
            claim_id,
            -points,
            version,
            f"reversal:{entry_id}",
            utc_text(at),
            entry_id,
            reason,
            actor,
        )
        _allocate_reversal(store, reversal_id, lot_id, points, lots)
        total += points
    if void:
        store.void_claim(client, claim_id, at, actor)
    return total


def _allocate_reversal(
    store: Store,
    reversal_id: int,
    lot_id: int,
    points: int,
    lots: Sequence[Lot],
) -> None:
    """A reversal takes its posting's points from the posting's lot, as far
    as the lot still holds them; what was already spent from it (redeemed,
    say) is taken from the holder's other lots with points left, oldest
    expiring first: those points were the claim's, spent. Without that, a
    member who redeemed the refunded claim's points kept other lots open
    beside a negative balance, which expiry then took again (trial 17: 267
    points, 200 redeemed, the 217-point claim refunded: balance -150, and
    the other 50-point lot still open, to expire to -200). What no lot
    holds stays owed: the balance is negative, and the lots posted later
    pay it (`award_lots`)."""
    own = [(i, r) for i, r, _, _ in lots if i == lot_id]
    others = [(i, r, e) for i, r, _, e in lots if i != lot_id]
    _allocate(store, reversal_id, points, own + [(i, r) for i, r, _ in _by_expiry(others)])


def _nothing_to_reverse(store: Store, client: str, claim_id: str, desk: Desk) -> str:
    """Why a claim has no live award: reversed before (by which posting), or none."""
    row = last_reversal(store, client, claim_id)
    # named as people know it (its reference and file), never by its store id
    name = store.claim_names([claim_id]).get(claim_id, claim_id)
    if row is None:
        return f"claim {name}: no award posting to reverse for {client}"
    return (
        f"claim {name}: its award was reversed already, by posting #{row[0]} "
        f"at {desk.time(row[1])} ({row[2]})"
    )


#: Sorts after every expiry instant: lots that never expire go last.
_NEVER = datetime.max.replace(tzinfo=UTC)


def balance(
    store: Store,
    client: str,
    participant_id: str,
    as_of: datetime,
    expiry: Expiry | None = None,
) -> Balance:
    """A participant's total, available and pending points at `as_of`.

    `available` is what `redeem` at the same instant would allow, always;
    give the client's `expiry` policy so that points ``inactivity`` expiry
    would take are not available (a ``fixed`` lot carries its own date).

    Example: ``balance(store, "acme-tools", "104233", now, settings.expiry).available``
    """
    return _balance(store, client, participant_id, instant(as_of), expiry, writing=False)


def _balance(
    store: Store,
    client: str,
    participant_id: str,
    at: datetime,
    expiry: Expiry | None,
    *,
    writing: bool,
) -> Balance:
    """`balance`; `writing`: for a debit about to be posted at `at`, counting
    every debit already posted, later-dated ones too (`award_lots`)."""
    total = posted_total(store, client, participant_id, at)
    lapsed = inactive(store, client, participant_id, at, expiry)
    pending = expired = 0
    for _, remaining, available_at, expires_at in award_lots(
        store, client, participant_id, at, every_debit=writing
    ):
        if available_at > at:
            pending += max(remaining, 0)
        elif lapsed or (expires_at is not None and expires_at <= at):
            expired += max(remaining, 0)
    spendable = 0 if lapsed else sum(
        r for _, r, _ in _open_lots(store, client, participant_id, at, writing=writing)
    )
    available = max(min(total - pending - expired, spendable), 0)
    return Balance(participant_id, total, available, pending, expired)


def _consume(
    store: Store,
    client: str,
    participant_id: str,
    points: int,
    entry_type: str,
    key: str,
    reason: str,
    actor: str,
    at: datetime,
    lots: Iterable[tuple[int, int]],
) -> int:
    debit_id = add_debit(
        store,
        client,
        participant_id,
        entry_type,
        -points,
        key,
        utc_text(at),
        reason,
        actor,
    )
    _allocate(store, debit_id, points, lots)
    return debit_id


def _allocate(
    store: Store, debit_id: int, points: int, lots: Iterable[tuple[int, int]]
) -> None:
    """Allocate a debit's `points` to `lots` ((lot, points left)) in order,
    each as far as it holds; what none holds stays owed."""
    left = points
    for lot_id, remaining in lots:
        if left <= 0:
            break
        take = min(left, remaining)
        if take > 0:
            add_allocation(store, debit_id, lot_id, take)
            left -= take


def _by_expiry(
    lots: Iterable[tuple[int, int, datetime | None]],
) -> list[tuple[int, int, datetime | None]]:
    """Lots with points left, oldest expiring first (never expiring last)."""
    return sorted((lot for lot in lots if lot[1] > 0), key=lambda lot: (lot[2] or _NEVER, lot[0]))


def debit_available(
    store: Store,
    client: str,
    participant_id: str,
    points: int,
    posting: tuple[str, str, str],
    actor: str,
    at: datetime,
    expiry: Expiry | None = None,
) -> int:
    """Take available points, oldest-expiring lots first, as `redeem` does.

    Args:
        store: the store.
        client: the client key.
        participant_id: whose points.
        points: how many (positive).
        posting: (entry type, idempotency key, reason) of the debit.
        actor: who.
        at: when.
        expiry: the client's expiry policy (`balance`).

    Returns:
        The debit posting's id.

    Raises:
        LedgerError: fewer points are available.

    Example: ``debit_available(store, "x", "R1", 50, ("adjustment", "adjustment:x:4",
    "correction"), "sam", now)``
    """
    moment = instant(at)
    available = _balance(
        store, client, participant_id, moment, expiry, writing=True
    ).available
    if points <= 0 or points > available:
        raise LedgerError(
            f"participant {participant_id}: expected 1 to {available} points to "
            f"take, found {points}"
        )
    lots = _open_lots(store, client, participant_id, moment, writing=True)
    entry_type, key, reason = posting
    return _consume(
        store,
        client,
        participant_id,
        points,
        entry_type,
        key,
        reason,
        actor,
        at,
        [(i, r) for i, r, _ in lots],
    )


def _open_lots(
    store: Store, client: str, participant_id: str, at: datetime, *, writing: bool
) -> list[tuple[int, int, datetime | None]]:
    """Available, unexpired lots with points left, oldest-expiring first
    (`writing`: every debit posted counts, see `award_lots`)."""
    lots = [
        (i, r, e)
        for i, r, available_at, e in award_lots(
            store, client, participant_id, at, every_debit=writing
        )
        if available_at <= at and (e is None or e > at)
    ]
    return _by_expiry(lots)


def refuse_merged(
    store: Store,
    client: str,
    participant_id: str,
    instead: str,
    desk: Desk = PLAIN_DESK,
) -> None:
    """Refuse to move points of an account a merge closed, naming the survivor.

    Args:
        store: the store.
        client: the client key.
        participant_id: the account asked for.
        instead: what to do, with ``{survivor}`` for the survivor's number
            (``redeem from {survivor} instead``).
        desk: the client's desk, whose zone the merge's time is shown in.

    Raises:
        LedgerError: the account was merged into another (and not unmerged).

    Example: ``refuse_merged(store, "acme-tools", "104876", "adjust {survivor} instead")``
    """
    row = live_merge(store, client, participant_id)
    if row is not None:
        survivor = str(row[3])
        raise LedgerError(
            f"participant {participant_id}: closed, merged into {survivor} by merge "
            f"#{row[0]} at {desk.time(row[7])}; " + instead.format(survivor=survivor)
        )


def redeem(
    store: Store,
    client: str,
    participant_id: str,
    points: int,
    reference: str,
    actor: str,
    at: datetime,
    *,
    desk: Desk = PLAIN_DESK,
    expiry: Expiry | None = None,
) -> bool:
    """Spend available points, oldest-expiring lots first (a redemption posting).

    The reference (an order or catalogue number) is unique per client, with
    case and punctuation ignored (`reference_key`): the same redemption
    again (participant and points), a retry, posts nothing and returns True;
    another under a used reference is refused naming the first and what
    differs. A refusal writes times and figures as the client's `desk` reads
    them; `expiry` is the client's policy (`balance`).

    Returns:
        True when this redemption was posted before (nothing posted now).

    Raises:
        LedgerError: fewer points are available than asked for, the
            reference was used by another redemption or has no letter or
            digit, or the account was merged into another (the line names it).

    Example: ``redeem(store, "acme-tools", "104233", 500, "order 77", "ann", now)``
    """
    refuse_merged(
        store, client, participant_id, "redeem from {survivor} instead", desk
    )
    wrong = not_whole_points(points)
    if wrong is not None:
        raise LedgerError(f"participant {participant_id}: {wrong}")
    if not reference_key(reference):
        # a blank reference would be every later blank one's "used before"
        # (trial 22: ``--reference ""`` posted, keyed ``redemption:<client>:``)
        raise LedgerError(
            f"reference {reference!r}: expected an order or catalogue number "
            "(letters or digits)"
        )
    key = f"redemption:{client}:{reference}"
    used = earlier_redemption(store, client, reference)
    if used is not None:
        differ = differences(
            [
                ("participant", participant_id, used[0]),
                ("points", desk.points(points), desk.points(used[1])),
            ]
        )
        if not differ:
            return True  # a retry of what was done: nothing to post
        written = "" if used[3] == reference else f" as {used[3]!r}"
        raise LedgerError(
            f"reference {reference!r} was used before{written}: "
            f"{desk.points(used[1])} {points_word(used[1])} redeemed by participant "
            f"{used[0]} at {desk.time(used[2])}; this one asks "
            f"{differ}; give each redemption its own"
        )
    moment = instant(at)
    lots = _open_lots(store, client, participant_id, moment, writing=True)
    available = _balance(
        store, client, participant_id, moment, expiry, writing=True
    ).available
    if points <= 0:
        raise LedgerError(
            f"participant {participant_id}: expected a positive number of points "
            f"to redeem, found {desk.points(points)}"
        )
    if points > available:
        raise LedgerError(
            f"participant {participant_id} has {desk.points(available)} "
            f"{points_word(available)} "
            f"available; cannot redeem {desk.points(points)}"
        )
    _consume(
        store,
        client,
        participant_id,
        points,
        "redemption",
        key,
        reference,
        actor,
        at,
        [(i, r) for i, r, _ in lots],
    )
    return False


def expire(
    store: Store, client: str, settings: AwardSettings, as_of: datetime, actor: str
) -> int:
    """Post expiry under the client's policy; return the points expired.

    ``fixed``: each lot's remaining points expire at its ``expires_at``.
    ``inactivity``: all remaining points of a participant with no award or
    redemption for ``months`` expire. Running it twice for the same day
    changes nothing.

    Example: ``expire(store, "acme-tools", settings, now, "nightly")``
    """
    policy = settings.expiry
    if policy.policy == "none" or policy.months is None:
        return 0
    expired = 0
    participants = ledger_participants(store, client)
    at = instant(as_of)
    for participant in participants:
        lots = expirable_lots(store, client, participant, at)
        if policy.policy == "fixed":
            due = [(i, r) for i, r, e in lots if e is not None and e <= at]
        else:
            lapsed = inactive(store, client, participant, at, policy)
            due = [(i, r) for i, r, _ in lots] if lapsed else []
        points = sum(r for _, r in due)
        if points > 0:
            # The day's first expiry keeps the day's key; a later run the
            # same day finds only lots that fell due since (the others are
            # spent), and names them in its key: it used to reuse the day's
            # key and fail on the ledger's append-only trigger.
            key = f"expiry:{client}:{participant}:{as_of.date()}"
            if posting_by_key(store, key) is not None:
                key += ":lots:" + ",".join(str(i) for i, _ in due)
            _consume(
                store,
                client,
                participant,
                points,
                "expiry",
                key,
                f"{policy.policy} expiry ({policy.months} months)",
                actor,
                as_of,
                due,
            )
            expired += points
    return expired
