"""Per-day figures of the report pack, in the client's business calendar.

`facts_as_of` gives every claim's SLA facts as they stood at an instant,
with local days added; `day_by_day` counts, per local day, what was
received, decided (on time or not), newly breached and escalated, and the
backlog at the day's close; `working_days` lists the calendar's working
days. `DAY_DEFINITIONS` says what each figure means, for the reports'
definitions.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from claimflow.config import ResolvedClient
from claimflow.sla.calendar import BusinessCalendar
from claimflow.sla.metrics import Window, calendar_of, claim_facts
from claimflow.store import Store


def _local_days(values: pd.Series, zone: str) -> np.ndarray:
    """UTC instants as local dates (``datetime64[D]``; NaT where missing)."""
    local = values.dt.tz_convert(zone).dt.tz_localize(None)
    days: np.ndarray = local.to_numpy().astype("datetime64[D]")
    return days


def working_days(cal: BusinessCalendar, last: date, n: int) -> list[date]:
    """The `n` working days ending with `last` (or the working day before it).

    Example: ``working_days(cal, date(2026, 11, 15), 5)[-1] == date(2026, 11, 13)``
    """
    end = cal.offset_many(np.array([last], dtype="datetime64[D]"), 0, "backward")
    days = cal.offset_many(np.repeat(end, n), np.arange(-n + 1, 1))
    return [d.item() for d in days]


def facts_as_of(
    store: Store, client: ResolvedClient, now: datetime
) -> tuple[pd.DataFrame, BusinessCalendar]:
    """All the client's claim facts as of `now` (`claim_facts` with `until`:
    claims received later left out, and events recorded after it, pauses
    included, not yet made), with local days
    added (``received_on``, ``decided_on``, ``escalated_on``, ``breached_on``;
    ``counted_on``: the working day a claim counts as received, its received
    day or, when that is closed, the next working day, as the turnaround
    starts it; ``decided_counted``, ``escalated_counted``: likewise the
    working day a decision or escalation counts on) and the claims closed
    without a decision (duplicates, voids...) marked (``closed``;
    ``working``: open and not closed).

    Example: ``facts, cal = facts_as_of(store, client, datetime.now(UTC))``
    """
    cal = calendar_of(client)
    zone = str(cal.zone)
    facts = claim_facts(store, client, Window(), now, cal, until=now)
    if facts.empty:
        return facts, cal
    facts["received_on"] = facts["received_day"].to_numpy().astype("datetime64[D]")
    # the turnaround's own start day: a claim received on a Sunday, a holiday
    # or a closure day counts on the next working day, not on no day at all
    # (trial 21: one received Sunday 02:30 was in no week's volume)
    facts["counted_on"] = cal.start_days_many(facts["received_on"].to_numpy())
    facts["decided_on"] = _local_days(facts["decided"], zone)
    facts["escalated_on"] = _local_days(facts["escalated"], zone)
    # a decision or escalation made on a closed day (a supervisor's
    # Saturday) counts on the next working day, as a receipt does: the
    # per-day table lists working days only, and it was in none of them
    facts["decided_counted"] = cal.start_days_many(facts["decided_on"].to_numpy())
    facts["escalated_counted"] = cal.start_days_many(facts["escalated_on"].to_numpy())
    due = facts["due_date"].to_numpy().astype("datetime64[D]")
    # a breach is seen on the first working day after the due date
    facts["breached_on"] = np.where(
        facts["breached"].to_numpy(),
        cal.offset_many(due, 1),
        np.datetime64("NaT"),
    )
    facts["closed"] = facts["claim_id"].isin(store.closed_claims(client.key, now))
    facts["working"] = (facts["status"] == "open") & ~facts["closed"]
    return facts, cal


def day_by_day(facts: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    """Per local day: claims received, decided, decided on time, new breaches,
    escalated, and the backlog at the day's close.

    Received: claims counted on the day (``counted_on``: a claim received on
    a closed day counts on the next working day, as its turnaround starts);
    decided and escalated likewise (``decided_counted``,
    ``escalated_counted``), so a week's days add up to the week.
    Backlog at a day's close: claims received on or before it and not
    decided by then, less those closed without a decision (duplicates,
    rejections, voids, superseded claims); a claim waiting on the
    participant counts in it.

    Example: ``day_by_day(facts, [date(2026, 11, 9), date(2026, 11, 10)])``
    """
    rows = []
    received = facts["counted_on"].to_numpy() if not facts.empty else np.array([])
    for day in days:
        d = np.datetime64(day)
        if facts.empty:
            rows.append({"day": day, **dict.fromkeys(_DAY_FIGURES, 0)})
            continue
        decided = facts["decided_counted"].to_numpy()
        on_day = decided == d
        open_at_close = (received <= d) & ~(decided <= d) & ~facts["closed"].to_numpy()
        rows.append(
            {
                "day": day,
                "received": int((received == d).sum()),
                "decided": int(on_day.sum()),
                "decided_on_time": int((on_day & facts["on_time"].to_numpy()).sum()),
                "new_breaches": int((facts["breached_on"].to_numpy() == d).sum()),
                "escalated": int((facts["escalated_counted"].to_numpy() == d).sum()),
                "backlog": int(open_at_close.sum()),
            }
        )
    frame = pd.DataFrame(rows, columns=["day", *_DAY_FIGURES])
    frame["on_time_share"] = frame["decided_on_time"] / frame["decided"].where(
        frame["decided"] > 0
    )
    return frame


#: What the pack's per-day figures mean (`day_by_day`, the daily report).
DAY_DEFINITIONS = (
    "Per day (local dates): received counts the claims whose turnaround "
    "starts that day (received that day, or on the closed days before it: a "
    "weekend, public holiday or closure day counts on the next working day); "
    "decided counts the claims whose decided instant falls on that day (or "
    "on the closed days before it, as received); escalated likewise; "
    "decided on time: of those decided, the ones decided on or before their "
    "due date.",
    "New breaches: claims still undecided at the close of their due date, "
    "counted on the first working day after it (decided late or still open).",
    "Backlog at a day's close (the per-day table and chart): claims received on "
    "or before it and not decided by then, waiting on the participant included, "
    "unlike the period's Backlog (the work the desk can do now); claims closed "
    "without a decision (duplicates, rejections, voids, superseded) are left out.",
    "Will breach today: open claims due today, or with less time left than one "
    "claim takes to work (handling hours); at risk: due within the at-risk hours.",
    "As of an instant: an event recorded after it (pended, resubmitted, "
    "decided, escalated) is not yet made, and claims received after it are "
    "left out: a claim pended later counts as open, and in breach once past "
    "its due date.",
)

_DAY_FIGURES = (
    "received",
    "decided",
    "decided_on_time",
    "new_breaches",
    "escalated",
    "backlog",
)


def totals(frame: pd.DataFrame, label: str) -> dict[str, Any]:
    """A `day_by_day` frame's sum (the backlog: at its last day's close).

    Example: ``totals(day_by_day(facts, days), "This week")["received"]``
    """
    decided = int(frame["decided"].sum())
    on_time = int(frame["decided_on_time"].sum())
    return {
        "period": label,
        "received": int(frame["received"].sum()),
        "decided": decided,
        "decided_on_time": on_time,
        "on_time_share": on_time / decided if decided else np.nan,
        "new_breaches": int(frame["new_breaches"].sum()),
        "escalated": int(frame["escalated"].sum()),
        "backlog": int(frame["backlog"].iloc[-1]) if len(frame) else 0,
    }
