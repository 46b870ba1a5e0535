"""Deciding a claim that verification sent to review: the library call
behind ``claimflow decide``.

Verification sends a claim to ``review`` when a person must look. The
person accepts it (the claim is paid by the next ``award``, even where
awards wait for a verified result) or rejects it, with a reason; the
decision is recorded append-only with the reason codes it settled
(`claimflow.store.review_decisions`), the outcome moves, a rejection's
``decided`` event stops the SLA clock (an acceptance's is the award's, as
for every accepted claim), and the audit log names who and why. A replay
under the same rules applies the decision again while the claim is in
review for the same reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from claimflow.api.common import (
    ClientLike,
    default_operator,
    resolve_client,
    written_at,
)
from claimflow.errors import ClaimflowError, ClaimNotFound

if TYPE_CHECKING:
    from claimflow.store import Store

#: What a person may decide, and the outcome each gives.
DECISIONS = {"accept": "accepted", "reject": "rejected"}


@dataclass
class ReviewDecision:
    """A person's decision on a claim in review.

    Attributes:
        claim_id: the claim.
        claim: the claim as people know it (reference and where it came from).
        decision: ``accept`` or ``reject``.
        outcome: the claim's outcome now.
        codes: the reason codes the decision settled.
        reason: why, as the person wrote it.
        operator: who decided.
        at: when.
    """

    claim_id: str
    claim: str
    decision: str
    outcome: str
    codes: list[str] = field(default_factory=list)
    reason: str = ""
    operator: str = ""
    at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return {
            "claim_id": self.claim_id,
            "claim": self.claim,
            "decision": self.decision,
            "outcome": self.outcome,
            "codes": list(self.codes),
            "reason": self.reason,
            "operator": self.operator,
            "at": None if self.at is None else self.at.isoformat(),
        }


def decide_claim(
    claim: str,
    decision: str,
    client: ClientLike,
    store: Store,
    *,
    reason: str,
    operator: str | None = None,
    at: datetime | None = None,
) -> ReviewDecision:
    """Accept or reject a claim (its id or reference) that is in review; one transaction.

    An acceptance never pays more units of an invoice line than invoiced
    unless the person was shown them: with the other claims accepted now
    that were matched to the line, the claim's units must fit what the
    dealer invoiced, or the claim must be in review for exactly that
    (``quantity_above_invoiced``) and its check have counted each of those
    claims (`claimflow.verify.units.units_refusal`). Nor does it pay a
    member's night twice: another claim of the member accepted now (or
    paid), at any hotel, holding any of the stay's nights refuses it
    whole, a partial overlap too (`claimflow.verify.nights.nights_refusal`).

    Raises:
        ClaimflowError: an unknown decision, no reason, a claim of another
            client, a claim that is not in review (its outcome named), or an
            acceptance that would pay units of an invoice line its
            verification did not count, or nights another accepted claim
            of the member holds (nothing is written).

    Example: ``decide_claim("HB-1001", "accept", client, store, reason="folio checked")``
    """
    from claimflow.store.review_decisions import add_review_decision, standing_codes
    from claimflow.store.sla import claim_arrival
    from claimflow.store.verify_claim import claim_outcome_and_batch, move_outcome
    from claimflow.verify.payable import payable_refusal

    resolved = resolve_client(client)
    if decision not in DECISIONS:
        raise ClaimflowError(
            f"claim {claim}: expected a decision accept or reject, found {decision!r}"
        )
    why = reason.strip()
    if not why:
        raise ClaimflowError(
            f"claim {claim}: {decision} refused: expected a reason for the decision, "
            "found none"
        )
    who = operator or default_operator()
    when = written_at(at, resolved)
    with store.transaction():
        try:
            claim_id = store.resolve_claim(claim)
        except ClaimNotFound as exc:
            raise ClaimNotFound(f"claim {claim}: {decision} refused: {exc}") from None
        owner, batch_id, received = claim_arrival(store, claim_id)
        name = store.claim_names([claim_id]).get(claim_id, claim_id)
        if owner != resolved.key:
            raise ClaimflowError(
                f"claim {name}: {decision} refused: expected a claim of "
                f"{resolved.key}, found {owner}'s"
            )
        outcome, _ = claim_outcome_and_batch(store, claim_id)
        if outcome != "review":
            raise ClaimflowError(
                f"claim {name}: {decision} refused: expected a claim in review, "
                f"found it {outcome}; "
                "a claim is decided once, while it is in review (sent there by "
                "dedupe, verification or the batch rules)"
            )
        if when < datetime.fromisoformat(received):
            raise ClaimflowError(
                f"claim {name}: {decision} refused: expected a decision at or "
                "after its arrival "
                f"({received}), found {when.isoformat()}"
            )
        codes = standing_codes(store, claim_id)
        if decision == "accept":
            refused = payable_refusal(store, claim_id, "quantity_above_invoiced" in codes)
            if refused is not None:
                why_not, undo = refused
                raise ClaimflowError(
                    f"claim {name}: accept refused: {why_not}; reject it"
                    + (f", or {undo}" if undo else "")
                )
        stamp = when.isoformat()
        add_review_decision(
            store, resolved.key, claim_id, decision, codes, why, who, stamp
        )
        move_outcome(store, claim_id, batch_id, "review", DECISIONS[decision], stamp)
        if decision == "reject":
            # as verification records a rejection; an accepted claim is
            # decided when `award` pays it, as every accepted claim is
            store.add_events([(owner, claim_id, batch_id, "decided", stamp, who)])
        store.audit(
            who,
            "review decision",
            {"claim": claim_id, "decision": decision, "codes": codes, "reason": why},
        )
    return ReviewDecision(
        claim_id, name, decision, DECISIONS[decision], codes, why, who, when
    )
