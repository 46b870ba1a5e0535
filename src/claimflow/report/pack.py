"""The desk's report pack for a client: daily, weekly and monthly.

Each builder takes a store, a resolved client, an optional period and the
instant "now", and returns a `claimflow.report.sla.Report` (tables, charts,
a verdict line, the period's definition and the figures' definitions),
which `claimflow.report.sla.write_report` writes in every format.

- `daily_report`: escalations and breaches for the client, as of now (or
  the close of the day asked): what is in breach, what will breach today,
  what is at risk, the backlog by due date, and the last 20 working days.
- `weekly_report`: the last 5 working days of the client's business
  calendar (ending with the last working day before today, or the day
  asked), day by day and against the 5 working days before.
- `monthly_report`: a calendar month (the last complete one, or the one
  asked) with the months before it: volumes, SLA, QA and the top N reasons
  with their trend against the previous months' average.

Daily figures come from `claimflow.sla.metrics.claim_facts` (all claims,
as of the instant), per local day in the client's zone (`day_by_day`).
Each report ends with the case figures of the cases opened in its period
(the day, the 5 working days, the month), as of the same instant
(`claimflow.report.cases`), when the client has an ``accounts`` section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from gettext import ngettext

import numpy as np
import pandas as pd

from claimflow.config import ResolvedClient
from claimflow.errors import ClaimflowError
from claimflow.report import charts
from claimflow.report.cases import add_cases, case_section
from claimflow.report.days import (
    DAY_DEFINITIONS,
    day_by_day,
    facts_as_of,
    totals,
    working_days,
)
from claimflow.report.issues import top_issues
from claimflow.report.sla import Report, qa_section, sla_definitions
from claimflow.report.verdicts import open_breaches
from claimflow.shown import number, percent
from claimflow.sla.calendar import BusinessCalendar
from claimflow.sla.metrics import Window, calendar_of, claim_facts, summarize
from claimflow.sla.quality import QaDay
from claimflow.store import Store
from claimflow.window import refuse_future_day

#: Working days of history the daily report's chart shows.
DAILY_HISTORY = 20


@dataclass(frozen=True)
class PackOptions:
    """Choices of the pack's reports.

    Attributes:
        top: reasons listed in the monthly report's top issues.
        months: months the monthly report's trends show (the month itself
            and the ones before it).
        qa_by: QA checks counted by the day the fields were keyed
            (``keyed``) or the day the check was recorded (``adjudicated``).
    """

    top: int = 6
    months: int = 6
    qa_by: QaDay = "keyed"


def _count(n: int, one: str, many: str, locale: str) -> str:
    """``1 claim``, ``1.050 claims`` (de_DE): the count in the client's locale."""
    return ngettext(one, many, n).format(n=number(n, locale))


def _day(text: str | None, cal: BusinessCalendar, now: datetime) -> date | None:
    """The day `--period` names, refused when it is after the desk's today
    at `now` (`claimflow.window.refuse_future_day`): a daily report of
    2026-12-14 asked in October showed that day's figures as of now."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ClaimflowError(
            f"expected a day like 2026-11-10, found {text!r}"
        ) from None
    return refuse_future_day(day, "--period", cal.zone, now)


def _new_report(client: ResolvedClient, title: str, period: str) -> Report:
    report = Report(
        f"{client.config.name}: {title}",
        [*sla_definitions(client, period), *DAY_DEFINITIONS],
        period=period,
    )
    report.locale, report.currency = client.config.locale, client.config.currency
    return report


def _until(cal: BusinessCalendar, now: datetime, day: date | None) -> datetime:
    """`now`, or the close of `day` (local) when that is earlier."""
    if day is None:
        return now
    close = datetime.combine(day, time(23, 59, 59), tzinfo=cal.zone)
    return min(now, close)


def daily_report(
    store: Store,
    client: ResolvedClient,
    period: str | None,
    now: datetime,
    options: PackOptions | None = None,
) -> Report:
    """Escalations and breaches for the client, as of `now` or a day's close.

    Args:
        store: the store.
        client: the client.
        period: a day (``2026-11-10``: as of its close, local), or None: today.
        now: the instant of the report.
        options: unused (the pack's reports share one signature).

    Example: ``daily_report(store, client, None, datetime.now(UTC))``
    """
    cal = calendar_of(client)
    as_of = _until(cal, now, _day(period, cal, now))
    today = cal.local(as_of).date()
    stamp = cal.local(as_of).strftime("%Y-%m-%d %H:%M %Z")
    report = _new_report(
        client,
        f"daily escalations and breaches, {today.isoformat()}",
        f"Period: the working day {today.isoformat()}, figures as of {stamp} "
        f"(local time, {cal.zone}); the chart shows the {DAILY_HISTORY} working "
        "days up to it.",
    )
    cases = case_section(store, client, today, today + timedelta(days=1), as_of)
    facts, _ = facts_as_of(store, client, as_of)
    if facts.empty:
        report.verdict = "No claims in the store for this client."
        return add_cases(report, cases)
    terms = client.config.sla
    work = facts[facts["working"]].copy()
    will_breach = (
        ~work["breached"]
        & (work["due_date"].to_numpy().astype("datetime64[D]") <= np.datetime64(today))
    ) | (~work["breached"] & (work["remaining_hours"] < terms.handling_hours))
    work["state"] = np.select(
        [work["breached"], will_breach, work["at_risk"]],
        ["in breach", "will breach today", "at risk"],
        default="",
    )
    work["escalated_flag"] = work["escalated"].notna()
    history = day_by_day(facts, working_days(cal, today, DAILY_HISTORY))
    t = np.datetime64(today)
    figures = {
        "Received today": int((facts["counted_on"] == t).sum()),
        "Decided today": int((facts["decided_counted"] == t).sum()),
        "Decided late today": int(((facts["decided_counted"] == t) & facts["late"]).sum()),
        "New breaches today": int((facts["breached_on"] == t).sum()),
        "In breach, still open": int(work["breached"].sum()),
        "Will breach today": int(will_breach.sum()),
        "At risk": int((work["state"] == "at risk").sum()),
        "Backlog (open, ours to work)": len(work),
        "Waiting on the participant": int(
            ((facts["status"] == "waiting") & ~facts["closed"]).sum()
        ),
        "Escalated today": int((facts["escalated_counted"] == t).sum()),
        "Open escalations": int(work["escalated_flag"].sum()),
    }
    report.tables["Today"] = pd.DataFrame(
        {"figure": list(figures), "claims": list(figures.values())}
    )
    urgent = work[work["state"] != ""].sort_values(["remaining_hours", "received"])
    escalations = facts[
        (facts["escalated_counted"] == t) | (facts["working"] & facts["escalated"].notna())
    ].sort_values("escalated")
    # claims as people know them (reference and file), the store id beside
    names = store.claim_names(
        [*urgent["claim_id"].astype(str), *escalations["claim_id"].astype(str)]
    )
    report.tables["Breached or will breach"] = _claim_list(urgent, names)
    report.tables["Escalations"] = pd.DataFrame(
        {
            "claim": [names.get(str(c), str(c)) for c in escalations["claim_id"]],
            "claim_id": escalations["claim_id"],
            "escalated_day": escalations["escalated_on"].astype("datetime64[s]"),
            "received_day": escalations["received_on"].astype("datetime64[s]"),
            "due_date": escalations["due_date"],
            "status": escalations["status"],
        }
    )
    backlog = work.groupby("due_date").agg(
        claims=("claim_id", "size"),
        at_risk=("at_risk", "sum"),
        breaches=("breached", "sum"),
    )
    report.tables["Backlog by due date"] = backlog.reset_index()
    report.tables[f"Last {DAILY_HISTORY} working days"] = history
    _add(report, "Backlog and breaches per day", charts.backlog_and_breaches(history))
    breach, will = figures["In breach, still open"], figures["Will breach today"]
    loc = client.config.locale
    report.verdict = (
        f"As of {stamp}: "
        + _count(breach, "{n} open claim in breach", "{n} open claims in breach", loc)
        + f" and {number(will, loc)} that will breach today, of a backlog of "
        + _count(len(work), "{n} claim", "{n} claims", loc)
        + f" ({number(figures['At risk'], loc)} more at risk); "
        + _count(figures["Escalated today"], "{n} escalation", "{n} escalations", loc)
        + " today."
    )
    return add_cases(report, cases)


def _claim_list(claims: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim": [names.get(str(c), str(c)) for c in claims["claim_id"]],
            "claim_id": claims["claim_id"],
            "received_day": claims["received_on"].astype("datetime64[s]"),
            "due_date": claims["due_date"],
            # overdue once in breach (past its due date's close), else time
            # left: a claim due today with no business hour left is 0,0 left,
            # not 0,0 overdue (trial 21)
            "hours_left": claims["remaining_hours"].where(~claims["breached"]),
            "hours_overdue": (0.0 - claims["remaining_hours"]).where(
                claims["breached"]
            ),
            "state": claims["state"],
            "escalated_flag": claims["escalated_flag"],
        }
    )


def _add(report: Report, name: str, png: bytes | None) -> None:
    if png is not None:
        report.charts[name] = png


def weekly_report(
    store: Store,
    client: ResolvedClient,
    period: str | None,
    now: datetime,
    options: PackOptions | None = None,
) -> Report:
    """The last 5 working days, day by day and against the 5 before.

    Args:
        store: the store.
        client: the client.
        period: the last day of the week (``2026-11-13``; a closed day
            counts back to the working day before it), or None: the last
            working day before today.
        now: the instant of the report (figures as of it).
        options: unused (the pack's reports share one signature).

    Example: ``weekly_report(store, client, "2026-11-13", datetime.now(UTC))``
    """
    cal = calendar_of(client)
    last = _day(period, cal, now) or cal.local(now).date() - timedelta(days=1)
    ten = working_days(cal, last, 10)
    week, before = ten[5:], ten[:5]
    label = f"{week[0].isoformat()} to {week[-1].isoformat()}"
    report = _new_report(
        client,
        f"weekly update, {label}",
        f"Period: the 5 working days {label} in the client's business calendar "
        f"(weekdays with opening hours, less public holidays and closures"
        f"{', plus working days' if cal.extra_hours else ''}), local "
        f"dates in {cal.zone}; compared with the 5 working days before "
        f"({before[0].isoformat()} to {before[-1].isoformat()}).",
    )
    cases = case_section(store, client, week[0], week[-1] + timedelta(days=1), now)
    facts, _ = facts_as_of(store, client, now)
    if facts.empty:
        report.verdict = "No claims in the store for this client."
        return add_cases(report, cases)
    days = day_by_day(facts, ten)
    this, prior = days.iloc[5:].reset_index(drop=True), days.iloc[:5]
    report.tables["Day by day"] = this
    both = [
        totals(this, f"This week ({label})"),
        totals(prior, "The 5 working days before"),
    ]
    report.tables["This week and the week before"] = pd.DataFrame(both)
    window = Window(week[0], week[-1] + timedelta(days=1))
    from claimflow.report.sla import top_reasons

    report.tables["Top reasons for pending and rejection"] = top_reasons(
        store, client.key, window
    )
    target = client.config.sla.on_time_target
    _add(report, "Backlog and breaches per day", charts.backlog_and_breaches(days))
    _add(
        report,
        "On-time share of claims decided each day",
        charts.trend(
            [d.isoformat() for d in days["day"]],
            days["on_time_share"] * 100,
            "On-time share of claims decided each day",
            "% on time",
            target * 100,
            dates=True,
        ),
    )
    now_, loc = both[0], client.config.locale
    share = now_["on_time_share"]
    decided = (
        "none decided"
        if pd.isna(share)
        else (
            f"{number(now_['decided'], loc)} decided, {percent(share, loc)} on time "
            f"(target {percent(target, loc, 0)}): "
            + ("met" if share >= target else "missed")
        )
    )
    report.verdict = (
        f"Week {label}: "
        + _count(int(now_["received"]), "{n} claim received", "{n} claims received", loc)
        + f", {decided}; "
        + _count(int(now_["new_breaches"]), "{n} new breach", "{n} new breaches", loc)
        + f"; backlog {number(now_['backlog'], loc)} at the close of "
        + f"{week[-1].isoformat()}."
    )
    return add_cases(report, cases)


def _month(text: str | None, cal: BusinessCalendar, now: datetime) -> pd.Period:
    if text is None:
        return pd.Period(cal.local(now).date(), "M") - 1
    try:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
            raise ValueError(text)
        month = pd.Period(text, "M")
    except ValueError:
        raise ClaimflowError(f"expected a month like 2026-10, found {text!r}") from None
    # a month not yet begun is refused as a future day is; this month is
    # reported so far
    refuse_future_day(month.start_time.date(), "--period", cal.zone, now, text)
    return month


def monthly_report(
    store: Store,
    client: ResolvedClient,
    period: str | None,
    now: datetime,
    options: PackOptions | None = None,
) -> Report:
    """A month's volumes, SLA, QA and top issues, with the months before it.

    Args:
        store: the store.
        client: the client.
        period: the month (``2026-10``), or None: the last complete month.
        now: the instant of the report (figures as of it).
        options: top N, months of trend, and QA's day (`PackOptions`).

    Example: ``monthly_report(store, client, "2026-10", datetime.now(UTC))``
    """
    options = options or PackOptions()
    cal = calendar_of(client)
    month = _month(period, cal, now)
    first = month - (options.months - 1)
    months = [str(first + i) for i in range(options.months)]
    window = Window(first.start_time.date(), (month + 1).start_time.date())
    report = _new_report(
        client,
        f"monthly member-service report, {month}",
        f"Period: claims received in {month} ({month.start_time.date()} to "
        f"{month.end_time.date()}), local dates in {cal.zone}; trends over the "
        f"{options.months} months {months[0]} to {months[-1]}.",
    )
    facts = claim_facts(store, client, window, now, cal, until=now)
    notes: list[str] = []
    if facts.empty:
        notes.append(f"No claims received from {months[0]} to {months[-1]}.")
    else:
        trend = summarize(facts, "period")
        trend = trend[trend["period"] != "total"].set_index("period")
        trend = trend.reindex(months).rename_axis("period").reset_index()
        # a month without claims has none of anything (rates stay blank)
        counted = ["received", "decided", "on_time", "backlog", "breaches"]
        counted += ["waiting_on_participant", "at_risk", "escalated"]
        trend[counted] = trend[counted].fillna(0)
        report.tables["Volumes and SLA by month"] = trend
        current = facts[facts["period"] == str(month)]
        if not current.empty:
            report.tables[f"By operator, {month}"] = summarize(current, "operator")
        target = client.config.sla.on_time_target
        _add(
            report,
            "On-time share by month",
            charts.trend(
                months,
                trend["on_time_share"] * 100,
                "On-time share by month received",
                "% on time",
                target * 100,
            ),
        )
        _add(
            report,
            "Claims received by month",
            charts.trend(
                months, trend["received"], "Claims received by month", "claims"
            ),
        )
        row = trend[trend["period"] == str(month)].iloc[0]
        notes.append(
            _month_sla(row, target, open_breaches(current), client.config.locale)
        )
    top = top_issues(store, client.key, months, options.top)
    report.tables[f"Top {options.top} issues"] = top
    if top.empty:
        notes.append(f"No claim received in {month} was pended or rejected.")
    _add(
        report,
        "Top issues",
        charts.top_reasons(
            top, str(month), "previous_mean" if len(months) > 1 else None
        ),
    )
    if not top.empty:
        lead = top.iloc[0]
        notes.append(
            f"Top issue {lead['code']}: "
            + _count(
                int(lead[str(month)]), "{n} claim", "{n} claims", client.config.locale
            )
            + f" ({_TREND[str(lead['trend'])]})."
        )
    qa = qa_section(
        store,
        client,
        Window(month.start_time.date(), (month + 1).start_time.date()),
        options.qa_by,
        trend_window=window,
    )
    report.tables.update(qa.tables)
    report.charts.update(qa.charts)
    report.definitions += qa.definitions
    notes += qa.notes[:1]
    report.verdict = f"{month}: " + " ".join(notes)
    report.notes += qa.notes[1:]
    days = (month.start_time.date(), (month + 1).start_time.date())
    return add_cases(report, case_section(store, client, *days, now))


_TREND = {
    "up": "up on the previous months' average",
    "down": "down on the previous months' average",
    "steady": "steady on the previous months' average",
    "new": "none in the months before",
}


def _month_sla(
    row: pd.Series, target: float, breached_open: int, loc: str
) -> str:
    received = int(row["received"]) if pd.notna(row["received"]) else 0
    text = _count(received, "{n} claim received", "{n} claims received", loc)
    share = row["on_time_share"]
    decided = int(row["decided"]) if pd.notna(row["decided"]) else 0
    text += (
        "; none decided yet"
        if pd.isna(share)
        else f"; {percent(share, loc)} on time of {number(decided, loc)} decided "
        f"(target {percent(target, loc, 0)})"
    )
    if breached_open:
        # each will be decided late: the month's share can only fall to `best`
        best = int(row["on_time"]) / (decided + breached_open)
        return (
            text
            + ", but "
            + _count(breached_open, "{n} open claim is", "{n} open claims are", loc)
            + f" already past the due date: at most {percent(best, loc)} once decided: "
            + ("met so far." if best >= target else "missed.")
        )
    if pd.isna(share):
        return text + "."
    return text + f": {'met' if share >= target else 'missed'}."
