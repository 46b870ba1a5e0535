"""Recording what happened to a claim: events are facts in time, checked.

The SLA figures derive from the event history (`claimflow.sla.metrics`), so
an impossible event (decided before the claim was received, a first
response years ahead) would bend every figure after it: such an event is
refused with what was expected.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from claimflow.errors import ClaimflowError

if TYPE_CHECKING:  # the CLI reads EVENTS at start-up: no store (and pandas) yet
    from claimflow.shown import Desk
    from claimflow.store import Store

#: Events a person records (ingest and the stages record their own).
EVENTS = ("resubmitted", "escalated", "pended", "decided", "first_response")
#: Clocks disagree by a little; an event further ahead is a keying slip.
CLOCK_SKEW = timedelta(minutes=5)


class ImpossibleEvent(ClaimflowError):
    """An event before its claim arrived, or in the future."""


def record_event(
    store: Store,
    key: str,
    event: str,
    at: datetime,
    operator: str,
    now: datetime,
    client: str | None = None,
    desk: Desk | None = None,
) -> str:
    """Record `event` for the claim `key` (its id or reference) at `at`.

    Call inside a store transaction. With `client`, the claim must be that
    client's. A refusal writes its times at `desk` (the client's wall time
    and zone, ``2026-10-20 09:14 CDT``; UTC without one).

    Returns:
        The claim id.

    Raises:
        ImpossibleEvent: `at` is before the claim was received, or after `now`.
        ClaimNotFound: no such claim.

    Example: ``record_event(store, "AC-1001", "escalated", now, "ann", now)``
    """
    if event not in EVENTS:
        raise ClaimflowError(
            f"unknown event {event!r}; expected one of {', '.join(EVENTS)}"
        )
    from claimflow.store.sla import claim_arrival  # the store: only when recording

    claim_id = store.resolve_claim(key)
    owner, batch_id, received = claim_arrival(store, claim_id)
    if client is not None and owner != client:
        raise ClaimflowError(f"claim {key}: expected a claim of {client}, found {owner}'s")
    if event == "decided":
        from claimflow.store.verify_claim import claim_outcome_and_batch

        outcome, _ = claim_outcome_and_batch(store, claim_id)
        if outcome == "review":
            # trial 35: the clock stopped and the queue let it go, while it
            # stayed in review and unpaid: an outcome no one could change
            raise ClaimflowError(
                f"claim {key}: expected a claim decided, found it in review; decide "
                f"it with `claimflow decide {key} accept|reject --reason TEXT`, "
                "which records the decided event too"
            )
    arrived = datetime.fromisoformat(received)
    from claimflow.shown import PLAIN_DESK

    shown = (desk or PLAIN_DESK).time
    if at < arrived:
        raise ImpossibleEvent(
            f"claim {key}: expected {event} at or after its arrival "
            f"({shown(arrived)}), found {shown(at)}"
        )
    if at > now + CLOCK_SKEW:
        raise ImpossibleEvent(
            f"claim {key}: expected {event} no later than now ({shown(now)}), "
            f"found {shown(at)}"
        )
    store.add_events([(owner, claim_id, batch_id, event, at.isoformat(), operator)])
    store.audit(
        operator, "event", {"claim": claim_id, "event": event, "at": at.isoformat()}
    )
    return str(claim_id)
