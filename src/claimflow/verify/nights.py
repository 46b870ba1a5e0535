"""Whether a person may make a stay payable: the member's nights paid once.

Verification sends a stay to review (``overlapping_stay``) when another
claim of the member covers some of its nights, at the same hotel or
another: a member sleeps in one bed a night. Both claims may sit in review,
each naming the other, and a person settles each (``claimflow decide``),
or a reviewer marks a pair of look-alike stays different (``dedupe
apply``), which gives a claim back its accepted outcome. `nights_refusal`
says why such a move would pay nights that another claim of the member,
accepted now or paid, already holds.

A member's accounts that a merge made one (`claimflow.accounts.merge`) are
one member here: a stay keyed under the merged number meets the
survivor's, and the other way round.

A partial overlap is refused whole: a person accepts or rejects a claim,
never some of its nights, so they reject it (or the member resubmits the
nights not yet paid), or reverse the other claim's award first. Nights at
two hotels count as much as nights at one.

Input: the store, a claim. Output: the refusal's words and what the person
may do about the other claims (the caller adds what they may do about
this one), or None.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimflow.store import Store


def nights_named(first: date, last: date) -> str:
    """The nights from `first` to `last` (both slept), as a refusal names them.

    Example: ``nights_named(date(2026, 11, 12), date(2026, 11, 13)) ==
    "the nights of 2026-11-12 and 2026-11-13"``
    """
    count = (last - first).days + 1
    if count == 1:
        return f"the night of {first}"
    if count == 2:
        return f"the nights of {first} and {last}"
    return f"the {count} nights of {first} to {last}"


def nights_refusal(store: Store, claim_id: str) -> tuple[str, str] | None:
    """Why a stay claim may not be made payable: another claim of its member
    that is accepted now (or paid) holds some of its nights. The words, and
    what the person may do about those claims (None: it may be made
    payable).

    A night is the date slept: a stay from 10 to 14 Nov holds the nights
    of 10, 11, 12 and 13 Nov, and one from 12 to 15 Nov those of 12, 13
    and 14: both paid, the nights of 12 and 13 Nov were paid twice
    (1,025 + 375 points for a member who slept 5 nights, not 7).

    Example: ``nights_refusal(store, "c1")`` names the nights, the claim
    that holds them, its hotel and dates
    """
    from claimflow.store.verify_claim import accepted_stays_beside, member_accounts

    mine, others = accepted_stays_beside(store, claim_id)
    if mine is None or not others:
        return None
    participant, start, end = mine
    member = f"member {participant}"
    merged = [a for a in member_accounts(store, claim_id) if a != participant]
    if merged:  # a merge made the accounts one member: their nights are one's
        member += f" (one member with {' and '.join(merged)} by a merge)"
    names = store.claim_names([o for o, *_ in others])
    held = []
    for other, hotel, their_start, their_end, paid in others:
        first = max(date.fromisoformat(start), date.fromisoformat(their_start))
        last = min(date.fromisoformat(end), date.fromisoformat(their_end))
        where = f"{hotel}, " if hotel else ""
        state = "paid" if paid else "to be paid by the next award"
        held.append(
            f"{nights_named(first, last - timedelta(days=1))} on claim "
            f"{names.get(other, other)} ({where}{their_start} to {their_end}, {state})"
        )
    return (
        f"expected none of its nights on another accepted claim of {member}, "
        f"found {'; and '.join(held)}: accepted, they would be paid twice"
    ), _undo(len(others), all(paid for *_, paid in others))


def _undo(others: int, paid: bool) -> str:
    """What a person may do about the other claims (`others` of them;
    `paid`: each is paid): reverse their awards first (an award not posted
    yet cannot be reversed: once award has paid it)."""
    if others == 1:
        when = "" if paid else ", once award has paid it"
        return f"reverse the other claim's award (ledger reverse) first{when}"
    when = "" if paid else ", once award has paid them"
    return f"reverse the other claims' awards (ledger reverse) first{when}"
