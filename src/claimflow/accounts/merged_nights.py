"""A merge makes two accounts one member: their stays' nights are paid once.

Verification sends a stay to review (``overlapping_stay``) when another
claim of its member holds some of its nights, and a person's acceptance is
refused when another claim accepted or paid holds them
(`claimflow.verify.nights`). Two accounts of one member were two members
to both until a merge: their stays on the same nights were each verified
alone, and may both be accepted, or paid. `shared_nights` runs the same
check when `claimflow.accounts.merge.merge_accounts` files the merged
account's claims under the survivor:

- a pair of which a claim is accepted but not yet paid: each such claim
  goes to review (``overlapping_stay``, a match to the other claim, as
  ``dedupe claims`` holds a look-alike stay), as verification would have
  sent it had the accounts been one, so the next award does not pay it
  and a person decides (``claimflow decide``, or a mark in ``dedupe
  review``): accepting it, or marking it different, is refused while the
  other claim holds the nights;
- a pair both paid: nothing can stop what was paid, so the merge names the
  two claims and the nights for a person to reverse one award (``ledger
  reverse``).

Each pair is reported with the merge, never silently. An unmerge leaves
the claims the merge sent to review there: a person decides them (with the
accounts apart again, accepting one pays nights of its own account only).

Input: the store, the two accounts, the claims the merge moved. Output:
the pairs found (`SharedNights`), the review holds written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from claimflow.codes import ReasonCode
from claimflow.store import Store
from claimflow.store.accounts import stays_holding_nights
from claimflow.store.dedupe_decisions import (
    add_claim_matches,
    add_match_problems,
    claim_outcome,
    set_outcomes,
)
from claimflow.verify.nights import nights_named


@dataclass(frozen=True)
class SharedNights:
    """Two claims of one member, now one account, holding the same nights.

    Attributes:
        claim: the claim the merge moved (keyed under the merged account).
        other: the survivor's claim.
        nights: the nights both hold, as a refusal names them.
        paid: whether each (claim, other) has an award standing.
        to_review: the claims the merge sent to review (those not paid).
        message: one line saying so, and what a person may do.
    """

    claim: str
    other: str
    nights: str
    paid: tuple[bool, bool]
    to_review: tuple[str, ...]
    message: str

    def to_dict(self) -> dict[str, object]:
        """As plain data."""
        return asdict(self)


def shared_nights(
    store: Store,
    client: str,
    accounts: tuple[str, str],
    moved: list[str],
    merge: tuple[int, str],
) -> list[SharedNights]:
    """Check the moved stays against the survivor's; see the module docstring.
    Call inside the merge's transaction, after its claims moved.

    Args:
        store: the store.
        client: the client key.
        accounts: (survivor, merged).
        moved: the claims the merge filed under the survivor.
        merge: (merge id, its instant as UTC text).

    Returns:
        Each pair of overlapping stays, in store order.

    Example: ``shared_nights(store, "costa-azul", ("300120031", "300199990"),
    ["c2"], (1, at))``
    """
    survivor, merged = accounts
    merge_id, when = merge
    stays = stays_holding_nights(store, client, survivor)
    mine = [s for s in stays if s[0] in set(moved)]
    theirs = [s for s in stays if s[0] not in set(moved)]
    names = store.claim_names([s[0] for s in stays])
    found: list[SharedNights] = []
    for claim, source, _, start, end, paid in mine:
        for other, their_source, _, their_start, their_end, their_paid in theirs:
            if not (their_start < end and start < their_end):
                continue
            first = max(date.fromisoformat(start), date.fromisoformat(their_start))
            last = min(date.fromisoformat(end), date.fromisoformat(their_end))
            nights = nights_named(first, last - timedelta(days=1))
            pair = (
                (claim, source, f"{start} to {end}", paid),
                (other, their_source, f"{their_start} to {their_end}", their_paid),
            )
            review = tuple(c for c, _, _, p in pair if not p)
            for one, two in (pair, pair[::-1]):
                if one[0] in review:
                    _to_review(store, client, one, (*two, names.get(two[0], two[0])),
                               (merge_id, survivor, merged, when))  # fmt: skip
            said = f"claims {names.get(claim, claim)} and {names.get(other, other)}"
            if review:
                shown = " and ".join(names.get(c, c) for c in review)
                what = (
                    f"{shown} sent to review (overlapping_stay): decide "
                    f"{'it' if len(review) == 1 else 'each'} (claimflow decide)"
                )
            else:
                what = "both paid: reverse one's award (ledger reverse)"
            found.append(
                SharedNights(
                    claim,
                    other,
                    nights,
                    (paid, their_paid),
                    review,
                    f"{said} both hold {nights}, one member's since merge #{merge_id} "
                    f"({merged} into {survivor}): {what}",
                )
            )
    return found


def _to_review(
    store: Store,
    client: str,
    claim: tuple[str, str, str, bool],
    other: tuple[str, str, str, bool, str],
    merge: tuple[int, str, str, str],
) -> None:
    """Hold `claim` (id, source, dates, paid) in review beside `other` (the
    same, and its name), as ``dedupe claims`` holds a look-alike: a match
    to review (``overlapping_stay``) with its problem, the outcome moved by
    the merge. A person decides it (``claimflow decide``) or marks the pair
    (``dedupe review``, ``dedupe apply``); either way the member's nights
    are weighed as one member's (`claimflow.verify.nights`)."""
    claim_id, source, dates, _ = claim
    other_id, _, their_dates, paid, name = other
    merge_id, survivor, merged, when = merge
    rule = (
        f"same member (merge #{merge_id}: {merged} into {survivor}), "
        "overlapping dates"
    )
    state = "paid" if paid else "accepted"
    add_claim_matches(
        store, client, when,
        [(claim_id, other_id, None, rule, ReasonCode.OVERLAPPING_STAY.value, 0.8,
          "review", f"{dates} vs {their_dates}", source)],
    )  # fmt: skip
    add_match_problems(
        store,
        [(claim_id, ReasonCode.OVERLAPPING_STAY.value, source,
          f"{rule}: {dates} vs {their_dates}, as claim {name} ({state})")],
    )  # fmt: skip
    if claim_outcome(store, claim_id) != "review":
        set_outcomes(store, "merge", when, [(claim_id, "review")])
