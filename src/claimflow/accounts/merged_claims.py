"""Claims keyed under a merged participant number: one clear outcome each.

A merge (`claimflow.accounts.merge`) files the merged account's claims
under the survivor. A claim that arrives later keyed with the closed number
would otherwise be paid to the closed account, where nobody can spend it.
Before it computes anything, the award run calls `route_merged_claims`,
which ends each such claim in one outcome, by the client's
``accounts.merged_claims``:

- ``credit_survivor`` (the default, also without an ``accounts`` section):
  the claim is filed under the survivor and recorded as moved by the live
  merge (so an unmerge takes it back, and refuses once it was paid, as for
  the claims the merge itself moved); its award is the survivor's, and
  ``award explain`` names the merge. The reviewer has already judged the two
  numbers one member, so the points are theirs: pending would make the
  member wait, and the desk write to them, for a number the program itself
  retired.
- ``pend``: an accepted claim is pended with reason ``merged_participant``
  (a data problem: the member sends it again under the surviving number),
  with a ``pended`` event for the SLA clock. Replay keeps it pended.

A chain (M merged into S, S later into T) is followed to the end.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from claimflow.codes import Outcome, ReasonCode
from claimflow.config import ResolvedClient
from claimflow.models import Claim, Decision, Problem
from claimflow.store import Store
from claimflow.store.accounts import (
    add_merge_items,
    claims_under_merged,
    claims_with_problem,
    set_claims_participant,
)
from claimflow.store.verify_claim import add_problems, move_outcome


@dataclass(frozen=True)
class RoutedClaim:
    """A claim keyed under a merged number, and what became of it.

    Attributes:
        claim_id: the claim.
        keyed: the merged number it was keyed under.
        survivor: the account that number was merged into.
        merge_id: the merge.
        action: ``credited_to_survivor`` (filed under the survivor) or
            ``pended`` (reason ``merged_participant``).
        message: one line saying so.
    """

    claim_id: str
    keyed: str
    survivor: str
    merge_id: int
    action: str
    message: str

    def to_dict(self) -> dict[str, object]:
        """As plain data."""
        return asdict(self)


def merged_claims_policy(client: ResolvedClient) -> str:
    """The client's ``accounts.merged_claims`` (``credit_survivor`` without
    an ``accounts`` section).

    Example: ``merged_claims_policy(client) == "credit_survivor"``
    """
    accounts = client.config.accounts
    return "credit_survivor" if accounts is None else accounts.merged_claims


def route_merged_claims(
    store: Store, client: ResolvedClient, actor: str, at: datetime
) -> list[RoutedClaim]:
    """File (or pend) the claims keyed under merged numbers; see the module
    docstring. Call inside the award run's transaction.

    Args:
        store: the store.
        client: the resolved client.
        actor: who runs the award (audited).
        at: the run's instant.

    Returns:
        Each claim routed, in claim order.

    Example: ``route_merged_claims(store, client, "ann", now)``
    """
    when = at.astimezone(UTC).isoformat()
    pend = merged_claims_policy(client) == "pend"
    routed: list[RoutedClaim] = []
    seen: set[tuple[str, str]] = set()
    while True:  # a chain of merges moves a claim once per link
        found = [
            row
            for row in claims_under_merged(store, client.key)
            if not (pend and row[2] != "accepted") and (row[0], row[3]) not in seen
        ]
        if not found:
            break
        for claim, batch, _, merged, merge_id, survivor in found:
            seen.add((claim, merged))
            if pend:
                message = (
                    f"participant {merged}: closed, merged into {survivor} by merge "
                    f"#{merge_id}; claims keyed under a merged number are pended "
                    f"(accounts.merged_claims: pend): send it again under {survivor}"
                )
                move_outcome(store, claim, batch, "merge", "pended", when)
                add_problems(
                    store,
                    [
                        (
                            claim,
                            batch,
                            ReasonCode.MERGED_PARTICIPANT.value,
                            "participant_id",
                            f"merge #{merge_id}",
                            message,
                        )
                    ],
                )
                store.add_events([(client.key, claim, batch, "pended", when, actor)])
                action = "pended"
            else:
                message = (
                    f"claim {claim}: keyed under participant {merged}, merged into "
                    f"{survivor} by merge #{merge_id}: credited to {survivor}"
                )
                set_claims_participant(store, [claim], survivor)
                add_merge_items(store, merge_id, [("claim", claim, 0)])
                action = "credited_to_survivor"
            routed.append(
                RoutedClaim(claim, merged, survivor, merge_id, action, message)
            )
        if pend:
            break  # a pended claim stays where it was keyed
    if routed:
        store.audit(
            actor,
            "award merged claims",
            {"claims": [r.to_dict() for r in routed]},
        )
    return routed


def keep_merge_pends(
    store: Store, client: str, decided: list[tuple[Claim, Decision]]
) -> list[tuple[Claim, Decision]]:
    """Replay's view: a claim the award run pended for its merged number
    stays pended with ``merged_participant``, as recorded (a decision taken
    against the merges of its time, applied as it stands, as a void is).

    Example: ``keep_merge_pends(store, "acme-tools", decided)``
    """
    pended = claims_with_problem(store, client, ReasonCode.MERGED_PARTICIPANT.value)
    if not pended:
        return decided
    out = []
    for claim, decision in decided:
        if claim.id not in pended or decision.outcome is not Outcome.ACCEPTED:
            out.append((claim, decision))
            continue
        problem = Problem(
            source=claim.provenance,
            code=ReasonCode.MERGED_PARTICIPANT,
            message="recorded: keyed under a merged participant number",
            record_id=claim.id,
        )
        problems = (*decision.problems, problem)
        out.append(
            (
                claim,
                Decision(claim_id=claim.id, outcome=Outcome.PENDED, problems=problems),
            )
        )
    return out
