"""Which claims in review on a record a keying slip away to check again.

Contract: `to_check_again(store, client, batch_id)` gives, in store order,
the claims `claimflow.store.recheck.matched_nearby` finds (in review, or
pended, by a verification that named records, none since moved by a stage
or decided by a person) whose latest verification named no record of the
claim's own key, and whose own key the source data now holds: the exact
record arrived after the check, which took the nearest one (a keying slip
away) for want of it. `claimflow.verify.run` checks them again with the
claims awaiting source data, so the exact record decides them as it would
have had it come first: verified (accepted), or a discrepancy on its own
values. No I/O but the store's queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimflow.keys import normalize_key
from claimflow.store.recheck import keys_on_record, matched_nearby, source_keys

if TYPE_CHECKING:
    from claimflow.store import Store
    from claimflow.store.recheck import Nearby


def own_key(claim: Nearby) -> str:
    """A claim's exact-match key, as `claimflow.verify.source.source_key`
    writes a record's; empty when the claim has no number to match.

    Example: ``own_key(("c1", "sales", "0004-00000300", None, None, [])) == "400000300"``
    """
    _, kind, invoice, hotel, confirmation, _ = claim
    if kind == "sales":
        return normalize_key(invoice or "")
    number = normalize_key(confirmation or "")
    return f"{(hotel or '').upper()}|{number}" if number else ""


def to_check_again(store: Store, client: str, batch_id: int | None) -> list[str]:
    """The claims in review (or pended) on a record a keying slip away whose
    own record is now in the source data.

    Example: ``to_check_again(store, "pampa-dealers", None) == ["c1"]``
    """
    nearby = [(c, own_key(c)) for c in matched_nearby(store, client, batch_id)]
    nearby = [(c, k) for c, k in nearby if k]
    if not nearby:
        return []
    named = source_keys(store, (i for c, _ in nearby for i in c[5]))
    on_record = keys_on_record(store, client, (k for _, k in nearby))
    return [
        claim[0]
        for claim, key in nearby
        if key in on_record and key not in {named.get(i) for i in claim[5]}
    ]
