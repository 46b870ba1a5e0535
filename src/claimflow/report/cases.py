"""The case section of the report pack: case SLA, escalations and their cost.

`case_section(store, client, start, end, until)` turns
`claimflow.accounts.figures.case_figures` (the cases opened in ``[start,
end)``, as they stood at `until`) into two tables, by owner and by
category, each with a total row, plus the definitions of its figures and
(when any case was opened) one note. A client without an
``accounts`` section has no cases: the section is None and the report is
as it was.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from claimflow.accounts.figures import CaseFigures, CaseGroup, case_figures
from claimflow.config import ResolvedClient
from claimflow.report.sla import Report
from claimflow.shown import money, number, percent
from claimflow.sla.metrics import calendar_of
from claimflow.store import Store

#: What each case figure means (the section's definitions).
CASE_DEFINITIONS = (
    "Cases: member service cases opened in the period (local days), as they "
    "stood at the report's instant: cases opened, and contacts, escalations, "
    "links and closings recorded, after it are not counted.",
    "Within SLA (closed cases only): first contact within the case type's "
    "first-response business hours (a case closed without contact: its "
    "closing); no more than the follow-up business hours between contacts and "
    "from the last to closing; at least the minimum follow-ups after the first "
    "contact; closed on or before the resolution-days due date. A type without "
    "terms is within SLA once closed. Share: of the closed cases.",
    "Escalation share: cases raised above L1 (or opened above it) / cases "
    "opened, against the client's limit (sla.max_escalation_share); over the "
    "limit when above it.",
    "Cost of an escalation: the ledger postings linked to its case (refunds, "
    "goodwill, corrections; a debit gives back) at the client's point value "
    "(accounts.point_value), each rounded half up to the currency's minor "
    "unit (the cent; the whole yen); cost per escalation: their sum / "
    "escalated cases, rounded half up to the same unit.",
    "Repeat escalations: escalated cases whose member had an earlier escalated "
    "case. By owner: the case's owner at the report's instant.",
)


def _rows(key: str, groups: list[CaseGroup], total: CaseGroup) -> pd.DataFrame:
    rows = [
        {
            key: "total" if group is total else group.key,
            "cases": group.cases,
            "closed": group.closed,
            "within_sla": group.within_sla,
            "within_sla_share": group.within_sla_share,
            "escalated": group.escalated,
            "escalation_share": group.escalation_share,
            "over_limit": group.over_limit,
            "escalation_cost": group.escalation_cost,
            "cost_per_escalation": group.cost_per_escalation,
            "repeat_escalations": group.repeat_escalations,
        }
        for group in [*groups, total]
    ]
    return pd.DataFrame(rows)


def case_note(figures: CaseFigures, locale: str = "en_US") -> str:
    """One line on the period's cases, for a report's verdict; its figures
    in the client's `locale`.

    Example: ``case_note(figures) == "Cases: 5 opened, ..."``
    """
    total = figures.total
    within = (
        "none closed"
        if total.within_sla_share is None
        else f"{number(total.within_sla, locale)} of {number(total.closed, locale)} "
        f"closed within SLA ({percent(total.within_sla_share, locale)})"
    )
    share = total.escalation_share or 0.0
    limit = "over" if total.over_limit else "within"
    cost = (
        ""
        if total.cost_per_escalation is None
        else f", {money(total.cost_per_escalation, figures.currency, locale)} "
        "per escalation"
    )
    return (
        f"Cases: {number(total.cases, locale)} opened, {within}; "
        f"{number(total.escalated, locale)} escalated ({percent(share, locale)}, "
        f"{limit} the {percent(figures.escalation_limit, locale, 0)} limit){cost}."
    )


def case_section(
    store: Store,
    client: ResolvedClient,
    start: date,
    end: date,
    until: datetime,
) -> Report | None:
    """The case figures of a period as report tables, or None without cases.

    Args:
        store: the store.
        client: the client (None comes back without an ``accounts`` section).
        start, end: the cases opened in ``[start, end)``, local days.
        until: the report's instant (timezone-aware).

    Returns:
        A `Report` holding the tables ``Cases by owner`` and ``Cases by
        category``, the case period's definition (first) and
        the figures', and one note (none when no case was opened).

    Example: ``case_section(store, client, date(2026, 12, 1), date(2027, 1, 1),
    now)``
    """
    if client.config.accounts is None:
        return None
    figures = case_figures(store, client, start=start, end=end, until=until)
    last = end - timedelta(days=1)
    label = (
        start.isoformat()
        if last == start
        else f"{start.isoformat()} to {last.isoformat()}"
    )
    zone = calendar_of(client).zone
    stamp = until.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    section = Report(
        "Cases",
        [
            f"Cases period: cases opened {label} (local days in {zone}), as "
            f"they stood at {stamp}.",
            *CASE_DEFINITIONS,
        ],
    )
    section.tables["Cases by owner"] = _rows("owner", figures.by_owner, figures.total)
    section.tables["Cases by category"] = _rows(
        "category", figures.by_category, figures.total
    )
    if figures.total.cases:  # no note on a period without cases: tables say 0
        section.notes.append(case_note(figures, client.config.locale))
    return section


def add_cases(report: Report, section: Report | None) -> Report:
    """Put a case section's tables, definitions and note into a report, and
    return the report.

    Example: ``return add_cases(report, case_section(store, client, ...))``
    """
    if section is not None:
        report.tables.update(section.tables)
        report.definitions += section.definitions
        report.notes += section.notes
    return report
