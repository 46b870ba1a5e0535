"""The work queue: open claims by business time left before they breach."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from claimflow.config import ResolvedClient
from claimflow.sla.metrics import Window, claim_facts
from claimflow.store import Store
from claimflow.window import at_desk


def work_queue(
    store: Store, clients: list[ResolvedClient], now: datetime
) -> pd.DataFrame:
    """Open claims of every client, most urgent first.

    Each row: client, claim_id, received, due_date, remaining_hours (business
    hours to the close of the due date; negative once past), at_risk,
    ``breached`` (past the close of its due date: in breach already), and
    ``breaches_anyway``: less time left than one claim takes to work
    (``sla.handling_hours``), so it breaches even if worked now (true of a
    claim in breach too).

    A naive `now` is read in each client's desk zone (09:00 is 09:00 at
    each desk), as every command reads a time without an offset.

    Example: ``work_queue(store, [acme, costa], datetime.now(UTC))``
    """
    frames = []
    for client in clients:
        at = at_desk(now, client.zone)  # refused when the desk's clock is ambiguous
        # as of `at`: an event recorded later (a pause, a decision) not yet made
        facts = claim_facts(store, client, Window(), at, until=at)
        if facts.empty:
            continue
        open_ = facts[facts["status"] == "open"]
        # a claim closed without a decision event (a duplicate, a rejection,
        # a void, a superseded claim) is no work left, whatever its clock says
        closed = store.closed_claims(client.key, at)  # closed by `at`
        open_ = open_[~open_["claim_id"].isin(closed)].copy()
        open_["breaches_anyway"] = (
            open_["remaining_hours"] < client.config.sla.handling_hours
        )
        frames.append(
            open_[
                [
                    "client",
                    "claim_id",
                    "received",
                    "due_date",
                    "remaining_hours",
                    "at_risk",
                    "breached",
                    "breaches_anyway",
                ]
            ]
        )
    if not frames:
        return pd.DataFrame(
            columns=[
                "client",
                "claim_id",
                "received",
                "due_date",
                "remaining_hours",
                "at_risk",
                "breached",
                "breaches_anyway",
            ]
        )
    return (
        pd.concat(frames)
        .sort_values(["remaining_hours", "received"])
        .reset_index(drop=True)
    )
