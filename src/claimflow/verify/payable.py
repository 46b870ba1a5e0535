"""Whether a person may make a claim payable again without paying twice.

A person makes a claim payable by accepting it in review (``claimflow
decide``) or by marking it different from the claim it was closed as a
duplicate of (``dedupe apply``). `payable_refusal` is the one check both
run: the units of its invoice lines (`claimflow.verify.units`), then the
member's nights (`claimflow.verify.nights`). Each caller says what the
person may do about this claim (reject it, mark it same); the refusal says
what they may do about the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimflow.verify.nights import nights_refusal
from claimflow.verify.units import units_refusal

if TYPE_CHECKING:
    from claimflow.store import Store

#: What a person may do about another claim that took an invoice line's units.
_REVERSE_ONE = "reverse the other claim's award (ledger reverse) first"


def payable_refusal(
    store: Store, claim_id: str, shown_units: bool = False
) -> tuple[str, str | None] | None:
    """Why making `claim_id` payable would pay units or nights twice: the
    words, and what the person may do about the other claims (None: only
    about this one); None when it may be made payable.

    `shown_units`: the person was shown the line's units (the claim is in
    review for ``quantity_above_invoiced``: `units_refusal`).

    Example: ``payable_refusal(store, "c1", False)``
    """
    units = units_refusal(store, claim_id, shown_units)
    if units is not None:
        why_not, others = units
        return why_not, _REVERSE_ONE if others else None
    return nights_refusal(store, claim_id)
