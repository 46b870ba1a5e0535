"""Whether a person may make a claim payable again: the units of its invoice lines.

Verification counts, on each invoice line, the units of the other claims
accepted or in review that were matched to it before (`claimflow.verify.checks`).
A person can make a claim payable later, after other claims took the
line's units: accepting it in review (``claimflow decide``) or marking it
different from the claim it was closed as a duplicate of (``dedupe
apply``), which gives it back its accepted outcome. `units_refusal` says
why such a move would pay more units of a line than invoiced, counting
the claims accepted on the line now, that its verification did not count.

Input: the store, a claim, whether the person was shown its units
(it is in review for ``quantity_above_invoiced``). Output: the refusal's
words and whether other claims took units (the caller adds what the person
may do), or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimflow.store import Store


def units_refusal(store: Store, claim_id: str, shown: bool) -> tuple[str, bool] | None:
    """Why a claim may not be made payable: with its units of an invoice
    line and those of the other claims accepted now that were matched to
    the line, more would be paid than invoiced, and the person was not
    shown that: the words, and whether other claims took units (None: it
    may).

    They were shown it when the claim is in review for
    ``quantity_above_invoiced`` (`shown`) and its verification counted
    every one of those claims (`claimflow.verify.knew.Knew.units`): its
    message named them. A claim in review for another reason (a price
    unlike the invoice's), or closed as a duplicate, was never weighed
    against claims matched to its line after it, or while they were in
    review or closed: accepted, its 2 units were paid on top of 2 paid of
    a line of 2 invoiced (4 paid against 2).

    Example: ``units_refusal(store, "c1", False)`` names the line, its
    units and the claims that took them
    """
    from claimflow.store.verify_claim import accepted_on_lines, last_verification
    from claimflow.verify.knew import Knew

    result, source_ids, knew = last_verification(store, claim_id)
    if not source_ids or result == "ambiguous":
        return None
    counted = Knew.from_json(knew).units if knew else {}
    for sid, invoice, sku, invoiced, mine, others in accepted_on_lines(
        store, claim_id, source_ids
    ):
        taken = sum(n for _, n in others)
        if mine + taken <= invoiced:
            continue
        told = {other for other, _ in counted.get(sid, [])}
        if shown and all(other in told for other, _ in others):
            continue  # the person saw these units claimed: their call
        names = store.claim_names([o for o, _ in others])
        held = "; ".join(f"{n} on claim {names.get(o, o)}" for o, n in others)
        left = max(invoiced - taken, 0)
        already = f", {taken} on accepted claims: {held}" if others else ""
        return (
            f"expected at most {left} more {sku} of invoice {invoice} "
            f"({invoiced} invoiced{already}), found {mine}: accepted, "
            f"{mine + taken} would be paid"
        ), bool(others)
    return None
