"""SLA figures derived from the event history, in the client's business time.

`claim_facts` turns a client's ``claim_events`` into one row per claim:
received, first response (business hours), decided, business days taken
(less the days the clock was paused while the participant owed us
something), the due date, and whether it was on time. `summarize` groups
them (by period, batch or operator). Change the calendar or the terms and
the figures re-derive exactly: nothing here is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from claimflow.config import ResolvedClient
from claimflow.errors import ClaimflowError
from claimflow.sla.calendar import BusinessCalendar
from claimflow.store import Store
from claimflow.store.sla import duplicates_decided, pause_moves

GROUPS = {
    "period": "period",
    "batch": "batch_id",
    "operator": "operator",
    "client": "client",
}


@dataclass(frozen=True)
class Window:
    """Claims received from `start` up to, not including, `end` (local dates)."""

    start: date | None = None
    end: date | None = None

    @classmethod
    def parse(cls, text: str | None) -> Window:
        """``2026-10`` (a month), ``2026-Q4``, ``2026``, ``2026-10-01..2026-11-15``.

        Raises:
            ClaimflowError: none of these, or a range ending before it starts.

        Example: ``Window.parse("2026-Q4").start == date(2026, 10, 1)``
        """
        if not text:
            return cls()
        try:
            if ".." in text:
                lo, hi = (date.fromisoformat(d) for d in text.split("..", 1))
                if hi < lo:
                    raise ClaimflowError(
                        f"expected a period ending on or after its start ({lo}), "
                        f"found {text!r}"
                    )
                return cls(lo, hi + timedelta(days=1))
            if not re.fullmatch(r"\d{4}(-\d{2}|-Q[1-4])?", text):
                raise ValueError(text)
            period = pd.Period(text.replace("-Q", "Q"))
        except ValueError:
            raise ClaimflowError(
                f"expected a period like 2026-10, 2026-Q4, 2026 or 2026-10-01..2026-10-31, "
                f"found {text!r}"
            ) from None
        return cls(period.start_time.date(), (period + 1).start_time.date())

    def label(self) -> str:
        """``2026-10-01 to 2026-10-31`` (or ``all time``)."""
        if self.start is None or self.end is None:
            return "all time"
        return f"{self.start} to {self.end - timedelta(days=1)}"


def calendar_of(client: ResolvedClient) -> BusinessCalendar:
    """The client's business calendar (its zone defaults to the client's)."""
    return BusinessCalendar(client.config.calendar, client.config.timezone)


def _events(store: Store, client: str) -> pd.DataFrame:
    rows = store.claim_events(client)
    # duplicates decided only by their dedupe outcome (see the store's note)
    rows += duplicates_decided(store, client)
    # a pended claim moved to review or accepted: the desk's again
    rows += pause_moves(store, client)
    return pd.DataFrame(
        rows, columns=["claim_id", "batch_id", "event", "at", "operator"]
    ).assign(at=lambda f: pd.to_datetime(f["at"], utc=True, format="ISO8601"))


def _made_by(events: pd.DataFrame, until: datetime | None) -> pd.DataFrame:
    """The events recorded at or before `until` (None: all of them)."""
    if until is None:
        return events
    return events[events["at"] <= pd.Timestamp(until)]


def _local_days(series: pd.Series, zone: str) -> np.ndarray:
    local = series.dt.tz_convert(zone).dt.tz_localize(None)
    days: np.ndarray = local.to_numpy().astype("datetime64[D]")
    return days


def _paused_days(events: pd.DataFrame, cal: BusinessCalendar, zone: str) -> pd.Series:
    """Business days each claim waited on the participant (pended -> resubmitted).

    Paired in time order, not in the order recorded: a ``pended`` recorded
    after its ``resubmitted`` (backdated) still opens the pause it closes.
    A claim decided while it waited (closed, never resubmitted) ends its
    pause at the decision, so the wait is not counted as the desk's time.
    A claim a later stage moved out of ``pended`` to review or accepted
    (``resumed``, `claimflow.store.sla.pause_moves`) ends its pause at that
    move: the desk owes the next step (trial 35).
    """
    pauses = events[
        events["event"].isin(["pended", "resubmitted", "decided", "resumed"])
    ].sort_values(["claim_id", "at"], kind="stable")
    if pauses.empty:
        return pd.Series(dtype="int64")
    days = _local_days(pauses["at"], zone)
    total: dict[str, int] = {}
    open_since: dict[str, np.datetime64] = {}
    for claim, event, day in zip(
        pauses["claim_id"], pauses["event"], days, strict=True
    ):
        if event == "pended":
            open_since.setdefault(claim, day)
        elif claim in open_since:
            start = open_since.pop(claim)
            total[claim] = total.get(claim, 0) + int(
                cal.business_days_many(np.array([start]), np.array([day]))[0]
            )
    waiting = dict.fromkeys(open_since, -1)
    return pd.Series({**total, **waiting}, dtype="int64")


def claim_facts(
    store: Store,
    client: ResolvedClient,
    window: Window,
    now: datetime,
    calendar: BusinessCalendar | None = None,
    *,
    until: datetime | None = None,
) -> pd.DataFrame:
    """One row per claim received in `window`, with its SLA facts.

    With `until`, the facts as they stood then: events recorded after it
    (received, first response, pended, resubmitted, decided, escalated) are
    not yet made, so a claim pended later is open (and may be in breach),
    not waiting. A report as of a past instant passes its instant.

    Columns: claim_id, batch_id, operator, received, first_response_hours,
    first_response_in_target (answered within the terms' first-response
    hours), decided, business_days, paused_days, due_date, status (``decided``,
    ``open``, ``waiting``: pended on the participant), on_time, late,
    at_risk, breached.

    Built from a pivot of the events in SQL (`claimflow.sla.facts`); equal,
    claim for claim, to `claim_facts_reference`.

    Example: ``claim_facts(store, client, Window.parse("2026-10"), now)``
    """
    from claimflow.sla.facts import claim_facts as from_pivot

    return from_pivot(store, client, window, now, calendar, until=until)


def claim_facts_reference(
    store: Store,
    client: ResolvedClient,
    window: Window,
    now: datetime,
    calendar: BusinessCalendar | None = None,
    *,
    until: datetime | None = None,
) -> pd.DataFrame:
    """`claim_facts` one event and one claim at a time: the reference.

    Kept as the definition the set-based `claim_facts` is tested against.

    Example: ``claim_facts_reference(store, client, Window(), now)``
    """
    cal = calendar or calendar_of(client)
    terms = client.config.sla
    zone = str(cal.zone)
    every = _events(store, client.key)
    events = _made_by(every, until)
    if events.empty:
        return pd.DataFrame()
    firsts = events.groupby(["claim_id", "event"])["at"].min().unstack("event")
    for column in ("received", "first_response", "decided", "escalated"):
        if column not in firsts:
            # typed, so that a column no claim has an event for still has .dt
            firsts[column] = pd.to_datetime(
                pd.Series(pd.NaT, index=firsts.index), utc=True
            )
    facts = firsts[["received", "first_response", "decided", "escalated"]].dropna(
        subset=["received"]
    )
    # the claim's batch and operator are facts of the claim, known whenever
    # its first response is made (the pivot reads them the same way)
    who = (
        every[every["event"] == "first_response"]
        .groupby("claim_id")[["batch_id", "operator"]]
        .first()
    )
    facts = facts.join(who)
    received_day = _local_days(facts["received"], zone)
    facts["received_day"] = received_day
    if window.start is not None and window.end is not None:
        keep = (received_day >= np.datetime64(window.start)) & (
            received_day < np.datetime64(window.end)
        )
        facts = facts[keep]
    paused = (
        _paused_days(events, cal, zone)
        if terms.pause_when_pended
        else pd.Series(dtype="int64")
    )
    facts["paused_days"] = paused.reindex(facts.index).fillna(0).astype("int64")
    waiting = facts["paused_days"] < 0
    facts["paused_days"] = facts["paused_days"].clip(lower=0)
    decided = facts["decided"].notna()
    # A decision answers the claim: its first response is no later (a run
    # back-dated with --at decided it before a response stamped later).
    facts["first_response"] = facts[["first_response", "decided"]].min(axis=1)
    decided_day = np.where(
        decided,
        _local_days(facts["decided"].fillna(facts["received"]), zone),
        np.datetime64("NaT"),
    )
    start = facts["received_day"].to_numpy().astype("datetime64[D]")
    facts["due_date"] = cal.due_dates_many(
        start, (terms.turnaround_days + facts["paused_days"]).to_numpy()
    )
    taken = np.where(
        decided,
        cal.business_days_many(
            start, np.where(decided, decided_day, start).astype("datetime64[D]")
        ),
        -1,
    )
    facts["business_days"] = np.where(decided, taken - facts["paused_days"], np.nan)
    facts["first_response_hours"] = [
        cal.business_seconds(r, f) / 3600 if f is not pd.NaT else np.nan
        for r, f in zip(
            facts["received"].dt.to_pydatetime(),
            facts["first_response"].dt.to_pydatetime(),
            strict=True,
        )
    ]
    facts["first_response_in_target"] = within_target(
        facts["first_response_hours"], terms.first_response_hours
    )
    facts["first_response_overdue"] = past_target(
        np.array(
            [
                cal.business_seconds(r, now) / 3600 if f is pd.NaT else np.nan
                for r, f in zip(
                    facts["received"].dt.to_pydatetime(),
                    facts["first_response"].dt.to_pydatetime(),
                    strict=True,
                )
            ],
            dtype=float,
        ),
        terms.first_response_hours,
    )
    facts["status"] = np.where(decided, "decided", np.where(waiting, "waiting", "open"))
    facts["on_time"] = decided & (decided_day <= facts["due_date"].to_numpy())
    facts["late"] = decided & ~facts["on_time"]
    today = np.datetime64(cal.local(now).date())
    is_open = facts["status"] == "open"
    facts["breached"] = facts["late"] | (
        is_open & (facts["due_date"].to_numpy() < today)
    )
    facts["remaining_hours"] = [
        _remaining(cal, now, due) if o else np.nan
        for o, due in zip(is_open, facts["due_date"], strict=True)
    ]
    facts["at_risk"] = (
        is_open & (facts["remaining_hours"] <= terms.at_risk_hours) & ~facts["breached"]
    )
    facts["period"] = pd.to_datetime(facts["received_day"]).dt.strftime("%Y-%m")
    facts["client"] = client.key
    return facts.reset_index().rename(columns={"index": "claim_id"})


#: Business hours a first response may exceed its target by and still be
#: within it: float noise of summed seconds, never a real minute.
_NOISE_H = 1e-9


def within_target(hours: pd.Series, target: float) -> np.ndarray:
    """Answered within `target` business hours (False: later, or not yet).

    Example: ``within_target(facts["first_response_hours"], 8.0)``
    """
    values = hours.to_numpy(dtype=float)
    answered = ~np.isnan(values)
    inside: np.ndarray = answered & (np.where(answered, values, 0.0) <= target + _NOISE_H)
    return inside


def past_target(waited: np.ndarray, target: float) -> np.ndarray:
    """Not answered yet, and waiting longer than `target` business hours
    already (`waited`: NaN for an answered claim): a first response missed
    before it is made.

    Example: ``past_target(np.array([9.5, np.nan]), 8.0)`` is ``[True, False]``
    """
    known = ~np.isnan(waited)
    late: np.ndarray = known & (np.where(known, waited, 0.0) > target + _NOISE_H)
    return late


def _remaining(cal: BusinessCalendar, now: datetime, due: object) -> float:
    """Business hours from `now` to the close of the due date (negative: past)."""
    due_day = pd.Timestamp(due).date()  # type: ignore[arg-type]
    close = datetime.combine(due_day, time(23, 59, 59), tzinfo=cal.zone)
    if close <= now:
        past = cal.business_seconds(close, now)
        # at the close (or past it outside opening hours): 0.0, never -0.0
        return -past / 3600 if past else 0.0
    return cal.business_seconds(now, close) / 3600


def _first_response(answered: int, within: int, overdue: int) -> dict[str, float]:
    """The first-response figures of a group: claims answered, answered in
    target, not answered and already past it, and the share in target of
    those due one (answered, or past the target unanswered)."""
    due = answered + overdue
    return {
        "answered": answered,
        "first_response_in_target": within,
        "unanswered_past_target": overdue,
        "first_response_share": within / due if due else np.nan,
    }


def summarize(facts: pd.DataFrame, by: str = "period") -> pd.DataFrame:
    """SLA figures per group: volume, first response, turnaround, on-time share.

    First response: ``answered`` claims (with a first response), those
    answered within the terms' hours (``first_response_in_target``) and
    their share of the answered (``first_response_share``).

    Args:
        facts: `claim_facts` output.
        by: ``period``, ``batch``, ``operator`` or ``client``.

    Returns:
        One row per group (plus a total row).

    Example: ``summarize(facts, by="operator")``
    """
    if facts.empty:
        return pd.DataFrame()
    key = GROUPS[by]
    # the flags each group needs, compared once over the whole frame: per
    # group, on every column, they cost more than the facts at 1M claims
    status = facts["status"].to_numpy(dtype=object)
    flags = pd.DataFrame(
        {
            "is_decided": status == "decided",
            "is_open": status == "open",
            "is_waiting": status == "waiting",
            "on_time": facts["on_time"].to_numpy(dtype=bool),
            "at_risk": facts["at_risk"].to_numpy(dtype=bool),
            "breached": facts["breached"].to_numpy(dtype=bool),
            "is_escalated": facts["escalated"].notna().to_numpy(dtype=bool),
            "first_response_hours": facts["first_response_hours"].to_numpy(),
            "answered": facts["first_response_hours"].notna().to_numpy(dtype=bool),
            "first_response_in_target": facts["first_response_in_target"].to_numpy(
                dtype=bool
            ),
            "first_response_overdue": facts["first_response_overdue"].to_numpy(
                dtype=bool
            ),
            "business_days": facts["business_days"].to_numpy(),
        }
    )
    flags["key"] = facts[key].set_axis(flags.index)

    def figures(group: pd.DataFrame) -> pd.Series:
        n_decided = int(group["is_decided"].sum())
        n_answered = int(group["answered"].sum())
        n_within = int(group["first_response_in_target"].sum())
        n_overdue = int(group["first_response_overdue"].sum())
        return pd.Series(
            {
                "received": len(group),
                "decided": n_decided,
                "on_time": int(group["on_time"].sum()),
                "on_time_share": group["on_time"].sum() / n_decided
                if n_decided
                else np.nan,
                **_first_response(n_answered, n_within, n_overdue),
                "first_response_median_h": group["first_response_hours"].median(),
                "turnaround_mean_days": group["business_days"].mean(),
                "turnaround_p90_days": group["business_days"].quantile(0.9),
                "backlog": int(group["is_open"].sum()),
                "waiting_on_participant": int(group["is_waiting"].sum()),
                "at_risk": int(group["at_risk"].sum()),
                "breaches": int(group["breached"].sum()),
                "escalated": int(group["is_escalated"].sum()),
                "escalation_share": group["is_escalated"].mean(),
            }
        )

    rows = [
        figures(group).rename(name)
        for name, group in flags.groupby("key", dropna=False)
    ]
    out = pd.DataFrame([*rows, figures(flags).rename("total")])
    out.index.name = by
    return out.reset_index()


def summarize_reference(facts: pd.DataFrame, by: str = "period") -> pd.DataFrame:
    """`summarize` one group at a time, each figure from the group's own rows:
    the reference (and the previous code's cost in ``benchmarks/bench_sla.py``).

    Example: ``summarize_reference(facts, by="operator")``
    """
    if facts.empty:
        return pd.DataFrame()
    key = GROUPS[by]

    def figures(group: pd.DataFrame) -> pd.Series:
        decided = group["status"] == "decided"
        n_decided = int(decided.sum())
        n_answered = int(group["first_response_hours"].notna().sum())
        n_within = int(group["first_response_in_target"].sum())
        n_overdue = int(group["first_response_overdue"].sum())
        return pd.Series(
            {
                "received": len(group),
                "decided": n_decided,
                "on_time": int(group["on_time"].sum()),
                "on_time_share": group["on_time"].sum() / n_decided
                if n_decided
                else np.nan,
                **_first_response(n_answered, n_within, n_overdue),
                "first_response_median_h": group["first_response_hours"].median(),
                "turnaround_mean_days": group["business_days"].mean(),
                "turnaround_p90_days": group["business_days"].quantile(0.9),
                "backlog": int((group["status"] == "open").sum()),
                "waiting_on_participant": int((group["status"] == "waiting").sum()),
                "at_risk": int(group["at_risk"].sum()),
                "breaches": int(group["breached"].sum()),
                "escalated": int(group["escalated"].notna().sum()),
                "escalation_share": group["escalated"].notna().mean(),
            }
        )

    rows = [
        figures(group).rename(name) for name, group in facts.groupby(key, dropna=False)
    ]
    out = pd.DataFrame([*rows, figures(facts).rename("total")])
    out.index.name = by
    return out.reset_index()
